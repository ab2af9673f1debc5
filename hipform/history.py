"""The local history of analyses: one SQLite file on this machine, nothing sent anywhere.

Where it lives
    ``$HIPFORM_DB`` if set, else ``$HIPFORM_HOME/history.sqlite``, where
    ``HIPFORM_HOME`` defaults to ``~/.hipform``. Annotated videos kept with a
    session are copied to ``$HIPFORM_HOME/videos/`` (:func:`hipform.settings.videos_dir`),
    never beside ``$HIPFORM_DB``; sessions saved by an older hipform keep their videos
    where they are (each session stores its video's full path).

How it stays safe
    Every write is one transaction (a session and its per-fault values are
    saved together or not at all); the journal is in WAL mode so a process
    killed mid-write leaves the last committed state. The schema carries a
    version number and is migrated forward, step by step, when it changes
    (:data:`MIGRATIONS`); a database from a newer hipform is refused rather
    than damaged. Reports are stored in the report JSON's current schema
    version: older ones are upgraded when saved and by a migration
    (:func:`hipform.report.upgrade_report_dict`).

    Opening for reading takes no write lock (a migration, when one is due, does), so
    reading works while another hipform writes; a write that waits too long for
    another one gives "busy, try again", never advice to move the file.

Athletes
    Every session (and every saved hip check) belongs to one athlete: a name or initials,
    with optional notes. Listings, trends and comparisons are per athlete, so a coach's
    athletes never share a trend. A history made before athletes existed has its sessions
    filed under one athlete, :data:`DEFAULT_ATHLETE` ("Me"); the athlete with the lowest id
    is the one used when none is named (:meth:`History.default_athlete_id`).

Correcting it
    A session can be relabelled (another movement, another athlete) and deleted, each in one
    transaction. A deleted session's kept video is removed only after the deletion is
    committed, and only when ``video_files`` lists it: a process killed in between leaves a
    listed video no session shows, which :meth:`History.remove_orphan_videos` removes.

What it deletes
    Only videos hipform wrote and registered in ``video_files`` (the name is
    registered before the file is written): a kept video when its session is
    deleted, and a registered video no session shows once it is
    :data:`ORPHAN_GRACE_S` old. Nothing is ever deleted for its age, name or
    extension alone.

Tables (schema version 6)
    ``schema_version(version)``; ``athletes(id, name, notes, created_at)``; ``sessions`` (one
    row per analysis, i.e. one set: its athlete, the movement it is filed under, clip metadata,
    settings, the report JSON, optional annotated video path, and the training log's load in kg
    or band colour and effort as RPE 1–10, each NULL until entered); ``fault_values`` (per session, fault,
    measure and side: the mean and worst value over the reps and how many reps were flagged —
    what the trend plots read); ``video_files(path, registered_at)`` (every video hipform
    wrote); ``hip_checks`` (per athlete: a guided hip check's JSON and its PDF report).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from hipform import settings
from hipform.errors import HistoryError
from hipform.kinematics.movements import REGISTRY
from hipform.overload import SetRecord, flags_of
from hipform.report import SCHEMA_VERSION as REPORT_SCHEMA_VERSION
from hipform.report import Flag, MeasureSummary, RepResult, side_label, upgrade_report_dict

ENV_DB = "HIPFORM_DB"
#: The athlete a history made before athletes existed files its sessions under.
DEFAULT_ATHLETE = "Me"
#: Longest athlete name (or initials) kept.
MAX_ATHLETE_NAME = 80

#: Seconds a write waits for another hipform's write to finish before saying the history is busy.
BUSY_TIMEOUT_S = 10.0
#: A registered video no session shows is removed only once this old: a save or an analysis
#: under way in another process registers its file first and references it moments later.
ORPHAN_GRACE_S = 3600.0


def hipform_home() -> Path:
    """Folder for hipform's local data (:func:`hipform.settings.hipform_home`)."""
    return settings.hipform_home()


def default_db_path() -> Path:
    """``$HIPFORM_DB`` if set, else ``<hipform home>/history.sqlite`` (see :mod:`hipform.settings`)."""
    return settings.history_db_path()


# --------------------------------------------------------------------------- schema
def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run ``;``-separated statements inside the caller's transaction.

    (``executescript`` would commit the open transaction first.)
    """
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _v1(conn: sqlite3.Connection) -> None:
    _run_script(
        conn,
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at TEXT NOT NULL,            -- ISO 8601, UTC
            source_name TEXT NOT NULL,           -- the clip's file name as the user knows it
            origin TEXT NOT NULL DEFAULT 'upload', -- upload, sample, webcam, cli
            file_sha256 TEXT NOT NULL,
            exercise TEXT NOT NULL,
            view TEXT NOT NULL,
            n_frames INTEGER NOT NULL,
            fps REAL NOT NULL,
            duration_s REAL NOT NULL,
            width_px INTEGER NOT NULL,
            height_px INTEGER NOT NULL,
            n_reps INTEGER NOT NULL,
            n_flags INTEGER NOT NULL,
            settings_json TEXT NOT NULL,
            report_json TEXT NOT NULL,
            annotated_path TEXT                   -- NULL when the video was not kept
        );
        CREATE INDEX sessions_exercise_time ON sessions (exercise, created_at);
        """,
    )


def _v2(conn: sqlite3.Connection) -> None:
    """Per-fault values, so trends are a query rather than a parse of every report."""
    _run_script(
        conn,
        """
        CREATE TABLE fault_values (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            fault TEXT NOT NULL,
            measure TEXT NOT NULL,
            unit TEXT NOT NULL,
            side TEXT NOT NULL,                  -- left, right or both
            n_reps INTEGER NOT NULL,
            mean_value REAL,
            worst_value REAL,
            reps_flagged INTEGER NOT NULL,
            PRIMARY KEY (session_id, fault, measure, side)
        );
        """,
    )
    for sid, report_json in conn.execute("SELECT id, report_json FROM sessions").fetchall():
        _insert_fault_values(conn, sid, json.loads(report_json))


