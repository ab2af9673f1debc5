"""Single-leg deadlift: standing on one leg, the trunk hinges forward at the hip while the free leg
extends back, then both return.

Reps come from the hinge (:func:`hipform.kinematics.measures.compute_trunk_hinge_deg`, the trunk's
tip from upright, read the same way from the front and the side): a rep starts when the trunk
leaves upright and ends when it is back, its key moment is the deepest hinge. Each fault is read
only from the view that shows it: the stance knee collapsing and the pelvis opening from the front
or behind, the shoulder–hip–free-ankle line and a free-foot touch-down from the side; sway of the
pelvis (the wobble of :mod:`hipform.kinematics.stability`) from the front or behind.
"""

from __future__ import annotations

import numpy as np

from hipform.kinematics.faults import FaultRule, fppa_rule, sway_rule
from hipform.kinematics.frame_measures import nanmedian
from hipform.kinematics.movements.clamshell import opening_starts
from hipform.kinematics.movements.spec import (
    Cues,
    LiveCounter,
    Movement,
    Segmentation,
    SegmentContext,
    Window,
)

#: How far a pelvis-opening flag may be trusted: on rendered athletes MediaPipe reads an 18° opening at
#: the bottom as 6-8° and a clean one as 5-6° (its hip points barely follow a rendered pelvis, as with
#: the pelvic drop, docs/accuracy.md), so the flag is stated as low confidence, like the clamshell's.
PELVIS_CONFIDENCE = 0.3

#: How far a touch-down flag may be trusted: MediaPipe reads the free foot's height 0.2–0.34 leg lengths
#: low on rendered athletes (benchmarks/single_leg_deadlift.py), so a foot held low can read as down
#: (one false flag in 14 clips), and from the stance leg's side a foot that comes down is hidden.
TOUCHDOWN_CONFIDENCE = 0.3

#: Smallest range of the trunk hinge that counts as single-leg deadlift reps, degrees [J]: a clean
#: rep tips the trunk 45–90°; a small forward lean while balancing stays under ~15°.
MIN_HINGE_RANGE_DEG = 30.0

RULES = (
    fppa_rule("bottom"),
    FaultRule(
        fault="pelvic_roll",
        measure="pelvis_opening_deg",
        label="pelvis opening (free-side hip rising since the start of the rep)",
        phase="bottom",
        mild=8.0,
        marked=15.0,
        direction="above",
        unit="deg",
        view="frontal",
        per_side=True,
        source=(
            "[J] mild ≥ 8°, marked ≥ 15° of hip-line tilt with the free side up at the bottom, since the "
            "start of the rep: no published cut-off; coaches cue 'hips square to the floor' in the "
            "single-leg deadlift. Set above the 2D pelvic obliquity SDD of ~2.8° (Dingenen 2018, Phys "
            "Ther Sport 33:40) and what clean renders read at the bottom (benchmarks/accuracy.py)"
        ),
        cue="keep the hips square to the floor: point the free foot's toes down",
        confidence_scale=PELVIS_CONFIDENCE,
    ),
    FaultRule(
        fault="hinge_line",
        measure="hinge_line_deg",
        label="shoulder–hip–free-ankle line bent at the bottom (back rounding or the free leg out of line)",
        phase="bottom",
        mild=15.0,
        marked=25.0,
        direction="above",
        unit="deg",
        view="side",
        per_side=True,
        source=(
            "[J] mild ≥ 15°, marked ≥ 25° off a straight shoulder–hip–free-ankle line at the bottom: no "
            "published cut-off; the trunk and free leg moving as one lever is the coached form. Set "
            "above what clean renders read at the bottom (benchmarks/accuracy.py)"
        ),
        cue="move as a see-saw: keep the back flat and the free leg in line with the trunk",
        setup="side",
    ),
    FaultRule(
        fault="instability",
        measure="free_foot_clearance_ratio",
        label="free foot's height above the stance foot while hinged (touch-down: loss of balance)",
        phase="rep",
        mild=0.06,
        marked=0.03,
        direction="below",
        unit="ratio",
        view="side",
        per_side=True,
        source=(
            "[J] mild < 0.06, marked < 0.03 leg lengths while the trunk is hinged ≥ 40°: the free foot "
            "back on the floor (0) mid-rep is a loss of balance, as a touch-down ends a single-leg "
            "stance test (Springer 2007, J Geriatr Phys Ther 30:8); a clean rep keeps it ≥ 0.2 there"
        ),
        cue="slow down and keep the free foot off the floor until you are upright again",
        setup="side",
        confidence_scale=TOUCHDOWN_CONFIDENCE,
    ),
    sway_rule(),
)


def stance_legs(ankle_y: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> list[int | None]:
    """The stance leg of each rep: the ankle lower in the image (y down) over most of the rep, so a
    free foot that touches down at the bottom still leaves its leg free; None where unseen."""
    out: list[int | None] = []
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        d = nanmedian(ankle_y[s : e + 1, 0] - ankle_y[s : e + 1, 1])
        out.append((0 if d >= 0 else 1) if np.isfinite(d) else None)
    return out


def segment(ctx: SegmentContext) -> Segmentation:
    """Reps from the trunk hinge, each from where the trunk left upright (the pelvis opening is read
    since then); the side is the stance leg (:func:`stance_legs`)."""
    hinge = ctx.measures["trunk_hinge_deg"]
    reps = ctx.reps_from(hinge, MIN_HINGE_RANGE_DEG)
    starts = opening_starts(hinge, reps.start, reps.end)
    sides = stance_legs(ctx.ankle_y, reps.start, reps.end)
    windows = [
        Window(s, k, e, side, "rep")
        for s, k, e, side in zip(starts.tolist(), reps.peak.tolist(), reps.end.tolist(), sides, strict=True)
    ]
    return Segmentation(windows, reps.rest, hinge)


def recognise(c: Cues) -> float:
    """On one leg, the trunk tipping forward and back while the hips stay near one height (``hinges``).

    A foot seen off the floor counts in any view here (``single``): the one-leg cue distrusts side
    views, where an oblique squat's far foot looks raised, but a squat does not hinge.
    """
    return c.hinges * max(c.one_leg, c.single) * c.contained * c.free


MOVEMENT = Movement(
    name="single-leg-deadlift",
    title="Single-leg deadlift",
    posture="upright",
    unilateral=True,
    cutoff_hz=4.0,
    standing_baseline=True,
    rules=RULES,
    segment=segment,
    rep_kind="rep",
    recognise=recognise,
    setup=(
        "film from straight in front or behind (knee and pelvis) and once from the side (back and free "
        "leg line, touch-downs), camera at hip height, the whole body in frame at the bottom"
    ),
    live=LiveCounter(signal="angle_gained", enter=35.0, exit=15.0, leg="both", measure="trunk_hinge_deg"),
    whole_rep_on_one_leg=True,
)
