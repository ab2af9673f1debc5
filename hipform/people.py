"""Other people in view: who else is there, and which person does the movement.

The pose model follows one person. In a gym or a park there is often another
one in the picture, and the model may follow the one standing still. While the
pose model runs, :mod:`hipform.pose` looks for a second person a few times a
second (the tracked person masked out, the pose model run again) and hands the
landmarks found to this module, which decides who moves and how to hide the
bystander so the mover can be tracked instead.

numpy only: the pose model stays in :mod:`hipform.pose`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from hipform.landmarks import N_LANDMARKS, Landmark

#: Padding around a person's landmark box when masking them, as a share of the box's height
#: (the landmarks stop at the ankles, wrists and eyes; hair, hands and feet reach past them).
MASK_PAD = 0.15
#: Smallest size of another person, as a share of the tracked person's: the
#: single-image model's phantoms in gym clutter measured 0.12–0.37, real people 0.8–1.2.
MIN_RELATIVE_SIZE = 0.5
#: Landmarks whose motion about the hips tells a moving body from a standing one.
MOTION_LANDMARKS = tuple(
    Landmark[f"{side}_{part}"]
    for side in ("LEFT", "RIGHT")
    for part in ("SHOULDER", "ELBOW", "WRIST", "KNEE", "ANKLE")
)
#: Motion (spread of the landmarks about the hips, in body sizes) below which a person
#: does no exercise: a rendered single-leg squat scores 0.036, a person standing still 0.001-0.01.
STILL_MOTION = 0.02
#: The tracked person is judged a bystander when the other person moves this many times more.
MOVER_RATIO = 3.0
#: Checks with another person found needed before deciding who moves.
MIN_CHECKS_FOR_MOVER = 4
#: Share of the other person's box area the bystander's mask may cover before masking
#: the bystander would hide the mover too.
MAX_MASK_OVERLAP = 0.1
#: Share of frames in which the tracked bystander must stay inside its masked box.
MIN_INSIDE_MASK_SHARE = 0.9

Box = tuple[float, float, float, float]


def person_box_px(landmarks_px: np.ndarray, pad: float = MASK_PAD) -> Box | None:
    """Padded box ``(x0, y0, x1, y1)`` around one frame's landmarks, pixels; None if none found.

    Parameters
    ----------
    landmarks_px : (33, 2) or (33, 3) image landmarks (NaN where not found).
    pad : padding on every side as a share of the box's height (more above: the
        head reaches past the eyes by about half the padding again).
    """
    xy = np.asarray(landmarks_px, float)[:, :2]
    xy = xy[np.isfinite(xy).all(axis=1)]
    if xy.shape[0] < 2:
        return None
    x0, y0 = xy.min(axis=0)
    x1, y1 = xy.max(axis=0)
    margin = pad * max(y1 - y0, x1 - x0)
    return (x0 - margin, y0 - 1.5 * margin, x1 + margin, y1 + margin)


def box_area(box: Box) -> float:
    return max(box[2] - box[0], 0.0) * max(box[3] - box[1], 0.0)


def box_overlap(a: Box, b: Box) -> float:
    """Area of the intersection of two boxes, pixels²."""
    return box_area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def union_box(boxes: list[Box]) -> Box:
    arr = np.asarray(boxes, float)
    return (float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 2].max()), float(arr[:, 3].max()))


def hips_inside(box: Box, landmarks_px: np.ndarray) -> bool:
    """True when the hip midpoint of ``landmarks_px`` ((33, 2+), pixels) lies inside ``box``."""
    hips = np.asarray(landmarks_px, float)[[int(Landmark.LEFT_HIP), int(Landmark.RIGHT_HIP)], :2]
    if not np.isfinite(hips).all():
        return False
    x, y = hips.mean(axis=0)
    x0, y0, x1, y1 = box
    return bool(x0 <= x <= x1 and y0 <= y <= y1)


def body_size_px(landmarks_px: np.ndarray) -> float:
    """Longer side of one frame's landmark box, pixels (NaN when fewer than two landmarks)."""
    box = person_box_px(landmarks_px, pad=0.0)
    return float("nan") if box is None else max(box[2] - box[0], box[3] - box[1])