def _v3(conn: sqlite3.Connection) -> None:
    """Reports of an older report schema (1.0.0: per-rep values as bare numbers under names that
    readers took apart) rewritten in the current one, and their trend values read again: the
    knee-inside-toes worst value, missing until then, is filled in."""
    for sid, report_json in conn.execute("SELECT id, report_json FROM sessions").fetchall():
        report = json.loads(report_json)
        if report.get("schema_version") == REPORT_SCHEMA_VERSION:
            continue
        report = upgrade_report_dict(report)
        conn.execute(
            "UPDATE sessions SET report_json = ? WHERE id = ?", (json.dumps(report, allow_nan=False), sid)
        )
        conn.execute("DELETE FROM fault_values WHERE session_id = ?", (sid,))
        _insert_fault_values(conn, sid, report)


def _v4(conn: sqlite3.Connection) -> None:
    """A register of the videos hipform wrote, so clean-up removes its own files and nothing else.

    The videos sessions already show were written by hipform (copied by :meth:`History.save`, or
    drawn by the app into the history's folder): they are registered where they are, so each
    session keeps its video and deleting the session still deletes it.
    """
    _run_script(
        conn,
        """
        CREATE TABLE video_files (
            path TEXT PRIMARY KEY,               -- absolute path of a video hipform wrote
            registered_at REAL NOT NULL          -- Unix time, taken before the file was written
        )
        """,
    )
    conn.execute(
        "INSERT OR IGNORE INTO video_files (path, registered_at) SELECT DISTINCT annotated_path, ? "
        "FROM sessions WHERE annotated_path IS NOT NULL",
        (time.time(),),
    )


def _v5(conn: sqlite3.Connection) -> None:
    """Athletes: every session belongs to one (those already saved to :data:`DEFAULT_ATHLETE`), the
    ``exercise`` column is called ``movement`` as everywhere else in hipform, and hip checks get a
    table of their own.

    SQLite cannot add a required column that refers to another table, so ``sessions`` is rebuilt
    (its rows copied with their ids, the id counter kept so no id is ever reused); the caller
    has foreign keys off meanwhile, or dropping the old table would delete every session's
    fault values with it.
    """
    _run_script(
        conn,
        """
        CREATE TABLE athletes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE, -- name or initials, as the user wrote them
            notes TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL              -- ISO 8601, UTC
        );
        CREATE TABLE sessions_v5 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            athlete_id INTEGER NOT NULL REFERENCES athletes(id),
            created_at TEXT NOT NULL,            -- ISO 8601, UTC
            source_name TEXT NOT NULL,           -- the clip's file name as the user knows it
            origin TEXT NOT NULL DEFAULT 'upload', -- upload, sample, webcam, cli
            file_sha256 TEXT NOT NULL,
            movement TEXT NOT NULL,              -- filed under (the report keeps what it was judged as)
            view TEXT NOT NULL,
            n_frames INTEGER NOT NULL,
            fps REAL NOT NULL,
            duration_s REAL NOT NULL,
            width_px INTEGER NOT NULL,
            height_px INTEGER NOT NULL,
            n_reps INTEGER NOT NULL,
            n_flags INTEGER NOT NULL,
            settings_json TEXT NOT NULL,
            report_json TEXT NOT NULL,
            annotated_path TEXT                   -- NULL when the video was not kept
        );
        CREATE TABLE hip_checks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            athlete_id INTEGER NOT NULL REFERENCES athletes(id),
            created_at TEXT NOT NULL,            -- ISO 8601, UTC
            check_json TEXT NOT NULL,            -- hipform.hip_check.HipCheck.to_dict()
            pdf BLOB                              -- its one-page report as made then (NULL if none)
        )
        """,
    )
    conn.execute(
        "INSERT INTO athletes (name, notes, created_at) VALUES (?, '', ?)",
        (DEFAULT_ATHLETE, datetime.now(timezone.utc).isoformat()),
    )
    columns = (
        "id, created_at, source_name, origin, file_sha256, {movement}, view, n_frames, fps, duration_s, "
        "width_px, height_px, n_reps, n_flags, settings_json, report_json, annotated_path"
    )
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'sessions'").fetchone()
    last_id = max(int(row[0]) if row else 0, conn.execute("SELECT MAX(id) FROM sessions").fetchone()[0] or 0)
    conn.execute(
        f"INSERT INTO sessions_v5 (athlete_id, {columns.format(movement='movement')}) "
        f"SELECT (SELECT MIN(id) FROM athletes), {columns.format(movement='exercise')} FROM sessions"
    )
    _run_script(
        conn,
        """
        DROP TABLE sessions;
        ALTER TABLE sessions_v5 RENAME TO sessions;
        CREATE INDEX sessions_athlete_movement_time ON sessions (athlete_id, movement, created_at);
        CREATE INDEX hip_checks_athlete_time ON hip_checks (athlete_id, created_at);
        DELETE FROM sqlite_sequence WHERE name = 'sessions'
        """,
    )
    conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('sessions', ?)", (last_id,))


def _v6(conn: sqlite3.Connection) -> None:
    """The training log: each session (one analysed set) may carry its load, in kilograms or as a
    resistance band's colour, and the athlete's rating of perceived effort (RPE, 1–10); sessions
    already saved have none. Stored reports of an older report schema are rewritten in the current
    one (2.2.0 added an empty fatigue-drift list; their trend values do not change)."""
    _run_script(
        conn,
        """
        ALTER TABLE sessions ADD COLUMN load_kg REAL CHECK (load_kg IS NULL OR load_kg >= 0);
        ALTER TABLE sessions ADD COLUMN band TEXT;    -- a resistance band's colour, in lower case
        ALTER TABLE sessions ADD COLUMN rpe REAL CHECK (rpe IS NULL OR rpe BETWEEN 1 AND 10)
        """,
    )
    for sid, report_json in conn.execute("SELECT id, report_json FROM sessions").fetchall():
        report = json.loads(report_json)
        if report.get("schema_version") != REPORT_SCHEMA_VERSION:
            conn.execute(
                "UPDATE sessions SET report_json = ? WHERE id = ?",
                (json.dumps(upgrade_report_dict(report), allow_nan=False), sid),
            )


