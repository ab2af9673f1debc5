"""Pose estimation with MediaPipe BlazePose: the only module that imports mediapipe.

MediaPipe's results are converted to numpy arrays here, at the boundary, and
never leave this module as MediaPipe objects.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from hipform.errors import ModelUnavailableError, NoPersonError
from hipform.landmarks import N_LANDMARKS
from hipform.limits import Limits
from hipform.people import (
    PersonChecks,
    bystander_mask_box,
    compute_motion,
    hips_inside,
    is_other_person,
    person_box_px,
    tracked_is_bystander,
)
from hipform.sequence import PoseSequence
from hipform.shots import CutDetector, cuts_meta
from hipform.video import Frame, ReadStatus, VideoInfo, VideoStream

#: BlazePose variants and the model file each needs inside the mediapipe package.
MODELS = {
    "lite": (0, "pose_landmark_lite.tflite"),
    "full": (1, "pose_landmark_full.tflite"),
    "heavy": (2, "pose_landmark_heavy.tflite"),
}

#: Progress callback: (frames done, frames expected or 0 when unknown).
Progress = Callable[[int, int], None]

#: Called after each frame tracked with the pass so far (``_Pass``) and the frame.
AfterFrame = Callable[["_Pass", Frame], None]


@dataclass(frozen=True)
class PoseOptions:
    """How to run the pose model.

    Attributes
    ----------
    model : ``"full"`` (bundled, default), ``"lite"`` or ``"heavy"`` (these two
        need a one-off download and are refused when the file is missing).
    min_detection_confidence : person-detector score to start tracking, [0, 1].
    min_tracking_confidence : landmark score below which the detector runs again, [0, 1].
    smooth_landmarks : MediaPipe's own temporal smoothing across frames.
    max_side_px : frames are scaled down so their longer side is at most this
        before the model sees them (it works on 256×256 crops anyway);
        landmarks are still reported in the original frame's pixels.
    person_checks_per_s : how many times a second a second, single-image pose
        model looks for another person with the tracked one masked out (see
        :mod:`hipform.people`); 0 never looks.
    """

    model: str = "full"
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    smooth_landmarks: bool = True
    max_side_px: int = 640
    person_checks_per_s: float = 2.0

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise ValueError(f"model must be one of {sorted(MODELS)}, got {self.model!r}")
        for name in ("min_detection_confidence", "min_tracking_confidence"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be within [0, 1], got {value}")
        if self.max_side_px < 64:
            raise ValueError(f"max_side_px must be at least 64, got {self.max_side_px}")
        if not 0.0 <= self.person_checks_per_s <= 30.0:
            raise ValueError(f"person_checks_per_s must be within [0, 30], got {self.person_checks_per_s}")


@dataclass(frozen=True, eq=False)
class FramePose:
    """Landmarks of one frame.

    landmarks_px : (33, 3) x, y in pixels of the reference frame size; z scaled like x.
    visibility : (33,) in [0, 1].
    world_m : (33, 3) metres, origin at the hip midpoint.
    """

    landmarks_px: np.ndarray
    visibility: np.ndarray
    world_m: np.ndarray


@contextlib.contextmanager
def native_logs_silenced() -> Iterator[object]:
    """Hide MediaPipe's C++ log lines (written straight to file descriptor 2).

    Yields a text stream on the real standard error, for progress bars and
    messages that must still reach the user while the descriptor is muted.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    console = os.fdopen(os.dup(saved), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield console
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
        console.close()


def _model_path(model: str) -> Path:
    import mediapipe  # deferred: importing mediapipe takes about a second

    return Path(mediapipe.__file__).parent / "modules" / "pose_landmark" / MODELS[model][1]


def check_model_available(model: str) -> None:
    """Raise :class:`ModelUnavailableError` unless ``model``'s file is installed.

    MediaPipe would otherwise try to download it, which hangs or fails offline.
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {sorted(MODELS)}, got {model!r}")
    if not _model_path(model).is_file():
        if model == PoseOptions.model:  # the bundled model: the installation is damaged, not offline
            from importlib.metadata import version

            pinned = f"mediapipe=={version('mediapipe')}"
            raise ModelUnavailableError(
                f"The pose model file {MODELS[model][1]} is missing from this mediapipe installation; "
                f"reinstall it with 'pip install --force-reinstall --no-deps {pinned}'."
            )
        raise ModelUnavailableError(
            f"The '{model}' pose model needs a download and is not available offline; "
            "use the bundled 'full' model (the default)."
        )


# A serialised landmark list is 33 messages of 22 bytes: tag 0x0a, length 20,
# then x, y, z, visibility as tagged little-endian float32 (tags 0x0d, 0x15,
# 0x1d, 0x25). Reading the floats straight from those bytes takes a few
# microseconds instead of ~40 for 132 Python attribute reads; anything else
# (a field missing or added) takes the slow, general path.
_MSG_BYTES = 22
_HEADER = np.array([0x0A, 0x14, 0x0D, 0x15, 0x1D, 0x25], np.uint8)
_HEADER_COLS = np.array([0, 1, 2, 7, 12, 17])
_FLOAT_COLS = np.r_[3:7, 8:12, 13:17, 18:22]


def _landmark_array(landmark_list: object) -> np.ndarray:
    """(33, 4) float32 x, y, z, visibility of a MediaPipe landmark list."""
    raw = np.frombuffer(landmark_list.SerializeToString(), np.uint8)
    if raw.size == N_LANDMARKS * _MSG_BYTES:
        rows = raw.reshape(N_LANDMARKS, _MSG_BYTES)
        if np.array_equal(rows[:, _HEADER_COLS], np.broadcast_to(_HEADER, (N_LANDMARKS, _HEADER.size))):
            return rows[:, _FLOAT_COLS].copy().view("<f4").astype(np.float32, copy=False)
    points = landmark_list.landmark
    if len(points) != N_LANDMARKS:
        raise RuntimeError(f"MediaPipe returned {len(points)} landmarks, expected {N_LANDMARKS}")
    return np.array([(p.x, p.y, p.z, p.visibility) for p in points], np.float32)


#: Person-detector score the look for other people needs. At the default 0.5 the
#: single-image model finds phantom people in the clutter of a gym floor (dumbbells,
#: plates); at 0.8 none are left in the shared real clips, while a real second person
#: is still found in 5 of 7 frames, and a rendered one in every frame.
OTHER_PERSON_MIN_DETECTION = 0.8


class PoseEstimator:
    """BlazePose in tracking (video) mode, one frame at a time.

    Not thread-safe: use one estimator per thread. Frames must come in time
    order; call :meth:`reset` (or use a new estimator) before a new clip.

    Parameters
    ----------
    options : model settings.
    single_images : run the person detector on every frame and forget the
        previous one (MediaPipe's static image mode): for frames that are not
        a sequence, such as the look for a second person.
    """

    def __init__(self, options: PoseOptions | None = None, single_images: bool = False) -> None:
        self.options = options or PoseOptions()
        check_model_available(self.options.model)
        os.environ.setdefault("GLOG_minloglevel", "2")  # keep MediaPipe's C++ logging off the user's terminal
        import mediapipe as mp

        self._pose = mp.solutions.pose.Pose(
            static_image_mode=single_images,
            model_complexity=MODELS[self.options.model][0],
            smooth_landmarks=self.options.smooth_landmarks,
            enable_segmentation=False,
            min_detection_confidence=self.options.min_detection_confidence,
            min_tracking_confidence=self.options.min_tracking_confidence,
        )
        self._companion: PoseEstimator | None = None

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def reset(self) -> None:
        """Forget the tracked person and the smoothing state, ready for a new clip.

        Much cheaper than a new estimator (the model stays loaded).
        """
        if self._pose is None:
            raise RuntimeError("this PoseEstimator is closed")
        self._pose.reset()

    def single_image_companion(self) -> PoseEstimator:
        """The single-image estimator that looks for other people, made on first use and closed with this one.

        Same options, but a person detector score of at least
        :data:`OTHER_PERSON_MIN_DETECTION`.
        """
        if self._companion is None:
            strict = max(self.options.min_detection_confidence, OTHER_PERSON_MIN_DETECTION)
            self._companion = PoseEstimator(
                replace(self.options, min_detection_confidence=strict), single_images=True
            )
        return self._companion

    def close(self) -> None:
        if self._pose is not None:
            self._pose.close()
            self._pose = None
        if self._companion is not None:
            self._companion.close()
            self._companion = None

    def process(self, image_rgb: np.ndarray, size_px: tuple[int, int] | None = None) -> FramePose | None:
        """Landmarks of the person in one RGB frame, or ``None`` if nobody is found.

        Parameters
        ----------
        image_rgb : (H, W, 3) uint8 RGB.
        size_px : (width, height) of the frame the pixel coordinates should refer
            to (the original frame when ``image_rgb`` was scaled down); defaults
            to the image's own size.
        """
        if self._pose is None:
            raise RuntimeError("this PoseEstimator is closed")
        if image_rgb.ndim != 3 or image_rgb.shape[2] != 3 or image_rgb.dtype != np.uint8:
            raise ValueError(
                f"expected an (H, W, 3) uint8 RGB image, got {image_rgb.shape} {image_rgb.dtype}"
            )
        width, height = size_px or (image_rgb.shape[1], image_rgb.shape[0])
        result = self._pose.process(np.ascontiguousarray(image_rgb))
        if result.pose_landmarks is None:
            return None
        lm = _landmark_array(result.pose_landmarks)
        px = lm[:, :3] * np.array([width, height, width], np.float32)
        if result.pose_world_landmarks is not None:
            world = np.ascontiguousarray(_landmark_array(result.pose_world_landmarks)[:, :3])
        else:
            world = np.full((N_LANDMARKS, 3), np.nan, np.float32)
        return FramePose(landmarks_px=px, visibility=np.clip(lm[:, 3], 0.0, 1.0), world_m=world)


#: Rows allocated up front (20,000 frames ≈ 18 MB); a container that states an
#: absurd frame count must not make hipform allocate gigabytes.
_MAX_PREALLOCATED_FRAMES = 20_000


class _Rows:
    """Per-frame results written into preallocated arrays (grown by doubling).

    Memory stays at ~1 kB a frame whatever the clip length, with no per-frame
    Python objects kept and no final copy of a list of rows.
    """

    def __init__(self, capacity: int) -> None:
        self.n = 0
        self._alloc(max(capacity, 16))

    def _alloc(self, capacity: int) -> None:
        old = (self.lm, self.vis, self.world, self.t) if self.n else None
        self.lm = np.full((capacity, N_LANDMARKS, 3), np.nan, np.float32)
        self.vis = np.zeros((capacity, N_LANDMARKS), np.float32)
        self.world = np.full((capacity, N_LANDMARKS, 3), np.nan, np.float32)
        self.t = np.zeros(capacity, np.float64)
        if old is not None:
            for new, prev in zip((self.lm, self.vis, self.world, self.t), old, strict=True):
                new[: self.n] = prev[: self.n]

    @classmethod
    def of(cls, lm: np.ndarray, vis: np.ndarray, world: np.ndarray, t: np.ndarray) -> _Rows:
        """Rows holding these arrays (as :meth:`arrays` returns them)."""
        rows = cls.__new__(cls)
        rows.lm, rows.vis, rows.world, rows.t = lm, vis, world, t
        rows.n = t.shape[0]
        return rows

    def add(self, found: FramePose | None, t_s: float) -> None:
        if self.n == self.t.shape[0]:
            self._alloc(2 * self.n)
        i = self.n
        if found is not None:
            self.lm[i] = found.landmarks_px
            self.vis[i] = found.visibility
            self.world[i] = found.world_m
        self.t[i] = t_s
        self.n += 1

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        n = self.n
        if n == self.t.shape[0]:
            return self.lm, self.vis, self.world, self.t
        return self.lm[:n].copy(), self.vis[:n].copy(), self.world[:n].copy(), self.t[:n].copy()


class _OtherPersonLook:
    """The second look for another person, on a few frames a second.

    The tracked person's padded landmark box is filled with the frame's mean
    colour, and a single-image pose model runs on what is left: whoever it finds
    may be someone else (:func:`hipform.people.is_other_person`).

    The clip's time is cut into slots of ``1 / checks_per_s`` seconds from its
    first frame, and the look runs on the first frame of each slot where the
    tracked person is found. The frames looked at depend only on the frame
    times and where someone is tracked, not on where reading started: the
    workers that each track a stretch of the clip (:mod:`hipform.pose_workers`)
    look at the frames a read from the start would.
    """

    def __init__(self, estimator: PoseEstimator, checks_per_s: float) -> None:
        self._estimator = estimator
        self._last_slot = -1
        self.checks_per_s = checks_per_s
        self.frames_checked: list[int] = []
        self.frames: list[int] = []
        self.landmarks: list[np.ndarray] = []

    def slot(self, t_s: float) -> int:
        """The time slot of a frame shown at ``t_s``: one look per slot at most."""
        return math.floor(t_s * self.checks_per_s)

    def look(self, frame: Frame, tracked: FramePose | None, size_px: tuple[int, int]) -> None:
        if tracked is None or self.slot(frame.t_s) <= self._last_slot:
            return
        self._last_slot = self.slot(frame.t_s)
        box = person_box_px(tracked.landmarks_px)
        if box is None:
            return
        self.frames_checked.append(frame.index)
        found = self._estimator.process(masked(frame.image, box, frame.scale), size_px=size_px)
        if found is not None and is_other_person(tracked.landmarks_px, found.landmarks_px):
            self.frames.append(frame.index)
            self.landmarks.append(found.landmarks_px[:, :2])

    def checks(self) -> PersonChecks:
        lm = np.asarray(self.landmarks, float).reshape(-1, N_LANDMARKS, 2)
        return PersonChecks(self.checks_per_s, tuple(self.frames_checked), tuple(self.frames), lm)


def masked(image: np.ndarray, box_px: tuple[float, float, float, float], scale: float = 1.0) -> np.ndarray:
    """A copy of ``image`` with ``box_px`` (pixels of the unscaled frame) filled with its mean colour."""
    out = image.copy()
    h, w = image.shape[:2]
    x0, y0, x1, y1 = (int(round(v * scale)) for v in box_px)
    out[max(y0, 0) : min(y1, h), max(x0, 0) : min(x1, w)] = image.reshape(-1, 3).mean(axis=0).astype(np.uint8)
    return out


@dataclass
class _Pass:
    """One run of the tracking pose model over a clip (or over a stretch of it)."""

    info: VideoInfo
    status: ReadStatus
    rows: _Rows
    cuts: CutDetector | None = None
    look: _OtherPersonLook | None = None
    #: how the stretches tracked by several workers were joined (:mod:`hipform.pose_workers`)
    seams: dict | None = None


def open_for_pose(
    path: str | Path,
    options: PoseOptions,
    status: ReadStatus | None = None,
    start_s: float = 0.0,
    limits: Limits | None = None,
) -> VideoStream:
    """The clip's frames as the pose model gets them (scaled, decoded on one thread beside it).

    ``start_s`` reads from a point in time, ``limits`` as for :class:`~hipform.video.VideoStream`.
    """
    return VideoStream(
        path,
        options.max_side_px,
        status=status,
        fast_decode=True,
        share_cpu=True,
        limits=limits,
        start_s=start_s,
    )


def _track(
    video: VideoStream,
    estimator: PoseEstimator,
    look: _OtherPersonLook | None = None,
    mask_box_px: tuple[float, float, float, float] | None = None,
    after_frame: AfterFrame | None = None,
    until: Callable[[_Pass, Frame], bool] | None = None,
) -> _Pass:
    """Track one person through the frames of ``video`` (optionally with ``mask_box_px`` hidden).

    With ``look``, also gathers the scene-cut evidence and looks for other
    people. ``after_frame`` is called after each frame, with the pass so far;
    reading stops before the first frame for which ``until`` (given the pass
    so far and the frame) is true.
    """
    info = video.info
    expected = info.estimated_frames
    run = _Pass(info, video.status, _Rows(min(expected + 16, _MAX_PREALLOCATED_FRAMES)))
    if look is not None:
        run.cuts, run.look = CutDetector(), look
    size = (info.width_px, info.height_px)
    for frame in video:
        if until is not None and until(run, frame):
            break
        image = frame.image if mask_box_px is None else masked(frame.image, mask_box_px, frame.scale)
        found = estimator.process(image, size_px=size)
        run.rows.add(found, frame.t_s)
        if look is not None:
            run.cuts.add(frame.image)
            look.look(frame, found, size)
        if after_frame is not None:
            after_frame(run, frame)
    return run


def _track_clip(
    path: str | Path,
    options: PoseOptions,
    estimator: PoseEstimator,
    progress: Progress | None,
    workers: int,
    look: _OtherPersonLook | None = None,
    mask_box_px: tuple[float, float, float, float] | None = None,
) -> _Pass:
    """:func:`_track` over the whole clip, by ``workers`` processes each on a stretch of it when worth it."""
    if workers > 1:
        from hipform.pose_workers import track_in_segments

        return track_in_segments(path, options, estimator, progress, workers, look, mask_box_px)
    with open_for_pose(path, options, ReadStatus()) as video:
        expected = video.info.estimated_frames
        report = (
            None
            if progress is None
            else (lambda run, _frame: progress(run.rows.n, max(expected, run.rows.n)))
        )
        return _track(video, estimator, look, mask_box_px, after_frame=report)


def _follow_the_mover(
    path: str | Path,
    options: PoseOptions,
    estimator: PoseEstimator,
    progress: Progress | None,
    first: _Pass,
    workers: int,
) -> tuple[_Pass, PersonChecks]:
    """The pass whose person to judge, and who it is (see :class:`PersonChecks`).

    When the tracked person stands still while the other one moves, the clip is
    tracked again with the bystander masked out; if no mask can separate the
    two, the first pass is kept and marked ``bystander`` so the analysis refuses.
    """
    checks = first.look.checks()
    if not checks.found:
        return first, checks
    lm, _, _, _ = first.rows.arrays()
    frames = list(checks.frames)
    tracked_motion = compute_motion(lm[frames])
    other_motion = compute_motion(checks.landmarks_px)
    checks = replace(checks, tracked_motion=tracked_motion, other_motion=other_motion)
    if not tracked_is_bystander(tracked_motion, other_motion, len(frames)):
        return first, checks
    box = bystander_mask_box(lm, checks.landmarks_px, first.info.width_px, first.info.height_px)
    if box is None:
        return first, replace(checks, tracked="bystander")
    estimator.reset()
    second = _track_clip(path, options, estimator, progress, workers, mask_box_px=box)
    lm2, _, _, _ = second.rows.arrays()
    mover_boxes = [person_box_px(lm) for lm in checks.landmarks_px]
    at_mover = [hips_inside(b, lm2[f]) for f, b in zip(frames, mover_boxes, strict=True) if b is not None]
    if not at_mover or np.mean(at_mover) < 0.5:  # the mask hid the mover too, or nobody else was followed
        return first, replace(checks, tracked="bystander", mask_box_px=box)
    return second, replace(checks, tracked="mover", mask_box_px=box)


def estimate_pose(
    path: str | Path,
    options: PoseOptions | None = None,
    progress: Progress | None = None,
    require_person: bool = True,
    estimator: PoseEstimator | None = None,
    workers: int | None = None,
) -> PoseSequence:
    """Run BlazePose over every frame of a video.

    While it runs, a few frames a second are checked for another person
    (``options.person_checks_per_s``) and every frame adds to the scene-cut
    evidence; both end up in the sequence's ``meta`` (``"people"``, see
    :class:`hipform.people.PersonChecks`; ``"shots"``, see
    :func:`hipform.shots.cuts_meta`). When the tracked person stands still while
    another person moves, the clip is tracked a second time with the bystander
    masked out (progress starts again from 0).

    Parameters
    ----------
    path : a video file.
    options : model settings; the defaults suit phone clips.
    progress : called after each frame with (frames done, frames expected).
    require_person : raise :class:`NoPersonError` when nobody is found in any frame.
    estimator : an open estimator to reuse (it is reset first, and its own
        options are used instead of ``options``); saves loading the model
        again when many clips are analysed in one process.
    workers : processes that track the clip, each a stretch of it (this one
        included; see :mod:`hipform.pose_workers`); ``None``:
        :func:`hipform.settings.pose_workers` (``$HIPFORM_POSE_WORKERS``, else
        one per core). Clips too short to gain from it use one.

    Returns
    -------
    PoseSequence
        One row per decoded frame (NaN rows where nobody was found), in the
        upright frame's pixel coordinates, with the real frame timestamps.

    Raises
    ------
    VideoReadError
        The file is missing, not a video, or cannot be decoded.
    ModelUnavailableError
        The requested model is not installed.
    NoPersonError
        ``require_person`` and no frame shows a person.
    """
    if estimator is not None:
        options = estimator.options
        estimator.reset()
    options = options or PoseOptions()
    if workers is None:
        from hipform.settings import pose_workers

        workers = pose_workers()
    if workers > 1 and multiprocessing.current_process().daemon:
        workers = 1  # a daemonic process (a batch or benchmark pool worker) may not start children
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    own = estimator is None
    est = PoseEstimator(options) if own else estimator
    try:
        look = None
        if options.person_checks_per_s > 0:
            look = _OtherPersonLook(est.single_image_companion(), options.person_checks_per_s)
        first = _track_clip(path, options, est, progress, workers, look=look)
        run, checks = (
            (first, None) if look is None else _follow_the_mover(path, options, est, progress, first, workers)
        )
    finally:
        if own:
            est.close()
    info = first.info
    landmarks_px, visibility, world_m, t_s = run.rows.arrays()
    meta = {
        "codec": info.codec,
        "rotation_deg": info.rotation_deg,
        "model": options.model,
        "stopped_early": first.status.stopped_early,
        "warnings": list(first.status.warnings),
    }
    if run.seams is not None:
        meta["pose_workers"] = run.seams
    if checks is not None:
        meta["people"] = checks.to_meta()
        meta["shots"] = cuts_meta(first.cuts)
    seq = PoseSequence(
        landmarks_px=landmarks_px,
        visibility=visibility,
        world_m=world_m,
        t_s=t_s,
        width_px=info.width_px,
        height_px=info.height_px,
        fps=info.fps,
        source=Path(path).name,
        meta=meta,
    )
    if require_person:
        require_person_in(seq, path)
    return seq


def require_person_in(seq: PoseSequence, path: str | Path) -> None:
    """Raise :class:`NoPersonError` unless some frame of ``seq`` shows a person."""
    if not seq.detected.any():
        raise NoPersonError(
            f"No person was found in '{Path(path).name}'. Film the whole body, well lit, "
            "with only one person in view."
        )
