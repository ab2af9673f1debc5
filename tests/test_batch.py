"""Batch analysis: finding clips, failures reported per clip, the summary, and the real worker pool.

The main path runs the real pose model on two short rendered squats (one rep each: 4 s cut from
the samples). One real batch (:func:`first_batch`) fills a landmark cache for this module; the
tests that are about what a batch does with landmarks it already has read them from there, so
MediaPipe runs on each clip once, not once per test.
"""

from __future__ import annotations

import csv
import itertools
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from clipmaker import real_frames, write_clip

import hipform.batch as batch_mod
from hipform.batch import SUMMARY_CSV, BatchSettings, ClipResult, find_clips, run_batch, summary_table
from hipform.cli import main
from hipform.errors import HipformError
from hipform.pose import PoseEstimator
from hipform.video import iter_frames

SAMPLE_VIDEOS = Path(__file__).resolve().parents[1] / "sample_videos"

#: Frames kept of each sample: standing still, the first rep (frames 30-102) and back to standing.
CUT_FRAMES = 120


def sample_frames(name: str, n_frames: int = CUT_FRAMES) -> list:
    """The first ``n_frames`` RGB frames of a rendered sample clip."""
    return [f.image for f in itertools.islice(iter_frames(SAMPLE_VIDEOS / f"{name}.mp4"), n_frames)]


class CountingEstimator(PoseEstimator):
    """The real pose estimator, counted: how often a batch loaded the pose model."""

    made = 0

    def __init__(self, options=None):
        type(self).made += 1
        super().__init__(options)


@pytest.fixture
def count_estimators(monkeypatch):
    """Count the pose models a batch loads from now on (the model itself is real)."""
    monkeypatch.setattr(batch_mod, "PoseEstimator", CountingEstimator)
    CountingEstimator.made = 0
    return CountingEstimator


@pytest.fixture(scope="module")
def squats(tmp_path_factory):
    """Two real rendered squats of one rep each: 'clean', and 'collapse' (both knees cave in 20°)."""
    folder = tmp_path_factory.mktemp("squats")
    return {
        "clean": write_clip(folder / "clean.mp4", sample_frames("squat_front_clean")),
        "collapse": write_clip(folder / "collapse.mp4", sample_frames("squat_front_valgus_both")),
    }


@dataclass
class FirstBatch:
    """A real batch of two good and two broken clips, run with a cold landmark cache."""

    folder: Path
    out: Path
    cache_dir: Path
    results: list[ClipResult]
    progress_calls: list[tuple[str, int, int]]
    estimators_made: int


@pytest.fixture(scope="module")
def first_batch(tmp_path_factory, squats):
    root = tmp_path_factory.mktemp("first_batch")
    folder = root / "clips"
    folder.mkdir()
    shutil.copy(squats["clean"], folder / "1.mp4")
    (folder / "2.mp4").write_text("meeting notes, not a video")  # a text file renamed
    shutil.copy(squats["collapse"], folder / "3.mp4")
    (folder / "4.mp4").write_bytes(b"")  # an upload that never finished
    seen = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(batch_mod, "PoseEstimator", CountingEstimator)
        CountingEstimator.made = 0
        settings = BatchSettings(movement="squat", out_dir=root / "out", cache_dir=root / "cache")
        results = run_batch(
            find_clips(folder),
            settings,
            progress=lambda r, done, total: seen.append((r.path.name, done, total)),
        )
        made = CountingEstimator.made
    return FirstBatch(folder, root / "out", root / "cache", results, seen, made)


def test_find_clips_takes_videos_only_in_name_order(tmp_path):
    folder = tmp_path / "clips"
    folder.mkdir()
    videos_any_case, not_clips = ("b.MOV", "a.mp4", "c.webm"), ("notes.txt", ".hidden.mp4")
    for name in videos_any_case + not_clips:
        (folder / name).write_bytes(b"x")
    (folder / "sub.mp4").mkdir()  # a folder with a video-like name
    assert [p.name for p in find_clips(folder)] == ["a.mp4", "b.MOV", "c.webm"]


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda d: d / "missing", "Could not find the folder"),
        (lambda d: (d / "f.mp4").write_bytes(b"x") and d / "f.mp4", "is a file, not a folder"),
        (lambda d: d, "No video files"),
    ],
)
def test_find_clips_errors_are_one_sentence(tmp_path, make, words):
    with pytest.raises(HipformError, match=words):
        find_clips(make(tmp_path))


