"""What the app keeps on disk: analyses saved to History, their videos, and the clean-up of leftovers.

Annotated videos are drawn into ``<hipform home>/videos`` (:func:`hipform.settings.videos_dir`),
whatever ``$HIPFORM_DB`` says, so a history file that cannot be opened never stops an analysis.
Every file the app may later delete is one hipform made and recorded: videos are registered in
the history (:meth:`hipform.history.History.register_video`), scratch work lives in folders
marked as hipform's (:func:`hipform.webapp.media.new_scratch_folder`).
"""

from __future__ import annotations

import logging
from pathlib import Path

from hipform import settings
from hipform.analysis_job import AnalysisResult, AnalysisSettings
from hipform.errors import HistoryError
from hipform.history import History
from hipform.webapp import media

log = logging.getLogger(__name__)


def annotated_videos_dir() -> Path:
    """Where the app draws annotated videos: ``<hipform home>/videos``."""
    return settings.videos_dir()


def keep_in_history(
    result: AnalysisResult,
    *,
    file_sha256: str,
    source_name: str,
    analysis_settings: AnalysisSettings,
    origin: str,
    athlete_id: int | None = None,
) -> int | None:
    """Record one analysis in the athlete's History; the id of its session, or None when nothing was judged.

    The annotated video the analysis drew is registered as hipform's (so clean-up may remove it
    once no session shows it); a judged analysis is saved once per athlete, clip bytes and
    settings (an earlier session of the same is reused), its video copied in. ``athlete_id``
    defaults to the history's default athlete.

    Raises
    ------
    HistoryError
        The history cannot be opened or written (busy, damaged, not a file): say so, and show
        the analysis anyway.
    """
    with History() as hist:
        if result.annotated_path is not None:
            hist.register_video(result.annotated_path)
        if not result.report.movement.judged:  # nothing judged, nothing to keep
            return None
        found = hist.find(file_sha256, analysis_settings.to_dict(), athlete_id=athlete_id)
        if found is not None:
            return found
        return hist.save(
            result.report.to_dict(),
            source_name=source_name,
            file_sha256=file_sha256,
            width_px=result.video.width_px,
            height_px=result.video.height_px,
            settings=analysis_settings.to_dict(),
            origin=origin,
            annotated_video=result.annotated_path,
            athlete_id=athlete_id,
        )


def clean_up_leftovers() -> None:
    """Remove what sessions that ended part-way left behind: hipform's stale scratch folders and the
    registered videos of analyses never saved. Housekeeping only: a history that cannot be opened
    is left for the History page to explain."""
    media.remove_stale_scratch()
    try:
        with History() as hist:
            hist.remove_orphan_videos()
    except (HistoryError, OSError) as exc:
        log.info("history videos not cleaned up: %s", exc)
