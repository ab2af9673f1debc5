"""What hipform found in a clip: reps, flags, what could not be assessed, and the per-frame measures.

:class:`Report` is what ``hipform.kinematics.analyse`` returns, what the CLI
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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np

#: Version of the JSON written by :meth:`Report.to_dict` (semantic: major changes break readers).
SCHEMA_VERSION = "2.3.0"
#: The report's JSON Schema, package data of ``hipform``.
REPORT_SCHEMA_FILE = "report.schema.json"
#: What a per-side summary calls a value read on no one leg (a whole-body measure of two-legged reps).
BOTH = "both"


def value_key(measure: str, side: str | None) -> str:
    """The one name of ``measure`` read on ``side``: in JSON, in the CSV files and in ``Report.measures``.

    ``fppa_deg`` on the left → ``fppa_left_deg`` (degrees keep their unit last);
    ``knee_toe_ratio`` on the left → ``knee_toe_ratio_left``; a value of no one side
    (``side`` None) keeps the measure's own name. Readers never take such a name apart:
    they look values up by (measure, side), and series by this function.
    """
    if side is None:
        return measure
    if measure.endswith("_deg"):
        return f"{measure[: -len('_deg')]}_{side}_deg"
    return f"{measure}_{side}"


def side_label(side: str | None) -> str:
    """``left``, ``right``, or :data:`BOTH` for a value of no one side (the summary's and History's word)."""
    return BOTH if side is None else side


def _side_of(label: str) -> str | None:
    """The side a summary label names (the inverse of :func:`side_label`)."""
    return None if label == BOTH else label


def report_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that :meth:`Report.to_dict` and ``hipform analyse --json`` follow.

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


def _float(x: float | None) -> float:
    """A JSON number back as a float: null (not measurable) is NaN."""
    return float("nan") if x is None else float(x)


@dataclass(frozen=True)
class Interval:
    """Where the true size of a flagged value lies, :attr:`COVERAGE` of the time: ``low`` to ``high``
    (:mod:`hipform.kinematics.reading_error` measures it).

    Attributes
    ----------
    low, high : the bounds, in the measure's unit (floats; arrays of one rule's reps while grading).
    source : how the interval was measured, in words.
    """

    #: Share of the benchmark's readings whose truth lay inside their interval.
    COVERAGE = 0.9

    low: Any
    high: Any
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "low": _num(self.low, 2),
            "high": _num(self.high, 2),
            "coverage": self.COVERAGE,
            "source": self.source,
        }

    def shifted(self, by: float) -> Interval:
        """The same interval about a value ``by`` larger (one rule's band is the same in every rep)."""
        return Interval(self.low + by, self.high + by, self.source)

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Interval | None:
        """The interval of a flag's JSON entry (None: a flag with none, e.g. from a report before 2.3.0)."""
        return None if d is None else cls(_float(d["low"]), _float(d["high"]), d["source"])


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
    interval : where the true size lies, from the measure's measured error (:class:`Interval`);
        None for a clip-level left/right difference (always mild) and a report before 2.3.0.
        A flag is ``marked`` only when its whole interval is past the marked threshold.
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
    interval: Interval | None = None

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
            interval=self.interval.to_dict() if self.interval is not None else None,
        )
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Flag:
        """The flag of one entry of a report JSON's ``flags`` (:meth:`to_dict`; null values become NaN)."""
        return cls(
            fault=d["fault"],
            side=d["side"],
            severity=d["severity"],
            measure=d["measure"],
            label=d["label"],
            value=_float(d["value"]),
            unit=d["unit"],
            threshold=_float(d["threshold"]),
            threshold_mild=_float(d["thresholds"]["mild"]),
            threshold_marked=_float(d["thresholds"]["marked"]),
            threshold_source=d["threshold_source"],
            rep=d["rep"],
            t_start_s=_float(d["t_start_s"]),
            t_end_s=_float(d["t_end_s"]),
            worst_frame=int(d["worst_frame"]),
            confidence=_float(d["confidence"]),
            cue=d["cue"],
            interval=Interval.from_dict(d.get("interval")),
        )


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