#: Schema migrations: MIGRATIONS[k] takes a database from version k to k + 1.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v1, _v2, _v3, _v4, _v5, _v6)
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class Athlete:
    """A person whose analyses History keeps apart from everyone else's."""

    id: int
    name: str
    notes: str
    created_at: datetime


@dataclass(frozen=True)
class SessionSummary:
    """One saved analysis, without its report.

    ``movement`` is what the session is filed under: the movement it was judged as, unless it
    was relabelled (:meth:`History.relabel`; the report keeps what it was judged as).
    """

    id: int
    athlete_id: int
    created_at: datetime
    source_name: str
    origin: str
    movement: str
    view: str
    duration_s: float
    n_reps: int
    n_flags: int
    annotated_path: str | None
    load_kg: float | None = None
    band: str | None = None
    rpe: float | None = None


@dataclass(frozen=True)
class Session:
    """One saved analysis with its report (the JSON of ``Report.to_dict()``)."""

    summary: SessionSummary
    file_sha256: str
    width_px: int
    height_px: int
    fps: float
    n_frames: int
    settings: dict[str, Any]
    report: dict[str, Any]


@dataclass(frozen=True)
class HipCheckRecord:
    """One saved guided hip check: its JSON (``HipCheck.to_dict()``) and its PDF report, if made."""

    id: int
    athlete_id: int
    created_at: datetime
    check: dict[str, Any]
    pdf: bytes | None


@dataclass(frozen=True)
class TrendPoint:
    """One session's value of one fault measure on one side."""

    session_id: int
    created_at: datetime
    fault: str
    measure: str
    unit: str
    side: str
    mean_value: float
    worst_value: float
    n_reps: int
    reps_flagged: int


def _worst(values: list[float], direction: str) -> float | None:
    if not values:
        return None
    return min(values) if direction == "below" else max(values)


def fault_values(
    measures: Iterable[MeasureSummary], reps: Sequence[RepResult], flags: Sequence[Flag]
) -> list[dict[str, Any]]:
    """Per (fault, measure, side) values of one analysis, for the trend table.

    The mean and the number of reps come from the summary; the worst value is taken over the
    values the rule graded in the reps on that side (:meth:`RepResult.value_of`); a rep is
    flagged on a side when a flag of the measure names that side (any flag, for a whole-body
    measure).
    """
    rows: list[dict[str, Any]] = []
    for ms in measures:
        if not ms.assessed:
            continue
        for stats in ms.sides:
            if not math.isfinite(stats.mean):
                continue
            graded = [
                v.value
                for rep in reps
                if (v := rep.value_of(ms.measure, stats.side)) is not None
                and v.assessed
                and math.isfinite(v.value)
            ]
            flagged = {
                f.rep
                for f in flags
                if f.measure == ms.measure and f.rep is not None and stats.side in (None, f.side)
            }
            rows.append(
                {
                    "fault": ms.fault,
                    "measure": ms.measure,
                    "unit": ms.unit,
                    "side": side_label(stats.side),
                    "n_reps": stats.n,
                    "mean_value": stats.mean,
                    "worst_value": _worst(graded, ms.direction),
                    "reps_flagged": len(flagged),
                }
            )
    return rows


def fault_values_from_report(report: dict[str, Any]) -> list[dict[str, Any]]:
    """:func:`fault_values` of a report's JSON (``Report.to_dict()``, any schema version hipform wrote)."""
    report = upgrade_report_dict(report)
    summary = report.get("summary") or {}
    return fault_values(
        [MeasureSummary.from_dict(name, info) for name, info in (summary.get("measures") or {}).items()],
        [RepResult.from_dict(rep) for rep in report.get("reps") or []],
        [Flag.from_dict(flag) for flag in report.get("flags") or []],
    )


def _insert_fault_values(conn: sqlite3.Connection, session_id: int, report: dict[str, Any]) -> None:
    for row in fault_values_from_report(report):
        conn.execute(
            "INSERT OR REPLACE INTO fault_values (session_id, fault, measure, unit, side, n_reps, "
            "mean_value, worst_value, reps_flagged) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session_id,
                row["fault"],
                row["measure"],
                row["unit"],
                row["side"],
                row["n_reps"],
                row["mean_value"],
                row["worst_value"],
                row["reps_flagged"],
            ),
        )


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


_SUMMARY_COLS = (
    "id, athlete_id, created_at, source_name, origin, movement, view, duration_s, n_reps, n_flags, "
    "annotated_path, load_kg, band, rpe"
)
#: Longest band colour kept.
MAX_BAND_NAME = 40


def _summary(row: sqlite3.Row) -> SessionSummary:
    return SessionSummary(
        id=int(row["id"]),
        athlete_id=int(row["athlete_id"]),
        created_at=_parse_time(row["created_at"]),
        source_name=row["source_name"],
        origin=row["origin"],
        movement=row["movement"],
        view=row["view"],
        duration_s=float(row["duration_s"]),
        n_reps=int(row["n_reps"]),
        n_flags=int(row["n_flags"]),
        annotated_path=row["annotated_path"],
        load_kg=None if row["load_kg"] is None else float(row["load_kg"]),
        band=row["band"],
        rpe=None if row["rpe"] is None else float(row["rpe"]),
    )


