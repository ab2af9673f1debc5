"""Nothing lost: the history database survives a killed process and migrates without losing data.

A child process saves sessions, then starts a real analysis (MediaPipe on a
clip) meant to be saved too, and is killed with SIGKILL part-way; another is
killed while saving as fast as it can. Afterwards the database opens, passes
``PRAGMA integrity_check``, and holds every session that was reported saved. A child deleting a
session is killed inside the deleting transaction and just after its commit: the session is then
all there or all gone, never half deleted.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from hipform.history import MIGRATIONS, SCHEMA_VERSION, History, HistoryError

CHILD = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from hipform.history import History

    db, report_path, video, mode, n_before = sys.argv[1:6]
    report = json.loads(Path(report_path).read_text())
    hist = History(db)
    for i in range(int(n_before)):
        sid = hist.save(report, source_name=f"before-{i}.mp4", file_sha256=f"{i:064x}", width_px=720,
                        height_px=1280, annotated_video=video)
        print("saved", sid, flush=True)
    if mode == "analysis":
        from hipform.analysis_job import run_analysis
        print("analysing", flush=True)
        def progress(stage, done, total):
            print("progress", stage, done, flush=True)
        result = run_analysis(sys.argv[6], Path(db).parent / "out", progress=progress)
        hist.save(result.report.to_dict(), source_name="during.mp4", file_sha256=result.file_sha256,
                  width_px=720, height_px=1280, annotated_video=result.annotated_path)
        print("saved-last", flush=True)
    else:  # save as fast as possible until killed
        print("hammering", flush=True)
        i = 10_000
        while True:
            sid = hist.save(report, source_name=f"fast-{i}.mp4", file_sha256=f"{i:064x}", width_px=720,
                            height_px=1280, annotated_video=video)
            print("saved", sid, flush=True)
            i += 1
    """
)


@pytest.fixture(scope="module")
def report_file(tmp_path_factory) -> Path:
    """A real report (synthetic single-leg squat, left knee collapse) as JSON."""
    from hipform.kinematics import analyse
    from hipform.synth.athlete import Faults, MotionParams, simulate
    from hipform.synth.camera import Camera, pose_sequence_from_joints

    motion = simulate(
        "single-leg-squat", MotionParams(reps=2, faults=Faults(knee_valgus_deg=20, side="left"))
    )
    seq = pose_sequence_from_joints(motion.joints_m, motion.t_s, Camera.around("front"), motion.fps)
    path = tmp_path_factory.mktemp("report") / "report.json"
    path.write_text(json.dumps(analyse(seq, movement="single-leg-squat").to_dict()))
    return path


def start_child(tmp_path: Path, report_file: Path, mode: str, n_before: int, clip: Path | None = None):
    video = tmp_path / "annotated.mp4"
    video.write_bytes(os.urandom(400_000))  # stands in for an annotated video kept with each session
    args = [sys.executable, "-c", CHILD, str(tmp_path / "db" / "history.sqlite"), str(report_file)]
    args += [str(video), mode, str(n_before)] + ([str(clip)] if clip else [])
    env = {**os.environ, "HIPFORM_HOME": str(tmp_path / "home"), "PYTHONWARNINGS": "ignore"}
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)


def read_until(proc: subprocess.Popen, word: str, timeout_s: float = 120, times: int = 1) -> list[str]:
    """The child's lines up to the ``times``-th that starts with ``word`` (it reports each step as done)."""
    lines: list[str] = []
    seen = 0
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.strip())
        seen += line.startswith(word)
        if seen == times:
            return lines
    raise AssertionError(f"child never said {word!r} {times} times: {lines}")


