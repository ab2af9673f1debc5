"""How large, long and big a clip this installation accepts, checked before decoding.

Phones make anything from a 2-second GIF to a 40-minute 4K recording. hipform
checks a clip against these limits from its size on disk and its header, so
an oversized clip is refused in a fraction of a second with one sentence
saying what the limit is and what to do (trim the clip, or raise the limit),
instead of after minutes of decoding.

The defaults live in :class:`Limits`; each can be overridden by an
environment variable:

=========================  ==========  ==================================================
variable                   default     what
=========================  ==========  ==================================================
``HIPFORM_MAX_UPLOAD_MB``  500         file size, megabytes (10^6 bytes)
``HIPFORM_MAX_CLIP_S``     600         clip length, seconds
``HIPFORM_MAX_SIDE_PX``    8192        longer side of the frame, pixels (8K)
``HIPFORM_MAX_FRAMES``     144000      frames (10 minutes at 240 fps)
=========================  ==========  ==================================================

A value that is not a positive number raises :class:`LimitSettingError`
naming the variable. Clips within the limits are processed in bounded
memory: frames are decoded one at a time and only the landmarks (about
1 kB a frame, 18 MB for 10 minutes at 30 fps) are kept.

A header can lie or stay silent, so the decoder (:class:`hipform.video.VideoStream`)
holds every decoded frame to the same limits: its size (a clip may change
resolution part-way), its timestamp and the count so far (a raw ``.h264``
stream states no length at all). Saved landmark files (``.npz``) pass the
same frame and length limits, checked from the array headers inside the file
before any array is loaded (:func:`hipform.sequence.load_sequence`).
"""

from __future__ import annotations

import math
import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

from hipform import settings
from hipform.errors import ClipTooShortError, HipformError, InputLimitError, VideoReadError

if TYPE_CHECKING:  # only for annotations: importing hipform.video loads PyAV and OpenCV
    from hipform.video import VideoInfo

ENV_MAX_UPLOAD_MB = "HIPFORM_MAX_UPLOAD_MB"
ENV_MAX_CLIP_S = "HIPFORM_MAX_CLIP_S"
ENV_MAX_SIDE_PX = "HIPFORM_MAX_SIDE_PX"
ENV_MAX_FRAMES = "HIPFORM_MAX_FRAMES"

#: Field of :class:`Limits` → the environment variable that overrides it.
ENV_VARS = {
    "max_upload_mb": ENV_MAX_UPLOAD_MB,
    "max_clip_s": ENV_MAX_CLIP_S,
    "max_side_px": ENV_MAX_SIDE_PX,
    "max_frames": ENV_MAX_FRAMES,
}


#: Shortest clip worth judging: no movement hipform checks fits a rep into less. [J]
MIN_CLIP_S = 1.0
#: Fewest frames worth judging (a rep needs a start, a bottom and an end, and smoothing needs a few more).
MIN_CLIP_FRAMES = 5


class LimitSettingError(HipformError, ValueError):
    """A limit set in the environment is not a positive number (exit code 2: wrong usage)."""

    exit_code = 2


def _fmt_mb(megabytes: float) -> str:
    """``512`` or ``0.05``: whole megabytes, or two significant digits below 10 MB."""
    return f"{megabytes:,.0f}" if megabytes >= 10 else f"{megabytes:.2g}"


def _fmt_duration(seconds: float, like: float | None = None) -> str:
    """Seconds as ``45 s`` or ``12.5 min``; ``like`` picks the unit (so two durations compare at a glance)."""
    if (like if like is not None else seconds) < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f} min"