def is_other_person(tracked_px: np.ndarray, other_px: np.ndarray) -> bool:
    """True when a detection made with the tracked person masked out is someone else.

    Not when its hips fall inside the tracked person's padded box (an arm the
    mask missed, found again), and not when it is under
    :data:`MIN_RELATIVE_SIZE` of the tracked person's size: the single-image model
    sees small people in clutter (dumbbells on a gym floor), and a person that
    small is too far away to be followed by mistake.
    """
    box = person_box_px(tracked_px)
    if box is None or hips_inside(box, other_px):
        return False
    return body_size_px(other_px) >= MIN_RELATIVE_SIZE * body_size_px(tracked_px)


def compute_motion(landmarks_px: np.ndarray) -> float:
    """How much a person moves their body: spread of the limbs about the hips, in body sizes.

    Parameters
    ----------
    landmarks_px : (K, 33, 2+) image landmarks at K moments (NaN where not found).

    Returns
    -------
    float
        Median over :data:`MOTION_LANDMARKS` of the RMS distance of each landmark
        from its mean position relative to the hip midpoint, divided by the median
        body size (the longer side of the landmark box); NaN with fewer than 3 moments.

    Notes
    -----
    Relative to the hips, so walking across the picture (the whole body moving
    together) counts only through the legs' swing, and a jump between two
    detections of different people's position does not count at all. A person
    standing still scores the pose model's jitter, about 0.005–0.01; a squat,
    a step-up or a jumping jack 0.05 or more.
    """
    lm = np.asarray(landmarks_px, float)
    if lm.ndim != 3 or lm.shape[1] != N_LANDMARKS or lm.shape[2] < 2:
        raise ValueError(f"landmarks_px must have shape (K, {N_LANDMARKS}, 2+), got {lm.shape}")
    lm = lm[:, :, :2]
    hips = lm[:, [int(Landmark.LEFT_HIP), int(Landmark.RIGHT_HIP)]].mean(axis=1)
    found = np.isfinite(hips).all(axis=1)
    if found.sum() < 3:
        return float("nan")
    lm, hips = lm[found], hips[found]
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a landmark never found: NaN, left out below
        size = float(np.nanmedian(np.nanmax(np.nanmax(lm, axis=1) - np.nanmin(lm, axis=1), axis=1)))
        rel = lm[:, [int(m) for m in MOTION_LANDMARKS]] - hips[:, None, :]
        dist2 = ((rel - np.nanmean(rel, axis=0)) ** 2).sum(axis=2)  # NaN where the landmark was not found
        spread = np.sqrt(np.nanmean(dist2, axis=0))
    spread = spread[np.isfinite(rel).all(axis=2).sum(axis=0) >= 3]
    if not size > 0 or spread.size == 0:
        return float("nan")
    return float(np.median(spread) / size)


