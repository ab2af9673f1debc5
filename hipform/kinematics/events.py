"""Events in time: reps of the strength movements, steps of running.

biomechanics.md §5: reps come from a state machine with hysteresis on a
smoothed signal; running foot strike is the heel's lowest point, toe-off the
peak knee extension, midstance the lowest pelvis point within stance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hipform.kinematics.cadence import Cadence, compute_cadence, compute_step_time, keep_regular_strikes

#: Normalised rep signal above which a rep is entered [J].
REP_ENTER = 0.55
#: Normalised rep signal below which the person is back at rest [J].
REP_EXIT = 0.25
#: Running: a foot is the stance foot once it is this much lower in the image than the other
#: (fraction of leg length; hysteresis band around equal height) [J].
STANCE_MARGIN = 0.02
#: Running: shortest stance run that counts as a step, seconds (real stance lasts ≥ ~0.15 s) [J].
MIN_STANCE_S = 0.06


@dataclass(frozen=True)
class Reps:
    """Rep windows as frame indices (all arrays shape (N,), int).

    ``start`` is the last rest frame before the rep, ``peak`` the frame of the
    largest rep signal (bottom of a squat, top of a bridge; the middle of the
    hold when the signal stays within 3% of its peak), ``end`` the first
    rest frame after it. ``rest`` is a (T,) bool mask of frames at rest.
    """

    start: np.ndarray
    peak: np.ndarray
    end: np.ndarray
    rest: np.ndarray

    def __len__(self) -> int:
        return int(self.start.shape[0])


@dataclass(frozen=True)
class Steps:
    """Running steps as frame indices, sorted by foot strike (arrays shape (N,)).

    ``side`` is 0 for a left-foot stance, 1 for right. ``cadence`` is the
    step rate from the clean intervals between strikes, with its uncertainty.
    """

    side: np.ndarray
    strike: np.ndarray
    midstance: np.ndarray
    toe_off: np.ndarray
    cadence: Cadence

    def __len__(self) -> int:
        return int(self.strike.shape[0])

    @property
    def cadence_spm(self) -> float:
        """Steps per minute of clip time (NaN: too few clean step intervals)."""
        return self.cadence.spm


def _forward_fill_state(mark: np.ndarray, initial: int = 0) -> np.ndarray:
    """Replace -1 entries by the last non -1 value (``initial`` before the first)."""
    n = mark.shape[0]
    idx = np.where(mark >= 0, np.arange(n), -1)
    last = np.maximum.accumulate(idx)
    return np.where(last >= 0, mark[np.maximum(last, 0)], initial)


def compute_normalised(
    signal_: np.ndarray, lo_pct: float = 5.0, hi_pct: float = 95.0
) -> tuple[np.ndarray, float]:
    """Scale a signal to about [0, 1] between its low and high percentiles; also return the range."""
    x = np.asarray(signal_, dtype=np.float64)
    ok = np.isfinite(x)
    if ok.sum() < 2:
        return np.full(x.shape, np.nan), 0.0
    lo, hi = np.percentile(x[ok], [lo_pct, hi_pct])
    rng = float(hi - lo)
    if rng <= 0:
        return np.zeros_like(x), 0.0
    return (x - lo) / rng, rng


def compute_rep_state(
    normalised: np.ndarray, enter: float = REP_ENTER, exit_: float = REP_EXIT
) -> np.ndarray:
    """(T,) bool: inside a rep by the hysteresis rule (entered above ``enter``, not yet below ``exit_``)."""
    s = np.asarray(normalised, dtype=np.float64)
    mark = np.full(s.shape[0], -1, dtype=np.int64)
    mark[s > enter] = 1
    mark[s < exit_] = 0
    return _forward_fill_state(mark).astype(bool)


def detect_reps(
    signal_: np.ndarray,
    t_s: np.ndarray,
    min_range: float = 0.0,
    enter: float = REP_ENTER,
    exit_: float = REP_EXIT,
    min_duration_s: float = 0.3,
) -> Reps:
    """Segment reps with hysteresis.

    Parameters
    ----------
    signal_ : ndarray, shape (T,)
        Rep signal, larger = deeper into the rep (e.g. knee flexion in
        degrees for a squat). NaN frames keep the previous state.
    t_s : ndarray, shape (T,)
        Frame times, seconds.
    min_range : float
        Smallest 5–95 percentile range (signal units) that counts as
        movement; below it no rep is found.
    enter, exit_ : float
        Thresholds on the signal normalised to its 5–95 percentile range:
        a rep starts when it rises above ``enter`` and ends when it falls
        below ``exit_`` (``exit_ < enter``).
    min_duration_s : float
        Shorter excursions above ``enter`` are ignored as noise.

    Returns
    -------
    Reps
    """
    x = np.asarray(signal_, dtype=np.float64)
    t = np.asarray(t_s, dtype=np.float64)
    n = x.shape[0]
    empty = np.zeros(0, dtype=np.int64)
    if not 0 <= exit_ < enter <= 1:
        raise ValueError(f"need 0 <= exit_ < enter <= 1, got exit_={exit_}, enter={enter}")
    s, rng = compute_normalised(x)
    if n < 3 or rng <= 0 or rng < min_range:
        return Reps(empty, empty, empty, np.isfinite(x))
    mark = np.full(n, -1, dtype=np.int64)
    mark[s > enter] = 1
    mark[s < exit_] = 0
    state = compute_rep_state(s, enter, exit_).astype(np.int64)
    d = np.diff(np.concatenate([[0], state, [0]]))
    a = np.flatnonzero(d == 1)
    b = np.flatnonzero(d == -1)  # exclusive end of the active run
    # the rep starts at the last rest frame before it went active
    rest_idx = np.where(mark == 0, np.arange(n), -1)
    last_rest = np.maximum.accumulate(rest_idx)
    start = np.where(a > 0, last_rest[np.maximum(a - 1, 0)], 0)
    start = np.maximum(start, 0)
    end = np.minimum(b, n - 1)
    # a rep still active at the end of the clip is not complete
    complete = b < n
    dur = t[end] - t[np.clip(a, 0, n - 1)]
    keep = complete & (dur >= min_duration_s) & (a > 0)
    a, b, start, end = a[keep], b[keep], start[keep], end[keep]
    if a.size == 0:
        return Reps(empty, empty, empty, mark == 0)
    peaks = _held_peaks(np.where(np.isfinite(x), x, -np.inf), a, b, rng)
    return Reps(start.astype(np.int64), peaks, end.astype(np.int64), mark == 0)


def _held_peaks(xs: np.ndarray, a: np.ndarray, b: np.ndarray, rng: float) -> np.ndarray:
    """Key frame of each active run ``xs[a:b]`` (disjoint, ascending): its peak, or the middle of a
    held top or bottom (the frames around the peak within 3% of ``rng`` of it)."""
    ln = b - a
    first = np.cumsum(ln) - ln  # each run's offset in the runs laid end to end
    run = np.repeat(np.arange(a.size), ln)
    pos = np.arange(run.size)
    seg = xs[pos - first[run] + a[run]]
    top_value = np.maximum.reduceat(seg, first)
    top = np.minimum.reduceat(np.where(seg == top_value[run], pos, pos.size), first)  # first peak
    near = seg >= seg[top][run] - 0.03 * rng
    # the nearest frames not near the peak before and after it, within the run
    before = np.maximum.accumulate(np.where(near, -1, pos))
    after = np.minimum.accumulate(np.where(near, pos.size, pos)[::-1])[::-1]
    lo = np.where(before[top] >= first, before[top] + 1, first)
    hi = np.where(after[top] < first + ln, after[top] - 1, first + ln - 1)
    return (a + (lo - first + hi - first) // 2).astype(np.int64)


def detect_steps(
    heel_y_px: np.ndarray,
    hip_y_px: np.ndarray,
    knee_flexion_deg: np.ndarray,
    t_s: np.ndarray,
    leg_length_px: float,
    min_stride_s: float = 0.4,
    prominence_fraction: float = 0.04,
    stance_from: str = "lower-foot",
    clean: bool = True,
) -> Steps:
    """Foot strikes, midstance and toe-off of each running step, and the cadence.

    Parameters
    ----------
    heel_y_px : ndarray, shape (T, 2)
        Heel image y (pixels, down) [left, right]; NaN where masked.
    hip_y_px : ndarray, shape (T,)
        Pelvis (hip midpoint) image y, pixels; its bob sets the step rhythm.
    knee_flexion_deg : ndarray, shape (T, 2)
        Knee flexion [left, right] (world landmarks for a rear view).
    t_s : ndarray, shape (T,)
    leg_length_px : float
        Typical leg length in the image; sets the prominence a heel minimum needs.
    min_stride_s : float
        Shortest time between two strikes of the same foot (``heel-peak``).
    prominence_fraction : float
        Height difference, as a fraction of leg length, that makes a step:
        for ``lower-foot``, how much lower the stance foot must get than the
        other at least once in the step; for ``heel-peak``, the heel
        excursion (at least 30% of the heel's own 5–95 percentile range is
        also required).
    stance_from : str
        ``lower-foot`` (front or rear view; the default): the stance foot is
        the lower heel in the image, a step is a run of frames with the same
        foot clearly lower, its strike the first frame of the run.
        ``heel-peak`` (side view, where the two feet overlap and swap): a
        strike is the first frame where the heel comes within 2% of leg
        length of its lowest image position of that step.
    clean : bool
        Drop the strikes off the clip's step rhythm, cadence from the clean intervals (the
        default). ``False`` keeps every strike found, its cadence the raw strike rate
        (:func:`compute_strike_rate`) that movement recognition was calibrated on.

    Returns
    -------
    Steps

    Raises
    ------
    ValueError
        Unknown ``stance_from``.

    Notes
    -----
    Strikes off the clip's step rhythm are dropped (:func:`~hipform.kinematics.cadence.keep_regular_strikes`):
    no two steps share a frame. Midstance is the lowest pelvis point in the first 60% of the time
    to the next strike; toe-off the peak knee extension (smallest flexion) between midstance and
    the next strike, so a step ends before the next one starts.
    """
    t = np.asarray(t_s, dtype=np.float64)
    n = t.shape[0]
    if n < 5 or not np.isfinite(leg_length_px) or leg_length_px <= 0:
        return _no_steps()
    fps = (n - 1) / (t[-1] - t[0]) if t[-1] > t[0] else 30.0
    heel = np.asarray(heel_y_px, dtype=np.float64)
    found = _find_strikes(heel, t, fps, leg_length_px, min_stride_s, prominence_fraction, stance_from)
    if found is None:
        return _no_steps()
    hip_y = np.asarray(hip_y_px, dtype=np.float64)
    step_s = compute_step_time(hip_y, fps, t[found[1]])
    kept = keep_regular_strikes(t[found[1]], step_s) if clean else np.arange(found[1].size)
    side_a, strike_a = found[0][kept], found[1][kept]
    mids, toes = _stance_events(side_a, strike_a, hip_y, knee_flexion_deg, n, step_s, fps)
    if clean:
        cadence = compute_cadence(t[strike_a], step_s, n_dropped=found[1].size - kept.size)
    else:
        cadence = Cadence(spm=compute_strike_rate(side_a, t[strike_a]), step_time_s=step_s)
    return Steps(side_a, strike_a, mids, toes, cadence)


def compute_strike_rate(side_a: np.ndarray, strike_t_s: np.ndarray) -> float:
    """Raw strike rate, steps/min: every strike counts and gaps are rounded to whole steps.

    Not a cadence to report (spurious strikes raise it, a gap of 1.5 steps counts as 2): it is the
    label-free stepping rate that movement recognition scores. Between consecutive strikes: 1
    step for alternate feet, 2 for the same foot, more across gaps (rounded to the median step).
    NaN with fewer than two strikes.
    """
    if strike_t_s.size < 2 or strike_t_s[-1] <= strike_t_s[0]:
        return float("nan")
    dts = np.diff(strike_t_s)
    alternating = side_a[1:] != side_a[:-1]
    unit = float(np.median(np.where(alternating, dts, dts / 2.0)))
    n_between = (
        np.maximum(np.where(alternating, 1, 2), np.round(dts / unit)) if unit > 0 else np.ones_like(dts)
    )
    return 60.0 * float(n_between.sum()) / float(strike_t_s[-1] - strike_t_s[0])


def _find_strikes(
    heel: np.ndarray,
    t: np.ndarray,
    fps: float,
    leg_length_px: float,
    min_stride_s: float,
    prominence_fraction: float,
    stance_from: str,
) -> tuple[np.ndarray, np.ndarray] | None:
    """(side, strike frame) of every strike found the ``stance_from`` way (see :func:`detect_steps`)."""
    if stance_from == "lower-foot":
        return _strikes_lower_foot(heel, t, leg_length_px, prominence_fraction)
    if stance_from == "heel-peak":
        return _strikes_heel_peaks(heel, t, fps, leg_length_px, min_stride_s, prominence_fraction)
    raise ValueError(f"stance_from must be 'lower-foot' or 'heel-peak', got {stance_from!r}")


def _no_steps() -> Steps:
    empty = np.zeros(0, dtype=np.int64)
    return Steps(empty, empty, empty, empty, Cadence())


def _strikes_lower_foot(
    heel: np.ndarray, t: np.ndarray, leg_length_px: float, prominence_fraction: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """(side, strike frame) of each step from which foot is lower in the image (front or rear view).

    The stance foot is the planted one, the lower in the image; a step is a run of frames with
    one foot clearly lower (hysteresis :data:`STANCE_MARGIN`), its strike the run's first frame.
    From behind, the heel's own lowest image point is not the strike: the stance foot travels
    toward the camera through stance and the swing foot kicks up toward it, so heel-peak timing
    mixed up the feet.
    """
    n = t.shape[0]
    d = heel[:, 0] - heel[:, 1]  # > 0: the left heel is lower in the image
    ok = np.isfinite(d)
    if ok.sum() < 5:
        return None
    # filmed from the side the far foot sits higher in the image even when planted: measure from
    # the clip's median difference (each foot is the lower one about half the running time)
    d = d - float(np.median(d[ok]))
    margin = STANCE_MARGIN * leg_length_px
    mark = np.full(n, -1, dtype=np.int64)
    mark[ok & (d > margin)] = 0
    mark[ok & (d < -margin)] = 1
    if not (mark >= 0).any():
        return None
    state = _forward_fill_state(mark, initial=-1)
    # runs of one stance side; a run must show a clearly lower foot (not jitter about the margin)
    edge = np.flatnonzero(np.diff(state) != 0) + 1
    a = np.concatenate([[0], edge])
    b = np.concatenate([edge, [n]])
    side_r = state[a]
    ad = np.abs(np.where(ok, d, 0.0))
    peak = np.maximum.reduceat(ad, a)
    keep = (side_r >= 0) & (peak >= prominence_fraction * leg_length_px)
    a, b, side_r = a[keep], b[keep], side_r[keep]
    if a.size:
        # runs of the same side split by a dropped run join up; then the runs too short to be a stance go
        new_run = np.concatenate([[True], side_r[1:] != side_r[:-1]])
        a = a[new_run]
        b = np.maximum.reduceat(b, np.flatnonzero(new_run))
        side_r = side_r[new_run]
        long_enough = (t[np.minimum(b, n) - 1] - t[a]) >= MIN_STANCE_S
        a, b, side_r = a[long_enough], b[long_enough], side_r[long_enough]
    # the first and last runs are cut by the clip: their strike (or end) was not seen
    inner = (a > 0) & (b < n)
    a, b, side_r = a[inner], b[inner], side_r[inner]
    if a.size == 0:
        return None
    # the feet swap "lower" in the flight phase, before the landing foot touches down: the strike is
    # where the new stance foot is halfway to its largest lead over the other foot (on the
    # rendered runner from behind, within a frame of the true strike at 60 fps)
    run = np.repeat(np.arange(a.size), b - a)
    pos = np.arange(run.size) - np.repeat(np.cumsum(b - a) - (b - a), b - a) + a[run]
    peak_r = np.maximum.reduceat(ad[pos], np.cumsum(b - a) - (b - a))
    past = ad[pos] >= 0.5 * peak_r[run]
    first = np.cumsum(b - a) - (b - a)
    at = np.where(past, np.arange(run.size), run.size)
    a = pos[np.minimum(np.minimum.reduceat(at, first), run.size - 1)]
    order = np.argsort(a, kind="stable")
    return _drop_double_strikes(side_r[order].astype(np.int64), a[order].astype(np.int64), t)


def _strikes_heel_peaks(
    heel_y_px: np.ndarray,
    t: np.ndarray,
    fps: float,
    leg_length_px: float,
    min_stride_s: float,
    prominence_fraction: float,
) -> tuple[np.ndarray, np.ndarray] | None:
    """(side, strike frame) of each step from each heel's lowest image points (side view)."""
    from scipy.signal import find_peaks  # here: listing the movements must not load SciPy

    n = t.shape[0]
    distance = max(1, int(round(min_stride_s * fps)))
    prom = prominence_fraction * leg_length_px
    tol = 0.02 * leg_length_px
    sides, strikes = [], []
    for side in (0, 1):
        y = heel_y_px[:, side]
        ok = np.isfinite(y)
        if ok.sum() < 5:
            continue
        yf = np.where(ok, y, np.interp(np.arange(n), np.flatnonzero(ok), y[ok]))
        # a strike must stand out against the heel's own swing, not only against landmark jitter
        lo, hi = np.percentile(yf, [5, 95])
        pk, _ = find_peaks(yf, distance=distance, prominence=max(prom, 0.3 * (hi - lo)))
        pk = pk[ok[pk]]
        # walk back from each heel peak while the heel stays within tol of it: all peaks in step
        floor = yf[pk] - tol
        j = pk.copy()
        live = j > 0
        while live.any():
            k = j[live] - 1
            go = ok[k] & (yf[k] >= floor[live])
            idx = np.flatnonzero(live)
            j[idx[go]] = k[go]
            live[idx[~go]] = False
            live &= j > 0
        sides.extend([side] * int(pk.size))
        strikes.extend(j.tolist())
    if not strikes:
        return None
    order = np.argsort(strikes, kind="stable")
    return _drop_double_strikes(
        np.asarray(sides, dtype=np.int64)[order], np.asarray(strikes, dtype=np.int64)[order], t
    )


