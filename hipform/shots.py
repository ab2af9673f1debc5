"""Continuous shots of an edited clip: scene cuts and jumps in the body's size.

An instructional video is rarely one take: title cards, close-ups of the legs
and full-body shots follow each other. Counting reps across a cut, or in a
close-up that shows no hips, gives numbers for movements nobody made. This
module finds where the picture changes abruptly (scene cuts, measured on tiny
grey thumbnails while the pose model runs) and where the tracked body's size
in the image jumps (a zoom between two shots of the same scene), splits the
clip into shots and says which of them show the whole body.

numpy and OpenCV only: the pose model stays in :mod:`hipform.pose`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from hipform.landmarks import Landmark
from hipform.sequence import PoseSequence

#: Side of the square grey thumbnail each frame is reduced to for cut detection, pixels.
THUMB_PX = 32
#: Bins of the grey-level histogram compared between frames.
HIST_BINS = 16
#: A cut changes at least this share of the thumbnail's grey levels (mean absolute
#: difference, 0–1) or of its histogram (half the L1 distance, 0–1) in one frame.
CUT_MIN_PIXEL_CHANGE = 0.08
CUT_MIN_HIST_CHANGE = 0.25
#: ... and at least this many times the usual frame-to-frame change around it,
#: so fast movement or a shaking camera (large changes on every frame) is no cut.
CUT_MIN_CONTRAST = 4.0
#: Frames each side whose usual change the candidate is compared with.
CUT_CONTEXT_FRAMES = 8

#: The body's size in the image jumping by this factor between neighbouring
#: frames, and staying there, is a change of shot (a zoom cut within one scene).
SCALE_JUMP_FACTOR = 1.6
#: Frames before and after a size jump whose median size must differ by the same factor.
SCALE_JUMP_HOLD_FRAMES = 5

#: Across a picture cut, a body within this size factor ...
BODY_CONTINUES_SCALE = 1.2
#: ... that moved at most this many body sizes (median of its joints) is the same shot going on.
BODY_CONTINUES_MOVE = 0.35

#: Landmarks that must be inside the picture for a frame to show the whole body
#: (with the face: :func:`full_body_frames`).
BODY_LANDMARKS = tuple(
    Landmark[f"{side}_{part}"] for side in ("LEFT", "RIGHT") for part in ("SHOULDER", "HIP", "KNEE", "ANKLE")
)
#: The face must sit at least this many body sizes (:func:`body_scale_px`) below the top
#: of the picture: room for the top of the head. On a close-up of the legs the pose
#: model still places a whole body, with the face squeezed against the top edge
#: (at most 0.07 in 5 rendered close-ups); in whole-body clips it sits 1.4–5 below.
MIN_HEADROOM = 0.25
#: Visibility the hips need (other landmarks may be hidden behind the body: a side view).
FULL_BODY_MIN_VISIBILITY = 0.5
#: A shot shows the whole body when at least this share of its frames do: 0.92–1.0
#: of the frames of the rendered and real single-take clips, 0.0–0.43 of close-ups
#: cropped from the waist or the hips down.
FULL_BODY_MIN_SHARE = 0.6
#: Shots shorter than this are too short to judge anything in, seconds.
MIN_SHOT_S = 1.0


class CutDetector:
    """Scene-cut evidence gathered one frame at a time, for about 0.1 ms a frame.

    Each frame is reduced to a :data:`THUMB_PX`-square grey thumbnail; the detector
    keeps only the last two thumbnails and three numbers a frame: the change
    from the previous frame (pixels and histogram) and from the frame before it.
    The latter tells a cut (the next frame is still unlike the one before the
    cut) from a flash or a single damaged frame (the next frame looks like the
    one before again).
    """

    def __init__(self) -> None:
        self._thumbs: deque[np.ndarray] = deque(maxlen=2)
        self._hist: np.ndarray | None = None
        self.pixel_change: list[float] = []
        self.hist_change: list[float] = []
        self.skip_one_change: list[float] = []

    def add(self, image_rgb: np.ndarray) -> None:
        """Take the next decoded frame ((H, W, 3) uint8 RGB, any size)."""
        # every n-th pixel first: area-averaging a whole 640-px frame costs 0.6 ms, this 0.1 ms
        step = max(1, min(image_rgb.shape[:2]) // (2 * THUMB_PX))
        small = cv2.resize(image_rgb[::step, ::step], (THUMB_PX, THUMB_PX), interpolation=cv2.INTER_AREA)
        thumb = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
        hist = np.bincount((thumb.ravel() * (HIST_BINS - 1e-3)).astype(np.intp), minlength=HIST_BINS)
        hist = hist / hist.sum()
        if self._thumbs:
            self.pixel_change.append(float(np.mean(np.abs(thumb - self._thumbs[-1]))))
            self.hist_change.append(0.5 * float(np.abs(hist - self._hist).sum()))
        else:
            self.pixel_change.append(0.0)
            self.hist_change.append(0.0)
        before = self._thumbs[0] if len(self._thumbs) == 2 else None
        self.skip_one_change.append(float(np.mean(np.abs(thumb - before))) if before is not None else 0.0)
        self._thumbs.append(thumb)
        self._hist = hist

    def cuts(self) -> list[tuple[int, float]]:
        """``(frame, pixel change)`` of every cut: ``frame`` is the first frame of a new shot."""
        return find_cuts(
            np.asarray(self.pixel_change), np.asarray(self.hist_change), np.asarray(self.skip_one_change)
        )


def find_cuts(pixel: np.ndarray, hist: np.ndarray, skip_one: np.ndarray) -> list[tuple[int, float]]:
    """Frames that start a new shot, from per-frame changes (see :class:`CutDetector`).

    Parameters
    ----------
    pixel : (T,) mean absolute grey change from the previous frame, 0–1 (0 for frame 0).
    hist : (T,) half the L1 distance of the grey histograms from the previous frame, 0–1.
    skip_one : (T,) mean absolute grey change from the frame two before.

    Returns
    -------
    list of (frame, pixel change)
    """
    n = pixel.shape[0]
    out: list[tuple[int, float]] = []
    for i in range(1, n):
        if pixel[i] < CUT_MIN_PIXEL_CHANGE and hist[i] < CUT_MIN_HIST_CHANGE:
            continue
        before = pixel[max(1, i - CUT_CONTEXT_FRAMES) : i]
        after = pixel[i + 1 : i + 1 + CUT_CONTEXT_FRAMES]
        usual = max(np.median(before) if before.size else 0.0, np.median(after) if after.size else 0.0)
        if pixel[i] < CUT_MIN_CONTRAST * usual and hist[i] < CUT_MIN_CONTRAST * max(usual, 0.02):
            continue
        # a flash or one damaged frame: the frame after looks like the frame before again
        if i + 1 < n and skip_one[i + 1] < 0.5 * pixel[i]:
            continue
        out.append((i, float(pixel[i])))
    return out


def body_scale_px(seq: PoseSequence) -> np.ndarray:
    """(T,) the body's size in the image: median of the thigh, shank and trunk lengths, pixels.

    NaN where fewer than three of those segments are found.
    """
    lm = seq.landmarks_px[:, :, :2]
    segments = []
    for side in ("LEFT", "RIGHT"):
        shoulder, hip, knee, ankle = (
            int(Landmark[f"{side}_{p}"]) for p in ("SHOULDER", "HIP", "KNEE", "ANKLE")
        )
        segments += [(hip, knee), (knee, ankle), (shoulder, hip)]
    lengths = np.stack([np.linalg.norm(lm[:, a] - lm[:, b], axis=1) for a, b in segments], axis=1)
    enough = np.isfinite(lengths).sum(axis=1) >= 3
    out = np.full(seq.n_frames, np.nan)
    if enough.any():
        out[enough] = np.nanmedian(lengths[enough], axis=1)
    return out


def scale_jumps(scale: np.ndarray) -> list[int]:
    """Frames where the body's size jumps by :data:`SCALE_JUMP_FACTOR` and stays changed.

    A one-frame glitch of the pose model changes the size for a frame or two;
    a zoom cut changes it for good, so the median sizes over
    :data:`SCALE_JUMP_HOLD_FRAMES` found frames before and after must differ too.
    """
    found = np.flatnonzero(np.isfinite(scale))
    if found.size < 2:
        return []
    log_s = np.log(scale[found])
    limit = np.log(SCALE_JUMP_FACTOR)
    out = []
    for k in np.flatnonzero(np.abs(np.diff(log_s)) >= limit) + 1:
        before = log_s[max(0, k - SCALE_JUMP_HOLD_FRAMES) : k]
        after = log_s[k : k + SCALE_JUMP_HOLD_FRAMES]
        if abs(np.median(after) - np.median(before)) >= limit:
            out.append(int(found[k]))
    return out


def full_body_frames(seq: PoseSequence) -> np.ndarray:
    """(T,) bool: the whole body in the picture, with room for the head.

    The shoulders, hips, knees and ankles found and inside the picture, the hips
    visible, and the face (the face landmarks found) inside the picture at least
    :data:`MIN_HEADROOM` body sizes below its top.
    """
    body = [int(lm) for lm in BODY_LANDMARKS]
    xy = seq.landmarks_px[:, :, :2]
    with np.errstate(invalid="ignore"):
        inside = (
            (xy[..., 0] >= 0) & (xy[..., 0] < seq.width_px) & (xy[..., 1] >= 0) & (xy[..., 1] < seq.height_px)
        )
        face = xy[:, : int(Landmark.MOUTH_RIGHT) + 1]
        face_found = np.isfinite(face[..., 1])
        face_inside = (inside[:, : int(Landmark.MOUTH_RIGHT) + 1] | ~face_found).all(axis=1) & face_found.any(
            axis=1
        )
        face_top = np.where(face_found, face[..., 1], np.inf).min(axis=1)
        headroom = face_top >= MIN_HEADROOM * body_scale_px(seq)
    hips = seq.visibility[:, [int(Landmark.LEFT_HIP), int(Landmark.RIGHT_HIP)]] >= FULL_BODY_MIN_VISIBILITY
    return inside[:, body].all(axis=1) & face_inside & headroom & hips.all(axis=1)


@dataclass(frozen=True)
class Shot:
    """One continuous shot.

    Attributes
    ----------
    start, stop : frames ``start:stop`` of the clip.
    t_start_s, t_end_s : time of its first frame and end of its last frame, seconds.
    person_share : share of its frames with a person found, 0–1.
    full_body_share : share of its frames showing the whole body, 0–1.
    """

    start: int
    stop: int
    t_start_s: float
    t_end_s: float
    person_share: float
    full_body_share: float

    @property
    def duration_s(self) -> float:
        return self.t_end_s - self.t_start_s

    @property
    def judgeable(self) -> bool:
        """Long enough and showing the whole body in most frames."""
        return self.duration_s >= MIN_SHOT_S and self.full_body_share >= FULL_BODY_MIN_SHARE

    @property
    def why_not(self) -> str:
        """Why the shot cannot be judged, in words ('' when it can)."""
        if self.person_share < 0.2:
            return "no person found in it"
        if self.full_body_share < FULL_BODY_MIN_SHARE:
            return "the whole body is not in view"
        if self.duration_s < MIN_SHOT_S:
            return "too short to judge"
        return ""

    def span(self) -> str:
        return f"{self.t_start_s:.1f}–{self.t_end_s:.1f} s"


def body_continues(seq: PoseSequence, frame: int, scale: np.ndarray) -> bool:
    """True when the tracked body is found on both sides of ``frame`` at the same size and place.

    A change of light (the sun behind a cloud, a flare) or a jump cut between two
    takes from one tripod changes the picture but not the body: nothing is
    counted across a change that matters.
    """
    if frame < 1 or not (np.isfinite(scale[frame - 1]) and np.isfinite(scale[frame])):
        return False
    if abs(np.log(scale[frame] / scale[frame - 1])) > np.log(BODY_CONTINUES_SCALE):
        return False
    idx = [int(lm) for lm in BODY_LANDMARKS]
    moved = np.linalg.norm(seq.landmarks_px[frame, idx, :2] - seq.landmarks_px[frame - 1, idx, :2], axis=1)
    return bool(np.nanmedian(moved) <= BODY_CONTINUES_MOVE * scale[frame - 1])


def shot_boundaries(seq: PoseSequence) -> list[int]:
    """First frame of every shot after the first.

    The scene cuts found while the pose model ran (``seq.meta["shots"]``) that
    the body does not continue across (:func:`body_continues`), and the jumps in
    the body's size (:func:`scale_jumps`).
    """
    scale = body_scale_px(seq)
    cuts = [int(f) for f in seq.meta.get("shots", {}).get("cut_frames", []) if 0 < int(f) < seq.n_frames]
    picture = [f for f in cuts if not body_continues(seq, f, scale)]
    return sorted(set(picture) | set(scale_jumps(scale)))


def split_shots(seq: PoseSequence) -> list[Shot]:
    """The clip's continuous shots, in time order (one shot for a single take)."""
    n = seq.n_frames
    edges = [0, *(b for b in shot_boundaries(seq) if 0 < b < n), n]
    detected = seq.detected
    full = full_body_frames(seq)
    frame_s = 1.0 / seq.fps
    shots = []
    for start, stop in zip(edges[:-1], edges[1:], strict=True):
        t_end = float(seq.t_s[stop]) if stop < n else float(seq.t_s[-1]) + frame_s
        shots.append(
            Shot(
                start=start,
                stop=stop,
                t_start_s=float(seq.t_s[start]),
                t_end_s=t_end,
                person_share=float(detected[start:stop].mean()),
                full_body_share=float(full[start:stop].mean()),
            )
        )
    return shots


def cuts_meta(detector: CutDetector) -> dict[str, Any]:
    """What :func:`shot_boundaries` reads back from ``PoseSequence.meta["shots"]``."""
    cuts = detector.cuts()
    return {"cut_frames": [f for f, _ in cuts], "cut_pixel_change": [round(c, 3) for _, c in cuts]}
