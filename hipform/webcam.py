"""The live webcam path: one frame in, the frame with the skeleton and cues out.

:class:`LiveProcessor` does the work for each frame — pose (MediaPipe, via
:class:`hipform.pose.PoseEstimator`), the causal rep-by-rep analyser
(:class:`hipform.kinematics.live_checker.LiveAnalyser`) and the overlay
(:func:`hipform.annotate.draw_pose`) — without knowing about Streamlit or
WebRTC, so it can be tested with plain arrays. The app wires it to
streamlit-webrtc with :func:`make_queued_callback`.

Keeping up
    The WebRTC worker hands over every frame that arrived since the last
    call; :meth:`LiveProcessor.process_batch` runs pose on the newest one only
    and counts the rest as dropped, so a slow CPU shows fewer frames, never
    older ones. Pose sees the frame scaled down to ``max_side_px``.

Handing results over
    Each processed frame posts a :class:`LiveFrameResult` on
    :attr:`LiveProcessor.results`, a bounded queue the script thread drains;
    when nobody drains it, the oldest results are discarded (the worker never
    blocks), but their cues are kept and come with the next drain: a script
    thread that falls behind shows every rep's cue late, never loses one.

Too slow to judge
    :func:`processed_rate` is the frames per second pose and the analyser
    actually got through (the figure shown); :func:`too_slow_message` compares
    it with what the movement needs
    (:func:`hipform.kinematics.live_checker.min_frame_rate_hz`) and, below it,
    tells the person to record and analyse instead. Both read frame times only.

Recording
    :meth:`LiveProcessor.start_recording` writes every incoming frame (dropped
    ones included) to an H.264 MP4 on a background thread, with the camera's
    timestamps, until :meth:`LiveProcessor.stop_recording`; the file is then
    analysed like an upload. Starting a recording starts a new set: the live
    analyser forgets the reps before it, so live rep numbers match the
    recorded set's.

Network
    WebRTC needs no server on localhost. :func:`rtc_configuration` reads
    ``HIPFORM_ICE_SERVERS`` (JSON list of RTCIceServer dicts) for remote use and
    defaults to no ICE server at all, so nothing is contacted.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

import cv2
import numpy as np

from hipform import settings
from hipform.annotate import draw_pose
from hipform.video import VideoWriter

ENV_ICE_SERVERS = "HIPFORM_ICE_SERVERS"

#: How long a cue stays on screen, seconds.
CUE_SHOW_S = 4.0
#: The processed frame rate is measured over this many seconds of the most recent frames.
RATE_WINDOW_S = 2.0


def processed_rate(times_s: Sequence[float], window_s: float = RATE_WINDOW_S) -> float:
    """Frames per second over the last ``window_s`` seconds of processed-frame times (0 below two frames).

    Parameters
    ----------
    times_s : increasing times, seconds, one per processed frame (dropped frames are not in it).
    window_s : how far back from the newest time the rate is measured.
    """
    if len(times_s) < 2:
        return 0.0
    newest = times_s[-1]
    recent = [t for t in times_s if t >= newest - window_s]
    span = recent[-1] - recent[0]
    return (len(recent) - 1) / span if span > 0 else 0.0


def too_slow_message(times_s: Sequence[float], need_hz: float, window_s: float = RATE_WINDOW_S) -> str | None:
    """The warning for a processed rate below ``need_hz``, or None (fast enough, or not yet known).

    The rate is :func:`processed_rate` of ``times_s``; nothing is said before the times cover
    ``window_s`` seconds, so the slow first frame (the pose model loading) does not raise it.
    """
    if len(times_s) < 2 or times_s[-1] - times_s[0] < window_s:
        return None
    rate = processed_rate(times_s, window_s)
    if rate >= need_hz:
        return None
    return (
        f"This computer is too slow for live judging ({rate:.0f} frames/s; live cues need "
        f"{need_hz:.0f}): record and analyse instead. The recording keeps every camera frame."
    )


def rtc_configuration(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """WebRTC configuration: ``{"iceServers": [...]}`` from ``HIPFORM_ICE_SERVERS``, else none.

    Example for a remote deployment (your own STUN/TURN server)::

        HIPFORM_ICE_SERVERS='[{"urls": ["turn:turn.example.org:3478"], "username": "u", "credential": "p"}]'

    Raises
    ------
    ValueError
        The variable is not a JSON list of objects each with ``urls``.
    """
    text = settings.read(ENV_ICE_SERVERS, environ)
    if not text:
        return {"iceServers": []}
    try:
        servers = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"{ENV_ICE_SERVERS} must be JSON ({exc})") from None
    if not isinstance(servers, list) or not all(isinstance(s, dict) and "urls" in s for s in servers):
        raise ValueError(f'{ENV_ICE_SERVERS} must be a JSON list like [{{"urls": ["stun:host:3478"]}}]')
    return {"iceServers": servers}


class SaidCue(NamedTuple):
    """A cue as the page shows and speaks it.

    text : the sentence; rep : its rep number (None when the analyser gives none);
    kind : ``fault`` (names a fault), ``good`` (judged, nothing wrong) or ``not_judged``.
    """

    text: str
    rep: int | None
    kind: str


def said_cue(cue: object) -> SaidCue:
    """A cue object from the live analyser (a :class:`~hipform.kinematics.live_checker.LiveCue`) as
    a :class:`SaidCue`: a ``fault`` attribute set makes it a fault, ``judged`` false "not judged"."""
    if getattr(cue, "fault", None) is not None:
        kind = "fault"
    elif getattr(cue, "judged", True) is False:
        kind = "not_judged"
    else:
        kind = "good"
    rep = getattr(cue, "rep", None)
    return SaidCue(cue_text(cue), rep if isinstance(rep, int) else None, kind)


@dataclass(frozen=True)
class LiveFrameResult:
    """What one processed frame produced, for the script thread.

    Attributes
    ----------
    t_s : the frame's camera time, seconds.
    detected : a person was found.
    cues : cues that fired on this frame (plain sentences, e.g.
        ``rep 3: left knee collapsing — 14°``); the first result of a
        :meth:`LiveProcessor.drain` also carries those of results discarded unread.
    said : the same cues with their rep and kind (:class:`SaidCue`).
    reps : reps the analyser has counted in this set (0 without an analyser).
    fps : processed frames per second over the last :data:`RATE_WINDOW_S` s (:func:`processed_rate`).
    too_slow : :func:`too_slow_message` for the movement, or None.
    latency_ms : time spent on this frame (pose + analyser + drawing).
    frames_seen, frames_processed, frames_dropped : counters since start.
    recording : a recording is running; ``recorded_frames`` frames written so far.
    """

    t_s: float
    detected: bool
    cues: tuple[str, ...]
    said: tuple[SaidCue, ...]
    reps: int
    fps: float
    too_slow: str | None
    latency_ms: float
    frames_seen: int
    frames_processed: int
    frames_dropped: int
    recording: bool
    recorded_frames: int


def cue_text(cue: object) -> str:
    """A cue object from the live analyser as a sentence (its ``text``/``message``, else ``str``)."""
    for attr in ("text", "message"):
        value = getattr(cue, attr, None)
        if isinstance(value, str) and value:
            return value
    return str(cue)


def default_analyser(movement: str = "squat") -> Any:
    """hipform's causal live analyser for ``movement`` (one of ``LIVE_MOVEMENTS``)."""
    from hipform.kinematics.live_checker import LiveAnalyser

    return LiveAnalyser(movement)


