"""Every flag carries the interval of its true size, from its measure's measured error, and is
marked only when the whole interval is past the marked line (hipform.kinematics.reading_error)."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from hipform import plain
from hipform.kinematics import analyse
from hipform.kinematics.movements import rules_for
from hipform.kinematics.reading_error import (
    BANDS_FILE,
    SQUARE_MAX_YAW_DEG,
    error_band,
    judged_severity,
    measured_bands,
    true_interval,
)
from hipform.kinematics.view import ViewEstimate
from hipform.kinematics.yaw_limits import yaw_error_factor
from hipform.report import SCHEMA_VERSION, Flag, Interval, upgrade_report_dict
from hipform.synth import athlete
from hipform.synth.camera import Camera, pose_sequence_from_joints
from hipform.webapp import present

ROOT = Path(__file__).resolve().parents[2]
FPPA = next(r for r in rules_for("single-leg-squat") if r.measure == "fppa_deg")  # mild 10°, marked 16°
HINGE = next(r for r in rules_for("single-leg-deadlift") if r.measure == "hinge_line_deg")


def _view(yaw_deg: float, view: str = "front") -> ViewEstimate:
    none = np.zeros(0)
    return ViewEstimate(view, 1.0, abs(yaw_deg), "camera", none, none, none, body_yaw_deg=yaw_deg)


def test_the_shipped_bands_are_the_accuracy_benchmarks_own():
    """reading_errors.json is what benchmarks/accuracy.py computes from its stored full run: an
    edited band, or a benchmark re-run without shipping its bands, fails here."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import accuracy

    rows = json.loads((ROOT / "benchmarks" / "results" / "accuracy.json").read_text())["rows"]
    assert json.loads(BANDS_FILE.read_text()) == accuracy.reading_error_bands(rows)
    assert set(measured_bands()) == set(accuracy.RULE_MEASURES.values())


def test_an_interval_always_holds_the_reading_and_widens_when_the_body_is_turned():
    square, turned = error_band(FPPA, _view(0.0)), error_band(FPPA, _view(SQUARE_MAX_YAW_DEG + 3))
    assert square.low <= 0.0 <= square.high and "square camera" in square.source
    assert turned.low <= square.low and turned.high > square.high and "wider" in turned.source
    # an unknown yaw takes the wider band too, not widened for a turn it cannot read (the FPPA has
    # a yaw limit since benchmarks/realistic_yaw.py: a read turn widens its band, ×2 past the limit)
    unknown = error_band(FPPA, _view(float("nan")))
    stretch = yaw_error_factor(FPPA, _view(SQUARE_MAX_YAW_DEG + 3))
    assert stretch > 1.0
    assert (unknown.low, unknown.high) == pytest.approx((turned.low / stretch, turned.high / stretch))
    for view in (_view(0.0), _view(12.0)):
        i = true_interval(FPPA, 18.0, view)
        assert i.low <= 18.0 <= i.high
    # a bias seen on rendered bodies is not assumed of people: every band holds zero error (a band
    # measured all on one side of zero, as the kickback's raw trunk change once was, is stretched)
    for measure, cameras in measured_bands().items():
        for camera, band in cameras.items():
            assert band.low <= 0.0 <= band.high, (measure, camera, band)


def test_an_angle_the_benchmark_does_not_read_gets_the_published_error_both_ways():
    band = error_band(HINGE, _view(0.0, "side"))
    assert band.low == pytest.approx(-1.645 * 3.0) and band.high == pytest.approx(1.645 * 3.0)
    assert "Munro 2012" in band.source


def test_a_ratio_of_unmeasured_error_gets_no_interval_and_keeps_its_rules_severity():
    sway = next(r for r in rules_for("single-leg-balance") if r.measure == "pelvis_sway_speed_ratio")
    assert sway.unit == "ratio" and sway.measure not in measured_bands()
    assert error_band(sway, _view(0.0)) is None and true_interval(sway, 0.1, _view(0.0)) is None
    assert judged_severity(sway, sway.marked + 0.001, _view(0.0)) == "marked"