def _training_fields(
    load_kg: float | None, band: str | None, rpe: float | None
) -> tuple[float | None, str | None, float | None]:
    """A set's load and effort checked and tidied; HistoryError saying which to fix."""
    if load_kg is not None:
        load_kg = float(load_kg)
        if not (math.isfinite(load_kg) and 0 <= load_kg <= 1000):
            raise HistoryError(f"A load must be between 0 and 1000 kg, got {load_kg:g}.")
    if band is not None:
        band = " ".join(str(band).split()).lower() or None
        if band is not None and len(band) > MAX_BAND_NAME:
            raise HistoryError(f"A band colour can be at most {MAX_BAND_NAME} characters: shorten it.")
    if rpe is not None:
        rpe = float(rpe)
        if not (math.isfinite(rpe) and 1 <= rpe <= 10):
            raise HistoryError(f"Effort (RPE) is rated from 1 to 10, got {rpe:g}.")
    return load_kg, band, rpe


#: SQLite result codes (``sqlite3.Error.sqlite_errorname``, extended codes included) of a database
#: another connection is writing to.
_BUSY_CODES = ("SQLITE_BUSY", "SQLITE_LOCKED")
#: ... of a file that cannot be opened or written where it is.
_CANNOT_WRITE_CODES = ("SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM", "SQLITE_IOERR", "SQLITE_FULL")
#: ... of a file that is not an SQLite database, or a damaged one.
_NOT_A_DATABASE_CODES = ("SQLITE_NOTADB", "SQLITE_CORRUPT")


def _error_code(exc: sqlite3.Error) -> str:
    return getattr(exc, "sqlite_errorname", "") or ""


def _database_error(path: Path, exc: sqlite3.Error) -> HistoryError:
    """One sentence for a database error: busy, cannot be opened or written here, or not a history."""
    code = _error_code(exc)
    if code.startswith(_BUSY_CODES):
        return HistoryError(
            f"The history database '{path}' is busy: another hipform is writing to it; try again in a moment."
        )
    if code.startswith(_CANNOT_WRITE_CODES):
        return HistoryError(
            f"The history database '{path}' cannot be opened or written ({exc}): set {ENV_DB} to a file "
            "in a folder you can write to."
        )
    return HistoryError(
        f"'{path}' is not a hipform history database ({exc}). Move it away or set {ENV_DB} to another file."
    )


def _is_about_the_file(exc: sqlite3.Error) -> bool:
    """A database error the user's file or another process causes (not a bug in hipform's SQL)."""
    return _error_code(exc).startswith(_BUSY_CODES + _CANNOT_WRITE_CODES + _NOT_A_DATABASE_CODES)


def _connect(path: Path, busy_timeout_s: float) -> sqlite3.Connection:
    """A connection to ``path`` (made with its folder when missing), or one sentence saying why not."""
    if path.is_dir():
        raise HistoryError(
            f"The history database '{path}' is a folder, not a file: set {ENV_DB} to a file such as "
            f"'{path / 'history.sqlite'}'."
        )
    in_the_way = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if in_the_way is not None:
        raise HistoryError(
            f"The history database '{path}' cannot be made because '{in_the_way}' is a file, not a "
            f"folder: set {ENV_DB} to a file in a folder."
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None)
    except OSError as exc:
        raise HistoryError(
            f"The history database '{path}' cannot be made ({exc.strerror or exc}): set {ENV_DB} to a "
            "file in a folder you can write to."
        ) from None
    except sqlite3.Error as exc:
        raise _database_error(path, exc) from None


def _partial(video: Path) -> Path:
    """Where a copy of ``video`` is written before it is renamed into place."""
    return video.with_suffix(".part")


def _resolved(path_text: str) -> str:
    try:
        return str(Path(path_text).resolve())
    except (OSError, RuntimeError):  # a loop of links, or a path this system cannot resolve
        return path_text


def _athlete(row: sqlite3.Row) -> Athlete:
    return Athlete(
        id=int(row["id"]), name=row["name"], notes=row["notes"], created_at=_parse_time(row["created_at"])
    )


def _athlete_name(name: str) -> str:
    """``name`` with its spaces tidied; HistoryError when it is empty or too long."""
    tidy = " ".join(str(name).split())
    if not tidy:
        raise HistoryError("An athlete needs a name or initials.")
    if len(tidy) > MAX_ATHLETE_NAME:
        raise HistoryError(f"An athlete's name can be at most {MAX_ATHLETE_NAME} characters: shorten it.")
    return tidy


def _refuse_taken_name(conn: sqlite3.Connection, name: str, but: int | None = None) -> None:
    taken = conn.execute(
        "SELECT name FROM athletes WHERE name = ? COLLATE NOCASE AND id IS NOT ?", (name, but)
    ).fetchone()
    if taken:
        raise HistoryError(
            f"There is already an athlete called '{taken[0]}': choose them, or add something to tell "
            "the two apart."
        )


def _require_athlete(conn: sqlite3.Connection, athlete_id: int) -> None:
    if conn.execute("SELECT 1 FROM athletes WHERE id = ?", (int(athlete_id),)).fetchone() is None:
        raise HistoryError(f"There is no athlete #{athlete_id} in the history: choose one from the list.")