@dataclass(frozen=True)
class Limits:
    """Largest input accepted.

    Attributes
    ----------
    max_upload_mb : file size, megabytes (10^6 bytes), > 0.
    max_clip_s : clip length, seconds, > 0.
    max_side_px : longer side of the upright frame, pixels, > 0.
    max_frames : number of frames, > 0.

    Overrides make a new instance (:meth:`with_overrides`); unknown names raise.
    """

    max_upload_mb: float = 500.0
    max_clip_s: float = 600.0
    max_side_px: int = 8192
    max_frames: int = 144_000

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"{f.name} must be a number, got {type(value).__name__}")
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"{f.name} must be a positive number, got {value!r}")

    # ----------------------------------------------------------- construction
    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """The defaults overridden by the ``HIPFORM_MAX_*`` environment variables.

        Raises
        ------
        LimitSettingError
            A variable is set to something other than a positive number.
        """
        values: dict[str, float | int] = {}
        for f in fields(cls):
            name = ENV_VARS[f.name]
            text = settings.read(name, environ)
            if not text:
                continue
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if not math.isfinite(value) or value <= 0:
                raise LimitSettingError(f"{name} must be a positive number, got {text!r}: fix or unset it.")
            if f.type in (int, "int"):
                if value < 1 or value != int(value):
                    raise LimitSettingError(f"{name} must be a whole number, got {text!r}: fix or unset it.")
                value = int(value)
            values[f.name] = value
        return cls(**values)

    def with_overrides(self, **changes: float) -> Limits:
        """A copy with some limits changed; unknown names raise ValueError."""
        unknown = set(changes) - set(ENV_VARS)
        if unknown:
            raise ValueError(f"unknown limit(s) {sorted(unknown)}; known: {sorted(ENV_VARS)}")
        return replace(self, **changes)

    # ----------------------------------------------------------------- checks
    def check_size(self, size_bytes: int, name: str = "the clip") -> None:
        """Raise :class:`InputLimitError` when a file of ``size_bytes`` is over the size limit."""
        if size_bytes > self.max_upload_mb * 1e6:
            raise InputLimitError(
                f"'{name}' is {_fmt_mb(size_bytes / 1e6)} MB, over this installation's limit of "
                f"{_fmt_mb(self.max_upload_mb)} MB: trim the clip to the set you want checked, or raise "
                f"{ENV_MAX_UPLOAD_MB}."
            )

    def check_file(self, path: str | Path, name: str | None = None) -> None:
        """Size check from the file system alone (nothing is read); missing files pass."""
        p = Path(path)
        if p.is_file():
            self.check_size(p.stat().st_size, name or p.name)

    def check_video(self, info: VideoInfo, name: str = "the clip") -> None:
        """Raise :class:`InputLimitError` when a video's header shows it over any limit.

        The length is the header's duration, or frames ÷ fps when the header
        states no duration; a header stating neither passes here and is held
        by :meth:`frame_guard` while decoding.
        """
        self.check_size(info.size_bytes, name)
        self.check_side(info.width_px, info.height_px, name)
        duration = info.duration_s if info.duration_s > 0 else 0.0
        if duration <= 0 and info.n_frames > 0 and info.fps > 0:
            duration = info.n_frames / info.fps
        self.check_duration(duration, name)
        self.check_frame_count(info.n_frames, name)

    def check_side(self, width_px: int, height_px: int, name: str = "the clip", from_frame: int = 0) -> None:
        """Raise :class:`InputLimitError` when a frame's longer side is over the limit.

        ``from_frame`` (1-based) names the frame where a clip that changes size
        part-way grows past the limit; 0 for the clip as a whole.
        """
        if max(width_px, height_px) <= self.max_side_px:
            return
        where = f" from frame {from_frame}" if from_frame else ""
        raise InputLimitError(
            f"'{name}' is {width_px}x{height_px} pixels{where}, over this installation's limit "
            f"of {self.max_side_px} pixels a side: export it at a lower resolution (1080p is "
            f"plenty), or raise {ENV_MAX_SIDE_PX}."
        )

    def check_duration(self, duration_s: float, name: str = "the clip") -> None:
        """Raise :class:`InputLimitError` when ``duration_s`` is over the length limit."""
        if duration_s > self.max_clip_s:
            raise InputLimitError(
                f"'{name}' lasts {_fmt_duration(duration_s, self.max_clip_s)}, over this installation's "
                f"limit of {_fmt_duration(self.max_clip_s)}: trim it to the set you want checked, or raise "
                f"{ENV_MAX_CLIP_S}."
            )

    def check_frame_count(self, n_frames: int, name: str = "the clip") -> None:
        """Raise :class:`InputLimitError` when ``n_frames`` is over the frame limit."""
        if n_frames > self.max_frames:
            raise InputLimitError(
                f"'{name}' has {n_frames:,} frames, over this installation's limit of "
                f"{self.max_frames:,}: trim it to the set you want checked, or raise {ENV_MAX_FRAMES}."
            )

    def frame_guard(self, name: str = "the clip") -> Callable[..., None]:
        """A per-frame check for clips whose header hides their length.

        Returns a function ``guard(frames_done, t_s=None)`` that raises
        :class:`InputLimitError` once decoding passes the frame or length
        limit, so a file whose header lies is still stopped in bounded time.
        """

        def guard(frames_done: int, t_s: float | None = None) -> None:
            if frames_done > self.max_frames:
                raise InputLimitError(
                    f"'{name}' has more than {self.max_frames:,} frames, over this installation's limit: "
                    f"trim it to the set you want checked, or raise {ENV_MAX_FRAMES}."
                )
            if t_s is not None and t_s > self.max_clip_s:
                raise InputLimitError(
                    f"'{name}' lasts longer than {_fmt_duration(self.max_clip_s)}, this installation's "
                    f"limit: trim it to the set you want checked, or raise {ENV_MAX_CLIP_S}."
                )

        return guard


