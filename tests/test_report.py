"""The report: JSON that meets its schema, CSV files, readable summary."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import replace

import jsonschema
import numpy as np
import pytest

from hipform.kinematics import analyze
from hipform.report import (
    SCHEMA_VERSION,
    report_json_schema,
    save_measures_csv,
    save_report_json,
    save_reps_csv,
)
from hipform.synth import athlete
from hipform.synth.camera import Camera, pose_sequence_from_joints


@pytest.fixture(scope="module")
def report():
    motion = athlete.simulate(
        "single-leg-squat",
        athlete.MotionParams(reps=3, faults=athlete.Faults(knee_valgus_deg=18.0, side="right")),
    )
    cam = Camera.around("front", distance_m=400.0, vertical_fov_deg=0.5)
    return analyze(
        pose_sequence_from_joints(motion.joints_m, motion.t_s, cam, motion.fps), "single-leg-squat"
    )


def test_json_meets_the_schema_and_holds_the_injected_fault(report, tmp_path) -> None:
    data = json.loads(save_report_json(report, tmp_path / "r.json").read_text("utf-8"))
    jsonschema.validate(data, report_json_schema(), cls=jsonschema.Draft202012Validator)
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["exercise"] == "single-leg-squat" and data["exercise_source"] == "user"
    assert [r["side"] for r in data["reps"]] == ["right"] * 3
    knee = [f for f in data["flags"] if f["fault"] == "knee_collapse"]
    assert [(f["rep"], f["side"], f["measure"], f["severity"]) for f in knee] == [
        (rep, "right", "fppa_deg", "marked") for rep in (1, 2, 3)
    ]
    assert all(f["value_deg"] == f["value"] == pytest.approx(18.0, abs=0.5) for f in knee)
    assert all(f["threshold"] == f["thresholds"]["marked"] == 16.0 for f in knee)
    knee_summary = data["summary"]["faults"]["knee_collapse"]
    assert [knee_summary[k] for k in ("status", "measure", "reps_assessed", "reps_flagged")] == [
        "flagged",
        "fppa_deg",
        3,
        3,
    ]
    assert knee_summary["mean_by_side"] == {"right": pytest.approx(18.0, abs=0.5)}


def test_json_writes_null_for_what_could_not_be_measured(report, tmp_path) -> None:
    first = report.reps[0]
    unmeasured = replace(
        first, values={**first.values, "fppa_deg": float("nan"), "fppa_peak_deg": float("inf")}
    )
    broken = replace(report, reps=(unmeasured, *report.reps[1:]), view_yaw_deg=float("nan"))
    text = save_report_json(broken, tmp_path / "r.json").read_text("utf-8")
    assert "NaN" not in text and "Infinity" not in text
    data = json.loads(text)
    assert (
        data["reps"][0]["values"]["fppa_deg"] is None and data["reps"][0]["values"]["fppa_peak_deg"] is None
    )
    assert data["view_yaw_deg"] is None
    jsonschema.validate(data, report_json_schema(), cls=jsonschema.Draft202012Validator)


def test_measures_csv_one_row_per_frame(report, tmp_path) -> None:
    path = save_measures_csv(report, tmp_path / "m.csv")
    rows = list(csv.reader(path.open()))
    assert rows[0][:2] == ["frame", "t_s"] and "fppa_right_deg" in rows[0]
    assert len(rows) == report.n_frames + 1
    col = rows[0].index("fppa_right_deg")
    vals = [float(r[col]) for r in rows[1:] if r[col]]
    assert max(vals) == pytest.approx(18.0, abs=0.5)
    assert all(len(r) == len(rows[0]) for r in rows)


def test_reps_csv_lists_flags(report, tmp_path) -> None:
    rows = list(csv.DictReader(save_reps_csv(report, tmp_path / "reps.csv").open()))
    assert len(rows) == 3
    assert [r["flags"] for r in rows] == ["knee_collapse:right:marked"] * 3
    assert all(float(r["fppa_deg"]) == pytest.approx(18.0, abs=0.5) for r in rows)


def test_measures_are_plottable_series(report) -> None:
    for name, arr in report.measures.items():
        assert isinstance(arr, np.ndarray) and arr.shape == (report.n_frames,), name


def test_summary_lines_readable(report) -> None:
    text = "\n".join(report.summary_lines())
    assert "single-leg-squat" in text and "knee collapse" in text and "rep 1" in text
    assert not any(math.isnan(f.value) for f in report.flags)
