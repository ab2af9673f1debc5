"""Plotly figures: the measures timeline of one clip, and trends over sessions.

Colours follow the annotated video: the person's left in blue, right in
orange; mild in amber, marked in red.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from hipform import plain
from hipform.history import TrendPoint
from hipform.kinematics.movements import REGISTRY
from hipform.report import MeasureSummary, Report, side_label, value_key
from hipform.webapp.present import fault_name, movement_name, unit_words
from hipform.webapp.setup_help import FILMING, FILMING_HEADLINE

SIDE_COLOURS = {"left": "rgb(66,165,245)", "right": "rgb(255,167,38)", "both": "rgb(120,144,156)"}
BAND_COLOURS = {"mild": "rgba(255,213,0,0.18)", "marked": "rgba(229,57,53,0.16)"}
MARK_COLOURS = {"mild": "rgb(230,180,0)", "marked": "rgb(229,57,53)"}


def series_for(report: Report, measure: MeasureSummary) -> list[tuple[str, str]]:
    """(side, series name in ``report.measures``) for each side a graded measure was read on.

    The series of a measure on a side is :func:`hipform.report.value_key` (measure, side), the
    name its rep values and flags go by. A measure graded on no one side (the reps are two-legged)
    whose series exist only per leg is drawn on both legs (it reads their mean); a measure not
    graded at all is drawn on whichever of its series exist. Sides are ``left``, ``right`` or
    ``both``.
    """
    sides = [stats.side for stats in measure.sides] or [None]
    out = []
    for side in sides:
        name = value_key(measure.measure, side)
        if name in report.measures:
            out.append((side_label(side), name))
        elif side is None:
            out += [
                (leg, value_key(measure.measure, leg))
                for leg in ("left", "right")
                if value_key(measure.measure, leg) in report.measures
            ]
    return out


def _bands(
    direction: str, mild: float, marked: float, lo: float, hi: float
) -> list[tuple[str, float, float]]:
    if direction == "above":
        return [("mild", mild, marked), ("marked", marked, max(hi, marked))]
    return [("mild", marked, mild), ("marked", min(lo, marked), marked)]


def _finite_range(arrays: Sequence[np.ndarray], extra: Sequence[float]) -> tuple[float, float]:
    vals = [a[np.isfinite(a)] for a in arrays]
    vals = [v for v in vals if v.size]
    pool = np.concatenate(vals) if vals else np.array([], float)
    pool = np.concatenate([pool, np.asarray([e for e in extra if math.isfinite(e)], float)])
    if not pool.size:
        return 0.0, 1.0
    lo, hi = float(np.min(pool)), float(np.max(pool))
    pad = 0.08 * max(hi - lo, 1e-6)
    return lo - pad, hi + pad


def timeline_figure(report: Report, height_per_row_px: int = 210) -> go.Figure:
    """Graded measures over time, one row each, with threshold bands, rep spans and flag marks.

    Rows: every measure of the movement that was judged in some rep (``report.summary.measures``,
    assessed) and has a per-frame series (:func:`series_for`); a measure the view, the tracking or
    the depth did not let be judged has no row (its numbers would be read against the bands), and
    every flagged measure has one. Shaded horizontal bands show where the value is mild (amber) or
    marked (red); grey vertical spans are the reps; crosses mark each flag's value at its worst
    frame.
    """
    measures = [
        (ms, series)
        for ms in report.summary.measures
        if (ms.assessed or any(f.measure == ms.measure for f in report.flags))
        and (series := series_for(report, ms))
    ]
    n_rows = max(1, len(measures))
    titles = [_title(ms.fault, ms.measure, ms.label) for ms, _ in measures] or [
        "No graded measure for this clip"
    ]
    fig = make_subplots(
        rows=n_rows, cols=1, shared_xaxes=True, vertical_spacing=0.12 / n_rows + 0.04, subplot_titles=titles
    )
    fig.update_annotations(font_size=12)  # the titles, before any rep label: two lines fit a phone
    t = np.asarray(report.t_s, float)
    shown_legend: set[str] = set()
    for row, (ms, series_of_sides) in enumerate(measures, start=1):
        unit = ms.unit
        mild, marked, direction = ms.mild, ms.marked, ms.direction
        arrays = []
        for side, series in series_of_sides:
            y = np.asarray(report.measures[series], float)
            arrays.append(y)
            fig.add_trace(
                go.Scatter(
                    x=t,
                    y=np.where(np.isfinite(y), y, None),
                    mode="lines",
                    name=side,
                    legendgroup=side,
                    showlegend=side not in shown_legend,
                    line={"color": SIDE_COLOURS[side], "width": 2},
                    hovertemplate=f"{side}: {_hover_number(ms.measure, unit)} at %{{x:.2f}} s<extra></extra>",
                ),
                row=row,
                col=1,
            )
            shown_legend.add(side)
        flags = [f for f in report.flags if f.measure == ms.measure and f.rep is not None]
        lo, hi = _finite_range(arrays, [mild, marked] + [f.value for f in flags])
        if direction in ("above", "below") and math.isfinite(mild) and math.isfinite(marked):
            for sev, y0, y1 in _bands(direction, mild, marked, lo, hi):
                fig.add_hrect(
                    y0=y0, y1=y1, fillcolor=BAND_COLOURS[sev], line_width=0, layer="below", row=row, col=1
                )
            for sev, y in (("mild", mild), ("marked", marked)):
                fig.add_hline(
                    y=y, line={"color": MARK_COLOURS[sev], "width": 1, "dash": "dot"}, row=row, col=1
                )
        for f in flags:
            i = int(np.clip(f.worst_frame, 0, len(t) - 1)) if len(t) else 0
            fig.add_trace(
                go.Scatter(
                    x=[float(t[i]) if len(t) else 0.0],
                    y=[f.value],
                    mode="markers",
                    marker={
                        "symbol": "x",
                        "size": 11,
                        "color": MARK_COLOURS.get(f.severity, "black"),
                        "line": {"width": 1, "color": "black"},
                    },
                    name=f"{f.severity} flag",
                    legendgroup=f"flag-{f.severity}",
                    showlegend=f"flag-{f.severity}" not in shown_legend,
                    hovertemplate=(
                        f"rep {f.rep} {f.side or ''} {f.severity}: "
                        f"{plain.format_amount(f.measure, f.value, unit)} "
                        f"(threshold {plain.format_amount(f.measure, f.threshold, unit)})<extra></extra>"
                    ),
                ),
                row=row,
                col=1,
            )
            shown_legend.add(f"flag-{f.severity}")
        fig.update_yaxes(range=[lo, hi], **_axis(ms.measure, unit), row=row, col=1)
    for rep in report.reps:
        fig.add_vrect(
            x0=rep.t_start_s,
            x1=rep.t_end_s,
            fillcolor="rgba(120,120,120,0.10)",
            line_width=0,
            layer="below",
            row="all",
            col=1,
        )
        fig.add_annotation(
            x=(rep.t_start_s + rep.t_end_s) / 2,
            y=0.0,
            yref="y domain",
            yanchor="bottom",
            text=f"{rep.kind} {rep.index}",
            showarrow=False,
            font={"size": 10, "color": "#555"},
            xref="x",
        )
    fig.update_xaxes(title_text="time (s)", row=n_rows, col=1)
    fig.update_layout(
        height=max(260, height_per_row_px * n_rows + 80),
        margin={"l": 50, "r": 20, "t": 60, "b": 40},
        legend={"orientation": "h", "y": -0.12 if n_rows == 1 else -0.06},
        hovermode="closest",
        template="plotly_white",
    )
    return fig


def _rule_thresholds(movement: str, measure: str) -> dict[str, Any] | None:
    for rule in REGISTRY[movement].rules if movement in REGISTRY else ():
        if rule.measure == measure:
            return {
                "mild": rule.mild,
                "marked": rule.marked,
                "direction": rule.direction,
                "label": rule.label,
            }
    return None


def trend_figure(points: Sequence[TrendPoint], movement: str, height_per_row_px: int = 220) -> go.Figure:
    """Each fault measure of one movement over sessions: mean per side (lines) and worst rep (dots)."""
    keys = list(dict.fromkeys((p.fault, p.measure) for p in points))
    n_rows = max(1, len(keys))
    titles = []
    for fault, measure in keys:
        info = _rule_thresholds(movement, measure)
        titles.append(_title(fault, measure, info["label"] if info else ""))
    fig = make_subplots(
        rows=n_rows,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12 / n_rows + 0.04,
        subplot_titles=titles or ["No sessions yet"],
    )
    fig.update_annotations(font_size=12)
    shown: set[str] = set()
    for row, (fault, measure) in enumerate(keys, start=1):
        mine = [p for p in points if (p.fault, p.measure) == (fault, measure)]
        unit = mine[0].unit if mine else ""
        values = []
        for side in ("left", "right", "both"):
            pts = [p for p in mine if p.side == side]
            if not pts:
                continue
            x = [p.created_at for p in pts]
            y = [p.mean_value for p in pts]
            w = [p.worst_value for p in pts]
            values += y + w
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=y,
                    mode="lines+markers",
                    name=f"{side} (mean)",
                    legendgroup=side,
                    showlegend=side not in shown,
                    line={"color": SIDE_COLOURS[side], "width": 2},
                    customdata=[[p.session_id, p.reps_flagged, p.n_reps] for p in pts],
                    hovertemplate=(
                        f"session %{{customdata[0]}}: mean {_hover_number(measure, unit)}, "
                        "%{customdata[1]} of %{customdata[2]} reps flagged<extra></extra>"
                    ),
                ),
                row=row,
                col=1,
            )
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=w,
                    mode="markers",
                    name=f"{side} (worst rep)",
                    legendgroup=side,
                    showlegend=False,
                    marker={"color": SIDE_COLOURS[side], "size": 6, "opacity": 0.45},
                    hovertemplate=f"worst rep {_hover_number(measure, unit)}<extra></extra>",
                ),
                row=row,
                col=1,
            )
            shown.add(side)
        info = _rule_thresholds(movement, measure)
        extra = [info["mild"], info["marked"]] if info else []
        lo, hi = _finite_range([np.asarray(values, float)], extra)
        if info:
            for sev, y0, y1 in _bands(info["direction"], info["mild"], info["marked"], lo, hi):
                fig.add_hrect(
                    y0=y0, y1=y1, fillcolor=BAND_COLOURS[sev], line_width=0, layer="below", row=row, col=1
                )
        fig.update_yaxes(range=[lo, hi], **_axis(measure, unit), row=row, col=1)
    # no "session date" axis title: the ticks are dates, and the title ran into the legend on a phone
    if points:  # one session (or a few minutes apart) would stretch the axis to fractions of a second
        fig.update_xaxes(range=_date_range([p.created_at for p in points]), tickformat="%d %b %Y\n%H:%M")
    fig.update_layout(
        height=max(260, height_per_row_px * n_rows + 80),
        margin={"l": 50, "r": 20, "t": 60, "b": 40},
        legend={"orientation": "h", "y": -0.15 if n_rows == 1 else -0.06},
        template="plotly_white",
    )
    return fig


def _title(fault: str, measure: str, label: str) -> str:
    """A plot row's title: fault, the measure in plain words (its technical term) and which way is better."""
    words = plain.measure_words(measure)
    if words is None:
        return f"{fault_name(fault)}: {label or measure.replace('_', ' ')}"
    term = f"{words.term} · " if words.term and words.term.lower() not in words.name.lower() else ""
    # two short lines: a phone-wide plot cuts one long title at both ends
    return f"{fault_name(fault)}: {words.name}<br>{term}{words.better}"


