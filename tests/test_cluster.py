"""Batch on Ray (``hipform batch DIR --ray``): the same results as the local batch, and a killed worker.

A local Ray cluster of 2 CPUs is started once for this module (about 5-10 s). Its folder holds
two short rendered samples (about 4 s each, copied whole) and a text file renamed ``.mp4``;
the local batch and the Ray batch analyse it with the real pose model. In the Ray batch the
first actor to start a clip kills its own process (:data:`hipform.cluster.CRASH_ONCE_ENV`, as
the out-of-memory killer would), so every Ray batch here also proves the clip is retried.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from hipform.batch import SUMMARY_CSV, BatchSettings, ClipResult, find_clips, run_batch, summary_table
from hipform.cli import build_parser, main

SAMPLE_VIDEOS = Path(__file__).resolve().parents[1] / "sample_videos"
CLIPS = ("band_walk_front_knees_cave.mp4", "single_leg_deadlift_front_clean.mp4")
#: Columns of the summary CSV that measure this run's speed, not the clip.
TIMING_COLUMNS = ("seconds", "frames_per_s")


@dataclass
class Batch:
    out: Path
    results: list[ClipResult]
    progress_calls: list[tuple[str, int, int]]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("clips")
    for name in CLIPS:
        shutil.copy(SAMPLE_VIDEOS / name, folder / name)
    (folder / "notes.mp4").write_text("meeting notes, not a video")
    return folder


def run(batch_function, folder: Path, settings: BatchSettings) -> Batch:
    """Run a batch on the clips in ``folder`` (paths as given: absolute, or relative to here)."""
    seen: list[tuple[str, int, int]] = []
    results = batch_function(
        find_clips(folder),
        settings,
        progress=lambda r, done, total: seen.append((r.path.name, done, total)),
    )
    return Batch(settings.out_dir.absolute(), results, seen)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def local_batch(folder, cache_dir, tmp_path_factory) -> Batch:
    """The local batch, in this process, filling a landmark cache of its own (cold: the pose model runs)."""
    out = tmp_path_factory.mktemp("local") / "out"
    return run(run_batch, folder, BatchSettings(out_dir=out, cache_dir=cache_dir))


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory):
    """A local Ray of 2 CPUs for this module; the batches find it connected and use it.

    Its processes start with an empty landmark cache of their own: an actor finds cached
    landmarks only where the submitting shell's HIPFORM_CACHE_DIR sends it.
    """
    import ray

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HIPFORM_CACHE_DIR", str(tmp_path_factory.mktemp("cache-at-ray-start")))
        ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def ray_batch(folder, ray_cluster, tmp_path_factory) -> tuple[Batch, Path]:
    """The Ray batch, with one worker killed on the first clip it starts."""
    from hipform.cluster import CRASH_ONCE_ENV, run_batch_on_ray

    root = tmp_path_factory.mktemp("ray")
    marker = root / "killed"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(CRASH_ONCE_ENV, str(marker))
        # relative paths, as typed in a shell: the actors do not share this working folder
        mp.chdir(root)
        relative_clips = Path(os.path.relpath(folder, root))
        settings = BatchSettings(out_dir=Path("out"), use_cache=False)
        return run(run_batch_on_ray, relative_clips, settings), marker


def untimed(results: list[ClipResult]) -> list[str]:
    """The summary table with the speed left out (zero seconds: no frames/s), for comparing runs."""
    return summary_table([replace(r, seconds=0.0) for r in results])


def summary_rows(out: Path) -> list[dict[str, str]]:
    rows = list(csv.DictReader((out / SUMMARY_CSV).open()))
    return [{k: v for k, v in row.items() if k not in TIMING_COLUMNS} for row in rows]


@pytest.mark.slow
def test_ray_batch_gives_the_local_batchs_summary_and_files(local_batch, ray_batch):
    ray, _ = ray_batch
    assert [r.ok for r in local_batch.results] == [True, False, True]  # two clips judged, the notes refused
    assert untimed(ray.results) == untimed(local_batch.results)
    assert summary_rows(ray.out) == summary_rows(local_batch.out)
    assert sorted(p.name for p in ray.out.iterdir()) == sorted(p.name for p in local_batch.out.iterdir())
    for local in local_batch.results:
        if local.ok:
            there = ray.out / local.report_path.name
            assert json.loads(there.read_text()) == json.loads(local.report_path.read_text())
    # the results name the clips and reports as the caller gave them, not as the actors saw them
    relative_clips = Path(os.path.relpath(local_batch.results[0].path.parent, ray.out.parent))
    assert [r.path for r in ray.results] == [relative_clips / r.path.name for r in local_batch.results]
    assert [r.report_path for r in ray.results] == [
        r.report_path and Path("out", r.report_path.name) for r in local_batch.results
    ]


@pytest.mark.slow
def test_a_worker_killed_mid_batch_has_its_clip_retried(local_batch, ray_batch):
    ray, marker = ray_batch
    killed_with = marker.read_text()  # an actor did die, holding this clip
    assert killed_with in {r.path.name for r in local_batch.results}
    retried = next(r for r in ray.results if r.path.name == killed_with)
    local = next(r for r in local_batch.results if r.path.name == killed_with)
    assert untimed([retried]) == untimed([local])
    # progress as clips finish, once for each clip: the retried one is not reported twice
    assert sorted(name for name, _, _ in ray.progress_calls) == sorted(r.path.name for r in ray.results)
    assert [(done, total) for _, done, total in ray.progress_calls] == [(1, 3), (2, 3), (3, 3)]


@pytest.mark.slow
def test_cli_batch_on_ray_reads_the_cache_the_shell_names(
    folder, cache_dir, local_batch, ray_cluster, monkeypatch, capsys
):
    """``hipform batch DIR --ray``: HIPFORM_CACHE_DIR, set after Ray started, travels to the actors."""
    monkeypatch.setenv("HIPFORM_CACHE_DIR", str(cache_dir))  # filled by the local batch
    from_cache = run_batch(find_clips(folder), BatchSettings())
    assert [r.from_cache for r in from_cache] == [True, False, True]
    assert main(["batch", str(folder), "--ray", "-q"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:4] == untimed(from_cache)[:-1]  # the header and one row per clip, "cache" for speed
    assert lines[4].startswith("2 of 3 clips analysed")


@pytest.mark.slow
def test_a_clip_that_kills_its_worker_every_time_fails_alone(
    folder, cache_dir, local_batch, ray_batch, monkeypatch
):
    """No retries left: the clip held by the dying worker fails; the next clip waits for the restart.

    The worker dies on the first clip; the others are then analysed as in the local batch.
    """
    import hipform.cluster as cluster

    monkeypatch.setattr(cluster, "CLIP_RETRIES", 0)  # the one death is then every try
    monkeypatch.setenv(cluster.CRASH_ONCE_ENV, str(cache_dir.parent / "killed-again"))
    settings = BatchSettings(cache_dir=cache_dir)  # the local batch's landmarks: the kinematics only
    # one actor: the clip after the killed one has to wait for that actor to come back
    results = cluster.run_batch_on_ray(find_clips(folder), settings, workers=1)
    killed = (cache_dir.parent / "killed-again").read_text()
    for result, local in zip(results, local_batch.results, strict=True):
        if result.path.name == killed:
            assert not result.ok and "stopped unexpectedly" in result.message and result.exit_code == 1
        else:
            assert (result.ok, result.message, result.flag_summary) == (
                local.ok,
                local.message,
                local.flag_summary,
            )


def test_ray_address_on_the_command_line():
    parse = build_parser().parse_args
    assert parse(["batch", "clips"]).ray is None
    assert parse(["batch", "clips", "--ray"]).ray == "local"
    assert parse(["batch", "clips", "--ray", "10.0.0.5:6379"]).ray == "10.0.0.5:6379"


def test_without_ray_installed_the_batch_says_how_to_get_it(tmp_path, monkeypatch):
    from hipform.cluster import ClusterUnavailableError, run_batch_on_ray

    monkeypatch.setitem(sys.modules, "ray", None)  # what an installation without hipform[cluster] sees
    with pytest.raises(ClusterUnavailableError, match=r"hipform\[cluster\]") as err:
        run_batch_on_ray([tmp_path / "a.mp4"])
    assert err.value.exit_code == 2


@pytest.mark.slow
def test_an_unreachable_cluster_is_one_sentence_and_exit_2(folder):
    """Ray would keep trying for minutes; the batch says at once that nothing answers there."""
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    done = subprocess.run(
        [sys.executable, "-m", "hipform", "batch", str(folder), "--ray", f"127.0.0.1:{port}"],
        capture_output=True,
        text=True,
        timeout=120,  # not a speed limit: without the check this waits for minutes
    )
    assert done.returncode == 2
    assert f"Could not reach the Ray cluster at '127.0.0.1:{port}'" in done.stderr


def test_help_and_a_local_batch_do_not_import_ray():
    code = (
        "import sys\n"
        "from hipform.cli import build_parser\n"
        "import hipform.batch\n"
        "build_parser().format_help()\n"
        "assert 'ray' not in sys.modules, 'ray imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