def check_db(path: Path, acknowledged: set[int]) -> set[int]:
    """Integrity, and every acknowledged session present with its report and per-fault values."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()
    with History(path) as hist:
        ids = {s.id for s in hist.list_sessions(limit=100_000)}
        assert acknowledged <= ids, f"lost sessions {sorted(acknowledged - ids)}"
        assert len(ids - acknowledged) <= 1  # at most the one committed just before the kill
        for sid in ids:
            sess = hist.get(sid)
            assert sess.report["movement"]["name"] == "single-leg-squat"
            assert any(r["measure"] == "fppa_deg" for r in hist.compare(sid, sid))  # its fault values too
        return ids


@pytest.mark.slow
def test_killed_mid_analysis_keeps_every_saved_session(tmp_path, report_file):
    from clipmaker import shared_clip

    clip = shared_clip("squat_front_clean.mov")
    proc = start_child(tmp_path, report_file, "analysis", 3, clip)
    try:
        lines = read_until(proc, "analysing")
        lines += read_until(proc, "progress pose 10")  # MediaPipe is part-way through the clip
        assert proc.poll() is None, "the analysis finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    acknowledged = {int(ln.split()[1]) for ln in lines if ln.startswith("saved ")}
    assert len(acknowledged) == 3
    ids = check_db(tmp_path / "db" / "history.sqlite", acknowledged)
    assert ids == acknowledged  # the interrupted analysis saved nothing
    with History(tmp_path / "db" / "history.sqlite") as hist:  # and the database still takes new sessions
        report = json.loads(report_file.read_text())
        hist.save(report, source_name="after.mp4", file_sha256="f" * 64, width_px=720, height_px=1280)
        assert hist.count() == 4


@pytest.mark.parametrize("saves_before_kill", [3, 30])
def test_killed_while_saving_keeps_every_acknowledged_session(
    tmp_path, report_file, saves_before_kill, monkeypatch
):
    """Killed once the child has reported that many saves: it is in the middle of the next one."""
    monkeypatch.setenv("HIPFORM_HOME", str(tmp_path / "home"))  # the child's: its video folder
    proc = start_child(tmp_path, report_file, "hammer", 0)
    try:
        lines = read_until(proc, "hammering")
        lines += read_until(proc, "saved ", times=saves_before_kill)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        out = proc.stdout.read()  # (communicate() would skip what readline() buffered)
    finally:
        proc.kill()
        proc.wait()
    lines += out.splitlines()
    acknowledged = {int(ln.split()[1]) for ln in lines if ln.startswith("saved ")}
    assert len(acknowledged) >= saves_before_kill
    db = tmp_path / "db" / "history.sqlite"
    ids = check_db(db, acknowledged)
    with History(db) as hist:
        kept = {Path(hist.get(i).summary.annotated_path) for i in ids}
        assert all(p.is_file() and p.stat().st_size == 400_000 for p in kept)  # every kept video whole
        on_disk = set(hist.video_dir.iterdir())
        # a video being copied at the kill may be left unreferenced; never more than that one,
        # and the clean-up removes it (only once it is old: a save may be under way elsewhere)
        assert len(on_disk - kept) <= 1, sorted(p.name for p in on_disk - kept)
        assert hist.remove_orphan_videos() == 0
        assert hist.remove_orphan_videos(older_than_s=0) == len(on_disk - kept)
        assert set(hist.video_dir.iterdir()) == kept


# ------------------------------------------------------------------------ killed mid-delete
DELETER = textwrap.dedent(
    """
    import pathlib, signal, sys
    from hipform.history import History

    db, session_id, pause_at = sys.argv[1:4]

    def pause(where):
        print("paused", where, flush=True)
        signal.pause()  # until the test kills this process

    hist = History(db)
    if pause_at == "unlink":  # after the commit, before the video file goes
        unlink = pathlib.Path.unlink
        def pausing_unlink(path, missing_ok=False):
            if path.suffix == ".mp4":
                pause(str(path))
            unlink(path, missing_ok=missing_ok)
        pathlib.Path.unlink = pausing_unlink
    else:  # at an SQL statement of the deleting transaction, before it runs
        hist._conn.set_trace_callback(lambda sql: sql.startswith(pause_at) and pause(sql))
    hist.delete(int(session_id))
    print("deleted", flush=True)
    """
)


def session_rows(db: Path, session_id: int) -> tuple[int, int, int]:
    """The session's rows in ``sessions`` and in ``fault_values``, and how many videos are listed."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        counts = [
            conn.execute(sql, args).fetchone()[0]
            for sql, args in (
                ("SELECT COUNT(*) FROM sessions WHERE id = ?", (session_id,)),
                ("SELECT COUNT(*) FROM fault_values WHERE session_id = ?", (session_id,)),
                ("SELECT COUNT(*) FROM video_files", ()),
            )
        ]
        return tuple(counts)
    finally:
        conn.close()


