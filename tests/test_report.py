"""The report: JSON that meets its schema, CSV files, readable summary."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import replace

import jsonschema
import numpy as np
import pytest

from hipform.kinematics import analyse
from hipform.report import (
    SCHEMA_VERSION,
    MeasureValue,
    RepResult,
    report_json_schema,
    save_measures_csv,
    save_report_json,
    save_reps_csv,
    upgrade_report_dict,
    value_key,
)
from hipform.synth import athlete
from hipform.synth.camera import Camera, pose_sequence_from_joints


@pytest.fixture(scope="module")
def report():
    motion = athlete.simulate(
        "single-leg-squat",
        athlete.MotionParams(reps=3, faults=athlete.Faults(knee_valgus_deg=26.0, side="right")),
    )
    cam = Camera.around("front", distance_m=400.0, vertical_fov_deg=0.5)
    return analyse(
        pose_sequence_from_joints(motion.joints_m, motion.t_s, cam, motion.fps), "single-leg-squat"
    )


def test_json_meets_the_schema_and_holds_the_injected_fault(report, tmp_path) -> None:
    data = json.loads(save_report_json(report, tmp_path / "r.json").read_text("utf-8"))
    jsonschema.validate(data, report_json_schema(), cls=jsonschema.Draft202012Validator)
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["movement"] == {
        "name": "single-leg-squat",
        "status": "named",
        "confidence": 1.0,
        "candidates": [],
        "scores": {},
    }
    assert [r["side"] for r in data["reps"]] == ["right"] * 3
    knee = [f for f in data["flags"] if f["fault"] == "knee_collapse"]
    assert [(f["rep"], f["side"], f["measure"], f["severity"]) for f in knee] == [
        (rep, "right", "fppa_deg", "marked") for rep in (1, 2, 3)
    ]
    assert all(f["value_deg"] == f["value"] == pytest.approx(26.0, abs=0.5) for f in knee)
    assert all(f["threshold"] == f["thresholds"]["marked"] == 16.0 for f in knee)
    knee_summary = data["summary"]["faults"]["knee_collapse"]
    assert [knee_summary[k] for k in ("status", "measure", "reps_assessed", "reps_flagged")] == [
        "flagged",
        "fppa_deg",
        3,
        3,
    ]
    assert knee_summary["mean_by_side"] == {"right": pytest.approx(26.0, abs=0.5)}


def test_json_writes_null_for_what_could_not_be_measured(report, tmp_path) -> None:
    first = report.reps[0]
    lost = {"fppa_deg": float("nan"), "fppa_peak_deg": float("inf")}
    unmeasured = replace(
        first, values=tuple(v._replace(value=lost.get(v.measure, v.value)) for v in first.values)
    )
    broken = replace(report, reps=(unmeasured, *report.reps[1:]), view_yaw_deg=float("nan"))
    text = save_report_json(broken, tmp_path / "r.json").read_text("utf-8")
    assert "NaN" not in text and "Infinity" not in text
    data = json.loads(text)
    values = data["reps"][0]["values"]
    assert values["fppa_right_deg"]["value"] is None and values["fppa_peak_right_deg"]["value"] is None
    assert data["view_yaw_deg"] is None
    jsonschema.validate(data, report_json_schema(), cls=jsonschema.Draft202012Validator)


def test_measures_csv_one_row_per_frame(report, tmp_path) -> None:
    path = save_measures_csv(report, tmp_path / "m.csv")
    rows = list(csv.reader(path.open()))
    assert rows[0][:2] == ["frame", "t_s"] and "fppa_right_deg" in rows[0]
    assert len(rows) == report.n_frames + 1
    col = rows[0].index("fppa_right_deg")
    vals = [float(r[col]) for r in rows[1:] if r[col]]
    assert max(vals) == pytest.approx(26.0, abs=0.5)
    assert all(len(r) == len(rows[0]) for r in rows)


def test_reps_csv_lists_flags(report, tmp_path) -> None:
    rows = list(csv.DictReader(save_reps_csv(report, tmp_path / "reps.csv").open()))
    assert len(rows) == 3
    assert [r["flags"] for r in rows] == ["knee_collapse:right:marked"] * 3
    assert all(float(r["fppa_right_deg"]) == pytest.approx(26.0, abs=0.5) for r in rows)
    # a column per value name, each the rep's value of that measure on that side
    by_name = {v.key: v.value for v in report.reps[0].values}  # the CSV keeps 4 decimals
    assert {k: float(rows[0][k]) for k in by_name} == pytest.approx(by_name, abs=5e-5)
    assert set(rows[0]) == {
        "rep",
        "kind",
        "side",
        "t_start_s",
        "t_key_s",
        "t_end_s",
        "key_frame",
        "flags",
        *by_name,
    }


def test_value_key_is_the_one_name_of_a_value() -> None:
    assert value_key("fppa_deg", "left") == "fppa_left_deg"
    assert value_key("knee_toe_ratio", "right") == "knee_toe_ratio_right"
    assert value_key("knee_separation_rel", None) == "knee_separation_rel"
    assert MeasureValue("pelvic_drop_deg", "left", 6.0, "deg", True).key == "pelvic_drop_left_deg"


def test_rep_values_are_typed_records_read_back_from_json(report) -> None:
    for rep in report.reps:
        # the working leg's graded and reported values (the wobble's sway too), and both legs' flexion
        graded = {(v.measure, v.side) for v in rep.values if v.assessed}
        wobble = {("pelvis_sway_speed_ratio", "right"), ("trunk_lean_stance_deg", "right")}
        assert graded - wobble == {("fppa_deg", "right"), ("pelvic_drop_deg", "right")}, rep.values
        assert (
            rep.value_of("fppa_deg", "left") is None and rep.value_of("knee_flexion_deg", "left") is not None
        )
        assert RepResult.from_dict(json.loads(json.dumps(rep.to_dict()))) == replace(
            rep,
            t_start_s=round(rep.t_start_s, 3),
            t_key_s=round(rep.t_key_s, 3),
            t_end_s=round(rep.t_end_s, 3),
            values=tuple(v._replace(value=round(v.value, 3)) for v in rep.values),
        )


#: A 1.0.0 report of a single-leg squat (right leg) as hipform 1.0.0 wrote it, abridged.
REPORT_1_0_0 = {
    "schema_version": "1.0.0",
    "movement": "single-leg-squat",
    "reps": [
        {
            "rep": 1,
            "side": "right",
            "values": {
                "knee_flexion_left_deg": 10.0,
                "knee_flexion_right_deg": 71.0,
                "fppa_deg": 17.2,
                "pelvic_drop_deg": None,
                "fppa_peak_deg": 19.0,
                "fppa_standing_deg": 1.8,
            },
        },
        {"rep": 2, "side": "right", "values": {"fppa_deg": 12.0, "pelvic_drop_deg": 2.0}},
    ],
    "not_assessed": [{"fault": "knee_collapse", "reason": "x", "side": "right", "rep": 2, "setup": ""}],
    "summary": {
        "measures": {
            "fppa_deg": {"fault": "knee_collapse", "unit": "deg", "label": "FPPA", "assessed": True},
            "pelvic_drop_deg": {"fault": "pelvic_drop", "unit": "deg", "label": "drop", "assessed": True},
        }
    },
    "measures": ["fppa_graded_right_deg", "fppa_right_deg", "pelvic_drop_stance_right_deg", "rep_signal"],
}


def test_a_1_0_0_report_is_upgraded_with_its_numbers_under_their_measure_and_side() -> None:
    data = upgrade_report_dict(REPORT_1_0_0)
    assert data["schema_version"] == SCHEMA_VERSION and REPORT_1_0_0["schema_version"] == "1.0.0"
    first = {
        k: (v["measure"], v["side"], v["value"], v["unit"], v["assessed"])
        for k, v in data["reps"][0]["values"].items()
    }
    assert first == {
        "knee_flexion_left_deg": ("knee_flexion_deg", "left", 10.0, "deg", False),
        "knee_flexion_right_deg": ("knee_flexion_deg", "right", 71.0, "deg", False),
        "fppa_right_deg": ("fppa_deg", "right", 17.2, "deg", True),
        "pelvic_drop_right_deg": ("pelvic_drop_deg", "right", None, "deg", False),  # not measurable
        "fppa_peak_right_deg": ("fppa_peak_deg", "right", 19.0, "deg", False),
        "fppa_standing_right_deg": ("fppa_standing_deg", "right", 1.8, "deg", False),
    }
    # rep 2's knee could not be judged (a not-assessed entry of its fault): not assessed
    second = {k: v["assessed"] for k, v in data["reps"][1]["values"].items()}
    assert second == {"fppa_right_deg": False, "pelvic_drop_right_deg": True}
    assert data["measures"] == ["fppa_raw_right_deg", "fppa_right_deg", "pelvic_drop_right_deg", "rep_signal"]
    assert upgrade_report_dict(data) is data


@pytest.mark.parametrize(
    ("version", "values"),
    [
        ("0.9.0", {}),
        ("3.0.0", {}),
        (None, {}),
        ("1.0.0", {"fppa": 1.0}),
        ("1.0.0", {"knee_toe_ratio_left": 1.0}),
    ],
)
def test_upgrade_refuses_what_hipform_never_wrote(version, values) -> None:
    data = {**REPORT_1_0_0, "schema_version": version, "reps": [{"rep": 1, "side": None, "values": values}]}
    with pytest.raises(ValueError, match="schema version|not a value"):
        upgrade_report_dict(data)


def test_measures_are_plottable_series(report) -> None:
    for name, arr in report.measures.items():
        assert isinstance(arr, np.ndarray) and arr.shape == (report.n_frames,), name


def test_summary_lines_readable(report) -> None:
    text = "\n".join(report.summary_lines())
    assert "single-leg-squat" in text and "knee collapse" in text and "rep 1" in text
    assert not any(math.isnan(f.value) for f in report.flags)