class _Recorder:
    """Writes frames to an MP4 on its own thread; drops frames rather than block the caller."""

    def __init__(self, path: Path, fps: float = 30.0, max_queue: int = 60) -> None:
        self.path = Path(path)
        self.frames = 0
        self.dropped = 0
        self._queue: queue.Queue = queue.Queue(maxsize=max_queue)
        self._t0: float | None = None
        self._error: BaseException | None = None
        self._writer = VideoWriter(self.path, fps=fps)
        self._thread = threading.Thread(target=self._run, name="hipform-record", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while True:
                item = self._queue.get()
                if item is None:
                    break
                image, t_s = item
                self._writer.write(image, t_s=t_s)
                self.frames += 1
        except BaseException as exc:  # handed to stop(), which re-raises it in the caller's thread
            self._error = exc
        finally:
            self._writer.close()

    def add(self, image: np.ndarray, t_s: float) -> None:
        if self._t0 is None:
            self._t0 = t_s
        try:
            self._queue.put_nowait((image, max(t_s - self._t0, 0.0)))
        except queue.Full:
            self.dropped += 1

    def stop(self, timeout_s: float = 30.0) -> Path:
        self._queue.put(None)
        self._thread.join(timeout_s)
        if self._error is not None:
            raise self._error
        return self.path


class LiveProcessor:
    """Processes webcam frames: pose, live cues, overlay; optional recording.

    Parameters
    ----------
    estimator_factory : makes the pose estimator (an object with
        ``process(rgb, size_px) -> FramePose | None``); created on first use,
        in the worker thread, and used by that thread only.
    analyser : the causal analyser (``update(landmarks_px, visibility, t_s) -> cues``);
        None shows the skeleton without cues.
    max_side_px : longer side of the image pose sees.
    results_maxsize : size of :attr:`results`; older results are discarded when full.
    clock : seconds, for the frame rate (injectable for tests).
    min_rate_hz : processed frames a second the analyser needs (:func:`too_slow_message`); None:
        :func:`~hipform.kinematics.live_checker.min_frame_rate_hz` of the analyser's ``movement``,
        or no warning for an analyser without one.
    """

    def __init__(
        self,
        estimator_factory: Callable[[], Any] | None = None,
        analyser: Any | None = None,
        max_side_px: int = 480,
        results_maxsize: int = 64,
        clock: Callable[[], float] = time.monotonic,
        min_rate_hz: float | None = None,
    ) -> None:
        if max_side_px < 64:
            raise ValueError(f"max_side_px must be at least 64, got {max_side_px}")
        self._estimator_factory = estimator_factory or _default_estimator
        self._estimator: Any | None = None
        self.analyser = analyser
        self.max_side_px = int(max_side_px)
        self.results: queue.Queue[LiveFrameResult] = queue.Queue(maxsize=results_maxsize)
        self._clock = clock
        if min_rate_hz is None and isinstance(getattr(analyser, "movement", None), str):
            from hipform.kinematics.live_checker import min_frame_rate_hz

            min_rate_hz = min_frame_rate_hz(analyser.movement)
        self.min_rate_hz = min_rate_hz
        self._lock = threading.Lock()
        self._recorder: _Recorder | None = None
        self._times: deque[float] = deque(maxlen=120)
        self._cues_on_screen: deque[tuple[float, str]] = deque(maxlen=3)
        # cues of results discarded before the script read them (bounded all the same: a script
        # that never drains must not grow it forever)
        self._unread_cues: deque[SaidCue] = deque(maxlen=256)
        # set by the script thread, acted on by the worker (the only thread that uses the analyser)
        self._new_set = False
        self.frames_seen = 0
        self.frames_processed = 0
        self.frames_dropped = 0
        self.last_landmarks: np.ndarray | None = None
        self._analysed_t: float | None = None  # camera time of the last frame the analyser saw

    # ------------------------------------------------------------ recording
    def start_recording(self, path: str | Path, fps: float = 30.0) -> None:
        """Start writing every incoming frame to ``path`` (H.264 MP4), as a new set: the analyser
        forgets earlier reps before the next frame, so live rep numbers match the recording's."""
        with self._lock:
            if self._recorder is not None:
                raise RuntimeError("already recording")
            self._recorder = _Recorder(Path(path), fps=fps)
            self._new_set = True

    def stop_recording(self) -> tuple[Path, int] | None:
        """Finish the recording; returns (path, frames written), or None if none was running."""
        with self._lock:
            rec, self._recorder = self._recorder, None
        if rec is None:
            return None
        path = rec.stop()
        return path, rec.frames

    @property
    def recording(self) -> bool:
        return self._recorder is not None

    # ------------------------------------------------------------ processing
    def process_batch(self, frames: Sequence[tuple[np.ndarray, float]]) -> np.ndarray:
        """Record all ``frames`` (RGB, camera time in s), process the newest, return it drawn on.

        The others count as dropped: the picture stays current however slow pose is.
        """
        if not frames:
            raise ValueError("process_batch needs at least one frame")
        with self._lock:
            rec = self._recorder
        for image, t_s in frames:
            self.frames_seen += 1
            if rec is not None:
                rec.add(image, float(t_s))
        self.frames_dropped += len(frames) - 1
        image, t_s = frames[-1]
        return self._process(image, float(t_s), rec)

    def process(self, image_rgb: np.ndarray, t_s: float) -> np.ndarray:
        """Process one frame (recording it when recording); returns the frame drawn on."""
        return self.process_batch([(image_rgb, t_s)])

    def _process(self, image: np.ndarray, t_s: float, rec: _Recorder | None) -> np.ndarray:
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f"expected an (H, W, 3) uint8 RGB image, got {image.shape} {image.dtype}")
        start = self._clock()
        if self._estimator is None:
            self._estimator = self._estimator_factory()
        h, w = image.shape[:2]
        scale = min(1.0, self.max_side_px / max(h, w))
        small = image
        if scale < 1.0:
            small = cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
        found = self._estimator.process(small, size_px=(w, h))
        with self._lock:
            new_set, self._new_set = self._new_set, False
        reset = getattr(self.analyser, "reset", None)
        if new_set and reset is not None:
            reset()
        new_cues: list[SaidCue] = []
        if found is not None:
            self.last_landmarks = found.landmarks_px
            if self.analyser is not None and self._in_order(t_s):
                cues = self.analyser.update(found.landmarks_px, found.visibility, t_s)
                new_cues = [said_cue(c) for c in cues]
            out = draw_pose(image, found.landmarks_px[:, :2], found.visibility)
        else:
            out = image.copy()
        now = self._clock()
        for cue in new_cues:
            self._cues_on_screen.append((now, cue.text))
        self._times.append(now)
        self.frames_processed += 1
        fps = processed_rate(self._times)
        self._draw_status(out, fps, rec is not None, found is not None, now)
        result = LiveFrameResult(
            t_s=t_s,
            detected=found is not None,
            cues=tuple(c.text for c in new_cues),
            said=tuple(new_cues),
            reps=int(getattr(self.analyser, "reps", 0)),
            fps=fps,
            too_slow=None if self.min_rate_hz is None else too_slow_message(self._times, self.min_rate_hz),
            latency_ms=(now - start) * 1000.0,
            frames_seen=self.frames_seen,
            frames_processed=self.frames_processed,
            frames_dropped=self.frames_dropped,
            recording=rec is not None,
            recorded_frames=rec.frames if rec is not None else 0,
        )
        self._post(result)
        return out

    def _in_order(self, t_s: float) -> bool:
        """Whether the analyser may see a frame at camera time ``t_s`` (its times must increase).

        A repeated or slightly earlier time (a duplicated or reordered frame) is skipped; a
        jump back of more than a second means the camera restarted: the analyser starts a
        new set.
        """
        last = self._analysed_t
        if last is not None and not t_s > last:
            if t_s > last - 1.0:
                return False
            reset = getattr(self.analyser, "reset", None)
            if reset is not None:
                reset()
        self._analysed_t = t_s
        return True

    def _post(self, result: LiveFrameResult) -> None:
        while True:
            try:
                self.results.put_nowait(result)
                return
            except queue.Full:
                try:
                    oldest = self.results.get_nowait()  # discard it: the worker never waits for the script
                except queue.Empty:
                    continue
                with self._lock:  # its frame is stale, its cues are not: a rep's cue must reach the person
                    self._unread_cues.extend(oldest.said)

    def drain(self) -> list[LiveFrameResult]:
        """Every result posted since the last call (script thread).

        Cues of results discarded unread come first, with the oldest result returned.
        """
        out = []
        while True:
            try:
                out.append(self.results.get_nowait())
            except queue.Empty:
                break
        with self._lock:
            if out and self._unread_cues:
                said = (*self._unread_cues, *out[0].said)
                out[0] = replace(out[0], cues=tuple(c.text for c in said), said=said)
                self._unread_cues.clear()
        return out

    def _draw_status(
        self, image: np.ndarray, fps: float, recording: bool, detected: bool, now: float
    ) -> None:
        h, w = image.shape[:2]
        scale = max(h, w) / 1000.0
        thick = max(1, round(scale * 2))
        status = f"{fps:4.1f} fps" + ("" if detected else "  - step into view")
        _text(image, status, (10, round(30 * scale) + 8), scale * 0.8, (255, 255, 255), thick)
        if recording:
            cv2.circle(
                image,
                (w - round(28 * scale) - 10, round(24 * scale) + 8),
                round(12 * scale) + 2,
                (229, 57, 53),
                -1,
                cv2.LINE_AA,
            )
            _text(
                image,
                "REC",
                (w - round(120 * scale) - 14, round(32 * scale) + 8),
                scale * 0.8,
                (229, 57, 53),
                thick,
            )
        y = h - 14
        for at, text in reversed(self._cues_on_screen):
            if now - at > CUE_SHOW_S:
                continue
            _text(image, text, (10, y), scale * 0.9, (255, 213, 0), thick + 1)
            y -= round(40 * scale) + 6

    def close(self) -> None:
        """Stop any recording and release the pose model."""
        self.stop_recording()
        if self._estimator is not None and hasattr(self._estimator, "close"):
            self._estimator.close()
        self._estimator = None


