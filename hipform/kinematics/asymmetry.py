"""Clip-level flags that one leg does clearly worse than the other: a left/right difference of mean
pelvic drop (single-leg tasks, running) and of mean sideways pelvis sway (wobble on one leg)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from hipform.kinematics.faults import (
    CPD_ASYMMETRY_DEG,
    CPD_ASYMMETRY_SOURCE,
    SWAY_ASYMMETRY_MIN,
    SWAY_ASYMMETRY_RATIO,
    SWAY_ASYMMETRY_SOURCE,
    FaultRule,
)
from hipform.kinematics.frame_measures import SIDES
from hipform.kinematics.grading import MIN_FLAG_CONFIDENCE, STEPS_PER_SIDE, Graded
from hipform.kinematics.movements import Window
from hipform.kinematics.view import ViewEstimate
from hipform.report import Flag


class LegMeans(NamedTuple):
    """A graded measure's mean per leg (left, right), the worse leg (higher mean), the frame of its
    worst value, and the fewer reps (steps, holds) of the two legs."""

    means: tuple[float, float]
    worse: int
    worst_frame: int
    n_min: int


def leg_means(g: Graded, min_per_leg: int) -> LegMeans | None:
    """:class:`LegMeans` of ``g``, or None with fewer than ``min_per_leg`` values on either leg."""
    by_side = [g.value[g.side == s] for s in (0, 1)]
    n_min = min(v.size for v in by_side)
    if n_min < max(min_per_leg, 1):
        return None
    means = (float(np.mean(by_side[0])), float(np.mean(by_side[1])))
    worse = int(np.argmax(means))
    on_worse = np.flatnonzero(g.side == worse)
    return LegMeans(means, worse, int(g.worst[on_worse[np.argmax(g.value[on_worse])]]), n_min)


def asymmetry_flag(
    rule: FaultRule, legs: LegMeans, how: dict, span_s: tuple[float, float], conf: float
) -> Flag:
    """The clip-level flag that one leg does clearly worse than the other on ``rule``'s measure.

    ``how`` gives the flag's ``measure``, ``label``, ``value``, ``unit``, ``threshold``, ``source``
    and ``cue``; it is always mild, marked at twice the threshold."""
    return Flag(
        fault=rule.fault,
        side=SIDES[legs.worse],
        severity="mild",
        measure=how["measure"],
        label=how["label"],
        value=how["value"],
        unit=how["unit"],
        threshold=how["threshold"],
        threshold_mild=how["threshold"],
        threshold_marked=2 * how["threshold"],
        threshold_source=how["source"],
        rep=None,
        t_start_s=span_s[0],
        t_end_s=span_s[1],
        worst_frame=legs.worst_frame,
        confidence=conf,
        cue=how["cue"],
    )


def pelvic_drop_asymmetry_flags(
    rules: tuple[FaultRule, ...],
    graded: list[Graded],
    windows: list[Window],
    t: np.ndarray,
    view: ViewEstimate,
) -> list[Flag]:
    """Left/right difference of mean pelvic drop ≥ 3° (biomechanics.md §2): single-leg tasks, running."""
    out: list[Flag] = []
    for rule, g in zip(rules, graded, strict=False):
        legs = leg_means(g, 2) if rule.measure == "pelvic_drop_deg" and g.rep.size else None
        diff = abs(legs.means[0] - legs.means[1]) if legs else 0.0
        if not legs or diff < CPD_ASYMMETRY_DEG:
            continue
        conf = float(
            np.clip(view.confidence, 0.3, 1.0)
            * min(1.0, legs.n_min / STEPS_PER_SIDE)
            * (0.6 + 0.4 * min(1.0, (diff - CPD_ASYMMETRY_DEG) / 3.0))
        )
        if conf < MIN_FLAG_CONFIDENCE:  # too few steps a side or an unclear view: no flag
            continue
        how = {
            "measure": "pelvic_drop_asymmetry_deg",
            "label": "left/right difference of mean pelvic drop",
            "value": diff,
            "unit": "deg",
            "threshold": CPD_ASYMMETRY_DEG,
            "source": CPD_ASYMMETRY_SOURCE,
            "cue": (
                f"the pelvis drops more when standing on the {SIDES[legs.worse]} leg: "
                "strengthen that side's glutes"
            ),
        }
        out.append(
            asymmetry_flag(rule, legs, how, (float(t[windows[0].start]), float(t[windows[-1].end])), conf)
        )
    return out


def sway_asymmetry_flags(
    rules: tuple[FaultRule, ...], graded: list, t_s: np.ndarray, view_confidence: float
) -> list[Flag]:
    """A clip-level flag when one leg sways clearly more than the other (left vs right mean sway speed).

    ``graded`` are the rules' graded values (:class:`hipform.kinematics.grading.Graded`, one per rule);
    the flag needs a graded hold or rep on each leg, the worse leg's mean at least
    :data:`~hipform.kinematics.faults.SWAY_ASYMMETRY_RATIO` times the better one's and
    :data:`~hipform.kinematics.faults.SWAY_ASYMMETRY_MIN` more.
    """
    out: list[Flag] = []
    for rule, g in zip(rules, graded, strict=False):
        legs = leg_means(g, 1) if rule.measure == "pelvis_sway_speed_ratio" and g.rep.size else None
        hi, lo = (legs.means[legs.worse], legs.means[1 - legs.worse]) if legs else (0.0, 0.0)
        if not legs or hi - lo < SWAY_ASYMMETRY_MIN or hi < SWAY_ASYMMETRY_RATIO * lo:
            continue
        # one hold a side is a fair comparison only when the difference is large: confidence grows
        # with the holds per side and the margin over the absolute minimum
        margin = min(1.0, (hi - lo - SWAY_ASYMMETRY_MIN) / SWAY_ASYMMETRY_MIN)
        conf = float(
            np.clip(view_confidence, 0.3, 1.0) * min(1.0, 0.5 + 0.25 * legs.n_min) * (0.6 + 0.4 * margin)
        )
        side = SIDES[legs.worse]
        how = {
            "measure": "pelvis_sway_asymmetry_ratio",
            "label": "left/right ratio of mean sideways pelvis sway on one leg",
            "value": hi / max(lo, 1e-3),  # a perfectly still leg (synthetic) has no finite ratio
            "unit": "ratio",
            "threshold": SWAY_ASYMMETRY_RATIO,
            "source": SWAY_ASYMMETRY_SOURCE,
            "cue": f"you wobble more standing on the {side} leg: give that side extra balance work",
        }
        out.append(asymmetry_flag(rule, legs, how, (float(t_s[0]), float(t_s[-1])), conf))
    return out
