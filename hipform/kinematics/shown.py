"""What a report shows of each graded measure: the series each rule grades, and no number where a
rule did not judge (issue 13: a physio reads a number on a timeline as a measurement).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from hipform.kinematics.faults import FaultRule
from hipform.kinematics.frame_measures import FROM_REP_START, nanmean_cols
from hipform.kinematics.grading import WindowArrays, rule_slots, view_ok
from hipform.kinematics.lazy_series import LazySeries
from hipform.kinematics.movements import Window
from hipform.kinematics.rep_values import ValueColumn
from hipform.kinematics.view import ViewEstimate
from hipform.report import value_key


def graded_series(
    rules: tuple[FaultRule, ...], series: list[np.ndarray], windows: list[Window], view: ViewEstimate
) -> dict[str, np.ndarray]:
    """The per-frame series each rule the view lets be judged grades, named as its values are
    (:func:`value_key`).

    A rule read on one side is that side's column; a whole-body rule of two-legged reps reads the
    mean of both (``bridge_hip_line_deg``); a change within the rep (``trunk_line_change_deg``) is
    only defined inside the reps. So the line a timeline draws for a flag passes through the
    flag's value (except where a rule reads a median over the rep).
    """
    w = WindowArrays.of(windows)
    out: dict[str, np.ndarray] = {}
    for rule, x2 in zip(rules, series, strict=True):
        if not view_ok(rule, view):
            continue
        for slot in rule_slots(rule, w.side):
            col = x2[:, slot.side] if slot.side >= 0 else nanmean_cols(x2)
            name = value_key(rule.measure, slot.side_name)
            if rule.measure not in FROM_REP_START:
                out[name] = np.asarray(col, dtype=np.float64)
                continue
            rel = out.setdefault(name, np.full(col.shape[0], np.nan))
            for wi in slot.windows.tolist():
                s, e = int(w.start[wi]), int(w.end[wi])
                rel[s : e + 1] = np.abs(col[s : e + 1] - col[s])
    return out


def blank_unjudged(
    measures: Mapping[str, np.ndarray], windows: list[Window], read: list[ValueColumn]
) -> LazySeries:
    """``measures`` with each graded series set to NaN inside the reps it was not graded in.

    ``read`` is what the rules read (:attr:`~hipform.kinematics.grading.Grades.read`). A graded
    series (one named as some rep's graded value) keeps its numbers inside a rep only
    where that rep's value of it was assessed: a rep too shallow for the rule, tracked unsteadily,
    with its landmarks hidden or spanning a freeze shows no line, so no one reads it against the
    threshold bands. Between reps the series is left as it is. Returns a new mapping (the arrays
    changed are copies; a series not computed yet is computed when first read from either).
    """
    out = LazySeries(measures)
    n = len(next(iter(measures.values()))) if measures else 0
    w = WindowArrays.of(windows)

    def covered(which: np.ndarray) -> np.ndarray:
        """(T,) frames inside any of the windows ``which`` (W,) bool."""
        d = np.bincount(w.start[which], minlength=n + 1) - np.bincount(w.end[which] + 1, minlength=n + 1)
        return np.cumsum(d[:n]) > 0

    assessed: dict[str, np.ndarray] = {}
    for col in read:
        if col.windows.size:
            judged = assessed.setdefault(value_key(col.measure, col.side), np.zeros(len(windows), bool))
            judged[col.windows] |= col.assessed
    inside = covered(np.ones(len(windows), bool))
    for key, judged in assessed.items():
        if key in out and not judged.all():
            out[key] = np.where(inside & ~covered(judged), np.nan, out[key])
    return out
