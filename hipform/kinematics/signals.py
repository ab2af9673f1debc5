"""Signal conditioning for landmark time series: masking, gap filling, low-pass filters.

All batch functions work on arrays whose first axis is time and are vectorised
over every other axis, so one call conditions all 33 landmarks of a clip.
"""

from __future__ import annotations

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
    t = np.asarray(t_s, dtype=np.float64)
    n = x.shape[0]
    if n < 3:
        return x
    flat = x.reshape(n, -1)
    valid = np.isfinite(flat)
    if valid.all():
        return x
    idx = np.arange(n)[:, None]
    prev_i = np.maximum.accumulate(np.where(valid, idx, -1), axis=0)
    next_i = np.flip(np.minimum.accumulate(np.flip(np.where(valid, idx, n), axis=0), axis=0), axis=0)
    gap = ~valid & (prev_i >= 0) & (next_i < n)
    dt = float(np.median(np.diff(t))) if n > 1 else 0.0
    pi = np.clip(prev_i, 0, n - 1)
    ni = np.clip(next_i, 0, n - 1)
    span = t[ni] - t[pi] - dt
    fill = gap & (span <= max_gap_s + 1e-9)
    if not fill.any():
        return x
    cols = np.broadcast_to(np.arange(flat.shape[1]), flat.shape)
    x0 = flat[pi, cols]
    x1 = flat[ni, cols]
    with np.errstate(invalid="ignore", divide="ignore"):
        w = (t[:, None] - t[pi]) / (t[ni] - t[pi])
    flat[fill] = (x0 + w * (x1 - x0))[fill]
    return flat.reshape(x.shape)


def _fill_all(flat: np.ndarray) -> np.ndarray:
    """Fill every NaN by linear interpolation (edges: nearest value); all-NaN columns become 0."""
    valid_all = np.isfinite(flat)
    bad_cols = np.flatnonzero(~valid_all.all(axis=0))
    if bad_cols.size == 0:
        return flat
    if bad_cols.size < flat.shape[1]:
        out = flat.copy()
        out[:, bad_cols] = _fill_all(flat[:, bad_cols])
        return out
    n = flat.shape[0]
    valid = valid_all
    idx = np.arange(n)[:, None]
    prev_i = np.maximum.accumulate(np.where(valid, idx, -1), axis=0)
    next_i = np.flip(np.minimum.accumulate(np.flip(np.where(valid, idx, n), axis=0), axis=0), axis=0)
    has_prev = prev_i >= 0
    has_next = next_i < n
    pi = np.where(has_prev, prev_i, np.where(has_next, next_i, 0))
    ni = np.where(has_next, next_i, pi)
    cols = np.broadcast_to(np.arange(flat.shape[1]), flat.shape)
    x0 = flat[pi, cols]
    x1 = flat[ni, cols]
    span = (ni - pi).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(span > 0, (idx - pi) / np.where(span > 0, span, 1.0), 0.0)
    out = np.where(valid, flat, x0 + w * (x1 - x0))
    return np.where(np.isfinite(out), out, 0.0)


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
    too short for the filter's edge padding are returned unfiltered.
    """
    x = np.array(x, dtype=np.float64)
    n = x.shape[0]
    if fs_hz <= 0 or cutoff_hz <= 0:
        raise ValueError(f"fs_hz and cutoff_hz must be positive, got {fs_hz} and {cutoff_hz}")
    wn = min(cutoff_hz, 0.45 * fs_hz) / (0.5 * fs_hz)
    sos = sps.butter(order, wn, output="sos")
    padlen = 3 * (2 * len(sos) + 1)
    if n <= padlen:
        return x
    flat = x.reshape(n, -1)
    valid = np.isfinite(flat)
    filled = _fill_all(flat)
    out = sps.sosfiltfilt(sos, filled, axis=0, padlen=min(padlen * 4, n - 1))
    out[~valid] = np.nan
    return out.reshape(x.shape)


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
