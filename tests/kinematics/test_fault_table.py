"""Every fault rule of every movement, injected into the synthetic athlete: flagged, on its side, and
not flagged when the same movement is done cleanly.

The cases are read from the movements' fault rules themselves (``REGISTRY``): a rule added to the table gets a
case here automatically, and that case fails until :data:`INJECTIONS` says how to show its fault.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pytest
from kin_helpers import film

from hipform.kinematics import analyse
from hipform.kinematics.faults import CPD_ASYMMETRY_DEG, FaultRule
from hipform.kinematics.movements import MOVEMENTS, REGISTRY
from hipform.kinematics.reading_error import clears_marked, error_band
from hipform.kinematics.view import ViewEstimate
from hipform.landmarks import Landmark
from hipform.report import Report
from hipform.synth.athlete import Faults, Motion, MotionParams, simulate

SIDES = ("left", "right")
#: Strides of the running clips: 2 steps each, enough steps per side for the left/right means.
RUNNING_STRIDES = 6


@dataclass(frozen=True)
class Injection:
    """How to show one rule's fault on the synthetic athlete.

    Attributes
    ----------
    views : camera views the rule is checked from (``kin_helpers.far_camera`` names).
    faults : :class:`Faults` magnitudes of the faulted clip, well beyond the rule's mild threshold.
    legs : legs the fault is put on, one case each (``"both"`` for a two-legged rule).
    params : :class:`MotionParams` settings of both the faulted and the clean clip.
    faulted_params : settings of the faulted clip only (a fault made by the movement itself).
    quiet : other measures of the movement that must stay unflagged: the rule is shown on its own.
    toes_over_clean_knees : turn the feet so the toes point where the clean knees go at the bottom.
    """

    views: tuple[str, ...]
    faults: dict[str, float] = field(default_factory=dict)
    legs: tuple[str, ...] = SIDES
    params: dict[str, float] = field(default_factory=dict)
    faulted_params: dict[str, float] = field(default_factory=dict)
    quiet: tuple[str, ...] = ()
    toes_over_clean_knees: bool = False


FRONTAL = ("front", "rear")
SIDE_ON = ("right", "left")

#: (movement, graded measure) → how to show that rule's fault.
INJECTIONS: dict[tuple[str, str], Injection] = {
    ("bridge", "bridge_hip_line_deg"): Injection(SIDE_ON, {"back_arch_deg": 14.0}, legs=("both",)),
    # the camera at the feet, looking along the body: the only frontal view of a lying athlete
    ("single-leg-bridge", "pelvic_drop_deg"): Injection(("front",), {"pelvic_drop_deg": 9.0}),
    ("single-leg-bridge", "bridge_hip_line_deg"): Injection(SIDE_ON, {"back_arch_deg": 14.0}),
    # the athlete's back-arch fault moves the thigh and the trunk together; each kickback rule is
    # shown on its own: the thigh lifted higher with a still trunk, or the trunk tilting while the
    # thigh stays low (clean thigh 15° below the trunk line, +20° arch: 5° past it, trunk 10°)
    ("kickback", "thigh_past_trunk_deg"): Injection(
        SIDE_ON, faulted_params={"depth": 22.0}, quiet=("trunk_line_change_deg",)
    ),
    ("kickback", "trunk_line_change_deg"): Injection(
        SIDE_ON, {"back_arch_deg": 20.0}, params={"depth": -15.0}, quiet=("thigh_past_trunk_deg",)
    ),
    # the clamshell is filmed from the feet, looking along the body; each fault on its own
    ("clamshell", "trunk_roll_deg"): Injection(
        ("front",), {"pelvic_roll_deg": 15.0}, quiet=("feet_apart_ratio", "knee_opening_deg")
    ),
    ("clamshell", "feet_apart_ratio"): Injection(
        ("front",), {"feet_apart_cm": 15.0}, quiet=("trunk_roll_deg", "knee_opening_deg")
    ),
    ("clamshell", "knee_opening_deg"): Injection(
        ("front",), {"small_range_deg": 5.0}, quiet=("trunk_roll_deg", "feet_apart_ratio")
    ),
    # the side-lying leg lift: the leg drifting forward and the pelvis rolling from the feet, the hip
    # hiking from the front or back (the body across the image); each fault on its own
    ("side-lying-leg-lift", "leg_forward_deg"): Injection(
        ("front",), {"leg_forward_deg": 25.0}, quiet=("trunk_roll_deg",)
    ),
    ("side-lying-leg-lift", "trunk_roll_deg"): Injection(
        ("front",), {"pelvic_roll_deg": 15.0}, quiet=("leg_forward_deg",)
    ),
    ("step-up", "fppa_deg"): Injection(FRONTAL, {"knee_valgus_deg": 16.0}),
    ("step-up", "pelvic_drop_deg"): Injection(FRONTAL, {"pelvic_drop_deg": 9.0}),
    ("squat", "knee_separation_rel"): Injection(FRONTAL, {"knee_valgus_deg": 20.0}, legs=("both",)),
    # each knee over its own foot: a 25° collapse moves the knee in ~0.07 leg lengths at 100°
    ("squat", "knee_medial_shift_rel"): Injection(FRONTAL, {"knee_valgus_deg": 25.0}),
    # deep enough for the rule's depth gate, hips down 0.44 of their standing height (the gate
    # itself: test_knee_inside_toes_depth_gate)
    ("squat", "knee_toe_ratio"): Injection(
        FRONTAL, {"knee_valgus_deg": 15.0}, params={"depth": 125.0}, toes_over_clean_knees=True
    ),
    ("single-leg-squat", "fppa_deg"): Injection(FRONTAL, {"knee_valgus_deg": 16.0}),
    ("single-leg-squat", "pelvic_drop_deg"): Injection(FRONTAL, {"pelvic_drop_deg": 9.0}),
    ("single-leg-balance", "fppa_deg"): Injection(FRONTAL, {"knee_valgus_deg": 16.0}),
    ("single-leg-balance", "pelvic_drop_deg"): Injection(FRONTAL, {"pelvic_drop_deg": 9.0}),
    # wobble: the pelvis swaying ±4 cm at 1.5 Hz over the stance foot (≈ 0.2 leg lengths/s)
    ("single-leg-balance", "pelvis_sway_speed_ratio"): Injection(FRONTAL, {"pelvis_sway_cm": 4.0}),
    ("step-up", "pelvis_sway_speed_ratio"): Injection(FRONTAL, {"pelvis_sway_cm": 4.0}),
    ("single-leg-squat", "pelvis_sway_speed_ratio"): Injection(FRONTAL, {"pelvis_sway_cm": 4.0}),
    # compensated Trendelenburg: the trunk leans over the stance leg (the step-up's stance on one leg,
    # its knee drive, comes after the key frame the lean peaks at: it keeps about half)
    ("single-leg-balance", "trunk_lean_stance_deg"): Injection(FRONTAL, {"trunk_lean_deg": 14.0}),
    ("step-up", "trunk_lean_stance_deg"): Injection(FRONTAL, {"trunk_lean_deg": 25.0}),
    ("single-leg-squat", "trunk_lean_stance_deg"): Injection(FRONTAL, {"trunk_lean_deg": 14.0}),
    # running knee collapse: the injected knee valgus adducts the stance thigh at midstance
    ("running", "hip_adduction_deg"): Injection(FRONTAL, {"knee_valgus_deg": 18.0}),
    ("running", "fppa_deg"): Injection(FRONTAL, {"knee_valgus_deg": 18.0}),
    ("running", "pelvic_drop_deg"): Injection(FRONTAL, {"pelvic_drop_deg": 9.0}),
    # single-leg deadlift: each fault from the view that shows it, on its own
    ("single-leg-deadlift", "fppa_deg"): Injection(FRONTAL, {"knee_valgus_deg": 16.0}),
    ("single-leg-deadlift", "pelvis_opening_deg"): Injection(FRONTAL, {"pelvic_roll_deg": 14.0}),
    ("single-leg-deadlift", "hinge_line_deg"): Injection(
        SIDE_ON, {"hinge_line_deg": 25.0}, quiet=("free_foot_clearance_ratio",)
    ),
    # the free foot lowered 45 cm: from 42 cm up at the bottom, it touches down
    ("single-leg-deadlift", "free_foot_clearance_ratio"): Injection(SIDE_ON, {"free_foot_drop_cm": 45.0}),
    ("single-leg-deadlift", "pelvis_sway_speed_ratio"): Injection(FRONTAL, {"pelvis_sway_cm": 4.0}),
    # band walk (steps right, right, left): a fault shows on the steps led by its leg; a rule read
    # against the first two steps needs them clean, so only on the left-led third step
    ("band-walk", "knee_separation_ratio"): Injection(FRONTAL, {"knee_valgus_deg": 15.0}),
    ("band-walk", "knee_width_set_rel"): Injection(FRONTAL, {"knee_valgus_deg": 15.0}, legs=("left",)),
    ("band-walk", "trunk_sway_range_deg"): Injection(FRONTAL, {"trunk_lean_deg": 14.0}),
    ("band-walk", "hip_rise_set_ratio"): Injection(FRONTAL, {"depth_lost_cm": 10.0}, legs=("left",)),
    ("band-walk", "step_width_ratio"): Injection(FRONTAL, {"feet_together_cm": 20.0}),
}

RULES = [(movement, rule) for movement in MOVEMENTS for rule in REGISTRY[movement].rules]


def _cases() -> list:
    """(movement, rule, view, leg) for every rule of the table, each view and leg its injection names."""
    out = []
    for movement, rule in RULES:
        how = INJECTIONS.get((movement, rule.measure))
        views, legs = (how.views, how.legs) if how else (("no-view",), ("no-leg",))
        for view in views:
            for leg in legs:
                case_id = f"{movement}-{rule.measure}-{view}-{leg}"
                out.append(pytest.param(movement, rule, view, leg, id=case_id))
    return out


def test_the_table_covers_every_movement_and_every_injection_is_a_rule() -> None:
    assert tuple(REGISTRY) == MOVEMENTS
    assert all(REGISTRY[m].rules for m in MOVEMENTS), "a movement without any rule"
    rules = {(movement, rule.measure) for movement, rule in RULES}
    assert len(rules) == len(RULES), "two rules of one movement grade the same measure"
    assert set(INJECTIONS) <= rules, f"injections of rules no longer in the table: {set(INJECTIONS) - rules}"


def _toes_over_knees(motion: Motion, clean: Motion) -> Motion:
    """``motion`` with each foot index moved across to where ``clean``'s knee is at the bottom of the rep.

    The athlete's clean squat keeps its knees on the hip–ankle line while the 12° turned-out feet
    put the toes further out: at 110°+ that reads as knees inside the toes (ratio ≈ 0.6), which
    is not a clean deep squat by the rule's own definition. Pointing the toes where the clean knees
    go (ratio ≈ 1) makes the clean clip clean; the faulted knee then caves in from there.
    """
    joints = motion.joints_m.copy()
    keys = [r.key_frame for r in clean.reps]
    for knee, toe in (
        (Landmark.LEFT_KNEE, Landmark.LEFT_FOOT_INDEX),
        (Landmark.RIGHT_KNEE, Landmark.RIGHT_FOOT_INDEX),
    ):
        joints[:, toe, 0] = clean.joints_m[keys, knee, 0].mean()
    return replace(motion, joints_m=joints)


def _analyse_pair(movement: str, how: Injection, view: str, leg: str) -> tuple[Report, Report]:
    """Reports of the faulted and the clean clip (same seed, same timing)."""
    base: dict = {"reps": RUNNING_STRIDES if movement == "running" else 3, **how.params}
    if leg in SIDES and movement != "running":
        base["stance_side"] = leg
    fault_leg = leg if leg in SIDES else "both"
    faulted_params = MotionParams(**base, **how.faulted_params, faults=Faults(**how.faults, side=fault_leg))
    faulted = simulate(movement, faulted_params)
    clean = simulate(movement, MotionParams(**base))
    if how.toes_over_clean_knees:
        faulted, clean = _toes_over_knees(faulted, clean), _toes_over_knees(clean, clean)
    return (
        analyse(film(faulted, view), movement=movement),
        analyse(film(clean, view), movement=movement),
    )


def _describe(report: Report) -> list[tuple]:
    return [(f.measure, f.side, f.rep, round(f.value, 2)) for f in report.flags]


def _any_view() -> ViewEstimate:
    """A view for asking whether a rule's measure has an error band at all (any view: it does or not)."""
    none = np.zeros(0)
    return ViewEstimate("front", 1.0, 0.0, "camera", none, none, none, body_yaw_deg=0.0)