#: What a path that is neither a file nor a folder is, for the refusal (checked in this order).
_NOT_FILES = (
    (stat.S_ISFIFO, "a pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


def require_regular_file(path: str | Path) -> None:
    """Raise :class:`VideoReadError` when ``path`` is a pipe, socket or device, before it is opened.

    Opening a pipe waits for a writer that may never come, and a device such
    as ``/dev/zero`` reads forever; neither is a clip. Missing paths and
    folders pass: the callers give their own sentence for those.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return
    kind = next((what for is_kind, what in _NOT_FILES if is_kind(mode)), "not a file")
    raise VideoReadError(
        f"'{Path(path).name}' is not a regular file ({kind}): save the clip as a file and give that file."
    )


def check_clip(path: str | Path, limits: Limits | None = None, name: str | None = None) -> VideoInfo:
    """Check a clip against the limits before decoding it; returns its header.

    The file size is checked before the file is opened, then the header
    (size, length, frame count) after reading it.

    Raises
    ------
    InputLimitError
        The clip is over a limit.
    LimitSettingError
        ``limits`` is None and a ``HIPFORM_MAX_*`` variable is invalid.
    VideoReadError
        The file is missing or not a readable video.
    """
    from hipform.video import probe_video

    limits = limits if limits is not None else Limits.from_env()
    label = name or Path(path).name
    limits.check_file(path, label)
    info = probe_video(path)
    limits.check_video(info, label)
    return info


def check_long_enough(n_frames: int, duration_s: float, name: str = "the clip") -> None:
    """Raise :class:`ClipTooShortError` for a clip too short to hold one rep.

    Parameters
    ----------
    n_frames : frames decoded.
    duration_s : time the frames span, seconds (``PoseSequence.duration_s``).
    """
    if n_frames >= MIN_CLIP_FRAMES and duration_s >= MIN_CLIP_S:
        return
    if n_frames <= 1:
        what = "a single frame (a photo, not a video)"
    else:
        what = f"{n_frames} frames ({duration_s:.1f} s)"
    raise ClipTooShortError(
        f"'{name}' holds only {what}, too short to judge: film at least one full rep, a few seconds or more."
    )
