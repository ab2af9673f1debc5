"""What hipform found in a clip: reps, flags, what could not be assessed, and the per-frame measures.

:class:`Report` is what ``hipform.kinematics.analyze`` returns, what the CLI
prints and the app shows. ``Report.to_dict()`` follows the JSON Schema
(draft 2020-12) shipped beside this module, ``report.schema.json``
(:func:`report_json_schema`), which ``docs/report-schema.md`` describes for
people; change the schema, its version (:data:`SCHEMA_VERSION`, the schema's
``schema_version`` const) and the document together.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

#: Version of the JSON written by :meth:`Report.to_dict` (semantic: major changes break readers).
SCHEMA_VERSION = "1.0.0"
#: The report's JSON Schema, package data of ``hipform``.
REPORT_SCHEMA_FILE = "report.schema.json"


def report_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that :meth:`Report.to_dict` and ``hipform analyze --json`` follow.

    Returns
    -------
    dict
        A fresh copy of ``hipform/report.schema.json``, ready for ``jsonschema.validate``.
    """
    return json.loads(resources.files("hipform").joinpath(REPORT_SCHEMA_FILE).read_text("utf-8"))


def _num(x: Any, nd: int = 3) -> float | None:
    """JSON-safe rounded float (None for NaN/inf/None)."""
    if x is None:
        return None
    x = float(x)
    return round(x, nd) if math.isfinite(x) else None


@dataclass(frozen=True)
class Flag:
    """One fault seen in one rep (or step), or a clip-level asymmetry (``rep`` None).

    Attributes
    ----------
    fault : ``knee_collapse``, ``pelvic_drop`` or ``back_arch``.
    side : ``left``, ``right`` or None (both sides / whole body).
    severity : ``mild`` or ``marked``.
    measure : name of the graded measure (e.g. ``fppa_deg``).
    label : the measure in words.
    value : the graded value, in ``unit``.
    unit : ``deg`` or ``ratio``.
    threshold : the threshold the value passed (the mild or marked one, whichever ``severity`` says).
    threshold_mild, threshold_marked : both thresholds of the rule.
    threshold_source : where the thresholds come from.
    rep : 1-based rep/step number, None for clip-level flags.
    t_start_s, t_end_s : time span of the rep (seconds from clip start).
    worst_frame : frame index where the value was read (the worst moment).
    confidence : 0–1, how sure hipform is (landmark visibility, view, margin over the threshold).
    cue : what to do about it.
    """

    fault: str
    side: str | None
    severity: str
    measure: str
    label: str
    value: float
    unit: str
    threshold: float
    threshold_mild: float
    threshold_marked: float
    threshold_source: str
    rep: int | None
    t_start_s: float
    t_end_s: float
    worst_frame: int
    confidence: float
    cue: str

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "fault": self.fault,
            "side": self.side,
            "severity": self.severity,
            "measure": self.measure,
            "label": self.label,
            "value": _num(self.value),
            "unit": self.unit,
        }
        if self.unit == "deg":
            d["value_deg"] = _num(self.value)
        d.update(
            threshold=_num(self.threshold),
            thresholds={"mild": _num(self.threshold_mild), "marked": _num(self.threshold_marked)},
            threshold_source=self.threshold_source,
            rep=self.rep,
            t_start_s=_num(self.t_start_s),
            t_end_s=_num(self.t_end_s),
            worst_frame=int(self.worst_frame),
            confidence=_num(self.confidence, 2),
            cue=self.cue,
        )
        return d


@dataclass(frozen=True)
class NotAssessed:
    """A fault hipform could not judge, and why.

    Attributes
    ----------
    fault : ``knee_collapse``, ``pelvic_drop`` or ``back_arch``.
    reason : one sentence for a person.
    side : ``left``/``right`` when only one side is affected, else None.
    rep : 1-based rep number when only one rep is affected, else None (whole clip).
    setup : camera set-up that would allow it, or "" when the view is not the problem.
    """

    fault: str
    reason: str
    side: str | None = None
    rep: int | None = None
    setup: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "fault": self.fault,
            "reason": self.reason,
            "side": self.side,
            "rep": self.rep,
            "setup": self.setup,
        }