@pytest.mark.parametrize(
    "pause_at, survives",
    [
        ("DELETE FROM sessions", True),  # inside the transaction, before the session's row goes
        ("COMMIT", True),  # inside the transaction, every row deleted but not committed
        ("unlink", False),  # committed, the video not yet removed
    ],
)
def test_killed_mid_delete_leaves_the_session_whole_or_gone(tmp_path, report_file, pause_at, survives):
    """SIGKILL while deleting a session with a kept video: afterwards the session is all there (row,
    fault values, video) or all gone, and a video left behind is removed by the clean-up."""
    db = tmp_path / "history.sqlite"
    drawn = tmp_path / "drawn.mp4"
    drawn.write_bytes(os.urandom(50_000))
    with History(db, video_dir=tmp_path / "videos") as hist:
        other = hist.save(json.loads(report_file.read_text()), source_name="b.mp4", file_sha256="1" * 64,
                          width_px=720, height_px=1280)  # fmt: skip
        sid = hist.save(json.loads(report_file.read_text()), source_name="a.mp4", file_sha256="0" * 64,
                        width_px=720, height_px=1280, annotated_video=drawn)  # fmt: skip
        video = Path(hist.get(sid).summary.annotated_path)
    n_values = session_rows(db, sid)[1]
    assert n_values > 0 and video.read_bytes() == drawn.read_bytes()
    proc = subprocess.Popen(
        [sys.executable, "-c", DELETER, str(db), str(sid), pause_at],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "HIPFORM_HOME": str(tmp_path / "home"), "PYTHONWARNINGS": "ignore"},
    )
    try:
        read_until(proc, "paused")  # the child stopped where the test asked, inside delete()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    rows = session_rows(db, sid)
    if survives:
        assert rows == (1, n_values, 1) and video.read_bytes() == drawn.read_bytes()
    else:
        assert rows[:2] == (0, 0) and video.exists()  # gone, but for a listed video no session shows
    with History(db, video_dir=tmp_path / "videos") as hist:
        assert hist.remove_orphan_videos(older_than_s=0) == (0 if survives else 1)
        assert video.exists() == survives
        assert hist.get(other) is not None and hist.count() == 1 + survives
        if survives:  # and deleting it again works
            assert hist.delete(sid) and not video.exists() and hist.count() == 1
    assert session_rows(db, sid) == (0, 0, 0)


# ------------------------------------------------------------------------ migrations
#: The columns of schema 1's sessions table, in order; ``movement`` was called ``exercise`` until schema 5.
V1_COLUMNS = (
    "id, created_at, source_name, origin, file_sha256, {movement}, view, n_frames, fps, duration_s, "
    "width_px, height_px, n_reps, n_flags, settings_json, report_json, annotated_path"
)


def make_v1(path: Path, report: dict, n: int) -> list[tuple]:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    MIGRATIONS[0](conn)
    conn.execute("INSERT INTO schema_version VALUES (1)")
    for i in range(n):
        conn.execute(
            "INSERT INTO sessions (created_at, source_name, origin, file_sha256, exercise, view, n_frames, "
            "fps, duration_s, width_px, height_px, n_reps, n_flags, settings_json, report_json, "
            "annotated_path) VALUES (?, ?, 'upload', ?, ?, 'front', 300, 30, 10, 720, 1280, 3, 3, "
            '\'{"exercise": "auto"}\', ?, NULL)',
            (
                f"2026-0{1 + i % 9}-01T09:00:00+00:00",
                f"clip é {i}.mp4",
                f"{i:064x}",
                report["movement"]["name"],
                json.dumps(report),
            ),
        )
    conn.commit()
    rows = conn.execute("SELECT * FROM sessions ORDER BY id").fetchall()
    conn.close()
    return rows