class History:
    """The history database. Cheap to open; open one per thread (connections are not shared).

    Parameters
    ----------
    path : the SQLite file (created with its folder if missing); defaults to
        :func:`default_db_path`.
    video_dir : where kept annotated videos are copied; defaults to
        ``<hipform home>/videos`` (:func:`hipform.settings.videos_dir`).
    busy_timeout_s : how long a write waits for another hipform's write before the
        history is reported busy.

    Raises
    ------
    HistoryError
        The path cannot hold a database (a folder, under a file), the file is not a
        hipform history, was written by a newer version, or needs a migration while
        another hipform is writing to it.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        video_dir: str | Path | None = None,
        *,
        busy_timeout_s: float = BUSY_TIMEOUT_S,
    ) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        self.video_dir = Path(video_dir) if video_dir is not None else settings.videos_dir()
        self._conn = _connect(self.path, busy_timeout_s)
        self._conn.row_factory = sqlite3.Row
        try:
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            # switching to WAL needs the write lock: only a database not in WAL mode yet (a new one) asks
            if str(self._conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                self._conn.execute("PRAGMA journal_mode=WAL")
            self._migrate()
        except sqlite3.Error as exc:
            self._conn.close()
            raise _database_error(self.path, exc) from None
        except HistoryError:
            self._conn.close()
            raise

    # ---------------------------------------------------------------- plumbing
    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any error; a busy or unwritable file says so."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            if not _is_about_the_file(exc):
                raise
            raise _database_error(self.path, exc) from None

    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """The rows of one query (no write lock); a busy or damaged file says so in one sentence."""
        try:
            return self._conn.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            if not _is_about_the_file(exc):
                raise
            raise _database_error(self.path, exc) from None

    def _one(self, sql: str, args: Sequence[Any] = ()) -> sqlite3.Row | None:
        rows = self._rows(sql, args)
        return rows[0] if rows else None

    @property
    def schema_version(self) -> int:
        if not self._one("SELECT name FROM sqlite_master WHERE type='table' AND name='schema_version'"):
            return 0
        return int(self._one("SELECT MAX(version) FROM schema_version")[0] or 0)

    def _checked_schema_version(self) -> int:
        """:attr:`schema_version`; HistoryError when a newer hipform wrote the file."""
        current = self.schema_version
        if current > SCHEMA_VERSION:
            raise HistoryError(
                f"'{self.path}' was written by a newer hipform (history schema {current}, this one "
                f"reads up to {SCHEMA_VERSION}). Update hipform or set {ENV_DB} to another file."
            )
        return current

    def _migrate(self, target: int = SCHEMA_VERSION) -> None:
        """Bring the schema to ``target``; a database already there is only read (no write lock)."""
        if self._checked_schema_version() >= target:
            return
        # A migration may rebuild a table (SQLite's way to change its columns): with foreign keys
        # on, dropping the old table would cascade to the rows that refer to it. They are off for
        # the migration (the pragma is ignored inside a transaction) and checked before the commit.
        self._conn.execute("PRAGMA foreign_keys=OFF")
        try:
            with self._transaction() as conn:
                conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
                current = self._checked_schema_version()  # again under the lock: another hipform may
                for version in range(current, target):  # have migrated it meanwhile
                    try:
                        MIGRATIONS[version](conn)
                    except ValueError as exc:  # a stored report hipform cannot read: change nothing
                        raise HistoryError(
                            f"'{self.path}' holds a report this hipform cannot read ({exc}). Set "
                            f"{ENV_DB} to another file, or update hipform."
                        ) from None
                    conn.execute("DELETE FROM schema_version")
                    conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version + 1,))
                broken = conn.execute("PRAGMA foreign_key_check").fetchall()
                if broken:  # a bug in a migration: roll it all back
                    raise sqlite3.IntegrityError(f"rows refer to missing rows after migrating: {broken[:5]}")
        finally:
            self._conn.execute("PRAGMA foreign_keys=ON")

    # ---------------------------------------------------------------- videos hipform wrote
    def register_video(self, path: str | Path) -> Path:
        """Record that hipform writes the video at ``path``; returns the absolute path registered.

        Only registered videos are ever deleted (:meth:`delete`, :meth:`remove_orphan_videos`).
        Register before writing where possible, so a write killed part-way leaves a file known to
        be hipform's; registering again restarts its grace period (:data:`ORPHAN_GRACE_S`).
        """
        absolute = Path(path).resolve()
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO video_files (path, registered_at) VALUES (?, ?) "
                "ON CONFLICT (path) DO UPDATE SET registered_at = excluded.registered_at",
                (str(absolute), time.time()),
            )
        return absolute

    def _copy_video(self, source: Path, created: datetime, file_sha256: str) -> Path:
        """Copy ``source`` into :attr:`video_dir` under a new name, registered before it is written."""
        stamp = created.strftime("%Y%m%dT%H%M%S%f")
        kept = self.register_video(self.video_dir / f"{stamp}-{file_sha256[:12]}-{uuid.uuid4().hex[:8]}.mp4")
        try:
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, _partial(kept))
            os.replace(_partial(kept), kept)
        except BaseException as exc:
            self._forget_video(kept)
            if isinstance(exc, OSError):
                raise HistoryError(
                    f"The annotated video could not be kept in '{kept.parent}' ({exc.strerror or exc}): "
                    "free some disk space, or set HIPFORM_HOME to a folder you can write to."
                ) from None
            raise
        return kept

    def _forget_video(self, video: Path) -> None:
        """Delete a registered video (and its partial copy), then its registration; best effort.

        What cannot be deleted now stays registered, for :meth:`remove_orphan_videos`.
        """
        try:
            for f in (video, _partial(video)):
                f.unlink(missing_ok=True)
            with self._transaction() as conn:
                conn.execute("DELETE FROM video_files WHERE path = ?", (str(video),))
        except (OSError, HistoryError):
            pass

    def remove_orphan_videos(self, older_than_s: float = ORPHAN_GRACE_S) -> int:
        """Delete registered videos no session shows, registered over ``older_than_s`` ago; how many files.

        They are what a process killed while saving leaves (the copy or its ``.part``), or an
        analysis that was never saved. Only files in the register go, never a file for its age,
        name or extension alone; the write lock is held throughout, so a save registering a name
        right now waits for it.
        """
        cutoff = time.time() - older_than_s
        removed = 0
        with self._transaction() as conn:
            rows = conn.execute("SELECT path FROM video_files WHERE registered_at < ?", (cutoff,))
            old = [path for (path,) in rows]
            if not old:
                return 0
            rows = conn.execute("SELECT annotated_path FROM sessions WHERE annotated_path IS NOT NULL")
            shown = {_resolved(path) for (path,) in rows}
            for text in old:
                if _resolved(text) in shown:
                    continue
                try:
                    for f in (Path(text), _partial(Path(text))):
                        if f.is_file():
                            f.unlink()
                            removed += 1
                except OSError:  # not ours to delete after all, or busy: stays registered for next time
                    continue
                conn.execute("DELETE FROM video_files WHERE path = ?", (text,))
        return removed

    # ---------------------------------------------------------------- athletes
    def athletes(self) -> list[Athlete]:
        """Every athlete, by name."""
        rows = self._rows("SELECT * FROM athletes ORDER BY name COLLATE NOCASE, id")
        return [_athlete(r) for r in rows]

    def athlete(self, athlete_id: int) -> Athlete | None:
        """One athlete, or None."""
        row = self._one("SELECT * FROM athletes WHERE id = ?", (int(athlete_id),))
        return _athlete(row) if row else None

    def default_athlete_id(self) -> int:
        """The athlete used when none is named: the first one made (:data:`DEFAULT_ATHLETE` until renamed)."""
        return int(self._one("SELECT MIN(id) FROM athletes")[0])

    def add_athlete(self, name: str, notes: str = "") -> int:
        """Add an athlete; returns their id.

        Raises
        ------
        HistoryError
            The name is empty, too long, or another athlete's (case ignored).
        """
        name = _athlete_name(name)
        with self._transaction() as conn:
            _refuse_taken_name(conn, name)
            cur = conn.execute(
                "INSERT INTO athletes (name, notes, created_at) VALUES (?, ?, ?)",
                (name, notes.strip(), datetime.now(timezone.utc).isoformat()),
            )
            return int(cur.lastrowid)

    def update_athlete(self, athlete_id: int, *, name: str | None = None, notes: str | None = None) -> None:
        """Rename an athlete or change their notes (None leaves a field as it is).

        Raises
        ------
        HistoryError
            No such athlete, or the new name is empty, too long, or another athlete's.
        """
        with self._transaction() as conn:
            _require_athlete(conn, athlete_id)
            if name is not None:
                name = _athlete_name(name)
                _refuse_taken_name(conn, name, but=athlete_id)
                conn.execute("UPDATE athletes SET name = ? WHERE id = ?", (name, int(athlete_id)))
            if notes is not None:
                conn.execute("UPDATE athletes SET notes = ? WHERE id = ?", (notes.strip(), int(athlete_id)))

    def _athlete_or_default(self, athlete_id: int | None) -> int:
        return self.default_athlete_id() if athlete_id is None else int(athlete_id)

    # ---------------------------------------------------------------- writing
    def save(
        self,
        report: dict[str, Any],
        *,
        source_name: str,
        file_sha256: str,
        width_px: int,
        height_px: int,
        settings: dict[str, Any] | None = None,
        origin: str = "upload",
        annotated_video: str | Path | None = None,
        keep_video: bool = True,
        created_at: datetime | None = None,
        athlete_id: int | None = None,
        load_kg: float | None = None,
        band: str | None = None,
        rpe: float | None = None,
    ) -> int:
        """Save one analysis; returns its session id.

        Parameters
        ----------
        report : ``Report.to_dict()``; a report of an older schema version is stored upgraded.
        annotated_video : the annotated MP4; copied into :attr:`video_dir` when
            ``keep_video`` (the copy is registered first, made before the transaction and
            removed again if the transaction fails, so no orphan is left).
        created_at : when the analysis ran (default: now, UTC).
        athlete_id : whose analysis it is (default: :meth:`default_athlete_id`).
        load_kg, band, rpe : the set's load (kg, or a resistance band's colour) and effort (RPE
            1–10), for the training log; None when not given (:meth:`set_training` adds them later).

        Raises
        ------
        HistoryError
            The history is busy or cannot be written, the athlete is not in it, the video
            cannot be copied, or a load or effort is out of range.
        """
        if not isinstance(report, dict) or not ({"movement", "exercise"} & set(report)):
            raise TypeError("report must be the dict of Report.to_dict()")
        training = _training_fields(load_kg, band, rpe)
        report = upgrade_report_dict(report)
        clip = report.get("clip") or {}
        created = (created_at or datetime.now(timezone.utc)).astimezone(timezone.utc)
        athlete_id = self._athlete_or_default(athlete_id)
        kept: Path | None = None
        if keep_video and annotated_video is not None and Path(annotated_video).is_file():
            kept = self._copy_video(Path(annotated_video), created, file_sha256)
        try:
            with self._transaction() as conn:
                _require_athlete(conn, athlete_id)
                cur = conn.execute(
                    "INSERT INTO sessions (athlete_id, created_at, source_name, origin, file_sha256, "
                    "movement, view, n_frames, fps, duration_s, width_px, height_px, n_reps, n_flags, "
                    "settings_json, report_json, annotated_path, load_kg, band, rpe) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        athlete_id,
                        created.isoformat(),
                        source_name,
                        origin,
                        file_sha256,
                        report["movement"]["name"],
                        report.get("view", "unknown"),
                        int(clip.get("n_frames") or 0),
                        float(clip.get("fps") or 0.0),
                        float(clip.get("duration_s") or 0.0),
                        int(width_px),
                        int(height_px),
                        len(report.get("reps") or []),
                        len(report.get("flags") or []),
                        json.dumps(settings or {}, sort_keys=True),
                        json.dumps(report, allow_nan=False),
                        str(kept) if kept else None,
                        *training,
                    ),
                )
                session_id = int(cur.lastrowid)
                _insert_fault_values(conn, session_id, report)
        except BaseException:
            if kept is not None:
                self._forget_video(kept)
            raise
        return session_id

    def find(
        self, file_sha256: str, settings: dict[str, Any] | None = None, athlete_id: int | None = None
    ) -> int | None:
        """Id of the athlete's newest session of the same clip bytes and settings, or None.

        ``athlete_id`` defaults to :meth:`default_athlete_id`.
        """
        row = self._one(
            "SELECT id FROM sessions WHERE file_sha256 = ? AND settings_json = ? AND athlete_id = ? "
            "ORDER BY id DESC LIMIT 1",
            (file_sha256, json.dumps(settings or {}, sort_keys=True), self._athlete_or_default(athlete_id)),
        )
        return int(row["id"]) if row else None

    def relabel(self, session_id: int, *, movement: str | None = None, athlete_id: int | None = None) -> bool:
        """File a session under another movement and/or another athlete, in one transaction.

        The report and its measures stay as they were judged (relabelling does not judge the clip
        again); the session moves to the other movement's trend, or to the other athlete's
        sessions. None leaves that label as it is. False when there is no such session.

        Raises
        ------
        HistoryError
            ``movement`` is not one of hipform's movements, or the athlete is not in the history.
        """
        if movement is not None and movement not in REGISTRY:
            raise HistoryError(
                f"'{movement}' is not a movement hipform knows: choose one of {', '.join(REGISTRY)}."
            )
        with self._transaction() as conn:
            if conn.execute("SELECT 1 FROM sessions WHERE id = ?", (int(session_id),)).fetchone() is None:
                return False
            if athlete_id is not None:
                _require_athlete(conn, athlete_id)
            conn.execute(
                "UPDATE sessions SET movement = COALESCE(?, movement), athlete_id = COALESCE(?, athlete_id) "
                "WHERE id = ?",
                (movement, None if athlete_id is None else int(athlete_id), int(session_id)),
            )
        return True

    def set_training(
        self,
        session_id: int,
        *,
        load_kg: float | None = None,
        band: str | None = None,
        rpe: float | None = None,
    ) -> bool:
        """Record a set's load (kg, or a band colour) and effort (RPE 1–10); None clears a field.
        False when there is no such session.

        Raises
        ------
        HistoryError
            A load or effort out of range, or the history is busy or cannot be written.
        """
        fields = _training_fields(load_kg, band, rpe)
        with self._transaction() as conn:
            cur = conn.execute(
                "UPDATE sessions SET load_kg = ?, band = ?, rpe = ? WHERE id = ?", (*fields, int(session_id))
            )
            return cur.rowcount > 0

    def delete(self, session_id: int) -> bool:
        """Delete a session with its fault values in one transaction, then its kept video; False when
        there was none.

        The video goes only once the deletion is committed, and only when hipform listed it in
        ``video_files`` and no other session shows it. A process killed before the commit leaves
        the session whole (row, values, video); killed after it, a listed video no session shows,
        which :meth:`remove_orphan_videos` removes.
        """
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT annotated_path FROM sessions WHERE id = ?", (int(session_id),)
            ).fetchone()
            if row is None:
                return False
            conn.execute("DELETE FROM sessions WHERE id = ?", (int(session_id),))  # fault values cascade
            video = row["annotated_path"]
            removable = bool(
                video
                and conn.execute("SELECT 1 FROM video_files WHERE path = ?", (video,)).fetchone()
                and not conn.execute(
                    "SELECT 1 FROM sessions WHERE annotated_path = ? LIMIT 1", (video,)
                ).fetchone()
            )
        if removable:  # never a file hipform did not write
            self._forget_video(Path(video))
        return True

    # ---------------------------------------------------------------- hip checks
    def save_check(
        self,
        check: dict[str, Any],
        *,
        pdf: bytes | None = None,
        athlete_id: int | None = None,
        created_at: datetime | None = None,
    ) -> int:
        """Save a guided hip check (``HipCheck.to_dict()``) and its PDF report; returns its id.

        Raises
        ------
        HistoryError
            The history is busy or cannot be written, or the athlete is not in it.
        """
        if not isinstance(check, dict) or check.get("kind") != "hipform hip check":
            raise TypeError("check must be the dict of HipCheck.to_dict()")
        created = (created_at or datetime.now(timezone.utc)).astimezone(timezone.utc)
        athlete_id = self._athlete_or_default(athlete_id)
        with self._transaction() as conn:
            _require_athlete(conn, athlete_id)
            cur = conn.execute(
                "INSERT INTO hip_checks (athlete_id, created_at, check_json, pdf) VALUES (?, ?, ?, ?)",
                (athlete_id, created.isoformat(), json.dumps(check, allow_nan=False), pdf),
            )
            return int(cur.lastrowid)

    def hip_checks(self, athlete_id: int | None = None) -> list[HipCheckRecord]:
        """An athlete's saved hip checks (default: :meth:`default_athlete_id`), newest first."""
        rows = self._rows(
            "SELECT * FROM hip_checks WHERE athlete_id = ? ORDER BY created_at DESC, id DESC",
            (self._athlete_or_default(athlete_id),),
        )
        return [
            HipCheckRecord(
                id=int(r["id"]),
                athlete_id=int(r["athlete_id"]),
                created_at=_parse_time(r["created_at"]),
                check=json.loads(r["check_json"]),
                pdf=bytes(r["pdf"]) if r["pdf"] is not None else None,
            )
            for r in rows
        ]

    def delete_check(self, check_id: int) -> bool:
        """Delete a saved hip check; False when there was none."""
        with self._transaction() as conn:
            return conn.execute("DELETE FROM hip_checks WHERE id = ?", (int(check_id),)).rowcount > 0

    # ---------------------------------------------------------------- reading
    def list_sessions(
        self, movement: str | None = None, limit: int = 500, *, athlete_id: int | None = None
    ) -> list[SessionSummary]:
        """An athlete's sessions (default: :meth:`default_athlete_id`), newest first; optionally one
        movement only."""
        sql = f"SELECT {_SUMMARY_COLS} FROM sessions WHERE athlete_id = ?"
        args: list[Any] = [self._athlete_or_default(athlete_id)]
        if movement is not None:
            sql += " AND movement = ?"
            args.append(movement)
        sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
        args.append(int(limit))
        return [_summary(r) for r in self._rows(sql, args)]

    def movements(self, athlete_id: int | None = None) -> list[str]:
        """Movements the athlete (default: :meth:`default_athlete_id`) has sessions of, most first."""
        rows = self._rows(
            "SELECT movement, COUNT(*) AS n FROM sessions WHERE athlete_id = ? GROUP BY movement "
            "ORDER BY n DESC, movement",
            (self._athlete_or_default(athlete_id),),
        )
        return [r["movement"] for r in rows]

    def get(self, session_id: int) -> Session | None:
        """One session with its report, or None."""
        row = self._one("SELECT * FROM sessions WHERE id = ?", (int(session_id),))
        if row is None:
            return None
        return Session(
            summary=_summary(row),
            file_sha256=row["file_sha256"],
            width_px=int(row["width_px"]),
            height_px=int(row["height_px"]),
            fps=float(row["fps"]),
            n_frames=int(row["n_frames"]),
            settings=json.loads(row["settings_json"]),
            report=json.loads(row["report_json"]),
        )

    def compare(self, id_a: int, id_b: int) -> list[dict[str, Any]]:
        """Side-by-side rows of two sessions: one per (fault, measure, side) in either.

        Each row has ``fault``, ``measure``, ``unit``, ``side``, and for ``a`` and
        ``b``: ``mean``, ``worst``, ``reps_flagged`` (None where the session does
        not have that measure), plus ``change`` = b − a of the means.
        """
        rows = self._rows(
            "SELECT * FROM fault_values WHERE session_id IN (?, ?) ORDER BY fault, measure, side",
            (int(id_a), int(id_b)),
        )
        merged: dict[tuple[str, str, str], dict[str, Any]] = {}
        for r in rows:
            key = (r["fault"], r["measure"], r["side"])
            entry = merged.setdefault(
                key,
                {
                    "fault": r["fault"],
                    "measure": r["measure"],
                    "unit": r["unit"],
                    "side": r["side"],
                    "a": None,
                    "b": None,
                    "change": None,
                },
            )
            which = "a" if r["session_id"] == int(id_a) else "b"
            entry[which] = {
                "mean": r["mean_value"],
                "worst": r["worst_value"],
                "reps_flagged": r["reps_flagged"],
            }
        for entry in merged.values():
            if (
                entry["a"]
                and entry["b"]
                and entry["a"]["mean"] is not None
                and entry["b"]["mean"] is not None
            ):
                entry["change"] = entry["b"]["mean"] - entry["a"]["mean"]
        return list(merged.values())

    def trend(self, movement: str, athlete_id: int | None = None) -> list[TrendPoint]:
        """Every fault measure of one movement over one athlete's sessions (default:
        :meth:`default_athlete_id`), oldest first."""
        return self._trend_points(
            "s.movement = ? AND s.athlete_id = ?", (movement, self._athlete_or_default(athlete_id))
        )

    def training_sets(self, movement: str | None = None, athlete_id: int | None = None) -> list[SetRecord]:
        """An athlete's analysed sets (default: :meth:`default_athlete_id`) for the training log, oldest
        first, optionally of one movement: each with its load, effort and flags by severity."""
        sql = (
            f"SELECT {_SUMMARY_COLS}, json_extract(report_json, '$.flags') AS flags FROM sessions "
            "WHERE athlete_id = ?"
        )
        args: list[Any] = [self._athlete_or_default(athlete_id)]
        if movement is not None:
            sql += " AND movement = ?"
            args.append(movement)
        out = []
        for row in self._rows(sql + " ORDER BY created_at, id", args):
            s = _summary(row)
            marked, mild = flags_of({"flags": json.loads(row["flags"] or "[]")})
            out.append(
                SetRecord(s.id, s.created_at, s.movement, s.n_reps, s.load_kg, s.band, s.rpe, marked, mild)
            )
        return out

    def session_values(self, session_id: int) -> list[TrendPoint]:
        """One session's fault measures (its points on the trend)."""
        return self._trend_points("s.id = ?", (int(session_id),))

    def _trend_points(self, where: str, args: Sequence[Any]) -> list[TrendPoint]:
        rows = self._rows(
            "SELECT s.id, s.created_at, v.* FROM fault_values v JOIN sessions s ON s.id = v.session_id "
            f"WHERE {where} ORDER BY s.created_at, s.id, v.fault, v.measure, v.side",
            args,
        )
        return [
            TrendPoint(
                session_id=int(r["session_id"]),
                created_at=_parse_time(r["created_at"]),
                fault=r["fault"],
                measure=r["measure"],
                unit=r["unit"],
                side=r["side"],
                mean_value=float(r["mean_value"]) if r["mean_value"] is not None else float("nan"),
                worst_value=float(r["worst_value"]) if r["worst_value"] is not None else float("nan"),
                n_reps=int(r["n_reps"]),
                reps_flagged=int(r["reps_flagged"]),
            )
            for r in rows
        ]

    def count(self, athlete_id: int | None = None) -> int:
        """How many sessions the history holds: every athlete's, or one athlete's when given."""
        if athlete_id is None:
            return int(self._one("SELECT COUNT(*) FROM sessions")[0])
        return int(self._one("SELECT COUNT(*) FROM sessions WHERE athlete_id = ?", (int(athlete_id),))[0])
