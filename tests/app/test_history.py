"""The SQLite history: saving, listing, comparing, trends, migrations, transactions, paths."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest
from old_history import copy_v4_release, old_history

from hipform.history import (
    MIGRATIONS,
    SCHEMA_VERSION,
    History,
    HistoryError,
    default_db_path,
    fault_values_from_report,
    hipform_home,
)
from hipform.report import SCHEMA_VERSION as REPORT_SCHEMA_VERSION
from hipform.report import report_json_schema, upgrade_report_dict

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
#: Two analyses as hipform stored them before report schema 2.0.0 (made by that hipform; "made_by" says how).
OLD_SESSIONS = Path(__file__).resolve().parents[1] / "data" / "history-2-report-1.0.0.json"


def _save(hist: History, report: dict, day: int = 0, **kw) -> int:
    args = {"source_name": "clip.mp4", "file_sha256": f"{day:064x}", "width_px": 720, "height_px": 1280}
    args.update(kw)
    return hist.save(report, created_at=T0 + timedelta(days=day), **args)


@pytest.fixture(autouse=True)
def private_home(tmp_path, monkeypatch) -> Path:
    """hipform's home is the test's folder: kept videos land in ``tmp_path / "videos"``."""
    monkeypatch.setenv("HIPFORM_HOME", str(tmp_path))
    monkeypatch.delenv("HIPFORM_DB", raising=False)
    return tmp_path


@pytest.fixture
def report_dict(synthetic_report) -> dict:
    return json.loads(json.dumps(synthetic_report.to_dict()))


def test_paths_follow_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("HIPFORM_DB", raising=False)
    monkeypatch.setenv("HIPFORM_HOME", str(tmp_path / "h"))
    assert hipform_home() == tmp_path / "h"
    assert default_db_path() == tmp_path / "h" / "history.sqlite"
    monkeypatch.setenv("HIPFORM_DB", str(tmp_path / "other.db"))
    assert default_db_path() == tmp_path / "other.db"
    monkeypatch.delenv("HIPFORM_HOME")
    monkeypatch.delenv("HIPFORM_DB")
    assert default_db_path() == Path.home() / ".hipform" / "history.sqlite"


def test_save_list_get_roundtrip(tmp_path, report_dict):
    video = tmp_path / "annotated.mp4"
    video.write_bytes(b"not really a video, only bytes to copy")
    with History(tmp_path / "h.sqlite") as hist:
        assert hist.schema_version == SCHEMA_VERSION
        sid = _save(hist, report_dict, settings={"exercise": "auto"}, annotated_video=video)
        [summary] = hist.list_sessions()
        assert summary.id == sid and summary.movement == "single-leg-squat"
        assert summary.n_flags == len(report_dict["flags"]) == 3
        assert summary.n_reps == 3
        kept = Path(summary.annotated_path)
        assert kept.parent == tmp_path / "videos" and kept.read_bytes() == video.read_bytes()
        got = hist.get(sid)
        assert got.report == report_dict and got.settings == {"exercise": "auto"}
        assert hist.get(sid + 1) is None
        assert hist.find(f"{0:064x}", {"exercise": "auto"}) == sid
        assert hist.find(f"{0:064x}", {"exercise": "squat"}) is None
        assert hist.delete(sid) and not kept.exists() and hist.count() == 0


def test_fault_values_read_the_left_leg(report_dict):
    rows = {(r["measure"], r["side"]): r for r in fault_values_from_report(report_dict)}
    fppa = rows[("fppa_deg", "left")]
    assert fppa["fault"] == "knee_collapse" and fppa["reps_flagged"] == 3 and fppa["n_reps"] == 3
    assert 22.0 <= fppa["mean_value"] <= 28.0  # the synthetic report's 26° collapse
    assert fppa["worst_value"] >= fppa["mean_value"]


def test_compare_and_trend(tmp_path, report_dict):
    better = json.loads(json.dumps(report_dict))
    better["summary"]["measures"]["fppa_deg"]["mean_by_side"]["left"] = 6.0
    better["flags"] = []
    with History(tmp_path / "h.sqlite") as hist:
        a = _save(hist, report_dict, day=0)
        b = _save(hist, better, day=7)
        assert [s.id for s in hist.list_sessions()] == [b, a]  # newest first
        rows = {(r["measure"], r["side"]): r for r in hist.compare(a, b)}
        fppa = rows[("fppa_deg", "left")]
        assert fppa["a"]["reps_flagged"] == 3 and fppa["b"]["reps_flagged"] == 0
        assert fppa["change"] == pytest.approx(6.0 - fppa["a"]["mean"])
        trend = [p for p in hist.trend("single-leg-squat") if p.measure == "fppa_deg"]
        assert [p.session_id for p in trend] == [a, b] and trend[1].mean_value == 6.0
        assert hist.trend("bridge") == []
        assert hist.movements() == ["single-leg-squat"]


def test_failed_save_leaves_nothing(tmp_path, report_dict, monkeypatch):
    video = tmp_path / "annotated.mp4"
    video.write_bytes(b"x" * 100)
    with History(tmp_path / "h.sqlite") as hist:
        import hipform.history as mod

        def boom(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(mod, "_insert_fault_values", boom)  # fails after the session row is inserted
        with pytest.raises(RuntimeError):
            _save(hist, report_dict, annotated_video=video)
        assert hist.count() == 0
        assert not (tmp_path / "videos").exists() or not any((tmp_path / "videos").iterdir())
        assert not sqlite3.connect(hist.path).execute("SELECT * FROM video_files").fetchall()


def _age_registrations(db: Path, seconds: float) -> None:
    """Make every registered video look registered ``seconds`` earlier (a save killed long ago)."""
    conn = sqlite3.connect(db)
    conn.execute("UPDATE video_files SET registered_at = registered_at - ?", (seconds,))
    conn.commit()
    conn.close()


def test_only_registered_videos_no_session_shows_are_removed_once_old(tmp_path, report_dict):
    video = tmp_path / "annotated.mp4"
    video.write_bytes(b"x" * 100)
    db = tmp_path / "h.sqlite"
    with History(db) as hist:
        kept = Path(hist.get(_save(hist, report_dict, annotated_video=video)).summary.annotated_path)
        unsaved = hist.register_video(hist.video_dir / "drawn-never-saved.mp4")  # an analysis not kept
        unsaved.write_bytes(b"y")
        killed = hist.register_video(hist.video_dir / "copy-killed.mp4")  # a copy killed part-way
        killed.with_suffix(".part").write_bytes(b"y")
        # files hipform did not write, however old and video-like they are
        strangers = [hist.video_dir / "holiday.mp4", hist.video_dir / "20260301T090001-bbbbbbbbbbbb.mp4"]
        strangers += [hist.video_dir / "x.part", hist.video_dir / "notes.txt"]
        for f in strangers:
            f.write_bytes(b"mine")
        old = (T0 - timedelta(days=400)).timestamp()
        for f in [kept, unsaved, killed.with_suffix(".part"), *strangers]:
            os.utime(f, (old, old))
        assert hist.remove_orphan_videos() == 0  # registered just now: a save may be under way
    _age_registrations(db, 2 * 3600)
    with History(db) as hist:
        fresh = hist.register_video(hist.video_dir / "another-process-saving.mp4")
        fresh.write_bytes(b"z")
        assert hist.remove_orphan_videos() == 2
        left = sorted(f.name for f in hist.video_dir.iterdir())
        assert left == sorted([kept.name, fresh.name, *(f.name for f in strangers)])
        assert all(f.read_bytes() == b"mine" for f in strangers)
        assert hist.get(1).summary.annotated_path == str(kept)
        assert hist.delete(1) and not kept.exists()  # its own video goes with the session
        assert all(f.exists() for f in strangers)


def test_a_session_of_an_older_hipform_keeps_its_video(tmp_path, report_dict):
    """A schema-3 history whose video sits beside the database (where hipform kept them then)."""
    old_home = tmp_path / "old-place"
    db = old_home / "history.sqlite"
    kept = old_home / "videos" / "20260301T090000000000-000000000000.mp4"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"x" * 100)
    sid = old_history(db, 3, report_dict, video=kept)  # schema 3 had no register of videos
    mtime_before = kept.stat().st_mtime
    with History(db) as hist:  # migrated; new videos now go under hipform's home
        assert hist.schema_version == SCHEMA_VERSION == 6
        assert hist.video_dir == tmp_path / "videos"
        assert hist.get(sid).summary.annotated_path == str(kept) and kept.read_bytes() == b"x" * 100
        assert hist.remove_orphan_videos(older_than_s=0) == 0  # shown by its session: kept
        assert kept.stat().st_mtime == mtime_before
        assert hist.delete(sid) and not kept.exists()  # and still deleted with its session


def test_migrates_a_version_1_database(tmp_path, report_dict):
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    MIGRATIONS[0](conn)
    conn.execute("INSERT INTO schema_version VALUES (1)")
    conn.execute(
        "INSERT INTO sessions (created_at, source_name, file_sha256, exercise, view, n_frames, fps, "
        "duration_s, width_px, height_px, n_reps, n_flags, settings_json, report_json) VALUES "
        "(?, 'old.mp4', 'ab', 'single-leg-squat', 'front', 300, 30, 10, 720, 1280, 3, 3, '{}', ?)",
        (T0.isoformat(), json.dumps(report_dict)),
    )
    conn.commit()
    conn.close()
    with History(path) as hist:
        assert hist.schema_version == SCHEMA_VERSION
        trend = hist.trend("single-leg-squat")  # filled from the stored report by the migration
        assert any(p.measure == "fppa_deg" and p.side == "left" for p in trend)
        assert hist.get(1).report == report_dict  # already the current report schema: left as it is


_FAULT_VALUE_COLS = (
    "fault",
    "measure",
    "unit",
    "side",
    "n_reps",
    "mean_value",
    "worst_value",
    "reps_flagged",
)


def _make_v2_database(path: Path, sessions: list[dict]) -> None:
    """A history of schema 2 holding reports of schema 1.0.0 and the trend rows stored for them,
    as hipform wrote it before report schema 2.0.0."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    MIGRATIONS[0](conn)
    MIGRATIONS[1](conn)  # the fault_values table (no session yet: no rows)
    conn.execute("INSERT INTO schema_version VALUES (2)")
    for day, session in enumerate(sessions):
        report = session["report"]
        cur = conn.execute(
            "INSERT INTO sessions (created_at, source_name, file_sha256, exercise, view, n_frames, fps, "
            "duration_s, width_px, height_px, n_reps, n_flags, settings_json, report_json) VALUES "
            "(?, 'old.mp4', ?, ?, 'front', 300, 30, 10, 720, 1280, ?, ?, '{}', ?)",
            (
                (T0 + timedelta(days=day)).isoformat(),
                f"{day:064x}",
                report["exercise"],
                len(report["reps"]),
                len(report["flags"]),
                json.dumps(report),
            ),
        )
        for row in session["fault_values"]:
            conn.execute(
                f"INSERT INTO fault_values (session_id, {', '.join(_FAULT_VALUE_COLS)}) "
                f"VALUES (?{', ?' * len(_FAULT_VALUE_COLS)})",
                (cur.lastrowid, *(row[c] for c in _FAULT_VALUE_COLS)),
            )
    conn.commit()
    conn.close()


