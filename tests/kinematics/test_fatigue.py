"""Fatigue drift: form that gets worse over a set, past the measure's smallest detectable difference.

Known answers on hand-made graded values (:func:`detect_drift`), then MediaPipe landmarks of rendered
sets (``tests/data/make_fatigue_fixtures.py``): nine single-leg squats whose right knee collapses more
with every rep are flagged; nine that collapse alike are not; five are not assessed, and a note says so;
three are not assessed either, without a note (too short a set for anyone to expect a drift check).
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from hipform.kinematics import analyse
from hipform.kinematics.fatigue import (
    MIN_REPS,
    NOTE_FROM_REPS,
    PUBLISHED_SDD,
    detect_drift,
    smallest_difference,
)
from hipform.kinematics.faults import cpd_rule, fppa_rule
from hipform.kinematics.grading import Graded
from hipform.kinematics.movements import REGISTRY
from hipform.plain import drift_sentence, summary_lines
from hipform.report import Drift, report_json_schema, upgrade_report_dict
from hipform.sequence import load_sequence
from hipform.synth.athlete import Faults, MotionParams, simulate

DATA = Path(__file__).resolve().parents[1] / "data"
FPPA = fppa_rule("bottom")
#: A rule whose fault is below its lines (knee width against standing: mild < 0.9, marked < 0.75).
KNEE_WIDTH = next(r for r in REGISTRY["squat"].rules if r.measure == "knee_separation_rel")


def graded(values: list[float], side: int = 1) -> Graded:
    """One rule's values graded in reps 1…n, all on ``side`` (1 right, -1 whole body)."""
    n = len(values)
    return Graded(np.arange(1, n + 1), np.full(n, side), np.asarray(values, float), np.arange(n))


# ---------------------------------------------------------------------------- known answers
@pytest.mark.parametrize(
    ("rule", "values", "drifts"),
    [
        # 9 reps, thirds of 3: late mean 20 − early mean 2 = 18° > 8.9°
        (FPPA, [1, 2, 3, 8, 10, 12, 19, 20, 21], True),
        # worse by 8° only: within the FPPA's SDD (Munro 2012)
        (FPPA, [1, 2, 3, 4, 5, 6, 9, 10, 11], False),
        # far better at the end: the wrong direction is no drift
        (FPPA, [21, 20, 19, 12, 10, 8, 3, 2, 1], False),
        # pelvic drop: 3.5° more > its 2.8° SDD (Dingenen 2018)
        (cpd_rule("bottom"), [1, 1, 1, 2, 2, 2, 4.5, 4.5, 4.5], True),
        # a fault below its lines: the knees come in from 0.95 to 0.70 of standing width (> 0.15)
        (KNEE_WIDTH, [0.95, 0.95, 0.95, 0.85, 0.8, 0.8, 0.7, 0.7, 0.7], True),
        # ... and widening is no drift
        (KNEE_WIDTH, [0.7, 0.7, 0.7, 0.8, 0.8, 0.85, 0.95, 0.95, 0.95], False),
    ],
)
def test_a_drift_needs_the_fault_direction_and_more_than_the_sdd(rule, values, drifts) -> None:
    found, notes = detect_drift((rule,), [graded(values)], "rep")
    assert bool(found) == drifts and notes == []


def test_a_drift_says_which_reps_what_means_and_which_sdd() -> None:
    ((d,), _) = detect_drift((FPPA,), [graded([1, 2, 3, 8, 10, 12, 19, 20, 21])], "rep")
    assert (d.fault, d.measure, d.side, d.unit) == ("knee_collapse", "fppa_deg", "right", "deg")
    assert (d.early_reps, d.late_reps) == ((1, 2, 3), (7, 8, 9))
    assert (d.early_mean, d.late_mean, d.difference) == pytest.approx((2.0, 20.0, 18.0))
    assert (d.sdd, d.sdd_source) == (PUBLISHED_SDD["fppa_deg"].value, PUBLISHED_SDD["fppa_deg"].source)
    assert "Munro 2012" in d.sdd_source
    # 7 reps: thirds of 2
    ((d7,), _) = detect_drift((FPPA,), [graded([0, 0, 5, 5, 5, 20, 20])], "rep")
    assert (d7.early_reps, d7.late_reps) == ((1, 2), (6, 7))


def test_a_measure_without_a_published_sdd_uses_the_step_between_its_lines() -> None:
    sdd = smallest_difference(KNEE_WIDTH)
    assert sdd.value == pytest.approx(0.15) and sdd.source.startswith("[J]")
    assert smallest_difference(cpd_rule("bottom")).value == 2.8


