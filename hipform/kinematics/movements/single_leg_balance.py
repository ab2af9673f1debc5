"""Single-leg balance: knee collapse and pelvic drop over each hold, filmed from the front or behind."""

from __future__ import annotations

import numpy as np

from hipform.kinematics.faults import cpd_rule, fppa_rule
from hipform.kinematics.movements.spec import Cues, Movement, Segmentation, SegmentContext, Window

#: A foot counts as off the floor when the ankles differ in image height by this fraction of the
#: leg length [J] (the same test recognition uses).
RAISED_FOOT = 0.08
#: Shortest hold that counts, seconds [J].
MIN_HOLD_S = 0.5


def segment(ctx: SegmentContext) -> Segmentation:
    """Holds: runs of frames with one foot clearly off the floor, at least :data:`MIN_HOLD_S` long."""
    ank_y, t = ctx.ankle_y, ctx.t_s
    with np.errstate(invalid="ignore"):
        diff = ank_y[:, 0] - ank_y[:, 1]  # > 0: left ankle lower (stance left)
        raised = np.abs(diff) > RAISED_FOOT * ctx.leg_px
    stance = np.where(diff > 0, 0, 1)
    code = np.where(raised, stance + 1, 0)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], code, [0]])) != 0)
    windows = [
        Window(int(a), int((a + b - 1) // 2), int(b - 1), int(code[a] - 1), "hold")
        for a, b in zip(edges[:-1], edges[1:], strict=False)
        if code[a] != 0 and t[b - 1] - t[a] >= MIN_HOLD_S
    ]
    return Segmentation(windows, ~raised & np.isfinite(diff), np.abs(np.nan_to_num(diff)))


def recognise(c: Cues) -> float:
    """Upright on one leg, held for a while, the hips staying at one height."""
    return c.standing * c.one_leg * c.one_side * (1.0 - c.bends) * c.contained * c.free


MOVEMENT = Movement(
    name="single-leg-balance",
    title="Single-leg balance",
    posture="upright",
    unilateral=True,
    cutoff_hz=4.0,
    standing_baseline=True,
    rules=(fppa_rule("hold"), cpd_rule("hold")),
    segment=segment,
    rep_kind="hold",
    recognise=recognise,
    setup="film from straight in front or behind, whole body in frame, camera at knee-to-hip height",
    no_windows="no single-leg hold",
)
