"""Fuzzing the kinematics with garbage: analyse() returns a Report, never raises, never flags.

tests/kinematics/test_properties.py damages a real squat (NaN frames, hidden
knees, collapsed legs). These go further: arrays built from nothing (random
noise, NaN/inf anywhere, every landmark on one point, zero-length segments),
any frame count from 0, odd frame rates and timestamps, random visibility,
and malformed arrays, which must fail with a ValueError when the sequence is
built and nowhere else.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipform.kinematics import analyse
from hipform.kinematics.live_checker import LIVE_MOVEMENTS, LiveAnalyser
from hipform.kinematics.movements import MOVEMENTS
from hipform.landmarks import Landmark as L
from hipform.report import Report
from hipform.sequence import PoseSequence

MOVEMENTS_TO_TRY = ("auto", *MOVEMENTS)
LEGS = [L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE]
GARBAGE = (
    "noise",  # uniform random points over the frame, every frame
    "one_point",  # every landmark on one pixel, every frame
    "one_point_moving",  # every landmark on one pixel that moves up and down like a squat
    "zero_length_legs",  # plausible upper body, hips = knees = ankles (zero-length segments)
    "nan_all",  # nothing detected
    "inf_some",  # random landmarks at ±inf
    "huge",  # coordinates near float32 limits
    "nan_world_inf",  # pixels NaN, world landmarks infinite
)


def _times(rng: np.random.Generator, n: int, fps: float, kind: str) -> np.ndarray:
    if kind == "regular":
        return np.arange(n) / fps
    if kind == "jitter":  # variable frame rate
        return np.cumsum(rng.uniform(0.2, 1.8, n) / fps)
    if kind == "tiny":  # 1 µs apart: a broken clock
        return np.arange(n) * 1e-6
    return np.cumsum(rng.exponential(5.0, n)) + 1e6  # huge gaps, large offset


def _garbage(rng: np.random.Generator, kind: str, n: int, w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    lm = np.empty((n, 33, 3), np.float32)
    lm[..., 0] = rng.uniform(0, w, (n, 33))
    lm[..., 1] = rng.uniform(0, h, (n, 33))
    lm[..., 2] = rng.uniform(-w, w, (n, 33))
    if kind == "one_point":
        lm[:] = (w / 2, h / 2, 0.0)
    elif kind == "one_point_moving":
        y = h / 2 + h / 4 * np.sin(np.linspace(0, 6 * np.pi, n))
        lm[:] = 0.0
        lm[..., 0] = w / 2
        lm[..., 1] = y[:, None]
    elif kind == "zero_length_legs":
        lm[:, :23, 0] = w / 2 + rng.normal(0, 5, (n, 23))
        lm[:, :23, 1] = h / 4 + rng.normal(0, 5, (n, 23))
        for lmk in LEGS + [L.LEFT_HEEL, L.RIGHT_HEEL, L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX]:
            lm[:, int(lmk)] = lm[:, int(L.LEFT_HIP)]
    elif kind == "nan_all" or kind == "nan_world_inf":
        lm[:] = np.nan
    elif kind == "inf_some":
        mask = rng.random((n, 33)) < 0.3
        lm[mask, rng.integers(0, 2)] = rng.choice([np.inf, -np.inf])
    elif kind == "huge":
        lm[..., :2] = rng.uniform(-3e38, 3e38, (n, 33, 2))
    vis = rng.uniform(0, 1, (n, 33)).astype(np.float32)
    return lm, vis


def _world(rng: np.random.Generator, kind: str, n: int, world_kind: str) -> np.ndarray:
    if kind == "nan_world_inf":
        return np.full((n, 33, 3), np.inf, np.float32)
    if world_kind == "nan":
        return np.full((n, 33, 3), np.nan, np.float32)
    if world_kind == "one_point":
        return np.zeros((n, 33, 3), np.float32)
    return rng.uniform(-1, 1, (n, 33, 3)).astype(np.float32)


def _check_report(report: Report) -> None:
    assert isinstance(report, Report)
    data = report.to_dict()
    json.dumps(data, allow_nan=False)  # what the history database stores: must be valid JSON
    report.summary_lines()
    for f in report.flags:
        assert np.isfinite(f.value) and 0.0 <= f.confidence <= 1.0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    kind=st.sampled_from(GARBAGE),
    n=st.one_of(st.sampled_from([0, 1, 2, 3]), st.integers(4, 240)),
    fps=st.one_of(st.sampled_from([1.0, 30.0, 240.0]), st.floats(0.01, 1000.0)),
    times=st.sampled_from(["regular", "jitter", "tiny", "gaps"]),
    world_kind=st.sampled_from(["nan", "one_point", "random"]),
    movement=st.sampled_from(MOVEMENTS_TO_TRY),
    vis_kind=st.sampled_from(["random", "zero", "one"]),
)
def test_garbage_gives_a_report_with_no_flag(seed, kind, n, fps, times, world_kind, movement, vis_kind):
    rng = np.random.default_rng(seed)
    w, h = (int(v) for v in rng.integers(1, 4000, 2))
    lm, vis = _garbage(rng, kind, n, w, h)
    if vis_kind == "zero":
        vis[:] = 0.0
    elif vis_kind == "one":  # garbage that claims to be certain
        vis[:] = 1.0
    seq = PoseSequence(lm, vis, _world(rng, kind, n, world_kind), _times(rng, n, fps, times), w, h, fps)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's all-NaN warnings are not errors
        report = analyse(seq, movement=movement)
    _check_report(report)
    assert report.flags == (), [(f.fault, f.rep, f.value) for f in report.flags]
    assert report.n_frames == n
    if report.reps == ():
        # nothing judged: every fault the movement checks must say why, never a silent "all good"
        assert report.not_assessed and all(na.reason for na in report.not_assessed)


@settings(max_examples=80, deadline=None)
@given(
    t=st.integers(0, 4),
    n_lm=st.sampled_from([0, 1, 17, 32, 33, 34]),
    dims=st.sampled_from([1, 2, 3, 4]),
    vis_shape=st.sampled_from(["ok", "short", "flat", "extra"]),
    world_shape=st.sampled_from(["ok", "2d", "short"]),
    t_kind=st.sampled_from(["ok", "short", "decreasing", "equal", "2d"]),
    size=st.sampled_from([(640, 480), (0, 480), (640, -1)]),
    fps=st.sampled_from([30.0, 0.0, -30.0, float("nan"), float("inf")]),
)
def test_malformed_arrays_raise_value_error_at_construction(
    t, n_lm, dims, vis_shape, world_shape, t_kind, size, fps
):
    lm = np.zeros((t, n_lm, dims), np.float32)
    vis = {
        "ok": np.zeros((t, n_lm)),
        "short": np.zeros((max(t - 1, 0), n_lm)),
        "flat": np.zeros(t * n_lm),
        "extra": np.zeros((t, n_lm, 1)),
    }[vis_shape]
    world = {"ok": np.zeros((t, n_lm, 3)), "2d": np.zeros((t, n_lm)), "short": np.zeros((t, n_lm, 2))}[
        world_shape
    ]
    ts = {
        "ok": np.arange(t) / 30.0,
        "short": np.arange(max(t - 1, 0)) / 30.0,
        "decreasing": -np.arange(t) / 30.0,
        "equal": np.zeros(t),
        "2d": np.zeros((t, 1)),
    }[t_kind]
    valid = (
        n_lm == 33
        and dims == 3
        and vis_shape == "ok"
        and world_shape == "ok"
        and (t_kind == "ok" or (t_kind in ("decreasing", "equal") and t <= 1))
        and size == (640, 480)
        and fps == 30.0
    )
    if not valid:
        with pytest.raises(ValueError):
            PoseSequence(lm, vis, world, ts, *size, fps)
        return
    seq = PoseSequence(lm, vis, world, ts, *size, fps)
    _check_report(analyse(seq, movement="auto"))


@pytest.mark.parametrize("movement", MOVEMENTS_TO_TRY)
@pytest.mark.parametrize("n", [0, 1, 2])
def test_zero_one_two_frames_every_movement(movement, n):
    lm = np.full((n, 33, 3), 100.0, np.float32)
    seq = PoseSequence(lm, np.ones((n, 33)), np.zeros((n, 33, 3)), np.arange(n) / 30.0, 640, 480, 30.0)
    report = analyse(seq, movement=movement)
    _check_report(report)
    assert report.flags == () and report.reps == ()
    faults = {na.fault for na in report.not_assessed if na.rep is None}
    assert faults, "a clip too short to judge must list what it could not assess"


# ------------------------------------------------------------------ the live (webcam) checker
@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    kind=st.sampled_from(["noise", "inf_some", "one_point_moving", "zero_length_legs"]),
    movement=st.sampled_from(LIVE_MOVEMENTS),
)
def test_live_checker_never_cues_a_fault_or_good_on_garbage(seed, kind, movement):
    rng = np.random.default_rng(seed)
    lm, vis = _garbage(rng, kind, 150, 640, 480)
    live = LiveAnalyser(movement)
    cues = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for i in range(lm.shape[0]):
            cues += live.update(lm[i], np.ones(33), i / 30.0)
    assert [c.text for c in cues if c.fault is not None or c.judged] == []
    assert all("not judged" in c.text for c in cues)


def test_live_checker_says_not_judged_from_the_wrong_angle():
    """A clean squat filmed side-on: knee collapse needs a front view, so no rep is called good."""
    from hipform.synth.athlete import MotionParams, simulate
    from hipform.synth.camera import Camera, pose_sequence_from_joints

    motion = simulate("squat", MotionParams(reps=2), seed=3)
    seq = pose_sequence_from_joints(motion.joints_m, motion.t_s, Camera.around("right"), motion.fps)
    live = LiveAnalyser("squat")
    cues = []
    for i in range(seq.n_frames):
        cues += live.update(seq.landmarks_px[i], seq.visibility[i], float(seq.t_s[i]))
    assert live.reps == 2
    assert [c.text for c in cues] == [
        "rep 1: not judged from this camera angle",
        "rep 2: not judged from this camera angle",
    ]
    assert not any(c.judged for c in cues)