def _text(
    image: np.ndarray, text: str, org: tuple[int, int], scale: float, colour: tuple[int, int, int], thick: int
) -> None:
    # OpenCV's fonts have no degree sign or dashes beyond ASCII
    ascii_text = text.replace("°", " deg").replace("—", "-").replace("–", "-")
    ascii_text = ascii_text.encode("ascii", "replace").decode()
    cv2.putText(image, ascii_text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thick + 3, cv2.LINE_AA)
    cv2.putText(image, ascii_text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, thick, cv2.LINE_AA)


def _default_estimator() -> Any:
    from hipform.pose import PoseEstimator

    return PoseEstimator()


def make_queued_callback(processor: LiveProcessor) -> Callable[[list[Any]], Any]:
    """An async ``queued_video_frames_callback`` for streamlit-webrtc around ``processor``.

    It receives every ``av.VideoFrame`` queued since the last call and returns
    one frame: the newest, processed.
    """
    import av

    async def callback(frames: list[av.VideoFrame]) -> list[av.VideoFrame]:
        batch = []
        for f in frames:
            t = float(f.time) if f.time is not None else time.monotonic()
            batch.append((f.to_ndarray(format="rgb24"), t))
        out = av.VideoFrame.from_ndarray(processor.process_batch(batch), format="rgb24")
        out.pts, out.time_base = frames[-1].pts, frames[-1].time_base
        return [out]

    return callback