@dataclass(frozen=True)
class RepResult:
    """One rep (strength movements), step (running) or hold (single-leg balance).

    Attributes
    ----------
    index : 1-based number.
    kind : ``rep``, ``step`` or ``hold``.
    side : stance / working leg (``left``/``right``) or None for two-legged movements.
    start_frame, key_frame, end_frame : frame indices (key = the moment that matters:
        bottom of a squat, top of a bridge, midstance of a step).
    t_start_s, t_key_s, t_end_s : the same as times, seconds.
    values : measures read for this rep, name → value (units in the name;
        ``_ratio``/``_rel`` are dimensionless); NaN where not measurable.
    """

    index: int
    kind: str
    side: str | None
    start_frame: int
    key_frame: int
    end_frame: int
    t_start_s: float
    t_key_s: float
    t_end_s: float
    values: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rep": self.index,
            "kind": self.kind,
            "side": self.side,
            "start_frame": self.start_frame,
            "key_frame": self.key_frame,
            "end_frame": self.end_frame,
            "t_start_s": _num(self.t_start_s),
            "t_key_s": _num(self.t_key_s),
            "t_end_s": _num(self.t_end_s),
            "values": {k: _num(v) for k, v in self.values.items()},
        }


@dataclass(frozen=True, eq=False)
class Report:
    """Everything hipform found in one clip.

    Attributes
    ----------
    exercise : one of the eight movement names.
    exercise_confidence : 0–1 (1 when the user named the movement).
    exercise_source : ``user`` or ``auto``.
    exercise_scores : auto-recognition score per movement (empty when named).
    view : ``front``, ``rear``, ``side``, ``oblique`` or ``unknown``.
    view_confidence : fraction of frames whose own view agrees, 0–1.
    facing : ``camera``, ``away``, ``image-left``, ``image-right`` or ``unknown``.
    view_yaw_deg : median body yaw against the camera axis (0 square-on, 90 side-on).
    source : input file name.
    n_frames, fps, duration_s : the clip.
    reps : per rep / step / hold results, in time order.
    flags : faults found (per rep, plus clip-level asymmetry flags with ``rep`` None).
    not_assessed : faults that could not be judged, with the reason.
    summary : per-clip summary (see docs/report-schema.md and :func:`report_json_schema`).
    notes : plain-language remarks (e.g. low frame rate, fixed left/right swaps).
    t_s : (T,) frame times, seconds.
    measures : per-frame series, name → (T,) float array (NaN where not measurable);
        names carry their unit (``_deg``, ``_ratio``, ``_rel``).
    """

    exercise: str
    exercise_confidence: float
    exercise_source: str
    exercise_scores: dict[str, float]
    view: str
    view_confidence: float
    facing: str
    view_yaw_deg: float
    source: str
    n_frames: int
    fps: float
    duration_s: float
    reps: tuple[RepResult, ...]
    flags: tuple[Flag, ...]
    not_assessed: tuple[NotAssessed, ...]
    summary: dict[str, Any]
    notes: tuple[str, ...]
    t_s: np.ndarray
    measures: dict[str, np.ndarray]
    schema_version: str = SCHEMA_VERSION

    def flags_for(self, fault: str, side: str | None = None) -> list[Flag]:
        """Flags of one fault (optionally one side)."""
        return [f for f in self.flags if f.fault == fault and (side is None or f.side == side)]

    def is_assessed(self, fault: str) -> bool:
        """False when the fault was not assessed for the whole clip."""
        return not any(na.fault == fault and na.rep is None and na.side is None for na in self.not_assessed)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (:func:`report_json_schema`); per-frame measures excluded."""
        return {
            "schema_version": self.schema_version,
            "source": self.source,
            "exercise": self.exercise,
            "exercise_confidence": _num(self.exercise_confidence, 2),
            "exercise_source": self.exercise_source,
            "exercise_scores": {k: _num(v, 2) for k, v in self.exercise_scores.items()},
            "view": self.view,
            "view_confidence": _num(self.view_confidence, 2),
            "facing": self.facing,
            "view_yaw_deg": _num(self.view_yaw_deg, 1),
            "clip": {
                "n_frames": self.n_frames,
                "fps": _num(self.fps, 3),
                "duration_s": _num(self.duration_s),
            },
            "reps": [r.to_dict() for r in self.reps],
            "flags": [f.to_dict() for f in self.flags],
            "not_assessed": [n.to_dict() for n in self.not_assessed],
            "summary": _jsonable(self.summary),
            "notes": list(self.notes),
            "measures": sorted(self.measures),
        }

    def summary_lines(self) -> list[str]:
        """A short, readable summary table (plain text lines) for a terminal."""
        how = "named" if self.exercise_source == "user" else "recognised"
        lines = [
            f"{self.source or 'clip'}: {self.exercise} ({how}"
            f", {self.exercise_confidence:.0%} sure), {self.view} view ({self.view_confidence:.0%}), "
            f"{self.n_frames} frames, {self.duration_s:.1f} s",
        ]
        kind = "steps" if self.exercise == "running" else "reps"
        line = f"{len(self.reps)} {kind}"
        cad = self.summary.get("cadence_spm")
        if cad is not None and isinstance(cad, float) and math.isfinite(cad):
            line += f", cadence {cad:.0f} steps/min"
        lines.append(line)
        faults = self.summary.get("faults", {})
        lines.append(f"{'fault':<15}{'status':<15}{'reps flagged':<14}{'mean value':<20}")
        for name, info in faults.items():
            mean = info.get("mean_by_side", {})
            vals = ", ".join(f"{k} {v:.2f}" if v is not None else f"{k} –" for k, v in mean.items())
            lines.append(f"{name:<15}{info.get('status', ''):<15}{info.get('reps_flagged', 0):<14}{vals:<20}")
        for f in self.flags:
            unit = "°" if f.unit == "deg" else ""
            where = f"rep {f.rep}" if f.rep is not None else "clip"
            side = f"{f.side} " if f.side else ""
            lines.append(
                f"  {where}: {side}{f.fault.replace('_', ' ')} {f.severity} — {f.value:.2f}{unit} "
                f"(threshold {f.threshold:g}{unit}, {f.confidence:.0%} sure) → {f.cue}"
            )
        for na in self.not_assessed:
            if na.rep is None:
                lines.append(f"  not assessed: {na.fault.replace('_', ' ')} — {na.reason}")
        for note in self.notes:
            lines.append(f"  note: {note}")
        return lines


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return _num(obj)
    return obj


def save_report_json(report: Report, path: str | Path) -> Path:
    """Write ``report.to_dict()`` as indented UTF-8 JSON; returns the path."""
    path = Path(path)
    path.write_text(
        json.dumps(report.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n", "utf-8"
    )
    return path


def save_measures_csv(report: Report, path: str | Path) -> Path:
    """Write the per-frame measures: ``frame``, ``t_s``, one column per measure (empty = not measurable)."""
    path = Path(path)
    names = sorted(report.measures)
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["frame", "t_s", *names])
        cols = [np.asarray(report.measures[n], dtype=np.float64) for n in names]
        for i in range(report.n_frames):
            row = [str(i), f"{float(report.t_s[i]):.6f}"]
            row += ["" if not math.isfinite(c[i]) else f"{c[i]:.4f}" for c in cols]
            w.writerow(row)
    return path


def save_reps_csv(report: Report, path: str | Path) -> Path:
    """Write one row per rep/step: timing, side, the measures read, and the flags it got."""
    path = Path(path)
    keys = sorted({k for r in report.reps for k in r.values})
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["rep", "kind", "side", "t_start_s", "t_key_s", "t_end_s", "key_frame", *keys, "flags"])
        for r in report.reps:
            flags = "; ".join(
                f"{f.fault}:{f.side or 'both'}:{f.severity}" for f in report.flags if f.rep == r.index
            )
            vals = [r.values.get(k, float("nan")) for k in keys]
            w.writerow(
                [
                    r.index,
                    r.kind,
                    r.side or "",
                    f"{r.t_start_s:.3f}",
                    f"{r.t_key_s:.3f}",
                    f"{r.t_end_s:.3f}",
                    r.key_frame,
                ]
                + ["" if not math.isfinite(v) else f"{v:.4f}" for v in vals]
                + [flags]
            )
    return path
