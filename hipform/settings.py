"""hipform's settings from the environment: every variable hipform reads, read here only.

============================  ==========================================================
variable                      what it sets
============================  ==========================================================
``HIPFORM_HOME``              folder for hipform's own data (history, kept videos, cache,
                              scratch); default ``~/.hipform``
``HIPFORM_DB``                the history database file; default
                              ``$HIPFORM_HOME/history.sqlite``
``HIPFORM_CACHE_DIR``         the landmark cache folder; default ``$HIPFORM_HOME/cache``,
                              else ``$XDG_CACHE_HOME/hipform``, else ``~/.cache/hipform``
``HIPFORM_NO_CACHE``          any value but ``0``: never read or write the landmark cache
``HIPFORM_SAMPLES``           folder of sample clips the app offers; default the
                              repository's ``sample_videos/``
``HIPFORM_DEBUG``             any value: show tracebacks instead of one-sentence errors
``HIPFORM_ICE_SERVERS``       JSON list of STUN/TURN servers for the live page
``HIPFORM_MAX_UPLOAD_MB``     largest clip accepted, MB
``HIPFORM_MAX_CLIP_S``        longest clip accepted, seconds
``HIPFORM_MAX_SIDE_PX``       largest frame side accepted, pixels
``HIPFORM_MAX_FRAMES``        most frames accepted
``HIPFORM_POSE_WORKERS``      processes that run the pose model on one clip, each on a
                              stretch of it; default 1 (``--workers`` on ``analyse`` and
                              ``pose`` overrides it; see docs/performance.md)
============================  ==========================================================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from hipform.errors import HipformError

#: Every environment variable hipform reads, with what it sets.
SETTINGS = {
    "HIPFORM_HOME": "folder for hipform's own data (history, kept videos, cache, scratch)",
    "HIPFORM_DB": "the history database file",
    "HIPFORM_CACHE_DIR": "the landmark cache folder",
    "HIPFORM_NO_CACHE": "never read or write the landmark cache",
    "HIPFORM_SAMPLES": "folder of sample clips the app offers",
    "HIPFORM_DEBUG": "show tracebacks instead of one-sentence errors",
    "HIPFORM_ICE_SERVERS": "STUN/TURN servers for the live page (JSON)",
    "HIPFORM_MAX_UPLOAD_MB": "largest clip accepted, MB",
    "HIPFORM_MAX_CLIP_S": "longest clip accepted, seconds",
    "HIPFORM_MAX_SIDE_PX": "largest frame side accepted, pixels",
    "HIPFORM_MAX_FRAMES": "most frames accepted",
    "HIPFORM_POSE_WORKERS": "processes that run the pose model on one clip (default: 1)",
}


class SettingError(HipformError, ValueError):
    """A setting in the environment has a value hipform cannot use (exit code 2: wrong usage)."""

    exit_code = 2


def read(name: str, environ: Mapping[str, str] | None = None) -> str:
    """The value of the setting ``name`` with surrounding blanks removed ("" when unset).

    Raises
    ------
    KeyError
        ``name`` is not one of :data:`SETTINGS` (a misspelt setting is a bug, not "unset").
    """
    if name not in SETTINGS:
        raise KeyError(f"{name} is not a hipform setting; known: {', '.join(SETTINGS)}")
    env = os.environ if environ is None else environ
    return str(env.get(name, "")).strip()


def _path(name: str) -> Path | None:
    value = read(name)
    return Path(value).expanduser() if value else None


def hipform_home() -> Path:
    """Folder for hipform's local data: ``$HIPFORM_HOME`` or ``~/.hipform``."""
    return _path("HIPFORM_HOME") or Path.home() / ".hipform"


def history_db_path() -> Path:
    """``$HIPFORM_DB`` if set, else ``<hipform home>/history.sqlite``."""
    return _path("HIPFORM_DB") or hipform_home() / "history.sqlite"


def videos_dir() -> Path:
    """``<hipform home>/videos``: the annotated videos hipform writes and keeps with History sessions.

    Always under hipform's home, never beside ``$HIPFORM_DB``: a database set to
    ``~/history.sqlite`` must not make hipform write (or clean up) in ``~/videos``.
    """
    return hipform_home() / "videos"


def cache_dir() -> Path:
    """``$HIPFORM_CACHE_DIR``, else ``$HIPFORM_HOME/cache``, else ``$XDG_CACHE_HOME/hipform``, else
    ``~/.cache/hipform``."""
    explicit = _path("HIPFORM_CACHE_DIR")
    if explicit:
        return explicit
    home = _path("HIPFORM_HOME")
    if home:
        return home / "cache"
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()  # the desktop's own convention, not hipform's
    return Path(xdg).expanduser() / "hipform" if xdg else Path.home() / ".cache" / "hipform"


def cache_disabled() -> bool:
    """True when ``$HIPFORM_NO_CACHE`` is set to something other than ``0`` or empty."""
    return read("HIPFORM_NO_CACHE") not in ("", "0")


def samples_dir() -> Path:
    """``$HIPFORM_SAMPLES`` or the repository's ``sample_videos/``."""
    return _path("HIPFORM_SAMPLES") or Path(__file__).resolve().parents[1] / "sample_videos"


def pose_workers() -> int:
    """``$HIPFORM_POSE_WORKERS``, else 1.

    One worker is the default: under load two workers ran at 0.77-0.82x the single-worker loop,
    and the judgement depends on the worker count on 4 of 38 sample and real clips (after a seam
    the later tracker can lose a leg the earlier one kept, or move a value across a severity
    limit; ``benchmarks/pose_workers_agreement.py``, docs/performance.md).
    Several workers also need the caller's script to guard its entry point (``__main__``).

    Raises
    ------
    SettingError
        The variable is set to something other than a whole number of 1 or more.
    """
    text = read("HIPFORM_POSE_WORKERS")
    if not text:
        return 1
    if not text.isdigit() or int(text) < 1:
        raise SettingError(
            f"HIPFORM_POSE_WORKERS must be a whole number of 1 or more, got {text!r}: fix or unset it."
        )
    return int(text)


def available_cores() -> int:
    """CPU cores this process may run on (its affinity mask, e.g. a container's CPU set), at least 1."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


def debug() -> bool:
    """``$HIPFORM_DEBUG`` is set: show tracebacks."""
    return bool(read("HIPFORM_DEBUG"))
