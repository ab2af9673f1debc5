"""The report's JSON Schema: shipped in the package, met by the reports of real analyses, strict about
nested types, tied to the fault table, and the one docs/report-schema.md describes (CSV columns too)."""

from __future__ import annotations

import copy
import csv
import json
import re
import sys
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from jsonschema import Draft202012Validator

from hipform.cli import main
from hipform.kinematics import analyse
from hipform.kinematics.faults import FAULTS
from hipform.kinematics.movements import MOVEMENTS, REGISTRY
from hipform.kinematics.view import VIEW_CODES
from hipform.report import (
    REPORT_SCHEMA_FILE,
    SCHEMA_VERSION,
    Report,
    report_json_schema,
    save_measures_csv,
    save_report_json,
    save_reps_csv,
    value_key,
)
from hipform.sequence import PoseSequence, load_sequence
from hipform.synth.athlete import Faults, MotionParams, simulate

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
DOC = ROOT / "docs" / "report-schema.md"
sys.path.insert(0, str(ROOT / "tests" / "kinematics"))
from kin_helpers import film  # noqa: E402

SCHEMA = report_json_schema()
VALIDATOR = Draft202012Validator(SCHEMA)


def _errors(data: dict) -> list[str]:
    """Every schema violation of ``data``, as 'path: message'."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(data)]


def _written(report: Report, tmp_path: Path) -> dict:
    """The report as a reader gets it: written by save_report_json and read back."""
    return json.loads(save_report_json(report, tmp_path / "report.json").read_text("utf-8"))


def _synthetic(movement: str, view: str, **params) -> Report:
    return analyse(film(simulate(movement, MotionParams(**params)), view), movement=movement)


# name → how its report is made
CASES = {
    # MediaPipe landmarks of the rendered samples (tests/data): real pose-model output
    "squat": lambda: analyse(load_sequence(DATA / "squat_front_valgus.npz"), "squat"),
    "running, recognised": lambda: analyse(load_sequence(DATA / "running_rear_clean.npz")),
    "bridge": lambda: analyse(load_sequence(DATA / "bridge_side_clean.npz"), "bridge"),
    "kickback": lambda: analyse(load_sequence(DATA / "kickback_side_arch.npz"), "kickback"),
    "single-leg bridge side-on: pelvic drop not assessed": lambda: analyse(
        load_sequence(DATA / "single_leg_bridge_side_arch.npz"), "single-leg-bridge"
    ),
    "single-leg balance": lambda: analyse(
        load_sequence(DATA / "single_leg_balance_front_clean.npz"), "single-leg-balance"
    ),
    "half a second of a squat: no complete rep": lambda: analyse(
        load_sequence(DATA / "squat_front_valgus.npz").slice(0, 15), "squat"
    ),
    "no frames": lambda: analyse(PoseSequence.empty(0, np.zeros(0), 640, 480, 30.0)),
    "band walk: steps, its own measures and faults": lambda: analyse(
        load_sequence(DATA / "band_walk_knees_cave.npz"), "band-walk"
    ),
    # the synthetic athlete, for shapes the samples do not have
    "running with a clip-level asymmetry flag": lambda: _synthetic(
        "running", "rear", reps=6, faults=Faults(pelvic_drop_deg=6.0, side="left")
    ),
    "deep squat: ratio flags without value_deg": lambda: _synthetic(
        "squat", "front", depth=125.0, faults=Faults(knee_valgus_deg=20.0, side="both")
    ),
}

# name → what its report shows, without which the case would quietly test something else
CHECKS = {
    "squat": lambda d: d["movement"]["name"] == "squat" and d["flags"] and d["reps"],
    "running, recognised": lambda d: (
        d["movement"]["name"] == "running"
        and d["movement"]["status"] == "sure"
        and "cadence_spm" in d["summary"]
    ),
    "bridge": lambda d: d["movement"]["name"] == "bridge" and d["reps"] and not d["not_assessed"],
    "kickback": lambda d: d["movement"]["name"] == "kickback" and d["flags"],
    "single-leg bridge side-on: pelvic drop not assessed": lambda d: (
        d["summary"]["faults"]["pelvic_drop"]["status"] == "not_assessed"
        and any(n["fault"] == "pelvic_drop" and n["setup"] for n in d["not_assessed"])
    ),
    "single-leg balance": lambda d: {r["kind"] for r in d["reps"]} == {"hold"},
    "half a second of a squat: no complete rep": lambda d: (
        not d["reps"] and {n["fault"] for n in d["not_assessed"] if n["rep"] is None} == {"knee_collapse"}
    ),
    "no frames": lambda d: d["clip"]["n_frames"] == 0 and not d["reps"] and d["not_assessed"],
    "band walk: steps, its own measures and faults": lambda d: (
        d["summary"]["rep_kind"] == "step"
        and {f["measure"] for f in d["flags"]} == {"knee_separation_ratio", "knee_width_set_rel"}
        and d["summary"]["faults"]["feet_together"]["status"] == "not_flagged"
    ),
    "running with a clip-level asymmetry flag": lambda d: any(
        f["rep"] is None and f["measure"] == "pelvic_drop_asymmetry_deg" for f in d["flags"]
    ),
    "deep squat: ratio flags without value_deg": lambda d: any(
        f["unit"] == "ratio" and "value_deg" not in f for f in d["flags"]
    ),
}


def test_the_schema_is_valid_draft_2020_12_and_ships_in_the_package() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert (ROOT / "hipform" / REPORT_SCHEMA_FILE).is_file()
    # setuptools puts only .py files in the wheel unless package-data names the schema
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")
    section = pyproject[pyproject.index("[tool.setuptools.package-data]") :].split("\n[", 1)[0]
    assert re.search(rf'^hipform = \[.*"{re.escape(REPORT_SCHEMA_FILE)}"', section, re.M), section
    assert report_json_schema() is not report_json_schema()  # a caller may edit its copy


def test_schema_version_is_the_reports_and_the_docs() -> None:
    assert SCHEMA["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    assert (
        DOC.read_text("utf-8").splitlines()[0] == f"# hipform report JSON — schema version {SCHEMA_VERSION}"
    )


def test_schema_vocabularies_are_the_codes() -> None:
    """Movements, faults, measures and views in the schema are the ones the code uses."""
    defs = SCHEMA["$defs"]
    rules = [rule for movement in MOVEMENTS for rule in REGISTRY[movement].rules]
    assert defs["movement"]["enum"] == list(MOVEMENTS)
    assert defs["fault"]["enum"] == list(FAULTS)
    assert set(defs["gradedMeasure"]["enum"]) == {r.measure for r in rules}
    asymmetry = {"pelvic_drop_asymmetry_deg", "pelvis_sway_asymmetry_ratio"}
    assert set(defs["flagMeasure"]["enum"]) == {r.measure for r in rules} | asymmetry
    assert set(defs["measureSummary"]["properties"]["phase"]["enum"]) >= {r.phase for r in rules}
    assert set(SCHEMA["properties"]["view"]["enum"]) == set(VIEW_CODES.values())


@pytest.fixture(scope="module")
def reports() -> dict[str, Report]:
    return {name: make() for name, make in CASES.items()}


@pytest.fixture(scope="module")
def written(reports, tmp_path_factory) -> dict[str, dict]:
    tmp = tmp_path_factory.mktemp("reports")
    return {name: _written(report, tmp) for name, report in reports.items()}


@pytest.mark.parametrize("case", list(CASES))
def test_real_analyses_meet_the_schema(case: str, written) -> None:
    data = written[case]
    assert CHECKS[case](data), f"the {case!r} report is not that case any more"
    assert _errors(data) == []


@pytest.mark.parametrize("case", list(CASES))
def test_rep_values_go_by_value_key_and_flags_by_their_rep_value(case: str, reports, written) -> None:
    """One name per value: the JSON key is value_key(measure, side); each rep flag is the rep's
    assessed value of its measure on its side; a graded measure's series has the same name."""
    for rep in written[case]["reps"]:
        assert all(name == value_key(v["measure"], v["side"]) for name, v in rep["values"].items()), rep
    report = reports[case]
    for f in (f for f in report.flags if f.rep is not None):
        value = report.reps[f.rep - 1].value_of(f.measure, f.side)
        assert value is not None and value.assessed and value.value == f.value, (f, value)
    for measure in report.summary.measures:
        # the summary counts exactly the values the rule graded (assessed), side by side
        assessed = [
            v.side for r in report.reps for v in r.values if v.measure == measure.measure and v.assessed
        ]
        assert {s.side: s.n for s in measure.sides} == {side: assessed.count(side) for side in assessed}
        sides = [s.side for s in measure.sides if measure.assessed]
        per_leg = {value_key(measure.measure, leg) for leg in ("left", "right")} <= set(report.measures)
        found = [
            value_key(measure.measure, side) in report.measures or (side is None and per_leg)
            for side in sides
        ]
        # the kickback's trunk-line change is relative to each rep's start: no per-frame series
        assert all(found) or measure.measure == "trunk_line_change_deg", (measure.measure, sides)


