"""Each rep's values: what a report lists per rep, window by window.

A value belongs to a column, one measure read on one side in some windows (a rule's reading on
one side, a joint angle at every key frame); the report's per-rep records are the columns cut
into windows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import repeat
from typing import Any, NamedTuple, overload

import numpy as np

from hipform.kinematics.frame_measures import SIDES
from hipform.kinematics.movements import Window
from hipform.report import MeasureValue, RepResult

#: Joint angles every rep reports of each leg at its key frame, in the order listed.
PER_LEG = ("knee_flexion_deg", "hip_flexion_deg")


class ValueColumn(NamedTuple):
    """One measure read on one side in some windows.

    measure, side, unit : as :class:`~hipform.report.MeasureValue`; windows : (n,) window
    indices, ascending; value : (n,) the value in each (NaN where not judged); assessed : (n,)
    bool, a fault rule graded it.
    """

    measure: str
    side: str | None
    unit: str
    windows: np.ndarray
    value: np.ndarray
    assessed: np.ndarray


def values_by_window(columns: list[ValueColumn], n_windows: int) -> list[tuple[MeasureValue, ...]]:
    """Each window's values, in column order: the columns cut window by window.

    A value not measured (NaN) is one record per column and ``assessed`` flag, shared by every
    window that has it (a long clip has tens of thousands: docs/performance.md).
    """
    if not columns or n_windows == 0:
        return [() for _ in range(n_windows)]
    win = np.concatenate([c.windows for c in columns])
    order = np.argsort(win, kind="stable")  # stable: within a window, the columns' order
    code = np.repeat(np.arange(len(columns)), [c.windows.size for c in columns])[order]
    value = np.concatenate([c.value for c in columns])[order]
    assessed = np.concatenate([c.assessed for c in columns])[order]
    measured = ~np.isnan(value)

    def per_value(attr: str) -> list[Any]:
        return np.array([getattr(c, attr) for c in columns], dtype=object)[code[measured]].tolist()

    fields = (
        per_value("measure"),
        per_value("side"),
        value[measured].tolist(),
        per_value("unit"),
        assessed[measured].tolist(),
    )
    nan = float("nan")
    shared = [MeasureValue(c.measure, c.side, nan, c.unit, a) for c in columns for a in (False, True)]
    # made by tuple.__new__ (docs/performance.md)
    table = shared + list(map(tuple.__new__, repeat(MeasureValue), zip(*fields, strict=True)))
    # each value's record in the table: its own, or its column's shared NaN record
    at = np.where(measured, len(shared) + np.cumsum(measured) - 1, 2 * code + assessed)
    records = list(map(table.__getitem__, at.tolist()))
    ends = np.cumsum(np.bincount(win, minlength=n_windows)).tolist()
    return [tuple(records[a:b]) for a, b in zip([0, *ends[:-1]], ends, strict=True)]


class Reported(NamedTuple):
    """A whole-body measure reported at each window's key frame without grading: its name, unit
    and per-frame series (T,), None where the clip does not show it."""

    measure: str
    unit: str
    series: np.ndarray | None


def rep_results(
    windows: list[Window],
    m: dict[str, np.ndarray],
    reported: list[Reported],
    graded: list[ValueColumn],
    fppa: np.ndarray | None,
    ungraded: np.ndarray,
    t: np.ndarray,
) -> RepTable:
    """Each window with its values, in this order: knee and hip flexion of each leg at the key
    frame (``m``), the ``reported`` measures, what each rule read (``graded``, in rule then side
    order) and, given the standing FPPA of each leg ``fppa`` (2,), the working leg's FPPA peak and
    standing baseline in one-legged windows.

    What was not judged has no number (NaN): every value of a window no rule could grade
    (``ungraded`` (W,) bool: unsteady tracking, a timestamp freeze), a reported measure the clip
    does not show, and the FPPA peak and standing baseline of a rep whose FPPA was not graded.
    """
    key = np.array([w.key for w in windows], dtype=np.int64)
    every = np.arange(key.size)
    columns = [
        ValueColumn(name, SIDES[s], "deg", every, m[name][key, s], np.zeros(key.size, bool))
        for s in (0, 1)
        for name in PER_LEG
    ]
    for r in reported:
        value = r.series[key] if r.series is not None else np.full(key.size, np.nan)
        columns.append(ValueColumn(r.measure, None, r.unit, every, value, np.zeros(key.size, bool)))
    columns += graded
    if fppa is not None:
        columns += _fppa_columns(windows, key, m["fppa_deg"], fppa, graded)
    if ungraded.any():
        columns = [c._replace(value=np.where(ungraded[c.windows], np.nan, c.value)) for c in columns]
    return RepTable(windows, t, columns)


class RepTable(Sequence[RepResult]):
    """A report's reps (steps, holds), held as the windows and their value columns.

    A sequence of :class:`~hipform.report.RepResult` in time order, equal to the tuple of them;
    the records are made when one is first read (all of them at once), not when the clip is
    analysed (docs/performance.md).

    Parameters
    ----------
    windows : the reps' windows, in time order.
    t : (T,) frame times, seconds.
    columns : what each rep reports, in the order each rep lists it (:func:`values_by_window`).
    """

    __slots__ = ("_windows", "_t", "_columns", "_records")

    def __init__(self, windows: list[Window], t: np.ndarray, columns: list[ValueColumn]) -> None:
        self._windows = windows
        self._t = t
        self._columns = columns
        self._records: tuple[RepResult, ...] | None = None

    def _made(self) -> tuple[RepResult, ...]:
        """The records, made on the first call."""
        if self._records is None:
            self._records = _records(self._windows, self._t, self._columns)
        return self._records

    def __len__(self) -> int:
        return len(self._windows)

    @overload
    def __getitem__(self, i: int) -> RepResult: ...

    @overload
    def __getitem__(self, i: slice) -> tuple[RepResult, ...]: ...

    def __getitem__(self, i: int | slice) -> RepResult | tuple[RepResult, ...]:
        return self._made()[i]

    def __iter__(self) -> Iterator[RepResult]:
        return iter(self._made())

    def __eq__(self, other: object) -> bool:
        """Equal to the tuple of the same records (and to another table of them)."""
        if isinstance(other, RepTable):
            other = other._made()
        return self._made() == other

    def __hash__(self) -> int:
        return hash(self._made())

    def __repr__(self) -> str:
        return repr(self._made())


def _records(windows: list[Window], t: np.ndarray, columns: list[ValueColumn]) -> tuple[RepResult, ...]:
    """Each window's record with its values (:class:`RepTable`'s parameters)."""
    starts, keys, ends = (t[[getattr(w, f) for w in windows]].tolist() for f in ("start", "key", "end"))
    return tuple(
        RepResult(
            index=wi + 1,
            kind=win.kind,
            side=SIDES[win.side] if win.side is not None else None,
            start_frame=win.start,
            key_frame=win.key,
            end_frame=win.end,
            t_start_s=t0,
            t_key_s=tk,
            t_end_s=t1,
            values=values,
        )
        for wi, (win, t0, tk, t1, values) in enumerate(
            zip(windows, starts, keys, ends, values_by_window(columns, len(windows)), strict=True)
        )
    )


def _fppa_columns(
    windows: list[Window],
    key: np.ndarray,
    fppa: np.ndarray,
    fppa_standing: np.ndarray,
    graded: list[ValueColumn],
) -> list[ValueColumn]:
    """The FPPA peak and standing baseline of each one-legged window's working leg, NaN where the
    window's first FPPA value on that leg was not graded."""
    side = np.array([-1 if w.side is None else w.side for w in windows], dtype=np.int64)
    judged, seen = np.zeros(side.size, bool), np.zeros(side.size, bool)
    for c in graded:
        if c.measure == "fppa_deg" and c.side in SIDES:
            first = (side[c.windows] == SIDES.index(c.side)) & ~seen[c.windows]
            judged[c.windows[first]] = c.assessed[first]
            seen[c.windows[first]] = True
    leg = np.maximum(side, 0)
    peak = np.where(judged, fppa[key, leg], np.nan)
    standing = np.where(judged, np.asarray(fppa_standing, dtype=np.float64)[leg], np.nan)
    out = []
    for name, value in (("fppa_peak_deg", peak), ("fppa_standing_deg", standing)):
        for s in (0, 1):
            idx = np.flatnonzero(side == s)
            out.append(ValueColumn(name, SIDES[s], "deg", idx, value[idx], np.zeros(idx.size, bool)))
    return out
