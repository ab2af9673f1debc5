"""Words and tables for a report: flag rows, rep table, left vs right, fault status.

Everything returns plain Python data (lists of dicts, strings) that tables and ``st.markdown``
show as they are; every number carries its unit (in the cell, or in words in its column's name).
"""

from __future__ import annotations

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


def unit_words(measure: str, unit: str) -> str:
    """The unit of a measure's values in words, for a table column or a plot axis.

    From the report's unit (``deg``, ``ratio``, ``s``, ``count``) and, for a ratio, the measure's
    own words in :data:`hipform.plain.MEASURE_WORDS` (how its values are shown and what they are
    a part of): ``degrees``, ``% of standing width``, ``% of leg length per second``,
    ``shoulder widths``, ``times your hip width``, ``seconds``.
    """
    if unit in ("deg", "s", "count"):
        return {"deg": "degrees", "s": "seconds", "count": "count"}[unit]
    words = plain.measure_words(measure)
    context = words.context.strip() if words else ""
    kind = words.unit if words else "times"  # a ratio hipform has no words for reads "2.1 times"
    if kind == "shoulder_widths":
        return "shoulder widths"
    return f"{'%' if kind == 'percent' else 'times'} {context}".strip()


def rep_column(measure: str, side: str | None, unit: str) -> str:
    """A rep table's column: the measure in plain words, its side and its unit in words, e.g.
    ``knee angle in (left, degrees)`` or ``knee width (% of standing width)``."""
    where = "" if side is None else f"{side}, "
    return f"{plain.measure_name(measure)} ({where}{unit_words(measure, unit)})"


def threshold_direction(flag: Flag) -> str:
    """``above`` when larger values are worse, ``below`` when smaller are."""
    return "above" if flag.threshold_marked >= flag.threshold_mild else "below"


def format_thresholds(flag: Flag) -> str:
    """e.g. ``mild ≥ 10.0°, marked ≥ 16.0°`` or ``mild < 90%, marked < 75%``."""
    op = "≥" if threshold_direction(flag) == "above" else "<"
    # each line in the measure's own unit (°, %, times, shoulder widths), never a bare number
    mild = plain.format_amount(flag.measure, flag.threshold_mild, flag.unit, precise=False)
    marked = plain.format_amount(flag.measure, flag.threshold_marked, flag.unit, precise=False)
    return f"mild {op} {mild}, marked {op} {marked}"


def side_name(side: str | None) -> str:
    return {"left": "left", "right": "right"}.get(side or "", "both")


def flag_title(flag: Flag) -> str:
    """One line naming a flag, e.g. ``Rep 3 · left knee collapse · marked · 14.2°`` (a ratio: ``74%``)."""
    where = f"Rep {flag.rep}" if flag.rep is not None else "Whole clip"
    side = f"{flag.side} " if flag.side else ""
    value = plain.format_amount(flag.measure, flag.value, flag.unit)
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
                "Likely true size": plain.interval_words(f),
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
            f"{row['Measure']}: **{row['Measured']}**, true size likely {row['Likely true size']} "
            f"(lines: {row['Threshold']}) · "
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
            "Start (seconds)": round(r.t_start_s, 2),
            "Key moment (seconds)": round(r.t_key_s, 2),
            "End (seconds)": round(r.t_end_s, 2),
        }
        for ms, side in columns:
            v = r.value_of(ms.measure, side)
            if v is None and side is not None and r.side not in (None, side):
                continue
            judged = v is not None and v.assessed
            value = plain.format_amount(ms.measure, v.value, ms.unit) if judged else NOT_JUDGED
            row[rep_column(ms.measure, side, ms.unit)] = value
        flagged = [f for f in report.flags if f.rep == r.index]
        row["Flags"] = (
            ", ".join(f"{side_name(f.side)} {fault_name(f.fault).lower()} ({f.severity})" for f in flagged)
            or "—"
        )
        rows.append(row)
    return rows


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
    """Rows of :meth:`hipform.history.History.compare` as a table of four columns that fits a phone.

    ``Measure`` names the fault, the measure, the side, its unit in words and which way is better;
    the two sessions' columns (``label_a``, ``label_b``) hold the mean with its unit and the reps
    flagged; ``Change`` is the later mean minus the earlier one, with its unit.
    """
    out = []
    for r in rows:
        unit = r.get("unit", "")
        side = {"left": ", left", "right": ", right"}.get(r["side"], "")
        better = _better(r["measure"])
        about = unit_words(r["measure"], unit) + (f"; {better}" if better else "")
        out.append(
            {
                "Measure": f"{fault_name(r['fault'])}: {plain.measure_name(r['measure'])}{side} ({about})",
                label_a: _session_cell(r["measure"], r.get("a"), unit),
                label_b: _session_cell(r["measure"], r.get("b"), unit),
                "Change": plain.format_amount(r["measure"], r.get("change"), unit),
            }
        )
    return out


def _session_cell(measure: str, values: dict[str, Any] | None, unit: str) -> str:
    """One session's mean with its unit and its reps flagged, e.g. ``12.5° · 2 reps flagged``."""
    if not values:
        return "–"
    mean = plain.format_amount(measure, values.get("mean"), unit)
    flagged = values.get("reps_flagged")
    return mean if flagged is None else f"{mean} · {plain.plural(int(flagged), 'rep')} flagged"


def _better(measure: str) -> str:
    words = plain.measure_words(measure)
    return words.better if words else ""


def not_assessed_text(item: NotAssessed, movement: str) -> str:
    """A not-assessed entry as one line: fault, where, side and the reason in plain words."""
    where = f" (rep {item.rep})" if item.rep is not None else ""
    side = f" — {item.side} side" if item.side else ""
    return f"**{fault_name(item.fault)}{where}{side}:** {plain.reason_words(item.reason, movement)}"
