"""What was not judged shows no number (issue 13, item 7).

A side-on or oblique clip cannot show a knee collapsing inward or a pelvis dropping: the
report said "could not assess" for those faults, yet exported the frontal-plane numbers it had
read anyway (knee-inside-toes −2.7, knee separation 15.4, pelvic drop −54° to −70°) in
``reps[].values`` and the CSV files, and the app drew them on the timeline across the red
"marked" bands and listed "pelvic drop 79.9°" in the steps table. A physio reads such numbers as
severe faults. Here every place a number can reach a person is checked: the rep values (and
their JSON), both CSV files, the per-frame series, the rep table, the timeline and History.
"""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest
from kin_helpers import film

from hipform.history import History
from hipform.kinematics import analyse
from hipform.kinematics.frame_measures import MEASURE_VIEW
from hipform.kinematics.movements import REGISTRY
from hipform.plain import measure_name
from hipform.report import Report, save_measures_csv, save_reps_csv, value_key
from hipform.synth.athlete import Faults, MotionParams, simulate
from hipform.webapp import present
from hipform.webapp.plots import timeline_figure

FRONTAL = {m for m, v in MEASURE_VIEW.items() if v == "frontal"}
SAGITTAL = {m for m, v in MEASURE_VIEW.items() if v == "side"}


def names_of(measures: set[str]) -> set[str]:
    """Every name a value or series of ``measures`` can go by (each side and none)."""
    return {value_key(m, side) for m in measures for side in ("left", "right", None)}


def unseen_planes(report: Report) -> set[str]:
    """The measures the report's view does not show."""
    return (set() if report.view in ("front", "rear") else FRONTAL) | (
        set() if report.view == "side" else SAGITTAL
    )


