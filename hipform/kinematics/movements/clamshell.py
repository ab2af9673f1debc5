"""Clamshell, filmed from the feet: the pelvis rolling back, the heels coming apart, the knee
opening too little.

Lying on one side with hips (~45°) and knees (~90°) bent and the feet together, the top knee
opens. Seen from the feet, looking along the body, the knee turns in the image plane and a roll of
the trunk turns the shoulder line; every measure is read as its change since the start of the rep
(:data:`hipform.kinematics.frame_measures.FROM_REP_START`). Every rule needs the body seen along its
length (``FaultRule.along_body``): from the side of the mat, which hipform's view estimate reads as
a rear view, the knee's turn is not its opening, and the rules are not assessed, with the set-up
that would work.
"""

from __future__ import annotations

from hipform.kinematics.faults import FaultRule
from hipform.kinematics.movements.side_lying_parts import (
    LOW_CONFIDENCE,
    opening_starts,
    pelvic_roll_rule,
    top_leg_reps,
    working_leg,
)
from hipform.kinematics.movements.spec import Cues, LiveCounter, Movement, Segmentation, SegmentContext

# the shared parts stay importable from here (other movements import opening_starts from this module)
__all__ = [
    "LOW_CONFIDENCE",
    "MAX_KNEE_OPENING_DEG",
    "MIN_OPENING_RANGE_DEG",
    "MOVEMENT",
    "RULES",
    "opening_starts",
    "recognise",
    "segment",
    "working_leg",
]

#: Smallest range of the knee spread that counts as clamshell reps, degrees in the image [J]: a
#: clean rep opens ~40°, which a camera looking down from 1.8 m reads as ~25°; a rep opened only
#: 15° still reads ~5° there (rendered clips).
MIN_OPENING_RANGE_DEG = 4.0

#: Largest knee opening read as one, degrees [J]: twice a full clamshell's ~40–45°. A hip does not
#: turn further, so a rep read beyond it is a misread pose (MediaPipe read 154–157° on a clean clip
#: filmed from the side of the mat) and that rep is not judged.
MAX_KNEE_OPENING_DEG = 90.0

RULES = (
    pelvic_roll_rule("keep the hips stacked: open the knee only as far as the pelvis stays still"),
    FaultRule(
        fault="feet_apart",
        measure="feet_apart_ratio",
        label="heels coming apart (heel gap gained since the start of the rep, in shoulder widths)",
        phase="rep",
        mild=0.3,
        marked=0.6,
        direction="above",
        unit="ratio",
        view="frontal",
        per_side=False,
        source=(
            "[J] mild ≥ 0.3 shoulder widths (~10 cm), marked ≥ 0.6: no published cut-off; the heels "
            "stay together so that the hip turns rather than lifts the leg"
        ),
        cue="keep the heels together as the knee opens",
        setup="frontal-feet",
        confidence_scale=LOW_CONFIDENCE,
        along_body=True,
        withheld=(
            "not judged yet: seen from the feet the pose model reads the heels of a side-lying body "
            "apart by ~0.8 shoulder widths when they stay together (rendered clips; docs/accuracy.md)"
        ),
    ),
    FaultRule(
        fault="small_range",
        measure="knee_opening_deg",
        label="knee opening (the top knee's turn since the start of the rep)",
        phase="top",
        mild=15.0,
        marked=8.0,
        direction="below",
        unit="deg",
        view="frontal",
        per_side=False,
        source=(
            "[J] mild < 15°, marked < 8°: no published cut-off; a full clamshell opens the knee "
            "~35–45°. Seen from a camera looking down from 1.8 m at the feet the opening reads about "
            "0.6 of its size (rendered clips), so there these catch a range under ~25° and ~13°"
        ),
        cue="open the knee further, as far as the pelvis stays stacked",
        setup="frontal-feet",
        confidence_scale=LOW_CONFIDENCE,
        along_body=True,
        max_plausible=MAX_KNEE_OPENING_DEG,
    ),
)


def segment(ctx: SegmentContext) -> Segmentation:
    """Reps from the knee spread (the top knee opening), each from where the knee began to open;
    the side is the leg on top."""
    return top_leg_reps(ctx, ctx.measures["knee_spread_deg"], MIN_OPENING_RANGE_DEG)


def recognise(c: Cues) -> float:
    """Lying on one side with the knees bent."""
    return c.side_lying * c.knees_bent


MOVEMENT = Movement(
    name="clamshell",
    title="Clamshell",
    posture="side-lying",
    unilateral=True,
    cutoff_hz=4.0,
    standing_baseline=False,
    rules=RULES,
    segment=segment,
    rep_kind="rep",
    recognise=recognise,
    setup=(
        "film from the feet, looking along the body at the pelvis: camera about 2 m past the feet "
        "at chest height, the whole body in frame"
    ),
    live=LiveCounter(signal="angle_gained", enter=8.0, exit=3.0, leg="both", measure="knee_spread_deg"),
)
