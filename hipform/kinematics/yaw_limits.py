"""How far the body is turned from the camera: which rules that rules out, and how it is said.

A frontal rule with a yaw limit (:attr:`hipform.kinematics.faults.FaultRule.max_yaw_deg`) reads
a measure that the body's yaw (:func:`hipform.kinematics.view.clip_body_yaw_deg`) moves: the
squat's knee-over-foot measures are corrected for it, the single-leg tasks' FPPA and pelvic drop
are not (their limits are where, on realistic rendered bodies, the turn stops misreading them;
``benchmarks/realistic_yaw.py``). Beyond its limit the rule is not judged, with the set-up that
would let it be.
"""

from __future__ import annotations

import numpy as np

from hipform.kinematics.faults import SETUP_HINTS, FaultRule
from hipform.kinematics.view import ViewEstimate
from hipform.report import NotAssessed

SIDES = ("left", "right")
#: The measures read corrected for the body's turn (:mod:`hipform.kinematics.knee_over_foot`);
#: the other rules with a yaw limit read the turned body as it looks.
YAW_CORRECTED = frozenset({"knee_medial_shift_rel", "knee_toe_ratio"})


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

    A measure corrected for the turn (:data:`YAW_CORRECTED`) is only as good as the correction,
    whose gain was measured on rendered squats filmed by one phone-like camera
    (:data:`hipform.kinematics.knee_over_foot.KNEE_YAW_GAIN`, 0.91 where a far camera gives 1):
    a person or a set-up it fits less well keeps an error that grows with the size of the
    correction, ∝ sin|yaw|. A measure not corrected (the FPPA, the pelvic drop) moves with the
    turn itself, by an amount that depends on the body and the pose (benchmarks/realistic_yaw.py).
    Either error is taken to grow linearly in sin|yaw| to twice its square-on value at the rule's
    yaw limit [J].
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


def _limited_words(rules: list[FaultRule]) -> tuple[str, str]:
    """The rules with a yaw limit, in words ("the knee-over-foot measures" or their labels), and
    the verb's number for them ("is" or "are")."""
    if all(r.measure in YAW_CORRECTED for r in rules):
        return "the knee-over-foot measures", "are"
    labels = list(dict.fromkeys(r.label for r in rules))
    return "the " + " and the ".join(labels), "are" if len(labels) > 1 else "is"


def yaw_notes(rules: tuple[FaultRule, ...], view: ViewEstimate) -> list[str]:
    """A note on how turned the body was, for a front or rear view judged by rules with a yaw limit.

    The note names the rules with the smallest limit (those a turn rules out first)."""
    limits = [r.max_yaw_deg for r in rules if r.max_yaw_deg is not None]
    if not limits or not view.frontal or not np.isfinite(view.body_yaw_deg):
        return []
    limit = min(limits)
    first = [r for r in rules if r.max_yaw_deg == limit]
    words, verb = _limited_words(first)
    if abs(view.body_yaw_deg) > limit:
        return [
            f"The body was {describe_yaw(view)}: beyond {limit:.0f}° {words} {verb} not judged; "
            "film from straight in front or behind."
        ]
    if round(abs(view.body_yaw_deg)) == 0:
        allow = "allow" if verb == "are" else "allows"
        return [f"The body was square to the camera ({words} {allow} up to {limit:.0f}°)."]
    how = "corrected for the turn" if all(r.measure in YAW_CORRECTED for r in first) else "read"
    return [
        f"The body was {describe_yaw(view)}: {words} {verb} {how} (allowed up to {limit:.0f}°), "
        "with a wider margin of error."
    ]