def _drop_double_strikes(
    side_a: np.ndarray, strike_a: np.ndarray, t: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Time-ordered strikes with a same-foot strike less than ~1.5 steps after another removed.

    The same foot cannot strike twice within about one step time: the later strike is kept.
    """
    if strike_a.size >= 3:
        dts = np.diff(t[strike_a])
        alt = side_a[1:] != side_a[:-1]
        unit = float(np.median(np.where(alt, dts, dts / 2.0)))
        bad = np.concatenate([(~alt) & (dts < 1.5 * unit), [False]])
        side_a, strike_a = side_a[~bad], strike_a[~bad]
    return side_a, strike_a


def first_extreme(
    x: np.ndarray, lo: np.ndarray, hi: np.ndarray, largest: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Per window ``x[lo:hi]``: (offset of ``nanargmax``/``nanargmin``, any finite value).

    Windows are clipped to the array like Python slices; the offset is 0 for a
    window with no value (the caller decides what that means).
    """
    n = x.shape[0]
    lo = np.clip(lo, 0, n)
    hi = np.clip(hi, lo, n)
    ln = hi - lo
    w = lo.size
    off = np.zeros(w, dtype=np.int64)
    some = np.zeros(w, dtype=bool)
    has = ln > 0
    if not has.any():
        return off, some
    st, lh = lo[has], ln[has]
    first = np.cumsum(lh) - lh
    run = np.repeat(np.arange(st.size), lh)
    seg = x[np.arange(run.size) - first[run] + st[run]]
    nan = np.isnan(seg)
    filled = np.where(nan, -np.inf if largest else np.inf, seg)
    best = (np.maximum if largest else np.minimum).reduceat(filled, first)
    at = np.where(filled == best[run], np.arange(run.size), run.size)
    off[has] = np.minimum.reduceat(at, first) - first
    some[has] = np.add.reduceat(np.isfinite(seg).astype(np.int64), first) > 0
    return off, some


def _stance_events(
    side_a: np.ndarray,
    strike_a: np.ndarray,
    hip_y: np.ndarray,
    knee_flexion_deg: np.ndarray,
    n: int,
    step_s: float,
    fps: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Midstance and toe-off frame of every step (see :func:`detect_steps`), all steps at once.

    Both lie before the next strike (of either foot: a stance ends before the next one starts);
    after the last strike, one step time later.
    """
    m = strike_a.size
    if m == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    st = strike_a.astype(np.int64)
    last_end = min(n, int(st[-1]) + max(2, int(round(step_s * fps))))
    nxt = np.append(st[1:], last_end)  # exclusive end of each step's search windows
    w_mid = st + np.maximum(1, np.round(0.6 * (nxt - st)).astype(np.int64))
    off, some = first_extreme(hip_y, st, w_mid, largest=True)
    mid = np.where(some, st + off, st)
    toes = np.empty(m, dtype=np.int64)
    for sd in (0, 1):
        sel = side_a == sd
        if sel.any():
            o, f = first_extreme(knee_flexion_deg[:, sd], mid[sel], nxt[sel], largest=False)
            toes[sel] = np.where(f, mid[sel] + o, np.maximum(mid[sel], nxt[sel] - 1))
    return mid.astype(np.int64), np.minimum(toes, n - 1)