@pytest.mark.slow
def test_failed_clips_are_reported_and_do_not_stop_the_batch(first_batch):
    results = first_batch.results
    assert [r.path.name for r in results] == ["1.mp4", "2.mp4", "3.mp4", "4.mp4"]
    assert [r.ok for r in results] == [True, False, True, False]
    assert "could not be opened" in results[1].message and results[1].exit_code == 3
    assert "'4.mp4'" in results[3].message and "empty" in results[3].message and results[3].exit_code == 3
    assert [s[1:] for s in first_batch.progress_calls] == [(i, 4) for i in range(1, 5)]
    clean, collapse = results[0], results[2]
    assert clean.movement == "squat" and clean.n_frames == CUT_FRAMES
    assert (clean.n_reps, clean.flag_summary) == (1, "none")
    # both knees cave in: the knee-width rule flags the rep, and the per-knee rule the left knee
    assert (collapse.n_reps, collapse.flag_summary) == (1, "knee collapse ×2")
    assert not clean.from_cache and not collapse.from_cache
    report = json.loads(collapse.report_path.read_text())
    assert report["movement"]["name"] == "squat" and len(report["reps"]) == 1
    assert [f["fault"] for f in report["flags"]] == ["knee_collapse", "knee_collapse"]
    rows = list(csv.DictReader((first_batch.out / SUMMARY_CSV).open()))
    assert [r["status"] for r in rows] == ["ok", "failed", "ok", "failed"]
    assert [r["reason"] for r in rows] == [r.message for r in results]
    reports = sorted(p.name for p in first_batch.out.glob("*.report.json"))
    assert reports == ["1.mp4.report.json", "3.mp4.report.json"]
    assert first_batch.estimators_made == 1  # one pose model for the whole batch


@pytest.mark.slow
def test_a_photo_is_refused_like_analyse(tmp_path, squats, first_batch):
    folder = tmp_path / "clips"
    folder.mkdir()
    write_clip(folder / "photo.mp4", sample_frames("squat_front_clean", 1))  # decodes to a single frame
    shutil.copy(squats["clean"], folder / "clip.mp4")
    settings = BatchSettings(movement="squat", cache_dir=first_batch.cache_dir)
    results = {r.path.name: r for r in run_batch(find_clips(folder), settings)}
    assert not results["photo.mp4"].ok and results["photo.mp4"].exit_code == 6
    assert "single frame" in results["photo.mp4"].message
    assert results["clip.mp4"].ok and results["clip.mp4"].n_reps == 1


@pytest.mark.slow
def test_second_batch_reuses_the_landmarks(first_batch, count_estimators, tmp_path):
    settings = BatchSettings(movement="single-leg-squat", cache_dir=first_batch.cache_dir)
    again = run_batch(find_clips(first_batch.folder), settings)
    assert [r.ok for r in again] == [True, False, True, False]  # the broken clips fail again
    good = [r for r in again if r.ok]
    assert all(r.from_cache for r in good) and {r.movement for r in good} == {"single-leg-squat"}
    assert count_estimators.made == 0  # no pose model loaded
    # the cache turned off: the pose model runs although the landmarks are there
    one = tmp_path / "one"
    one.mkdir()
    shutil.copy(first_batch.folder / "1.mp4", one / "1.mp4")
    (uncached,) = run_batch(
        find_clips(one), BatchSettings(movement="squat", use_cache=False, cache_dir=first_batch.cache_dir)
    )
    assert uncached.ok and not uncached.from_cache and count_estimators.made == 1


@pytest.mark.slow
def test_a_bug_in_one_clip_is_reported_as_internal_error(tmp_path, squats, first_batch, monkeypatch):
    import hipform.kinematics as kin

    real = kin.analyse

    def flaky(seq, movement="auto", config=None):
        if seq.source == "2.mp4":
            raise IndexError("index 40 is out of bounds")
        return real(seq, movement=movement)

    monkeypatch.setattr(kin, "analyse", flaky)
    folder = tmp_path / "clips"
    folder.mkdir()
    for name, clip in (("1.mp4", "clean"), ("2.mp4", "collapse"), ("3.mp4", "clean")):
        shutil.copy(squats[clip], folder / name)
    results = run_batch(find_clips(folder), BatchSettings(movement="squat", cache_dir=first_batch.cache_dir))
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].message.startswith("internal error (IndexError") and results[1].exit_code == 1