class MeasureValue(NamedTuple):  # a tuple: a long running clip makes ~80,000 of them
    """One measure read in one rep, on one side.

    Attributes
    ----------
    measure : the measure's name, unit last (``fppa_deg``, ``knee_toe_ratio``, ``knee_flexion_deg``);
        a graded value carries its fault rule's measure name, as its flags do.
    side : the leg it was read on (``left``/``right``), or None for a whole-body value of a
        two-legged rep; a graded value has its flag's side.
    value : the value in ``unit``; NaN where not measurable.
    unit : ``deg`` or ``ratio`` (dimensionless).
    assessed : a fault rule graded this value in this rep (flags and the summary's means come
        from such values). False for values only reported (knee and hip flexion, the FPPA peak
        and standing baseline, running's trunk inclination) and for graded measures this rep
        could not be judged on (the view, unsteady tracking, hidden landmarks).
    """

    measure: str
    side: str | None
    value: float
    unit: str
    assessed: bool

    @property
    def key(self) -> str:
        """Its name in JSON, the reps CSV and (graded measures) ``Report.measures``: :func:`value_key`."""
        return value_key(self.measure, self.side)

    def to_dict(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "side": self.side,
            "value": _num(self.value),
            "unit": self.unit,
            "assessed": self.assessed,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MeasureValue:
        """The value of one entry of a rep's ``values`` in a report JSON (:meth:`to_dict`)."""
        return cls(d["measure"], d["side"], _float(d["value"]), d["unit"], bool(d["assessed"]))


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
    values : the measures read in this rep, at most one per (measure, side); look one up
        with :meth:`value_of`.
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
    values: tuple[MeasureValue, ...] = ()

    def value_of(self, measure: str, side: str | None = None) -> MeasureValue | None:
        """The value of ``measure`` read on ``side`` (None: of no one side) in this rep, or None."""
        return next((v for v in self.values if v.measure == measure and v.side == side), None)

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
            "values": {v.key: v.to_dict() for v in self.values},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RepResult:
        """The rep of one entry of a report JSON's ``reps`` (:meth:`to_dict`)."""
        return cls(
            index=int(d["rep"]),
            kind=d["kind"],
            side=d["side"],
            start_frame=int(d["start_frame"]),
            key_frame=int(d["key_frame"]),
            end_frame=int(d["end_frame"]),
            t_start_s=_float(d["t_start_s"]),
            t_key_s=_float(d["t_key_s"]),
            t_end_s=_float(d["t_end_s"]),
            values=tuple(MeasureValue.from_dict(v) for v in d["values"].values()),
        )


@dataclass(frozen=True)
class SideStats:
    """A graded measure on one side, over the reps graded on it.

    Attributes
    ----------
    side : ``left``/``right``, or None for a whole-body measure of two-legged reps
        (:data:`BOTH` in JSON).
    n : reps (steps, holds) graded.
    mean : mean value, in the measure's unit.
    sd : standard deviation (ddof 1), None with one rep.
    severity_of_mean : ``mild``, ``marked`` or None: the rule's grade of the mean.
    """

    side: str | None
    n: int
    mean: float
    sd: float | None
    severity_of_mean: str | None


@dataclass(frozen=True)
class MeasureSummary:
    """One graded measure over the clip (an entry of ``summary.measures`` in JSON).

    Attributes
    ----------
    measure : the fault rule's measure name (``fppa_deg``, ``knee_toe_ratio``, …).
    fault : the fault its rule checks.
    label : the measure in words.
    unit : ``deg`` or ``ratio``.
    phase : when in the rep it is read (``bottom``, ``top``, ``hold``, ``midstance``, ``rep``).
    assessed : false when the view does not allow it or no rep could be graded.
    sides : per side, in order of first appearance (empty when nothing was graded).
    mild, marked : the rule's thresholds; direction : ``above`` or ``below`` (which side is a fault).
    threshold_source : where the thresholds come from.
    """

    measure: str
    fault: str
    label: str
    unit: str
    phase: str
    assessed: bool
    sides: tuple[SideStats, ...]
    mild: float
    marked: float
    direction: str
    threshold_source: str

    def stats(self, side: str | None) -> SideStats | None:
        """The values on ``side`` (None: of no one side), or None when none was graded there."""
        return next((s for s in self.sides if s.side == side), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "fault": self.fault,
            "label": self.label,
            "unit": self.unit,
            "phase": self.phase,
            "assessed": self.assessed,
            "n_by_side": {side_label(s.side): s.n for s in self.sides},
            "mean_by_side": {side_label(s.side): _num(s.mean) for s in self.sides},
            "sd_by_side": {side_label(s.side): _num(s.sd) for s in self.sides},
            "severity_of_mean": {side_label(s.side): s.severity_of_mean for s in self.sides},
            "thresholds": {"mild": _num(self.mild), "marked": _num(self.marked), "direction": self.direction},
            "threshold_source": self.threshold_source,
        }

    @classmethod
    def from_dict(cls, measure: str, d: dict[str, Any]) -> MeasureSummary:
        """The entry ``measure`` of a report JSON's ``summary.measures`` (:meth:`to_dict`)."""
        sides = tuple(
            SideStats(
                _side_of(label),
                int(d["n_by_side"][label]),
                _float(mean),
                d["sd_by_side"].get(label),
                d["severity_of_mean"].get(label),
            )
            for label, mean in d["mean_by_side"].items()
        )
        thr = d["thresholds"]
        return cls(
            measure=measure,
            fault=d["fault"],
            label=d["label"],
            unit=d["unit"],
            phase=d["phase"],
            assessed=bool(d["assessed"]),
            sides=sides,
            mild=_float(thr["mild"]),
            marked=_float(thr["marked"]),
            direction=thr["direction"],
            threshold_source=d["threshold_source"],
        )


@dataclass(frozen=True)
class FaultSummary:
    """How one fault came out over the clip (an entry of ``summary.faults`` in JSON).

    Attributes
    ----------
    fault : ``knee_collapse``, ``pelvic_drop`` or ``back_arch``.
    status : ``flagged``, ``not_flagged`` (assessed, nothing found), ``not_assessed`` or
        ``not_checked`` (the movement has no rule for it).
    measure : the graded measure the entry comes from; None when not checked.
    reps_assessed : reps (steps, holds) graded; reps_flagged : reps with a flag of this fault.
    sides : that measure's values per side (empty unless assessed).
    """

    fault: str
    status: str
    measure: str | None
    reps_assessed: int
    reps_flagged: int
    sides: tuple[SideStats, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "measure": self.measure,
            "reps_assessed": self.reps_assessed,
            "reps_flagged": self.reps_flagged,
            "mean_by_side": {side_label(s.side): _num(s.mean) for s in self.sides},
        }


@dataclass(frozen=True)
class StepSummary:
    """Running: cadence, steps per side, step-time regularity and trunk inclination (reported only).

    Attributes
    ----------
    cadence_spm : steps per minute of clip time (NaN: fewer than 6 clean intervals).
    cadence_ci_spm : its 95% interval (low, high); NaN without a cadence.
    cadence_intervals : clean step intervals the cadence comes from.
    slow_motion : the step rate in clip time is below a runner's (the clip plays slowed down).
    steps_left, steps_right : steps on each stance leg.
    step_time_cv : coefficient of variation of the step times; None with fewer than 4 steps
        (then not written), infinite when the steps have no duration.
    trunk_inclination_deg : mean trunk inclination at midstance (NaN: not measurable).
    trunk_inclination_note : why it is not flagged.
    """

    cadence_spm: float
    cadence_ci_spm: tuple[float, float]
    cadence_intervals: int
    slow_motion: bool
    steps_left: int
    steps_right: int
    step_time_cv: float | None
    trunk_inclination_deg: float
    trunk_inclination_note: str

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "cadence_spm": _num(self.cadence_spm),
            "cadence_ci_spm": [_num(v) for v in self.cadence_ci_spm]
            if math.isfinite(self.cadence_spm)
            else None,
            "cadence_intervals": self.cadence_intervals,
            "slow_motion": self.slow_motion,
            "steps_by_side": {"left": self.steps_left, "right": self.steps_right},
        }
        if self.step_time_cv is not None:
            out["step_time_cv"] = _num(self.step_time_cv)
        out["trunk_inclination_deg"] = {
            "mean_at_midstance": _num(self.trunk_inclination_deg),
            "note": self.trunk_inclination_note,
        }
        return out


