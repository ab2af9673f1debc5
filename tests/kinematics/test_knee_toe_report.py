"""A deep squat flagged for the knee inside the toes shows that value everywhere the app shows values:
in the rep table, in History's trends and on the timeline (issue 12: it showed "–", ``worst_value=None``
and no line, because each reader took the value names apart its own way)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from kin_helpers import film

from hipform.analysis_job import flag_marks
from hipform.history import History
from hipform.kinematics import analyse
from hipform.landmarks import Landmark
from hipform.plain import format_amount, measure_words
from hipform.report import Flag, Report, value_key
from hipform.synth.athlete import Faults, MotionParams, simulate
from hipform.webapp import present
from hipform.webapp.plots import timeline_figure

MEASURE = "knee_toe_ratio"


@pytest.fixture(scope="module")
def deep_squat() -> Report:
    """Three squats to 125° knee flexion, the left knee caving in 15°: every rep is flagged by the
    knee-inside-toes rule (its depth gate is 110°), on both knees (the athlete's toes turn out)."""
    motion = simulate(
        "squat", MotionParams(reps=3, depth=125.0, faults=Faults(knee_valgus_deg=15.0, side="left"))
    )
    return analyse(film(motion, "front"), movement="squat")


def _knee_toe_flags(report: Report) -> list[Flag]:
    return [f for f in report.flags if f.measure == MEASURE]


def check_rep_table(report: Report) -> None:
    """Each flagged rep's row shows the flagged value in the column of the flag's knee."""
    rows = {row["Rep"]: row for row in present.rep_rows(report)}
    for f in _knee_toe_flags(report):
        cell = rows[f.rep][present.rep_column(f.measure, f.side, f.unit)]
        assert cell == format_amount(f.measure, f.value, f.unit) != "–", (f.rep, f.side, cell)


def check_trend(report: Report, db: Path) -> None:
    """Saved to History, the trend of each flagged knee has the worst (lowest) flagged value (a knee
    graded but never flagged has its trend too)."""
    with History(db) as hist:
        hist.save(
            json.loads(json.dumps(report.to_dict())),
            source_name="s.mp4",
            file_sha256="0" * 64,
            width_px=720,
            height_px=1280,
        )
        points = {p.side: p for p in hist.trend(report.movement.name) if p.measure == MEASURE}
    flags = _knee_toe_flags(report)
    assert {f.side for f in flags} <= set(points)
    for side in {f.side for f in flags}:
        point = points[side]
        values = [f.value for f in flags if f.side == side]
        assert point.worst_value == pytest.approx(min(values), abs=5e-4)  # JSON keeps 3 decimals
        assert point.reps_flagged == len({f.rep for f in flags if f.side == side})


def check_timeline(report: Report) -> None:
    """A row for the measure, a line per flagged knee through each flag's cross."""
    fig = timeline_figure(report)
    words = measure_words(MEASURE).name  # the row's title says the measure in plain words
    titles = [a.text for a in fig.layout.annotations]
    rows = [
        i for i, t in enumerate(t for t in titles if ":" in t) if t.split("<br>")[0].endswith(f": {words}")
    ]
    assert rows, f"no timeline row for {MEASURE}: {titles}"
    row = rows[0] + 1
    yaxis = "y" if row == 1 else f"y{row}"
    lines = {t.name: np.asarray(t.y, dtype=float) for t in fig.data if t.mode == "lines" and t.yaxis == yaxis}
    crosses = [(t.x[0], t.y[0]) for t in fig.data if t.mode == "markers" and t.yaxis == yaxis]
    flags = _knee_toe_flags(report)
    assert {f.side for f in flags} <= set(lines)
    assert sorted(y for _, y in crosses) == sorted(f.value for f in flags)
    for f in flags:
        # the cross lies on its knee's line: the line is the series the flag was read on
        assert lines[f.side][f.worst_frame] == pytest.approx(f.value)
        assert np.array_equal(lines[f.side], report.measures[value_key(f.measure, f.side)], equal_nan=True)


def test_the_deep_squat_is_flagged_for_the_knee_inside_the_toes(deep_squat) -> None:
    flags = _knee_toe_flags(deep_squat)
    assert {(f.rep, f.side) for f in flags} == {(r, s) for r in (1, 2, 3) for s in ("left", "right")}
    for f in flags:
        value = deep_squat.reps[f.rep - 1].value_of(MEASURE, f.side)
        assert value is not None and value.assessed and value.value == f.value and value.unit == "ratio"


def test_the_rep_table_shows_the_knee_inside_toes_value(deep_squat) -> None:
    check_rep_table(deep_squat)


def test_history_trends_have_the_knee_inside_toes_worst_value(deep_squat, tmp_path) -> None:
    check_trend(deep_squat, tmp_path / "h.sqlite")


def test_the_timeline_draws_the_knee_inside_toes_series_under_its_flags(deep_squat) -> None:
    check_timeline(deep_squat)


def test_the_flag_frame_draws_knee_to_toes(deep_squat) -> None:
    f = _knee_toe_flags(deep_squat)[0]
    joints, lines = flag_marks(f)
    knee, toe = (Landmark[f"{f.side.upper()}_{part}"] for part in ("KNEE", "FOOT_INDEX"))
    assert joints == (knee,)
    assert (knee, toe) in lines and (Landmark.LEFT_FOOT_INDEX, Landmark.RIGHT_FOOT_INDEX) in lines


@pytest.mark.slow
def test_a_real_deep_squat_shows_its_knee_inside_toes_value_everywhere(tmp_path) -> None:
    """The real clip whose trainer saw the knees sway in: MediaPipe on the video. Both knees sit at the
    threshold (0.89 and 0.90); whichever is flagged, its value shows everywhere."""
    from clipmaker import SHARED_CLIPS
    from external import require_or_skip

    from hipform.pose import estimate_pose

    clip = SHARED_CLIPS / "squat_front_knees_sway_in.mov"
    require_or_skip(clip.is_file(), f"real clip not found at {clip}")
    report = analyse(estimate_pose(clip), movement="squat")
    assert {f.rep for f in _knee_toe_flags(report)} == {1}, report.summary_lines()
    check_rep_table(report)
    check_trend(report, tmp_path / "h.sqlite")
    check_timeline(report)
