"""Wobble on one leg (fault ``instability``): the sway measure on arrays with known answers, the holds and
touch-downs, and real MediaPipe landmarks of rendered single-leg balances (a still figure is not flagged,
an injected sway is, on its side). Fixtures: ``python benchmarks/wobble.py --save-fixtures``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from kin_helpers import film, simulate_motion

from hipform.kinematics import analyse
from hipform.kinematics.asymmetry import sway_asymmetry_flags
from hipform.kinematics.faults import SWAY_MILD, sway_rule
from hipform.kinematics.grading import Graded
from hipform.kinematics.live_checker import LiveAnalyser
from hipform.kinematics.stability import (
    SWAY_SPAN_S,
    compute_hold_measures,
    compute_stance_side,
    compute_sway_speed,
    compute_trunk_lean_deg,
    find_holds,
)
from hipform.landmarks import Landmark
from hipform.report import Report
from hipform.sequence import load_sequence
from hipform.synth.athlete import Faults

DATA = Path(__file__).resolve().parents[1] / "data"
L = Landmark
FPS = 30.0
MEASURE = "pelvis_sway_speed_ratio"


def _sway(report: Report) -> list[tuple[str | None, float]]:
    return [(v.side, v.value) for r in report.reps for v in r.values if v.measure == MEASURE]


def _live_cues(live: LiveAnalyser, seq) -> list:
    return [
        c
        for i in range(seq.n_frames)
        for c in live.update(seq.landmarks_px[i], seq.visibility[i], seq.t_s[i])
    ]


# ------------------------------------------------------------------ the measure on known arrays
def test_sway_speed_is_the_path_length_over_the_time() -> None:
    """A pelvis moving back and forth by 0.02 leg lengths every frame travels 0.6 leg lengths a second."""
    t = np.arange(90) / FPS
    x = np.where(np.arange(90) % 2 == 0, 0.0, 0.02)
    stance = np.full(90, 1)
    speed = compute_sway_speed(x, t, stance)
    assert np.isnan(speed[:, 0]).all()  # never on the left leg
    inside = np.isfinite(speed[:, 1])
    # a frame has a number only with the whole span on one leg around it
    half = int(round(SWAY_SPAN_S / 2 * FPS))
    assert inside.sum() == 90 - 2 * half and not inside[:half].any() and not inside[-half:].any()
    np.testing.assert_allclose(speed[inside, 1], 0.02 * FPS)


def test_sway_speed_of_a_sine_is_four_amplitudes_times_the_frequency() -> None:
    t = np.arange(300) / FPS
    amp, hz = 0.03, 2.0  # a whole number of cycles in every half-second span
    speed = compute_sway_speed(amp * np.sin(2 * np.pi * hz * t), t, np.zeros(300, int))
    assert np.nanmedian(speed[:, 0]) == pytest.approx(4 * amp * hz, rel=0.03)
    still = compute_sway_speed(np.full(300, 0.4), t, np.zeros(300, int))
    assert np.nanmax(still[:, 0]) == 0.0


def test_too_short_on_one_leg_or_a_hidden_pelvis_gives_no_number() -> None:
    t = np.arange(60) / FPS
    x = 0.01 * np.arange(60)
    short = np.full(60, -1)
    short[20:30] = 0  # a third of a second on one leg: shorter than the span
    assert np.isnan(compute_sway_speed(x, t, short)).all()
    hidden = x.copy()
    hidden[30] = np.nan
    speed = compute_sway_speed(hidden, t, np.zeros(60, int))[:, 0]
    half = int(round(SWAY_SPAN_S / 2 * FPS))
    assert np.isnan(speed[30 - half : 30 + half]).all() and np.isfinite(speed[half:20]).all()


def test_stance_side_with_hysteresis_and_hidden_ankles() -> None:
    leg = 100.0
    lift = np.array([0, 10, 5, 3, 10, 0, -10, np.nan, 0], dtype=float)  # right ankle above the left, px
    ankle_y = np.stack([np.full(lift.size, 500.0), 500.0 - lift], axis=1)
    #  0: both down; 10 px = 0.10 leg: up (stance left); 5 px: still up (inside the band);
    #  3 px: touched down; 10: up; 0: down; -10: the left foot up (stance right); hidden: neither
    assert compute_stance_side(ankle_y, leg).tolist() == [-1, 0, 0, -1, 0, -1, 1, -1, -1]
    assert (compute_stance_side(ankle_y, float("nan")) == -1).all()


def test_holds_join_across_short_touch_downs_and_count_them() -> None:
    t = np.arange(200) / FPS
    stance = np.full(200, -1)
    stance[20:80] = 1
    stance[90:150] = 1  # a touch-down of 10 frames (0.33 s) in between: one hold
    stance[170:186] = 0  # 0.5 s on the other leg (frame 170 to 185)
    holds = find_holds(stance, t)
    assert [(h.start, h.end, h.side, h.touchdowns) for h in holds] == [
        (20, 149, 1, ((80, 89),)),
        (170, 185, 0, ()),
    ]
    x = np.where(np.arange(200) % 2 == 0, 0.0, 0.01)
    hm = compute_hold_measures(holds, x, stance, t)
    # 59 + 59 steps on one leg of 0.01 leg lengths (none across the touch-down)
    assert hm.sway_path[100] == pytest.approx(1.18)
    assert hm.touchdowns[100] == 1 and hm.touchdowns[175] == 0
    assert hm.until_loss_s[100] == pytest.approx(60 / FPS)  # from frame 20 to the touch-down at 80
    assert np.isnan(hm.sway_path[:20]).all() and np.isnan(hm.sway_path[150:170]).all()


def test_trunk_lean_toward_the_stance_side_reads_the_same_from_front_and_back() -> None:
    px = np.zeros((1, 33, 2))
    px[0, L.LEFT_HIP], px[0, L.RIGHT_HIP] = (120, 500), (80, 500)  # front view: the left hip on image right
    px[0, L.LEFT_SHOULDER], px[0, L.RIGHT_SHOULDER] = (130, 300), (90, 300)  # 10 px toward the left hip
    lean = compute_trunk_lean_deg(px)[0]
    assert lean[0] == pytest.approx(math.degrees(math.atan2(10, 200))) and lean[1] == pytest.approx(-lean[0])
    mirrored = px.copy()
    mirrored[..., 0] = 200 - mirrored[..., 0]  # the same body from behind
    np.testing.assert_allclose(compute_trunk_lean_deg(mirrored)[0], lean)


def test_left_right_asymmetry_is_flagged_on_the_worse_leg_only_when_clear() -> None:
    rule = sway_rule()

    def graded(left: float, right: float) -> Graded:
        return Graded(np.array([1, 2]), np.array([0, 1]), np.array([left, right]), np.array([10, 40]))

    t = np.arange(100) / FPS
    (flag,) = sway_asymmetry_flags((rule,), [graded(0.02, 0.08)], t, 1.0)
    assert flag.fault == "instability" and flag.side == "right" and flag.value == pytest.approx(4.0)
    assert flag.rep is None and flag.worst_frame == 40
    assert sway_asymmetry_flags((rule,), [graded(0.010, 0.014)], t, 1.0) == []  # 40% more, but noise-small
    assert sway_asymmetry_flags((rule,), [graded(0.10, 0.12)], t, 1.0) == []  # both sway alike


# ------------------------------------------------------------------ real MediaPipe on rendered figures
@pytest.fixture(scope="module")
def still() -> Report:
    return analyse(load_sequence(DATA / "wobble_balance_still.npz"), "single-leg-balance")


@pytest.fixture(scope="module")
def swaying() -> Report:
    return analyse(load_sequence(DATA / "wobble_balance_sway4.npz"), "single-leg-balance")


def test_a_still_figure_is_assessed_and_not_flagged(still: Report) -> None:
    values = _sway(still)
    assert len(values) == 2 and all(side == "right" for side, _ in values)
    assert all(np.isfinite(v) and v < SWAY_MILD / 2 for _, v in values), values
    assert not still.flags_for("instability")  # neither the sway nor the trunk-lean rule
    leans = [v.value for r in still.reps for v in r.values if v.measure == "trunk_lean_stance_deg"]
    assert len(leans) == 2 and all(abs(v) < 3.0 for v in leans), leans
    assert still.summary.fault("instability").status == "not_flagged"
    for rep in still.reps:  # the hold's reported values: no touch-down, held throughout
        got = {v.measure: v.value for v in rep.values}
        assert got["free_foot_touchdowns_count"] == 0
        assert got["hold_until_loss_s"] == pytest.approx(rep.t_end_s - rep.t_start_s)


def test_an_injected_sway_is_flagged_on_the_stance_leg(swaying: Report) -> None:
    flags = swaying.flags_for("instability")
    assert {f.rep for f in flags} == {1, 2} and {f.side for f in flags} == {"right"}, swaying.summary_lines()
    assert all(f.value > SWAY_MILD for f in flags)


def test_an_injected_trunk_lean_is_flagged_over_the_stance_leg() -> None:
    """12° of lean over the right leg (compensated Trendelenburg), rendered and read by MediaPipe."""
    report = analyse(load_sequence(DATA / "wobble_balance_lean12.npz"), "single-leg-balance")
    lean = [f for f in report.flags_for("instability") if f.measure == "trunk_lean_stance_deg"]
    assert {f.rep for f in lean} == {1, 2} and {f.side for f in lean} == {"right"}, report.summary_lines()
    assert not [f for f in report.flags_for("instability") if f.measure == MEASURE]  # the pelvis kept still


def test_a_side_view_or_no_hold_gives_no_number() -> None:
    motion = simulate_motion("single-leg-balance", reps=1, faults=Faults(pelvis_sway_cm=4.0, side="right"))
    side_on = analyse(film(motion, "right"), "single-leg-balance")
    assert not side_on.flags_for("instability") and not side_on.is_assessed("instability")
    assert all(math.isnan(v) for _, v in _sway(side_on))
    squat = simulate_motion("squat", reps=1)  # two feet down throughout: no hold
    none = analyse(film(squat, "front"), "single-leg-balance")
    assert not none.reps and not none.is_assessed("instability")


def test_the_live_checker_cues_a_wobbling_single_leg_squat() -> None:
    motion = simulate_motion("single-leg-squat", reps=2, faults=Faults(pelvis_sway_cm=4.0, side="right"))
    cues = _live_cues(LiveAnalyser("single-leg-squat"), film(motion, "front"))
    wobble = [c for c in cues if c.fault == "instability"]
    assert [c.rep for c in wobble] == [1, 2] and all(c.side == "right" for c in wobble)
    assert all("wobbling on the right leg" in c.text for c in wobble)
    leaning = simulate_motion("single-leg-squat", reps=1, faults=Faults(trunk_lean_deg=14.0, side="right"))
    cues = _live_cues(LiveAnalyser("single-leg-squat"), film(leaning, "front"))
    assert [c.text.split(" — ")[0] for c in cues] == ["rep 1: trunk leaning over the right leg"]
    clean = simulate_motion("single-leg-squat", reps=2, stance_side="right")
    cues = _live_cues(LiveAnalyser("single-leg-squat"), film(clean, "front"))
    assert [c.text for c in cues] == ["rep 1: good", "rep 2: good"]
