"""A fault the pose model is measured to under-read: "not flagged" comes with a note that it is not
ruled out (the pelvic drop: MediaPipe reads a 10° drop of a rendered body as ~2°)."""

from __future__ import annotations

from pathlib import Path

from kin_helpers import film

from hipform.kinematics import analyse
from hipform.kinematics.movements import REGISTRY
from hipform.sequence import load_sequence
from hipform.synth.athlete import Faults, MotionParams, simulate

DATA = Path(__file__).resolve().parents[1] / "data"
NOT_RULED_OUT = "No pelvic drop was flagged, but that does not rule one out"


def test_every_pelvic_drop_rule_says_how_the_pose_model_under_reads_it() -> None:
    rules = [r for m in REGISTRY.values() for r in m.rules if r.measure == "pelvic_drop_deg"]
    assert rules and all("nearly level" in r.weak_reading for r in rules)


def test_a_clean_single_leg_clip_through_mediapipe_says_a_drop_is_not_ruled_out() -> None:
    report = analyse(
        load_sequence(DATA / "single_leg_balance_front_clean.npz"), movement="single-leg-balance"
    )
    assert report.summary.fault("pelvic_drop").status == "not_flagged"
    assert [n for n in report.notes if n.startswith(NOT_RULED_OUT)], report.notes


def test_no_note_when_the_drop_is_flagged_or_not_judged() -> None:
    params = MotionParams(reps=3, stance_side="left", faults=Faults(pelvic_drop_deg=9.0, side="left"))
    flagged = analyse(film(simulate("single-leg-squat", params), "front"), movement="single-leg-squat")
    assert [f for f in flagged.flags if f.measure == "pelvic_drop_deg"]
    assert not [n for n in flagged.notes if n.startswith(NOT_RULED_OUT)]
    # a side view judges no pelvic drop: nothing to qualify
    clean = simulate("single-leg-squat", MotionParams(reps=3))
    side = analyse(film(clean, "left"), movement="single-leg-squat")
    assert side.summary.fault("pelvic_drop").status == "not_assessed"
    assert not [n for n in side.notes if n.startswith(NOT_RULED_OUT)]
    # a bridge has no pelvic-drop rule
    bridge = analyse(load_sequence(DATA / "bridge_side_clean.npz"), movement="bridge")
    assert not [n for n in bridge.notes if n.startswith(NOT_RULED_OUT)]
