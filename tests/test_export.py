"""Files for biomechanics tools (TRC, MOT, C3D), each read back with a reader hipform did not write.

TRC and MOT are parsed here by small readers written from OpenSim's documentation of the layouts
("Marker (.trc) Files", "Motion (.mot) Files") and the rules of OpenSim's file adapters: a TRC row
is split at every tab, an empty cell is a missing marker, and a tab that ends the row adds no cell;
a MOT cell is a number read with ``std::stod``, which reads ``NaN`` and refuses an empty cell
(Python's ``float`` does the same). C3D is read with ezc3d's own reader.

The landmarks are real MediaPipe output (a rendered single-leg squat, ``tests/data``), with ten
frames where the person is lost and one frame where only the last marker is.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest
from external import require_or_skip

from hipform import export
from hipform.batch import BatchSettings, run_batch
from hipform.cache import LandmarkCache, file_digest
from hipform.cli import main
from hipform.judge import judge
from hipform.landmarks import Landmark
from hipform.pose import PoseOptions
from hipform.sequence import PoseSequence, load_sequence

ROOT = Path(__file__).resolve().parents[1]
#: Real MediaPipe landmarks of a rendered single-leg squat: world landmarks in all 305 frames.
FIXTURE = ROOT / "tests" / "data" / "app_single_leg_squat_left_valgus.npz"
#: Frames made untracked (the person lost), and a frame where only the last marker is lost.
UNTRACKED = slice(20, 30)
LAST_MARKER_LOST = 40
#: The eight header keys of a TRC file, in the order OpenSim requires them.
TRC_KEYS = [
    "DataRate",
    "CameraRate",
    "NumFrames",
    "NumMarkers",
    "Units",
    "OrigDataRate",
    "OrigDataStartFrame",
    "OrigNumFrames",
]
#: Marker coordinates must come back within this (metres).
COORD_TOL_M = 1e-4


# ------------------------------------------------------------------ readers written from the docs
@dataclass
class Trc:
    first_line: list[str]
    header: dict[str, str]
    markers: list[str]
    frame: np.ndarray  # (T,) int
    time_s: np.ndarray  # (T,)
    xyz: np.ndarray  # (T, markers, 3), NaN where the marker is missing


def read_trc(text: str) -> Trc:
    """A TRC file as OpenSim reads it: 3 header lines, 2 label lines, blank lines, then data rows."""
    lines = text.split("\n")
    keys, values = lines[1].split("\t"), lines[2].split("\t")
    assert len(keys) == len(values), (keys, values)
    header = dict(zip(keys, values, strict=True))
    n = int(header["NumMarkers"])
    labels = [c for c in lines[3].split("\t") if c]  # a marker name spans its 3 columns: empty cells
    assert labels[:2] == ["Frame#", "Time"], labels[:2]
    assert [c for c in lines[4].split("\t") if c] == [f"{a}{i}" for i in range(1, n + 1) for a in "XYZ"]
    rows = lines[5:]
    while rows and rows[0] == "":  # blank lines between the labels and the data are skipped
        rows.pop(0)
    end = rows.index("") if "" in rows else len(rows)  # an empty line ends the data…
    assert all(r == "" for r in rows[end:]), "data after an empty line (OpenSim would drop it)"
    frames, times, xyz = [], [], []
    for row in rows[:end]:
        cells = row.split("\t")
        if cells[-1] == "":  # a tab that ends the row adds no cell
            cells = cells[:-1]
        assert len(cells) == 2 + 3 * n, f"row {row[:20]!r}… has {len(cells)} cells, not {2 + 3 * n}"
        frames.append(int(cells[0]))
        times.append(float(cells[1]))
        trios = [cells[2 + 3 * m : 5 + 3 * m] for m in range(n)]
        xyz.append([[np.nan] * 3 if "" in trio else [float(c) for c in trio] for trio in trios])
    return Trc(
        first_line=lines[0].split("\t"),
        header=header,
        markers=labels[2:],
        frame=np.array(frames),
        time_s=np.array(times),
        xyz=np.array(xyz, dtype=np.float64).reshape(len(frames), n, 3),
    )


@dataclass
class Mot:
    name: str
    header: dict[str, str]
    labels: list[str]
    values: np.ndarray  # (rows, columns), time first


def read_mot(text: str) -> Mot:
    """A motion file: a name, ``key=value`` lines up to ``endheader``, the labels, one row per time."""
    lines = text.split("\n")
    end = lines.index("endheader")
    header = dict(line.split("=", 1) for line in lines[1:end] if "=" in line)
    labels = lines[end + 1].split("\t")
    rows = lines[end + 2 :]
    stop = rows.index("") if "" in rows else len(rows)
    assert all(r == "" for r in rows[stop:]), "data after an empty line"
    values = [[float(c) for c in row.split("\t")] for row in rows[:stop]]  # float('') fails like stod
    assert all(len(v) == len(labels) for v in values)
    return Mot(lines[0], header, labels, np.array(values, dtype=np.float64).reshape(len(values), len(labels)))


def opensim_axes(world_m: np.ndarray) -> np.ndarray:
    """MediaPipe world (y down, z away from the camera) turned 180° about x: y up, z towards the camera."""
    return np.asarray(world_m, dtype=np.float64) * np.array([1.0, -1.0, -1.0])


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def seq() -> PoseSequence:
    """Real landmarks with the person lost in 10 frames, and only the last marker lost in one."""
    real = load_sequence(FIXTURE)
    px, world, vis = real.landmarks_px.copy(), real.world_m.copy(), real.visibility.copy()
    px[UNTRACKED], world[UNTRACKED], vis[UNTRACKED] = np.nan, np.nan, 0.0
    px[LAST_MARKER_LOST, -1], world[LAST_MARKER_LOST, -1], vis[LAST_MARKER_LOST, -1] = np.nan, np.nan, 0.0
    return replace(real, landmarks_px=px, world_m=world, visibility=vis)


@pytest.fixture(scope="module")
def report(seq):
    return judge(seq, movement="single-leg-squat", source_name="sls_left_valgus.mp4")


def ezc3d_or_skip():
    require_or_skip(export.c3d_available(), "ezc3d is not installed (pip install -e '.[export]')")
    import ezc3d

    return ezc3d


def check_trc(trc: Trc, seq: PoseSequence) -> None:
    """Everything a TRC of ``seq`` must hold: header, names, frames, times, every coordinate."""
    assert trc.first_line[:3] == ["PathFileType", "4", "(X/Y/Z)"]
    assert list(trc.header) == TRC_KEYS
    h = trc.header
    assert float(h["DataRate"]) == pytest.approx(seq.fps) and float(h["CameraRate"]) == pytest.approx(seq.fps)
    assert int(h["NumFrames"]) == int(h["OrigNumFrames"]) == seq.n_frames == len(trc.frame)
    assert int(h["NumMarkers"]) == len(Landmark) == len(trc.markers)
    assert h["Units"] == "m" and int(h["OrigDataStartFrame"]) == 1
    assert trc.markers == [lm.name.lower() for lm in Landmark]
    assert list(trc.frame) == list(range(1, seq.n_frames + 1))
    assert np.all(np.diff(trc.time_s) > 0)
    np.testing.assert_allclose(trc.time_s, seq.t_s, atol=1e-6)
    expected = opensim_axes(seq.world_m)
    missing = ~np.isfinite(expected).all(axis=2)
    np.testing.assert_array_equal(np.isnan(trc.xyz).any(axis=2), missing)
    np.testing.assert_allclose(trc.xyz[~missing], expected[~missing], atol=COORD_TOL_M, rtol=0)


# ------------------------------------------------------------------ TRC
def test_trc_round_trip(seq, tmp_path):
    trc = read_trc(export.save_trc(seq, tmp_path / "sls.trc").read_text("utf-8"))
    check_trc(trc, seq)
    assert trc.first_line[3] == "sls.trc"
    # the documented timing: t = (frame - OrigDataStartFrame) / DataRate (this clip's rate is constant)
    np.testing.assert_allclose(trc.time_s, (trc.frame - 1) / float(trc.header["DataRate"]), atol=1e-6)
    # frames without the person are blank; a frame that lost only its last marker keeps the others
    assert np.isnan(trc.xyz[UNTRACKED]).all()
    assert np.isnan(trc.xyz[LAST_MARKER_LOST, -1]).all() and np.isfinite(trc.xyz[LAST_MARKER_LOST, :-1]).all()
    assert np.isfinite(trc.xyz[: UNTRACKED.start]).all()


def test_trc_is_y_up_z_towards_the_camera_with_the_origin_between_the_hips(seq):
    """Read without the axis conversion: the head is above the hips and the hips above the ankles;
    the athlete faces the camera, so the nose is nearer to it than the hips (z > 0)."""
    trc = read_trc(export.trc_text(seq))
    tracked = np.isfinite(trc.xyz).all(axis=(1, 2))
    y = {name: trc.xyz[tracked, trc.markers.index(name), 1] for name in ("nose", "left_hip", "left_ankle")}
    assert np.all(y["nose"] > y["left_hip"]) and np.all(y["left_hip"] > y["left_ankle"])
    assert np.all(trc.xyz[tracked, trc.markers.index("nose"), 2] > 0.05)
    hips = trc.xyz[tracked][:, [trc.markers.index("left_hip"), trc.markers.index("right_hip")]].mean(axis=1)
    assert np.abs(hips).max() < 0.01  # MediaPipe's world origin is the hip midpoint, in every frame


# ------------------------------------------------------------------ MOT
def test_mot_round_trip(report, tmp_path):
    mot = read_mot(export.save_mot(report, tmp_path / "sls.mot").read_text("utf-8"))
    assert mot.header["version"] == "1" and mot.header["inDegrees"] == "yes"
    assert int(mot.header["nRows"]) == report.n_frames == mot.values.shape[0]
    assert int(mot.header["nColumns"]) == len(mot.labels) == 1 + len(report.measures)
    assert mot.labels[0] == "time" and sorted(mot.labels[1:]) == sorted(report.measures)
    times = mot.values[:, 0]
    assert np.all(np.diff(times) > 0)
    np.testing.assert_allclose(times, report.t_s, atol=1e-6)
    assert any(label.endswith("_deg") for label in mot.labels)  # angles are there, in degrees
    n_missing = 0
    for j, label in enumerate(mot.labels[1:], start=1):
        want = np.asarray(report.measures[label], dtype=np.float64)
        np.testing.assert_array_equal(np.isnan(mot.values[:, j]), np.isnan(want), err_msg=label)
        ok = np.isfinite(want)
        np.testing.assert_allclose(mot.values[ok, j], want[ok], rtol=1e-5, atol=1e-6, err_msg=label)
        n_missing += int((~ok).sum())
    assert n_missing > 0  # frames not assessed are in the file, as NaN


# ------------------------------------------------------------------ C3D
def test_c3d_round_trip(seq, tmp_path):
    ezc3d = ezc3d_or_skip()
    c3d = ezc3d.c3d(str(export.save_c3d(seq, tmp_path / "sls.c3d")))
    point = c3d["parameters"]["POINT"]
    assert list(point["LABELS"]["value"]) == [lm.name.lower() for lm in Landmark]
    assert float(point["RATE"]["value"][0]) == pytest.approx(seq.fps)
    assert list(point["UNITS"]["value"]) == ["m"]
    assert list(point["X_SCREEN"]["value"]) == ["+X"] and list(point["Y_SCREEN"]["value"]) == ["+Y"]
    points = c3d["data"]["points"]  # (4, markers, frames)
    assert points.shape == (4, len(Landmark), seq.n_frames)
    xyz = points[:3].transpose(2, 1, 0)
    expected = opensim_axes(seq.world_m)
    missing = ~np.isfinite(expected).all(axis=2)
    np.testing.assert_array_equal(np.isnan(xyz).any(axis=2), missing)
    np.testing.assert_allclose(xyz[~missing], expected[~missing], atol=COORD_TOL_M, rtol=0)
    assert missing[UNTRACKED].all() and missing[LAST_MARKER_LOST].sum() == 1


def test_c3d_without_the_library_is_a_usage_error_before_any_work(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ezc3d", None)  # what an installation without ezc3d sees
    assert not export.c3d_available()
    out = tmp_path / "out.c3d"
    assert main(["analyse", str(FIXTURE), "--c3d", str(out), "--trc", str(tmp_path / "x.trc")]) == 2
    assert not out.exists() and not (tmp_path / "x.trc").exists()


def test_empty_sequence_is_refused():
    empty = PoseSequence.empty(0, np.zeros(0), 640, 480, 30.0)
    with pytest.raises(ValueError, match="no frames"):
        export.trc_text(empty)


# ------------------------------------------------------------------ the CLI, a real process
def test_cli_writes_every_format(tmp_path):
    ezc3d = ezc3d_or_skip()
    out = {fmt: tmp_path / f"clip.{fmt}" for fmt in ("trc", "mot", "c3d")}
    proc = subprocess.run(
        [sys.executable, "-m", "hipform", "analyse", str(FIXTURE), "--exercise", "single-leg-squat", "-q"]
        + [arg for fmt, path in out.items() for arg in (f"--{fmt}", str(path))],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    real = load_sequence(FIXTURE)
    check_trc(read_trc(out["trc"].read_text("utf-8")), real)
    mot = read_mot(out["mot"].read_text("utf-8"))
    assert mot.values.shape[0] == real.n_frames and "fppa_left_deg" in mot.labels
    assert ezc3d.c3d(str(out["c3d"]))["data"]["points"].shape == (4, len(Landmark), real.n_frames)
    for path in out.values():
        assert str(path) in proc.stdout


# ------------------------------------------------------------------ the batch
@pytest.fixture
def cached_clip(tmp_path):
    """A real rendered clip in a folder, its real landmarks already cached (no pose model runs)."""
    folder = tmp_path / "clips"
    folder.mkdir()
    clip = shutil.copy(ROOT / "sample_videos" / "step_up_front_clean.mp4", folder)
    cache_dir = tmp_path / "cache"
    landmarks = load_sequence(ROOT / "tests" / "data" / "step_up_front_clean.npz")
    LandmarkCache(cache_dir).save(file_digest(clip), PoseOptions(), landmarks)
    return Path(clip), cache_dir, landmarks


def test_batch_writes_the_exports_beside_each_report(cached_clip, tmp_path):
    ezc3d = ezc3d_or_skip()
    clip, cache_dir, landmarks = cached_clip
    out = tmp_path / "out"
    settings = BatchSettings(out_dir=out, cache_dir=cache_dir, exports=("trc", "mot", "c3d"))
    (result,) = run_batch([clip], settings)
    assert result.ok and result.from_cache, result.message
    assert result.report_path == out / f"{clip.name}.report.json"
    check_trc(read_trc((out / f"{clip.name}.trc").read_text("utf-8")), landmarks)
    assert read_mot((out / f"{clip.name}.mot").read_text("utf-8")).values.shape[0] == landmarks.n_frames
    points = ezc3d.c3d(str(out / f"{clip.name}.c3d"))["data"]["points"]
    assert points.shape == (4, len(Landmark), landmarks.n_frames)


def test_batch_never_writes_an_export_over_the_clip(cached_clip, tmp_path):
    """A file of an export's name that is the clip itself (a link) fails that clip, before any writing."""
    clip, cache_dir, _ = cached_clip
    out = tmp_path / "out"
    out.mkdir()
    (out / f"{clip.name}.mot").symlink_to(clip)
    before = clip.read_bytes()
    settings = BatchSettings(out_dir=out, cache_dir=cache_dir, exports=("trc", "mot"))
    (result,) = run_batch([clip], settings)
    assert not result.ok and result.exit_code == 2 and ".mot" in result.message, result.message
    assert clip.read_bytes() == before
    assert not (out / f"{clip.name}.report.json").exists() and not (out / f"{clip.name}.trc").exists()


