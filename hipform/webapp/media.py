"""Getting clips into the app: bundled samples and uploads (validated, saved under a safe name)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hipform import settings
from hipform.errors import VideoReadError
from hipform.video import SUPPORTED_HINT

#: File types the upload box accepts (lower case, no dot).
UPLOAD_TYPES = ("mp4", "mov", "m4v", "avi", "webm", "mkv", "gif")


def samples_dir() -> Path:
    """``$HIPFORM_SAMPLES`` or the repository's ``sample_videos/``."""
    return settings.samples_dir()


@dataclass(frozen=True)
class Sample:
    """A bundled clip and what it is known to show (from its ``.truth.json``, when present)."""

    path: Path
    title: str
    truth: dict[str, Any]


def _title(stem: str) -> str:
    words = stem.replace("-", " ").replace("_", " ").split()
    return " ".join(words).capitalize() if words else stem


def list_samples(folder: Path | None = None) -> list[Sample]:
    """Bundled sample clips, sorted by name (an empty list when there are none)."""
    folder = folder or samples_dir()
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower().lstrip(".") not in UPLOAD_TYPES or not path.is_file():
            continue
        truth: dict[str, Any] = {}
        for cand in (path.with_suffix(".truth.json"), path.parent / (path.name + ".truth.json")):
            if cand.is_file():
                try:
                    truth = json.loads(cand.read_text("utf-8"))
                except (OSError, ValueError):
                    truth = {}
                break
        title = truth.get("title") if isinstance(truth.get("title"), str) else _title(path.stem)
        out.append(Sample(path, title, truth))
    return out


def safe_filename(name: str, default: str = "clip") -> str:
    """A file name safe to show and to offer for download: no folders, no control or odd characters."""
    base = Path(str(name).replace("\\", "/")).name
    base = unicodedata.normalize("NFKC", base)
    base = re.sub(r"[^\w.\- ]+", "_", base, flags=re.UNICODE).strip(" ._")
    base = re.sub(r"\s+", " ", base)
    return base[:120] or default


def check_upload_name(name: str) -> str:
    """The lower-case extension of an uploaded file; VideoReadError when the type is not accepted."""
    ext = Path(name).suffix.lower().lstrip(".")
    if ext not in UPLOAD_TYPES:
        raise VideoReadError(
            f"'{safe_filename(name)}' is not a video type hipform reads. Upload an {SUPPORTED_HINT} file."
        )
    return ext


def save_upload(data: bytes, name: str, folder: Path) -> tuple[Path, str]:
    """Write uploaded bytes to ``folder/<name>`` (:func:`safe_filename`); returns (path, hex sha256).

    ``folder`` is the upload's own (the app makes one per upload). The file keeps the name the
    user gave it, so every message about it — a clip that cannot be decoded, a limit passed — names
    the user's file, never an internal hash; the SHA-256 keys the landmark cache and History.

    Raises
    ------
    VideoReadError
        Empty file or a type the upload box does not accept.
    """
    check_upload_name(name)
    if not data:
        raise VideoReadError(f"'{safe_filename(name)}' is empty (0 bytes). Record or copy the clip again.")
    sha = hashlib.sha256(data).hexdigest()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / safe_filename(name)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path, sha


#: Scratch files (uploads being analysed, webcam recordings, CSV downloads) this much older than
#: now were left by a session that ended part-way (a closed tab, a stopped server).
STALE_SCRATCH_S = 24 * 3600


def scratch_dir() -> Path:
    """The app's scratch folder: ``<hipform home>/tmp``."""
    return settings.hipform_home() / "tmp"


def remove_stale_scratch(folder: Path | None = None, older_than_s: float = STALE_SCRATCH_S) -> int:
    """Delete what in the scratch folder has not been modified for ``older_than_s``; how many entries.

    A file or folder still in use is never that old (clips are minutes long), and one that
    cannot be removed is left for next time.
    """
    import shutil
    import time

    folder = scratch_dir() if folder is None else Path(folder)
    cutoff = time.time() - older_than_s
    removed = 0
    try:
        entries = list(folder.iterdir())
    except OSError:  # no scratch folder yet
        return 0
    for entry in entries:
        try:
            if entry.lstat().st_mtime >= cutoff:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed += 1
        except OSError:
            continue
    return removed
