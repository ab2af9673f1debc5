"""Signal conditioning for landmark time series: masking, gap filling, low-pass filters.

The ``compute_*`` functions work on arrays whose first axis is time and are
vectorised over every other axis, so one call conditions all landmarks of a
clip. The ``*_rows`` functions are their cores for signals laid out with time
along the *last* axis (contiguous rows): gaps are found as runs of missing
samples by index arithmetic, never by looping over frames, and every row is
filtered in one ``sosfiltfilt`` call. Both give the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import signal as sps

#: Visibility below which a landmark is treated as missing [J] (biomechanics.md §0).
VISIBILITY_MIN = 0.5
#: Longest gap (seconds) filled by linear interpolation [J] (biomechanics.md §0).
MAX_GAP_S = 0.1


def compute_masked(
    points: np.ndarray, visibility: np.ndarray, min_visibility: float = VISIBILITY_MIN
) -> np.ndarray:
    """Landmark coordinates with unreliable points set to NaN.

    Parameters
    ----------
    points : ndarray, shape (T, K, D)
        Coordinates (any unit) of K landmarks over T frames.
    visibility : ndarray, shape (T, K)
        Visibility score in [0, 1].
    min_visibility : float
        Points with visibility strictly below this are masked.

    Returns
    -------
    ndarray, shape (T, K, D), float64
        A copy of ``points`` with masked or non-finite points as NaN (all D
        components together).
    """
    pts = np.array(points, dtype=np.float64)
    vis = np.asarray(visibility, dtype=np.float64)
    if pts.ndim != 3 or vis.shape != pts.shape[:2]:
        raise ValueError(
            f"points (T, K, D) and visibility (T, K) must agree, got {pts.shape} and {vis.shape}"
        )
    bad = ~(vis >= min_visibility) | ~np.isfinite(pts).all(axis=-1)
    pts[bad] = np.nan
    return pts


def nan_runs(valid: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of missing samples in each row of a validity mask.

    Parameters
    ----------
    valid : ndarray of bool, shape (R, T)
        True where a sample is valid; time runs along the last axis.

    Returns
    -------
    row, start, stop : ndarray of int, shape (N,)
        For each run of False: its row, first index and exclusive end, sorted
        by row then start. ``start == 0`` is a run at the beginning of the
        row, ``stop == T`` one at the end.
    """
    valid = np.asarray(valid, dtype=bool)
    r, n = valid.shape
    pad = np.ones((r, n + 2), dtype=np.int8)
    pad[:, 1:-1] = valid
    d = np.diff(pad, axis=1)  # d[:, j] = valid[j] - valid[j - 1], with valid[-1] = valid[T] = True
    row, start = np.nonzero(d == -1)
    _, stop = np.nonzero(d == 1)
    return row, start, stop


