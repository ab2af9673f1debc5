"""The local history of analyses: one SQLite file on this machine, nothing sent anywhere.

Where it lives
    ``$HIPFORM_DB`` if set, else ``$HIPFORM_HOME/history.sqlite``, where
    ``HIPFORM_HOME`` defaults to ``~/.hipform``. Annotated videos kept with a
    session are copied to ``$HIPFORM_HOME/videos/``.

How it stays safe
    Every write is one transaction (a session and its per-fault values are
    saved together or not at all); the journal is in WAL mode so a process
    killed mid-write leaves the last committed state. The schema carries a
    version number and is migrated forward, step by step, when it changes
    (:data:`MIGRATIONS`); a database from a newer hipform is refused rather
    than damaged. Reports are stored in the report JSON's current schema
    version: older ones are upgraded when saved and by a migration
    (:func:`hipform.report.upgrade_report_dict`).

Tables (schema version 3)
    ``schema_version(version)``; ``sessions`` (one row per analysis: clip
    metadata, settings, the report JSON, optional annotated video path);
    ``fault_values`` (per session, fault, measure and side: the mean and worst
    value over the reps and how many reps were flagged — what the trend plots
    read).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from hipform import settings
from hipform.errors import HistoryError
from hipform.report import SCHEMA_VERSION as REPORT_SCHEMA_VERSION
from hipform.report import Flag, MeasureSummary, RepResult, side_label, upgrade_report_dict

ENV_DB = "HIPFORM_DB"


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


#: Schema migrations: MIGRATIONS[k] takes a database from version k to k + 1.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v1, _v2, _v3)
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class SessionSummary:
    """One saved analysis, without its report."""

    id: int
    created_at: datetime
    source_name: str
    origin: str
    exercise: str
    view: str
    duration_s: float
    n_reps: int
    n_flags: int
    annotated_path: str | None


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
    "id, created_at, source_name, origin, exercise, view, duration_s, n_reps, n_flags, annotated_path"
)


def _summary(row: sqlite3.Row) -> SessionSummary:
    return SessionSummary(
        id=int(row["id"]),
        created_at=_parse_time(row["created_at"]),
        source_name=row["source_name"],
        origin=row["origin"],
        exercise=row["exercise"],
        view=row["view"],
        duration_s=float(row["duration_s"]),
        n_reps=int(row["n_reps"]),
        n_flags=int(row["n_flags"]),
        annotated_path=row["annotated_path"],
    )


class History:
    """The history database. Cheap to open; open one per thread (connections are not shared).

    Parameters
    ----------
    path : the SQLite file (created with its folder if missing); defaults to
        :func:`default_db_path`.
    video_dir : where kept annotated videos are copied; defaults to
        ``<folder of the database>/videos``.

    Raises
    ------
    HistoryError
        The file is not a hipform history or was written by a newer version.
    """

    def __init__(self, path: str | Path | None = None, video_dir: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        self.video_dir = Path(video_dir) if video_dir is not None else self.path.parent / "videos"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        try:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise HistoryError(
                f"'{self.path}' is not a hipform history database ({exc}). Move it away or set {ENV_DB} "
                "to another file."
            ) from None
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
        """BEGIN IMMEDIATE … COMMIT, rolled back on any error."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    @property
    def schema_version(self) -> int:
        has = self._conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name='schema_version'"
        ).fetchone()
        if not has:
            return 0
        row = self._conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    def _migrate(self, target: int = SCHEMA_VERSION) -> None:
        with self._transaction() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            current = self.schema_version
            if current > SCHEMA_VERSION:
                raise HistoryError(
                    f"'{self.path}' was written by a newer hipform (history schema {current}, this one "
                    f"reads up to {SCHEMA_VERSION}). Update hipform or set {ENV_DB} to another file."
                )
            for version in range(current, target):
                try:
                    MIGRATIONS[version](conn)
                except ValueError as exc:  # a stored report hipform cannot read: change nothing
                    raise HistoryError(
                        f"'{self.path}' holds a report this hipform cannot read ({exc}). Set {ENV_DB} "
                        "to another file, or update hipform."
                    ) from None
                conn.execute("DELETE FROM schema_version")
                conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version + 1,))

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
    ) -> int:
        """Save one analysis; returns its session id.

        Parameters
        ----------
        report : ``Report.to_dict()``; a report of an older schema version is stored upgraded.
        annotated_video : the annotated MP4; copied into :attr:`video_dir` when
            ``keep_video`` (the copy is made before the transaction and removed
            again if the transaction fails, so no orphan is left).
        created_at : when the analysis ran (default: now, UTC).
        """
        if not isinstance(report, dict) or not ({"movement", "exercise"} & set(report)):
            raise TypeError("report must be the dict of Report.to_dict()")
        report = upgrade_report_dict(report)
        clip = report.get("clip") or {}
        created = (created_at or datetime.now(timezone.utc)).astimezone(timezone.utc)
        kept: Path | None = None
        copied = False
        if keep_video and annotated_video is not None and Path(annotated_video).is_file():
            source = Path(annotated_video).resolve()
            if source.parent == self.video_dir.resolve():
                kept = source  # already in the history's folder: reference it
            else:
                self.video_dir.mkdir(parents=True, exist_ok=True)
                stamp = created.strftime("%Y%m%dT%H%M%S%f")
                kept = self.video_dir / f"{stamp}-{file_sha256[:12]}.mp4"
                shutil.copyfile(source, kept.with_suffix(".part"))
                os.replace(kept.with_suffix(".part"), kept)
                copied = True
        try:
            with self._transaction() as conn:
                cur = conn.execute(
                    "INSERT INTO sessions (created_at, source_name, origin, file_sha256, exercise, view, "
                    "n_frames, fps, duration_s, width_px, height_px, n_reps, n_flags, settings_json, "
                    "report_json, annotated_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
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
                    ),
                )
                session_id = int(cur.lastrowid)
                _insert_fault_values(conn, session_id, report)
        except BaseException:
            if copied and kept is not None:
                kept.unlink(missing_ok=True)
            raise
        return session_id

    def remove_orphan_videos(self, older_than_s: float = 3600.0) -> int:
        """Delete videos in :attr:`video_dir` that no session references; how many.

        A process killed while saving can leave the copy it was making (``.part``) or a
        copy whose session was never committed. Only files untouched for ``older_than_s``
        go: a save in progress in another process is younger than that.
        """
        if not self.video_dir.is_dir():
            return 0
        rows = self._conn.execute("SELECT annotated_path FROM sessions WHERE annotated_path IS NOT NULL")
        referenced = {Path(path).resolve() for (path,) in rows}
        cutoff = time.time() - older_than_s
        removed = 0
        for f in self.video_dir.iterdir():
            try:
                if f.suffix not in (".mp4", ".part") or not f.is_file() or f.resolve() in referenced:
                    continue
                if f.stat().st_mtime < cutoff:
                    f.unlink()
                    removed += 1
            except OSError:  # gone meanwhile, or not ours to delete: left as it is
                continue
        return removed

    def find(self, file_sha256: str, settings: dict[str, Any] | None = None) -> int | None:
        """Id of the newest session of the same clip bytes analysed with the same settings, or None."""
        row = self._conn.execute(
            "SELECT id FROM sessions WHERE file_sha256 = ? AND settings_json = ? ORDER BY id DESC LIMIT 1",
            (file_sha256, json.dumps(settings or {}, sort_keys=True)),
        ).fetchone()
        return int(row["id"]) if row else None

    def delete(self, session_id: int) -> bool:
        """Delete a session (and its kept video); False when there was none."""
        row = self._conn.execute("SELECT annotated_path FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            return False
        with self._transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        path_text = row["annotated_path"]
        if path_text:
            path = Path(path_text)
            still_used = self._conn.execute(
                "SELECT 1 FROM sessions WHERE annotated_path = ? LIMIT 1", (path_text,)
            ).fetchone()
            # never delete files hipform did not put there, nor one another session still shows
            if path.parent.resolve() == self.video_dir.resolve() and not still_used:
                path.unlink(missing_ok=True)
        return True

    # ---------------------------------------------------------------- reading
    def list_sessions(self, exercise: str | None = None, limit: int = 500) -> list[SessionSummary]:
        """Saved sessions, newest first (optionally one movement only)."""
        sql = f"SELECT {_SUMMARY_COLS} FROM sessions"
        args: list[Any] = []
        if exercise is not None:
            sql += " WHERE exercise = ?"
            args.append(exercise)
        sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
        args.append(int(limit))
        return [_summary(r) for r in self._conn.execute(sql, args).fetchall()]

    def exercises(self) -> list[str]:
        """Movements with at least one saved session, most sessions first."""
        rows = self._conn.execute(
            "SELECT exercise, COUNT(*) AS n FROM sessions GROUP BY exercise ORDER BY n DESC, exercise"
        ).fetchall()
        return [r["exercise"] for r in rows]

    def get(self, session_id: int) -> Session | None:
        """One session with its report, or None."""
        row = self._conn.execute("SELECT * FROM sessions WHERE id = ?", (int(session_id),)).fetchone()
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
        rows = self._conn.execute(
            "SELECT * FROM fault_values WHERE session_id IN (?, ?) ORDER BY fault, measure, side",
            (int(id_a), int(id_b)),
        ).fetchall()
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

    def trend(self, exercise: str) -> list[TrendPoint]:
        """Every fault measure of one movement over time, oldest first."""
        rows = self._conn.execute(
            "SELECT s.id, s.created_at, v.* FROM fault_values v JOIN sessions s ON s.id = v.session_id "
            "WHERE s.exercise = ? ORDER BY s.created_at, s.id, v.fault, v.measure, v.side",
            (exercise,),
        ).fetchall()
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

    def count(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0])
