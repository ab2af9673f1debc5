"""Batch analysis: finding clips, failures reported per clip, the summary, and the real worker pool."""

from __future__ import annotations

import csv
import json
from dataclasses import replace

import pytest
from clipmaker import real_frames, write_clip

import hipform.batch as batch_mod
import hipform.cache as cache_mod
from hipform.batch import SUMMARY_CSV, BatchSettings, ClipResult, find_clips, run_batch, summary_table
from hipform.cli import main
from hipform.errors import HipformError


@pytest.fixture(scope="module")
def squat_seq():
    """Two synthetic squats seen from the front, as the pose model would report them."""
    from hipform.synth import athlete
    from hipform.synth.camera import Camera, pose_sequence_from_joints

    motion = athlete.simulate("squat", athlete.MotionParams(reps=2))
    camera = Camera.around("front", distance_m=4.0, height_m=0.9, target_m=(0.0, 0.0, 0.9))
    return pose_sequence_from_joints(motion.joints_m, motion.t_s, camera, motion.fps)


class FakeEstimator:
    """Stands in for PoseEstimator: loading MediaPipe is not what these tests are about."""

    made = 0

    def __init__(self, options=None):
        FakeEstimator.made += 1
        self.options = options

    def close(self):
        pass


@pytest.fixture
def fake_pose(monkeypatch, squat_seq, tmp_path):
    """Pose comes from the synthetic sequence; anything not starting with b'VIDEO' fails like a bad file."""
    from hipform.errors import VideoReadError

    calls = []

    def fake(path, options=None, progress=None, require_person=True, estimator=None):
        calls.append(path.name)
        data = path.read_bytes()
        if data.startswith(b"PHOTO"):  # decodes to a single frame
            return replace(squat_seq.slice(0, 1), source=path.name)
        if not data.startswith(b"VIDEO"):
            raise VideoReadError(f"'{path.name}' could not be opened as a video. Use an MP4 file.")
        return replace(squat_seq, source=path.name)

    monkeypatch.setattr(cache_mod, "estimate_pose", fake)
    monkeypatch.setattr("hipform.pose.estimate_pose", fake)  # the uncached path
    monkeypatch.setattr(batch_mod, "PoseEstimator", FakeEstimator)
    monkeypatch.setattr("hipform.limits.check_clip", lambda path, limits: None)  # these are not real videos
    monkeypatch.setenv("HIPFORM_CACHE_DIR", str(tmp_path / "cache"))
    FakeEstimator.made = 0
    return calls


def make_folder(tmp_path, names):
    folder = tmp_path / "clips"
    folder.mkdir()
    for name, content in names.items():
        (folder / name).write_bytes(content)
    return folder


def test_find_clips_takes_videos_only_in_name_order(tmp_path):
    folder = make_folder(tmp_path, {
        "b.MOV": b"x", "a.mp4": b"x", "c.webm": b"x",  # videos, any case
        "notes.txt": b"x", ".hidden.mp4": b"x",  # not clips
    })
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


def test_failed_clips_are_reported_and_do_not_stop_the_batch(tmp_path, fake_pose):
    clips = {"1.mp4": b"VIDEO 1", "2.mp4": b"garbage", "3.mp4": b"VIDEO 3", "4.mp4": b""}
    folder = make_folder(tmp_path, clips)
    out = tmp_path / "out"
    seen = []
    results = run_batch(find_clips(folder), BatchSettings(exercise="squat", out_dir=out),
                        progress=lambda r, done, total: seen.append((r.path.name, done, total)))
    assert [r.path.name for r in results] == ["1.mp4", "2.mp4", "3.mp4", "4.mp4"]
    assert [r.ok for r in results] == [True, False, True, False]
    assert "could not be opened" in results[1].message and results[1].exit_code == 3
    assert "'4.mp4'" in results[3].message
    assert [s[1:] for s in seen] == [(i, 4) for i in range(1, 5)]
    good = results[0]
    assert good.exercise == "squat" and good.n_reps == 2 and good.n_frames > 0
    report = json.loads(good.report_path.read_text())
    assert report["exercise"] == "squat" and len(report["reps"]) == 2
    rows = list(csv.DictReader((out / SUMMARY_CSV).open()))
    assert [r["status"] for r in rows] == ["ok", "failed", "ok", "failed"]
    assert rows[1]["reason"] == results[1].message
    assert FakeEstimator.made == 1  # one estimator for the whole batch


