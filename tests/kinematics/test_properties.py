"""Property tests: invariances of the measures and robustness of analyse() to bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kin_helpers import film, simulate_motion

from hipform.kinematics import analyse
from hipform.kinematics import knee_over_foot as K
from hipform.kinematics import measures as M
from hipform.sequence import PoseSequence
from hipform.synth.athlete import Faults

BODY_RELATIVE = (
    M.compute_fppa_deg,
    M.compute_hip_adduction_deg,
    M.compute_knee_flexion_deg,
    M.compute_hip_flexion_deg,
    M.compute_bridge_hip_line_deg,
    M.compute_thigh_past_trunk_deg,
    M.compute_knee_separation_ratio,
    K.compute_knee_toe_ratio,
    K.compute_knee_medial_offset,
)


def _pose(rng: np.random.Generator, n: int = 5) -> np.ndarray:
    """Plausible standing poses (pixels) with random joint jitter."""
    base = np.zeros((33, 2))
    base[:] = (360.0, 300.0)
    from hipform.landmarks import Landmark as L

    for lm, xy in {
        L.NOSE: (360, 150),
        L.LEFT_EAR: (385, 150),
        L.RIGHT_EAR: (335, 150),
        L.LEFT_SHOULDER: (420, 250),
        L.RIGHT_SHOULDER: (300, 250),
        L.LEFT_WRIST: (430, 450),
        L.RIGHT_WRIST: (290, 450),
        L.LEFT_HIP: (395, 520),
        L.RIGHT_HIP: (325, 520),
        L.LEFT_KNEE: (400, 760),
        L.RIGHT_KNEE: (320, 760),
        L.LEFT_ANKLE: (405, 990),
        L.RIGHT_ANKLE: (315, 990),
        L.LEFT_HEEL: (405, 1010),
        L.RIGHT_HEEL: (315, 1010),
        L.LEFT_FOOT_INDEX: (420, 1030),
        L.RIGHT_FOOT_INDEX: (300, 1030),
    }.items():
        base[int(lm)] = xy
    return base[None] + rng.normal(0, 25, (n, 33, 2))


def _transform(px: np.ndarray, angle_deg: float, scale: float, shift: tuple[float, float]) -> np.ndarray:
    a = np.radians(angle_deg)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return px @ rot.T * scale + np.asarray(shift)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    angle=st.floats(-180, 180),
    scale=st.floats(0.2, 5.0),
    dx=st.floats(-2000, 2000),
    dy=st.floats(-2000, 2000),
)
def test_body_relative_measures_invariant_to_image_similarity(seed, angle, scale, dx, dy) -> None:
    px = _pose(np.random.default_rng(seed))
    moved = _transform(px, angle, scale, (dx, dy))
    for fn in BODY_RELATIVE:
        a, b = fn(px), fn(moved)
        np.testing.assert_allclose(a, b, atol=1e-6, rtol=1e-6, err_msg=fn.__name__)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_mirroring_swaps_left_and_right_measures(seed) -> None:
    px = _pose(np.random.default_rng(seed))
    from hipform.landmarks import MIRROR_ORDER

    mirrored = px[:, list(MIRROR_ORDER)].copy()
    mirrored[..., 0] = 720 - mirrored[..., 0]
    for fn in (
        M.compute_fppa_deg,
        M.compute_hip_adduction_deg,
        M.compute_knee_flexion_deg,
        K.compute_knee_toe_ratio,
        K.compute_knee_medial_offset,
    ):
        np.testing.assert_allclose(fn(px)[:, ::-1], fn(mirrored), atol=1e-6, err_msg=fn.__name__)
    # obliquity flips sign (the left hip becomes the right), so the drop columns swap
    np.testing.assert_allclose(
        M.compute_pelvic_obliquity_deg(px), -M.compute_pelvic_obliquity_deg(mirrored), atol=1e-9
    )


def test_fppa_of_a_known_leg() -> None:
    """A leg whose knee sits 10 px medial of a straight 400 px hip-ankle line: FPPA = 2·atan(10/200)."""
    px = np.full((1, 33, 2), np.nan)
    from hipform.landmarks import Landmark as L

    px[0, L.LEFT_HIP] = (400, 500)
    px[0, L.RIGHT_HIP] = (300, 500)
    px[0, L.LEFT_ANKLE] = (400, 900)
    px[0, L.RIGHT_ANKLE] = (300, 900)
    px[0, L.LEFT_KNEE] = (390, 700)  # toward the right hip: medial → valgus, positive
    px[0, L.RIGHT_KNEE] = (290, 700)  # away from the left hip: lateral → varus, negative
    fppa = M.compute_fppa_deg(px)[0]
    expected = 2 * np.degrees(np.arctan(10 / 200))
    assert fppa[0] == pytest.approx(expected, abs=1e-9)
    assert fppa[1] == pytest.approx(-expected, abs=1e-9)
    # the same leg seen from behind (left on the image left) keeps its sign
    back = px.copy()
    back[..., 0] = 700 - back[..., 0]
    assert M.compute_fppa_deg(back)[0] == pytest.approx(fppa, abs=1e-9)


def test_mirrored_clip_swaps_flag_sides() -> None:
    motion = simulate_motion("single-leg-squat", reps=3, faults=Faults(knee_valgus_deg=18.0, side="right"))
    seq = film(motion, "front")
    sides = {f.side for f in analyse(seq, movement="single-leg-squat").flags_for("knee_collapse")}
    mirrored = {
        f.side for f in analyse(seq.mirrored(), movement="single-leg-squat").flags_for("knee_collapse")
    }
    assert sides == {"right"}
    assert mirrored == {"left"}


def _sequence(lm: np.ndarray, vis: np.ndarray, fps: float = 30.0) -> PoseSequence:
    n = lm.shape[0]
    return PoseSequence(lm, vis, np.full((n, 33, 3), np.nan), np.arange(n) / fps, 720, 1280, fps)


@pytest.fixture(scope="module")
def squat_seq() -> PoseSequence:
    motion = simulate_motion("squat", reps=2, faults=Faults(knee_valgus_deg=20.0, side="both"))
    return film(motion, "front")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.data(),
    movement=st.sampled_from(
        [
            "auto",
            "squat",
            "single-leg-squat",
            "running",
            "bridge",
            "kickback",
            "step-up",
            "single-leg-balance",
            "single-leg-bridge",
        ]
    ),
)
def test_damaged_input_gives_not_assessed_never_an_error(squat_seq, data, movement) -> None:
    """NaN frames, missing landmarks, zero-length segments, tiny clips: no exception, no flag."""
    n = squat_seq.n_frames
    lm = np.array(squat_seq.landmarks_px, dtype=np.float32)
    vis = np.array(squat_seq.visibility, dtype=np.float32)
    kind = data.draw(
        st.sampled_from(
            ["nan_all", "hide_knees", "collapse_legs", "one_frame", "two_frames", "random_nan", "low_vis"]
        )
    )
    if kind == "nan_all":
        lm[:] = np.nan
        vis[:] = 0
    elif kind == "hide_knees":
        vis[:, [25, 26]] = 0.1
    elif kind == "collapse_legs":
        lm[:, [23, 24, 25, 26, 27, 28]] = lm[:, [23]]  # every leg segment of zero length
    elif kind == "random_nan":
        frac = data.draw(st.floats(0.3, 1.0))
        rows = np.random.default_rng(data.draw(st.integers(0, 1000))).random(n) < frac
        lm[rows] = np.nan
        vis[rows] = 0
    elif kind == "low_vis":
        vis[:] = data.draw(st.floats(0.0, 0.49))
    if kind in ("one_frame", "two_frames"):
        k = 1 if kind == "one_frame" else 2
        seq = _sequence(lm[:k], vis[:k])
    else:
        seq = _sequence(lm, vis)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = analyse(seq, movement=movement)
    report.to_dict()
    if kind in ("nan_all", "collapse_legs", "one_frame", "two_frames", "low_vis"):
        assert report.flags == ()
        # every fault the movement checks is listed as not assessed, with a reason
        assert report.not_assessed and all(n.reason for n in report.not_assessed)
    if kind == "hide_knees":
        assert report.flags_for("knee_collapse") == []
    for f in report.flags:
        assert np.isfinite(f.value) and 0 <= f.confidence <= 1


def test_flags_need_visible_landmarks(squat_seq) -> None:
    assert analyse(squat_seq, movement="squat").flags_for("knee_collapse")
    vis = np.array(squat_seq.visibility)
    vis[:, [25, 26]] = 0.2  # knees hidden throughout
    hidden = _sequence(np.array(squat_seq.landmarks_px), vis)
    report = analyse(hidden, movement="squat")
    assert report.flags_for("knee_collapse") == []
    assert any(n.fault == "knee_collapse" for n in report.not_assessed)


def test_unknown_exercise_and_wrong_types_raise(squat_seq) -> None:
    with pytest.raises(ValueError, match="unknown movement"):
        analyse(squat_seq, movement="deadlift")
    with pytest.raises(TypeError):
        analyse(np.zeros((3, 33, 3)))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        analyse(squat_seq, config={"min_visibility": 0.5})  # type: ignore[arg-type]