@pytest.mark.parametrize(("movement", "rule", "view", "leg"), _cases())
def test_injected_fault_is_flagged_on_its_side_and_clean_is_not(
    movement: str, rule: FaultRule, view: str, leg: str
) -> None:
    how = INJECTIONS.get((movement, rule.measure))
    if how is None:
        pytest.fail(f"no injection for the {movement} rule on {rule.measure}: add one to INJECTIONS")
    faulted, clean = _analyse_pair(movement, how, view, leg)
    if rule.withheld:  # measured to misread on real pose landmarks: never flagged, never a number
        for report in (faulted, clean):
            assert not [f for f in report.flags if f.measure == rule.measure], _describe(report)
            assert not report.summary.measure(rule.measure).assessed
            assert [n for n in report.not_assessed if n.fault == rule.fault and rule.withheld in n.reason]
        return

    # a per-side rule names the faulted leg; a whole-body rule names the working leg of a one-legged
    # rep and no leg of a two-legged one
    expect_side = leg if leg in SIDES else None
    own = [f for f in faulted.flags if f.measure == rule.measure]
    assert len(faulted.reps) >= (2 * RUNNING_STRIDES - 2 if movement == "running" else 3), faulted.reps
    faulted_reps = {r.index for r in faulted.reps if r.side in (None, leg)}
    assert {f.rep for f in own} == faulted_reps, _describe(faulted)
    assert {f.side for f in own} == {expect_side}, _describe(faulted)
    assert {f.fault for f in own} == {rule.fault}
    # every flag carries the interval of its true size (a ratio of unmeasured error: none), and is
    # marked only when all of it is past the line
    for f in own:
        assert (f.interval is None) == (error_band(rule, _any_view()) is None), f
        assert f.interval is None or f.interval.low <= f.value <= f.interval.high, f
        past_marked = rule.severity(f.value) == "marked" and (
            f.interval is None or clears_marked(rule, f.interval)
        )
        assert f.severity == ("marked" if past_marked else "mild"), f
    for measure in how.quiet:
        assert not [f for f in faulted.flags if f.measure == measure], (measure, _describe(faulted))

    graded = clean.summary.measure(rule.measure)
    assert graded.assessed and sum(s.n for s in graded.sides) >= len(faulted_reps), graded
    assert not [f for f in clean.flags if f.measure == rule.measure], _describe(clean)