@dataclass(frozen=True)
class ReportSummary:
    """The clip at a glance: each fault's status and each graded measure averaged per side.

    Attributes
    ----------
    n_reps : reps, steps or holds found.
    rep_kind : ``rep``, ``step`` or ``hold``.
    faults : one per fault hipform knows (those the movement checks first, in rule order).
    measures : one per measure the movement's rules grade, in rule order.
    steps : running only: cadence and steps (None for the other movements).
    """

    n_reps: int
    rep_kind: str
    faults: tuple[FaultSummary, ...]
    measures: tuple[MeasureSummary, ...]
    steps: StepSummary | None = None

    def fault(self, fault: str) -> FaultSummary | None:
        """The entry of ``fault``, or None."""
        return next((f for f in self.faults if f.fault == fault), None)

    def measure(self, measure: str) -> MeasureSummary | None:
        """The entry of the graded ``measure``, or None when the movement does not grade it."""
        return next((m for m in self.measures if m.measure == measure), None)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "n_reps": self.n_reps,
            "rep_kind": self.rep_kind,
            "faults": {f.fault: f.to_dict() for f in self.faults},
            "measures": {m.measure: m.to_dict() for m in self.measures},
        }
        if self.steps is not None:
            out.update(self.steps.to_dict())
        return out