@pytest.mark.slow
def test_pose_model_output_meets_the_schema(tmp_path) -> None:
    """MediaPipe on a rendered bridge, and on a clip with nobody in it, through the landmark cache."""
    from clipmaker import pattern_frames, write_clip

    from hipform.cache import estimate_pose_cached

    bridge = estimate_pose_cached(ROOT / "sample_videos" / "bridge_side_arch.mp4").seq
    bridge_report = _written(analyse(bridge, "bridge"), tmp_path)
    assert bridge_report["movement"]["name"] == "bridge" and bridge_report["flags"]
    assert _errors(bridge_report) == []

    room = write_clip(tmp_path / "empty_room.mp4", pattern_frames(30, 320, 240))
    nobody = estimate_pose_cached(room, require_person=False).seq
    assert not nobody.detected.any()
    for movement in ("auto", "squat"):
        data = _written(analyse(nobody, movement), tmp_path)
        assert not data["reps"] and not data["flags"] and data["not_assessed"]
        assert _errors(data) == []


def test_the_cli_writes_schema_valid_json(tmp_path, capsys) -> None:
    out = tmp_path / "r.json"
    npz = DATA / "single_leg_bridge_feet_pelvic_drop.npz"
    assert main(["analyse", str(npz), "--json", str(out), "-q"]) == 0
    capsys.readouterr()
    assert _errors(json.loads(out.read_text("utf-8"))) == []


