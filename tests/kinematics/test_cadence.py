"""Running cadence within 2% of the truth, never raised by spurious foot strikes (issue 13).

Real MediaPipe landmarks of the rendered runner (``tests/data``, made by ``make_fixture.py`` from
``sample_videos``), the synthetic runner filmed by a far camera at several cadences and frame
rates, and strike times made up to have a known answer.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from kin_helpers import film, simulate_motion

import hipform.kinematics.movements.running as running
from hipform.kinematics import analyse
from hipform.kinematics.cadence import (
    MIN_CADENCE_INTERVALS,
    compute_cadence,
    keep_regular_strikes,
)
from hipform.kinematics.events import Steps
from hipform.landmarks import Landmark
from hipform.sequence import PoseSequence, load_sequence

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SAMPLES = ROOT / "sample_videos"
HEELS = [int(Landmark.LEFT_HEEL), int(Landmark.RIGHT_HEEL)]
ANKLES = [int(Landmark.LEFT_ANKLE), int(Landmark.RIGHT_ANKLE)]


def cadence_of_truth(strike_t_s: list[float]) -> float:
    """Steps per minute between the first and the last true strike."""
    return 60.0 * (len(strike_t_s) - 1) / (strike_t_s[-1] - strike_t_s[0])


def rendered(name: str) -> tuple[PoseSequence, list[int], float]:
    """A rendered runner's real MediaPipe landmarks, its true strike frames and true cadence."""
    truth = json.loads((SAMPLES / f"{name}.truth.json").read_text())
    strikes = [r["start_frame"] for r in truth["reps"]]
    return (
        load_sequence(DATA / f"{name}.npz"),
        strikes,
        cadence_of_truth([r["t_start_s"] for r in truth["reps"]]),
    )


@pytest.fixture
def analyse_running(monkeypatch):
    """Analyse a sequence as running; also return the steps kept and every strike found."""

    def run(seq: PoseSequence):
        seen: dict[str, Steps] = {}
        detect = running.detect_steps

        def keep(*args, **kwargs) -> Steps:
            seen["kept"] = detect(*args, **kwargs)
            seen["all"] = detect(*args, **{**kwargs, "clean": False})
            return seen["kept"]

        monkeypatch.setattr(running, "detect_steps", keep)
        report = analyse(seq, movement="running")
        return report, seen["kept"], seen["all"]

    return run


def assert_steps_do_not_overlap(report) -> None:
    """Each step ends before the next starts; no two steps share a strike frame."""
    starts = np.array([r.start_frame for r in report.reps])
    ends = np.array([r.end_frame for r in report.reps])
    assert np.all(ends >= starts)
    assert np.all(starts[1:] > ends[:-1]), list(zip(starts.tolist(), ends.tolist(), strict=True))


@pytest.mark.parametrize("name", ["running_rear_clean", "running_rear_pelvic_drop"])
def test_rendered_runner_cadence_within_2_percent(name: str, analyse_running) -> None:
    seq, _, true_spm = rendered(name)
    report, steps, _ = analyse_running(seq)
    cadence = report.summary.steps.cadence_spm
    assert abs(cadence - true_spm) <= 0.02 * true_spm, (cadence, true_spm)
    lo, hi = steps.cadence.ci_spm
    assert lo <= true_spm <= hi and hi - lo < 0.06 * true_spm, (lo, hi, true_spm)
    assert steps.cadence.n_intervals >= MIN_CADENCE_INTERVALS and not steps.cadence.slow_motion
    assert any(n.startswith(f"Cadence {cadence:.1f} steps/min (95% interval") for n in report.notes)
    assert not any("Slow motion" in n for n in report.notes)
    assert_steps_do_not_overlap(report)


@pytest.mark.parametrize("fps", [30.0, 60.0])
@pytest.mark.parametrize("spm", [150, 165, 180, 195])
def test_synthetic_runner_cadence_within_2_percent(spm: int, fps: float) -> None:
    motion = simulate_motion("running", reps=8, tempo_s=120.0 / spm, fps=fps)
    true_spm = cadence_of_truth([r.t_start_s for r in motion.reps])
    for view in ("rear", "right"):
        report = analyse(film(motion, view), movement="running")
        cadence = report.summary.steps.cadence_spm
        assert abs(cadence - true_spm) <= 0.02 * true_spm, (view, cadence, true_spm)
        assert_steps_do_not_overlap(report)


def swap_feet(seq: PoseSequence, frames: list[int]) -> PoseSequence:
    """The pose model swapping the two feet for ``frames``: the other foot looks planted."""
    px = seq.landmarks_px.copy()
    for rows in (HEELS, ANKLES):
        px[np.ix_(frames, rows[::-1], [1])] = seq.landmarks_px[np.ix_(frames, rows, [1])]
    return dataclasses.replace(seq, landmarks_px=px)


def dip_swing_heel(seq: PoseSequence, frames: list[int], depth_px: float) -> PoseSequence:
    """The swinging (higher) heel dipping below the planted one for ``frames``: a false strike."""
    px = seq.landmarks_px.copy()
    for f in frames:
        y = px[f, HEELS, 1]
        swing = int(np.argmin(y))
        px[f, HEELS[swing], 1] = y.max() + depth_px
        px[f, ANKLES[swing], 1] = px[f, ANKLES[1 - swing], 1] + depth_px
    return dataclasses.replace(seq, landmarks_px=px)


def jitter_heels(seq: PoseSequence, sd_px: float, seed: int) -> PoseSequence:
    """Independent noise on both heels' and ankles' image height."""
    px = seq.landmarks_px.copy()
    rows = HEELS + ANKLES
    px[:, rows, 1] += np.random.default_rng(seed).normal(0.0, sd_px, (px.shape[0], len(rows)))
    return dataclasses.replace(seq, landmarks_px=px)