@dataclass(frozen=True)
class Drift:
    """Form that got worse over the set: a graded measure's last third of reps against its first
    (:func:`hipform.kinematics.fatigue.detect_drift`).

    Attributes
    ----------
    fault : the fault its rule checks.
    measure : the graded measure (e.g. ``fppa_deg``); label : the measure in words.
    side : the leg (``left``/``right``), or None for a whole-body value.
    unit : ``deg`` or ``ratio``.
    early_reps, late_reps : the 1-based reps of the first and the last third graded on that side.
    early_mean, late_mean : the measure's mean over each, in ``unit``.
    difference : how much further into the fault the late reps are, in ``unit`` (positive: late −
        early for a fault above its lines, early − late for one below).
    sdd : the smallest detectable difference it exceeds, in ``unit``; sdd_source : where it comes
        from (``[J]``: a judgement call).
    """

    fault: str
    measure: str
    label: str
    side: str | None
    unit: str
    early_reps: tuple[int, ...]
    late_reps: tuple[int, ...]
    early_mean: float
    late_mean: float
    difference: float
    sdd: float
    sdd_source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "fault": self.fault,
            "measure": self.measure,
            "label": self.label,
            "side": self.side,
            "unit": self.unit,
            "early_reps": list(self.early_reps),
            "late_reps": list(self.late_reps),
            "early_mean": _num(self.early_mean),
            "late_mean": _num(self.late_mean),
            "difference": _num(self.difference),
            "sdd": _num(self.sdd),
            "sdd_source": self.sdd_source,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Drift:
        """The drift of one entry of a report JSON's ``drift`` (:meth:`to_dict`)."""
        return cls(
            fault=d["fault"],
            measure=d["measure"],
            label=d["label"],
            side=d["side"],
            unit=d["unit"],
            early_reps=tuple(int(r) for r in d["early_reps"]),
            late_reps=tuple(int(r) for r in d["late_reps"]),
            early_mean=_float(d["early_mean"]),
            late_mean=_float(d["late_mean"]),
            difference=_float(d["difference"]),
            sdd=_float(d["sdd"]),
            sdd_source=d["sdd_source"],
        )


@dataclass(frozen=True)
class MovementChoice:
    """Which movement a report judges, and how it was chosen.

    Attributes
    ----------
    name : the movement (the best-fitting one when hipform is not sure).
    status : ``named`` (the user said), ``sure`` (recognised), ``unsure`` (two movements fit:
        nothing is judged until the user names one) or ``other`` (no movement hipform checks
        fits: nothing is judged).
    confidence : how stable the recognition is, 0–1 (1 when named): the share of repeats with
        jittered features that name the same movement, scaled down for a partial fit.
    candidates : the movements that fit, best first (two when unsure).
    scores : movement → recognition score of the clip, 0–1 (empty when named).
    """

    name: str
    status: Literal["named", "sure", "unsure", "other"]
    confidence: float
    candidates: tuple[str, ...] = ()
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def judged(self) -> bool:
        """The clip is judged as ``name`` (named by the user, or recognised with certainty)."""
        return self.status in ("named", "sure")

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "confidence": _num(self.confidence, 2),
            "candidates": list(self.candidates),
            "scores": {k: _num(v, 2) for k, v in self.scores.items()},
        }


