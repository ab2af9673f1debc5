"""Glute bridge: the lower back arching at the top, filmed from the side."""

from __future__ import annotations

from hipform.kinematics import measures as M
from hipform.kinematics.faults import hip_line_rule
from hipform.kinematics.frame_measures import nanmean_cols
from hipform.kinematics.movements.spec import (
    Cues,
    LiveCounter,
    Movement,
    Segmentation,
    SegmentContext,
    rep_windows,
)

#: Smallest hip-line range that counts as bridge reps, degrees [J].
MIN_HIP_LINE_RANGE_DEG = 15.0


def segment(ctx: SegmentContext) -> Segmentation:
    """Reps from the hip-line angle (mean of both sides)."""
    sig = nanmean_cols(M.compute_bridge_hip_line_deg(ctx.src))
    reps = ctx.reps_from(sig, MIN_HIP_LINE_RANGE_DEG)
    return Segmentation(rep_windows(reps, [None] * len(reps)), reps.rest, sig)


def recognise(c: Cues) -> float:
    """Lying on the back (not on one side) with both feet down."""
    return c.lying * c.supine * (1 - c.quadruped) * (1 - c.single) * (1 - c.side_lying)


MOVEMENT = Movement(
    name="bridge",
    title="Glute bridge",
    posture="floor",
    unilateral=False,
    cutoff_hz=4.0,
    standing_baseline=False,
    rules=(hip_line_rule(),),
    segment=segment,
    rep_kind="rep",
    recognise=recognise,
    setup="film from the side at hip height, shoulders, hips and knees in frame",
    live=LiveCounter(
        signal="angle_gained", enter=25.0, exit=12.0, leg="highest", measure="bridge_hip_line_deg"
    ),
)
