"""Each knee over its own foot and the body's turn, through MediaPipe: rendered squats and the real
front squats in ../shared/clips (slow: the pose model runs on every clip).

The rendered athlete is filmed as the samples are (480 px high, the phone-like camera 3.3 m away,
1 m high); its truth is exact. ``benchmarks/yaw.py`` measures the same on a larger grid.
"""

from __future__ import annotations

import numpy as np
import pytest
from clipmaker import SHARED_CLIPS
from external import require_or_skip

from hipform.kinematics import analyse
from hipform.kinematics.movements.squat import MAX_YAW_DEG
from hipform.pose import estimate_pose
from hipform.report import Report
from hipform.sequence import PoseSequence
from hipform.synth.athlete import Faults, MotionParams, simulate
from hipform.synth.clip import camera_for, render_clip

pytestmark = pytest.mark.slow

PER_KNEE = ("knee_medial_shift_rel", "knee_toe_ratio")


def _filmed(tmp_path, name: str, yaw: float, seed: int, **params) -> PoseSequence:
    """The athlete's squat rendered at 480 px from a camera turned ``yaw`` degrees, through MediaPipe."""
    motion = simulate("squat", MotionParams(reps=2, **params), seed=seed)
    full = camera_for("squat", yaw)
    width = 2 * round(full.width_px * 480 / full.height_px / 2)
    path = tmp_path / f"{name}.mp4"
    render_clip(motion, camera_for("squat", yaw, width_px=width, height_px=480), path, appearance_seed=seed)
    return estimate_pose(path)


def _knee_flags(report: Report) -> set[tuple[str, str | None]]:
    return {(f.measure, f.side) for f in report.flags if f.fault == "knee_collapse"}


def test_a_rendered_knee_caving_in_as_the_weight_shifts_away_is_flagged_on_its_side_only(tmp_path) -> None:
    """The pelvis 6 cm to the left and the right knee caving in 20°: MediaPipe reads the right knee
    moving in over its foot in both reps, and no per-knee flag on the left knee, which goes out."""
    faults = Faults(knee_valgus_deg=20.0, side="right")
    report = analyse(
        _filmed(tmp_path, "shift", 0.0, 5, weight_shift_m=-0.06, faults=faults), movement="squat"
    )
    per_knee = [f for f in report.flags if f.measure in PER_KNEE]
    assert {(f.rep, f.side) for f in per_knee} == {(1, "right"), (2, "right")}, report.summary_lines()


@pytest.mark.parametrize(("yaw", "seed"), [(10.0, 21), (20.0, 22), (30.0, 23)])
def test_a_rendered_clean_squat_filmed_turned_is_not_flagged_for_the_turn(
    tmp_path, yaw: float, seed: int
) -> None:
    """The clean squat filmed with the camera turned 10°, 20° and 30°: no knee flag at all. Within
    the yaw limit each knee is judged; beyond it the per-knee rules are not, and the report says
    how turned the body was and how to film it."""
    report = analyse(_filmed(tmp_path, f"turned{yaw:.0f}", yaw, seed), movement="squat")
    assert not _knee_flags(report), report.summary_lines()
    judged = [
        v for rep in report.reps for v in rep.values if v.measure == "knee_medial_shift_rel" and v.assessed
    ]
    if yaw <= MAX_YAW_DEG - 5:  # the yaw is read within 5° of the camera's
        assert len(judged) == 4, report.reps
        assert any(n.startswith("The body was turned") for n in report.notes), report.notes
    elif yaw > MAX_YAW_DEG + 5:
        assert not judged
        reasons = [na for na in report.not_assessed if na.fault == "knee_collapse" and na.setup]
        assert reasons, report.not_assessed


@pytest.fixture(scope="module")
def real() -> dict[str, Report]:
    """The two real front squats, analysed as squats."""
    require_or_skip(SHARED_CLIPS.is_dir(), f"real clips not found at {SHARED_CLIPS}")
    names = ("squat_front_knees_sway_in.mov", "squat_front_clean.mov")
    return {name: analyse(estimate_pose(SHARED_CLIPS / name), movement="squat") for name in names}


def _toe_ratios(report: Report) -> dict[str, float]:
    """Each knee's knee-inside-toes ratio at the bottom of the clip's one rep."""
    (rep,) = report.reps
    return {v.side: v.value for v in rep.values if v.measure == "knee_toe_ratio" and v.assessed}


def test_the_real_sway_in_squat_has_both_knees_inside_the_toes(real) -> None:
    """The trainer: "poor knee stability in both but worse in right knee". Read across the body, both
    knees stay inside their toes at the bottom (ratio 0.89 and 0.90, mild below 0.9) and a knee
    collapse is flagged; the right knee is not measurably worse. Along the line joining the toes,
    as hipform read it before, the right read 0.80 and the left 0.97: with the body turned 5°
    (right side nearer), the nearer foot sits lower in the image and tilts that line 3.7°, which
    moved the knees far above it along it: the camera-angle confound of issue 13."""
    report = real["squat_front_knees_sway_in.mov"]
    assert report.flags_for("knee_collapse"), report.summary_lines()
    toe = _toe_ratios(report)
    assert max(toe.values()) < 0.95 and abs(toe["left"] - toe["right"]) < 0.05, toe


def test_the_real_clean_squat_has_no_flag(real) -> None:
    """The trainer: "no comment". Both knees end over or outside their toes."""
    report = real["squat_front_clean.mov"]
    assert report.flags == (), report.summary_lines()
    assert min(_toe_ratios(report).values()) > 1.0


@pytest.mark.parametrize("name", ["squat_front_knees_sway_in.mov", "squat_front_clean.mov"])
def test_the_real_front_squats_were_filmed_nearly_square_on(real, name: str) -> None:
    """Their bodies were turned about 4–5° (right side nearer), within the yaw limit, not the 18° the
    width-based view yaw reads for the sway-in clip; the report says how turned the body was."""
    report = real[name]
    note = next(n for n in report.notes if n.startswith("The body was"))
    turn = float(note.split("turned ")[1].split("°")[0])
    assert turn <= 8 and "right side nearer" in note, note
    assert report.is_assessed("knee_collapse")
    judged = {
        v.side for rep in report.reps for v in rep.values if v.measure == "knee_toe_ratio" and v.assessed
    }
    assert judged == {"left", "right"}
    assert np.isfinite([f.value for f in report.flags]).all()