@dataclass(frozen=True, eq=False)
class Report:
    """Everything hipform found in one clip.

    Attributes
    ----------
    movement : which movement is judged and how it was chosen (named, recognised with
        certainty, or — judging nothing — unsure or not a movement hipform checks).
    view : ``front``, ``rear``, ``side``, ``oblique`` or ``unknown``.
    view_confidence : fraction of frames whose own view agrees, 0–1.
    facing : ``camera``, ``away``, ``image-left``, ``image-right`` or ``unknown``.
    view_yaw_deg : median body yaw against the camera axis (0 square-on, 90 side-on).
    source : input file name.
    n_frames, fps, duration_s : the clip.
    reps : per rep / step / hold results, in time order: a tuple, or a sequence equal to one
        whose records are made when first read (``analyse``'s
        :class:`~hipform.kinematics.rep_values.RepTable`).
    flags : faults found (per rep, plus clip-level asymmetry flags with ``rep`` None).
    not_assessed : faults that could not be judged, with the reason.
    summary : per-clip summary: each fault's status, each graded measure per side, running's steps.
    notes : plain-language remarks (e.g. low frame rate, fixed left/right swaps).
    t_s : (T,) frame times, seconds.
    measures : per-frame series, name → (T,) float array (NaN where not measurable), a dict or a
        mapping that computes each series when first read (``analyse``'s
        :class:`~hipform.kinematics.lazy_series.LazySeries`); names carry their unit (``_deg``,
        ``_ratio``, ``_rel``). A graded measure's series on
        a side is named :func:`value_key` (measure, side) and passes through its flags' values
        (except where a rule reads a median or a change within the rep).
    drift : form that got worse over the set (fatigue drift), per measure and side; empty when
        none was found or the set had too few reps to tell (a note says which).
    """

    movement: MovementChoice
    view: str
    view_confidence: float
    facing: str
    view_yaw_deg: float
    source: str
    n_frames: int
    fps: float
    duration_s: float
    reps: Sequence[RepResult]
    flags: tuple[Flag, ...]
    not_assessed: tuple[NotAssessed, ...]
    summary: ReportSummary
    notes: tuple[str, ...]
    t_s: np.ndarray
    measures: Mapping[str, np.ndarray]
    drift: tuple[Drift, ...] = ()
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
            "movement": self.movement.to_dict(),
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
            "summary": self.summary.to_dict(),
            "notes": list(self.notes),
            "measures": sorted(self.measures),
            "drift": [d.to_dict() for d in self.drift],
        }

    def summary_lines(self) -> list[str]:
        """A short, readable summary table (plain text lines) for a terminal."""
        mv = self.movement
        clip = (
            f"{self.view} view ({self.view_confidence:.0%}), {self.n_frames} frames, {self.duration_s:.1f} s"
        )
        if not mv.judged:
            return [f"{self.source or 'clip'}: {clip}", f"  not judged: {self.not_assessed[0].reason}"] + [
                f"  note: {note}" for note in self.notes
            ]
        how = "named" if mv.status == "named" else f"recognised, {mv.confidence:.0%} sure"
        lines = [f"{self.source or 'clip'}: {mv.name} ({how}), {clip}"]
        kind = "steps" if self.summary.steps is not None else "reps"
        line = f"{len(self.reps)} {kind}"
        steps = self.summary.steps
        if steps is not None and math.isfinite(steps.cadence_spm):
            lo, hi = steps.cadence_ci_spm
            clock = " of clip time (slow motion)" if steps.slow_motion else ""
            line += f", cadence {steps.cadence_spm:.0f} steps/min{clock} (95%: {lo:.0f}–{hi:.0f})"
        lines.append(line)
        lines.append(f"{'fault':<15}{'status':<15}{'reps flagged':<14}{'mean value':<20}")
        for f in self.summary.faults:
            vals = ", ".join(f"{side_label(s.side)} {s.mean:.2f}" for s in f.sides)
            lines.append(f"{f.fault:<15}{f.status:<15}{f.reps_flagged:<14}{vals:<20}")
        for f in self.flags:
            unit = "°" if f.unit == "deg" else ""
            where = f"rep {f.rep}" if f.rep is not None else "clip"
            side = f"{f.side} " if f.side else ""
            lines.append(
                f"  {where}: {side}{f.fault.replace('_', ' ')} {f.severity} — {f.value:.2f}{unit} "
                f"(threshold {f.threshold:g}{unit}, {f.confidence:.0%} sure) → {f.cue}"
            )
        for d in self.drift:
            unit = "°" if d.unit == "deg" else ""
            side = f"{d.side} " if d.side else ""
            reps = f"reps {_reps_span(d.early_reps)} → {_reps_span(d.late_reps)}"
            lines.append(
                f"  drift: {side}{d.measure} {d.early_mean:.2f} → {d.late_mean:.2f}{unit} "
                f"({reps}, worse by {d.difference:.2f}{unit} > SDD {d.sdd:g}{unit})"
            )
        for na in self.not_assessed:
            if na.rep is None:
                lines.append(f"  not assessed: {na.fault.replace('_', ' ')} — {na.reason}")
        for note in self.notes:
            lines.append(f"  note: {note}")
        return lines


