"""Landmarks cached by clip content and pose options.

Pose estimation is nearly all of an analysis's time; the kinematics after it
take milliseconds. Landmarks are therefore kept on disk, keyed by the SHA-256
of the clip's bytes and by every setting that changes them (pose options,
MediaPipe version, hipform's pose pipeline version), so analysing the same
clip again — another movement, another threshold, a renamed copy — skips
the pose model.

Where the cache lives (first that is set):

1. ``$HIPFORM_CACHE_DIR``
2. ``$HIPFORM_HOME/cache``
3. ``$XDG_CACHE_HOME/hipform``
4. ``~/.cache/hipform``

Entries are written to a temporary file in the same folder, then renamed
over the final name (``os.replace``, atomic on one file system), so several
processes can fill the cache at once and a reader never sees half a file.

An entry is not trusted blindly: one that fails to load in any way, or whose
landmarks do not fit the clip's header (frame size, frame count, length),
counts as a miss and is removed, and the fresh landmarks replace it. A clip
whose decoded frames fall short of its header (a truncated file) therefore
runs the pose model every time. ``HIPFORM_NO_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, replace
from importlib import metadata
from pathlib import Path

from hipform import settings
from hipform.pose import PoseEstimator, PoseOptions, Progress, estimate_pose, require_person_in
from hipform.sequence import PoseSequence, load_sequence, save_sequence
from hipform.video import VideoInfo, probe_video

#: Bump when hipform's pose pipeline (decoding, scaling, conversion) changes
#: the landmarks it produces, so old entries are not reused.
PIPELINE_VERSION = 2

_SUFFIX = ".npz"


def default_cache_dir() -> Path:
    """The folder the cache uses unless told otherwise (:func:`hipform.settings.cache_dir`)."""
    return settings.cache_dir()


def cache_disabled() -> bool:
    """True when ``$HIPFORM_NO_CACHE`` is set to something other than ``0`` or empty."""
    return settings.cache_disabled()


def file_digest(path: str | Path, chunk_bytes: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks (memory stays bounded)."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(chunk_bytes):
            h.update(chunk)
    return h.hexdigest()


def _mediapipe_version() -> str:
    try:
        return metadata.version("mediapipe")
    except metadata.PackageNotFoundError:
        return "unknown"


def options_fingerprint(options: PoseOptions) -> str:
    """Short hash of everything besides the clip that changes the landmarks."""
    text = json.dumps(
        {"options": asdict(options), "mediapipe": _mediapipe_version(), "pipeline": PIPELINE_VERSION},
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class LandmarkCache:
    """Pose sequences on disk, one ``.npz`` file per (clip content, pose options).

    Parameters
    ----------
    directory : where to keep the files; :func:`default_cache_dir` when None.
        Created on the first write.
    """

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()

    def path_for(self, digest: str, options: PoseOptions) -> Path:
        """File that holds (or would hold) the landmarks of this clip and these options."""
        if len(digest) < 16 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError(f"digest must be a lowercase hex SHA-256, got {digest!r}")
        return self.directory / f"{digest[:32]}-{options_fingerprint(options)}{_SUFFIX}"

    def load(self, digest: str, options: PoseOptions, clip: VideoInfo | None = None) -> PoseSequence | None:
        """The cached sequence, or None when absent, unreadable or not ``clip``'s (such an entry is removed).

        Parameters
        ----------
        digest, options : the key.
        clip : the header of the clip the entry should belong to; checked with
            :func:`fits_clip` when given.
        """
        path = self.path_for(digest, options)
        if not path.is_file():
            return None
        try:
            seq = load_sequence(path)
        except Exception:  # noqa: BLE001 - any failure (TypeError, MemoryError…) is a miss, never a stuck clip
            seq = None
        if seq is None or (clip is not None and not fits_clip(seq, clip)):
            path.unlink(missing_ok=True)  # recomputed, and written again, by the caller
            return None
        return seq

    def save(self, digest: str, options: PoseOptions, seq: PoseSequence) -> Path | None:
        """Store ``seq`` atomically; return its path, or None if the folder is not writable.

        A cache that cannot be written never stops an analysis.
        """
        path = self.path_for(digest, options)
        tmp: Path | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=".tmp-", suffix=_SUFFIX, dir=path.parent)
            os.close(fd)
            tmp = Path(name)
            save_sequence(seq, tmp)
            os.replace(tmp, path)
            tmp = None
            return path
        except OSError:
            return None
        finally:
            if tmp is not None:
                tmp.unlink(missing_ok=True)

    def entries(self) -> list[Path]:
        """Cached files, oldest first."""
        if not self.directory.is_dir():
            return []
        files = [p for p in self.directory.glob(f"*{_SUFFIX}") if not p.name.startswith(".tmp-")]
        return sorted(files, key=lambda p: p.stat().st_mtime)

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.entries())

    def clear(self) -> int:
        """Delete every entry (and stray temporary files); return how many entries went."""
        gone = 0
        for p in self.entries():
            p.unlink(missing_ok=True)
            gone += 1
        if self.directory.is_dir():
            for p in self.directory.glob(f".tmp-*{_SUFFIX}"):
                p.unlink(missing_ok=True)
        return gone


#: How far a cached sequence may stray from its clip's header: (at least, share of the stated value).
_FRAME_SLACK = (2, 0.02)  # frames
_LENGTH_SLACK = (0.2, 0.02)  # seconds: GIF and variable-rate time stamps round


def _close(got: float, stated: float, slack: tuple[float, float]) -> bool:
    at_least, share = slack
    return abs(got - stated) <= max(at_least, share * stated)


def fits_clip(seq: PoseSequence, clip: VideoInfo) -> bool:
    """Whether ``seq`` can be the landmarks of the clip with header ``clip``.

    The frame size must match exactly; the frame count and the length must
    match the header (within a frame or two, or 2%) where the header states
    them. This catches an entry holding another clip's landmarks, which would
    otherwise give a wrong report without a word.
    """
    if (seq.width_px, seq.height_px) != (clip.width_px, clip.height_px):
        return False
    if clip.n_frames > 0 and not _close(seq.n_frames, clip.n_frames, _FRAME_SLACK):
        return False
    return clip.duration_s <= 0 or _close(seq.duration_s, clip.duration_s, _LENGTH_SLACK)


@dataclass(frozen=True, eq=False)
class CachedPose:
    """Landmarks of a clip and where they came from.

    Attributes
    ----------
    seq : the landmarks (``source`` is the file name given, even on a hit).
    from_cache : True when the pose model was not run.
    digest : hex SHA-256 of the clip's bytes.
    """

    seq: PoseSequence
    from_cache: bool
    digest: str


def estimate_pose_cached(
    path: str | Path,
    options: PoseOptions | None = None,
    progress: Progress | None = None,
    require_person: bool = True,
    cache: LandmarkCache | None = None,
    estimator: PoseEstimator | None = None,
    digest: str | None = None,
    workers: int | None = None,
) -> CachedPose:
    """:func:`hipform.pose.estimate_pose`, skipped when the same clip was seen with the same options.

    Parameters
    ----------
    path, options, progress, require_person, estimator, workers : as for ``estimate_pose``
        (one entry serves every number of workers: they judge a clip alike, see
        :mod:`hipform.pose_workers`).
    cache : the cache to use; the default folder when None. With
        ``$HIPFORM_NO_CACHE`` set, nothing is read or written.
    digest : the clip's SHA-256 when the caller has it already.

    Raises
    ------
    VideoReadError, ModelUnavailableError, NoPersonError
        As ``estimate_pose`` (a cached clip with nobody in it raises again);
        the clip's header is read on a hit too, to check the entry against it.
    """
    if estimator is not None:
        options = estimator.options
    options = options or PoseOptions()
    path = Path(path)
    use_cache = not cache_disabled()
    if digest is None:
        if not path.is_file():
            probe_video(path)  # raises the usual one-sentence error (missing file, a folder…)
        digest = file_digest(path)
    cache = cache or LandmarkCache()
    seq = None
    if use_cache and cache.path_for(digest, options).is_file():
        seq = cache.load(digest, options, clip=probe_video(path))
    hit = seq is not None
    if seq is None:
        # the number of workers is passed only when chosen: a stand-in pose function need not know it
        chosen = {} if workers is None else {"workers": workers}
        seq = estimate_pose(path, options, progress, require_person=False, estimator=estimator, **chosen)
        if use_cache:
            cache.save(digest, options, seq)
    else:
        seq = replace(seq, source=path.name)
        if progress is not None:
            progress(seq.n_frames, seq.n_frames)
    if require_person:
        require_person_in(seq, path)
    return CachedPose(seq=seq, from_cache=hit, digest=digest)