def frames_after(strikes: list[int], every: int, first: int, n: int) -> list[int]:
    """``n`` frames from ``first`` frames after every ``every``-th strike."""
    return [f + d for f in strikes[::every] for d in range(first, first + n)]


SPURIOUS = {
    # feet swapped for 5 frames (83 ms) 6 frames after every strike
    "swap after every strike": lambda s, st: swap_feet(s, frames_after(st, 1, 6, 5)),
    # ... 4 frames after every second strike
    "swap after every second strike": lambda s, st: swap_feet(s, frames_after(st, 2, 4, 5)),
    # the swinging heel dips below the planted one for 6 frames, 8 frames after every strike
    "heel dip after every strike": lambda s, st: dip_swing_heel(s, frames_after(st, 1, 8, 6), 15.0),
    # 15 px of noise on the heels and ankles (leg length ~120 px)
    "jitter": lambda s, st: jitter_heels(s, 15.0, seed=2),
}


@pytest.mark.parametrize("case", SPURIOUS)
def test_spurious_strikes_in_real_landmarks_do_not_raise_cadence(case: str, analyse_running) -> None:
    seq, strikes, true_spm = rendered("running_rear_clean")
    report, steps, found = analyse_running(SPURIOUS[case](seq, strikes))
    # the injection bites: the strike finder sees extra strikes, and their raw rate is too high
    assert len(found) > len(strikes) + 1, len(found)
    assert found.cadence_spm > 1.04 * true_spm, found.cadence_spm
    cadence = report.summary.steps.cadence_spm
    assert abs(cadence - true_spm) <= 0.02 * true_spm, (cadence, true_spm)
    assert len(report.reps) <= len(strikes) + 1
    assert steps.cadence.n_dropped == len(found) - len(steps) > 0
    assert any("dropped as tracking errors" in n for n in report.notes)
    assert_steps_do_not_overlap(report)


STEP = 0.35


def test_a_gap_counts_as_whole_steps_only_when_close_to_them() -> None:
    # five steps, a gap of two steps, two steps, a gap of 1.5 steps (not a whole number), one step
    t = np.array([0, 1, 2, 3, 4, 5, 7, 8, 9, 10.5, 11.5]) * STEP
    c = compute_cadence(t, STEP)
    assert c.n_intervals == 9 and c.n_left_out == 1
    assert c.spm == pytest.approx(60.0 / STEP)
    assert c.ci_spm == pytest.approx((60.0 / STEP, 60.0 / STEP))  # every step the same length
    assert any("fit no whole number of steps" in n for n in c.notes())


def test_the_interval_widens_with_uneven_steps() -> None:
    rng = np.random.default_rng(0)
    t = np.cumsum(STEP * (1 + 0.05 * rng.standard_normal(20)))
    c = compute_cadence(t, STEP)
    lo, hi = c.ci_spm
    assert lo < c.spm < hi and 0.01 * c.spm < hi - lo < 0.1 * c.spm


def test_too_few_clean_intervals_give_no_cadence() -> None:
    t = np.arange(MIN_CADENCE_INTERVALS) * STEP  # one interval short
    c = compute_cadence(t, STEP)
    assert np.isnan(c.spm) and c.n_intervals == MIN_CADENCE_INTERVALS - 1
    assert any(n.startswith("No cadence") for n in c.notes())
    assert np.isfinite(compute_cadence(np.append(t, t[-1] + STEP), STEP).spm)


def test_a_short_run_reports_steps_without_a_cadence() -> None:
    report = analyse(film(simulate_motion("running", reps=2), "rear"), movement="running")
    assert len(report.reps) >= 3
    assert np.isnan(report.summary.steps.cadence_spm)
    assert report.to_dict()["summary"]["cadence_spm"] is None
    assert any(n.startswith("No cadence") for n in report.notes)


def test_the_strike_that_keeps_the_rhythm_is_kept() -> None:
    real = np.arange(12) * STEP
    # a false strike 50 ms after every third real one, and one 80 ms before the eighth
    false = np.concatenate([real[::3] + 0.05, [real[7] - 0.08]])
    t = np.sort(np.concatenate([real, false]))
    kept = t[keep_regular_strikes(t, STEP)]
    assert kept == pytest.approx(real)


def test_strikes_are_kept_across_a_long_gap() -> None:
    # the runner leaves the view for 3 s: both runs of steps are kept, the gap is left out
    t = np.concatenate([np.arange(8) * STEP, 3.0 + 7 * STEP + np.arange(8) * STEP])
    assert keep_regular_strikes(t, STEP).size == 16
    c = compute_cadence(t, STEP)
    assert c.n_intervals == 14 and c.n_left_out == 1 and c.spm == pytest.approx(60.0 / STEP)


def test_slow_motion_is_said_and_the_cadence_is_in_clip_time() -> None:
    """A 240 fps runner played back at 30 fps: eight times slower in the clip."""
    motion = simulate_motion("running", reps=8, fps=240.0)
    true_spm = cadence_of_truth([r.t_start_s for r in motion.reps]) / 8.0
    seq = film(motion, "rear")
    slow = dataclasses.replace(seq, t_s=np.arange(seq.n_frames) / 30.0, fps=30.0)
    report = analyse(slow, movement="running")
    cadence = report.summary.steps.cadence_spm
    assert abs(cadence - true_spm) <= 0.02 * true_spm, (cadence, true_spm)
    assert any(n.startswith("Slow motion") for n in report.notes), report.notes
    assert any(n.startswith(f"Cadence {cadence:.1f} steps/min of clip time") for n in report.notes)
