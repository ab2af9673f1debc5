"""Running cadence: the clip's step rhythm, which foot strikes are real, and the step rate.

A pose model's heel traces make extra "strikes" (a heel dip just after landing, legs swapped
side-on) and miss some. The step rhythm comes first, from the pelvis, which rises and falls once
per step in every view: strikes that do not fit it are dropped, a gap between strikes counts as
whole steps only when it is close to a whole number of step times, and the cadence is reported
only from enough clean intervals, with its uncertainty.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from operator import sub

import numpy as np

#: Shortest step time anyone runs, seconds (sprinters make about 4.5 steps a second) [J].
MIN_STEP_S = 0.15
#: Two strikes closer than this fraction of the clip's step time are one step [J].
MIN_STEP_FRACTION = 0.6
#: A gap between strikes counts as k steps only within this many steps of k step times [J].
GAP_TOLERANCE_STEPS = 0.25
#: Longest gap counted as whole steps: beyond it the count of missed steps is a guess [J].
MAX_GAP_STEPS = 3
#: Fewest clean step intervals behind a reported cadence (the 95% interval is then within
#: about ±3% on the rendered runner) [J].
MIN_CADENCE_INTERVALS = 6
#: A running step rate below this in clip time (steps/min) is slow motion: runners step
#: 140–200 times a minute, walkers 100–130 [J].
SLOW_MOTION_BELOW_SPM = 100.0
#: The pelvis rhythm is used when its autocorrelation at the step time reaches this [J].
MIN_RHYTHM_CORRELATION = 0.3

# the choice of strikes (see keep_regular_strikes): a strike kept is worth 1; an interval off the
# step time costs _OFF_RHYTHM * log(ratio)**2 (25% off: 0.4, 35% off: 1.5, so such a strike is
# dropped), each step missed inside a gap 0.5, and starting over after a longer gap 2
_OFF_RHYTHM = 8.0
_MISSED_STEP = 0.5
_START_OVER = 2.0


@dataclass(frozen=True)
class Cadence:
    """The step rate of a running clip, from its clean step intervals.

    Attributes
    ----------
    spm : float
        Steps per minute of clip time; NaN with fewer than :data:`MIN_CADENCE_INTERVALS`
        clean intervals.
    ci_spm : tuple of float
        95% confidence interval of ``spm`` (t distribution of the mean step time over the clean
        intervals); NaN without a cadence.
    n_intervals : int
        Clean intervals between consecutive strikes (a gap of k whole steps is one interval).
    n_left_out : int
        Intervals that fit no whole number of steps, left out of the cadence.
    n_dropped : int
        Strikes dropped as spurious (too close to another, or off the step rhythm).
    step_time_s : float
        The clip's step rhythm, seconds of clip time (pelvis bob, else the median strike interval).
    slow_motion : bool
        The step rate is below :data:`SLOW_MOTION_BELOW_SPM` in clip time.
    """

    spm: float = float("nan")
    ci_spm: tuple[float, float] = (float("nan"), float("nan"))
    n_intervals: int = 0
    n_left_out: int = 0
    n_dropped: int = 0
    step_time_s: float = float("nan")
    slow_motion: bool = False

    def notes(self) -> list[str]:
        """Plain sentences for the report: the cadence's uncertainty, what was left out, slow motion."""
        out = []
        clock = " of clip time" if self.slow_motion else ""
        if np.isfinite(self.spm):
            lo, hi = self.ci_spm
            out.append(
                f"Cadence {self.spm:.1f} steps/min{clock} (95% interval {lo:.1f}–{hi:.1f}) from "
                f"{self.n_intervals} clean step intervals."
            )
        else:
            out.append(
                f"No cadence: {self.n_intervals} clean step interval(s), {MIN_CADENCE_INTERVALS} or more "
                "are needed (film more steps)."
            )
        if self.n_dropped:
            out.append(
                f"{self.n_dropped} foot strike(s) too close to another or off the step rhythm were "
                "dropped as tracking errors."
            )
        if self.n_left_out:
            out.append(
                f"{self.n_left_out} gap(s) between foot strikes fit no whole number of steps and were "
                "left out of the cadence."
            )
        if self.slow_motion:
            out.append(
                f"Slow motion: a step every {self.step_time_s:.2f} s of clip time, slower than anyone "
                "runs. Times and cadence are in clip time; multiply the cadence by the slow-motion "
                "factor (8 for 240 fps played at 30 fps) for the real one."
            )
        return out