# a wrong nested value → where the schema must say it is wrong
BREAKS = [
    (("flags", 0, "thresholds", "mild"), "10", "flags/0/thresholds/mild"),
    (("flags", 0, "rep"), 0, "flags/0/rep"),
    (("flags", 0, "side"), "middle", "flags/0/side"),
    (("flags", 0, "extra"), 1, "flags/0"),  # a fixed object takes no unknown key
    (
        ("reps", 0, "values", "knee_flexion_left_deg", "value"),
        "17.2",
        "reps/0/values/knee_flexion_left_deg/value",
    ),
    (
        ("reps", 0, "values", "knee_flexion_left_deg"),
        17.2,
        "reps/0/values/knee_flexion_left_deg",
    ),  # not a record
    (
        ("reps", 0, "values", "knee_flexion_left_deg", "side"),
        "middle",
        "reps/0/values/knee_flexion_left_deg/side",
    ),
    (
        ("reps", 0, "values", "knee_flexion_left_deg", "assessed"),
        1,
        "reps/0/values/knee_flexion_left_deg/assessed",
    ),
    (("reps", 0, "values", "fppa"), 17.2, "reps/0/values"),  # a value without its unit in the name
    (("reps", 0, "key_frame"), 12.5, "reps/0/key_frame"),
    (("summary", "faults", "pelvic_drop", "reps_flagged"), 1.5, "summary/faults/pelvic_drop/reps_flagged"),
    (
        ("summary", "measures", "pelvic_drop_deg", "n_by_side", "left"),
        "6",
        "summary/measures/pelvic_drop_deg/n_by_side/left",
    ),
    (
        ("summary", "measures", "pelvic_drop_deg", "thresholds", "direction"),
        "up",
        "summary/measures/pelvic_drop_deg/thresholds/direction",
    ),
    (("summary", "steps_by_side", "left"), None, "summary/steps_by_side/left"),
    (("clip", "n_frames"), "390", "clip/n_frames"),
    (
        ("not_assessed",),
        [{"fault": "knee_collapse", "reason": "x", "side": None, "rep": None}],
        "not_assessed/0",
    ),
    (("movement", "scores", "deadlift"), 0.5, "movement/scores"),
]