@pytest.mark.parametrize("leg", SIDES)
@pytest.mark.parametrize("view", FRONTAL)
def test_knee_inside_toes_depth_gate(view: str, leg: str) -> None:
    """The same caving knee is flagged at 125° knee flexion and not graded at 100°, although at 100°
    it is as far inside the toes: the gate is on the hips' drop (the squat's rep signal), 0.44 of
    their standing height, which the rendered athlete reaches at 110°."""
    rule = next(r for r in REGISTRY["squat"].rules if r.measure == "knee_toe_ratio")
    how = INJECTIONS[("squat", "knee_toe_ratio")]
    deep, _ = _analyse_pair("squat", how, view, leg)
    shallow_how = replace(how, params={**how.params, "depth": 100.0})
    shallow, _ = _analyse_pair("squat", shallow_how, view, leg)

    def hip_depth(report: Report) -> np.ndarray:
        return report.measures["rep_signal"][[r.key_frame for r in report.reps]]

    assert hip_depth(deep).min() >= rule.min_hip_depth
    assert {f.rep for f in deep.flags if f.measure == rule.measure and f.side == leg} == {1, 2, 3}

    assert hip_depth(shallow).max() < rule.min_hip_depth
    assert not [f for f in shallow.flags if f.measure == rule.measure], _describe(shallow)
    assert not shallow.summary.measure(rule.measure).assessed
    inside = shallow.measures[f"knee_toe_ratio_{leg}"][[r.key_frame for r in shallow.reps]]
    assert np.all(inside < rule.mild), inside  # only the gate keeps it from being flagged


