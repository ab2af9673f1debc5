"""The report: JSON schema keys, CSV files, readable summary."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest

from hipform.kinematics import analyze
from hipform.report import SCHEMA_VERSION, save_measures_csv, save_report_json, save_reps_csv
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


def test_json_has_the_documented_keys(report, tmp_path) -> None:
    data = json.loads(save_report_json(report, tmp_path / "r.json").read_text("utf-8"))
    assert data["schema_version"] == SCHEMA_VERSION
    for key in (
        "exercise",
        "exercise_confidence",
        "view",
        "reps",
        "flags",
        "not_assessed",
        "summary",
        "clip",
    ):
        assert key in data
    assert data["exercise"] == "single-leg-squat"
    assert len(data["reps"]) == 3
    flag = data["flags"][0]
    assert flag["fault"] in ("knee_collapse", "pelvic_drop", "back_arch")
    assert flag["side"] in ("left", "right", None)
    assert flag["severity"] in ("mild", "marked")
    for key in (
        "rep",
        "t_start_s",
        "t_end_s",
        "threshold",
        "threshold_source",
        "worst_frame",
        "confidence",
        "cue",
    ):
        assert key in flag
    assert "value_deg" in flag or "value" in flag
    assert flag["value_deg"] == pytest.approx(18.0, abs=0.5)
    assert data["summary"]["faults"]["knee_collapse"]["status"] == "flagged"


def test_json_never_holds_nan(report, tmp_path) -> None:
    text = save_report_json(report, tmp_path / "r.json").read_text("utf-8")
    assert "NaN" not in text and "Infinity" not in text


def test_schema_doc_names_every_top_level_key(report) -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[1] / "docs" / "report-schema.md").read_text("utf-8")
    assert f"schema version {SCHEMA_VERSION}" in doc
    for key in report.to_dict():
        assert f"`{key}`" in doc, key


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
    assert all("knee_collapse:right:marked" in r["flags"] for r in rows)


def test_measures_are_plottable_series(report) -> None:
    for name, arr in report.measures.items():
        assert isinstance(arr, np.ndarray) and arr.shape == (report.n_frames,), name


def test_summary_lines_readable(report) -> None:
    text = "\n".join(report.summary_lines())
    assert "single-leg-squat" in text and "knee collapse" in text and "rep 1" in text
    assert not any(math.isnan(f.value) for f in report.flags)