@pytest.mark.parametrize(("path", "bad", "where"), BREAKS, ids=[w for _, _, w in BREAKS])
def test_the_schema_rejects_a_wrong_nested_value(path: tuple, bad, where: str, written) -> None:
    data = copy.deepcopy(written["running with a clip-level asymmetry flag"])
    assert _errors(data) == []
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = bad
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA, cls=Draft202012Validator)
    assert [e for e in _errors(data) if e.startswith(f"{where}: ")], _errors(data)


def test_the_schema_rejects_running_keys_outside_running_and_a_deg_flag_without_value_deg(written) -> None:
    squat = copy.deepcopy(written["squat"])
    squat["summary"]["cadence_spm"] = 170.0
    assert _errors(squat)
    running = copy.deepcopy(written["running with a clip-level asymmetry flag"])
    del running["summary"]["cadence_spm"]
    assert _errors(running)
    deg_flag = copy.deepcopy(written["kickback"])
    assert deg_flag["flags"][0]["unit"] == "deg"
    del deg_flag["flags"][0]["value_deg"]
    assert _errors(deg_flag)
    ratio_flag = copy.deepcopy(written["deep squat: ratio flags without value_deg"])
    flag = next(f for f in ratio_flag["flags"] if f["unit"] == "ratio")
    flag["value_deg"] = flag["value"]
    assert _errors(ratio_flag)


# ---------------------------------------------------------------------------- the document
#: Section of docs/report-schema.md → the schema object its table describes.
SECTIONS = {
    "Top level": "#",
    "Movement": "#/$defs/movementChoice",
    "Rep": "#/$defs/rep",
    "RepValue": "#/$defs/measureValue",
    "Flag": "#/$defs/flag",
    "NotAssessed": "#/$defs/notAssessed",
    "Drift": "#/$defs/drift",
    "summary": "#/$defs/summary",
    "summary.faults entry": "#/$defs/faultSummary",
    "summary.measures entry": "#/$defs/measureSummary",
}
DOC_TYPES = {"string": "string", "int": "integer", "number": "number", "bool": "boolean", "object": "object"}


def _resolve(node: dict) -> dict:
    while "$ref" in node:
        target = SCHEMA
        for part in node["$ref"].lstrip("#/").split("/") if node["$ref"] != "#" else []:
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _schema_types(node: dict) -> set[str]:
    node = _resolve(node)
    if "anyOf" in node:
        return set().union(*(_schema_types(branch) for branch in node["anyOf"]))
    kind = node["type"]
    return {kind} if isinstance(kind, str) else set(kind)


def _doc_types(text: str) -> set[str]:
    """'list of Flag' → {array}; 'string or null' → {string, null}; 'number 0–1' → {number}."""
    nullable = text.endswith(" or null")
    word = text.split()[0]
    base = "array" if word == "list" else DOC_TYPES[word]
    return {base, "null"} if nullable else {base}


def _tables(text: str, header: str) -> dict[str, list[list[str]]]:
    """Rows (cells) of every table whose header starts with ``header``, by the section title above it."""
    out: dict[str, list[list[str]]] = {}
    section = None
    rows: list[list[str]] | None = None
    for line in text.splitlines():
        if line.startswith("#"):
            section, rows = line.lstrip("#").strip(), None
        elif line.startswith(header):
            rows = out.setdefault(section, [])
        elif rows is not None and line.startswith("|") and not line.startswith("|---"):
            rows.append([c.strip() for c in line.strip("|").split(" | ")])
        elif not line.startswith("|"):
            rows = None
    return out