def assert_no_number_for_what_was_not_judged(report: Report, tmp_path) -> None:
    """No number of a measure the view does not show, or of a graded value no rule judged, anywhere."""
    hidden = unseen_planes(report)
    graded = {r.measure for r in REGISTRY[report.movement.name].rules}
    # rep values, and their JSON
    data = json.loads(json.dumps(report.to_dict()))
    for rep, rep_json in zip(report.reps, data["reps"], strict=True):
        for v in rep.values:
            if v.measure in hidden or (v.measure in graded and not v.assessed):
                assert math.isnan(v.value), (rep.index, v)
                assert rep_json["values"][v.key]["value"] is None, (rep.index, v.key)
    # per-frame series: none of a measure the view does not show
    assert not names_of(hidden) & set(report.measures), sorted(names_of(hidden) & set(report.measures))
    assert not names_of(hidden) & set(data["measures"])
    # measures CSV: no such column; reps CSV: such a column is empty
    with save_measures_csv(report, tmp_path / "m.csv").open(newline="") as fh:
        assert not names_of(hidden) & set(next(csv.reader(fh)))
    with save_reps_csv(report, tmp_path / "r.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            for name in names_of(hidden) & set(row):
                assert row[name] == "", (row["rep"], name, row[name])
    # the rep table: no column of a hidden measure, no number of a value not judged
    short = {measure_name(m) for m in hidden}
    for row in present.rep_rows(report):
        assert not any(col.split(" (")[0] in short for col in row), row
    # the timeline: no row of a hidden measure
    labels = {r.label for r in REGISTRY[report.movement.name].rules if r.measure in hidden}
    titles = [a.text for a in timeline_figure(report).layout.annotations]
    assert not [t for t in titles if any(label in t for label in labels)], titles
    # History: no trend of a hidden measure
    with History(tmp_path / "h.sqlite") as hist:
        hist.save(data, source_name="c.mp4", file_sha256="0" * 64, width_px=720, height_px=1280)
        assert not {p.measure for p in hist.trend(report.movement.name)} & hidden


CLIPS = {
    # movement, camera (a side or a yaw in degrees), fault: the view hipform must see
    "squat side-on": ("squat", "right", {"knee_valgus_deg": 20.0, "side": "both"}, "side"),
    "single-leg squat side-on": ("single-leg-squat", "left", {"pelvic_drop_deg": 9.0}, "side"),
    "running side-on": ("running", "right", {"pelvic_drop_deg": 9.0}, "side"),
    "step-up turned 45°": ("step-up", 45.0, {"knee_valgus_deg": 16.0}, "oblique"),
    "squat turned 50°": ("squat", 50.0, {}, "oblique"),
    "running from behind": ("running", "rear", {}, "rear"),
}


@pytest.fixture(scope="module")
def reports() -> dict[str, Report]:
    out = {}
    for name, (movement, camera, faults, _) in CLIPS.items():
        reps = 3 if movement == "running" else 2
        params = MotionParams(reps=reps, faults=Faults(**faults)) if faults else MotionParams(reps=reps)
        out[name] = analyse(film(simulate(movement, params), camera), movement=movement)
    return out


@pytest.mark.parametrize("name", list(CLIPS))
def test_no_number_for_what_the_view_cannot_show(reports, name, tmp_path) -> None:
    report = reports[name]
    assert report.view == CLIPS[name][3], report.summary_lines()
    assert report.reps, report.summary_lines()
    assert_no_number_for_what_was_not_judged(report, tmp_path)


def test_side_on_frontal_values_are_null_not_numbers(reports) -> None:
    """The squat's frontal values are listed (the rule exists) but hold no number."""
    rep = reports["squat side-on"].reps[0]
    for measure, side in (("knee_separation_rel", None), ("knee_toe_ratio", "left")):
        v = rep.value_of(measure, side)
        if v is not None:
            assert not v.assessed and math.isnan(v.value), v
    knee = rep.value_of("knee_flexion_deg", "left")
    assert knee is not None and knee.value > 30  # what a side view shows keeps its number


def test_running_from_behind_has_no_trunk_lean(reports) -> None:
    """A forward lean cannot be seen from behind: no trunk inclination per step or in the summary."""
    report = reports["running from behind"]
    assert all(math.isnan(r.value_of("trunk_inclination_deg").value) for r in report.reps)
    assert math.isnan(report.summary.steps.trunk_inclination_deg)
    assert report.to_dict()["summary"]["trunk_inclination_deg"]["mean_at_midstance"] is None


def test_a_front_view_keeps_its_numbers(tmp_path) -> None:
    """The control: filmed from the front the same squat has numbers everywhere (the checks above
    are not empty)."""
    motion = simulate("squat", MotionParams(reps=2, faults=Faults(knee_valgus_deg=20.0, side="both")))
    report = analyse(film(motion, "front"), movement="squat")
    assert report.view == "front"
    v = report.reps[0].value_of("knee_separation_rel")
    assert v.assessed and np.isfinite(v.value)
    assert "knee_separation_rel" in report.measures
    assert any(k.startswith(measure_name("knee_separation_rel")) for k in present.rep_rows(report)[0])
    assert_no_number_for_what_was_not_judged(report, tmp_path)


def _row_of(fig, title: str) -> int:
    """1-based timeline row titled ``title`` (0 when none)."""
    titles = [(a.text or "").split("<br>")[0] for a in fig.layout.annotations if ":" in (a.text or "")]
    return titles.index(title) + 1 if title in titles else 0


def _injected_cases() -> list:
    from test_fault_table import INJECTIONS

    withheld = {(m, r.measure) for m in REGISTRY for r in REGISTRY[m].rules if r.withheld}  # never flagged
    return [
        pytest.param(m, measure, id=f"{m}-{measure}")
        for m, measure in INJECTIONS
        if (m, measure) not in withheld
    ]


@pytest.mark.parametrize(("movement", "measure"), _injected_cases())
def test_every_flag_is_drawn_on_its_own_line_with_its_thresholds(movement, measure) -> None:
    """Each movement's flags (every rule, its fault injected): the timeline has the rule's row, with its
    mild and marked threshold lines and bands, and the flag's cross lies on the line of its series
    (the kickback's trunk-line change had no line; the bridge's hip line crossed between two legs)."""
    from test_fault_table import INJECTIONS, _analyse_pair

    from hipform.plain import measure_words
    from hipform.webapp.present import fault_name

    how = INJECTIONS[(movement, measure)]
    report, _ = _analyse_pair(movement, how, how.views[0], how.legs[0])
    rule = next(r for r in REGISTRY[movement].rules if r.measure == measure)
    flags = [f for f in report.flags if f.measure == measure and f.rep is not None]
    assert flags, report.summary_lines()
    fig = timeline_figure(report)
    row = _row_of(fig, f"{fault_name(rule.fault)}: {measure_words(rule.measure).name}")  # the plain words
    assert row, [a.text for a in fig.layout.annotations]
    yaxis = "y" if row == 1 else f"y{row}"
    lines = [s for s in fig.layout.shapes if s.type == "line" and s.yref == yaxis]
    assert {round(s.y0, 6) for s in lines} >= {round(rule.mild, 6), round(rule.marked, 6)}
    assert [s for s in fig.layout.shapes if s.type == "rect" and s.yref == yaxis]  # the bands
    traces = {
        t.name: np.asarray(t.y, dtype=float) for t in fig.data if t.mode == "lines" and t.yaxis == yaxis
    }
    crosses = {
        (round(t.x[0], 6), round(t.y[0], 6)) for t in fig.data if t.mode == "markers" and t.yaxis == yaxis
    }
    for f in flags:
        assert (round(float(report.t_s[f.worst_frame]), 6), round(f.value, 6)) in crosses
        line = traces[f.side or "both"]
        if rule.phase == "hold":  # a median over the hold: the line passes through the hold, not the value
            assert np.isfinite(line[f.worst_frame])
        else:
            assert line[f.worst_frame] == pytest.approx(f.value, abs=1e-9), (f.rep, f.side)


@pytest.mark.slow
@pytest.mark.parametrize("clip", ["squat_side_clean.mov", "squat_side_knees_sway_in.mov"])
@pytest.mark.parametrize("movement", ["squat", "single-leg-squat"])
def test_real_side_view_clips_export_no_frontal_number(clip, movement, tmp_path) -> None:
    """The shared real side-on squats through the command line (MediaPipe on the video): no frontal-plane
    number in the JSON's rep values, no frontal column in the measures CSV, empty frontal cells in the
    reps CSV; and the report shows none in the rep table, timeline or History."""
    import subprocess
    import sys

    from clipmaker import SHARED_CLIPS
    from external import require_or_skip

    from hipform.cache import estimate_pose_cached

    path = SHARED_CLIPS / clip
    require_or_skip(path.is_file(), f"real clip not found at {path}")
    out = {"--json": tmp_path / "r.json", "--csv": tmp_path / "m.csv", "--reps-csv": tmp_path / "reps.csv"}
    args = [sys.executable, "-m", "hipform", "analyse", str(path), "--exercise", movement]
    subprocess.run([*args, *(x for kv in out.items() for x in map(str, kv))], check=True, capture_output=True)
    data = json.loads(out["--json"].read_text())
    assert data["view"] in ("side", "oblique") and data["reps"], data["view"]
    frontal = names_of(FRONTAL)
    for rep in data["reps"]:
        for key, value in rep["values"].items():
            if value["measure"] in FRONTAL:
                assert value["value"] is None and not value["assessed"], (rep["rep"], key, value)
    assert not frontal & set(data["measures"])
    with out["--csv"].open(newline="") as fh:
        assert not frontal & set(next(csv.reader(fh)))
    with out["--reps-csv"].open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(row[k] == "" for row in rows for k in frontal & set(row))
    report = analyse(estimate_pose_cached(path).seq, movement=movement)
    assert_no_number_for_what_was_not_judged(report, tmp_path)