def _trend_rows(hist: History, movement: str) -> dict[tuple[str, str], dict]:
    return {
        (p.measure, p.side): {c: getattr(p, c) for c in _FAULT_VALUE_COLS}
        | {"worst_value": p.worst_value if p.worst_value == p.worst_value else None}
        for p in hist.trend(movement)
    }


def test_migrates_reports_of_schema_1_0_0_and_fills_the_knee_inside_toes_worst_value(tmp_path):
    sessions = json.loads(OLD_SESSIONS.read_text("utf-8"))["sessions"]
    deep_squat, single_leg = sessions
    assert deep_squat["report"]["schema_version"] == single_leg["report"]["schema_version"] == "1.0.0"
    # what the old History stored: no worst value for the knee inside the toes (its rep values
    # were named knee_toe_ratio_left, which it did not read)
    old_rows = {(r["measure"], r["side"]): r for r in deep_squat["fault_values"]}
    assert old_rows[("knee_toe_ratio", "left")]["worst_value"] is None
    path = tmp_path / "v2.sqlite"
    _make_v2_database(path, sessions)
    with History(path) as hist:
        assert hist.schema_version == SCHEMA_VERSION
        for sid, session in enumerate(sessions, start=1):
            report = hist.get(sid).report
            assert report["schema_version"] == REPORT_SCHEMA_VERSION
            jsonschema.validate(report, report_json_schema(), cls=jsonschema.Draft202012Validator)
            assert report == upgrade_report_dict(session["report"])
            old_numbers = [v for rep in session["report"]["reps"] for v in rep["values"].values()]
            new_numbers = [v["value"] for rep in report["reps"] for v in rep["values"].values()]
            assert sorted(map(str, new_numbers)) == sorted(map(str, old_numbers))  # every number kept
        squat = _trend_rows(hist, "squat")
        for side in ("left", "right"):
            flagged = [
                f["value"]
                for f in deep_squat["report"]["flags"]
                if f["measure"] == "knee_toe_ratio" and f["side"] == side
            ]
            assert len(flagged) == 3 and squat[("knee_toe_ratio", side)]["worst_value"] == min(flagged)
            assert squat[("knee_toe_ratio", side)]["reps_flagged"] == 3
            # the rest of the row is what the old History stored
            old = {**old_rows[("knee_toe_ratio", side)], "worst_value": min(flagged)}
            assert squat[("knee_toe_ratio", side)] == old
        assert squat[("knee_separation_rel", "both")] == old_rows[("knee_separation_rel", "both")]
        assert _trend_rows(hist, "single-leg-squat") == {
            (r["measure"], r["side"]): r for r in single_leg["fault_values"]
        }