def compute_step_time(hip_y_px: np.ndarray, fps: float, strike_t_s: np.ndarray) -> float:
    """The clip's step time, seconds: the pelvis bob's period, else the median strike interval.

    Parameters
    ----------
    hip_y_px : ndarray, shape (T,)
        Pelvis image y; NaN where not tracked.
    fps : float
        Frame rate of the clip.
    strike_t_s : ndarray, shape (N,)
        Candidate strike times, sorted (used when the pelvis shows no rhythm).

    Returns
    -------
    float
        Step time; 0.35 s (175 steps/min) when neither shows one.

    Notes
    -----
    The period is the first autocorrelation peak of the detrended pelvis height at least half as
    high as the highest peak (the stride, two steps, often correlates slightly better when the
    legs differ), refined between frames by a parabola through the peak.
    """
    period = _pelvis_period_s(np.asarray(hip_y_px, dtype=np.float64), fps)
    if np.isfinite(period):
        return period
    dts = np.diff(strike_t_s)
    dts = dts[dts >= MIN_STEP_S]
    return float(np.median(dts)) if dts.size else 0.35


def _pelvis_period_s(hip_y: np.ndarray, fps: float) -> float:
    """Period of the pelvis bob, seconds (NaN: no clear rhythm); see :func:`compute_step_time`."""
    from scipy.signal import find_peaks  # here: listing the movements must not load SciPy

    n = hip_y.shape[0]
    ok = np.isfinite(hip_y)
    lo = max(2, int(np.ceil(MIN_STEP_S * fps)))
    if ok.sum() < 8 or not np.isfinite(fps) or fps <= 0 or n // 2 <= lo + 2:
        return float("nan")
    i = np.arange(n)
    y = np.interp(i, i[ok], hip_y[ok])
    # a runner moving toward or away from the camera drifts in the image: remove a slow trend
    y = y - np.polyval(np.polyfit(i, y, 2), i)
    spec = np.fft.rfft(y, 2 * n)
    acov = np.fft.irfft(spec * np.conj(spec))[:n]
    if acov[0] <= 0:
        return float("nan")
    ac = acov / acov[0] * n / (n - i)  # unbiased: each lag averaged over its own overlap
    hi = n // 2
    peaks, _ = find_peaks(ac[: hi + 1])
    peaks = peaks[(peaks >= lo) & (peaks < hi)]
    if peaks.size == 0 or ac[peaks].max() < MIN_RHYTHM_CORRELATION:
        return float("nan")
    first = int(peaks[np.argmax(ac[peaks] >= 0.5 * ac[peaks].max())])
    if ac[first] < MIN_RHYTHM_CORRELATION:
        return float("nan")
    a, b, c = ac[first - 1], ac[first], ac[first + 1]
    bend = a - 2.0 * b + c
    return float(first + (0.5 * (a - c) / bend if bend < 0 else 0.0)) / fps


def keep_regular_strikes(strike_t_s: np.ndarray, step_time_s: float) -> np.ndarray:
    """Indices of the strikes that form the most regular sequence at the step time.

    Parameters
    ----------
    strike_t_s : ndarray, shape (N,)
        Candidate strike times, sorted.
    step_time_s : float
        The clip's step time (:func:`compute_step_time`).

    Returns
    -------
    ndarray of int, sorted
        The strikes kept. No two are closer than ``max(MIN_STEP_S, MIN_STEP_FRACTION *
        step_time_s)``.

    Notes
    -----
    Dynamic programming over the candidates (as in beat tracking): each kept strike scores 1; the
    interval from the previous kept strike, ``dt``, costs ``8 log(dt / (k T))**2 + 0.5 (k - 1)``
    with ``k = round(dt / T)`` steps (``k <= MAX_GAP_STEPS``), or 2 to start over after a longer
    gap. Of a real strike and a spurious one a few frames later, the one that keeps the rhythm
    wins; where spurious strikes outnumber real ones (legs swapping side-on), the rhythm still
    comes from the pelvis, not from the strikes.
    """
    ts = np.asarray(strike_t_s, dtype=np.float64)
    m = ts.size
    if m < 2 or not np.isfinite(step_time_s) or step_time_s <= 0:
        return np.arange(m)
    min_step = max(MIN_STEP_S, MIN_STEP_FRACTION * step_time_s)
    # the strikes each one may follow: from (MAX_GAP_STEPS + 0.5) steps back to min_step back
    near_lo = np.searchsorted(ts, ts - (MAX_GAP_STEPS + 0.5) * step_time_s, side="right").tolist()
    near_hi = np.searchsorted(ts, ts - min_step, side="right").tolist()
    cost, first = _interval_costs(ts, near_lo, near_hi, step_time_s)
    score = [1.0] * m
    prev = [-1] * m
    best_upto = [0] * m  # the best chain ending at or before each strike
    for j in range(1, m):
        lo, width = near_lo[j], near_hi[j] - near_lo[j]
        if width > 0:
            at = first[j]
            gain = list(map(sub, score[lo : lo + width], cost[at : at + width]))  # score - cost, each
            top = max(gain)
            if 1.0 + top > score[j]:
                score[j], prev[j] = 1.0 + top, lo + gain.index(top)
        if lo > 0:
            # start over after a gap longer than MAX_GAP_STEPS (tracking lost, runner out of view)
            far = best_upto[lo - 1]
            if 1.0 + score[far] - _START_OVER > score[j]:
                score[j], prev[j] = 1.0 + score[far] - _START_OVER, far
        best_upto[j] = j if score[j] > score[best_upto[j - 1]] else best_upto[j - 1]
    chain = []
    j = score.index(max(score))
    while j >= 0:
        chain.append(j)
        j = prev[j]
    return np.asarray(chain[::-1], dtype=np.int64)