def test_too_few_reps_on_a_side_is_not_assessed_and_said() -> None:
    values = [0, 0, 0, 30, 30]  # a clear collapse, but only 5 reps
    found, notes = detect_drift((FPPA,), [graded(values)], "rep")
    assert found == []
    (note,) = notes
    assert (
        "not assessed" in note and "5 reps graded on the right leg" in note and f"at least {MIN_REPS}" in note
    )
    found, notes = detect_drift((FPPA,), [graded([0, 0, 0, 0, 30, 30], side=-1)], "step")
    assert len(found) == 1 and found[0].side is None and notes == []


@pytest.mark.parametrize(
    ("reps", "noted"), [(1, False), (2, False), (3, False), (4, True), (5, True), (6, False)]
)
def test_only_a_set_long_enough_to_expect_a_drift_check_says_it_was_not_assessed(reps, noted) -> None:
    assert NOTE_FROM_REPS == 4 and MIN_REPS == 6
    found, notes = detect_drift((FPPA,), [graded([0.0] * reps)], "rep")
    assert found == [] and len(notes) == noted


def test_the_note_names_only_the_side_long_enough_to_expect_a_drift_check() -> None:
    # reps 1–5 on the right leg, reps 6–7 on the left
    sides = np.array([1, 1, 1, 1, 1, 0, 0])
    two_sides = Graded(np.arange(1, 8), sides, np.zeros(7), np.arange(7))
    _, (note,) = detect_drift((FPPA,), [two_sides], "rep")
    assert "5 reps graded on the right leg;" in note and "left" not in note


# ---------------------------------------------------------------------------- the generator's growing fault
def test_a_fault_can_grow_over_the_set() -> None:
    params = MotionParams(reps=5, faults=Faults(knee_valgus_deg=20.0, side="right", grows_over_set=True))
    motion = simulate("single-leg-squat", params, seed=1)
    assert [r.knee_valgus_right_deg for r in motion.reps] == pytest.approx([0.0, 5.0, 10.0, 15.0, 20.0])
    true_fppa = motion.truth["knee_fppa_right_deg"][[r.key_frame for r in motion.reps]]
    assert true_fppa == pytest.approx([0.0, 5.0, 10.0, 15.0, 20.0], abs=1e-6)


# ---------------------------------------------------------------------------- rendered sets (MediaPipe)
def _report(name: str):
    return analyse(load_sequence(DATA / f"{name}.npz"), movement="single-leg-squat")


def test_a_knee_that_collapses_more_each_rep_is_flagged_as_drift() -> None:
    report = _report("sls_fatigue_grows")
    assert len(report.reps) == 9 and {r.side for r in report.reps} == {"right"}
    (d,) = report.drift
    assert (d.fault, d.side, d.early_reps, d.late_reps) == ("knee_collapse", "right", (1, 2, 3), (7, 8, 9))
    assert d.difference > d.sdd == 8.9
    sentence = drift_sentence(d)
    assert sentence.startswith("Reps 7–9: your right knee caved in") and "than in reps 1–3" in sentence
    assert any(line.strip() == sentence for line in summary_lines(report))  # the CLI says it too
    written = json.loads(json.dumps(report.to_dict()))
    jsonschema.validate(written, report_json_schema())
    assert Drift.from_dict(written["drift"][0]).late_reps == (7, 8, 9)


def test_a_knee_that_collapses_alike_in_every_rep_is_no_drift() -> None:
    report = _report("sls_fatigue_uniform")
    assert len(report.reps) == 9 and len(report.flags) >= 6  # collapsed all along: flags, yet no drift
    assert report.drift == ()
    assert not any("Fatigue drift" in n for n in report.notes)


def test_three_reps_are_not_assessed_for_drift_without_a_note() -> None:
    report = _report("single_leg_squat_front_clean")
    assert len(report.reps) == 3 and report.drift == ()
    assert not any("Fatigue drift" in n for n in report.notes)


def test_five_reps_are_not_assessed_for_drift_and_a_note_says_so() -> None:
    seq = load_sequence(DATA / "sls_fatigue_uniform.npz")
    reps = analyse(seq, movement="single-leg-squat").reps
    five = seq.slice(0, (reps[4].end_frame + reps[5].start_frame) // 2)  # cut between reps 5 and 6
    report = analyse(five, movement="single-leg-squat")
    assert len(report.reps) == 5 and report.drift == ()
    (note,) = [n for n in report.notes if n.startswith("Fatigue drift")]
    assert "not assessed: 5 reps graded on the right leg" in note


def test_a_report_older_than_2_2_0_is_read_with_no_drift() -> None:
    data = json.loads(json.dumps(_report("single_leg_squat_front_clean").to_dict()))
    old = {k: v for k, v in data.items() if k != "drift"} | {"schema_version": "2.1.0"}
    assert upgrade_report_dict(old) == data
    jsonschema.validate(upgrade_report_dict(old | {"schema_version": "2.0.0"}), report_json_schema())
