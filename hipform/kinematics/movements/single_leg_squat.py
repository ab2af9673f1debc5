"""Single-leg squat: knee collapse, pelvic drop and wobble at the bottom, filmed from the front or behind."""

from __future__ import annotations

import numpy as np

from hipform.kinematics import measures as M
from hipform.kinematics.faults import cpd_rule, fppa_rule, sway_rule, trunk_lean_rule
from hipform.kinematics.frame_measures import nanmedian
from hipform.kinematics.movements.spec import (
    Cues,
    LiveCounter,
    Movement,
    Segmentation,
    SegmentContext,
    rep_windows,
)
from hipform.kinematics.movements.squat import MIN_HIP_DEPTH


def segment(ctx: SegmentContext) -> Segmentation:
    """Reps from the hip height in the image; the stance leg is the lower ankle at the bottom."""
    ank_y = ctx.ankle_y
    with np.errstate(invalid="ignore"):
        stance_clip = 0 if nanmedian(ank_y[:, 0] - ank_y[:, 1]) >= 0 else 1
    sig = M.compute_hip_depth(ctx.px, ctx.fps)
    reps = ctx.reps_from(sig, MIN_HIP_DEPTH)
    sides: list[int | None] = []
    for k in reps.peak:
        d = ank_y[k, 0] - ank_y[k, 1]
        sides.append(int(0 if d >= 0 else 1) if np.isfinite(d) else stance_clip)
    return Segmentation(rep_windows(reps, sides), reps.rest, sig)


def recognise(c: Cues) -> float:
    """Upright on one leg, the hips going down and up.

    Filmed at an angle or side-on, where a held-up free leg can look planted, a squat with no foot
    seen up may still be a single-leg squat: it keeps half a score, level with the squat's.
    """
    return c.standing * max(c.one_leg, 0.5 * (1 - c.feet_readable)) * c.bends * c.contained * c.free


MOVEMENT = Movement(
    name="single-leg-squat",
    title="Single-leg squat",
    posture="upright",
    unilateral=True,
    cutoff_hz=5.0,
    standing_baseline=True,
    rules=(fppa_rule("bottom"), cpd_rule("bottom"), sway_rule(), trunk_lean_rule()),
    segment=segment,
    rep_kind="rep",
    recognise=recognise,
    setup="film from straight in front or behind, whole body in frame, camera at knee-to-hip height",
    live=LiveCounter(signal="hip_ankle_lost", enter=0.10, exit=0.05, leg="planted", stance="planted"),
    # a free foot held forward is hard to tell from a planted one from the front: the rep is on one leg
    whole_rep_on_one_leg=True,
)