@dataclass(frozen=True, eq=False)
class PersonChecks:
    """What the second look for other people found (``PoseSequence.meta["people"]``).

    Attributes
    ----------
    checks_per_s : how often the second look ran.
    frames_checked : frames it ran on (the tracked person found in each).
    frames : the frames among those where another person was found.
    landmarks_px : (K, 33, 2) the other person's image landmarks in those frames, pixels.
    tracked : who was judged: ``"tracked"`` (the person the model followed),
        ``"mover"`` (the model followed a bystander; tracked again with the
        bystander masked out) or ``"bystander"`` (it followed a bystander and
        masking could not separate the two: refuse to judge).
    tracked_motion, other_motion : :func:`compute_motion` of the first-tracked and the other person.
    mask_box_px : the box masked out to track the mover, or None.
    """

    checks_per_s: float
    frames_checked: tuple[int, ...]
    frames: tuple[int, ...]
    landmarks_px: np.ndarray
    tracked: str = "tracked"
    tracked_motion: float = float("nan")
    other_motion: float = float("nan")
    mask_box_px: Box | None = None

    @property
    def found(self) -> bool:
        return bool(self.frames)

    def to_meta(self) -> dict[str, Any]:
        """JSON-ready dict (landmarks rounded to 0.1 px)."""
        return {
            "checks_per_s": self.checks_per_s,
            "frames_checked": list(self.frames_checked),
            "frames": list(self.frames),
            "landmarks_px": np.round(np.nan_to_num(self.landmarks_px, nan=-1.0), 1).tolist(),
            "tracked": self.tracked,
            "tracked_motion": _json_float(self.tracked_motion),
            "other_motion": _json_float(self.other_motion),
            "mask_box_px": None if self.mask_box_px is None else [round(v, 1) for v in self.mask_box_px],
        }

    @classmethod
    def from_meta(cls, meta: dict[str, Any]) -> PersonChecks | None:
        """The checks stored in a sequence's meta, or None when the clip was not checked."""
        d = meta.get("people")
        if not d:
            return None
        lm = np.asarray(d["landmarks_px"], float).reshape(-1, N_LANDMARKS, 2)
        lm[lm == -1.0] = np.nan
        box = d.get("mask_box_px")
        return cls(
            checks_per_s=float(d["checks_per_s"]),
            frames_checked=tuple(int(f) for f in d["frames_checked"]),
            frames=tuple(int(f) for f in d["frames"]),
            landmarks_px=lm,
            tracked=str(d.get("tracked", "tracked")),
            tracked_motion=_float_or_nan(d.get("tracked_motion")),
            other_motion=_float_or_nan(d.get("other_motion")),
            mask_box_px=None if box is None else tuple(float(v) for v in box),
        )


def _json_float(x: float) -> float | None:
    return None if not np.isfinite(x) else round(float(x), 4)


def _float_or_nan(x: Any) -> float:
    return float("nan") if x is None else float(x)


def tracked_is_bystander(tracked_motion: float, other_motion: float, n_found: int) -> bool:
    """True when the tracked person stands still while the other person clearly moves."""
    if n_found < MIN_CHECKS_FOR_MOVER or not (np.isfinite(tracked_motion) and np.isfinite(other_motion)):
        return False
    return other_motion >= STILL_MOTION and other_motion >= MOVER_RATIO * tracked_motion


def bystander_mask_box(
    tracked_px: np.ndarray, other_px: np.ndarray, width_px: int, height_px: int
) -> Box | None:
    """The box to mask so the pose model can only follow the mover, or None when no box will do.

    Parameters
    ----------
    tracked_px : (T, 33, 2+) landmarks of the tracked bystander in every frame.
    other_px : (K, 33, 2+) landmarks of the mover where the second look found them.
    width_px, height_px : frame size.

    Returns
    -------
    Box or None
        The bystander's median padded box, clipped to the frame, when the
        bystander stays inside it in :data:`MIN_INSIDE_MASK_SHARE` of frames and
        it covers at most :data:`MAX_MASK_OVERLAP` of the mover's box; else None
        (a bystander who walks about, or stands in front of the mover).
    """
    boxes = [b for b in (person_box_px(f) for f in np.asarray(tracked_px)) if b is not None]
    mover_boxes = [b for b in (person_box_px(f) for f in np.asarray(other_px)) if b is not None]
    if not boxes or not mover_boxes:
        return None
    arr = np.asarray(boxes)
    median = np.median(arr, axis=0)
    box = (max(median[0], 0.0), max(median[1], 0.0), min(median[2], width_px), min(median[3], height_px))
    unpadded = [person_box_px(f, pad=0.0) for f in np.asarray(tracked_px)]
    inside = [u is not None and box_overlap(u, box) >= 0.95 * box_area(u) for u in unpadded if u is not None]
    if np.mean(inside) < MIN_INSIDE_MASK_SHARE:
        return None
    mover = union_box(mover_boxes)
    if box_overlap(box, mover) > MAX_MASK_OVERLAP * box_area(mover):
        return None
    return box