def _interval_costs(
    ts: np.ndarray, near_lo: list[int], near_hi: list[int], step_s: float
) -> tuple[list[float], list[int]]:
    """The cost of following strike ``i`` with strike ``j`` (see :func:`keep_regular_strikes`) for
    every ``near_lo[j] <= i < near_hi[j]``: one list, strike ``j``'s costs from ``first[j]`` on."""
    lo, hi = np.asarray(near_lo, dtype=np.int64), np.asarray(near_hi, dtype=np.int64)
    width = np.maximum(hi - lo, 0)
    first = np.cumsum(width) - width
    j = np.repeat(np.arange(ts.size), width)
    i = np.arange(j.size) - first[j] + lo[j]
    dt = ts[j] - ts[i]
    k = np.clip(np.round(dt / step_s), 1, MAX_GAP_STEPS)
    cost = _OFF_RHYTHM * np.log(dt / (k * step_s)) ** 2 + _MISSED_STEP * (k - 1)
    return cost.tolist(), first.tolist()


def compute_cadence(strike_t_s: np.ndarray, step_time_s: float, n_dropped: int = 0) -> Cadence:
    """Cadence from the intervals between kept strikes, each counted as whole steps or left out.

    Parameters
    ----------
    strike_t_s : ndarray, shape (N,)
        Kept strike times, sorted (:func:`keep_regular_strikes`).
    step_time_s : float
        The clip's step time, used to tell one step from a gap of several.
    n_dropped : int
        Strikes dropped before (reported only).

    Returns
    -------
    Cadence

    Notes
    -----
    The step time ``T`` is re-measured as the median interval within 0.6–1.6 step times. An
    interval ``dt`` counts as ``k = round(dt / T)`` steps when ``|dt / T - k| <=``
    :data:`GAP_TOLERANCE_STEPS` and ``1 <= k <=`` :data:`MAX_GAP_STEPS`; the others are left out.
    Cadence = 60 Σk / Σdt over the clean intervals; its 95% interval comes from the standard
    error of the per-step times ``dt / k`` (t distribution, n - 1 degrees of freedom).
    """
    from scipy.stats import t as student_t  # here: listing the movements must not load SciPy

    ts = np.asarray(strike_t_s, dtype=np.float64)
    dts = np.diff(ts)
    base = Cadence(n_dropped=int(n_dropped), step_time_s=float(step_time_s))
    if dts.size == 0:
        return _with_slow_motion(base)
    usual = (dts >= 0.6 * step_time_s) & (dts <= 1.6 * step_time_s)
    unit = float(np.median(dts[usual])) if usual.any() else float(step_time_s)
    k = np.round(dts / unit)
    clean = (k >= 1) & (k <= MAX_GAP_STEPS) & (np.abs(dts / unit - k) <= GAP_TOLERANCE_STEPS)
    n = int(clean.sum())
    counted = replace(base, n_intervals=n, n_left_out=int(dts.size - n))
    if n < MIN_CADENCE_INTERVALS:
        return _with_slow_motion(counted)
    mean_step = float(dts[clean].sum() / k[clean].sum())
    per_step = dts[clean] / k[clean]
    half = float(student_t.ppf(0.975, n - 1) * np.std(per_step, ddof=1) / np.sqrt(n))
    ci = (60.0 / (mean_step + half), 60.0 / (mean_step - half) if half < mean_step else float("inf"))
    return _with_slow_motion(replace(counted, spm=60.0 / mean_step, ci_spm=ci))


def _with_slow_motion(c: Cadence) -> Cadence:
    """``c`` with ``slow_motion`` set from its rate (the step rhythm's when there is no cadence)."""
    rate = c.spm if np.isfinite(c.spm) else 60.0 / c.step_time_s if c.step_time_s > 0 else float("nan")
    return replace(c, slow_motion=bool(np.isfinite(rate) and rate < SLOW_MOTION_BELOW_SPM))
