"""The per-clip summary of a report: each graded measure per side, each fault's status, and steps."""

from __future__ import annotations

from typing import Any

import numpy as np

from hipform.kinematics.events import Steps
from hipform.kinematics.faults import FAULTS, FaultRule
from hipform.kinematics.frame_measures import SIDES
from hipform.kinematics.grading import STEPS_PER_SIDE, Graded
from hipform.kinematics.movements import Window
from hipform.report import Flag, NotAssessed


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
) -> dict[str, Any]:
    """Per-clip summary: reps averaged per side for each graded measure, and each fault's status.

    ``steps`` are the running steps (None for the other movements); notes about the steps are
    appended to ``notes``.
    """
    measures: dict[str, Any] = {}
    faults: dict[str, Any] = {}
    for rule, rule_blocked, g in zip(rules, blocked, graded, strict=False):
        entry = _measure_entry(rule, rule_blocked, g, windows)
        measures.setdefault(rule.measure, entry)
        f = faults.setdefault(rule.fault, _fault_entry("not_assessed", rule.measure))
        if entry["assessed"]:
            if f["status"] == "not_assessed":
                f["status"] = "not_flagged"
                f["measure"] = rule.measure
                f["mean_by_side"] = entry["mean_by_side"]
            f["reps_assessed"] = max(f["reps_assessed"], int(np.unique(g.rep).size))
    for fault, f in faults.items():
        reps_flagged = {fl.rep for fl in flags if fl.fault == fault and fl.rep is not None}
        f["reps_flagged"] = len(reps_flagged)
        if reps_flagged:
            f["status"] = "flagged"
    for fault in FAULTS:
        faults.setdefault(fault, _fault_entry("not_checked", None))
    out: dict[str, Any] = {
        "n_reps": len(windows),
        "rep_kind": windows[0].kind if windows else ("step" if steps is not None else "rep"),
        "faults": faults,
        "measures": measures,
    }
    if steps is not None:
        out.update(_steps_summary(steps, windows, m, t, fs, notes))
    return out


def _fault_entry(status: str, measure: str | None) -> dict[str, Any]:
    return {"status": status, "measure": measure, "reps_assessed": 0, "reps_flagged": 0, "mean_by_side": {}}


def _measure_entry(rule: FaultRule, blocked: bool, g: Graded, windows: list[Window]) -> dict[str, Any]:
    """One graded measure over the clip: its values per side (count, mean, SD, grade of the mean)."""
    # left / right where the rule or the reps have sides, else "both"; in order of first appearance
    named = rule.per_side or (bool(windows) and windows[0].side is not None)
    key = np.where((g.side >= 0) & named, g.side, 2)
    present, first = np.unique(key, return_index=True)
    by_side = {(*SIDES, "both")[k]: g.value[key == k] for k in present[np.argsort(first)].tolist()}
    return {
        "fault": rule.fault,
        "label": rule.label,
        "unit": rule.unit,
        "phase": rule.phase,
        "assessed": not blocked and bool(g.rep.size),
        "n_by_side": {k: len(v) for k, v in by_side.items()},
        "mean_by_side": {k: float(np.mean(v)) for k, v in by_side.items()},
        "sd_by_side": {k: float(np.std(v, ddof=1)) if len(v) > 1 else None for k, v in by_side.items()},
        "severity_of_mean": {k: rule.severity(float(np.mean(v))) for k, v in by_side.items()},
        "thresholds": {"mild": rule.mild, "marked": rule.marked, "direction": rule.direction},
        "threshold_source": rule.source,
    }


def _steps_summary(
    steps: Steps, windows: list[Window], m: dict[str, np.ndarray], t: np.ndarray, fs: float, notes: list[str]
) -> dict[str, Any]:
    """Running: cadence, steps per side, step-time regularity and trunk inclination (reported only)."""
    out: dict[str, Any] = {
        "cadence_spm": float(steps.cadence_spm),
        "steps_by_side": {"left": int(np.sum(steps.side == 0)), "right": int(np.sum(steps.side == 1))},
    }
    if len(windows) >= 4:
        dts = np.diff(t[[w.start for w in windows]])
        cv = float(np.std(dts) / np.mean(dts)) if np.mean(dts) > 0 else float("inf")
        out["step_time_cv"] = cv
        if cv > 0.35:
            notes.append(
                "Step timing is irregular: the pose model may be mixing up the legs (common side-on or "
                "with a small runner); steps and cadence are approximate."
            )
    ti = m["trunk_inclination_deg"][np.array([w.key for w in windows], dtype=np.int64)]
    ti = ti[np.isfinite(ti)]
    out["trunk_inclination_deg"] = {
        "mean_at_midstance": float(np.mean(ti)) if ti.size else None,
        "note": "reported, not flagged: no threshold exists (biomechanics.md §3)",
    }
    if fs < 60:
        notes.append(
            f"Filmed at {fs:.0f} fps; 60 fps or more is recommended for running (step timing is "
            "less precise, peak angles are little affected)."
        )
    n_min = min(out["steps_by_side"].values())
    if windows and n_min < STEPS_PER_SIDE:
        notes.append(
            f"Only {n_min} step(s) on one side; {STEPS_PER_SIDE} or more per side give a trustworthy average."
        )
    return out