def test_migration_preserves_every_row_and_column(tmp_path, report_file):
    report = json.loads(report_file.read_text())
    path = tmp_path / "v1.sqlite"
    before = make_v1(path, report, 25)
    with History(path) as hist:
        assert hist.schema_version == SCHEMA_VERSION
        assert hist.count() == 25
        for sid in (1, 13, 25):
            assert any(r["measure"] == "fppa_deg" for r in hist.compare(sid, sid))
    conn = sqlite3.connect(path)
    after = conn.execute(f"SELECT {V1_COLUMNS.format(movement='movement')} FROM sessions ORDER BY id")
    after = after.fetchall()
    athletes = conn.execute(
        "SELECT DISTINCT athlete_id, name FROM sessions JOIN athletes a ON a.id = athlete_id"
    )
    assert athletes.fetchall() == [(1, "Me")]  # every session filed under the one athlete
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert after == before  # every row, every column, byte for byte (``exercise`` is now ``movement``)


def test_failed_migration_rolls_back_and_leaves_the_old_database(tmp_path, report_file, monkeypatch):
    import hipform.history as mod

    report = json.loads(report_file.read_text())
    path = tmp_path / "v1.sqlite"
    before = make_v1(path, report, 5)

    def broken(conn):  # a migration that fails half-way (after creating its table)
        MIGRATIONS[1](conn)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(mod, "MIGRATIONS", (MIGRATIONS[0], broken))
    with pytest.raises((HistoryError, sqlite3.OperationalError)):
        History(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == 1
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'fault_values'").fetchone() is None
    assert conn.execute("SELECT * FROM sessions ORDER BY id").fetchall() == before
    conn.close()
    monkeypatch.undo()
    with History(path) as hist:  # the real migration then works
        assert hist.schema_version == SCHEMA_VERSION and hist.count() == 5


def test_newer_database_is_refused_untouched(tmp_path, report_file):
    path = tmp_path / "newer.sqlite"
    with History(path) as hist:
        hist.save(
            json.loads(report_file.read_text()),
            source_name="a.mp4",
            file_sha256="0" * 64,
            width_px=1,
            height_px=1,
        )
    conn = sqlite3.connect(path)
    conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    conn.commit()
    conn.close()
    data = path.read_bytes()
    with pytest.raises(HistoryError, match="newer hipform"):
        History(path)
    assert path.read_bytes() == data


def test_sessions_saving_at_once_all_land(tmp_path, report_file):
    """Four app sessions (one connection each) saving at the same time: every save lands, once."""
    from concurrent.futures import ThreadPoolExecutor

    report = json.loads(report_file.read_text())
    db = tmp_path / "history.sqlite"
    History(db).close()

    def user(u: int) -> list[int]:
        with History(db) as hist:
            return [
                hist.save(
                    report,
                    source_name=f"user{u}-{i}.mp4",
                    file_sha256=f"{u}{i:063x}",
                    width_px=1,
                    height_px=1,
                )
                for i in range(25)
            ]

    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = [sid for got in pool.map(user, range(4)) for sid in got]
    assert len(ids) == len(set(ids)) == 100
    with History(db) as hist:
        assert hist.count() == 100
        names = {s.source_name for s in hist.list_sessions(limit=1000)}
    assert names == {f"user{u}-{i}.mp4" for u in range(4) for i in range(25)}


@pytest.mark.slow
def test_a_damaged_history_does_not_stop_the_analysis(tmp_path, monkeypatch):
    """A history file that is not a database: the clip is still analysed, with one warning."""
    from badclips import normal
    from streamlit.testing.v1 import AppTest

    home = tmp_path / "home"
    home.mkdir()
    (home / "history.sqlite").write_bytes(b"not a database, a half-copied file" * 200)
    samples = tmp_path / "no-samples"
    samples.mkdir()
    monkeypatch.setenv("HIPFORM_HOME", str(home))
    monkeypatch.setenv("HIPFORM_SAMPLES", str(samples))
    monkeypatch.delenv("HIPFORM_DB", raising=False)
    clip = normal(tmp_path)
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app.py"), default_timeout=240)
    at.run()
    at.file_uploader(key="upload").set_value((clip.name, clip.read_bytes(), "video/mp4"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == []
    assert "knee collapse" in " ".join(at.selectbox(key="flag_choice").options)  # the result is shown
    warnings = [w.value for w in at.warning]
    assert any("could not be saved" in w and "not a hipform history" in w for w in warnings), warnings
