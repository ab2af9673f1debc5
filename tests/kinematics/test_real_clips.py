"""The analysis on real clips (MediaPipe on video: slow)."""

from __future__ import annotations

import pytest
from clipmaker import SHARED_CLIPS
from external import require_or_skip

from hipform.kinematics import analyze
from hipform.pose import estimate_pose

NAMES = (
    "squat_front_knees_sway_in.mov",
    "squat_front_clean.mov",
    "squat_side_knees_sway_in.mov",
    "squat_side_clean.mov",
    "running_rear_outdoor.mp4",
    "running_treadmill_side.mp4",
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sequences():
    """Each clip's PoseSequence, computed once for the module."""
    require_or_skip(SHARED_CLIPS.is_dir(), f"real clips not found at {SHARED_CLIPS}")
    return {name: estimate_pose(SHARED_CLIPS / name) for name in NAMES}


def test_knees_swaying_in_is_flagged(sequences) -> None:
    report = analyze(sequences["squat_front_knees_sway_in.mov"])
    assert report.exercise == "squat" and report.view == "front"
    flags = report.flags_for("knee_collapse")
    assert flags, report.summary_lines()
    # the trainer saw more sway in the right knee
    assert "right" in {f.side for f in flags}


def test_clean_squat_is_not_flagged(sequences) -> None:
    report = analyze(sequences["squat_front_clean.mov"])
    assert report.exercise == "squat" and report.view == "front"
    assert len(report.reps) == 1
    assert report.flags == (), report.summary_lines()
    assert report.summary.fault("knee_collapse").status == "not_flagged"


@pytest.mark.parametrize("name", ["squat_side_knees_sway_in.mov", "squat_side_clean.mov"])
def test_side_clips_do_not_assess_frontal_faults(sequences, name) -> None:
    for exercise in ("squat", "single-leg-squat"):
        report = analyze(sequences[name], exercise=exercise)
        assert report.view in ("side", "oblique")
        assert not report.is_assessed("knee_collapse")
        assert report.flags_for("knee_collapse") == []
        if exercise == "single-leg-squat":
            assert not report.is_assessed("pelvic_drop")


@pytest.mark.parametrize(
    ("name", "min_steps"), [("running_rear_outdoor.mp4", 3), ("running_treadmill_side.mp4", 20)]
)
def test_running_clips_yield_steps_and_cadence(sequences, name, min_steps) -> None:
    report = analyze(sequences[name])
    assert report.exercise == "running"
    assert len(report.reps) >= min_steps
    assert all(r.kind == "step" and r.side in ("left", "right") for r in report.reps)
    # the treadmill clip is slow motion, so its cadence in clip time is low
    assert 80 <= report.summary.steps.cadence_spm <= 200
    if name == "running_rear_outdoor.mp4":
        assert report.is_assessed("pelvic_drop") and report.is_assessed("knee_collapse")
    else:
        assert not report.is_assessed("pelvic_drop")
