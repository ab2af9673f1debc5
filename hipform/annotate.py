"""Drawing on frames: the skeleton, flagged joints and their labels.

Functions here return new images; they never draw on the caller's array.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from hipform.landmarks import SKELETON, Landmark
from hipform.pose import Progress
from hipform.safe_write import OutputClashError, same_file, whole_or_not_at_all
from hipform.sequence import PoseSequence
from hipform.video import VideoWriter, iter_frames, probe_video

#: Landmarks below this visibility are drawn as faint hollow rings, not as joints.
MIN_VISIBILITY = 0.5

LEFT_RGB = (66, 165, 245)  # blue: the person's left side
RIGHT_RGB = (255, 167, 38)  # orange: the person's right side
CENTRE_RGB = (236, 239, 241)
FAINT_RGB = (150, 150, 150)
FLAG_RGB = {"mild": (255, 213, 0), "marked": (229, 57, 53)}

_BODY = [lm for lm in Landmark if lm >= Landmark.LEFT_SHOULDER]


@dataclass(frozen=True)
class Highlight:
    """A mark drawn while ``t_start_s ≤ t ≤ t_end_s``: joints circled and a label.

    ``landmarks`` are circled in ``color`` (RGB); ``segments`` are pairs of
    landmarks drawn as thick measurement lines; ``label`` is written near the
    first landmark.
    """

    t_start_s: float
    t_end_s: float
    landmarks: tuple[Landmark, ...]
    label: str
    color: tuple[int, int, int] = FLAG_RGB["marked"]
    segments: tuple[tuple[Landmark, Landmark], ...] = ()

    def active(self, t_s: float) -> bool:
        return self.t_start_s - 1e-6 <= t_s <= self.t_end_s + 1e-6


def _side_color(lm: Landmark) -> tuple[int, int, int]:
    if lm.name.startswith("LEFT"):
        return LEFT_RGB
    if lm.name.startswith("RIGHT"):
        return RIGHT_RGB
    return CENTRE_RGB


def _pt(xy: np.ndarray) -> tuple[int, int]:
    return int(round(float(xy[0]))), int(round(float(xy[1])))


def _put_label(
    image: np.ndarray, text: str, org: tuple[int, int], color: tuple[int, int, int], scale: float
) -> None:
    thickness = max(1, int(round(scale * 2)))
    (w, h), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    x = int(np.clip(org[0], 2, max(2, image.shape[1] - w - 2)))
    y = int(np.clip(org[1], h + 2, image.shape[0] - 4))
    cv2.putText(image, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thickness + 3, cv2.LINE_AA)
    cv2.putText(image, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, color, thickness, cv2.LINE_AA)


def draw_pose(
    image_rgb: np.ndarray,
    landmarks_px: np.ndarray,
    visibility: np.ndarray,
    highlights: Sequence[Highlight] = (),
) -> np.ndarray:
    """Return a copy of ``image_rgb`` with the skeleton and highlights drawn.

    Parameters
    ----------
    image_rgb : (H, W, 3) uint8.
    landmarks_px : (33, 2 or 3) in the pixels of ``image_rgb``; NaN = not detected.
    visibility : (33,) in [0, 1]; joints below :data:`MIN_VISIBILITY` are drawn
        as faint rings and their bones are left out.
    highlights : marks to draw on this frame (all are drawn; filter by time first).
    """
    out = image_rgb.copy()
    size = max(out.shape[:2])
    line = max(2, size // 300)
    radius = max(3, size // 160)
    xy = np.asarray(landmarks_px, float)[:, :2]
    ok = np.isfinite(xy).all(axis=1) & (np.asarray(visibility) >= MIN_VISIBILITY)
    seen = np.isfinite(xy).all(axis=1)
    for a, b in SKELETON:
        if ok[a] and ok[b]:
            color = _side_color(a) if _side_color(a) == _side_color(b) else CENTRE_RGB
            cv2.line(out, _pt(xy[a]), _pt(xy[b]), color, line, cv2.LINE_AA)
    for lm in _BODY:
        if ok[lm]:
            cv2.circle(out, _pt(xy[lm]), radius, _side_color(lm), -1, cv2.LINE_AA)
            cv2.circle(out, _pt(xy[lm]), radius, (0, 0, 0), 1, cv2.LINE_AA)
        elif seen[lm]:
            cv2.circle(out, _pt(xy[lm]), radius, FAINT_RGB, 1, cv2.LINE_AA)
    for hl in highlights:
        for a, b in hl.segments:
            if seen[a] and seen[b]:
                cv2.line(out, _pt(xy[a]), _pt(xy[b]), hl.color, line + 2, cv2.LINE_AA)
        for lm in hl.landmarks:
            if seen[lm]:
                cv2.circle(out, _pt(xy[lm]), radius * 3, hl.color, line + 1, cv2.LINE_AA)
        anchor = next((lm for lm in hl.landmarks if seen[lm]), None)
        if anchor is not None and hl.label:
            x, y = _pt(xy[anchor])
            _put_label(out, hl.label, (x + radius * 4, y), hl.color, scale=size / 1400)
    return out


def annotate_video(
    video_path: str | Path,
    seq: PoseSequence,
    out_path: str | Path,
    highlights: Sequence[Highlight] = (),
    max_side_px: int | None = 960,
    progress: Progress | None = None,
) -> Path:
    """Write ``video_path`` with the pose of ``seq`` drawn on every frame as H.264 MP4.

    The output has exactly as many frames as the input, at the input's
    timestamps; frames are scaled down so the longer side is ≤ ``max_side_px``
    (``None`` keeps the full size). It appears at ``out_path`` only when complete
    (:func:`hipform.safe_write.whole_or_not_at_all`): a failure leaves no file, and
    an earlier file of that name stays as it was.

    Raises
    ------
    VideoReadError
        If the video cannot be read.
    OutputClashError
        If ``out_path`` is ``video_path``.
    OutputWriteError
        If the video cannot be written (full disk, read-only, no permission, missing folder).
    ValueError
        If ``seq`` does not belong to this video (different frame count or size).
    """
    if same_file(out_path, video_path):
        raise OutputClashError(f"The annotated video cannot replace the clip it is drawn from ({out_path}).")
    info = probe_video(video_path)
    if (info.width_px, info.height_px) != (seq.width_px, seq.height_px):
        raise ValueError(
            f"the landmarks are for a {seq.width_px}x{seq.height_px} video, "
            f"but {Path(video_path).name} is {info.width_px}x{info.height_px}"
        )
    out_path = Path(out_path)
    written = 0
    with whole_or_not_at_all(out_path) as partial:
        with VideoWriter(partial, fps=info.fps) as writer:
            for frame in iter_frames(video_path, max_side=max_side_px):
                if frame.index >= seq.n_frames:
                    raise ValueError(f"the landmarks cover {seq.n_frames} frames, but the video has more")
                lm = seq.landmarks_px[frame.index, :, :2] * frame.scale
                active = [h for h in highlights if h.active(frame.t_s)]
                writer.write(draw_pose(frame.image, lm, seq.visibility[frame.index], active), t_s=frame.t_s)
                written += 1
                if progress is not None:
                    progress(written, max(seq.n_frames, written))
        if written != seq.n_frames:
            raise ValueError(f"the landmarks cover {seq.n_frames} frames, but the video has {written}")
    return out_path