def _reps_span(reps: tuple[int, ...]) -> str:
    """``1–3`` for consecutive reps, else ``1, 3, 5``."""
    consecutive = len(reps) > 1 and all(b - a == 1 for a, b in zip(reps, reps[1:], strict=False))
    return f"{reps[0]}–{reps[-1]}" if consecutive else ", ".join(map(str, reps))


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
    """Write one row per rep/step: timing, side, the measures read (one column per :attr:`MeasureValue.key`,
    sorted), and the flags it got."""
    path = Path(path)
    keys = sorted({v.key for r in report.reps for v in r.values})
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["rep", "kind", "side", "t_start_s", "t_key_s", "t_end_s", "key_frame", *keys, "flags"])
        for r in report.reps:
            flags = "; ".join(
                f"{f.fault}:{f.side or 'both'}:{f.severity}" for f in report.flags if f.rep == r.index
            )
            by_key = {v.key: v.value for v in r.values}
            vals = [by_key.get(k, float("nan")) for k in keys]
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


# ---------------------------------------------------------------- reports of an older schema version
#: Per-frame series renamed in 2.0.0 (old name → new) so that :func:`value_key` names a graded
#: measure's series: ``fppa_left_deg`` is now the graded (relative to standing) FPPA.
SERIES_RENAMED_IN_2_0_0 = {
    "fppa_left_deg": "fppa_raw_left_deg",
    "fppa_right_deg": "fppa_raw_right_deg",
    "fppa_graded_left_deg": "fppa_left_deg",
    "fppa_graded_right_deg": "fppa_right_deg",
    "pelvic_drop_stance_left_deg": "pelvic_drop_left_deg",
    "pelvic_drop_stance_right_deg": "pelvic_drop_right_deg",
}
#: Values 1.0.0 reported but never graded, and the legs each was read on: ``each`` leg (named
#: ``value_key(measure, side)``), the rep's ``working`` leg (the bare name), or neither (the
#: whole body, the bare name).
_REPORTED_1_0_0: dict[str, frozenset[str]] = {
    "knee_flexion_deg": frozenset({"each"}),
    "hip_flexion_deg": frozenset({"each"}),
    "fppa_peak_deg": frozenset({"working"}),
    "fppa_standing_deg": frozenset({"working"}),
    "trunk_inclination_deg": frozenset(),
}


