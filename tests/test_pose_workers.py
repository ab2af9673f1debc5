"""Both cores for one clip (hipform/pose_workers.py): the same judgement with 1 and 2 pose workers.

Real MediaPipe in real worker processes on two short clips: a sample clip and a
re-encoded stretch of a shared real clip (keyframes every second, so the later
worker really seeks). The seam tests on hand-made landmarks need no model.
"""

from __future__ import annotations

import math
import os
import signal

import numpy as np
import pytest
from clipmaker import real_frames, write_clip

from hipform.errors import HipformError, InputLimitError
from hipform.judge import judge
from hipform.pose import estimate_pose
from hipform.pose_workers import (
    MIN_STRETCH_S,
    OVERLAP_S,
    SEAM_AGREEMENT,
    _CannotSplit,
    choose_seam,
    plan_stretches,
)
from hipform.settings import SettingError, pose_workers

SAMPLE = "squat_front_valgus.mp4"

#: How far the landmarks found with 2 workers may be from those found with 1, as a share of the
#: frame's longer side. Before the first seam they are the same to the bit (this process tracks
#: that stretch alike); at the seam the two workers agree within SEAM_AGREEMENT (enforced: else the
#: earlier worker tracks on); after it the later worker's tracker follows its own path, and the mean
#: distance over the 33 landmarks stays within this in most frames (median over the frames after
#: the seam): 0.12 px on the sample clip, 4.7 px (1.0%) on the barbell clip, where BlazePose moves
#: as much when the frames are only resampled otherwise (docs/performance.md).
LANDMARK_TOLERANCE = 0.02


# ------------------------------------------------------------------ planning and seams (no model)
def test_plan_gives_short_clips_one_worker_and_long_ones_overlapping_stretches():
    assert len(plan_stretches(5.0, 30.0, 2)) == 1  # not worth starting a second worker
    assert len(plan_stretches(60.0, 30.0, 1)) == 1
    plan = plan_stretches(30.0, 30.0, 2)
    assert len(plan) == 2
    first, second = plan
    assert (first.read_from_s, first.own_from_s, first.stop_s) == (0.0, 0.0, second.own_from_s)
    assert second.read_from_s == pytest.approx(second.own_from_s - OVERLAP_S)
    assert math.isinf(second.stop_s)
    # this process starts at once, the other worker after its start-up: the first stretch is longer
    assert first.stop_s > 30.0 - second.own_from_s >= MIN_STRETCH_S
    four = plan_stretches(60.0, 30.0, 4)
    assert [s.index for s in four] == [0, 1, 2, 3]
    assert all(a.stop_s == b.own_from_s for a, b in zip(four, four[1:], strict=False))


def _two_trackers(n_earlier: int = 40, start: int = 30):
    """An earlier worker over frames 0..n-1 and a later one from ``start``, agreeing up to noise."""
    rng = np.random.default_rng(0)
    t = np.arange(60) / 30.0
    truth = rng.uniform(100, 300, (60, 33, 3)).astype(np.float32)
    earlier = truth[:n_earlier] + rng.normal(0, 1.0, (n_earlier, 33, 3)).astype(np.float32)
    later = truth[start:] + rng.normal(0, 1.0, (60 - start, 33, 3)).astype(np.float32)
    return t, earlier, later


def test_the_seam_is_where_the_two_workers_agree_best_inside_the_overlap():
    t, earlier, later = _two_trackers()
    later[36 - 30] = earlier[36]  # frame 36: both trackers agree exactly
    start, seam, disagreement = choose_seam(t[:40], earlier, t[30:], later)
    assert (start, start + seam, disagreement) == (30, 36, 0.0)


def test_the_seam_avoids_frames_where_only_one_worker_finds_the_person_and_the_first_two():
    t, earlier, later = _two_trackers()
    later[0] = earlier[
        30
    ]  # perfect agreement, but on the later worker's first frame: its cut evidence is blind
    later[5] = earlier[35]
    earlier[35] = np.nan  # …and where only the later worker finds the person
    later[8] = earlier[38] + 0.01
    _, seam, disagreement = choose_seam(t[:40], earlier, t[30:], later)
    assert seam == 8
    assert disagreement == pytest.approx(0.01 * np.sqrt(2), rel=1e-3)


def test_the_seam_refuses_frames_that_do_not_match():
    t, earlier, later = _two_trackers()
    shifted = t[30:] + 0.001  # the later worker's frames are not the earlier one's
    with pytest.raises(_CannotSplit):
        choose_seam(t[:40], earlier, shifted, later)


# ------------------------------------------------------------------ settings
def test_pose_workers_setting(monkeypatch):
    monkeypatch.delenv("HIPFORM_POSE_WORKERS", raising=False)
    assert pose_workers() == 1  # opt-in: not faster under load, and 4 of 38 clips judged otherwise
    monkeypatch.setenv("HIPFORM_POSE_WORKERS", "3")
    assert pose_workers() == 3
    for wrong in ("0", "two", "-1", "1.5"):
        monkeypatch.setenv("HIPFORM_POSE_WORKERS", wrong)
        with pytest.raises(SettingError, match="HIPFORM_POSE_WORKERS") as err:
            pose_workers()
        assert err.value.exit_code == 2


