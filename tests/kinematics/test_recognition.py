"""Movement recognition on real MediaPipe landmarks of rendered clips, one or more per movement.

The fixtures in ``tests/data`` are the pose model's landmarks of clips in ``sample_videos`` (made
with ``python tests/data/make_fixture.py``), and of the app tests' single-leg squat
(``tests/app/conftest.py``: left knee collapsing 22°, which made a few running-like foot shifts).
Every movement hipform checks must have at least one fixture: a new movement fails here until
it has one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hipform.kinematics import analyse
from hipform.kinematics.movements import MOVEMENTS
from hipform.sequence import load_sequence

DATA = Path(__file__).resolve().parents[1] / "data"

#: fixture name → the movement it shows
FIXTURES = {
    "bridge_side_clean": "bridge",
    "single_leg_bridge_side_arch": "single-leg-bridge",
    "single_leg_bridge_feet_pelvic_drop": "single-leg-bridge",
    "kickback_side_arch": "kickback",
    "clamshell_feet_roll": "clamshell",
    "side_lying_leg_lift_back_clean": "side-lying-leg-lift",
    "step_up_front_clean": "step-up",
    "squat_front_valgus_both": "squat",
    "squat_front_valgus": "single-leg-squat",  # one knee collapsing in a single-leg squat
    "single_leg_squat_rear_pelvic_drop": "single-leg-squat",
    "app_single_leg_squat_left_valgus": "single-leg-squat",
    "single_leg_balance_front_clean": "single-leg-balance",
    "single_leg_deadlift_front_clean": "single-leg-deadlift",
    "running_rear_clean": "running",
    "band_walk_clean": "band-walk",
}


def test_every_movement_has_a_recognition_fixture() -> None:
    assert set(FIXTURES.values()) == set(MOVEMENTS)
    for name in FIXTURES:
        assert (DATA / f"{name}.npz").is_file(), name


@pytest.mark.parametrize(("name", "movement"), FIXTURES.items())
def test_auto_names_the_movement(name: str, movement: str) -> None:
    report = analyse(load_sequence(DATA / f"{name}.npz"))
    assert report.movement.name == movement, report.movement.scores
    assert report.movement.confidence >= 0.5, report.movement.scores


def test_a_clamshell_filmed_from_behind_is_not_a_sure_bridge() -> None:
    # lying on one side seen from the back, the pose model reads the knees nearly straight and the
    # knees level with the hips: it looked like a bridge (97% sure) until bridges ask for no stacked
    # shoulders (rendered clamshell, benchmarks/recognition.py grid)
    report = analyse(load_sequence(DATA / "clamshell_back_clean.npz"))
    assert report.movement.scores["bridge"] < 0.1, report.movement.scores
    assert report.movement.status != "sure" or report.movement.name == "clamshell", report.movement


def test_a_single_leg_squat_with_a_few_foot_shifts_is_not_running() -> None:
    # its feet made four running-like "steps" in 10 s: a runner keeps stepping the whole time
    report = analyse(load_sequence(DATA / "app_single_leg_squat_left_valgus.npz"))
    assert report.movement.scores["running"] < 0.1, report.movement.scores


def test_running_that_rests_on_steps_within_the_landmarks_noise_is_not_sure(monkeypatch) -> None:
    # steps that only the finer count finds (a heel shuffling under a barbell moves by as much as
    # two trackers disagree) split the vote: half the repeats count the steps strictly
    from hipform.kinematics import recognition
    from hipform.kinematics.recognition_features import STEP_FEATURES, STRICT

    seq = load_sequence(DATA / "running_rear_clean.npz")
    assert analyse(seq).movement.status == "sure"
    counted = recognition.compute_recognition_features

    def steps_only_at_the_finer_threshold(*args, **kwargs):
        f = counted(*args, **kwargs)
        return {**f, **{STRICT + k: 0.0 if k == "n_steps" else float("nan") for k in STEP_FEATURES}}

    monkeypatch.setattr(recognition, "compute_recognition_features", steps_only_at_the_finer_threshold)
    movement = analyse(seq).movement
    assert (movement.name, movement.status) == ("running", "unsure"), movement
    assert movement.confidence <= 0.55, movement


def test_a_real_person_balancing_on_one_leg_is_not_a_sure_side_lying_leg_lift() -> None:
    # MediaPipe's landmarks of ../shared/clips/single_leg_balance_cam03.mp4 (pose2sim, BSD-3-Clause):
    # filmed at an angle, the shoulders read 0.4 of the trunk apart, as if stacked lying on one side;
    # it was "side-lying leg lift, 100% sure" until the side-lying cue asked for someone not standing
    report = analyse(load_sequence(DATA / "single_leg_balance_cam03.npz"))
    assert report.movement.scores["side-lying-leg-lift"] < 0.1, report.movement.scores
    assert report.movement.name == "single-leg-balance", report.movement
