"""The array versions of per-item loops give exactly the loops' results (docs/performance.md).

Each reference below is the loop the array code replaced, kept here as its definition: the
strike choice of running cadence, the key frame of held reps, SciPy's zero-lag filter (and its
NaN put back row by row), the per-rep values cut from columns, the report's reps held as columns,
running's step windows, the top and bottom side of a side-lying body picked frame by frame, and the
per-frame measures and report series computed when first read.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import scipy.signal as sps
from kin_helpers import film, simulate_motion

from hipform.kinematics import conditioning as C
from hipform.kinematics import hinge as H
from hipform.kinematics import knee_over_foot as K
from hipform.kinematics import measures as M
from hipform.kinematics import side_lying as SL
from hipform.kinematics.cadence import (
    _MISSED_STEP,
    _OFF_RHYTHM,
    _START_OVER,
    MAX_GAP_STEPS,
    MIN_STEP_FRACTION,
    MIN_STEP_S,
    keep_regular_strikes,
)
from hipform.kinematics.config import AnalysisConfig
from hipform.kinematics.events import _held_peaks
from hipform.kinematics.frame_measures import SIDES, compute_measures, flatten_measures, view_shows
from hipform.kinematics.lazy_series import LazySeries
from hipform.kinematics.movements import Window
from hipform.kinematics.movements.running import _step_windows
from hipform.kinematics.rep_values import Reported, RepTable, ValueColumn, rep_results, values_by_window
from hipform.kinematics.shown import blank_unjudged
from hipform.kinematics.side_lying import _pick
from hipform.kinematics.signals import _bridge_rows, _sosfiltfilt, lowpass_rows, lowpass_sos
from hipform.kinematics.view import FRONTAL_MAX_YAW_DEG, clip_body_yaw_deg, estimate_view
from hipform.report import MeasureValue, RepResult, value_key


def strikes_by_loop(ts: np.ndarray, step: float) -> np.ndarray:
    """:func:`keep_regular_strikes` strike by strike, every candidate interval costed on its own."""
    m = ts.size
    min_step = max(MIN_STEP_S, MIN_STEP_FRACTION * step)
    longest = (MAX_GAP_STEPS + 0.5) * step
    score, prev, best_upto = np.ones(m), np.full(m, -1), np.zeros(m, dtype=np.int64)
    for j in range(1, m):
        lo, hi = np.searchsorted(ts[:j], [ts[j] - longest, ts[j] - min_step], side="right")
        if hi > lo:
            dt = ts[j] - ts[lo:hi]
            k = np.clip(np.round(dt / step), 1, MAX_GAP_STEPS)
            gain = score[lo:hi] - (_OFF_RHYTHM * np.log(dt / (k * step)) ** 2 + _MISSED_STEP * (k - 1))
            at = int(np.argmax(gain))
            if 1.0 + gain[at] > score[j]:
                score[j], prev[j] = 1.0 + gain[at], lo + at
        if lo > 0:
            far = int(best_upto[lo - 1])
            if 1.0 + score[far] - _START_OVER > score[j]:
                score[j], prev[j] = 1.0 + score[far] - _START_OVER, far
        best_upto[j] = j if score[j] > score[best_upto[j - 1]] else best_upto[j - 1]
    chain, j = [], int(np.argmax(score))
    while j >= 0:
        chain.append(j)
        j = int(prev[j])
    return np.asarray(chain[::-1])


@pytest.mark.parametrize("seed", range(6))
def test_strike_choice_equals_the_loop(seed: int) -> None:
    rng = np.random.default_rng(seed)
    step = 0.3 + 0.1 * rng.random()
    ts = np.cumsum(step + rng.normal(0, 0.03, 300))
    spurious = ts[rng.choice(300, 40)] + rng.uniform(0.03, 0.2, 40)  # heel dips after landing
    ts = np.delete(ts, rng.choice(300, 20, replace=False))  # missed strikes: gaps of whole steps
    ts = np.sort(np.concatenate([ts, spurious, ts[-1] + 30 + np.arange(10) * step]))  # a long gap
    kept = keep_regular_strikes(ts, step)
    assert np.array_equal(kept, strikes_by_loop(ts, step))
    assert 0 < kept.size < ts.size  # the choice dropped some: the comparison says something


def held_peaks_by_loop(xs: np.ndarray, a: np.ndarray, b: np.ndarray, rng: float) -> np.ndarray:
    """:func:`hipform.kinematics.events._held_peaks` rep by rep."""
    peaks = []
    for a_i, b_i in zip(a, b, strict=True):
        seg = xs[a_i:b_i]
        top = int(np.argmax(seg))
        near = seg >= seg[top] - 0.03 * rng
        lo = top - int(np.argmin(near[top::-1])) + 1 if not near[: top + 1].all() else 0
        hi = top + int(np.argmin(near[top:])) - 1 if not near[top:].all() else seg.size - 1
        peaks.append(a_i + (lo + hi) // 2)
    return np.asarray(peaks)


@pytest.mark.parametrize("seed", range(4))
def test_held_rep_key_frames_equal_the_loop(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = np.round(rng.normal(0, 1, 3000).cumsum(), 0)  # rounded: plateaus, i.e. held tops
    x[rng.choice(3000, 50)] = -np.inf  # frames with no signal
    edges = np.sort(rng.choice(np.arange(1, 3000), 120, replace=False))
    a, b = edges[0::2], edges[1::2]  # disjoint runs, some a single frame long
    got = _held_peaks(x, a, b, 4.0)
    assert np.array_equal(got, held_peaks_by_loop(x, a, b, 4.0))
    assert not np.array_equal(got, a + (b - a - 1) // 2)  # not merely the middle of each run


@pytest.mark.parametrize("n", [30, 200, 5000])
@pytest.mark.parametrize("fs", [30.0, 240.0])
def test_the_zero_lag_filter_is_scipys(n: int, fs: float) -> None:
    sos = lowpass_sos(fs, 6.0)
    rng = np.random.default_rng(n)
    pad = min(3 * (2 * len(sos) + 1) * 4, n - 1)
    zi = sps.sosfilt_zi(sos)
    pair = rng.normal(size=(2, n)) + 1j * rng.normal(size=(2, n))
    one = rng.normal(size=(1, n))
    for x in (pair, one):
        assert np.array_equal(_sosfiltfilt(sos, zi, x, pad), sps.sosfiltfilt(sos, x, axis=-1, padlen=pad))


def test_values_cut_from_columns_equal_per_window_records() -> None:
    rng = np.random.default_rng(0)
    n_windows = 7
    columns = [
        ValueColumn(
            "knee_flexion_deg", "left", "deg", np.arange(n_windows), rng.random(n_windows), np.zeros(7, bool)
        ),
        ValueColumn(
            "fppa_deg",
            "right",
            "deg",
            np.array([1, 4, 5]),
            np.array([3.0, np.nan, 8.0]),
            np.array([1, 0, 1], bool),
        ),
        ValueColumn(
            "trunk_line_deg", None, "deg", np.array([0, 4]), np.array([1.5, 2.5]), np.array([0, 1], bool)
        ),
        ValueColumn(  # not measured, graded or not: each window's NaN record is shared, same values
            "pelvic_drop_deg",
            "left",
            "deg",
            np.arange(1, n_windows),
            np.array([np.nan, 2.0, np.nan, np.nan, 1.0, np.nan]),
            np.array([1, 1, 0, 1, 0, 0], bool),
        ),
        ValueColumn("unused", None, "ratio", np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool)),
    ]
    expected: list[list[MeasureValue]] = [[] for _ in range(n_windows)]
    for c in columns:
        for wi, v, ok in zip(c.windows.tolist(), c.value.tolist(), c.assessed.tolist(), strict=True):
            expected[wi].append(MeasureValue(c.measure, c.side, v, c.unit, ok))
    got = values_by_window(columns, n_windows)
    assert len(got) == n_windows
    for g, e in zip(got, expected, strict=True):
        assert [type(v) for v in g] == [MeasureValue] * len(e)
        assert [v._replace(value=repr(v.value)) for v in g] == [v._replace(value=repr(v.value)) for v in e]
        assert all(type(v.value) is float and type(v.assessed) is bool for v in g)  # JSON-ready types


@pytest.mark.parametrize("n", [200, 5000])
def test_filtered_rows_are_nan_exactly_where_invalid(n: int) -> None:
    rng = np.random.default_rng(n)
    sos = lowpass_sos(30.0, 6.0)
    x = rng.normal(size=(5, 2, n))  # five landmarks, two coordinates each
    valid = rng.random((5, n)) > 0.02
    valid[2] = True  # a landmark with no missing sample
    x[~np.repeat(valid[:, None, :], 2, axis=1)] = np.nan
    out = np.full((9, 2, n), -1.0)
    rows = [7, 0, 3, 8, 5]
    lowpass_rows(x, valid, sos, out=out, out_rows=rows)
    pad = min(3 * (2 * len(sos) + 1) * 4, n - 1)
    filled = _bridge_rows(x, valid)
    for k, r in enumerate(rows):  # row by row: SciPy's filter of the bridged row, NaN where invalid
        for d in range(2):
            expected = np.where(valid[k], sps.sosfiltfilt(sos, filled[k, d], padlen=pad), np.nan)
            assert np.array_equal(out[r, d], expected, equal_nan=True)
    assert (out[[1, 2, 4, 6]] == -1.0).all()  # rows not asked for are untouched


def test_top_and_bottom_side_equal_the_frame_by_frame_pick() -> None:
    rng = np.random.default_rng(0)
    pair = rng.normal(size=(500, 2, 2))
    pair[rng.random((500, 2, 2)) < 0.05] = np.nan
    top = rng.integers(-1, 2, 500)  # -1: the top leg is not known
    got_top, got_bottom = _pick(pair, top)
    for i, t in enumerate(top.tolist()):
        first = max(t, 0)  # an unknown top reads as the left side
        assert np.array_equal(got_top[i], pair[i, first], equal_nan=True)
        assert np.array_equal(got_bottom[i], pair[i, 1 - first], equal_nan=True)


def reps_by_loop(
    windows: list[Window],
    m: dict[str, np.ndarray],
    reported: list[Reported],
    graded: list[ValueColumn],
    t: np.ndarray,
) -> tuple[RepResult, ...]:
    """The reps :func:`rep_results` reports (no FPPA columns, every window graded), window by window."""
    reps = []
    for wi, w in enumerate(windows):
        values = [
            MeasureValue(name, side, float(m[name][w.key, s]), "deg", False)
            for s, side in enumerate(("left", "right"))
            for name in ("knee_flexion_deg", "hip_flexion_deg")
        ]
        values += [MeasureValue(r.measure, None, float(r.series[w.key]), r.unit, False) for r in reported]
        for c in graded:
            at = np.flatnonzero(c.windows == wi)
            values += [
                MeasureValue(c.measure, c.side, float(c.value[i]), c.unit, bool(c.assessed[i])) for i in at
            ]
        side = None if w.side is None else ("left", "right")[w.side]
        reps.append(
            RepResult(
                wi + 1,
                w.kind,
                side,
                w.start,
                w.key,
                w.end,
                float(t[w.start]),
                float(t[w.key]),
                float(t[w.end]),
                tuple(values),
            )
        )
    return tuple(reps)


def test_reps_held_as_columns_equal_the_records_made_rep_by_rep() -> None:
    rng = np.random.default_rng(3)
    n, t = 400, np.arange(400) / 30.0
    m = {name: rng.normal(90, 20, (n, 2)) for name in ("knee_flexion_deg", "hip_flexion_deg")}
    starts = np.sort(rng.choice(np.arange(0, n - 20, 20), 9, replace=False))
    windows = [
        Window(int(a), int(a) + 7, int(a) + 15, [0, 1, None][i % 3], "rep") for i, a in enumerate(starts)
    ]
    reported = [Reported("trunk_line_deg", "deg", rng.normal(0, 5, n))]
    graded = [
        ValueColumn(
            "fppa_deg",
            "right",
            "deg",
            np.array([1, 4, 8]),
            np.array([3.0, 5.0, 8.0]),
            np.array([1, 0, 1], bool),
        )
    ]
    reps = rep_results(windows, m, reported, graded, None, np.zeros(len(windows), bool), t)
    assert isinstance(reps, RepTable) and len(reps) == 9 and reps._records is None  # nothing made yet
    expected = reps_by_loop(windows, m, reported, graded, t)
    assert reps == expected and tuple(reps) == expected and reps[-1] == expected[-1]
    assert reps[2:5] == expected[2:5] and list(reversed(reps)) == list(reversed(expected))
    assert pickle.loads(pickle.dumps(reps)) == expected  # the app's cache pickles reports
    assert reps != expected[:-1] and reps != list(expected)  # equal to the tuple only, as a tuple is
    assert rep_results([], m, reported, [], None, np.zeros(0, bool), t) == ()


def test_step_windows_equal_the_windows_made_step_by_step() -> None:
    rng = np.random.default_rng(1)
    strike = np.sort(rng.choice(5000, 40, replace=False))
    mid, end = strike + rng.integers(1, 5, 40), strike + rng.integers(5, 9, 40)
    side = rng.integers(-1, 2, 40)
    sides = [s if s >= 0 else None for s in side.tolist()]
    got = _step_windows(strike, mid.astype(np.float64), end, sides)  # frame numbers as floats too
    expected = [
        Window(int(a), int(k), int(e), s, "step") for a, k, e, s in zip(strike, mid, end, sides, strict=True)
    ]
    assert got == expected and {type(w) for w in got} == {Window}
    assert all(type(v) is int for w in got for v in w[:3])  # JSON-ready frame numbers
    assert None in {w.side for w in got}
    with pytest.raises(ValueError):
        _step_windows(strike, mid, end, sides[:-1])


def measures_computed_at_once(
    px: np.ndarray, world: np.ndarray, facing_x: np.ndarray
) -> dict[str, np.ndarray]:
    """:func:`compute_measures` of a front view as it was: every measure computed, in its order."""
    legs = M.compute_leg_length(px)
    yaw = clip_body_yaw_deg(px, world, legs)
    yaw = yaw if abs(yaw) <= FRONTAL_MAX_YAW_DEG else float("nan")
    knee_toe, knee_medial = K.compute_knee_over_foot(px, yaw, legs)
    trunk_hinge = H.compute_trunk_hinge_deg(px, legs)
    return {
        "fppa_deg": M.compute_fppa_deg(px),
        "knee_separation_ratio": M.compute_knee_separation_ratio(px),
        "knee_toe_ratio": knee_toe,
        "knee_medial_offset_ratio": knee_medial,
        "hip_adduction_deg": M.compute_hip_adduction_deg(px),
        "pelvic_obliquity_deg": M.compute_pelvic_obliquity_deg(px),
        "bridge_hip_line_deg": M.compute_bridge_hip_line_deg(px),
        "thigh_past_trunk_deg": M.compute_thigh_past_trunk_deg(px),
        "trunk_line_deg": M.compute_trunk_line_deg(px),
        "knee_spread_deg": M.compute_knee_spread_deg(px),
        "shoulder_tilt_deg": SL.along_body_only(M.compute_shoulder_tilt_deg(px), px),
        "heel_gap_ratio": M.compute_heel_gap_ratio(px),
        "trunk_inclination_deg": M.compute_trunk_inclination_deg(px, facing_x),
        "knee_flexion_deg": M.compute_knee_flexion_deg(world),
        "hip_flexion_deg": M.compute_hip_flexion_deg(world),
        "trunk_hinge_deg": trunk_hinge,
        "hinge_line_deg": H.compute_hinge_line_deg(px),
        "free_hip_rise_deg": H.compute_free_hip_rise_deg(px),
        "free_foot_clearance_ratio": H.compute_free_foot_clearance_ratio(px, trunk_hinge, legs),
        "leg_lift_deg": SL.compute_leg_lift_deg(px),
        "leg_forward_deg": SL.compute_leg_forward_deg(px),
        "trunk_side_bend_deg": SL.compute_trunk_side_bend_deg(px),
    }


def series_flattened_at_once(m: dict[str, np.ndarray], base: dict, rep_signal: np.ndarray, view) -> dict:
    """:func:`flatten_measures` as it was: every series made, in its order."""
    by_measure = {"fppa_raw_deg": m["fppa_deg"], **{n: a for n, a in m.items() if n != "fppa_deg"}}
    by_measure["fppa_deg"] = m["fppa_deg"] - np.nan_to_num(base["fppa_deg"])[None, :]
    by_measure["pelvic_drop_deg"] = M.compute_pelvic_drop_deg(
        m["pelvic_obliquity_deg"] - np.nan_to_num(base["pelvic_obliquity_deg"])
    )
    by_measure["knee_separation_rel"] = m["knee_separation_ratio"] / base["knee_separation_ratio"]
    by_measure["knee_medial_shift_rel"] = (
        m["knee_medial_offset_ratio"] - base["knee_medial_offset_ratio"][None, :]
    )
    by_measure["rep_signal"] = rep_signal
    by_measure["view_yaw_deg"] = view.per_frame_yaw_deg
    out = {}
    for name, arr in by_measure.items():
        if view_shows(name, view):
            arr = np.asarray(arr, dtype=np.float64)
            if arr.ndim == 2:
                out.update({value_key(name, s): arr[:, i] for i, s in enumerate(SIDES)})
            else:
                out[name] = arr
    return out


def _same_series(got, expected) -> bool:
    return list(got) == list(expected) and all(
        got[k].dtype == expected[k].dtype and np.array_equal(got[k], expected[k], equal_nan=True)
        for k in reversed(list(expected))  # read in another order than made
    )


def test_measures_and_series_computed_when_read_equal_those_computed_at_once() -> None:
    seq = film(simulate_motion("squat", reps=2), "front")
    pre = C.lowpass_conditioned(C.condition_sequence(seq, AnalysisConfig()), C.frame_rate_of(seq), 5.0)
    view = estimate_view(pre.px, pre.world)
    assert view.view == "front"
    lazy = compute_measures(pre.px, pre.world, view.facing_x)
    assert isinstance(lazy, LazySeries) and "fppa_deg" in lazy and "nothing" not in lazy
    assert all(lazy.ndim(k) in (1, 2) for k in lazy) and len(lazy) == 22
    assert not any(isinstance(v, np.ndarray) for v in lazy._items.values())  # nothing computed yet
    eager = measures_computed_at_once(pre.px, pre.world, view.facing_x)
    assert _same_series(lazy, eager)
    assert all(lazy.ndim(k) == eager[k].ndim for k in eager)
    base = {
        "fppa_deg": np.array([2.0, np.nan]),
        "knee_separation_ratio": 1.3,
        "knee_medial_offset_ratio": np.array([0.05, -0.02]),
        "pelvic_obliquity_deg": 0.7,
    }
    signal = np.linspace(0.0, 1.0, seq.n_frames)
    series = flatten_measures(compute_measures(pre.px, pre.world, view.facing_x), base, signal, view)
    expected = series_flattened_at_once(eager, base, signal, view)
    assert _same_series(series, expected) and "fppa_raw_left_deg" in series
    blanked = blank_unjudged(series, [], [])
    assert isinstance(blanked, LazySeries) and _same_series(blanked, expected)
    copy = pickle.loads(pickle.dumps(series))  # the app's cache pickles reports: every series computed
    assert isinstance(copy, LazySeries) and _same_series(copy, expected)


def test_a_series_of_the_wrong_shape_is_refused() -> None:
    series = LazySeries()
    series.later("fppa_deg", lambda: np.zeros(4), 2)  # announced per side, made for the whole body
    assert series.ndim("fppa_deg") == 2
    with pytest.raises(RuntimeError, match="fppa_deg"):
        series["fppa_deg"]
