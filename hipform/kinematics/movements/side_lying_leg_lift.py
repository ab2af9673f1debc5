"""Side-lying leg lift: the top leg, straight, lifted up (hip abduction) and lowered.

Lying on one side (the bottom leg may be bent), the top leg rises and falls; reps come from the
angle between the top leg and the trunk line in the image
(:func:`~hipform.kinematics.side_lying.compute_leg_lift_deg`). Each fault is read only from the
view that shows it: from the feet (looking along the body) the leg drifting forward and the
pelvis rolling back; from any other view their measures are NaN and their rules
(``FaultRule.along_body``) are not assessed, with the reason and the set-up that would work.

The top hip hiking toward the ribs (``hip_hike_deg``, from the front or back with the body across
the image) stays defined in :mod:`~hipform.kinematics.frame_measures` (and the rendered athlete's
code for it stays, for re-measuring on realistic bodies), but no rule grades it nor may a rendered
clip inject it: on rendered clips from behind, MediaPipe read 16–29° on the clean
reps of the 480p sample and 10–21° under a true 15° hike, so the value does not tell a hike from a
clean rep and a flag would be wrong. The trunk's side bend (``trunk_side_bend_deg``) it is read
from stays among the per-frame measures.
"""

from __future__ import annotations

from hipform.kinematics.faults import FaultRule
from hipform.kinematics.movements.side_lying_parts import LOW_CONFIDENCE, pelvic_roll_rule, top_leg_reps
from hipform.kinematics.movements.spec import Cues, LiveCounter, Movement, Segmentation, SegmentContext
from hipform.kinematics.side_lying import MAX_LEG_FORWARD_DEG

#: Smallest range of the leg-lift angle that counts as reps, degrees in the image [J]: a clean
#: lift reaches ~35–40° of abduction, seen whole from the front; from the feet the leg points at
#: the camera and the angle swings further, so a lift of 15° still clears it in both views.
MIN_LIFT_RANGE_DEG = 8.0

RULES = (
    FaultRule(
        fault="leg_forward",
        measure="leg_forward_deg",
        label="leg drifting forward (the lifted leg's turn toward the front of the body, seen from the feet)",
        phase="top",
        mild=15.0,
        marked=25.0,
        direction="above",
        unit="deg",
        view="frontal",
        per_side=False,
        source=(
            "[J] mild ≥ 15°, marked ≥ 25°: no published cut-off; a leg lift done with the hip flexing "
            "trains the tensor fasciae latae more than gluteus medius, which a straight lift in line "
            "with the trunk targets (Distefano 2009, JOSPT 39:532; Selkowitz 2013, JOSPT 43:54). "
            "Read from the feet, at the top of the lift. Experimental: from the feet the pose model "
            "does not read rendered leg lifts steadily (the view gate leaves them unjudged)"
        ),
        cue="lift the leg straight up in line with the body, toes forward, not ahead of you",
        setup="frontal-feet",
        confidence_scale=LOW_CONFIDENCE,
        along_body=True,
        max_plausible=MAX_LEG_FORWARD_DEG,
    ),
    pelvic_roll_rule("keep the hips stacked: lift the leg only as far as the pelvis stays still"),
)


def segment(ctx: SegmentContext) -> Segmentation:
    """Reps from the leg-lift angle, each from where the leg began to rise; the side is the leg on top."""
    return top_leg_reps(ctx, ctx.measures["leg_lift_deg"], MIN_LIFT_RANGE_DEG)


def recognise(c: Cues) -> float:
    """Lying on one side, the knees not both bent, a foot raised (the top leg lifted): a clamshell
    filmed from behind reads its knees nearly straight but keeps its feet together."""
    return c.side_lying * (1.0 - c.knees_bent) * c.single


MOVEMENT = Movement(
    name="side-lying-leg-lift",
    title="Side-lying leg lift",
    posture="side-lying",
    unilateral=True,
    cutoff_hz=4.0,
    standing_baseline=False,
    rules=RULES,
    segment=segment,
    rep_kind="rep",
    recognise=recognise,
    setup=(
        "film from the feet, looking along the body at the pelvis (leg drifting forward, pelvis "
        "rolling back), or from the front or back with the body across the frame (hip hiking): "
        "camera about 2 m away at hip height, the whole body in frame"
    ),
    live=LiveCounter(signal="angle_gained", enter=12.0, exit=4.0, leg="both", measure="leg_lift_deg"),
)
