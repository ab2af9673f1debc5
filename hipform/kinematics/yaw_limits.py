"""How far the body is turned from the camera: which rules that rules out, and how it is said.

A frontal rule with a yaw limit (:attr:`hipform.kinematics.faults.FaultRule.max_yaw_deg`) reads
a measure corrected for the body's yaw (:func:`hipform.kinematics.view.clip_body_yaw_deg`);
beyond its limit the correction is not trusted and the rule is not judged, with the set-up that
would let it be.
"""

from __future__ import annotations

import numpy as np

from hipform.kinematics.faults import SETUP_HINTS, FaultRule
from hipform.kinematics.view import ViewEstimate
from hipform.report import NotAssessed

SIDES = ("left", "right")


def turned_too_far(rule: FaultRule, view: ViewEstimate) -> bool:
    """The body is turned further from the camera than ``rule`` can be judged at (``max_yaw_deg``)."""
    yaw = view.body_yaw_deg
    return rule.max_yaw_deg is not None and bool(np.isfinite(yaw)) and abs(yaw) > rule.max_yaw_deg


def describe_yaw(view: ViewEstimate) -> str:
    """How far the body is turned from the camera and which side is nearer, in words."""
    if round(abs(view.body_yaw_deg)) == 0:
        return "square to the camera"
    turn = f"turned {abs(view.body_yaw_deg):.0f}° from the camera"
    return f"{turn} (the {view.near_side} side nearer)" if view.near_side else turn


def yaw_reason(rule: FaultRule, view: ViewEstimate) -> str:
    """Why ``rule`` is not judged when the body is turned too far, in words."""
    return (
        f"{rule.label} needs the body square to the camera (turned at most {rule.max_yaw_deg:.0f}°); "
        f"in this clip it is {describe_yaw(view)}"
    )


def yaw_error_factor(rule: FaultRule, view: ViewEstimate) -> float:
    """How much the body's turn widens ``rule``'s typical measurement error: 1 square-on.

    A measure corrected for the turn (a rule with ``max_yaw_deg``) is only as good as the
    correction, whose gain was measured on rendered squats filmed by one phone-like camera
    (:data:`hipform.kinematics.knee_over_foot.KNEE_YAW_GAIN`, 0.91 where a far camera gives 1):
    a person or a set-up it fits less well keeps an error that grows with the size of the
    correction, ∝ sin|yaw|. The error is taken to grow linearly in sin|yaw| to twice its
    square-on value at the rule's yaw limit [J].
    """
    if rule.max_yaw_deg is None or not np.isfinite(view.body_yaw_deg):
        return 1.0
    turn = abs(np.sin(np.radians(view.body_yaw_deg))) / np.sin(np.radians(rule.max_yaw_deg))
    return 1.0 + min(float(turn), 1.0)


def turned_reasons(
    rules: tuple[FaultRule, ...], blocked: list[bool], view: ViewEstimate
) -> list[NotAssessed]:
    """The rules the body's turn alone rules out in a front or rear view while other rules of their
    fault are judged: one reason per side (the fault as a whole stays assessed), with the set-up
    hint. A fault none of whose rules is judged has its whole-clip reason instead."""
    if not view.frontal:
        return []
    judged = {r.fault for r, b in zip(rules, blocked, strict=True) if not b}
    out = []
    for r in rules:
        if turned_too_far(r, view) and r.fault in judged:
            sides = SIDES if r.per_side else (None,)
            reason, setup = yaw_reason(r, view), SETUP_HINTS[r.setup]
            out.extend(NotAssessed(r.fault, reason, side=side, setup=setup) for side in sides)
    return out


def yaw_notes(rules: tuple[FaultRule, ...], view: ViewEstimate) -> list[str]:
    """A note on how turned the body was, for a front or rear view judged by yaw-corrected rules."""
    limits = [r.max_yaw_deg for r in rules if r.max_yaw_deg is not None]
    if not limits or not view.frontal or not np.isfinite(view.body_yaw_deg):
        return []
    limit = min(limits)
    if abs(view.body_yaw_deg) > limit:
        return [
            f"The body was {describe_yaw(view)}: beyond {limit:.0f}° the knee-over-foot measures are not "
            "judged; film from straight in front or behind."
        ]
    if round(abs(view.body_yaw_deg)) == 0:
        return [f"The body was square to the camera (the knee-over-foot measures allow up to {limit:.0f}°)."]
    return [
        f"The body was {describe_yaw(view)}: the knee-over-foot measures are corrected for the turn "
        f"(allowed up to {limit:.0f}°), with a wider margin of error."
    ]
