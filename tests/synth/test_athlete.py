"""The synthetic athlete: rigid segments, feet on the floor, exact faults, truth that a camera can measure."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from hipform.landmarks import Landmark as L
from hipform.synth.athlete import (
    MOVEMENTS,
    TRUTH_KEYS,
    BodyProportions,
    Faults,
    Motion,
    MotionParams,
    simulate,
    true_knee_medial_shift,
)
from hipform.synth.camera import Camera

#: Pairs whose distance must not change over a clip (rigid segments).
RIGID = [
    (L.LEFT_HIP, L.RIGHT_HIP),
    (L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
    (L.LEFT_SHOULDER, L.LEFT_ELBOW),
    (L.RIGHT_SHOULDER, L.RIGHT_ELBOW),
    (L.LEFT_ELBOW, L.LEFT_WRIST),
    (L.RIGHT_ELBOW, L.RIGHT_WRIST),
    (L.LEFT_HIP, L.LEFT_KNEE),
    (L.RIGHT_HIP, L.RIGHT_KNEE),
    (L.LEFT_KNEE, L.LEFT_ANKLE),
    (L.RIGHT_KNEE, L.RIGHT_ANKLE),
    (L.LEFT_ANKLE, L.LEFT_HEEL),
    (L.LEFT_HEEL, L.LEFT_FOOT_INDEX),
    (L.RIGHT_ANKLE, L.RIGHT_FOOT_INDEX),
    (L.LEFT_EAR, L.RIGHT_EAR),
    (L.NOSE, L.LEFT_EYE),
    (L.RIGHT_WRIST, L.RIGHT_INDEX),
    (L.LEFT_WRIST, L.LEFT_THUMB),
]
FOOT = [L.LEFT_HEEL, L.RIGHT_HEEL, L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX]

#: movement → the faults it can show, with the truth key that must equal the magnitude at the key frame.
FAULT_CASES = [
    ("squat", Faults(knee_valgus_deg=12, side="right"), "knee_fppa_right_deg", 12.0),
    ("squat", Faults(knee_valgus_deg=15, side="left"), "knee_fppa_left_deg", 15.0),
    ("single-leg-squat", Faults(knee_valgus_deg=14, side="left"), "knee_fppa_left_deg", 14.0),
    ("single-leg-squat", Faults(pelvic_drop_deg=8, side="right"), "pelvic_drop_deg", 8.0),
    ("single-leg-balance", Faults(knee_valgus_deg=10, side="right"), "knee_fppa_right_deg", 10.0),
    ("single-leg-balance", Faults(pelvic_drop_deg=6, side="left"), "pelvic_drop_deg", 6.0),
    ("running", Faults(knee_valgus_deg=10, side="both"), "knee_fppa_{side}_deg", 10.0),
    ("running", Faults(pelvic_drop_deg=7, side="both"), "pelvic_drop_deg", 7.0),
    ("bridge", Faults(back_arch_deg=15), "bridge_hip_line_deg", 15.0),
    ("single-leg-bridge", Faults(back_arch_deg=12, side="left"), "bridge_hip_line_deg", 12.0),
    ("single-leg-bridge", Faults(pelvic_drop_deg=8, side="right"), "pelvic_drop_deg", 8.0),
    ("kickback", Faults(back_arch_deg=20, side="left"), "kickback_thigh_past_trunk_deg", 25.0 - 5.0),
    ("step-up", Faults(knee_valgus_deg=14, side="right"), "knee_fppa_right_deg", 14.0),
    ("step-up", Faults(pelvic_drop_deg=8, side="left"), "pelvic_drop_deg", 8.0),
]


@cache
def sim(movement: str, faults: Faults | None = None, seed: int = 0) -> Motion:
    """Cached simulation so the many checks share a handful of clips."""
    return simulate(movement, MotionParams(faults=faults or Faults()), seed=seed)


#: Every movement: one that stops simulating fails these tests (it is never dropped from them).
MOVES = MOVEMENTS


def fppa_2d(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, other_hip: np.ndarray) -> np.ndarray:
    """Knee FPPA from 2D points (any image frame): positive when the knee is towards the other hip."""
    u, v = knee - hip, ankle - knee
    bend = np.degrees(np.arctan2(u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0], np.sum(u * v, axis=1)))
    ha, m = ankle - hip, other_hip - hip
    return -bend * np.sign(ha[:, 0] * m[:, 1] - ha[:, 1] * m[:, 0])


def image_fppa(motion: Motion, side: str, view: str, distance_m: float = 30.0) -> np.ndarray:
    cam = Camera.around(view, distance_m=distance_m, vertical_fov_deg=5 * 30 / distance_m)
    xy, _ = cam.project(motion.joints_m)
    s, o = side.upper(), "LEFT" if side == "right" else "RIGHT"
    return fppa_2d(xy[:, L[f"{s}_HIP"]], xy[:, L[f"{s}_KNEE"]], xy[:, L[f"{s}_ANKLE"]], xy[:, L[f"{o}_HIP"]])


# ------------------------------------------------------------------------------------------------------------


def test_body_proportions_realistic() -> None:
    b = BodyProportions.from_height(1.75, sex="male")
    assert 0.40 < b.thigh_m < 0.46 and 0.40 < b.shank_m < 0.46
    assert b.shoulder_width_m > b.hip_width_m
    f = BodyProportions.from_height(1.75, sex="female")
    assert f.hip_width_m > b.hip_width_m and f.shoulder_width_m < b.shoulder_width_m
    with pytest.raises(ValueError, match="sex"):
        BodyProportions.from_height(1.75, sex="other")
    with pytest.raises(ValueError, match="height_m"):
        BodyProportions.from_height(0.5)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(reps=0), "reps"),  # no reps
        (dict(fps=0), "fps"),  # impossible frame rate
        (dict(stance_side="up"), "stance_side"),  # not a side
        (dict(tempo_s=0.01), "tempo_s"),  # faster than any human
        (dict(weight_shift_m=0.5), "weight_shift_m"),  # the pelvis half a metre over one foot
    ],
)
def test_params_validated(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        MotionParams(**kwargs)


def test_faults_validated() -> None:
    with pytest.raises(ValueError, match="side"):
        Faults(side="middle")
    with pytest.raises(ValueError, match="reps"):
        Faults(reps=(0,))


def test_unknown_movement_and_impossible_fault() -> None:
    with pytest.raises(ValueError, match="unknown movement"):
        simulate("deadlift")
    with pytest.raises(ValueError, match="pelvic_drop_deg"):
        simulate("squat", MotionParams(faults=Faults(pelvic_drop_deg=8)))
    with pytest.raises(ValueError, match="working leg"):
        simulate(
            "single-leg-squat",
            MotionParams(stance_side="left", faults=Faults(knee_valgus_deg=8, side="right")),
        )


@pytest.mark.parametrize("movement", MOVES)
def test_shapes_and_truth_keys(movement: str) -> None:
    m = sim(movement)
    n = m.n_frames
    assert m.joints_m.shape == (n, 33, 3) and np.all(np.isfinite(m.joints_m))
    assert m.t_s.shape == (n,) and np.allclose(np.diff(m.t_s), 1 / m.fps)
    assert set(m.truth) == set(TRUTH_KEYS)
    assert all(v.shape == (n,) for v in m.truth.values())
    assert m.stance_side.shape == (n,)
    assert len(m.reps) >= 3
    for r in m.reps:
        assert 0 <= r.start_frame < r.key_frame < r.end_frame < n


@pytest.mark.parametrize("movement", MOVES)
def test_segment_lengths_constant(movement: str) -> None:
    m = sim(movement, seed=3)
    for a, b in RIGID:
        d = np.linalg.norm(m.joints_m[:, a] - m.joints_m[:, b], axis=1)
        assert np.ptp(d) < 1e-6, f"{a.name}–{b.name} changes by {np.ptp(d) * 1000:.3f} mm"
    mid = lambda a, b: 0.5 * (m.joints_m[:, a] + m.joints_m[:, b])  # noqa: E731
    trunk = np.linalg.norm(mid(L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - mid(L.LEFT_HIP, L.RIGHT_HIP), axis=1)
    assert np.ptp(trunk) < 1e-6


@pytest.mark.parametrize("movement", MOVES)
def test_nothing_below_the_floor(movement: str) -> None:
    m = sim(movement)
    assert m.joints_m[..., 2].min() > -1e-9


def test_squat_feet_planted() -> None:
    m = sim("squat", Faults(knee_valgus_deg=15, side="both"))
    h = m.params.body.foot_marker_height_m
    assert np.allclose(m.joints_m[:, FOOT, 2], h)
    assert np.ptp(m.joints_m[:, FOOT, :2], axis=0).max() < 1e-12  # feet do not slide


def test_standing_lead_in_is_still() -> None:
    m = sim("squat")
    lead = int(m.params.standing_lead_in_s * m.fps)
    assert np.ptp(m.joints_m[:lead], axis=0).max() < 1e-9
    assert abs(m.truth["knee_flexion_right_deg"][0]) < 10


@pytest.mark.parametrize("movement, faults, key, value", FAULT_CASES)
def test_injected_fault_exact_at_key_frame(movement: str, faults: Faults, key: str, value: float) -> None:
    m = sim(movement, faults)
    for r in m.reps:
        injected = r.knee_valgus_left_deg + r.knee_valgus_right_deg + r.pelvic_drop_deg + r.back_arch_deg
        if movement == "kickback":  # the clean kickback already reaches 5° past the trunk line
            assert m.truth[key][r.key_frame] - 5.0 == pytest.approx(value, abs=0.1)
            continue
        assert m.truth[key.format(side=r.side)][r.key_frame] == pytest.approx(value, abs=0.1)
        assert injected == pytest.approx(value)


def test_valgus_only_on_named_side_and_reps() -> None:
    m = simulate("squat", MotionParams(faults=Faults(knee_valgus_deg=14, side="right", reps=(2,))))
    clean = sim("squat")
    r1, r2, r3 = m.reps
    assert m.truth["knee_fppa_right_deg"][r2.key_frame] == pytest.approx(14, abs=0.1)
    assert r2.knee_valgus_right_deg == pytest.approx(14) and r1.knee_valgus_right_deg == 0
    for r in (r1, r3):
        assert m.truth["knee_fppa_right_deg"][r.key_frame] == pytest.approx(
            clean.truth["knee_fppa_right_deg"][r.key_frame], abs=1e-6
        )
    assert np.allclose(m.truth["knee_fppa_left_deg"], clean.truth["knee_fppa_left_deg"])
    # the valgus knee moves the knees together: knee separation drops at that rep's bottom
    assert (
        m.truth["knee_separation_ratio"][r2.key_frame]
        < clean.truth["knee_separation_ratio"][r2.key_frame] - 0.05
    )


def test_weight_shift_carries_the_pelvis_over_planted_feet() -> None:
    """A shift to the left: the pelvis is exactly 6 cm left at each bottom, the feet stay put, the
    right knee is carried in over its foot and the left out; a right knee collapse adds to it."""
    shift = -0.06
    m = simulate("squat", MotionParams(weight_shift_m=shift))
    clean = sim("squat")
    hips = 0.5 * (m.joints_m[:, L.LEFT_HIP] + m.joints_m[:, L.RIGHT_HIP])
    keys = [r.key_frame for r in m.reps]
    assert hips[keys, 0] == pytest.approx([shift] * len(keys), abs=1e-12)
    assert np.abs(hips[: m.reps[0].start_frame, 0]).max() < 1e-12  # standing: no shift
    assert np.array_equal(m.joints_m[:, FOOT], clean.joints_m[:, FOOT])  # the feet do not move
    moved = true_knee_medial_shift(m)[keys]
    assert np.all(moved[:, 1] > 0.03) and np.all(moved[:, 0] < -0.03), moved  # right in, left out
    assert np.abs(true_knee_medial_shift(clean)[keys]).max() < 0.01  # clean knees stay over the feet
    caved = simulate(
        "squat", MotionParams(weight_shift_m=shift, faults=Faults(knee_valgus_deg=20, side="right"))
    )
    assert caved.truth["knee_fppa_right_deg"][keys] == pytest.approx([20.0] * len(keys), abs=0.1)
    both = true_knee_medial_shift(caved)[keys]
    assert np.all(both[:, 1] > moved[:, 1] + 0.02) and np.allclose(both[:, 0], moved[:, 0])
    with pytest.raises(ValueError, match="weight_shift_m cannot be set in single-leg-squat"):
        simulate("single-leg-squat", MotionParams(weight_shift_m=shift))


def test_true_knee_medial_shift_is_the_frontal_knee_over_foot_offset() -> None:
    """Hand-moved knee: 4.2 cm toward the other foot on the right, leg 0.83 m → exactly 0.0506."""
    m = sim("squat")
    joints = m.joints_m.copy()
    joints[5:, L.RIGHT_KNEE, 0] -= 0.042  # the right foot is at +x: -x is medial
    moved = true_knee_medial_shift(Motion(**{**m.__dict__, "joints_m": joints}))
    base = true_knee_medial_shift(m)
    assert moved[5:, 1] - base[5:, 1] == pytest.approx(0.042 / m.params.body.leg_m, abs=1e-12)
    assert np.array_equal(moved[:, 0], base[:, 0]) and np.all(base[0] == 0)


def test_clean_squat_tracks_over_toes() -> None:
    m = sim("squat")
    for side in ("left", "right"):
        f = m.truth[f"knee_fppa_{side}_deg"]
        assert np.all(np.abs(f) < 6)
    bottom = m.reps[0].key_frame
    assert 90 < m.truth["knee_flexion_right_deg"][bottom] < 115
    assert m.truth["trunk_inclination_deg"][bottom] > 20  # hips back, chest forward
    ratio = m.truth["knee_separation_ratio"]
    assert ratio[bottom] >= ratio[0]  # knees do not come together at depth


@pytest.mark.parametrize("view", ["front", "rear"])
@pytest.mark.parametrize("side", ["left", "right"])
def test_truth_is_what_a_far_camera_measures(view: str, side: str) -> None:
    m = sim("squat", Faults(knee_valgus_deg=12, side=side))
    measured = image_fppa(m, side, view)
    truth = m.truth[f"knee_fppa_{side}_deg"]
    keys = [r.key_frame for r in m.reps]
    # 30 m away a deep squat (knees 0.35 m nearer the camera than the hips) still shows up to ~0.55° of
    # perspective; the truth is the orthographic limit, which the 150 m camera below approaches
    assert np.abs(measured[keys] - truth[keys]).max() < 0.6
    assert np.abs(measured[keys] - 12).max() < 0.6  # the fault keeps its side from the rear too
    far = image_fppa(m, side, view, distance_m=150.0)
    assert np.abs(far - truth).max() < 0.15


def test_running_stride() -> None:
    m = simulate("running", MotionParams(reps=6, fps=120))
    run = m.t_s >= m.params.standing_lead_in_s
    steps = m.reps
    assert [r.side for r in steps[:4]] == ["right", "left", "right", "left"]
    cadence = 60.0 / np.mean(np.diff([r.t_start_s for r in steps]))
    assert 170 <= cadence <= 180
    contact = np.array([r.t_end_s - r.t_start_s for r in steps])
    assert np.all((0.2 < contact) & (contact < 0.3))
    assert np.mean(m.stance_side[run] == "") > 0.15  # a flight phase between steps
    for r in steps:
        assert m.truth[f"knee_flexion_{r.side}_deg"][r.key_frame] == pytest.approx(40, abs=3)
    # stance foot on the belt, swing foot never below it
    h = m.params.body.foot_marker_height_m
    for side in ("left", "right"):
        low = m.joints_m[:, [L[f"{side.upper()}_HEEL"], L[f"{side.upper()}_FOOT_INDEX"]], 2].min(axis=1)
        st = m.stance_side == side
        assert np.allclose(low[st], h) and np.all(low >= h - 1e-9)
    # the runner stays on the treadmill
    hips = m.joints_m[:, [L.LEFT_HIP, L.RIGHT_HIP]]
    assert np.abs(hips[..., :2]).max() < 0.2


@pytest.mark.parametrize("movement", ["bridge", "single-leg-bridge"])
def test_clean_bridge_top_is_a_straight_line(movement: str) -> None:
    m = sim(movement)
    line = m.truth["bridge_hip_line_deg"]
    assert all(abs(line[r.key_frame]) < 0.1 for r in m.reps)
    assert line[0] < -30  # lying: hips well below the shoulder–knee line
    assert np.all(np.isnan(m.truth["knee_fppa_left_deg"]))  # a supine knee has no frontal-plane angle


def test_single_leg_bridge_drop_with_arch() -> None:
    m = simulate(
        "single-leg-bridge", MotionParams(faults=Faults(back_arch_deg=12, pelvic_drop_deg=8, side="left"))
    )
    for r in m.reps:
        assert m.truth["bridge_hip_line_deg"][r.key_frame] == pytest.approx(12, abs=0.1)
        assert m.truth["pelvic_drop_deg"][r.key_frame] == pytest.approx(8, abs=0.1)
        # the free (right) hip is the lower one
        j = m.joints_m[r.key_frame]
        assert j[L.RIGHT_HIP, 2] < j[L.LEFT_HIP, 2]


def test_kickback_arch_tilts_the_trunk() -> None:
    from hipform.synth.movements.kickback import KICKBACK_TRUNK_SHARE

    clean = sim("kickback")
    m = sim("kickback", Faults(back_arch_deg=20, side="left"))
    for r in m.reps:
        assert r.side == "left" and r.back_arch_deg == pytest.approx(20)
        assert m.truth["kickback_thigh_past_trunk_deg"][r.key_frame] == pytest.approx(25, abs=0.1)
        assert abs(m.truth["kickback_trunk_change_deg"][r.key_frame]) == pytest.approx(
            20 * KICKBACK_TRUNK_SHARE, abs=0.1
        )
        assert clean.truth["kickback_thigh_past_trunk_deg"][r.key_frame] == pytest.approx(5, abs=0.1)
        assert abs(clean.truth["kickback_trunk_change_deg"][r.key_frame]) < 0.1
    assert m.truth["kickback_thigh_past_trunk_deg"][0] < -60  # knee down under the hip at the start
    # hands and the support knee stay put
    for lm in (L.LEFT_WRIST, L.RIGHT_WRIST, L.RIGHT_KNEE):
        assert np.ptp(m.joints_m[:, lm], axis=0).max() < 1e-9


def test_step_up_on_the_box() -> None:
    m = sim("step-up", Faults(knee_valgus_deg=14, side="right"))
    box = m.props[0]
    assert box.kind == "box" and box.size_m[2] == pytest.approx(0.30)
    centre, size = np.array(box.centre_m), np.array(box.size_m)
    feet = m.joints_m[:, FOOT + [L.LEFT_ANKLE, L.RIGHT_ANKLE, L.LEFT_KNEE, L.RIGHT_KNEE]]
    assert not np.any(np.all(np.abs(feet - centre) < size / 2 - 1e-6, axis=-1))  # nothing inside the box
    for r in m.reps:
        k = r.key_frame
        assert m.stance_side[k] == "right"
        heel = m.joints_m[k, L.RIGHT_HEEL]
        assert heel[2] == pytest.approx(
            box.size_m[2] + m.params.body.foot_marker_height_m
        )  # lead foot on the box
        # key frame ≈ the lead knee's deepest bend while it carries the body
        st = np.nonzero(m.stance_side[r.start_frame : r.end_frame] == "right")[0] + r.start_frame
        peak = st[np.argmax(m.truth["knee_flexion_right_deg"][st])]
        assert abs(peak - k) <= 3


@pytest.mark.parametrize("movement", ["single-leg-squat", "step-up", "single-leg-balance"])
def test_rear_view_keeps_the_side(movement: str) -> None:
    m = sim(movement, Faults(knee_valgus_deg=12, side="left"))
    for view in ("front", "rear"):
        measured = image_fppa(m, "left", view, distance_m=150.0)
        assert all(measured[r.key_frame] == pytest.approx(12, abs=0.3) for r in m.reps)


def test_seeded_and_varied() -> None:
    a, b = simulate("squat", seed=1), simulate("squat", seed=1)
    assert np.array_equal(a.joints_m, b.joints_m)
    c = simulate("squat", seed=2)
    assert a.joints_m.shape != c.joints_m.shape or not np.allclose(a.joints_m, c.joints_m)
