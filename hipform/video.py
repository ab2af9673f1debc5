"""Video input and output: the only module that decodes or encodes video.

Reading honours the container's rotation (display matrix) and the real
presentation timestamps, streams frames one at a time (a background thread
decodes ahead, so decoding overlaps with pose estimation), and can scale
frames down on the way out. Writing produces browser-playable H.264 MP4.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from hipform.errors import VideoReadError
from hipform.limits import Limits, require_regular_file

#: Containers and codecs people's phones, cameras and the web produce.
SUPPORTED_HINT = "MP4, MOV, M4V, WebM, MKV, AVI or GIF"


@dataclass(frozen=True)
class VideoInfo:
    """What a video file holds, as displayed (rotation applied).

    Attributes
    ----------
    width_px, height_px : size of the upright frame.
    rotation_deg : counter-clockwise rotation applied to stored frames to show
        them upright (0, 90, 180 or 270).
    fps : nominal frame rate (average rate where the container states it).
    n_frames : frame count the container states; 0 when it does not say.
    duration_s : duration the container states; 0.0 when it does not say.
    codec, container : decoder and demuxer names, e.g. ``h264`` and ``mov,mp4,…``.
    size_bytes : file size.
    """

    path: str
    width_px: int
    height_px: int
    rotation_deg: int
    fps: float
    n_frames: int
    duration_s: float
    codec: str
    container: str
    size_bytes: int

    @property
    def estimated_frames(self) -> int:
        """Best guess of the frame count (for progress bars)."""
        if self.n_frames > 0:
            return self.n_frames
        return max(int(round(self.duration_s * self.fps)), 0)


@dataclass(frozen=True, eq=False)
class Frame:
    """One decoded, upright video frame.

    Attributes
    ----------
    index : position in the clip, from 0.
    t_s : presentation time in seconds from the clip's first frame.
    image : (H, W, 3) uint8 RGB, upright, possibly scaled down.
    scale : ``image`` width divided by the upright source width (≤ 1).
    """

    index: int
    t_s: float
    image: np.ndarray
    scale: float = 1.0


class SeekError(Exception):
    """A clip that cannot be read from a point in time (:class:`VideoStream` ``start_s``).

    Its frames carry no timestamps, or its container cannot seek: read it from
    the start instead. Not a problem of the user's: never shown to them.
    """


@dataclass
class ReadStatus:
    """Filled in while frames are read: what went wrong part-way, if anything."""

    frames_read: int = 0
    stopped_early: bool = False
    warnings: list[str] = field(default_factory=list)


def _open(path: str | Path) -> av.container.InputContainer:
    p = Path(path)
    if not p.exists():
        raise VideoReadError(f"Could not find the file '{p}'. Check the name and the folder.")
    if p.is_dir():
        raise VideoReadError(f"'{p}' is a folder, not a video file. Choose a video file inside it.")
    require_regular_file(p)  # a pipe would block the open, /dev/zero would read for ever
    if p.stat().st_size == 0:
        raise VideoReadError(f"The file '{p.name}' is empty (0 bytes). Record or copy the clip again.")
    try:
        container = av.open(str(p), mode="r")
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise VideoReadError(
            f"'{p.name}' could not be opened as a video ({_reason(exc)}). "
            f"Use an {SUPPORTED_HINT} file; if it is one, it may be damaged or incomplete — copy it again."
        ) from None
    if not container.streams.video:
        container.close()
        raise VideoReadError(
            f"'{p.name}' has no video track (it may be audio only or an image). Choose a video clip."
        )
    return container


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return text.split(":")[-1].strip().rstrip(".") or type(exc).__name__


def _stream_rotation(stream: av.video.stream.VideoStream, first: av.VideoFrame | None) -> int:
    rotation = 0.0
    if first is not None and getattr(first, "rotation", None):
        rotation = float(first.rotation)
    else:  # older files carry a 'rotate' tag instead of a display matrix
        tag = stream.metadata.get("rotate")
        if tag:
            rotation = -float(tag)  # the tag is clockwise, the display matrix counter-clockwise
    return int(round(rotation / 90.0)) % 4 * 90


def _main_video_stream(container: av.container.InputContainer) -> av.video.stream.VideoStream:
    """The video track to read: the one the file marks as default, else the first.

    A file with several video tracks (a camera's main and proxy recordings,
    an edit's alternative takes) says which one players show; a cover picture
    (``attached_pic``) is a still, never the clip, unless it is all there is.
    """
    tracks = [s for s in container.streams.video if not s.disposition & av.stream.Disposition.attached_pic]
    tracks = tracks or list(container.streams.video)
    return next((s for s in tracks if s.disposition & av.stream.Disposition.default), tracks[0])


def _nominal_fps(stream: av.video.stream.VideoStream) -> float:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate and float(rate) > 0 and float(rate) < 1000:
            return float(rate)
    return 30.0


def probe_video(path: str | Path) -> VideoInfo:
    """Read a video's header (and its first frame, for the rotation).

    Raises
    ------
    VideoReadError
        If the file is missing, empty, not a video, or holds no decodable frame.
    """
    with VideoStream(path, prefetch=0) as video:
        return video.info


def _target_size(width: int, height: int, max_side: int | None) -> tuple[int, int]:
    """Stored-frame size to scale to so the longer side is ≤ max_side (even numbers)."""
    if not max_side or max(width, height) <= max_side:
        return width, height
    s = max_side / max(width, height)
    return max(2, int(round(width * s / 2)) * 2), max(2, int(round(height * s / 2)) * 2)


#: Frames shrunk at least this much skip H.264/HEVC deblocking (see :class:`VideoStream`).
_SKIP_DEBLOCK_FACTOR = 2.0

#: Largest stored frame (pixels) decoded on one thread when ``share_cpu`` is asked for.
_ONE_THREAD_MAX_PIXELS = 1920 * 1088

_ROTATE = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}


def _to_rgb(vf: av.VideoFrame, size: tuple[int, int], rotation: int) -> np.ndarray:
    """Upright RGB array of a decoded frame, its stored frame scaled to ``size`` (width, height)."""
    w, h = size
    if (w, h) != (vf.width, vf.height):
        # Shrink first, in YUV (1.5 bytes a pixel instead of 3), with area
        # averaging (no aliasing), then convert the small frame to RGB: about
        # 2.5x less CPU than converting the full frame and shrinking the RGB
        # (1080p: 1.5 ms instead of 3.5-4 ms), same pixels within ±1 level.
        # swscale runs without the GIL, so pose inference keeps running.
        vf = vf.reformat(width=w, height=h, interpolation="AREA")
    image = vf.to_ndarray(format="rgb24")
    if rotation:
        image = cv2.rotate(image, _ROTATE[rotation])
    return image


_DONE = object()


class VideoStream:
    """An open video: its header (:attr:`info`) and its upright frames, in presentation order.

    The file is opened once and its first frame decoded once, for both: errors
    about the file are raised here, by the constructor. Iterating yields
    :class:`Frame` objects (once); a background thread decodes ``prefetch``
    frames ahead so decoding overlaps with the caller's work. Use as a context
    manager, or call :meth:`close`.

    Parameters
    ----------
    path : the video file.
    max_side : scale frames down (never up) so the longer side is at most this
        many pixels; ``None`` keeps the full size.
    prefetch : frames decoded ahead in a background thread (0 decodes in the
        caller's thread). Memory is bounded by ``prefetch`` frames.
    status : filled in with how many frames were read and any damage found
        part-way (the frames before the damage are still yielded).
    limits : every decoded frame is held to these (its size, its time from
        the first frame, the count so far), whatever the header said; raises
        :class:`~hipform.errors.InputLimitError` at the first frame past one.
        ``None``: :meth:`Limits.from_env <hipform.limits.Limits.from_env>`.
    fast_decode : when frames are shrunk 2x or more, skip the decoder's
        deblocking filter (about 15% less decoding work on 1080p H.264). The
        pixels get slightly blockier, which a pose model does not notice; keep
        it off for video people will watch.
    share_cpu : the caller keeps a core busy (pose inference): decode frames
        up to 1080p on one thread, which keeps up with the model (1080p H.264:
        ~6.5 ms a frame on one core, pose ~10 ms) and leaves it the other core;
        the decoder's own threads competed with it (end-to-end 5% slower on
        2 cores, ``benchmarks/clip_analysis.py``). Larger frames still use the
        decoder's threads: one could not keep up.
    start_s : begin at the first frame shown at or after this many seconds
        from the clip's first frame: the file is searched for the keyframe
        before it and decoded forward from there (frames before it are decoded
        but never converted). Frame times still count from the clip's first
        frame, so they equal the times of a read from the start; frame indices
        count from the first frame read. Raises :class:`SeekError` when the
        frames have no timestamps or the container cannot seek.

    Every frame comes out the size of the first (scaled if it differs): a
    stream may change resolution part-way (raw H.264, MPEG-TS, spliced
    clips), and the landmarks and the annotated video need one frame size.
    The video track is the one the file marks as default.

    Raises
    ------
    VideoReadError
        If the file is missing, not a video, or no frame can be decoded.
    InputLimitError
        While iterating, at the first frame past one of ``limits``.
    """

    def __init__(
        self,
        path: str | Path,
        max_side: int | None = None,
        prefetch: int = 4,
        status: ReadStatus | None = None,
        fast_decode: bool = False,
        share_cpu: bool = False,
        limits: Limits | None = None,
        start_s: float = 0.0,
    ) -> None:
        self.path = Path(path)
        self.status = status if status is not None else ReadStatus()
        self._limits = limits if limits is not None else Limits.from_env()
        self._max_side = max_side
        self._prefetch = prefetch
        self._started = False
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        self._container = _open(path)
        try:
            stream = _main_video_stream(self._container)
            ctx = stream.codec_context
            if ctx is None:  # FFmpeg has no decoder for this track
                raise VideoReadError(
                    f"'{self.path.name}' could not be decoded (unknown video format). "
                    f"Use an {SUPPORTED_HINT} file; if it is one, it may be damaged — copy it again."
                )
            stream.thread_type = "AUTO"
            if share_cpu and ctx.width * ctx.height <= _ONE_THREAD_MAX_PIXELS:
                ctx.thread_count = 1
            shrink = max(ctx.width, ctx.height) / (max_side or np.inf)
            if fast_decode and shrink >= _SKIP_DEBLOCK_FACTOR:
                # Deblocking smooths 4-8 pixel block edges that a 2x (or more)
                # shrink averages away anyway; skipping it saves ~15% of H.264
                # decoding time on 1080p clips. Landmarks move by well under a
                # pixel of the original frame (benchmarks/clip_analysis.py).
                ctx.options = {**ctx.options, "skip_loop_filter": "all"}
            self._decoded = self._container.decode(stream)
            try:
                first = next(self._decoded, None)
            except av.FFmpegError as exc:
                raise VideoReadError(
                    f"'{self.path.name}' could not be decoded ({_reason(exc)}). "
                    "The file may be damaged or incomplete: copy or export it again."
                ) from None
            if first is None:
                raise VideoReadError(
                    f"'{self.path.name}' holds no video frames. Record or export the clip again."
                )
            self._first: av.VideoFrame | None = first
            self._first_size = (first.width, first.height)
            self._t0_s: float | None = None  # stream time of the clip's first frame, once known
            self._stream = stream
            self.info = self._info(stream, first)
            if start_s > 0:
                self._skip_to(start_s)
        except BaseException:
            self._container.close()
            raise

    def _info(self, stream: av.video.stream.VideoStream, first: av.VideoFrame) -> VideoInfo:
        self._rotation = _stream_rotation(stream, first)
        w, h = first.width, first.height
        if self._rotation in (90, 270):
            w, h = h, w
        duration = 0.0
        if stream.duration and stream.time_base:
            duration = float(stream.duration * stream.time_base)
        elif self._container.duration:
            duration = self._container.duration / av.time_base
        return VideoInfo(
            path=str(self.path),
            width_px=w,
            height_px=h,
            rotation_deg=self._rotation,
            fps=_nominal_fps(stream),
            n_frames=int(stream.frames or 0),
            duration_s=duration,
            codec=stream.codec_context.name,
            container=self._container.format.name,
            size_bytes=self.path.stat().st_size,
        )

    def _skip_to(self, start_s: float) -> None:
        """Make the first frame read the first one shown at or after ``start_s`` (see ``start_s``).

        Frames are kept only from the first keyframe decoded after the seek: the
        frames shown before it may refer to pictures before the keyframe (open
        GOP), which the decoder never saw. A search that lands after ``start_s``
        (a demuxer that seeks by decoding time, a keyframe just after the point)
        goes back further, at most to the clip's first frame.
        """
        stream, first = self._stream, self._first
        time_base = stream.time_base
        if first.pts is None or not time_base:
            raise SeekError(f"'{self.path.name}' has no frame timestamps")
        self._t0_s = float(first.pts * time_base)
        target = self._t0_s + start_s
        back_s = 0.0
        while True:
            at = max(target - back_s, self._t0_s)
            try:  # a damaged stretch is the read from the start's to report, at the frame it hits
                self._container.seek(int(at / time_base), stream=stream, backward=True, any_frame=False)
                decoded = self._container.decode(stream)
                keyframe_seen, landed_late_s = False, None
                for vf in decoded:
                    if vf.pts is None:
                        raise SeekError(f"'{self.path.name}' has frames without timestamps")
                    t = float(vf.pts * time_base)
                    if not keyframe_seen:
                        if t > target:
                            landed_late_s = t - target
                            break
                        keyframe_seen = vf.key_frame
                    if keyframe_seen and t >= target:
                        self._first, self._decoded = vf, decoded
                        return
            except (av.FFmpegError, OSError) as exc:
                raise SeekError(
                    f"'{self.path.name}' cannot be read from {start_s:.2f} s ({_reason(exc)})"
                ) from None
            if landed_late_s is None:  # the clip ends before start_s: nothing to read
                self._first = None
                return
            if at <= self._t0_s:
                raise SeekError(f"'{self.path.name}' has no keyframe before {start_s:.2f} s")
            back_s = 2 * back_s + 1.0 + landed_late_s

    def __enter__(self) -> VideoStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the decoding thread (if any) and close the file."""
        self._stop.set()
        if self._worker is None:
            self._container.close()
        else:  # the thread decoding the file closes it when it stops
            self._worker.join(timeout=5)

    def __iter__(self) -> Iterator[Frame]:
        if self._started:
            raise RuntimeError("a VideoStream's frames can be read only once")
        self._started = True
        if self._prefetch <= 0:
            return self._frames()
        return self._prefetched()

    def _frames(self) -> Iterator[Frame]:
        """Decode and yield the frames, starting with the one decoded for :attr:`info`."""
        status, stream = self.status, self._stream
        time_base = stream.time_base or Fraction(1, 1000)
        fps = _nominal_fps(stream)
        t0 = self._t0_s
        last_t = -np.inf
        index = 0
        vf: av.VideoFrame | None = self._first
        self._first = None
        first_size = self._first_size
        out_size = _target_size(*first_size, self._max_side)
        upright_w = first_size[1] if self._rotation in (90, 270) else first_size[0]
        limits = self._limits
        guard = limits.frame_guard(self.path.name)
        try:
            while vf is not None and not self._stop.is_set():
                if index == 0 or (vf.width, vf.height) != first_size:
                    # checked on the decoded frame, not the header: a clip may grow part-way
                    grown_at = index + 1 if index else 0
                    limits.check_side(vf.width, vf.height, self.path.name, from_frame=grown_at)
                if vf.pts is not None:
                    t = float(vf.pts * time_base)
                else:  # no timestamp: assume the nominal rate
                    t = (last_t + 1.0 / fps) if np.isfinite(last_t) else 0.0
                if t0 is None:
                    t0 = t
                t -= t0
                if t <= last_t:  # duplicate or out-of-order stamp: keep time strictly increasing
                    t = last_t + 1e-6
                last_t = t
                guard(index + 1, t)  # the decoded count and time, for headers silent on the length
                image = _to_rgb(vf, out_size, self._rotation)
                yield Frame(index=index, t_s=t, image=image, scale=image.shape[1] / upright_w)
                index += 1
                status.frames_read = index
                vf = next(self._decoded, None)
        except av.FFmpegError as exc:
            status.stopped_early = True
            status.warnings.append(
                f"The video is damaged after {index} frames ({_reason(exc)}); only those frames were used."
            )

    def _prefetched(self) -> Iterator[Frame]:
        frames: queue.Queue = queue.Queue(maxsize=self._prefetch)
        stop = self._stop

        def produce() -> None:
            try:
                for frame in self._frames():
                    while not stop.is_set():
                        try:
                            frames.put(frame, timeout=0.1)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
                frames.put(_DONE)
            except BaseException as exc:  # handed to the consumer, which re-raises it
                frames.put(exc)
            finally:
                self._container.close()

        self._worker = threading.Thread(target=produce, name="hipform-decode", daemon=True)
        self._worker.start()
        try:
            while True:
                item = frames.get()
                if item is _DONE:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            self._worker.join(timeout=5)


def iter_frames(
    path: str | Path,
    max_side: int | None = None,
    prefetch: int = 4,
    status: ReadStatus | None = None,
    fast_decode: bool = False,
) -> Iterator[Frame]:
    """Yield the upright frames of a video one by one, in presentation order.

    A generator over :class:`VideoStream` (same parameters): the file is
    opened at the first ``next()``, and closed when the generator ends or is
    closed.

    Raises
    ------
    VideoReadError
        If the file is missing, not a video, or no frame can be decoded.
    """
    with VideoStream(path, max_side, prefetch, status, fast_decode) as video:
        yield from video


class VideoWriter:
    """Write RGB frames to a browser-playable H.264 MP4 (yuv420p, faststart).

    Use as a context manager::

        with VideoWriter("out.mp4", fps=30) as writer:
            writer.write(rgb)

    Frames are padded to even width and height (H.264 4:2:0 needs them).
    Pass ``t_s`` to :meth:`write` to keep a variable frame rate.

    A write that fails (full disk, file-size limit) raises its ``OSError`` at once and abandons
    the file: nothing more is encoded into it and the encoder is not flushed, because muxing again
    into a container whose header could not be written crashes the process inside FFmpeg (a
    segfault). The incomplete file is the caller's to remove
    (:func:`hipform.safe_write.whole_or_not_at_all` does).
    """

    def __init__(self, path: str | Path, fps: float, crf: int = 23, preset: str = "veryfast") -> None:
        if not np.isfinite(fps) or fps <= 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self.path = Path(path)
        self.fps = float(fps)
        self._crf = crf
        self._preset = preset
        self._container: av.container.OutputContainer | None = None
        self._stream = None
        self._size: tuple[int, int] | None = None
        self._last_pts = -1
        self._failed = False
        self.frames_written = 0

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self, width: int, height: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._container = av.open(str(self.path), mode="w", options={"movflags": "+faststart"})
        rate = Fraction(self.fps).limit_denominator(1001)
        stream = self._container.add_stream("libx264", rate=rate)
        stream.width, stream.height = width + width % 2, height + height % 2
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": str(self._crf), "preset": self._preset}
        stream.time_base = Fraction(1, 90000)
        stream.codec_context.time_base = Fraction(1, 90000)
        self._stream = stream
        self._size = (width, height)

    def write(self, image: np.ndarray, t_s: float | None = None) -> None:
        """Append one (H, W, 3) uint8 RGB frame, shown at ``t_s`` seconds if given."""
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f"expected an (H, W, 3) uint8 RGB image, got {image.shape} {image.dtype}")
        if self._failed:
            raise RuntimeError(f"the writing of {self.path.name} failed before: start a new VideoWriter")
        h, w = image.shape[:2]
        if self._container is None:
            self._start(w, h)
        if (w, h) != self._size:
            raise ValueError(f"all frames must be {self._size[0]}x{self._size[1]}, got {w}x{h}")
        if w % 2 or h % 2:
            image = np.pad(image, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
        t = self.frames_written / self.fps if t_s is None else t_s
        pts = max(int(round(t * 90000)), self._last_pts + 1)
        frame.pts = pts
        frame.time_base = Fraction(1, 90000)
        self._last_pts = pts
        self._encode(frame)
        self.frames_written += 1

    def close(self) -> None:
        """Flush the encoder and finish the file (safe to call twice; nothing to do after a failed write)."""
        if self._container is None:
            return
        self._encode(None)
        container, self._container = self._container, None
        try:
            container.close()  # writes the index (and moves it to the front): can fail on a full disk too
        except (av.FFmpegError, OSError):
            self._failed = True
            raise

    def _encode(self, frame: av.VideoFrame | None) -> None:
        """Encode ``frame`` (None flushes the encoder) and write its packets; abandon the file on failure."""
        try:
            for packet in self._stream.encode(frame):
                self._container.mux(packet)
        except (av.FFmpegError, OSError):
            self._abandon()
            raise

    def _abandon(self) -> None:
        """Close the container after a failed write, without encoding or muxing anything more."""
        container, self._container = self._container, None
        self._failed = True
        try:
            # PyAV writes the trailer only if the header was written, and never twice; a trailer
            # that fails too (the disk is still full) changes nothing: the file is incomplete.
            container.close()
        except (av.FFmpegError, OSError):
            pass
        # When the header itself could not be written, PyAV never closes the file it opened:
        # in the app's server each full-disk failure would keep one more descriptor open.
        _close_descriptors_open_on(self.path)


def _close_descriptors_open_on(path: Path) -> None:
    """Close this process's file descriptors open on ``path`` (Linux, via ``/proc``; elsewhere nothing)."""
    descriptors = Path("/proc/self/fd")
    try:
        wanted = os.stat(path)
        numbers = [int(entry.name) for entry in descriptors.iterdir()]
    except OSError:  # no such file (nothing was opened), or no /proc
        return
    for fd in numbers:
        try:
            found = os.fstat(fd)
        except OSError:  # closed meanwhile (the listing's own descriptor)
            continue
        if (found.st_dev, found.st_ino) == (wanted.st_dev, wanted.st_ino):
            os.close(fd)
