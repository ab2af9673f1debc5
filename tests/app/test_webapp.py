"""What the app shows, computed without Streamlit: tables, figures, set-up help, progress, uploads."""

from __future__ import annotations

import hashlib
import os
import re
import time
from datetime import datetime, timedelta, timezone

import pytest

from hipform.errors import VideoReadError
from hipform.history import TrendPoint
from hipform.report import NotAssessed
from hipform.webapp import media, present
from hipform.webapp.plots import MIN_DATE_SPAN, series_for, timeline_figure, trend_empty_reason, trend_figure
from hipform.webapp.progress import ProgressTracker
from hipform.webapp.setup_help import ADVICE, advice_for, filming_for, upload_formats


def test_flag_rows_show_value_threshold_and_cue(synthetic_report):
    rows = present.flag_rows(synthetic_report)
    assert len(rows) == 3
    first = rows[0]
    assert first["Rep"] == "1" and first["Side"] == "left" and first["Fault"] == "Knee collapse"
    assert first["Severity"] == "MARKED"
    assert first["Measured"].endswith("°") and 22 <= float(first["Measured"][:-1]) <= 28
    assert first["Threshold"] == "mild ≥ 10°, marked ≥ 16°"  # as the sentence says its lines
    assert first["What to do"] == synthetic_report.flags[0].cue
    assert present.flag_title(synthetic_report.flags[0]).startswith("Rep 1 · left knee collapse · marked")


def test_rep_and_left_right_tables(synthetic_report):
    reps = present.rep_rows(synthetic_report)
    assert [r["Rep"] for r in reps] == [1, 2, 3]
    assert all("knee collapse (marked)" in r["Flags"] for r in reps)
    assert "knee angle in (left, degrees)" in reps[0]
    statuses = {s.fault: s for s in present.fault_statuses(synthetic_report)}
    assert statuses["knee_collapse"].status == "flagged" and statuses["knee_collapse"].reps_flagged == 3
    assert statuses["back_arch"].status == "not_checked"
    assert "3 reps" in present.headline(synthetic_report) and "3 flags" in present.headline(synthetic_report)


def test_timeline_has_threshold_bands_reps_and_flags(synthetic_report):
    # every rep stands on the left leg: each measure is drawn on the side it was graded on, the series
    # its flags lie on (the FPPA relative to standing, not the raw angle)
    measure = synthetic_report.summary.measure
    assert series_for(synthetic_report, measure("fppa_deg")) == [("left", "fppa_left_deg")]
    assert series_for(synthetic_report, measure("pelvic_drop_deg")) == [("left", "pelvic_drop_left_deg")]
    for f in synthetic_report.flags:
        assert synthetic_report.measures["fppa_left_deg"][f.worst_frame] == f.value
    fig = timeline_figure(synthetic_report)
    shapes = fig.layout.shapes
    bands = [
        s
        for s in shapes
        if s.type == "rect" and "domain" in (s.xref or "") and "domain" not in (s.yref or "")
    ]
    rep_spans = [
        s for s in shapes if s.type == "rect" and "domain" in (s.yref or "") and "domain" not in s.xref
    ]
    assert len(rep_spans) >= 3  # one per rep (drawn on every row)
    assert bands, "threshold bands missing"
    markers = [t for t in fig.data if t.mode == "markers"]
    assert sum(len(t.x) for t in markers) == 3  # one cross per flag
    assert {a.text for a in fig.layout.annotations} >= {"rep 1", "rep 2", "rep 3"}


def test_movement_names_are_the_registry_titles():
    from hipform.kinematics.movements import REGISTRY

    assert present.MOVEMENT_NAMES == {"auto": "Recognise it for me"} | {
        n: m.title for n, m in REGISTRY.items()
    }
    assert present.movement_name("bridge") == "Glute bridge"