def _ticked(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def _words(cell: str) -> set[str]:
    return {w for span in _ticked(cell) for w in re.findall(r"[\w.-]+", span)}


DOC_TABLES = _tables(DOC.read_text("utf-8"), "| key |")


def test_the_doc_has_a_table_for_every_schema_object_it_names() -> None:
    assert set(DOC_TABLES) == set(SECTIONS)


@pytest.mark.parametrize("section", list(SECTIONS))
def test_the_doc_table_lists_the_schema_keys_with_their_types(section: str) -> None:
    obj = _resolve({"$ref": SECTIONS[section]})
    documented: dict[str, tuple[str, str]] = {}
    for key_cell, type_cell, meaning in DOC_TABLES[section]:
        for key in _ticked(key_cell):
            documented[key] = (type_cell, meaning)
    assert set(documented) == set(obj["properties"]), section
    for key, (type_cell, meaning) in documented.items():
        prop = _resolve(obj["properties"][key])
        assert _doc_types(type_cell) == _schema_types(prop), (section, key, type_cell)
        # a fixed vocabulary is spelled out, and a nested object's keys are named
        listed = set(prop.get("enum", [])) - {None}
        assert listed <= _words(meaning), (section, key, listed - _words(meaning))
        if "const" in prop:
            assert json.dumps(prop["const"]) in meaning, (section, key)
        own_section = obj["properties"][key].get("$ref") in SECTIONS.values()
        if prop.get("type") == "object" and "properties" in prop and not own_section:
            assert set(prop["properties"]) <= _words(meaning), (section, key)


def _csv_columns(title: str) -> list[str]:
    rows = _tables(DOC.read_text("utf-8"), "| column |")[title]
    return [_ticked(row[0])[0] for row in rows]


def _measures_csv_columns(report) -> list[str]:
    """The documented measures CSV columns a report has: those of a measure its camera view shows
    (the table's ``view`` cell: any, frontal or side); a column named for a movement is the series
    its rule grades, there when some rep has that graded value."""
    rows = _tables(DOC.read_text("utf-8"), "| column |")["Measures CSV (`--csv measures.csv`)"]
    views = {"front": "frontal", "rear": "frontal", "side": "side"}
    graded = {v.key for r in report.reps for v in r.values}
    out = []
    for row in rows:
        column = _ticked(row[0])[0]
        view, _, movement = row[1].partition(", ")
        if view in ("any", views.get(report.view)) and (
            not movement or (movement == report.movement.name and column in graded)
        ):
            out.append(column)
    return out


def test_the_measures_csv_header_is_the_documented_list(reports, written, tmp_path) -> None:
    cases = {"squat": "front", "running, recognised": "rear", "no frames": "unknown"}
    for case, view in cases.items():
        assert reports[case].view == view, case
        documented = _measures_csv_columns(reports[case])
        with save_measures_csv(reports[case], tmp_path / "m.csv").open(newline="") as fh:
            header = next(csv.reader(fh))
        assert header == documented, case
        assert written[case]["measures"] == documented[2:]  # the JSON names the same series


@pytest.mark.parametrize(
    ("movement", "view"),
    [("squat", "right"), ("bridge", "right"), ("kickback", "left"), ("running", "right")],
)
def test_a_side_view_measures_csv_has_no_frontal_plane_column(movement, view, tmp_path) -> None:
    """Side-on, the columns are the documented side and any-view ones (and the movement's own)."""
    report = _synthetic(movement, view, reps=2)
    assert report.view == "side"
    with save_measures_csv(report, tmp_path / "m.csv").open(newline="") as fh:
        header = next(csv.reader(fh))
    assert header == _measures_csv_columns(report)
    assert not {"fppa_left_deg", "pelvic_drop_right_deg", "knee_separation_rel"} & set(header)


REPS_CSV_LEAD = ["rep", "kind", "side", "t_start_s", "t_key_s", "t_end_s", "key_frame"]


def test_the_reps_csv_header_is_the_documented_list(tmp_path) -> None:
    doc = DOC.read_text("utf-8")
    reps_section = doc[doc.index("### Reps CSV") :].split("\n", 1)[1]
    assert _ticked(reps_section[: reps_section.index("| movement |")])[:9] == [
        *REPS_CSV_LEAD,
        "values",
        "flags",
    ]
    by_movement = {
        _ticked(movement)[0]: _ticked(columns)
        for movement, columns in _tables(doc, "| movement |")["Reps CSV (`--reps-csv reps.csv`)"]
    }
    assert set(by_movement) == set(MOVEMENTS)
    gated = ["knee_toe_ratio_left", "knee_toe_ratio_right"]
    for movement in MOVEMENTS:
        view = "right" if movement in ("bridge", "single-leg-bridge", "kickback") else "front"
        depths = (None, 125.0) if movement == "squat" else (None,)
        for depth in depths:
            report = _synthetic(movement, view, reps=2, depth=depth)
            assert report.reps, (movement, depth)
            with save_reps_csv(report, tmp_path / "reps.csv").open(newline="") as fh:
                header = next(csv.reader(fh))
            columns = [c for c in by_movement[movement] if depth is not None or c not in gated]
            assert header == [*REPS_CSV_LEAD, *sorted(columns), "flags"], (movement, depth)
