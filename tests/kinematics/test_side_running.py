"""Running filmed from the side: steps, cadence and the sagittal measures; frontal faults not assessed.

``tests/data/running_treadmill_side_every3.npz`` holds real MediaPipe landmarks of the shared clip
``../shared/clips/running_treadmill_side.mp4`` (slow motion, 949 frames at 29.97 fps), every third
frame kept to stay small (316 frames; the frame times are the clip's). It was made as
``tests/data/make_fixture.py`` makes fixtures::

    seq = estimate_pose("../shared/clips/running_treadmill_side.mp4")
    seq = dataclasses.replace(seq, landmarks_px=seq.landmarks_px[::3], visibility=seq.visibility[::3],
                              world_m=seq.world_m[::3], t_s=seq.t_s[::3], fps=seq.fps / 3)
    save_sequence(compact(seq), "tests/data/running_treadmill_side_every3.npz")

Its cadence is checked against a hand count on the video frames: 9 foot contacts, at about frames
92, 190, 292, 392, 490, 598, 698, 798 and 906 (8 steps over 814 frames at 29.97 fps), 17.67 steps a
minute of clip time (``test_real_clips.py``'s own count, one every 102.6 frames, gives 17.53).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from kin_helpers import film, simulate_motion

from hipform.kinematics import analyse
from hipform.kinematics.sagittal_running import NEEDS_SIDE_NOTE, NO_SIDES_NOTE, SAGITTAL_MEASURES
from hipform.sequence import load_sequence

DATA = Path(__file__).resolve().parents[1] / "data"
#: The side-on treadmill clip's step rate in clip time, counted by hand on its frames.
HAND_COUNT_SPM = 60.0 * 29.97 * 8 / 814
SAGITTAL = [m.name for m in SAGITTAL_MEASURES]
#: Where a runner's values lie (deg, or leg lengths): a sanity range, not a grade.
PLAUSIBLE = {
    "hip_extension_toe_off_deg": (5.0, 40.0),
    "shank_angle_contact_deg": (-15.0, 25.0),
    "foot_ahead_contact_ratio": (0.0, 0.6),
    "knee_flexion_contact_deg": (5.0, 60.0),
    "vertical_oscillation_ratio": (0.02, 0.2),
}


@pytest.fixture(scope="module")
def side_report():
    return analyse(load_sequence(DATA / "running_treadmill_side_every3.npz"), movement="running")


def _values(report, name: str) -> np.ndarray:
    return np.array(
        [r.value_of(name).value for r in report.reps if r.value_of(name) is not None], dtype=float
    )


def test_the_side_on_treadmill_clip_has_its_steps_and_the_hand_counted_cadence(side_report) -> None:
    assert side_report.view == "side"
    steps = side_report.summary.steps
    assert len(side_report.reps) >= 7  # 8 whole steps in the clip
    assert steps.cadence_spm == pytest.approx(HAND_COUNT_SPM, rel=0.05)
    assert steps.slow_motion  # 17.7 steps a minute of clip time


def test_the_side_on_clip_reports_each_sagittal_measure_per_step(side_report) -> None:
    for name in SAGITTAL:
        v = _values(side_report, name)
        finite = v[np.isfinite(v)]
        # vertical oscillation is over a stride: the last two steps have none
        assert finite.size >= len(side_report.reps) - 2, name
        lo, hi = PLAUSIBLE[name]
        assert lo <= float(np.mean(finite)) <= hi, (name, float(np.mean(finite)))
    said = " ".join(side_report.notes)
    assert "Hip extension at toe-off" in said and "Shank angle at initial contact" in said
    assert NEEDS_SIDE_NOTE not in side_report.notes


def test_side_on_the_frontal_faults_are_not_assessed(side_report) -> None:
    status = {f.fault: f.status for f in side_report.summary.faults}
    assert status["knee_collapse"] == status["pelvic_drop"] == "not_assessed"
    reasons = [na.reason for na in side_report.not_assessed if na.fault in ("knee_collapse", "pelvic_drop")]
    assert reasons and all("front or rear view" in r for r in reasons)
    assert not side_report.flags
    frontal = {"hip_adduction_deg", "fppa_deg", "pelvic_drop_deg"}
    assert not [v for r in side_report.reps for v in r.values if v.measure in frontal and v.assessed]
    assert not {"pelvic_drop_left_deg", "fppa_left_deg", "hip_adduction_left_deg"} & set(side_report.measures)


def test_side_on_steps_carry_no_leg_when_the_labels_are_not_consistent(side_report) -> None:
    # the pose model's labels swap in this clip (hipform undid 13 swaps, inconsistently): no leg is
    # claimed rather than a wrong one
    assert all(r.side is None for r in side_report.reps)
    assert NO_SIDES_NOTE in side_report.notes


def test_from_behind_the_sagittal_measures_are_not_assessed() -> None:
    report = analyse(load_sequence(DATA / "running_rear_clean.npz"), movement="running")
    assert report.view == "rear" and report.reps
    for name in SAGITTAL:
        v = _values(report, name)
        assert v.size == len(report.reps) and np.isnan(v).all(), name  # listed, with no number
        assert name not in report.measures
    assert not [n for n in report.notes if "mean of" in n]
    assert NEEDS_SIDE_NOTE in report.notes


def test_side_on_the_synthetic_runner_gets_its_legs_and_cadence_right() -> None:
    motion = simulate_motion("running", reps=6, fps=60.0)
    report = analyse(film(motion, "right"), movement="running")
    truth = {r.start_frame: r.side for r in motion.reps}
    contacts = np.array(sorted(truth))
    sides = []
    for rep in report.reps:
        nearest = int(contacts[np.argmin(np.abs(contacts - rep.start_frame))])
        assert abs(nearest - rep.start_frame) <= 6  # within 0.1 s of the generator's contact
        sides.append(rep.side == truth[nearest])
    assert len(sides) >= 9 and all(sides)
    true_spm = 60.0 * (contacts.size - 1) / (motion.t_s[contacts[-1]] - motion.t_s[contacts[0]])
    assert report.summary.steps.cadence_spm == pytest.approx(true_spm, rel=0.02)