def test_past_the_marked_line_is_marked_only_when_the_interval_clears_it():
    high = error_band(FPPA, _view(0.0)).high  # how far the FPPA can over-read, square-on
    assert high > 0
    assert judged_severity(FPPA, FPPA.marked + high / 2, _view(0.0)) == "mild"
    assert judged_severity(FPPA, FPPA.marked + high + 0.01, _view(0.0)) == "marked"
    # the same reading with the body turned: the wider band no longer clears the line
    assert judged_severity(FPPA, FPPA.marked + high + 0.01, _view(12.0)) == "mild"
    assert judged_severity(FPPA, FPPA.mild + 0.5, _view(0.0)) == "mild"
    assert judged_severity(FPPA, FPPA.mild - 0.5, _view(0.0)) is None


def _single_leg_squat(valgus_deg: float):
    motion = athlete.simulate(
        "single-leg-squat",
        athlete.MotionParams(reps=3, faults=athlete.Faults(knee_valgus_deg=valgus_deg, side="right")),
    )
    cam = Camera.around("front", distance_m=400.0, vertical_fov_deg=0.5)
    seq = pose_sequence_from_joints(motion.joints_m, motion.t_s, cam, motion.fps)
    return analyse(seq, "single-leg-squat")


# 26°, not 22°, for marked: this square-on exact-landmark squat's body yaw is read 4.4° (its lifted
# free foot leans the feet cue) and the FPPA band widens with the read turn since its yaw limit
# (benchmarks/realistic_yaw.py: the FPPA moves ~1° per degree of turn), ×1.7 here: with the square
# band's over-read re-measured at 4.6° (benchmarks/accuracy.py) a 21.8° reading no longer clears 16°
@pytest.mark.parametrize(("valgus_deg", "severity"), [(17.0, "mild"), (26.0, "marked")])
def test_a_reading_within_its_error_of_the_marked_line_is_mild_and_says_why(valgus_deg, severity):
    report = _single_leg_squat(valgus_deg)
    knee = [f for f in report.flags if f.measure == "fppa_deg"]
    assert len(knee) == 3
    for f in knee:
        assert f.value >= FPPA.marked  # past the marked line either way
        assert f.interval.low <= f.value <= f.interval.high and f.interval.COVERAGE == 0.9
        assert f.severity == severity, (f.value, f.interval)
        sentence = plain.flag_sentence(f, "single-leg-squat")
        assert ("can be that far off" in sentence) == (severity == "mild"), sentence
    # the runner reads the interval beside each flag: in the CLI summary and the app's flag table
    low, high = (plain.format_amount("fppa_deg", x) for x in (knee[0].interval.low, knee[0].interval.high))
    assert f"true size likely {low} to {high}" in "\n".join(plain.summary_lines(report))
    assert present.flag_rows(report)[0]["Likely true size"] == f"{low} to {high}"
    means = report.summary.measure("fppa_deg").sides
    assert [s.severity_of_mean for s in means] == [severity]
    # the JSON carries the interval and reads it back
    entry = knee[0].to_dict()
    assert entry["interval"]["low"] == pytest.approx(knee[0].interval.low, abs=0.01)
    assert Flag.from_dict(json.loads(json.dumps(entry))).interval == replace(
        knee[0].interval, low=entry["interval"]["low"], high=entry["interval"]["high"]
    )


def test_an_older_report_reads_with_no_interval_and_its_severities_as_judged():
    flag = {"fault": "knee_collapse", "severity": "marked", "value": 17.0}
    old = {"schema_version": "2.2.0", "flags": [flag], "drift": []}
    new = upgrade_report_dict(old)
    assert new["schema_version"] == SCHEMA_VERSION == "2.3.0"
    assert new["flags"] == [{**flag, "interval": None}] and old["flags"] == [flag]
    assert Interval.from_dict(None) is None