def test_a_1_0_0_report_is_saved_upgraded(tmp_path):
    old = json.loads(OLD_SESSIONS.read_text("utf-8"))["sessions"][0]["report"]
    with History(tmp_path / "h.sqlite") as hist:
        sid = _save(hist, old)
        assert hist.get(sid).report == upgrade_report_dict(old)
        assert all(p.worst_value == p.worst_value for p in hist.trend("squat"))  # none missing


def test_a_stored_report_it_cannot_read_stops_the_migration_and_changes_nothing(tmp_path):
    sessions = json.loads(OLD_SESSIONS.read_text("utf-8"))["sessions"]
    sessions[1]["report"]["reps"][0]["values"]["fppa"] = 1.0  # no hipform wrote this name
    path = tmp_path / "v2.sqlite"
    _make_v2_database(path, sessions)
    with pytest.raises(HistoryError, match="cannot read"):
        History(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == 2
    stored = [json.loads(r) for (r,) in conn.execute("SELECT report_json FROM sessions ORDER BY id")]
    conn.close()
    assert stored == [s["report"] for s in sessions]


def test_refuses_newer_or_foreign_files(tmp_path):
    newer = tmp_path / "newer.sqlite"
    with History(newer):
        pass
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE schema_version SET version = 99")
    conn.commit()
    conn.close()
    with pytest.raises(HistoryError, match="newer hipform"):
        History(newer)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(HistoryError, match="not a hipform history"):
        History(junk)


def test_rejects_a_non_report(tmp_path):
    with History(tmp_path / "h.sqlite") as hist, pytest.raises(TypeError):
        hist.save({"no": "exercise"}, source_name="x", file_sha256="0", width_px=1, height_px=1)


# ------------------------------------------------------------------ athletes (history schema 5)
def _table(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _rows(db: Path, table: str, columns: str = "*") -> list[tuple]:
    """Every row of ``table``, in an order that does not depend on how it is stored."""
    return sorted(_table(db, f"SELECT {columns} FROM {table}"), key=repr)


def test_a_history_of_the_last_release_keeps_every_session_under_one_athlete(tmp_path):
    """tests/data/history-v4.sqlite, written by the release before athletes through its own code."""
    db = tmp_path / "history.sqlite"
    video = tmp_path / "videos" / "kept.mp4"
    copy_v4_release(db, video)
    old_columns = [row[1] for row in _table(db, "PRAGMA table_info(sessions)")]
    assert "exercise" in old_columns and "athlete_id" not in old_columns
    before = {table: _rows(db, table) for table in ("sessions", "fault_values", "video_files")}
    with History(db) as hist:
        assert hist.schema_version == SCHEMA_VERSION == 6
        [me] = hist.athletes()
        assert me.name == "Me" and me.notes == "" and hist.default_athlete_id() == me.id
        assert [(s.id, s.athlete_id, s.movement) for s in hist.list_sessions()] == [
            (3, me.id, "single-leg-squat"),
            (2, me.id, "squat"),
            (1, me.id, "single-leg-squat"),
        ]
        assert {p.session_id for p in hist.trend("single-leg-squat", me.id)} == {1, 3}
        assert hist.get(1).summary.annotated_path == str(video)
        # the training log's load and effort: none for a set saved before it existed
        assert {(s.load_kg, s.band, s.rpe) for s in hist.list_sessions()} == {(None, None, None)}
    renamed = [("movement" if c == "exercise" else c) for c in old_columns]
    # the reports are stored as the current report schema writes them (2.2.0: an empty drift list)
    at = old_columns.index("report_json")
    upgraded = [
        (*row[:at], json.dumps(upgrade_report_dict(json.loads(row[at])), allow_nan=False), *row[at + 1 :])
        for row in before["sessions"]
    ]
    assert _rows(db, "sessions", ", ".join(renamed)) == sorted(upgraded, key=repr)
    for table in ("fault_values", "video_files"):
        assert _rows(db, table) == before[table], table
    assert "exercise" not in [row[1] for row in _table(db, "PRAGMA table_info(sessions)")]
    assert _table(db, "PRAGMA integrity_check") == [("ok",)]
    assert _table(db, "PRAGMA foreign_key_check") == []
    assert _table(db, "SELECT seq FROM sqlite_sequence WHERE name = 'sessions'") == [(4,)]
    with History(db) as hist:  # session 4 was deleted by the old hipform: its id is not reused
        report = hist.get(3).report
        assert _save(hist, report, day=30) == 5
        assert hist.delete(1) and not video.exists()  # its listed video goes with it


def test_a_failed_athlete_migration_leaves_the_release_s_history_as_it_was(tmp_path, monkeypatch):
    import hipform.history as mod

    db = tmp_path / "history.sqlite"
    copy_v4_release(db, tmp_path / "videos" / "kept.mp4")
    data = {table: _rows(db, table) for table in ("sessions", "fault_values", "video_files")}

    def killed_half_way(conn):  # the sessions table rebuilt, the athletes made: then a failure
        mod._v5(conn)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(mod, "MIGRATIONS", (*MIGRATIONS[:4], killed_half_way))
    with pytest.raises((HistoryError, sqlite3.OperationalError)):
        History(db)
    assert _table(db, "SELECT version FROM schema_version") == [(4,)]
    assert {table: _rows(db, table) for table in data} == data
    assert not _table(db, "SELECT name FROM sqlite_master WHERE name IN ('athletes', 'hip_checks')")


def test_athletes_keep_their_sessions_and_trends_apart(tmp_path, report_dict):
    better = json.loads(json.dumps(report_dict))
    better["summary"]["measures"]["fppa_deg"]["mean_by_side"]["left"] = 6.0
    with History(tmp_path / "h.sqlite") as hist:
        me = hist.default_athlete_id()
        ana = hist.add_athlete("  Ana   B ", notes="left ACL repair 2024 ")
        assert hist.athlete(ana).name == "Ana B" and hist.athlete(ana).notes == "left ACL repair 2024"
        mine = [_save(hist, report_dict, day=0), _save(hist, report_dict, day=2, athlete_id=me)]
        hers = [_save(hist, better, day=1, athlete_id=ana)]

        def fppa(athlete_id):
            return [
                (p.session_id, p.mean_value)
                for p in hist.trend("single-leg-squat", athlete_id)
                if p.measure == "fppa_deg" and p.side == "left"
            ]

        assert [sid for sid, _ in fppa(me)] == mine and fppa(ana) == [(hers[0], 6.0)]
        assert all(value > 6.0 for _, value in fppa(me))
        assert [s.id for s in hist.list_sessions(athlete_id=ana)] == hers
        assert [s.id for s in hist.list_sessions()] == mine[::-1]  # the default athlete's
        assert hist.count() == 3 and hist.count(ana) == 1
        assert hist.movements(ana) == ["single-leg-squat"]
        # the same clip is a new session for another athlete, not the first athlete's
        assert hist.find(f"{0:064x}") == mine[0] and hist.find(f"{0:064x}", athlete_id=ana) is None
        assert [a.name for a in hist.athletes()] == ["Ana B", "Me"]
        hist.update_athlete(me, name="Jo", notes="coach")
        assert (hist.athlete(me).name, hist.athlete(me).notes) == ("Jo", "coach")
        for bad in ("ana b", "   ", "x" * 81):
            with pytest.raises(HistoryError):
                hist.add_athlete(bad)
        with pytest.raises(HistoryError, match="already an athlete called 'Ana B'"):
            hist.update_athlete(me, name="ANA B")
        video = tmp_path / "annotated.mp4"
        video.write_bytes(b"x" * 100)
        with pytest.raises(HistoryError, match="no athlete #99"):
            _save(hist, report_dict, day=5, athlete_id=99, annotated_video=video)
        assert hist.count() == 3 and not any((tmp_path / "videos").iterdir())  # nothing left of it


def test_relabel_files_a_session_under_another_movement_or_athlete(tmp_path, report_dict):
    with History(tmp_path / "h.sqlite") as hist:
        me = hist.default_athlete_id()
        ana = hist.add_athlete("Ana")
        sid = _save(hist, report_dict)
        assert hist.relabel(sid, athlete_id=ana)
        assert hist.list_sessions() == [] and hist.trend("single-leg-squat") == []
        assert [p.session_id for p in hist.trend("single-leg-squat", ana)] == [sid] * len(
            hist.trend("single-leg-squat", ana)
        )
        assert hist.relabel(sid, movement="step-up")
        summary = hist.get(sid).summary
        assert (summary.movement, summary.athlete_id) == ("step-up", ana)
        assert hist.get(sid).report == report_dict  # the report says what it was judged as
        assert hist.trend("single-leg-squat", ana) == [] and hist.trend("step-up", ana)
        assert hist.movements(ana) == ["step-up"]
        with pytest.raises(HistoryError, match="not a movement hipform knows"):
            hist.relabel(sid, movement="burpee", athlete_id=me)
        with pytest.raises(HistoryError, match="no athlete #99"):
            hist.relabel(sid, movement="squat", athlete_id=99)
        summary = hist.get(sid).summary  # a refused relabel changed nothing
        assert (summary.movement, summary.athlete_id) == ("step-up", ana)
        assert hist.relabel(sid + 1, movement="squat") is False


def test_delete_removes_a_video_only_when_hipform_listed_it_and_no_other_session_shows_it(
    tmp_path, report_dict
):
    db = tmp_path / "h.sqlite"
    drawn = tmp_path / "annotated.mp4"
    drawn.write_bytes(b"x" * 100)
    theirs = tmp_path / "their-video.mp4"
    theirs.write_bytes(b"not hipform's")
    with History(db) as hist:
        kept = Path(hist.get(_save(hist, report_dict, annotated_video=drawn)).summary.annotated_path)
        sharing = _save(hist, report_dict, day=1)
        unlisted = _save(hist, report_dict, day=2)
    conn = sqlite3.connect(db)  # as older sessions may: one video shown twice, one never listed
    conn.execute("UPDATE sessions SET annotated_path = ? WHERE id = ?", (str(kept), sharing))
    conn.execute("UPDATE sessions SET annotated_path = ? WHERE id = ?", (str(theirs), unlisted))
    conn.commit()
    conn.close()
    with History(db) as hist:
        assert hist.delete(unlisted) and theirs.read_bytes() == b"not hipform's"
        assert hist.delete(1) and kept.exists()  # session 2 still shows it
        assert hist.delete(sharing) and not kept.exists()
        assert hist.delete(sharing) is False and hist.count() == 0
        assert (
            _table(db, "SELECT * FROM fault_values") == [] and _table(db, "SELECT * FROM video_files") == []
        )


# ---------------------------------------------------------------------------- the training log (schema 6)
def _as_2_1_0(report: dict) -> dict:
    """``report`` as hipform wrote it before fatigue drift and flag intervals (report schema 2.1.0)."""
    flags = [{k: v for k, v in f.items() if k != "interval"} for f in report["flags"]]
    return {k: v for k, v in report.items() if k != "drift"} | {"schema_version": "2.1.0", "flags": flags}


def test_a_version_5_history_opens_and_its_sets_have_no_load(tmp_path, report_dict):
    db = tmp_path / "v5.sqlite"
    sid = old_history(db, 5, _as_2_1_0(report_dict))
    assert "load_kg" not in [row[1] for row in _table(db, "PRAGMA table_info(sessions)")]
    with History(db) as hist:
        assert hist.schema_version == SCHEMA_VERSION == 6
        [s] = hist.list_sessions()
        assert (s.id, s.load_kg, s.band, s.rpe) == (sid, None, None, None)
        # stored upgraded: an empty drift list, and flags with no interval (severities as judged then)
        assert report_dict["flags"] and all(f["interval"] for f in report_dict["flags"])
        upgraded = report_dict | {"flags": [{**f, "interval": None} for f in report_dict["flags"]]}
        assert hist.get(sid).report == upgraded
        assert hist.get(sid).report["drift"] == []
        [logged] = hist.training_sets("single-leg-squat")
        assert logged.load is None and logged.session_id == sid
        assert hist.set_training(sid, load_kg=20.0, rpe=7)
        assert (hist.list_sessions()[0].load_kg, hist.list_sessions()[0].rpe) == (20.0, 7.0)
    assert _table(db, "PRAGMA integrity_check") == [("ok",)]


def test_a_set_carries_its_load_or_band_and_effort(tmp_path, report_dict):
    with History(tmp_path / "h.sqlite") as hist:
        sid = _save(hist, report_dict, load_kg=12.5, rpe=8)
        [s] = hist.list_sessions()
        assert (s.load_kg, s.band, s.rpe) == (12.5, None, 8.0)
        assert hist.set_training(sid, band="  Red ", rpe=None)  # a band instead; effort cleared
        [s] = hist.training_sets()
        assert (s.load_kg, s.band, s.rpe, s.load) == (None, "red", None, "the red band")
        for bad in (
            {"rpe": 11},
            {"rpe": 0},
            {"load_kg": -1.0},
            {"load_kg": float("nan")},
            {"band": "x" * 41},
        ):
            with pytest.raises(HistoryError):
                hist.set_training(sid, **bad)
        with pytest.raises(HistoryError):
            _save(hist, report_dict, day=1, rpe=12)
        assert hist.count() == 1 and hist.training_sets()[0].band == "red"  # nothing changed
        assert not hist.set_training(sid + 1, load_kg=5.0)  # no such session


def test_a_failed_training_log_migration_leaves_the_history_at_version_5(tmp_path, report_dict, monkeypatch):
    import hipform.history as mod

    db = tmp_path / "v5.sqlite"
    old_history(db, 5, _as_2_1_0(report_dict))
    before = _rows(db, "sessions")

    def killed_half_way(conn):  # the columns added and the reports rewritten: then a failure
        mod._v6(conn)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(mod, "MIGRATIONS", (*MIGRATIONS[:5], killed_half_way))
    with pytest.raises((HistoryError, sqlite3.OperationalError)):
        History(db)
    assert _table(db, "SELECT version FROM schema_version") == [(5,)]
    assert _rows(db, "sessions") == before
    assert "load_kg" not in [row[1] for row in _table(db, "PRAGMA table_info(sessions)")]
