"""Fatigue drift: form that gets worse as a set goes on.

Within one clip (a set), each graded measure is compared on each side between the first and the
last third of the reps it was graded in: ``reps 7–9: the right knee caved in 12° more than in
reps 1–3``. A drift is reported only when the later reps are further into the fault (the rule's
direction) by more than the measure's smallest detectable difference (SDD), the change a
measurement can show by chance (biomechanics.md, "Is a change real?"). Published SDDs are used
where they exist; elsewhere the SDD is a judgement call, marked ``[J]`` and stated.

Fewer than :data:`MIN_REPS` graded reps on a side cannot be split into thirds worth comparing:
that side is not judged. A note says so when the side had at least :data:`NOTE_FROM_REPS` reps,
a set long enough that its user could expect form fading to be looked for.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hipform.kinematics.faults import FaultRule
from hipform.kinematics.frame_measures import SIDES
from hipform.kinematics.grading import Graded
from hipform.report import Drift

#: Graded reps a side needs before its first and last thirds are compared (two reps per third
#: at the least, so that one odd rep does not make a drift). [J]
MIN_REPS = 6
#: Graded reps from which a side too short to judge gets a note saying drift was not assessed. [J]
#: What could not be assessed is reported as not assessed where a user would look for it: a set of
#: 4–5 reps is a working set, in which form fading is what they may be watching for. One to three
#: reps (a technique check, a demo, most short clips) is not a set anyone expects to tire in, and
#: the same note on every such clip would be noise that buries the notes that matter.
NOTE_FROM_REPS = 4


@dataclass(frozen=True)
class SmallestDifference:
    """The smallest detectable difference of a measure, in its unit, and where it comes from."""

    value: float
    source: str


#: Published SDDs of 2D measures (biomechanics.md §1, §2): the upper end of each range, so that a
#: drift is past the noise of every study's protocol.
PUBLISHED_SDD = {
    "fppa_deg": SmallestDifference(8.9, "2D FPPA SDD 7.5–8.9° (Munro 2012); the upper end is used"),
    "pelvic_drop_deg": SmallestDifference(
        2.8, "2D pelvic drop SDD 2.7–2.8° (Dingenen 2018, Phys Ther Sport 33:40); the upper end is used"
    ),
}


def smallest_difference(rule: FaultRule) -> SmallestDifference:
    """The SDD a drift of ``rule``'s measure must exceed: published (:data:`PUBLISHED_SDD`), else
    ``[J]`` the step between the rule's mild and marked lines, a change that moves a fault by one grade.
    """
    published = PUBLISHED_SDD.get(rule.measure)
    if published is not None:
        return published
    step = abs(rule.marked - rule.mild)
    unit = "°" if rule.unit == "deg" else ""
    return SmallestDifference(
        step,
        f"[J] no published SDD: the step from the mild to the marked line ({step:g}{unit}), "
        "a change that moves the fault by one grade",
    )


def detect_drift(
    rules: tuple[FaultRule, ...], graded: list[Graded], rep_kind: str
) -> tuple[list[Drift], list[str]]:
    """Measures whose later reps are further into the fault than the early ones, and what was not judged.

    Parameters
    ----------
    rules : the movement's fault rules.
    graded : per rule, the values it graded (:attr:`hipform.kinematics.grading.Grades.graded`), in rep
        then side order; side -1 is a whole-body value (no side).
    rep_kind : ``rep``, ``step`` or ``hold``, for the notes.

    Returns
    -------
    drifts : one per (measure, side) whose last third of graded reps is further into the fault than
        the first third by more than :func:`smallest_difference`, in rule then side order.
    notes : one sentence naming the sides some rule graded in :data:`NOTE_FROM_REPS` reps or more,
        but none in :data:`MIN_REPS` (not judged there), or none; a side with fewer reps is not
        judged either, silently.

    Notes
    -----
    With n graded reps on a side (n ≥ :data:`MIN_REPS`) and k = ⌊n / 3⌋, the early mean is over the
    first k and the late mean over the last k; the difference is late − early for a rule whose
    fault is ``above`` its lines, early − late for one ``below``: positive = worse. A drift needs
    difference > SDD.
    """
    drifts: list[Drift] = []
    most_reps: dict[int, int] = {}  # side → the most reps any rule graded there
    for rule, g in zip(rules, graded, strict=True):
        for side in dict.fromkeys(g.side.tolist()):
            on_side = g.side == side
            reps, values = g.rep[on_side], g.value[on_side]
            most_reps[side] = max(most_reps.get(side, 0), int(reps.size))
            if reps.size < MIN_REPS:
                continue
            drift = _drift(rule, None if side < 0 else SIDES[side], reps, values)
            if drift is not None:
                drifts.append(drift)
    short = {side: n for side, n in sorted(most_reps.items()) if NOTE_FROM_REPS <= n < MIN_REPS}
    return drifts, [_not_judged(short, rep_kind)] if short else []


def _drift(rule: FaultRule, side: str | None, reps: np.ndarray, values: np.ndarray) -> Drift | None:
    """The drift of one measure on one side over its graded reps (in rep order), or None within the SDD."""
    k = reps.size // 3
    early, late = values[:k], values[-k:]
    early_mean, late_mean = float(np.mean(early)), float(np.mean(late))
    worse_by = late_mean - early_mean if rule.direction == "above" else early_mean - late_mean
    sdd = smallest_difference(rule)
    if not worse_by > sdd.value:
        return None
    return Drift(
        fault=rule.fault,
        measure=rule.measure,
        label=rule.label,
        side=side,
        unit=rule.unit,
        early_reps=tuple(int(r) for r in reps[:k]),
        late_reps=tuple(int(r) for r in reps[-k:]),
        early_mean=early_mean,
        late_mean=late_mean,
        difference=worse_by,
        sdd=sdd.value,
        sdd_source=sdd.source,
    )


def _not_judged(short: dict[int, int], rep_kind: str) -> str:
    """The note for the sides (side → reps graded there) with too few reps to compare thirds."""
    parts = [
        f"{n} {rep_kind}{'' if n == 1 else 's'} graded" + (f" on the {SIDES[side]} leg" if side >= 0 else "")
        for side, n in short.items()
    ]
    return (
        f"Fatigue drift (form changing over the set) not assessed: {' and '.join(parts)}; comparing "
        f"the first and last thirds of a set needs at least {MIN_REPS} on a side."
    )
