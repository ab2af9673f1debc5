"""The per-athlete ZIP (hipform.history_export): one athlete's reports, measures and hip checks only."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime, timedelta, timezone

import jsonschema
import pytest

from hipform.errors import OutputWriteError
from hipform.history import History
from hipform.history_export import MEASURE_COLUMNS, athlete_zip, write_athlete_zip, zip_name
from hipform.report import report_json_schema

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
NOW = datetime(2026, 4, 2, 10, 0, tzinfo=timezone.utc)
#: Stands in for a hip check's one-page PDF (the ZIP carries its bytes as saved).
PDF = b"%PDF-1.7\n% a one-page hip check report\n%%EOF\n"


@pytest.fixture(scope="module")
def report() -> dict:
    """A real report (synthetic single-leg squat, left knee collapse) as a dict."""
    from hipform.kinematics import analyse
    from hipform.synth.athlete import Faults, MotionParams, simulate
    from hipform.synth.camera import Camera, pose_sequence_from_joints

    motion = simulate(
        "single-leg-squat", MotionParams(reps=2, faults=Faults(knee_valgus_deg=20, side="left"))
    )
    seq = pose_sequence_from_joints(motion.joints_m, motion.t_s, Camera.around("front"), motion.fps)
    return json.loads(json.dumps(analyse(seq, movement="single-leg-squat").to_dict()))


@pytest.fixture
def history(tmp_path, report):
    """Two athletes: Me with one session, Zoë with two (one relabelled) and a saved hip check."""
    with History(tmp_path / "h.sqlite", video_dir=tmp_path / "videos") as hist:
        zoe = hist.add_athlete("Zoë Ü / 2", notes="private: left ACL repair")

        def save(day: int, athlete_id: int) -> int:
            return hist.save(
                report,
                source_name=f"day {day}.mp4",
                file_sha256=f"{day:064x}",
                width_px=720,
                height_px=1280,
                created_at=T0 + timedelta(days=day),
                athlete_id=athlete_id,
            )

        save(0, hist.default_athlete_id())
        first, second = save(1, zoe), save(8, zoe)
        hist.relabel(second, movement="step-up")
        hist.save_check({"kind": "hipform hip check", "who": "Zoë"}, pdf=PDF, athlete_id=zoe, created_at=T0)
        yield hist, zoe, (first, second)


def read_zip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {info.filename: archive.read(info) for info in archive.infolist()}


def test_the_zip_holds_one_athletes_reports_measures_and_hip_checks(history, report):
    hist, zoe, (first, second) = history
    files = read_zip(athlete_zip(hist, zoe, now=NOW))
    folder = "hipform-zoe-u-2-20260402"
    assert zip_name(hist.athlete(zoe), NOW) == f"{folder}.zip"
    assert sorted(files) == sorted(
        f"{folder}/{name}"
        for name in (
            "manifest.json",
            "measures.csv",
            f"reports/2026-03-02-session-{first}-single-leg-squat.json",
            f"reports/2026-03-09-session-{second}-step-up.json",
            "hip-checks/2026-03-01-hip-check-1.json",
            "hip-checks/2026-03-01-hip-check-1.pdf",
        )
    )
    manifest = json.loads(files[f"{folder}/manifest.json"])
    assert manifest["athlete"] == {"name": "Zoë Ü / 2"} and manifest["exported_at"] == NOW.isoformat()
    assert [(s["id"], s["movement"], s["judged_as"]) for s in manifest["sessions"]] == [
        (first, "single-leg-squat", "single-leg-squat"),
        (second, "step-up", "single-leg-squat"),  # relabelled: the report says what it was judged as
    ]
    for entry in manifest["sessions"]:
        stored = json.loads(files[f"{folder}/{entry['report']}"])
        assert stored == hist.get(entry["id"]).report == report
        jsonschema.validate(stored, report_json_schema(), cls=jsonschema.Draft202012Validator)
    assert files[f"{folder}/{manifest['hip_checks'][0]['pdf']}"] == PDF
    assert json.loads(files[f"{folder}/{manifest['hip_checks'][0]['json']}"])["who"] == "Zoë"
    rows = list(csv.DictReader(io.StringIO(files[f"{folder}/measures.csv"].decode("utf-8"))))
    assert tuple(rows[0]) == MEASURE_COLUMNS
    expected = [p for sid in (first, second) for p in hist.session_values(sid)]
    assert len(rows) == len(expected) > 0 and {int(r["session_id"]) for r in rows} == {first, second}
    for row, point in zip(rows, expected, strict=True):
        assert (row["fault"], row["measure"], row["side"]) == (point.fault, point.measure, point.side)
        assert float(row["mean_value"]) == point.mean_value and int(row["reps_flagged"]) == point.reps_flagged
    everything = b"".join(files.values())
    assert b"private" not in everything and b"day 0.mp4" not in everything  # notes and Me's session stay


def test_an_athlete_without_sessions_gets_an_empty_record_and_me_only_mine(history):
    hist, zoe, _ = history
    empty = hist.add_athlete("New")
    files = read_zip(athlete_zip(hist, empty, now=NOW))
    manifest = json.loads(files["hipform-new-20260402/manifest.json"])
    assert manifest["sessions"] == [] and manifest["hip_checks"] == []
    assert files["hipform-new-20260402/measures.csv"].decode().splitlines() == [",".join(MEASURE_COLUMNS)]
    mine = json.loads(
        read_zip(athlete_zip(hist, hist.default_athlete_id(), now=NOW))["hipform-me-20260402/manifest.json"]
    )
    assert [s["clip"] for s in mine["sessions"]] == ["day 0.mp4"] and mine["hip_checks"] == []


def test_the_zip_file_is_written_whole_or_not_at_all(history, tmp_path):
    hist, zoe, _ = history
    out = tmp_path / "share" / "zoe.zip"
    with pytest.raises(OutputWriteError, match="no folder"):
        write_athlete_zip(hist, zoe, out)  # the folder is missing: one sentence, nothing written
    out.parent.mkdir()
    out.write_bytes(b"an older export")
    assert write_athlete_zip(hist, zoe, out) == out
    assert "manifest.json" in " ".join(read_zip(out.read_bytes()))
    assert [p.name for p in out.parent.iterdir()] == ["zoe.zip"]  # no temporary file left beside it


def test_each_sets_load_and_effort_are_in_the_manifest_and_the_csv(history):
    """History schema 6's training log travels with the record: a set's kilograms or band colour
    and its effort (RPE), in each session's manifest entry and on each of its CSV rows; a set with
    none entered says so (null, empty cells)."""
    hist, zoe, (first, second) = history
    assert hist.set_training(first, load_kg=22.5, rpe=7) and hist.set_training(second, band="Red", rpe=8.5)
    untouched = hist.save(
        hist.get(first).report,
        source_name="day 9.mp4",
        file_sha256=f"{9:064x}",
        width_px=720,
        height_px=1280,
        created_at=T0 + timedelta(days=9),
        athlete_id=zoe,
    )
    files = read_zip(athlete_zip(hist, zoe, now=NOW))
    folder = "hipform-zoe-u-2-20260402"
    manifest = json.loads(files[f"{folder}/manifest.json"])
    assert manifest["export_version"] == "1.1.0"
    training = {s["id"]: (s["load_kg"], s["band"], s["rpe"]) for s in manifest["sessions"]}
    assert training == {first: (22.5, None, 7.0), second: (None, "red", 8.5), untouched: (None, None, None)}
    rows = list(csv.DictReader(io.StringIO(files[f"{folder}/measures.csv"].decode("utf-8"))))
    by_session = {int(r["session_id"]): (r["load_kg"], r["band"], r["rpe"]) for r in rows}
    assert by_session == {first: ("22.5", "", "7.0"), second: ("", "red", "8.5"), untouched: ("", "", "")}
    assert {len([r for r in rows if int(r["session_id"]) == sid]) for sid in by_session} == {
        len(hist.session_values(first))
    }  # every row of a session carries its set's load, not only the first
