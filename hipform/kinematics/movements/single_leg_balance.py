"""Single-leg balance: knee collapse, pelvic drop and wobble over each hold, filmed from the front or
behind."""

from __future__ import annotations

import numpy as np

from hipform.kinematics.faults import cpd_rule, fppa_rule, sway_rule, trunk_lean_rule
from hipform.kinematics.movements.spec import Cues, Movement, Segmentation, SegmentContext, Window
from hipform.kinematics.stability import compute_stance_side, find_holds


def segment(ctx: SegmentContext) -> Segmentation:
    """Holds: one foot clearly off the floor (:func:`~hipform.kinematics.stability.compute_stance_side`)
    for at least :data:`~hipform.kinematics.stability.MIN_HOLD_S`; a brief touch-down of the free foot
    does not end a hold (:func:`~hipform.kinematics.stability.find_holds`), it is counted in it."""
    ank_y = ctx.ankle_y
    with np.errstate(invalid="ignore"):
        diff = ank_y[:, 0] - ank_y[:, 1]  # > 0: left ankle lower (stance left)
    stance = compute_stance_side(ank_y, ctx.leg_px)
    windows = [
        Window(h.start, (h.start + h.end) // 2, h.end, h.side, "hold") for h in find_holds(stance, ctx.t_s)
    ]
    return Segmentation(windows, (stance < 0) & np.isfinite(diff), np.abs(np.nan_to_num(diff)))


def recognise(c: Cues) -> float:
    """Upright on one leg, held for a while, the hips staying at one height and the trunk not hinging
    (a single-leg deadlift)."""
    return c.standing * c.one_leg * c.one_side * (1.0 - c.bends) * (1.0 - c.hinges) * c.contained * c.free


MOVEMENT = Movement(
    name="single-leg-balance",
    title="Single-leg balance",
    posture="upright",
    unilateral=True,
    cutoff_hz=4.0,
    standing_baseline=True,
    rules=(fppa_rule("hold"), cpd_rule("hold"), sway_rule(), trunk_lean_rule()),
    segment=segment,
    rep_kind="hold",
    recognise=recognise,
    setup="film from straight in front or behind, whole body in frame, camera at knee-to-hip height",
    no_windows="no single-leg hold",
    reported_only=(
        "sway_path_ratio",
        "free_foot_touchdowns_count",
        "hold_until_loss_s",
    ),
)