def test_cli_export_into_a_missing_folder_is_exit_9(tmp_path):
    assert main(["analyse", str(FIXTURE), "--mot", str(tmp_path / "no such folder" / "x.mot")]) == 9


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"exports": ("trc",)}, "out_dir"),  # nowhere to write them
        ({"exports": ("bvh",), "out_dir": Path("out")}, "unknown export format 'bvh'"),
    ],
)
def test_batch_export_settings_are_checked(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BatchSettings(**kwargs)


def test_cli_batch_export_needs_out(cached_clip):
    clip, _, _ = cached_clip
    assert main(["batch", str(clip.parent), "--export", "trc"]) == 2


# ------------------------------------------------------------------ the app's downloads
def test_app_offers_the_three_files(seq, report):
    from hipform.webapp.downloads import export_downloads

    ezc3d_or_skip()
    got = {d.file_name: d for d in export_downloads(seq, report, "my squat")}
    assert sorted(got) == [
        "my squat-hipform-markers.c3d",
        "my squat-hipform-markers.trc",
        "my squat-hipform-measures.mot",
    ]
    check_trc(read_trc(got["my squat-hipform-markers.trc"].data.decode("utf-8")), seq)
    assert read_mot(got["my squat-hipform-measures.mot"].data.decode("utf-8")).values.shape[0] == seq.n_frames
    assert got["my squat-hipform-markers.c3d"].data[1] == 0x50  # a C3D file: byte 2 says "parameters follow"
    assert len({d.key for d in got.values()}) == 3  # Streamlit needs a key of its own per button


def test_app_leaves_out_c3d_without_the_library(seq, report, monkeypatch):
    from hipform.webapp.downloads import export_downloads

    monkeypatch.setitem(sys.modules, "ezc3d", None)
    assert [d.file_name for d in export_downloads(seq, report, "clip")] == [
        "clip-hipform-markers.trc",
        "clip-hipform-measures.mot",
    ]
