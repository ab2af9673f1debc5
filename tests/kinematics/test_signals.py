"""Signal conditioning: masking, gap filling, zero-lag and causal filters, rep hysteresis."""

from __future__ import annotations

import numpy as np
import pytest

from hipform.kinematics.events import detect_reps
from hipform.kinematics.signals import OneEuroFilter, compute_gap_filled, compute_lowpass, compute_masked


def test_mask_hides_low_visibility_points() -> None:
    pts = np.ones((2, 3, 2))
    vis = np.array([[0.9, 0.49, 0.5], [0.1, 1.0, np.nan]])
    out = compute_masked(pts, vis)
    assert np.isnan(out[0, 1]).all() and np.isnan(out[1, 0]).all() and np.isnan(out[1, 2]).all()
    assert np.isfinite(out[0, 0]).all() and np.isfinite(out[0, 2]).all()
    with pytest.raises(ValueError, match="must agree"):
        compute_masked(pts, vis[:, :2])


@pytest.mark.parametrize(
    ("gap_frames", "filled"),
    [
        (1, True),  # 33 ms
        (3, True),  # 100 ms: the longest gap filled
        (4, False),  # 133 ms: left missing
    ],
)
def test_only_short_gaps_are_filled(gap_frames: int, filled: bool) -> None:
    t = np.arange(30) / 30.0
    x = np.arange(30, dtype=float)
    x[10 : 10 + gap_frames] = np.nan
    out = compute_gap_filled(x, t, 0.1)
    assert np.isfinite(out[10 : 10 + gap_frames]).all() == filled
    if filled:
        np.testing.assert_allclose(out, np.arange(30))


def test_gaps_at_the_edges_stay_missing() -> None:
    x = np.array([np.nan, 1.0, 2.0, np.nan])
    out = compute_gap_filled(x, np.arange(4) / 30, 1.0)
    assert np.isnan(out[0]) and np.isnan(out[3])


def test_lowpass_is_zero_lag_and_keeps_nan() -> None:
    fs = 30.0
    t = np.arange(300) / fs
    slow = np.sin(2 * np.pi * 0.5 * t)
    noisy = slow + 0.2 * np.sin(2 * np.pi * 12 * t)
    noisy[100:103] = np.nan
    out = compute_lowpass(noisy, fs, 4.0)
    assert np.isnan(out[100:103]).all()
    ok = np.isfinite(out)
    ok[:20] = ok[-20:] = False
    ok[95:108] = False  # next to the gap the bridge across it shows
    assert np.max(np.abs(out[ok] - slow[ok])) < 0.05
    # zero lag: the peak of the filtered sine is where the sine's is
    assert abs(int(np.nanargmax(out[150:250])) - int(np.argmax(slow[150:250]))) <= 1


def test_lowpass_short_input_returned_as_is() -> None:
    x = np.array([1.0, 5.0, 2.0])
    np.testing.assert_array_equal(compute_lowpass(x, 30.0, 4.0), x)


def test_one_euro_is_causal_and_smooths_jitter() -> None:
    rng = np.random.default_rng(0)
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0)
    t = np.arange(200) / 30
    x = 5.0 + rng.normal(0, 1.0, t.size)
    y = np.array([f(v, ti) for v, ti in zip(x, t, strict=False)])
    assert np.std(y[50:]) < 0.5 * np.std(x[50:])
    # causal: changing the future does not change the past
    g = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0)
    y2 = np.array([g(v, ti) for v, ti in zip(np.concatenate([x[:100], x[100:] + 50]), t, strict=False)])
    np.testing.assert_array_equal(y[:100], y2[:100])
    with pytest.raises(ValueError, match="increase"):
        f(1.0, t[-1])


def test_reps_with_hysteresis_ignore_jitter_near_the_threshold() -> None:
    t = np.arange(600) / 30
    sig = 50 * (1 - np.cos(2 * np.pi * t / 5)) + np.random.default_rng(1).normal(0, 2, t.size)
    reps = detect_reps(sig, t, min_range=20)
    assert len(reps) == 4  # 4 full cycles of 5 s in 20 s (the last one ends at the clip's end)
    assert np.all(np.abs(t[reps.peak] - np.array([2.5, 7.5, 12.5, 17.5])) < 0.3)
    assert len(detect_reps(np.random.default_rng(2).normal(0, 2, t.size), t, min_range=20)) == 0
