"""The per-clip summary of a report: each graded measure per side, each fault's status, and steps."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from hipform.kinematics.events import Steps
from hipform.kinematics.faults import FAULTS, FaultRule
from hipform.kinematics.frame_measures import SIDES
from hipform.kinematics.grading import STEPS_PER_SIDE, Graded
from hipform.kinematics.movements import Window
from hipform.kinematics.reading_error import judged_severity
from hipform.kinematics.sagittal_running import NEEDS_SIDE_NOTE, NO_SIDES_NOTE, SAGITTAL_UNITS, sagittal_notes
from hipform.kinematics.view import ViewEstimate
from hipform.report import (
    FaultSummary,
    Flag,
    MeasureSummary,
    NotAssessed,
    ReportSummary,
    SideStats,
    StepSummary,
)


def dedupe(items: list[NotAssessed]) -> list[NotAssessed]:
    """The reasons without repeats (same fault, reason, side and rep), in first-seen order."""
    seen: dict[tuple[Any, ...], NotAssessed] = {}
    for it in items:
        seen.setdefault((it.fault, it.reason, it.side, it.rep), it)
    return list(seen.values())


def summarise(
    rules: tuple[FaultRule, ...],
    blocked: list[bool],
    graded: list[Graded],
    flags: list[Flag],
    windows: list[Window],
    steps: Steps | None,
    m: dict[str, np.ndarray],
    t: np.ndarray,
    fs: float,
    notes: list[str],
    view: ViewEstimate,
) -> ReportSummary:
    """Per-clip summary: reps averaged per side for each graded measure, and each fault's status.

    ``flags`` are all the clip's flags: a fault is flagged in some rep, or over the whole clip
    (the left/right pelvic-drop difference). ``steps`` are the running steps (None for the other
    movements); notes about the steps are appended to ``notes``. ``view``: the camera view (a side
    view shows running's trunk inclination; a grade of a mean is marked only when the mean's
    interval clears the marked line, :func:`hipform.kinematics.reading_error.judged_severity`).
    """
    measures: dict[str, MeasureSummary] = {}
    faults: dict[str, FaultSummary] = {}
    for rule, rule_blocked, g in zip(rules, blocked, graded, strict=False):
        entry = _measure_summary(rule, rule_blocked, g, windows, view)
        measures.setdefault(rule.measure, entry)
        f = faults.setdefault(rule.fault, FaultSummary(rule.fault, "not_assessed", rule.measure, 0, 0))
        if entry.assessed:
            if f.status == "not_assessed":
                f = replace(f, status="not_flagged", measure=rule.measure, sides=entry.sides)
            faults[rule.fault] = replace(f, reps_assessed=max(f.reps_assessed, int(np.unique(g.rep).size)))
    for fault, f in faults.items():
        reps_flagged = {fl.rep for fl in flags if fl.fault == fault and fl.rep is not None}
        flagged = bool(reps_flagged) or any(fl.fault == fault and fl.rep is None for fl in flags)
        faults[fault] = replace(f, reps_flagged=len(reps_flagged), status="flagged" if flagged else f.status)
    for fault in FAULTS:
        faults.setdefault(fault, FaultSummary(fault, "not_checked", None, 0, 0))
    return ReportSummary(
        n_reps=len(windows),
        rep_kind=windows[0].kind if windows else ("step" if steps is not None else "rep"),
        faults=tuple(faults.values()),
        measures=tuple(measures.values()),
        steps=None if steps is None else _steps_summary(steps, windows, m, t, fs, notes, view.side),
    )


def _measure_summary(
    rule: FaultRule, blocked: bool, g: Graded, windows: list[Window], view: ViewEstimate
) -> MeasureSummary:
    """One graded measure over the clip: its values per side (count, mean, SD, grade of the mean)."""
    # left / right where the rule or the reps have sides, else no side; in order of first appearance
    named = rule.per_side or (bool(windows) and windows[0].side is not None)
    key = np.where((g.side >= 0) & named, g.side, 2)
    present, first = np.unique(key, return_index=True)
    by_side = {(*SIDES, None)[k]: g.value[key == k] for k in present[np.argsort(first)].tolist()}
    sides = tuple(
        SideStats(
            side=side,
            n=len(v),
            mean=float(np.mean(v)),
            sd=float(np.std(v, ddof=1)) if len(v) > 1 else None,
            severity_of_mean=judged_severity(rule, float(np.mean(v)), view),
        )
        for side, v in by_side.items()
    )
    return MeasureSummary(
        measure=rule.measure,
        fault=rule.fault,
        label=rule.label,
        unit=rule.unit,
        phase=rule.phase,
        assessed=not blocked and bool(g.rep.size),
        sides=sides,
        mild=rule.mild,
        marked=rule.marked,
        direction=rule.direction,
        threshold_source=rule.source,
    )


def _steps_summary(
    steps: Steps,
    windows: list[Window],
    m: dict[str, np.ndarray],
    t: np.ndarray,
    fs: float,
    notes: list[str],
    side_on: bool,
) -> StepSummary:
    """Running: cadence, steps per side, step-time regularity and trunk inclination (reported only,
    and only side-on: a forward lean cannot be seen from behind); side-on, a note with the mean of
    each sagittal measure."""
    notes.extend(steps.cadence.notes())  # its uncertainty, strikes dropped, gaps left out, slow motion
    n_left, n_right = int(np.sum(steps.side == 0)), int(np.sum(steps.side == 1))
    cv = None
    if len(windows) >= 4:
        dts = np.diff(t[[w.start for w in windows]])
        cv = float(np.std(dts) / np.mean(dts)) if np.mean(dts) > 0 else float("inf")
        if cv > 0.35:
            notes.append(
                "Step timing is irregular: the pose model may be mixing up the legs (common side-on or "
                "with a small runner); steps and cadence are approximate."
            )
    keys = np.array([w.key for w in windows], dtype=np.int64)
    ti = m["trunk_inclination_deg"][keys]
    ti = ti[np.isfinite(ti)] if side_on else ti[:0]
    if side_on:  # each step's sagittal values, held over the step (read at its key frame)
        notes.extend(sagittal_notes({n: m[n][keys] for n in SAGITTAL_UNITS if n in m}, steps.side))
    elif windows:
        notes.append(NEEDS_SIDE_NOTE)
    if fs < 60:
        notes.append(
            f"Filmed at {fs:.0f} fps; 60 fps or more is recommended for running (step timing is "
            "less precise, peak angles are little affected)."
        )
    n_min = min(n_left, n_right)
    if windows and not n_left + n_right:
        notes.append(NO_SIDES_NOTE)
    elif windows and n_min < STEPS_PER_SIDE:
        notes.append(
            f"Only {n_min} step(s) on one side; {STEPS_PER_SIDE} or more per side give a trustworthy average."
        )
    return StepSummary(
        cadence_spm=float(steps.cadence_spm),
        cadence_ci_spm=tuple(float(v) for v in steps.cadence.ci_spm),
        cadence_intervals=int(steps.cadence.n_intervals),
        slow_motion=bool(steps.cadence.slow_motion),
        steps_left=n_left,
        steps_right=n_right,
        step_time_cv=cv,
        trunk_inclination_deg=float(np.mean(ti)) if ti.size else float("nan"),
        trunk_inclination_note="reported, not flagged: no threshold exists (biomechanics.md §3)",
    )
