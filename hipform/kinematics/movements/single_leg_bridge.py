"""Single-leg bridge: the lower back arching (side view) and the pelvis dropping (from the feet)."""

from __future__ import annotations

import numpy as np

from hipform.kinematics.faults import cpd_rule, hip_line_rule
from hipform.kinematics.frame_measures import nanmedian
from hipform.kinematics.movements.spec import (
    Cues,
    LiveCounter,
    Movement,
    Segmentation,
    SegmentContext,
    rep_windows,
)

#: Smallest hip rise of a single-leg bridge (leg lengths in the image, 5–95 percentile range) that
#: counts as reps [J]; a bridge lifts the hips by about half a leg length side-on.
MIN_BRIDGE_RISE = 0.08


def bent_leg(knee_flexion_deg: np.ndarray) -> int:
    """0/1: the leg with the larger median knee flexion (the stance leg of a single-leg bridge)."""
    med = [nanmedian(knee_flexion_deg[:, 0]), nanmedian(knee_flexion_deg[:, 1])]
    return 1 if (np.nan_to_num(med[1], nan=-1.0) > np.nan_to_num(med[0], nan=-1.0)) else 0


def segment(ctx: SegmentContext) -> Segmentation:
    """Reps from the hip height in the image; the stance leg is the bent one, foot on the floor.

    The hip height (biomechanics.md §5) does not depend on the pose model's left/right leg
    labels: lying side-on they swap between reps, and the hip-line angle of the wrong leg made
    extra reps; from the feet, the 3D hip line is meaningless.
    """
    stance = bent_leg(ctx.measures["knee_flexion_deg"])
    sig = ctx.hip_rise()
    reps = ctx.reps_from(sig, MIN_BRIDGE_RISE)
    return Segmentation(rep_windows(reps, [stance] * len(reps)), reps.rest, sig)


def recognise(c: Cues) -> float:
    """Lying on the back (not on one side) with one leg straight or one foot raised."""
    return c.lying * c.supine * (1 - c.quadruped) * c.single * (1 - c.side_lying)


MOVEMENT = Movement(
    name="single-leg-bridge",
    title="Single-leg bridge",
    posture="floor",
    unilateral=True,
    cutoff_hz=4.0,
    standing_baseline=False,
    rules=(cpd_rule("top", setup="frontal-feet"), hip_line_rule()),
    segment=segment,
    rep_kind="rep",
    recognise=recognise,
    setup="film from the side for the back, from the feet (camera low, along the body) for the pelvis",
    live=LiveCounter(
        signal="angle_gained", enter=25.0, exit=12.0, leg="bent", measure="bridge_hip_line_deg", stance="bent"
    ),
    # it starts with the pelvis resting on the floor: that is its level position (one foot is off
    # the floor throughout, so the level-ankles test cannot apply)
    pelvis_level_at_rest=True,
)