def test_trend_figure_has_a_line_per_side():
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    pts = [
        TrendPoint(
            i, t0 + timedelta(days=7 * i), "knee_collapse", "fppa_deg", "deg", side, 15 - i, 17 - i, 3, 1
        )
        for i in range(3)
        for side in ("left", "right")
    ]
    fig = trend_figure(pts, "single-leg-squat")
    lines = [t for t in fig.data if t.mode == "lines+markers"]
    assert sorted(t.name for t in lines) == ["left (mean)", "right (mean)"]
    assert list(lines[0].y) == [15, 14, 13]
    assert fig.layout.shapes  # mild/marked bands from the fault table


def test_trend_of_one_session_has_a_readable_time_axis_and_says_which_way_is_better():
    at = datetime(2026, 1, 1, 11, 57, 50, 600_000, tzinfo=timezone.utc)
    pts = [TrendPoint(1, at, "pelvic_drop", "pelvic_drop_deg", "deg", "left", 3.0, 4.0, 3, 0)]
    fig = trend_figure(pts, "single-leg-squat")
    lo, hi = fig.layout.xaxis.range
    # one session once spread a fraction of a second across the axis ("11:57:50.6 / 11:57:50.6005")
    assert hi - lo >= MIN_DATE_SPAN and lo < at < hi
    assert "lower is better" in fig.layout.annotations[0].text
    squat = trend_figure(
        [TrendPoint(1, at, "knee_collapse", "knee_separation_rel", "ratio", "both", 0.8, 0.7, 3, 1)], "squat"
    )
    assert "higher is better" in squat.layout.annotations[0].text


def test_an_empty_trend_says_why():
    assert "No saved running session yet" in trend_empty_reason("running", 0)
    why = trend_empty_reason("running", 2)
    assert why.startswith("2 saved sessions of running") and "side-on" in why
    assert "Film from behind for knees and pelvis" in why


def test_how_to_film_each_movement_before_the_first_upload():
    from hipform.kinematics.movements import REGISTRY
    from hipform.webapp.media import UPLOAD_TYPES

    for name, spec in REGISTRY.items():
        views = filming_for(name)
        assert views, name
        shown = " ".join(v.shows for v in views)
        for rule in (r for r in spec.rules if not r.withheld):  # every fault judged is named under some view
            assert present.fault_name(rule.fault).lower() in shown, (name, rule.fault)
        for view in views:
            assert view.svg.startswith("<svg") and len(view.lines) == 3 and all(view.lines)
    assert [v.title for v in filming_for("running")] == [
        "From behind (treadmill)",
        "From the side (treadmill)",
    ]
    assert "stride" in filming_for("running")[1].shows and "hip extension" in filming_for("running")[1].shows
    assert filming_for("auto") == ()
    assert all(ext.upper() in upload_formats() for ext in UPLOAD_TYPES)


def test_setup_advice_for_not_assessed_faults():
    assert advice_for("single-leg-squat", "knee_collapse").key == "frontal"
    assert advice_for("bridge", "back_arch").key == "side"
    assert advice_for("single-leg-bridge", "pelvic_drop").key == "frontal-feet"
    assert advice_for("squat", "back_arch") is None
    for advice in ADVICE.values():
        assert advice.svg.startswith("<svg") and advice.svg.endswith("</svg>") and advice.steps
    na = NotAssessed("knee_collapse", "needs a front view", setup="")
    assert present.clip_not_assessed(type("R", (), {"not_assessed": (na,)})()) == [na]


def test_progress_gives_fraction_and_time_left():
    now = [0.0]
    shown = []
    tracker = ProgressTracker(lambda f, t: shown.append((f, t)), min_interval_s=0.0, clock=lambda: now[0])
    now[0] = 10.0
    tracker("pose", 150, 300)
    fraction, text = shown[-1]
    assert fraction == pytest.approx(0.39)
    assert "frame 150 of 300" in text and "left" in text
    tracker("annotate", 300, 300)
    assert shown[-1][0] == pytest.approx(0.98)
    tracker("pose", 10, 300)  # never goes backwards
    assert tracker.fraction == pytest.approx(0.98)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("squat.mp4", "squat.mp4"),  # plain names are kept
        ("../../etc/passwd.mp4", "passwd.mp4"),  # no folders
        ("C:\\Users\\me\\clip.MOV", "clip.MOV"),  # Windows paths too
        ("<b>x</b>.webm", "b_.webm"),  # no markup characters (and "/" ends a folder name)
        ("", "clip"),  # something to call it
    ],
)
def test_safe_filename(name, expected):
    assert media.safe_filename(name) == expected