def test_a_photo_is_refused_like_analyze(tmp_path, fake_pose):
    folder = make_folder(tmp_path, {"photo.mp4": b"PHOTO", "clip.mp4": b"VIDEO"})
    results = {r.path.name: r for r in run_batch(find_clips(folder), BatchSettings(exercise="squat"))}
    assert not results["photo.mp4"].ok and results["photo.mp4"].exit_code == 6
    assert "single frame" in results["photo.mp4"].message
    assert results["clip.mp4"].ok


def test_second_batch_reuses_the_landmarks(tmp_path, fake_pose):
    folder = make_folder(tmp_path, {"1.mp4": b"VIDEO 1", "2.mp4": b"VIDEO 2"})
    first = run_batch(find_clips(folder), BatchSettings(exercise="squat"))
    again = run_batch(find_clips(folder), BatchSettings(exercise="single-leg-squat"))
    assert not any(r.from_cache for r in first) and all(r.from_cache for r in again)
    assert len(fake_pose) == 2 and FakeEstimator.made == 1  # no model loaded the second time
    assert {r.exercise for r in again} == {"single-leg-squat"}
    uncached = run_batch(find_clips(folder), BatchSettings(use_cache=False))
    assert not any(r.from_cache for r in uncached) and len(fake_pose) == 4


def test_a_bug_in_one_clip_is_reported_as_internal_error(tmp_path, fake_pose, monkeypatch):
    import hipform.kinematics as kin

    real = kin.analyze

    def flaky(seq, exercise="auto", config=None):
        if seq.source == "2.mp4":
            raise IndexError("index 40 is out of bounds")
        return real(seq, exercise=exercise)

    monkeypatch.setattr(kin, "analyze", flaky)
    folder = make_folder(tmp_path, {"1.mp4": b"VIDEO 1", "2.mp4": b"VIDEO 2", "3.mp4": b"VIDEO 3"})
    results = run_batch(find_clips(folder), BatchSettings(exercise="squat"))
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].message.startswith("internal error (IndexError") and results[1].exit_code == 1


def test_summary_table_lists_every_clip_and_the_totals(tmp_path):
    results = [
        ClipResult(path=tmp_path / "good.mp4", ok=True, n_frames=300, seconds=6.0, exercise="squat",
                   n_reps=5, flags=2, flag_summary="knee collapse ×2"),
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
    # analysed again with another exercise: landmarks from the cache, no pose model run
    assert main(["batch", str(folder), "--workers", "2", "--exercise", "single-leg-squat", "-q"]) == 0
    rows_again = capsys.readouterr().out.splitlines()
    assert all("cache" in line for line in rows_again if line.startswith("front"))


def test_clips_over_the_limits_are_refused_like_analyze(tmp_path, monkeypatch):
    from clipmaker import pattern_frames

    monkeypatch.setenv("HIPFORM_MAX_FRAMES", "10")
    monkeypatch.setenv("HIPFORM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(batch_mod, "PoseEstimator", FakeEstimator)
    folder = tmp_path / "clips"
    folder.mkdir()
    write_clip(folder / "long.mp4", pattern_frames(30, 64, 48))
    (result,) = run_batch(find_clips(folder), BatchSettings(exercise="squat"))
    assert not result.ok and result.exit_code == 7 and "limit" in result.message


def test_a_fully_cached_batch_runs_without_worker_processes(tmp_path, fake_pose, monkeypatch):
    folder = make_folder(tmp_path, {"1.mp4": b"VIDEO 1", "2.mp4": b"VIDEO 2"})
    run_batch(find_clips(folder), BatchSettings(exercise="squat"), workers=1)  # fills the cache

    def no_pool(*_args, **_kwargs):
        raise AssertionError("worker processes started although every clip was cached")

    monkeypatch.setattr(batch_mod, "_pool", no_pool)
    again = run_batch(find_clips(folder), BatchSettings(exercise="single-leg-squat"), workers=2)
    assert all(r.ok and r.from_cache for r in again) and {r.exercise for r in again} == {"single-leg-squat"}
    (folder / "3.mp4").write_bytes(b"VIDEO 3")  # one clip needs the pose model: the pool is used
    with pytest.raises(AssertionError, match="worker processes"):
        run_batch(find_clips(folder), BatchSettings(exercise="squat"), workers=2)
