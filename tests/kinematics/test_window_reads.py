"""The vectorised per-window reads equal their plain loop-per-window definitions."""

from __future__ import annotations

import numpy as np
import pytest

from hipform.kinematics import grading as A
from hipform.kinematics.frame_measures import FROM_REP_START
from hipform.kinematics.movements import REGISTRY
from hipform.landmarks import LEG_SEGMENTS


def body_steady_reference(raw_px: np.ndarray, start: int, end: int, min_frames: int = 9) -> bool:
    """Enough leg segments keep a steady, non-zero image length over the window (one window)."""
    pad = max(0, min_frames - (end - start + 1) + 1) // 2
    seg = raw_px[max(start - pad, 0) : end + 1 + pad]
    steady = 0
    for a, b in LEG_SEGMENTS:
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            d = np.hypot(*(seg[:, int(a), :2] - seg[:, int(b), :2]).T)
            change = np.abs(np.diff(d)) / (0.5 * (d[1:] + d[:-1]))
        change = change[np.isfinite(change)]
        steady += bool(change.size >= min_frames - 3 and np.median(change) <= A.MAX_SEGMENT_CHANGE)
    return steady >= A.MIN_STEADY_SEGMENTS


def read_reference(rule, x: np.ndarray, start: int, key: int, end: int) -> tuple[float, int, float]:
    """(value, worst frame, fraction of the window measurable) for one window."""
    if rule.measure in FROM_REP_START:
        x = np.abs(x - x[start]) if np.isfinite(x[start]) else np.full_like(x, np.nan)
    if rule.phase in ("bottom", "top"):
        v = float(x[key])
        return v, key, 1.0 if np.isfinite(v) else 0.0
    seg = x[start : end + 1]
    ok = np.isfinite(seg)
    frac = float(ok.mean()) if seg.size else 0.0
    if not ok.any():
        return float("nan"), key, 0.0
    pick = np.argmax if rule.direction == "above" else np.argmin
    worst = int(pick(np.where(ok, seg, -np.inf if rule.direction == "above" else np.inf)))
    if rule.phase == "hold":
        return float(np.median(seg[ok])), start + worst, frac
    return float(seg[worst]), start + worst, frac


def _windows(rng, n_frames: int, n_windows: int):
    start = rng.integers(0, n_frames - 2, n_windows)
    end = np.minimum(start + rng.integers(1, 40, n_windows), n_frames - 1)
    key = start + (end - start) // 2
    return start, key, end


@pytest.mark.parametrize("seed", range(5))
def test_steady_windows_match_the_definition(seed):
    rng = np.random.default_rng(seed)
    n = 300
    px = np.cumsum(rng.normal(0, 1, (n, 33, 2)), axis=0) + 300
    jumpy = rng.random(n) < 0.2  # some frames of noise, some of nothing
    px[jumpy] += rng.normal(0, 60, (int(jumpy.sum()), 33, 2))
    px[rng.random(n) < 0.1] = np.nan
    start, _, end = _windows(rng, n, 40)
    legs = {int(lm): px[:, int(lm), :2].T.astype(np.float64) for seg in LEG_SEGMENTS for lm in seg}
    got = A.steady_windows(legs, start, end)
    want = [body_steady_reference(px, int(s), int(e)) for s, e in zip(start, end, strict=True)]
    assert got.tolist() == want


ALL_RULES = [r for m in REGISTRY.values() for r in m.rules]


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: f"{r.measure}-{r.phase}")
def test_window_reads_match_the_definition(rule):
    rng = np.random.default_rng(7)
    n = 400
    x = np.cumsum(rng.normal(0, 1.5, n))
    x[rng.random(n) < 0.15] = np.nan
    x[100:130] = np.nan  # a window with nothing measurable
    start, key, end = _windows(rng, n, 60)
    start[0], key[0], end[0] = 105, 110, 125
    value, worst, frac = A.read_windows(rule, x, start, key, end)
    for i in range(start.size):
        v, k, f = read_reference(rule, x, int(start[i]), int(key[i]), int(end[i]))
        np.testing.assert_allclose(value[i], v, equal_nan=True)
        assert frac[i] == pytest.approx(f)
        if np.isfinite(v):
            assert worst[i] == k
