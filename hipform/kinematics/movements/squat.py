"""Squat (two legs): knees collapsing inward at the bottom, filmed from the front or behind."""

from __future__ import annotations

from hipform.kinematics import measures as M
from hipform.kinematics.faults import CUE_KNEE, FaultRule
from hipform.kinematics.movements.spec import (
    Cues,
    LiveCounter,
    Movement,
    Segmentation,
    SegmentContext,
    rep_windows,
)

#: Smallest hip drop (fraction of standing hip height, 5–95 percentile range) that counts as squat
#: reps [J]: a quarter squat (~45° knee flexion) lowers the hips by ~0.1 of their height.
MIN_HIP_DEPTH = 0.06

RULES = (
    FaultRule(
        fault="knee_collapse",
        measure="knee_separation_rel",
        label="knee width ÷ ankle width at the bottom, relative to standing",
        phase="bottom",
        mild=0.9,
        marked=0.75,
        direction="below",
        unit="ratio",
        view="frontal",
        per_side=False,
        source="[J] mild < 0.9, marked < 0.75 of the standing ratio (after Noyes 2005's normalised knee "
        "separation); knees normally track outside the ankles at depth",
        cue=CUE_KNEE.replace("the knee", "the knees").replace("toe", "toes"),
    ),
    # Deviation from biomechanics.md §1, which grades the bilateral squat on the knee-separation
    # ratio relative to standing only. That ratio alone did not flag the real "knees sway in"
    # clip: in a deep squat the knees normally travel outward with depth, so a knee that stays
    # inside the toes at the bottom can still be wider than at standing (ratio > 1). This rule is
    # a judgement call [J], not a published measure: no study gives a cut-off for where the knee
    # sits across the feet in a deep bilateral squat. "Knee over the second toe" is a coaching
    # convention; the 110° depth gate is ours; mild 0.9 / marked 0.75 are borrowed from the
    # knee-separation rule (a different quantity), and the rule has only been checked against
    # the real clips in ../shared/clips (sway-in flagged, clean not).
    FaultRule(
        fault="knee_collapse",
        measure="knee_toe_ratio",
        label="knee inside the toes at the bottom of a deep squat",
        phase="bottom",
        mild=0.9,
        marked=0.75,
        direction="below",
        unit="ratio",
        view="frontal",
        per_side=True,
        source="[J] no published cut-off: at ≥ 110° knee flexion the knee should be over the second toe "
        "(coaching convention); mild < 0.9, marked < 0.75 borrowed from the knee-separation rule "
        "(1 = knee over the toes). Ageberg 2010 rated 'knee medial to foot' by eye in a single-leg "
        "mini squat; it gives no threshold for this ratio",
        cue=CUE_KNEE,
        min_knee_flexion_deg=110.0,
    ),
)


def segment(ctx: SegmentContext) -> Segmentation:
    """Reps from the hip height in the image.

    biomechanics.md §5: the bottom is the lowest hip point in the image. Not the pose model's 3D
    knee flexion, which from the front reads about half the true flexion (less once the knees
    cave in), so deep reps were missed.
    """
    sig = M.compute_hip_depth(ctx.px, ctx.fps)
    reps = ctx.reps_from(sig, MIN_HIP_DEPTH)
    return Segmentation(rep_windows(reps, [None] * len(reps)), reps.rest, sig)


def recognise(c: Cues) -> float:
    """Upright on both feet, the hips going down and up, no alternating steps."""
    return c.standing * (1 - c.one_leg) * c.bends * c.contained * c.free * (1 - c.stepping)


MOVEMENT = Movement(
    name="squat",
    title="Squat",
    posture="upright",
    unilateral=False,
    cutoff_hz=5.0,
    standing_baseline=True,
    rules=RULES,
    segment=segment,
    rep_kind="rep",
    recognise=recognise,
    setup="film from straight in front or behind, whole body in frame, camera at knee-to-hip height",
    live=LiveCounter(signal="hip_ankle_lost", enter=0.15, exit=0.07, leg="both"),
)
