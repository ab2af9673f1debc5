"""Words of the live cues: one short phrase per flagged rep, read aloud mid-set."""

from __future__ import annotations

from hipform.kinematics.faults import FaultRule
from hipform.kinematics.hinge import LIVE_WORDS as HINGE_WORDS
from hipform.kinematics.stability import describe_wobble


def describe_cue(rule: FaultRule, side: str | None, value: float) -> str:
    """The words of a live cue for a flagged rep: what went wrong, on which side, and how much."""
    v = f"{value:.0f}°" if rule.unit == "deg" else f"{value:.2f}"
    if rule.fault == "knee_collapse":
        who = f"{side} knee" if side else "knees"
        return f"{who} collapsing — {v}"
    if rule.fault == "pelvic_drop":
        other = {"left": "right", "right": "left"}.get(side or "", "free")
        return f"pelvis dropping on the {other} side — {v}"
    if rule.measure in HINGE_WORDS:  # the single-leg deadlift's own measures
        return HINGE_WORDS[rule.measure].format(v=v)
    if rule.fault == "pelvic_roll":
        return f"pelvis rolling back — {v}"
    if rule.fault == "feet_apart":
        return f"feet coming apart — {v} shoulder widths"
    if rule.fault == "small_range":
        return f"knee opening only {v}"
    if rule.fault == "instability" and rule.measure != "trunk_sway_range_deg":
        return describe_wobble(rule.measure, side, value)
    return f"back arching — {v}" if rule.fault == "back_arch" else f"{rule.label.split(' (')[0]} — {v}"
