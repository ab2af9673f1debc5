"""Getting clips into the app: bundled samples and uploads (validated, saved under a safe name)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
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


#: Scratch folders nothing has changed in for this long were left by a session that ended part-way
#: (a closed tab, a stopped server).
STALE_SCRATCH_S = 24 * 3600
#: The file that marks a scratch folder as hipform's: it holds the folder's own name.
SCRATCH_MARKER = ".hipform-scratch"
#: The names :func:`new_scratch_folder` gives.
_SCRATCH_NAME = re.compile(r"hipform-[0-9a-f]{32}")


def scratch_dir() -> Path:
    """The app's scratch folder: ``<hipform home>/tmp``."""
    return settings.hipform_home() / "tmp"


def new_scratch_folder(parent: Path | None = None) -> Path:
    """A new folder in the scratch folder for one piece of work (an upload, a recording, a download).

    Everything the app writes as scratch goes in such a folder: a name hipform generated and a
    marker file naming it, so clean-up can tell hipform's folders from anything else in ``parent``
    (:func:`is_scratch_folder`). Remove it with :func:`remove_scratch_folder`.
    """
    parent = scratch_dir() if parent is None else Path(parent)
    folder = parent / f"hipform-{uuid.uuid4().hex}"
    folder.mkdir(parents=True)
    (folder / SCRATCH_MARKER).write_text(folder.name + "\n", "utf-8")
    return folder


def is_scratch_folder(path: Path) -> bool:
    """Whether :func:`new_scratch_folder` made ``path``: its generated name and its marker naming it."""
    try:
        return (
            _SCRATCH_NAME.fullmatch(path.name) is not None
            and path.is_dir()
            and not path.is_symlink()
            and (path / SCRATCH_MARKER).read_text("utf-8").strip() == path.name
        )
    except (OSError, UnicodeDecodeError):
        return False


def remove_scratch_folder(folder: Path) -> None:
    """Delete a folder :func:`new_scratch_folder` made, with what is in it; any other folder is left."""
    if is_scratch_folder(folder):
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def scratch_folder() -> Iterator[Path]:
    """A :func:`new_scratch_folder` for the ``with`` block, removed afterwards."""
    folder = new_scratch_folder()
    try:
        yield folder
    finally:
        remove_scratch_folder(folder)


def _last_change(folder: Path) -> float:
    """The newest modification time of ``folder`` and anything in it (links not followed)."""
    newest = folder.lstat().st_mtime
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            try:
                newest = max(newest, (Path(root) / name).lstat().st_mtime)
            except OSError:  # removed meanwhile
                continue
    return newest


def remove_stale_scratch(folder: Path | None = None, older_than_s: float = STALE_SCRATCH_S) -> int:
    """Delete the scratch folders hipform made that nothing has changed in for ``older_than_s``; how many.

    Only folders :func:`is_scratch_folder` recognises are touched: a file or folder hipform did
    not make is never removed, whatever its age or name. Work under way changes its folder
    (clips are minutes long), and a folder that cannot be removed is left for next time.
    """
    folder = scratch_dir() if folder is None else Path(folder)
    cutoff = time.time() - older_than_s
    removed = 0
    try:
        entries = list(folder.iterdir())
    except OSError:  # no scratch folder yet
        return 0
    for entry in entries:
        try:
            if not is_scratch_folder(entry) or _last_change(entry) >= cutoff:
                continue
            shutil.rmtree(entry)
            removed += 1
        except OSError:
            continue
    return removed
