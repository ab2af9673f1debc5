"""One athlete's history as a ZIP, for a physio or a clinic system: made on this computer, when asked.

Nothing is sent anywhere: the app offers the ZIP as a download (it is made when the button is
clicked) and :func:`write_athlete_zip` writes it to a file, whole or not at all.

Inside, under one folder ``hipform-<athlete>-<date>/``:

``manifest.json``
    who (the athlete's name or initials; their notes stay on this computer), when it was made,
    and every session and hip check with the files that hold them; each session with its set's
    load (``load_kg``, or a resistance ``band``'s colour) and effort (``rpe``, 1–10), null
    where none was entered (History schema 6, the training log).
``measures.csv``
    one row per session, fault measure and side: when, the movement it is filed under and the
    one it was judged as, the view, the clip, the set's load (kg or band colour) and effort
    (RPE), and the mean and worst value over the reps with how many reps were flagged (what
    History's trends plot).
``reports/<date>-session-<id>-<movement>.json``
    each session's report (``Report.to_dict()``, docs/report-schema.md).
``hip-checks/<date>-hip-check-<id>.json`` and ``.pdf``
    each saved guided hip check (``HipCheck.to_dict()``) and its one-page report, when one was
    made (:meth:`hipform.history.History.save_check`).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from hipform import __version__
from hipform.errors import HistoryError
from hipform.history import Athlete, History
from hipform.safe_write import write_whole

#: Version of the ZIP's layout and of ``manifest.json`` (1.1.0: each set's load and effort).
EXPORT_VERSION = "1.1.0"
#: The columns of ``measures.csv``.
MEASURE_COLUMNS = (
    "session_id",
    "created_at",
    "movement",
    "judged_as",
    "view",
    "clip",
    "load_kg",
    "band",
    "rpe",
    "fault",
    "measure",
    "unit",
    "side",
    "n_reps",
    "mean_value",
    "worst_value",
    "reps_flagged",
)


def _slug(text: str, default: str) -> str:
    """``text`` as plain ASCII letters, digits and dashes (names a clinic system's import accepts)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()[:40] or default


def zip_name(athlete: Athlete, when: datetime) -> str:
    """The ZIP's file name (and its folder's, without ``.zip``): ``hipform-<athlete>-<YYYYMMDD>.zip``."""
    return f"hipform-{_slug(athlete.name, f'athlete-{athlete.id}')}-{when:%Y%m%d}.zip"


def _number(value: float | None) -> str:
    return "" if value is None or not math.isfinite(value) else repr(float(value))


def _zip_time(when: datetime) -> tuple[int, int, int, int, int, int]:
    """A ZIP entry's time (UTC; a ZIP cannot hold times before 1980)."""
    return max(when, datetime(1980, 1, 1, tzinfo=timezone.utc)).astimezone(timezone.utc).timetuple()[:6]


def athlete_zip(hist: History, athlete_id: int, now: datetime | None = None) -> bytes:
    """The athlete's ZIP (layout in the module's docstring).

    Raises
    ------
    HistoryError
        No such athlete, or the history cannot be read.
    """
    athlete = hist.athlete(athlete_id)
    if athlete is None:
        raise HistoryError(f"There is no athlete #{athlete_id} in the history: choose one from the list.")
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    folder = zip_name(athlete, now).removesuffix(".zip")
    sessions = hist.list_sessions(athlete_id=athlete.id, limit=hist.count(athlete.id))
    manifest: dict[str, Any] = {
        "kind": "hipform athlete export",
        "export_version": EXPORT_VERSION,
        "made_by": f"hipform {__version__}",
        "exported_at": now.isoformat(timespec="seconds"),
        "athlete": {"name": athlete.name},
        "sessions": [],
        "hip_checks": [],
    }
    measures = io.StringIO()
    table = csv.writer(measures, lineterminator="\n")
    table.writerow(MEASURE_COLUMNS)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def add(name: str, data: str | bytes, when: datetime) -> str:
            archive.writestr(zipfile.ZipInfo(f"{folder}/{name}", _zip_time(when)), data, zipfile.ZIP_DEFLATED)
            return name

        for summary in reversed(sessions):  # oldest first, as a record is read
            session = hist.get(summary.id)
            judged_as = session.report["movement"]["name"]
            report_name = add(
                f"reports/{summary.created_at:%Y-%m-%d}-session-{summary.id}-{summary.movement}.json",
                json.dumps(session.report, indent=2, ensure_ascii=False, allow_nan=False) + "\n",
                summary.created_at,
            )
            manifest["sessions"].append(
                {
                    "id": summary.id,
                    "created_at": summary.created_at.isoformat(timespec="seconds"),
                    "movement": summary.movement,
                    "judged_as": judged_as,
                    "view": summary.view,
                    "clip": summary.source_name,
                    "origin": summary.origin,
                    "reps": summary.n_reps,
                    "flags": summary.n_flags,
                    "load_kg": summary.load_kg,
                    "band": summary.band,
                    "rpe": summary.rpe,
                    "report": report_name,
                }
            )
            for p in hist.session_values(summary.id):
                table.writerow(
                    (summary.id, summary.created_at.isoformat(timespec="seconds"), summary.movement)
                    + (judged_as, summary.view, summary.source_name)
                    + (_number(summary.load_kg), summary.band or "", _number(summary.rpe))
                    + (p.fault, p.measure, p.unit, p.side)
                    + (p.n_reps, _number(p.mean_value), _number(p.worst_value), p.reps_flagged)
                )
        for check in reversed(hist.hip_checks(athlete.id)):
            stem = f"hip-checks/{check.created_at:%Y-%m-%d}-hip-check-{check.id}"
            entry = {
                "id": check.id,
                "created_at": check.created_at.isoformat(timespec="seconds"),
                "json": add(
                    f"{stem}.json",
                    json.dumps(check.check, indent=2, ensure_ascii=False) + "\n",
                    check.created_at,
                ),
                "pdf": add(f"{stem}.pdf", check.pdf, check.created_at) if check.pdf else None,
            }
            manifest["hip_checks"].append(entry)
        add("measures.csv", measures.getvalue(), now)
        add("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", now)
    return buffer.getvalue()


def write_athlete_zip(hist: History, athlete_id: int, path: str | Path) -> Path:
    """Write the athlete's ZIP to ``path``, whole or not at all (a temporary file renamed into place).

    Raises
    ------
    HistoryError
        No such athlete, or the history cannot be read.
    OutputWriteError
        The file cannot be written (full disk, no permission, missing folder): one sentence, exit 9.
    """
    data = athlete_zip(hist, athlete_id)
    return write_whole(path, lambda partial: Path(partial).write_bytes(data))
