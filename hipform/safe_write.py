"""Writing the files a user asked for: never over an input, whole or not at all, failures in one sentence.

Three rules for every output (report JSON, CSV tables, landmark files, annotated videos):

1. An output is never one of the inputs, nor another output (:func:`check_outputs`): the same
   resolved path or the same file on disk (a hard link, a symlink, another spelling) is refused
   before any work is done (:class:`OutputClashError`, exit 2).
2. It is written to a hidden temporary file in the same folder and renamed over the requested
   name only once it is complete (:func:`whole_or_not_at_all`), so a full disk, Ctrl-C or a
   crash never leaves a half file where a good one was, nor a half file at all.
3. A write that fails (full disk, file-size limit, read-only file system, no permission, missing
   folder) becomes one sentence naming the user's file (:class:`~hipform.errors.OutputWriteError`,
   exit 9), never an internal error.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from hipform.errors import HipformError, OutputWriteError

#: Marks the temporary files :func:`whole_or_not_at_all` writes (``.<stem>.<random>.partial<suffix>``).
PARTIAL_MARK = ".partial"

_PARTIAL_NAME = re.compile(rf"^\..*\.[0-9a-f]{{8}}{re.escape(PARTIAL_MARK)}(\.[^.]*)?$")


class OutputClashError(HipformError):
    """An output would overwrite an input, or two outputs name one file (a usage mistake: exit 2)."""

    exit_code = 2


def same_file(a: str | Path, b: str | Path) -> bool:
    """True when ``a`` and ``b`` name one file: the same resolved path, or the same file on disk.

    The inode comparison catches hard links, symlinks and other spellings of an existing file;
    the path comparison covers outputs that do not exist yet.
    """
    with contextlib.suppress(OSError):
        if os.path.samefile(a, b):
            return True
    return Path(a).resolve() == Path(b).resolve()


def check_outputs(inputs: Sequence[str | Path], outputs: Mapping[str, str | Path | None]) -> None:
    """Refuse outputs that would overwrite an input or each other, then check each can be written.

    Parameters
    ----------
    inputs : the files the command reads.
    outputs : what the user calls each output (e.g. ``"--json"``) → its path; None = not asked for.

    Raises
    ------
    OutputClashError
        If an output is an input, or two outputs are one file (exit 2).
    OutputWriteError
        If an output's folder is missing, read-only or not writable, or the output is a folder
        (exit 9): said before the analysis, not after it.
    """
    named = [(label, Path(path)) for label, path in outputs.items() if path is not None]
    for label, path in named:
        for source in inputs:
            if same_file(path, source):
                raise OutputClashError(
                    f"{label} {path} names the input file {source}: writing it would destroy the input; "
                    "give the output another name."
                )
    for i, (label, path) in enumerate(named):
        for other_label, other in named[:i]:
            if same_file(path, other):
                raise OutputClashError(
                    f"{other_label} and {label} both name {path}: give each output a file of its own."
                )
    for _label, path in named:
        check_writable(path)


def partial_path(path: str | Path) -> Path:
    """A new hidden temporary name beside ``path``, keeping its suffix (writers pick the format by it)."""
    path = Path(path)
    return path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}{PARTIAL_MARK}{path.suffix}")


def is_partial(path: str | Path) -> bool:
    """True for a temporary file of :func:`whole_or_not_at_all` (one a killed process can leave)."""
    return _PARTIAL_NAME.match(Path(path).name) is not None


def _is_stream(path: Path) -> bool:
    """True for an existing destination that is not a regular file or folder (``/dev/stdout``, a FIFO).

    Such a destination is written in place: it cannot be renamed over, and a temporary file
    beside it (in ``/dev``) would be wrong.
    """
    return path.exists() and not path.is_file() and not path.is_dir()


def check_writable(path: str | Path) -> None:
    """Raise :class:`OutputWriteError` unless a file can be created at ``path`` (by trying it).

    Creating and removing a temporary file beside ``path`` is the only test that sees
    everything: permissions, ACLs, read-only mounts and a full table of files.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputWriteError(f"{path} is a folder: give a file name for the output.")
    if _is_stream(path):
        return
    probe = partial_path(_target(path))
    try:
        with open(probe, "x"):
            pass
    except OSError as exc:
        raise output_write_error(path, exc) from None
    with contextlib.suppress(OSError):
        probe.unlink()


def output_write_error(path: str | Path, exc: OSError) -> OutputWriteError:
    """The one sentence for a failed write of ``path`` (the user's name, not the temporary file's)."""
    path = Path(path)
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        text = f"Not enough disk space to write {path}: free some space or choose another folder."
    elif code == errno.EFBIG:
        text = (
            f"Could not write {path}: it would be larger than this system allows a file to be; "
            "choose another folder."
        )
    elif code == errno.EROFS:
        text = f"Could not write {path}: its folder is on a read-only disk; choose another folder."
    elif code in (errno.EACCES, errno.EPERM):
        text = f"No permission to write {path}: choose a folder you can write to."
    elif code in (errno.ENOENT, errno.ENOTDIR):
        text = f"Could not write {path}: there is no folder {path.parent}; create it or choose another."
    elif code == errno.EISDIR:
        text = f"{path} is a folder: give a file name for the output."
    else:
        reason = (exc.strerror or type(exc).__name__).rstrip(".").lower()
        text = f"Could not write {path} ({reason}): choose another file or folder."
    return OutputWriteError(text)


def _target(path: Path) -> Path:
    """Where the bytes go: the file a symlink points to (the link itself stays), else ``path``."""
    return path.resolve() if path.is_symlink() else path


@contextlib.contextmanager
def whole_or_not_at_all(path: str | Path) -> Iterator[Path]:
    """A temporary sibling of ``path`` to write into, renamed to ``path`` only when the block completes.

    The file is flushed to disk before the rename, so even a power cut leaves the old file or the
    new one, never a mix. Whatever happens in the block, the temporary file is gone afterwards.
    A stream destination (``/dev/stdout``, a FIFO) is written in place.

    Raises
    ------
    OutputWriteError
        If writing, flushing or renaming fails (full disk, file-size limit, read-only, no
        permission, missing folder); other errors pass unchanged.
    """
    path = Path(path)
    if _is_stream(path):
        with _as_output_error(path, path):
            yield path
        return
    target = _target(path)
    partial = partial_path(target)
    try:
        with _as_output_error(path, partial):
            yield partial
            _flush_to_disk(partial)
            os.replace(partial, target)
    finally:
        with contextlib.suppress(OSError):
            partial.unlink()


def write_whole(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(temporary path)`` and put the result at ``path`` whole or not at all; returns ``path``."""
    with whole_or_not_at_all(path) as partial:
        write(partial)
    return Path(path)


@contextlib.contextmanager
def _as_output_error(path: Path, written: Path) -> Iterator[None]:
    """Turn an ``OSError`` about writing ``written`` into :class:`OutputWriteError` naming ``path``.

    An error naming another file (an input that cannot be read) passes unchanged.
    """
    try:
        yield
    except OSError as exc:
        if exc.filename not in (None, str(written), str(path)):
            raise
        raise output_write_error(path, exc) from exc


def _flush_to_disk(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