def _percent(measure: str) -> bool:
    """Whether ``measure``'s ratio is shown as a percentage (:data:`hipform.plain.MEASURE_WORDS`)."""
    words = plain.measure_words(measure)
    return words is not None and words.unit == "percent"


def _axis(measure: str, unit: str) -> dict[str, str]:
    """The y axis: its unit in words (:func:`~hipform.webapp.present.unit_words`), and a ratio
    shown as a percentage is ticked in % (the values stay ratios)."""
    return {"title_text": unit_words(measure, unit), **({"tickformat": ".0%"} if _percent(measure) else {})}


def _hover_number(measure: str, unit: str) -> str:
    """A hover label's ``%{y}`` with its unit: ``12.3°``, ``74.0%``, ``0.40 shoulder widths``."""
    if unit == "deg":
        return "%{y:.1f}°"
    return "%{y:.1%}" if _percent(measure) else f"%{{y:.2f}} {unit_words(measure, unit)}"


#: Least time an axis of session dates spans, so one session sits in the middle of a readable range.
MIN_DATE_SPAN = timedelta(hours=2)


def _date_range(times: Sequence[datetime]) -> list[datetime]:
    """An x range around ``times``: 8% margin either side, at least :data:`MIN_DATE_SPAN` wide."""
    lo, hi = min(times), max(times)
    pad = max((hi - lo) * 0.08, (MIN_DATE_SPAN - (hi - lo)) / 2)
    return [lo - pad, hi + pad]


def trend_empty_reason(movement: str, n_sessions: int) -> str:
    """Why a movement's trend has nothing to plot, said to the person looking at History.

    Parameters
    ----------
    movement : the movement chosen.
    n_sessions : saved sessions of that movement.
    """
    name = movement_name(movement)
    if n_sessions == 0:
        return (
            f"No saved {name.lower()} session yet: analyse a {name.lower()} clip and its trend starts here."
        )
    views = " and ".join(v.title.lower() for v in FILMING.get(movement, ()))
    how = FILMING_HEADLINE.get(movement, f"Film it {views} to get numbers to follow." if views else "")
    return (
        f"{plain.plural(n_sessions, 'saved session')} of {name.lower()}, but none has a judged measure to "
        "plot: in each, the faults could not be judged (see its “Not assessed”), most often because of the "
        f"camera view — running filmed side-on, for instance, gives cadence and stride notes but no knee or "
        f"pelvis numbers. {how}".strip()
    )