def test_batch_clip_workers_run_one_pose_worker_each(monkeypatch):
    from hipform import batch
    from hipform.pose import PoseOptions

    monkeypatch.setenv("HIPFORM_POSE_WORKERS", "4")
    monkeypatch.setattr(batch, "_WORKER_OPTIONS", None)
    batch._init_worker(PoseOptions())  # what each clip worker process runs first
    assert pose_workers() == 1


# ------------------------------------------------------------------ real clips, real workers
@pytest.fixture(scope="module")
def real_clip(tmp_path_factory):
    """7.5 s of the barbell squat (setting up under the bar), re-encoded with a keyframe every second.

    One encoder thread: several make x264's output, and with it the landmarks, differ from run to run.
    """
    path = tmp_path_factory.mktemp("pose_workers") / "barbell_7s.mp4"
    frames = real_frames("squat_side_barbell.mp4", limit=225)
    return write_clip(path, frames, codec_options={"g": "30", "threads": "1"})


@pytest.fixture(scope="module")
def sample_clip(tmp_path_factory):
    """The first 7 s of a rendered sample clip (re-encoded as it is: a keyframe only at the start)."""
    from hipform.settings import samples_dir
    from hipform.video import iter_frames

    frames = [f.image for f in iter_frames(samples_dir() / SAMPLE)][:210]
    return write_clip(tmp_path_factory.mktemp("pose_workers") / SAMPLE, frames)


def _judged(seq):
    """What the report judges: the movement (None when hipform is not sure of one), view, flags, reps.

    A clip hipform is not sure of is judged as nothing, whatever its best guess: the barbell clip's
    set-up (the bar, heels shuffling under it) reads "other" with one worker and "unsure: running or
    squat, 7%" with two; before recognition counted steps against the landmarks' own noise the two
    workers' reports were "other" and "running, sure 98%, 6 steps judged".
    """
    report = judge(seq)
    flags = [(f.fault, f.side, f.severity, f.rep) for f in report.flags]
    reps = [(r.index, r.kind, r.side) for r in report.reps]
    movement = report.movement.name if report.movement.judged else None
    return movement, report.view, flags, reps


@pytest.mark.parametrize("clip", ["sample_clip", "real_clip"])
def test_two_workers_judge_the_clip_like_one(clip, request):
    path = request.getfixturevalue(clip)
    one = estimate_pose(path, workers=1)
    two = estimate_pose(path, workers=2)
    joined = two.meta["pose_workers"]
    assert joined["workers"] == 2 and "pose_workers" not in one.meta
    (seam,) = joined["seam_frames"]
    ((overlap_first, overlap_last),) = joined["overlap_frames"]
    assert (
        overlap_first + 2 <= seam <= overlap_last
    )  # inside the overlap, past the later worker's first frames
    assert overlap_last - overlap_first + 1 == pytest.approx(OVERLAP_S * one.fps, abs=1)
    # the same frames, and before the seam the very same landmarks (this process tracks them alike)
    assert np.array_equal(one.t_s, two.t_s)
    assert np.array_equal(one.landmarks_px[:seam], two.landmarks_px[:seam], equal_nan=True)
    assert np.array_equal(one.detected, two.detected)
    side_px = max(one.width_px, one.height_px)
    assert joined["seam_disagreement_px"][0] <= SEAM_AGREEMENT * side_px
    apart = np.linalg.norm(one.landmarks_px[:, :, :2] - two.landmarks_px[:, :, :2], axis=2).mean(axis=1)
    print(
        f"{clip}: seam at {seam}, {joined['seam_disagreement_px'][0]:.2f} px apart there; after it "
        f"median {np.nanmedian(apart[seam:]):.2f} px, largest {np.nanmax(apart[seam:]):.2f} px (mean of 33)"
    )
    assert np.nanmedian(apart[seam:]) <= LANDMARK_TOLERANCE * side_px
    assert one.meta["shots"] == two.meta["shots"] and one.meta["people"] == two.meta["people"]
    assert _judged(one) == _judged(two)


def test_a_worker_that_meets_a_limit_raises_what_one_worker_raises(real_clip, monkeypatch):
    monkeypatch.setenv("HIPFORM_MAX_CLIP_S", "5.5")  # only the later stretch (from ~3.8 s) passes it
    errors = []
    for workers in (1, 2):
        with pytest.raises(InputLimitError) as err:
            estimate_pose(real_clip, workers=workers)
        errors.append(str(err.value))
    assert errors[0] == errors[1]


def test_a_killed_worker_is_a_clear_error_not_a_hang(real_clip):
    import multiprocessing

    def kill_the_other_worker(done: int, _total: int) -> None:
        for process in multiprocessing.active_children():
            if process.name.startswith("hipform-pose-"):
                os.kill(process.pid, signal.SIGKILL)

    with pytest.raises(HipformError, match="stopped unexpectedly .*signal 9"):
        estimate_pose(real_clip, workers=2, progress=kill_the_other_worker)
    assert not [p for p in multiprocessing.active_children() if p.name.startswith("hipform-pose-")]