@pytest.mark.parametrize("view", FRONTAL)
@pytest.mark.parametrize("leg", SIDES)
def test_pelvic_drop_asymmetry_flag(leg: str, view: str) -> None:
    """A pelvis that drops 4° more when standing on one leg: one clip-level flag naming that leg,
    though no single step reaches the 5° per-step threshold; a 2° difference and a clean run are
    not flagged."""

    def run(drop_deg: float) -> Report:
        params = MotionParams(reps=RUNNING_STRIDES, faults=Faults(pelvic_drop_deg=drop_deg, side=leg))
        return analyse(film(simulate("running", params), view), movement="running")

    report = run(4.0)
    asym = [f for f in report.flags if f.measure == "pelvic_drop_asymmetry_deg"]
    assert [(f.fault, f.side, f.rep) for f in asym] == [("pelvic_drop", leg, None)], _describe(report)
    assert asym[0].value == pytest.approx(4.0, abs=0.5) and asym[0].value >= CPD_ASYMMETRY_DEG
    assert not [f for f in report.flags if f.measure == "pelvic_drop_deg"], _describe(report)
    assert report.summary.fault("pelvic_drop").status == "flagged"
    for quiet in (run(2.0), run(0.0)):
        assert not quiet.flags_for("pelvic_drop"), _describe(quiet)
