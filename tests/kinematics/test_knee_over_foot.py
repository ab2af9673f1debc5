"""Each knee judged over its own foot in the bilateral squat, and the body's turn measured (issue 13).

Fast: hand-built skeletons with exact answers, and the synthetic athlete seen by a perfect pose
model, through a far camera (no perspective) or the phone camera the rendered clips use. The
rendered clips through MediaPipe and the real clips are in ``test_knee_over_foot_rendered.py``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from kin_helpers import film

from hipform.analysis_job import flag_marks
from hipform.kinematics import analyse
from hipform.kinematics import knee_over_foot as K
from hipform.kinematics.faults import SETUP_HINTS
from hipform.kinematics.frame_measures import compute_graded_series
from hipform.kinematics.movements import movement_named
from hipform.kinematics.movements.squat import MAX_YAW_DEG, MIN_DEPTH_OVER_FOOT, MIN_DEPTH_OVER_TOES
from hipform.kinematics.view import clip_body_yaw_deg, estimate_view
from hipform.landmarks import Landmark as L
from hipform.report import Report
from hipform.sequence import PoseSequence
from hipform.synth.athlete import Faults, Motion, MotionParams, simulate, true_knee_medial_shift
from hipform.synth.camera import Camera, pose_sequence_from_joints
from hipform.synth.clip import camera_for

SHIFT = "knee_medial_shift_rel"
RULE = next(r for r in movement_named("squat").rules if r.measure == SHIFT)


def _stance(n: int = 1) -> np.ndarray:
    """A square-on front view, pixels: legs 400 px (hip–knee 200, knee–ankle 200), the feet's
    heel–toe midpoints at x = 500 (left, image right) and 300 (right)."""
    px = np.full((n, 33, 2), np.nan)
    for side, x in (("LEFT", 500.0), ("RIGHT", 300.0)):
        px[:, L[f"{side}_HIP"]] = (x, 100.0)
        px[:, L[f"{side}_KNEE"]] = (x, 300.0)
        px[:, L[f"{side}_ANKLE"]] = (x, 500.0)
        px[:, L[f"{side}_HEEL"]] = (x, 520.0)
        px[:, L[f"{side}_FOOT_INDEX"]] = (x, 540.0)
    return px


def test_knee_medial_offset_of_a_known_stance() -> None:
    """The left knee 20 px toward the other foot (medial), the right 40 px away: +0.05 and -0.10 of
    the 400 px leg, from the front and (mirrored) from behind alike."""
    px = _stance(20)  # the standing leg length is read on the 19 frames standing straight
    px[19, L.LEFT_KNEE, 0] -= 20.0  # toward the right foot
    px[19, L.RIGHT_KNEE, 0] -= 40.0  # away from the left foot
    offset = K.compute_knee_medial_offset(px)
    assert offset[19] == pytest.approx([20 / 400, -40 / 400], abs=1e-12)
    assert offset[:19] == pytest.approx(np.zeros((19, 2)), abs=1e-12)
    behind = px.copy()
    behind[..., 0] = 800.0 - behind[..., 0]  # left now on the image left
    assert K.compute_knee_medial_offset(behind) == pytest.approx(offset, abs=1e-12)


def test_knee_travel_from_the_shank_foreshortening() -> None:
    """A 200 px shank standing, seen 160 px tall at the bottom: tilted by acos(0.8), the knee has
    travelled 200 · 0.6 = 120 px forward, 0.3 of the 400 px leg."""
    px = _stance(10)
    px[9, [L.LEFT_KNEE, L.RIGHT_KNEE], 1] = 340.0  # hips and knees sink, the ankles stay
    px[9, [L.LEFT_HIP, L.RIGHT_HIP], 1] = 340.0
    travel = K.compute_knee_travel(px)
    assert travel[9] == pytest.approx([0.3, 0.3], abs=1e-12)
    assert travel[:9] == pytest.approx(np.zeros((9, 2)), abs=1e-12)


def test_yaw_correction_takes_off_the_forward_travel_seen_sideways() -> None:
    """From a camera turned 20° (the right side nearer, from the front) a knee that has travelled
    forward looks shifted toward the person's left: in for the right knee, out for the left. The
    correction is (offset ∓ g · travel · sin 20°) / cos 20°, exactly."""
    px = _stance(10)
    px[9, [L.LEFT_KNEE, L.RIGHT_KNEE], 1] = 340.0
    px[9, [L.LEFT_HIP, L.RIGHT_HIP], 1] = 340.0
    raw, travel = K.compute_knee_medial_offset(px), K.compute_knee_travel(px)
    psi = np.radians(20.0)
    expected = (raw - np.array([-1.0, 1.0]) * K.KNEE_YAW_GAIN * travel * np.sin(psi)) / np.cos(psi)
    assert K.compute_knee_medial_offset(px, 20.0) == pytest.approx(expected, abs=1e-12)
    assert (
        K.compute_knee_medial_offset(px, 20.0)[9, 1]
        < raw[9, 1]
        < K.compute_knee_medial_offset(px, -20.0)[9, 1]
    )
    assert np.array_equal(K.compute_knee_medial_offset(px, np.nan), raw, equal_nan=True)


@cache
def _squat(depth: float = 100.0, shift_m: float = 0.0, valgus: float = 0.0, side: str = "right") -> Motion:
    faults = Faults(knee_valgus_deg=valgus, side=side)
    return simulate("squat", MotionParams(reps=3, depth=depth, weight_shift_m=shift_m, faults=faults))


def _filmed(motion: Motion, camera: Camera) -> PoseSequence:
    return pose_sequence_from_joints(motion.joints_m, motion.t_s, camera, motion.fps)


@pytest.mark.parametrize("behind", [False, True], ids=["front", "rear"])
@pytest.mark.parametrize("turn", [-30.0, -10.0, 0.0, 10.0, 25.0])
def test_body_yaw_and_the_nearer_side_of_the_synthetic_athlete(turn: float, behind: bool) -> None:
    """Seen by a perfect pose model from a far camera turned ``turn`` degrees toward the athlete's
    right, the yaw is read within 1° from the world hip and shoulder lines and the feet, within 2°
    from the feet alone (the live checker has no world landmarks), and its side is the nearer one:
    the right from the front, the left from behind (forward movements look shifted toward the
    person's left either way, which is what the sign says)."""
    seq = _filmed(
        _squat(), Camera.around((180.0 if behind else 0.0) + turn, distance_m=400.0, vertical_fov_deg=0.5)
    )
    px = seq.landmarks_px[..., :2]
    assert clip_body_yaw_deg(px, seq.world_m) == pytest.approx(turn, abs=1.0)
    assert clip_body_yaw_deg(px) == pytest.approx(turn, abs=2.0)
    view = estimate_view(px, seq.world_m)
    assert view.view == ("rear" if behind else "front")
    assert view.near_side == (None if turn == 0 else "right" if (turn > 0) != behind else "left")


def _knee_flags(report: Report, measure: str = SHIFT) -> set[tuple[int | None, str | None]]:
    return {(f.rep, f.side) for f in report.flags if f.measure == measure}


def _values(report: Report, measure: str = SHIFT) -> np.ndarray:
    """(reps, 2) the graded value of each knee in each rep (NaN where not graded)."""
    out = np.full((len(report.reps), 2), np.nan)
    for i, rep in enumerate(report.reps):
        for v in rep.values:
            if v.measure == measure and v.side is not None and v.assessed:
                out[i, ("left", "right").index(v.side)] = v.value
    return out


@pytest.mark.parametrize(("shift_m", "side"), [(-0.06, "right"), (0.06, "left")])
def test_a_knee_caving_in_as_the_weight_shifts_away_is_flagged_on_its_side_only(
    shift_m: float, side: str
) -> None:
    """The pelvis 6 cm toward one foot and the other knee caving in 20°: that knee is flagged in every
    rep and the knee that goes out is not; each knee's value is its true move over its foot."""
    motion = _squat(shift_m=shift_m, valgus=20.0, side=side)
    report = analyse(film(motion, "front"), movement="squat")
    assert _knee_flags(report) == {(rep, side) for rep in (1, 2, 3)}, report.summary_lines()
    truth = true_knee_medial_shift(motion)[[r.key_frame for r in motion.reps]]
    found = _values(report)
    assert np.abs(found - truth).max() < 0.005, (found, truth)
    other = 1 - ("left", "right").index(side)
    assert np.all(truth[:, other] < -0.04) and np.all(truth[:, 1 - other] > RULE.mild)  # out, and in
    # the flag's frame circles that knee and draws it against its foot
    knee, heel, toe = (L[f"{side.upper()}_{part}"] for part in ("KNEE", "HEEL", "FOOT_INDEX"))
    shift_flag = next(f for f in report.flags if f.measure == SHIFT)
    assert flag_marks(shift_flag) == ((knee,), ((knee, toe), (heel, toe)))


@pytest.mark.parametrize("turn", [10.0, 20.0, 30.0, -10.0, -20.0, -30.0])
def test_a_clean_squat_filmed_turned_is_not_flagged_for_the_turn(turn: float) -> None:
    """The phone camera the rendered clips use (3.3 m, 1 m high), turned up to 30°: no per-knee
    flag comes from the turn. Up to the yaw limit each knee is judged within 0.03 leg lengths of its
    true move (about 0); beyond it the per-knee rules are not judged, with the set-up that would
    let them be, and a note says how turned the body was. Ignoring the turn, the same clip would
    have flagged a knee at 20° and more."""
    motion = _squat()
    seq = _filmed(motion, camera_for("squat", turn))
    report = analyse(seq, movement="squat")
    assert not _knee_flags(report) and not _knee_flags(report, "knee_toe_ratio"), report.summary_lines()
    note = next(n for n in report.notes if n.startswith("The body was turned"))
    assert abs(float(note.split("turned ")[1].split("°")[0]) - abs(turn)) <= 2, note
    assert ("right" if turn > 0 else "left") + " side nearer" in note
    truth = true_knee_medial_shift(motion)[[r.key_frame for r in motion.reps]]
    if abs(turn) <= MAX_YAW_DEG:
        assert np.abs(_values(report) - truth).max() < 0.03, (_values(report), truth)
    else:
        assert np.isnan(_values(report)).all()
        blocked = [na for na in report.not_assessed if "square to the camera" in na.reason]
        assert {na.side for na in blocked} == {"left", "right"}, report.not_assessed
        assert all(na.setup == SETUP_HINTS["frontal"] and na.rep is None for na in blocked)
        assert report.is_assessed("knee_collapse")  # the knee-separation ratio is still read
    # the correction is what keeps the flags away: the same knees with the turn ignored
    px = seq.landmarks_px[..., :2]
    raw = K.compute_knee_medial_offset(px)
    keys = [r.key_frame for r in motion.reps]
    ignored = raw[keys] - np.median(raw[: motion.reps[0].start_frame], axis=0)
    if abs(turn) >= 20:
        assert ignored.max() >= RULE.mild, ignored


def test_the_per_knee_rules_apply_from_their_depth() -> None:
    """Over its foot from a half squat (hips down 0.25 of their height), over the toes from thighs
    about parallel (0.44): a 60° squat is judged by neither, 100° by the first, 125° by both."""
    assert (MIN_DEPTH_OVER_FOOT, MIN_DEPTH_OVER_TOES) == (0.25, 0.44)
    for depth, over_foot, over_toes in ((60.0, False, False), (100.0, True, False), (125.0, True, True)):
        report = analyse(film(_squat(depth=depth), "front"), movement="squat")
        assert np.isfinite(_values(report)).all() == over_foot, depth
        assert np.isfinite(_values(report, "knee_toe_ratio")).all() == over_toes, depth
        assert np.isnan(_values(report)).all() == (not over_foot), depth


def test_without_a_standing_position_the_knee_shift_is_not_graded() -> None:
    """The shift is the knee's move since standing: no standing offset, no value (never the raw
    offset, which depends on how wide the person stands)."""
    m = {"knee_medial_offset_ratio": np.array([[0.08, -0.02]])}
    assert np.isnan(compute_graded_series(RULE, m, {})).all()
    shifted = compute_graded_series(RULE, m, {"knee_medial_offset_ratio": np.array([0.03, -0.02])})
    assert shifted[0] == pytest.approx([0.05, 0.0])


def test_the_shipped_gain_and_yaw_limit_are_the_measured_ones() -> None:
    """``benchmarks/yaw.py`` measured them on rendered squats at known yaw (its results are committed):
    change either constant and this fails until the benchmark is run again."""
    results = json.loads((Path(__file__).resolve().parents[2] / "benchmarks/results/yaw.json").read_text())
    assert K.KNEE_YAW_GAIN == pytest.approx(results["gain_fitted"], abs=0.01)
    assert results["yaw_limit_deg"] == MAX_YAW_DEG
