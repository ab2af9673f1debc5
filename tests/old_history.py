"""Histories as older hipforms left them, for the migration tests.

:data:`V4_RELEASE` was written by the last release without athletes (history schema 4) through
its own code (``tests/data/make_history_v4.py``). :func:`old_history` makes a history of any
earlier schema with that schema's own migrations (``MIGRATIONS[:version]``: they never change
once released) and the ``INSERT`` hipform ran then.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from hipform.history import MIGRATIONS, _insert_fault_values

V4_RELEASE = Path(__file__).resolve().parent / "data" / "history-v4.sqlite"


def copy_v4_release(db: Path, video: Path) -> tuple[Path, list[tuple]]:
    """:data:`V4_RELEASE` copied to ``db``, its kept video moved to ``video`` (made there); returns
    the old video path and the rows of its ``sessions`` table as they were before that."""
    shutil.copyfile(V4_RELEASE, db)
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT * FROM sessions ORDER BY id").fetchall()
        (old,) = conn.execute("SELECT path FROM video_files").fetchone()
        # a path on the machine that made the file: point it at the test's folder
        conn.execute("UPDATE sessions SET annotated_path = ? WHERE annotated_path = ?", (str(video), old))
        conn.execute("UPDATE video_files SET path = ?", (str(video),))
        conn.commit()
    finally:
        conn.close()
    video.parent.mkdir(parents=True, exist_ok=True)
    video.write_bytes(b"the kept video of session 1")
    return Path(old), rows


def old_history(db: Path, version: int, report: dict, video: Path | None = None) -> int:
    """A history of schema ``version`` (1 to 5) holding ``report`` once, its kept video ``video``
    (listed in ``video_files`` from schema 4 on); returns the session's id."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for migrate in MIGRATIONS[:version]:
            migrate(conn)
        conn.execute("INSERT INTO schema_version VALUES (?)", (version,))
        # schema 5 filed sessions under an athlete and called the movement column movement
        athlete = ("athlete_id, ", "(SELECT MIN(id) FROM athletes), ") if version >= 5 else ("", "")
        movement = "movement" if version >= 5 else "exercise"
        cur = conn.execute(
            f"INSERT INTO sessions ({athlete[0]}created_at, source_name, origin, file_sha256, {movement}, "
            "view, n_frames, "
            "fps, duration_s, width_px, height_px, n_reps, n_flags, settings_json, report_json, "
            f"annotated_path) VALUES ({athlete[1]}'2026-03-01T09:00:00+00:00', 'old.mp4', 'upload', ?, ?, "
            "'front', "
            "300, 30, 10, 720, 1280, ?, ?, '{}', ?, ?)",
            (
                "0" * 64,
                report["movement"]["name"],
                len(report["reps"]),
                len(report["flags"]),
                json.dumps(report),
                None if video is None else str(video),
            ),
        )
        if version >= 2:
            _insert_fault_values(conn, cur.lastrowid, report)
        if version >= 4 and video is not None:
            conn.execute("INSERT INTO video_files VALUES (?, 0)", (str(video),))
        conn.commit()
        return int(cur.lastrowid)
    finally:
        conn.close()
