"""Words and tables for a report: flag rows, rep table, left vs right, fault status.

Everything returns plain Python data (lists of dicts, strings) that
``st.dataframe``/``st.markdown`` show as they are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from hipform import plain
from hipform.kinematics.movements import REGISTRY
from hipform.plain import FAULT_NAMES, MAIN_FAULTS
from hipform.report import Flag, MeasureSummary, NotAssessed, Report, RepResult

SEVERITY_BADGES = {"mild": "mild", "marked": "MARKED"}
STATUS_TEXT = {
    "flagged": "flagged",
    "not_flagged": "not seen",
    "not_assessed": "could not assess",
    "not_checked": "not checked for this movement",
}
#: What the movement menu shows: each movement's own title, and the choice to let hipform recognise it.
MOVEMENT_NAMES = {"auto": "Recognise it for me", **{name: m.title for name, m in REGISTRY.items()}}
VIEW_NAMES = {None: "Let hipform find out", "front": "Front", "rear": "Behind", "side": "Side"}
#: What a table cell says for a value no rule judged in that rep (never its number).
NOT_JUDGED = "not judged"


def fault_name(fault: str) -> str:
    return FAULT_NAMES.get(fault, fault.replace("_", " ").capitalize())


def movement_name(movement: str) -> str:
    return MOVEMENT_NAMES.get(movement, movement.replace("-", " ").capitalize())


def format_value(value: float | None, unit: str) -> str:
    """``14.2°`` degrees, ``0.74`` ratios, ``2`` counts, ``3.1 s`` seconds, ``–`` when missing."""
    if value is None or not math.isfinite(float(value)):
        return "–"
    if unit == "count":
        return f"{float(value):.0f}"
    if unit == "s":
        return f"{float(value):.1f} s"
    return f"{float(value):.1f}°" if unit == "deg" else f"{float(value):.2f}"


def threshold_direction(flag: Flag) -> str:
    """``above`` when larger values are worse, ``below`` when smaller are."""
    return "above" if flag.threshold_marked >= flag.threshold_mild else "below"


def format_thresholds(flag: Flag) -> str:
    """e.g. ``mild ≥ 10.0°, marked ≥ 16.0°`` or ``mild < 90%, marked < 75%``."""
    op = "≥" if threshold_direction(flag) == "above" else "<"
    if flag.unit == "deg":
        mild, marked = (
            format_value(flag.threshold_mild, flag.unit),
            format_value(flag.threshold_marked, flag.unit),
        )
    else:  # a ratio in the measure's own unit (%, times, shoulder widths), not a bare number
        mild = plain.format_amount(flag.measure, flag.threshold_mild, flag.unit, precise=False)
        marked = plain.format_amount(flag.measure, flag.threshold_marked, flag.unit, precise=False)
    return f"mild {op} {mild}, marked {op} {marked}"


def side_name(side: str | None) -> str:
    return {"left": "left", "right": "right"}.get(side or "", "both")


def flag_title(flag: Flag) -> str:
    """One line naming a flag, e.g. ``Rep 3 · left knee collapse · marked · 14.2°``."""
    where = f"Rep {flag.rep}" if flag.rep is not None else "Whole clip"
    side = f"{flag.side} " if flag.side else ""
    value = format_value(flag.value, flag.unit)
    return f"{where} · {side}{fault_name(flag.fault).lower()} · {flag.severity} · {value}"


def flag_sentences(report: Report) -> list[str]:
    """One plain sentence per flag (:func:`hipform.plain.flag_sentence`), led by its rep and severity."""
    kind = report.summary.rep_kind.capitalize()
    out = []
    for f in report.flags:
        where = f"{kind} {f.rep}" if f.rep is not None else "Whole clip"
        badge = SEVERITY_BADGES.get(f.severity, f.severity)
        out.append(f"**{where} · {badge}:** {plain.flag_sentence(f, report.movement.name)}")
    return out


def drift_sentences(report: Report) -> list[str]:
    """A plain sentence per measure that got worse over the set (:func:`hipform.plain.drift_sentence`)."""
    return [plain.drift_sentence(d, report.summary.rep_kind) for d in report.drift]


def flag_rows(report: Report) -> list[dict[str, Any]]:
    """One row per flag for the physios' table (strings, ready to show): the technical measure, its
    value with unit, both lines and where they come from (a ``[J]`` said in words)."""
    rows = []
    for f in report.flags:
        rows.append(
            {
                "Rep": str(f.rep) if f.rep is not None else "clip",
                "Side": side_name(f.side),
                "Fault": fault_name(f.fault),
                "Severity": SEVERITY_BADGES.get(f.severity, f.severity),
                "Measured": plain.describe_value(f.measure, f.value, f.side, f.unit),
                "Threshold": format_thresholds(f),
                "Measure": f.label,
                "Confidence": f"{f.confidence:.0%}",
                "What to do": f.cue,
                "Where the lines come from": plain.judgement_words(f.threshold_source),
            }
        )
    return rows


def flag_details(report: Report) -> list[str]:
    """The physios' view of each flag as a Markdown paragraph (:func:`flag_rows` in words): text that
    wraps at any width, where a table of ten columns is cut off or scrolls on a phone."""
    out = []
    for row in flag_rows(report):
        out.append(
            f"**Rep {row['Rep']} · {row['Side']} · {row['Fault']} · {row['Severity']}**  \n"
            f"{row['Measure']}: **{row['Measured']}** (lines: {row['Threshold']}) · "
            f"{row['Confidence']} sure · what to do: {row['What to do']}  \n"
            f"*Where the lines come from:* {row['Where the lines come from']}"
        )
    return out


def graded_measures(report: Report) -> tuple[MeasureSummary, ...]:
    """The summary of each measure graded for this movement, in table order."""
    return report.summary.measures


def _sides_judged(reps: tuple[RepResult, ...], measure: str) -> list[str | None]:
    """The sides ``measure`` was judged on in any rep: left, right, then no side (none: no column)."""
    found = {v.side for r in reps for v in r.values if v.measure == measure and v.assessed}
    return [side for side in ("left", "right", None) if side in found]


def rep_rows(report: Report) -> list[dict[str, Any]]:
    """One row per rep/step: timing, working side, the graded values and the flags it got.

    A graded measure has a column per side it was judged on in some rep (none when the view or
    the tracking never let it be judged); a rep it was not judged in says "not judged", never a
    number; a one-legged rep leaves the other leg's column out (empty in a table).
    """
    columns = [
        (ms, side) for ms in graded_measures(report) for side in _sides_judged(report.reps, ms.measure)
    ]
    rows = []
    for r in report.reps:
        row: dict[str, Any] = {
            report.reps[0].kind.capitalize() if report.reps else "Rep": r.index,
            "Side": r.side or "both",
            "Start (s)": round(r.t_start_s, 2),
            "Key moment (s)": round(r.t_key_s, 2),
            "End (s)": round(r.t_end_s, 2),
        }
        for ms, side in columns:
            v = r.value_of(ms.measure, side)
            if v is None and side is not None and r.side not in (None, side):
                continue
            col = _short_label(ms.measure) + ("" if side is None else f" ({side})")
            row[col] = format_value(v.value, ms.unit) if v is not None and v.assessed else NOT_JUDGED
        flagged = [f for f in report.flags if f.rep == r.index]
        row["Flags"] = (
            ", ".join(f"{side_name(f.side)} {fault_name(f.fault).lower()} ({f.severity})" for f in flagged)
            or "—"
        )
        rows.append(row)
    return rows


_SHORT = {
    "fppa_deg": "knee angle (FPPA)",
    "knee_separation_rel": "knee width ratio",
    "knee_toe_ratio": "knee over toes ratio",
    "knee_medial_shift_rel": "knee moved in over foot",
    "hip_adduction_deg": "hip adduction",
    "pelvic_drop_deg": "pelvic drop",
    "bridge_hip_line_deg": "hips above line",
    "thigh_past_trunk_deg": "thigh past trunk",
    "trunk_line_change_deg": "trunk line change",
    "trunk_roll_deg": "trunk roll",
    "feet_apart_ratio": "heels apart",
    "knee_opening_deg": "knee opening",
    "pelvis_sway_speed_ratio": "pelvis sway",
    "trunk_lean_stance_deg": "trunk lean",
    "pelvis_opening_deg": "hips opening",
    "hinge_line_deg": "back–leg line",
    "free_foot_clearance_ratio": "free foot height",
    "knee_separation_ratio": "knee ÷ ankle width",
    "knee_width_set_rel": "knee width vs first steps",
    "trunk_sway_range_deg": "trunk sway",
    "hip_rise_set_ratio": "hips risen",
    "step_width_ratio": "feet apart (hip widths)",
    "leg_forward_deg": "leg forward",
    "hip_hike_deg": "hip hike",
}


def _short_label(measure: str) -> str:
    return _SHORT.get(measure, measure.replace("_", " "))


def left_right_rows(report: Report) -> list[dict[str, Any]]:
    """Left vs right per graded measure: mean over reps, reps flagged, and the difference."""
    rows = []
    for ms in graded_measures(report):
        left, right = ms.stats("left"), ms.stats("right")
        if left is None and right is None:
            continue
        unit = ms.unit
        left = left.mean if left is not None else None
        right = right.mean if right is not None else None
        flagged = {
            s: len(
                {f.rep for f in report.flags if f.measure == ms.measure and f.side == s and f.rep is not None}
            )
            for s in ("left", "right")
        }
        diff = (right - left) if left is not None and right is not None else None
        rows.append(
            {
                "Measure": f"{fault_name(ms.fault)}: {plain.measure_name(ms.measure, ms.label)}",
                "Left (mean)": plain.describe_value(ms.measure, left, "left", unit),
                "Right (mean)": plain.describe_value(ms.measure, right, "right", unit),
                "Right − left": plain.format_amount(ms.measure, diff, unit, context=True),
                "Left reps flagged": flagged["left"],
                "Right reps flagged": flagged["right"],
            }
        )
    return rows


@dataclass(frozen=True)
class FaultStatus:
    """How one fault came out, for the summary cards."""

    fault: str
    title: str
    status: str
    text: str
    reps_flagged: int
    reps_assessed: int


def fault_statuses(report: Report, checked_only: bool = False) -> list[FaultStatus]:
    """One entry per fault hipform knows, in a fixed order; with ``checked_only``, the three main
    faults and any other fault this movement checks (a clamshell's own faults only for a clamshell)."""
    out = []
    for fault in FAULT_NAMES:
        info = report.summary.fault(fault)
        status = info.status if info is not None else "not_checked"
        if checked_only and status == "not_checked" and fault not in MAIN_FAULTS:
            continue
        n_flag, n_ass = (info.reps_flagged, info.reps_assessed) if info is not None else (0, 0)
        text = STATUS_TEXT.get(status, status)
        if status == "flagged":
            text = f"flagged in {n_flag} of {n_ass} {_kind_plural(report)}"
        elif status == "not_flagged":
            text = f"not seen in {n_ass} {_kind_plural(report)}"
        out.append(FaultStatus(fault, fault_name(fault), status, text, n_flag, n_ass))
    return out


def _kind_plural(report: Report) -> str:
    return report.summary.rep_kind + "s"


def clip_not_assessed(report: Report) -> list[NotAssessed]:
    """Not-assessed entries for the whole clip (one per fault), then per-rep ones."""
    whole = [n for n in report.not_assessed if n.rep is None]
    return whole + [n for n in report.not_assessed if n.rep is not None]


def headline(report: Report) -> str:
    """One sentence: movement, view, reps, number of flags (or why nothing was judged)."""
    mv = report.movement
    view = plain.VIEW_WORDS.get(report.view, f"{report.view} view")
    if mv.status == "unsure":
        names = " or ".join(f"**{movement_name(m)}**" for m in mv.candidates)
        return f"Not judged: is this a {names}? · {view}"
    if mv.status == "other":
        return f"Not judged: not a movement hipform checks · {view}"
    src = "you named" if mv.status == "named" else f"recognised, {mv.confidence:.0%} sure"
    n = len(report.reps)
    kind = _kind_plural(report) if n != 1 else _kind_plural(report)[:-1]
    flags = len(report.flags)
    return (
        f"**{movement_name(mv.name)}** ({src}) · {view} · {n} {kind} · "
        f"{flags} flag{'s' if flags != 1 else ''}"
    )


def compare_rows(rows: list[dict[str, Any]], label_a: str, label_b: str) -> list[dict[str, Any]]:
    """Rows of :meth:`hipform.history.History.compare` as a table: means, worst reps, flagged reps, change."""
    out = []
    for r in rows:
        unit = r.get("unit", "")
        a, b = r.get("a") or {}, r.get("b") or {}
        out.append(
            {
                "Fault": fault_name(r["fault"]),
                "Measure": plain.measure_name(r["measure"], _short_label(r["measure"])),
                "Side": r["side"],
                f"{label_a}: mean": plain.format_amount(r["measure"], a.get("mean"), unit),
                f"{label_b}: mean": plain.format_amount(r["measure"], b.get("mean"), unit),
                "Change": plain.format_amount(r["measure"], r.get("change"), unit),
                "Better": _better(r["measure"]),
                f"{label_a}: reps flagged": str(a.get("reps_flagged", "–")),
                f"{label_b}: reps flagged": str(b.get("reps_flagged", "–")),
            }
        )
    return out


def _better(measure: str) -> str:
    words = plain.measure_words(measure)
    return words.better if words else ""


def not_assessed_text(item: NotAssessed, movement: str) -> str:
    """A not-assessed entry as one line: fault, where, side and the reason in plain words."""
    where = f" (rep {item.rep})" if item.rep is not None else ""
    side = f" — {item.side} side" if item.side else ""
    return f"**{fault_name(item.fault)}{where}{side}:** {plain.reason_words(item.reason, movement)}"