def upgrade_report_dict(data: dict[str, Any]) -> dict[str, Any]:
    """A report JSON of any schema version hipform wrote, as :data:`SCHEMA_VERSION` writes it.

    2.2.0 → 2.3.0: each flag's ``interval`` is null (2.3.0 added the interval of the true size,
    and calls a flag marked only when all of it is past the marked line; an older report's
    severities are kept as they were judged).
    2.1.0 → 2.2.0: an empty ``drift`` list (2.2.0 added fatigue drift; an older report never
    looked for it).
    2.0.0 → 2.1.0: nothing to change (2.1.0 added movements, faults, measures and the units
    ``count`` and ``s``; a 2.0.0 report is a valid 2.1.0 one).
    1.0.0 → 2.0.0 (docs/report-schema.md, "Migration from 1.0.0"): ``exercise``,
    ``exercise_confidence``, ``exercise_source`` and ``exercise_scores`` become one ``movement``
    record (:class:`MovementChoice`); each rep's ``values``
    number becomes a record (measure, side, value, unit, assessed) under its :func:`value_key`,
    and ``measures`` names the renamed per-frame series (:data:`SERIES_RENAMED_IN_2_0_0`).
    ``assessed`` is rebuilt from the summary and the per-rep ``not_assessed`` entries.
    The old names are matched against the names 1.0.0 built, never taken apart.

    Returns
    -------
    dict
        A new dict (``data`` is left as it is); ``data`` itself when already current.

    Raises
    ------
    ValueError
        An unknown schema version, or a 1.0.0 rep value 1.0.0 could not have written.
    """
    version = data.get("schema_version")
    if version == SCHEMA_VERSION:
        return data
    if version in ("2.0.0", "2.1.0", "2.2.0"):  # since then vocabulary, the drift list, flag intervals
        flags = [{**f, "interval": None} for f in data.get("flags") or []]
        return {**data, "schema_version": SCHEMA_VERSION, "drift": data.get("drift", []), "flags": flags}
    if version != "1.0.0":
        raise ValueError(
            f"cannot read a report of schema version {version!r} (hipform writes {SCHEMA_VERSION})"
        )
    out = {k: v for k, v in data.items() if not k.startswith("exercise")}
    out["schema_version"] = SCHEMA_VERSION
    out["drift"] = []
    out["flags"] = [{**f, "interval": None} for f in data.get("flags") or []]
    named = data.get("exercise_source") == "user"
    out["movement"] = {
        "name": data.get("exercise"),
        # 1.0.0 judged every clip it recognised, however unsure: it said so in a note only
        "status": "named" if named else "sure",
        "confidence": data.get("exercise_confidence"),
        "candidates": [] if named else [data.get("exercise")],
        "scores": data.get("exercise_scores") or {},
    }
    out["reps"] = [{**rep, "values": _values_from_1_0_0(rep, data)} for rep in data.get("reps") or []]
    out["measures"] = sorted(SERIES_RENAMED_IN_2_0_0.get(name, name) for name in data.get("measures") or [])
    return out


def _values_from_1_0_0(rep: dict[str, Any], report: dict[str, Any]) -> dict[str, Any]:
    """A 1.0.0 rep's ``values`` (name → number) as 2.0.0 records.

    A graded value counts as assessed when its measure was assessed in the clip, the value was
    measurable, and no per-rep ``not_assessed`` entry about it names this rep: an entry of its
    fault on its side or on no side, unless the entry's reason names another measure's label
    (1.0.0 wrote ``"<label>: key landmarks not visible in rep N"`` for one rule).
    """
    graded = (report.get("summary") or {}).get("measures") or {}
    working = rep.get("side")
    # every name 1.0.0 gave a value → (measure, side): a graded measure read per leg on a two-legged
    # rep was named value_key(measure, side); read on one leg of a one-legged rep, or on the whole
    # body of a two-legged one, it kept its bare name
    legs = {**dict.fromkeys(graded, frozenset({"each", "working"})), **_REPORTED_1_0_0}
    names: dict[str, tuple[str, str | None]] = {}
    for measure, read_on in legs.items():
        if "each" in read_on:
            names.update({value_key(measure, side): (measure, side) for side in ("left", "right")})
        if "working" in read_on:
            names[measure] = (measure, working)
        elif not read_on:
            names[measure] = (measure, None)
    skipped = [na for na in report.get("not_assessed") or [] if na.get("rep") == rep["rep"]]

    def judged(measure: str, side: str | None) -> bool:
        others = [f"{info['label']}:" for name, info in graded.items() if name != measure]
        return not any(
            na["fault"] == graded[measure]["fault"]
            and na["side"] in (None, side)
            and not na["reason"].startswith(tuple(others))
            for na in skipped
        )

    out = {}
    for name, number in rep["values"].items():
        if name not in names:
            raise ValueError(f"rep {rep['rep']}: {name!r} is not a value hipform 1.0.0 reported")
        measure, side = names[name]
        info = graded.get(measure)
        assessed = (
            info is not None and bool(info["assessed"]) and number is not None and judged(measure, side)
        )
        value = MeasureValue(measure, side, _float(number), info["unit"] if info else "deg", assessed)
        out[value.key] = value.to_dict()
    return out