def _run_positions(start: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(run number, index) of every sample inside the runs ``[start, stop)``."""
    length = stop - start
    run = np.repeat(np.arange(start.size), length)
    first = np.cumsum(length) - length
    pos = np.arange(run.size) - first[run] + start[run]
    return run, pos


def fill_short_gaps_rows(
    x: np.ndarray, valid: np.ndarray, t_s: np.ndarray, max_gap_s: float = MAX_GAP_S
) -> np.ndarray:
    """In place: linearly interpolate short runs of missing samples along the last axis.

    Parameters
    ----------
    x : ndarray, shape (R, T) or (R, D, T), float64
        Signals, time along the last axis; with a middle axis, the D signals
        of a row share one validity mask (the coordinates of one landmark).
        Modified in place.
    valid : ndarray of bool, shape (R, T)
        True where row ``r`` holds a valid sample.
    t_s : ndarray, shape (T,)
        Sample times, seconds, increasing.
    max_gap_s : float
        Same rule as :func:`compute_gap_filled`.

    Returns
    -------
    ndarray of bool, shape (R, T)
        ``valid`` with the filled samples set (a new array when any were filled).
    """
    n = x.shape[-1]
    if n < 3:
        return valid
    t = np.asarray(t_s, dtype=np.float64)
    row, start, stop = nan_runs(valid)
    inner = (start > 0) & (stop < n)
    row, start, stop = row[inner], start[inner], stop[inner]
    if row.size == 0:
        return valid
    dt = float(np.median(np.diff(t)))
    prev, nxt = start - 1, stop
    keep = t[nxt] - t[prev] - dt <= max_gap_s + 1e-9
    row, prev, nxt, start, stop = row[keep], prev[keep], nxt[keep], start[keep], stop[keep]
    if row.size == 0:
        return valid
    run, pos = _run_positions(start, stop)
    r, pi, ni = row[run], prev[run], nxt[run]
    w = (t[pos] - t[pi]) / (t[ni] - t[pi])
    if x.ndim == 3:
        x0 = x[r, :, pi]
        x1 = x[r, :, ni]
        x[r, :, pos] = x0 + w[:, None] * (x1 - x0)
    else:
        x0 = x[r, pi]
        x1 = x[r, ni]
        x[r, pos] = x0 + w * (x1 - x0)
    valid = valid.copy()
    valid[r, pos] = True
    return valid


def compute_gap_filled(x: np.ndarray, t_s: np.ndarray, max_gap_s: float = MAX_GAP_S) -> np.ndarray:
    """Linearly interpolate runs of NaN no longer than ``max_gap_s``.

    Parameters
    ----------
    x : ndarray, shape (T, ...)
        Signal with NaN for missing samples; every trailing column is treated
        independently.
    t_s : ndarray, shape (T,)
        Sample times in seconds, increasing.
    max_gap_s : float
        A gap is filled when the time it spans (from the last valid sample
        before it to the first valid one after it, minus one median frame
        interval) is at most this. Gaps at the start or end are never filled.

    Returns
    -------
    ndarray, same shape as ``x``, float64
    """
    x = np.array(x, dtype=np.float64)
    n = x.shape[0]
    if n < 3:
        return x
    rows = np.ascontiguousarray(x.reshape(n, -1).T)
    valid = np.isfinite(rows)
    if valid.all():
        return x
    fill_short_gaps_rows(rows, valid, t_s, max_gap_s)
    return rows.T.reshape(x.shape)


def _bridge_rows(x: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Copy of ``x`` (R, T) or (R, D, T) with every invalid sample filled for filtering.

    Linear interpolation over the sample index inside a row, the nearest valid
    value at either end; a row with no valid sample becomes 0. ``valid`` is
    (R, T), shared by the D signals of a row.
    """
    out = x.copy()
    n = x.shape[-1]
    row, start, stop = nan_runs(valid)
    if row.size == 0:
        return out
    run, pos = _run_positions(start, stop)
    r = row[run]
    has_prev = start[run] > 0
    has_next = stop[run] < n
    prev_i = start[run] - 1
    next_i = stop[run]
    pi = np.where(has_prev, prev_i, np.where(has_next, next_i, 0))
    ni = np.where(has_next, next_i, pi)
    span = (ni - pi).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(span > 0, (pos - pi) / np.where(span > 0, span, 1.0), 0.0)
    if x.ndim == 3:
        x0 = x[r, :, pi]
        x1 = x[r, :, ni]
        fill = x0 + w[:, None] * (x1 - x0)
        out[r, :, pos] = np.where(np.isfinite(fill), fill, 0.0)
    else:
        x0 = x[r, pi]
        x1 = x[r, ni]
        fill = x0 + w * (x1 - x0)
        out[r, pos] = np.where(np.isfinite(fill), fill, 0.0)
    return out


def lowpass_sos(fs_hz: float, cutoff_hz: float, order: int = 2) -> np.ndarray:
    """Butterworth low-pass sections used by :func:`compute_lowpass` (cut-off clipped to 0.45·fs)."""
    if fs_hz <= 0 or cutoff_hz <= 0:
        raise ValueError(f"fs_hz and cutoff_hz must be positive, got {fs_hz} and {cutoff_hz}")
    wn = min(cutoff_hz, 0.45 * fs_hz) / (0.5 * fs_hz)
    return sps.butter(order, wn, output="sos")


def lowpass_rows(
    x: np.ndarray,
    valid: np.ndarray,
    sos: np.ndarray,
    out: np.ndarray | None = None,
    out_rows: Sequence[int] | None = None,
) -> np.ndarray:
    """Zero-lag filter of ``x`` (R, T) or (R, D, T) along time; invalid samples come back NaN.

    The row-wise core of :func:`compute_lowpass` (same bridging, padding and
    result), for signals already laid out with time along the last axis;
    ``valid`` (R, T) is shared by the D signals of a row. All signals go
    through ``sosfiltfilt`` a few at a time.

    With ``out`` (N, D, T) and ``out_rows`` (R indices into N), row ``r`` of the
    result is written to ``out[out_rows[r]]`` (no intermediate array) and ``out``
    is returned.
    """
    n = x.shape[-1]
    per = x.shape[1] if x.ndim == 3 else 1
    rows = x.reshape(x.shape[0] * per, n)  # explicit sizes: a clip may have 0 frames
    if out is None:
        dest, dest_idx, result = np.empty(rows.shape), np.arange(rows.shape[0]), None
    else:
        dest = out.view()
        dest.shape = (out.shape[0] * per, n)  # raises rather than silently writing into a copy
        dest_idx = (np.asarray(out_rows, dtype=np.intp)[:, None] * per + np.arange(per)).ravel()
        result = out
    padlen = 3 * (2 * len(sos) + 1)
    if n <= padlen:
        dest[dest_idx] = rows
        return dest.reshape(x.shape) if result is None else result
    all_valid = bool(valid.all())
    filled = rows if all_valid else _bridge_rows(x, valid).reshape(-1, n)
    invalid = None if all_valid else np.repeat(~valid, per, axis=0)
    _filtfilt_paired(sos, filled, min(padlen * 4, n - 1), dest, dest_idx, invalid)
    return dest.reshape(x.shape) if result is None else result


#: Complex rows filtered per ``sosfiltfilt`` call (docs/performance.md says why so few).
_ROWS_PER_CALL = 2


def _filtfilt_paired(
    sos: np.ndarray,
    rows: np.ndarray,
    padlen: int,
    dest: np.ndarray,
    dest_idx: np.ndarray,
    invalid: np.ndarray | None = None,
) -> None:
    """``sosfiltfilt`` of each row of ``rows`` (R, T) into ``dest[dest_idx[r]]``, NaN where ``invalid``.

    Two rows go through the filter as one complex signal: the filter has real
    coefficients, so filtering ``a + ib`` filters ``a`` and ``b`` independently
    and exactly as two real calls would (docs/performance.md says why).
    """
    r, n = rows.shape
    zi = sps.sosfilt_zi(sos)

    def put(i: np.ndarray, values: np.ndarray) -> None:
        dest[dest_idx[i]] = values
        if invalid is not None:  # NaN only into the rows that have invalid samples
            for row in i[invalid[i].any(axis=1)].tolist():
                dest[dest_idx[row], invalid[row]] = np.nan

    m = r // 2
    for s in range(0, m, _ROWS_PER_CALL):
        e = min(s + _ROWS_PER_CALL, m)
        # the pairs are packed straight into the middle of the padded signal the filter runs on
        ext = np.empty((e - s, n + 2 * padlen), dtype=np.complex128)
        ext.real[:, padlen:-padlen] = rows[2 * s : 2 * e : 2]
        ext.imag[:, padlen:-padlen] = rows[2 * s + 1 : 2 * e : 2]
        zf = _filtfilt_padded(sos, zi, ext, padlen)
        put(np.arange(2 * s, 2 * e, 2), zf.real)
        put(np.arange(2 * s + 1, 2 * e, 2), zf.imag)
    if r % 2:
        put(np.array([r - 1]), _sosfiltfilt(sos, zi, rows[-1:], padlen))


def _sosfiltfilt(sos: np.ndarray, zi: np.ndarray, x: np.ndarray, padlen: int) -> np.ndarray:
    """``scipy.signal.sosfiltfilt(sos, x, axis=-1, padlen=padlen)`` of (R, T) ``x`` (odd padding,
    ``0 < padlen < T``), step for step, given ``zi = scipy.signal.sosfilt_zi(sos)``: SciPy would
    solve for ``zi`` again in every call."""
    ext = np.empty((x.shape[0], x.shape[1] + 2 * padlen), dtype=x.dtype)
    ext[:, padlen:-padlen] = x
    return _filtfilt_padded(sos, zi, ext, padlen)


def _filtfilt_padded(sos: np.ndarray, zi: np.ndarray, ext: np.ndarray, padlen: int) -> np.ndarray:
    """:func:`_sosfiltfilt` of the signals in the middle of ``ext`` (R, T + 2·padlen), whose first and
    last ``padlen`` samples it fills with the odd extension (no copy of the signals to pad them)."""
    x = ext[:, padlen:-padlen]
    np.subtract(2 * x[:, :1], x[:, padlen:0:-1], out=ext[:, :padlen])
    np.subtract(2 * x[:, -1:], x[:, -2 : -(padlen + 2) : -1], out=ext[:, -padlen:])
    zi = zi.reshape(len(sos), 1, 2)
    y, _ = sps.sosfilt(sos, ext, axis=-1, zi=zi * ext[:, :1])
    y, _ = sps.sosfilt(sos, y[:, ::-1], axis=-1, zi=zi * y[:, -1:])
    return y[:, ::-1][:, padlen:-padlen]


def compute_lowpass(x: np.ndarray, fs_hz: float, cutoff_hz: float, order: int = 2) -> np.ndarray:
    """Zero-lag Butterworth low-pass filter along time, NaN-aware.

    Parameters
    ----------
    x : ndarray, shape (T, ...)
        Signal; NaN samples stay NaN in the output.
    fs_hz : float
        Sampling rate (frames per second).
    cutoff_hz : float
        -3 dB cut-off of the *combined* forward-backward filter is close to
        this value; clipped to 0.45·fs so that low frame rates still work.
    order : int
        Butterworth order of one pass (the effective order is doubled).

    Returns
    -------
    ndarray, same shape, float64

    Notes
    -----
    ``scipy.signal.sosfiltfilt`` cannot see NaN, so NaN runs are bridged by
    linear interpolation before filtering and put back afterwards; the bridge
    only touches samples near the gap, which are then masked anyway. Clips
    too short for the filter's edge padding are returned unfiltered. The
    columns are laid out with time along the last axis and filtered by
    :func:`lowpass_rows`.
    """
    x = np.array(x, dtype=np.float64)
    n = x.shape[0]
    sos = lowpass_sos(fs_hz, cutoff_hz, order)
    if n <= 3 * (2 * len(sos) + 1):
        return x
    rows = np.ascontiguousarray(x.reshape(n, -1).T)
    out = lowpass_rows(rows, np.isfinite(rows), sos)
    return out.T.reshape(x.shape)


class OneEuroFilter:
    """Causal adaptive low-pass filter for live use (Casiez, Roussel & Vogel 2012).

    Smooths strongly when the signal is slow (less jitter) and lightly when
    it moves fast (less lag). Works element-wise on arrays of a fixed shape;
    NaN inputs leave the state untouched and return NaN for that element.

    Parameters
    ----------
    min_cutoff_hz : float
        Cut-off at zero speed.
    beta : float
        Increase of the cut-off per unit of speed (per unit/s of the signal).
    d_cutoff_hz : float
        Cut-off of the speed estimate.
    """

    def __init__(self, min_cutoff_hz: float = 1.5, beta: float = 0.02, d_cutoff_hz: float = 1.0) -> None:
        if min_cutoff_hz <= 0 or d_cutoff_hz <= 0 or beta < 0:
            raise ValueError("min_cutoff_hz and d_cutoff_hz must be positive and beta non-negative")
        self.min_cutoff_hz = float(min_cutoff_hz)
        self.beta = float(beta)
        self.d_cutoff_hz = float(d_cutoff_hz)
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None

    @staticmethod
    def _alpha(cutoff_hz: np.ndarray | float, dt_s: float) -> np.ndarray:
        tau = 1.0 / (2.0 * np.pi * np.asarray(cutoff_hz, dtype=np.float64))
        return 1.0 / (1.0 + tau / dt_s)

    def reset(self) -> None:
        """Forget the history."""
        self._x = self._dx = None
        self._t = None

    def __call__(self, x: np.ndarray, t_s: float) -> np.ndarray:
        """Filter one sample taken at time ``t_s`` (seconds, increasing) and return the estimate."""
        x = np.asarray(x, dtype=np.float64)
        if self._x is None or self._t is None or self._x.shape != x.shape:
            self._x = x.copy()
            self._dx = np.zeros_like(x)
            self._t = float(t_s)
            return x.copy()
        dt = float(t_s) - self._t
        if not dt > 0:
            raise ValueError(f"timestamps must increase, got {t_s} after {self._t}")
        self._t = float(t_s)
        ok = np.isfinite(x)
        prev = np.where(np.isfinite(self._x), self._x, x)
        dx = (x - prev) / dt
        a_d = self._alpha(self.d_cutoff_hz, dt)
        dx_hat = np.where(ok, a_d * dx + (1 - a_d) * self._dx, self._dx)
        cutoff = self.min_cutoff_hz + self.beta * np.abs(dx_hat)
        a = self._alpha(cutoff, dt)
        x_hat = np.where(ok, a * x + (1 - a) * prev, self._x)
        self._x = x_hat
        self._dx = np.where(np.isfinite(dx_hat), dx_hat, 0.0)
        return np.where(ok, x_hat, np.nan)