def test_save_upload_checks_type_and_content(tmp_path):
    data = b"\x00\x00\x00\x18ftypmp42"
    path, sha = media.save_upload(data, "../My Clip.MP4", tmp_path)
    # the user's name (messages name it), never the hash; the hash keys the cache
    assert path == tmp_path / "My Clip.MP4" and path.read_bytes() == data
    assert sha == hashlib.sha256(data).hexdigest()
    with pytest.raises(VideoReadError, match="not a video type"):
        media.save_upload(b"hello", "notes.txt", tmp_path)
    with pytest.raises(VideoReadError, match="empty"):
        media.save_upload(b"", "clip.mp4", tmp_path)


def test_samples_are_listed_with_their_titles(samples_dir):
    [sample] = media.list_samples(samples_dir)
    assert sample.title == "Single-leg squat, left knee collapse"
    assert sample.truth["movement"] == "single-leg-squat"


def test_scratch_left_by_ended_sessions_is_removed_and_fresh_work_kept(tmp_path):
    old = time.time() - media.STALE_SCRATCH_S - 60
    recording = media.new_scratch_folder(tmp_path)  # a tab closed while recording, yesterday
    (recording / "webcam.mp4").write_bytes(b"x" * 100)
    upload = media.new_scratch_folder(tmp_path)  # a server stopped mid-analysis
    (upload / "nested").mkdir()
    (upload / "nested" / "clip.mp4").write_bytes(b"y")
    busy = media.new_scratch_folder(tmp_path)  # an old folder someone is writing in now
    (busy / "download.csv").write_text("a,b\n")
    theirs = tmp_path / "webcam-1a2b3c4d.mp4"  # not made by hipform: never removed, however old
    theirs.write_bytes(b"z")
    for p in [*tmp_path.rglob("*"), tmp_path]:
        os.utime(p, (old, old), follow_symlinks=False)
    os.utime(busy / "download.csv")
    assert media.remove_stale_scratch(tmp_path) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([busy.name, theirs.name])
    assert media.remove_stale_scratch(tmp_path / "missing") == 0


#: A rep table column's unit in words, at the end of its name: "knee angle in (left, degrees)".
UNIT_IN_NAME = re.compile(r"\((?:left, |right, )?(degrees|seconds|% of [^)]+|shoulder widths|times[^)]*)\)$")


def test_every_rep_table_number_has_its_unit(synthetic_report):
    """Each column of numbers names its unit in words and each value carries it (a ratio too:
    the hip sway is a % of leg length per second, never a bare 0.05)."""
    rows = present.rep_rows(synthetic_report)
    sway = present.rep_column("pelvis_sway_speed_ratio", "left", "ratio")
    assert sway == "hip sway (left, % of leg length per second)" and sway in rows[0]
    for row in rows:
        for column, cell in row.items():
            if column in ("Rep", "Side", "Flags"):
                continue
            assert UNIT_IN_NAME.search(column), column
            if isinstance(cell, str) and cell != present.NOT_JUDGED:
                assert cell.endswith(("°", "%", "times", "shoulder widths")), (column, cell)


def test_the_comparison_of_two_sessions_says_every_unit():
    row = {"fault": "instability", "measure": "pelvis_sway_speed_ratio", "unit": "ratio", "side": "left"}
    row |= {"a": {"mean": 0.052, "worst": 0.08, "reps_flagged": 1}, "b": {"mean": 0.031, "reps_flagged": 0}}
    (shown,) = present.compare_rows([{**row, "change": 0.031 - 0.052}], "Earlier", "Later")
    assert shown == {
        "Measure": "Wobble on one leg: hip sway, left (% of leg length per second; lower is better)",
        "Earlier": "5.2% · 1 rep flagged",
        "Later": "3.1% · 0 reps flagged",
        "Change": "-2.1%",
    }