def test_summary_table_lists_every_clip_and_the_totals(tmp_path):
    results = [
        ClipResult(
            path=tmp_path / "good.mp4",
            ok=True,
            n_frames=300,
            seconds=6.0,
            movement="squat",
            n_reps=5,
            flags=2,
            flag_summary="knee collapse ×2",
        ),
        ClipResult(path=tmp_path / "bad.mp4", ok=False, message="It is not a video.", exit_code=3),
    ]
    lines = summary_table(results, wall_s=6.0)
    assert "good.mp4" in lines[1] and "50" in lines[1] and "knee collapse ×2" in lines[1]
    assert "FAILED" in lines[2] and "It is not a video." in lines[2]
    assert lines[-1] == "1 of 2 clips analysed, 300 frames in 6.0 s (50 frames/s)"


def test_workers_must_be_positive():
    with pytest.raises(ValueError, match="workers"):
        run_batch([], workers=0)


@pytest.mark.slow
def test_cli_batch_with_two_worker_processes(tmp_path, monkeypatch, capsys):
    """The real thing: two spawned workers running MediaPipe, a broken clip beside two good ones."""
    monkeypatch.setenv("HIPFORM_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "clips"
    folder.mkdir()
    frames = real_frames("squat_front_clean.mov", max_side=320, limit=45)  # 1.5 s: long enough to judge
    write_clip(folder / "front.mp4", frames)
    write_clip(folder / "front_copy.mov", frames[:36])
    (folder / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    out = tmp_path / "out"
    assert main(["batch", str(folder), "--workers", "2", "--exercise", "squat", "--out", str(out), "-q"]) == 0
    text = capsys.readouterr().out
    assert "2 of 3 clips analysed, 81 frames" in text
    assert "broken.mp4" in text and "FAILED" in text
    rows = {r["clip"]: r for r in csv.DictReader((out / SUMMARY_CSV).open())}
    assert rows["front.mp4"]["status"] == "ok" and rows["front.mp4"]["frames"] == "45"
    assert rows["broken.mp4"]["status"] == "failed" and rows["broken.mp4"]["reason"]
    assert (out / "front.mp4.report.json").is_file()
    # analysed again with another movement: landmarks from the cache, no pose model run
    assert main(["batch", str(folder), "--workers", "2", "--exercise", "single-leg-squat", "-q"]) == 0
    rows_again = capsys.readouterr().out.splitlines()
    assert all("cache" in line for line in rows_again if line.startswith("front"))


def test_clips_over_the_limits_are_refused_like_analyse(tmp_path, monkeypatch):
    from clipmaker import pattern_frames

    monkeypatch.setenv("HIPFORM_MAX_FRAMES", "10")
    monkeypatch.setenv("HIPFORM_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "clips"
    folder.mkdir()
    write_clip(folder / "long.mp4", pattern_frames(30, 64, 48))
    (result,) = run_batch(find_clips(folder), BatchSettings(movement="squat"))
    # refused by the limits: without them the real pose model would find nobody in the room (exit 4)
    assert not result.ok and result.exit_code == 7 and "limit" in result.message


@pytest.mark.slow
def test_a_fully_cached_batch_runs_without_worker_processes(
    first_batch, count_estimators, monkeypatch, tmp_path
):
    folder = tmp_path / "clips"
    folder.mkdir()
    for name in ("1.mp4", "3.mp4"):
        shutil.copy(first_batch.folder / name, folder / name)

    def no_pool(*_args, **_kwargs):
        raise AssertionError("worker processes started although every clip was cached")

    monkeypatch.setattr(batch_mod, "_pool", no_pool)
    settings = BatchSettings(movement="single-leg-squat", cache_dir=first_batch.cache_dir)
    again = run_batch(find_clips(folder), settings, workers=2)
    assert all(r.ok and r.from_cache for r in again) and {r.movement for r in again} == {"single-leg-squat"}
    assert count_estimators.made == 0
    # one clip the cache cannot answer: the pool is used
    (folder / "4.mp4").write_bytes(b"a clip never analysed")
    with pytest.raises(AssertionError, match="worker processes"):
        run_batch(find_clips(folder), settings, workers=2)
