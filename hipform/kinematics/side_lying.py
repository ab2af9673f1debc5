"""Per-frame measures of a side-lying leg lift, read in the image (numpy only).

A body lying on its side is filmed either from the feet (or the head), looking along the body,
or from the front or back with the body horizontal in the image. Each view shows different
faults: from the feet the leg drifting forward (hip flexion) turns the lifted leg sideways in the
image; from the front or back the top hip moving toward the ribs tilts the hip line against the
shoulder line. A measure the view does not show is NaN (:func:`seen_along_body`), so a rep filmed
from the other view is not judged by it. ``measures.py`` holds the clamshell's side-lying
measures (:func:`~hipform.kinematics.measures.compute_top_leg`); this module adds the leg lift's.
"""

from __future__ import annotations

import numpy as np

from hipform.kinematics.measures import compute_top_leg
from hipform.landmarks import Landmark

L = Landmark

#: Share of a clip's frames whose trunk line (shoulder-mid → hip-mid) is steeper than 45° in the
#: image at or above which a side-lying body is seen along its length (from the feet or head), and
#: at or below which it lies across the image (front or back view); in between the pose model has
#: not read the view steadily and neither view's measures are given [J]. MediaPipe on rendered clips:
#: clamshell from the feet 0.99, clamshell from behind 0.0, leg lift from the front or back 0.0; leg
#: lift from the feet 0.32 (the lifted leg hides the trunk and the model lays the body across).
ALONG_MIN_SHARE = 0.9
ACROSS_MAX_SHARE = 0.1


def _pair(px: np.ndarray, left: Landmark, right: Landmark) -> np.ndarray:
    """(T, 2, 2): the left and right landmark's image position."""
    return px[:, [int(left), int(right)], :2]


def _pick(pair: np.ndarray, top: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(T, 2) each: the top and the bottom side's point of a (T, 2, 2) pair (``top`` 0/1/-1)."""
    left_on_top = (top <= 0)[:, None]  # -1 (unknown) reads as left, like index 0
    return np.where(left_on_top, pair[:, 0], pair[:, 1]), np.where(left_on_top, pair[:, 1], pair[:, 0])


def seen_along_body(px: np.ndarray) -> np.ndarray:
    """(T,) float, one value for the whole clip: 1 where a side-lying body is seen along its length
    (from the feet or head), 0 where it lies across the image (front or back view), NaN where the
    pose model did not read the view steadily (:data:`ALONG_MIN_SHARE`, :data:`ACROSS_MAX_SHARE`)."""
    trunk = _pair(px, L.LEFT_SHOULDER, L.RIGHT_SHOULDER).mean(axis=1) - _pair(
        px, L.LEFT_HIP, L.RIGHT_HIP
    ).mean(axis=1)
    ok = np.isfinite(trunk).all(axis=1)
    steep = np.abs(trunk[ok, 1]) > np.abs(trunk[ok, 0])
    share = float(np.mean(steep)) if steep.size else float("nan")
    view = 1.0 if share >= ALONG_MIN_SHARE else 0.0 if share <= ACROSS_MAX_SHARE else float("nan")
    return np.full(px.shape[0], view)


def along_body_reason(label: str, along: float) -> str:
    """Why a measure read along a side-lying body (``label``) is not judged in a clip whose
    :func:`seen_along_body` is ``along`` (0: across the image; NaN: not read steadily), in words."""
    seen = (
        "the body lies across the picture (filmed from the side of the mat, or from in front or behind)"
        if along == 0.0
        else "the pose model could not tell steadily whether the body lies along or across the picture"
    )
    return f"{label}: it can only be read with the body seen along its length, from the feet; here {seen}"


def along_body_only(series: np.ndarray, px: np.ndarray) -> np.ndarray:
    """(T,) ``series`` where the body is seen along its length (:func:`seen_along_body`), NaN elsewhere:
    for a measure only the feet (or head) view shows (the shoulder line's roll)."""
    return np.where(seen_along_body(px) == 1.0, series, np.nan)


#: Hip–ankle length ÷ shoulder width of an adult (Winter 2009 segment ratios 0.491 H / 0.259 H):
#: turns the top ankle's rise in shoulder widths into an angle of a leg of typical proportions.
LEG_TO_SHOULDERS = 0.491 / 0.259


def compute_leg_lift_deg(px: np.ndarray) -> np.ndarray:
    """How far the top leg is lifted, from the top ankle's rise above its hip in the image, (T,) degrees.

    Returns
    -------
    ndarray, shape (T,)
        ``arcsin(rise / (LEG_TO_SHOULDERS × shoulder width))``: the top ankle's height above the top
        hip in the image (the top leg is the one whose hip is higher,
        :func:`~hipform.kinematics.measures.compute_top_leg`) as the elevation of a leg of typical
        proportions (:data:`LEG_TO_SHOULDERS`). Seen from the front or back it is close to the
        abduction above the trunk line; from the feet the leg points at the camera, so every image
        angle of the leg itself flips through 180° as it rises, while the ankle's rise grows
        steadily in both views. Only its change over a rep means something. NaN where a point is
        missing or the shoulders coincide.
    """
    top = compute_top_leg(px)
    hip, _ = _pick(_pair(px, L.LEFT_HIP, L.RIGHT_HIP), top)
    ankle, _ = _pick(_pair(px, L.LEFT_ANKLE, L.RIGHT_ANKLE), top)
    sh = _pair(px, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    width = np.linalg.norm(sh[:, 0] - sh[:, 1], axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rise = (hip[:, 1] - ankle[:, 1]) / (LEG_TO_SHOULDERS * width)  # image y points down
        out = np.degrees(np.arcsin(np.clip(rise, -1.0, 1.0)))
    return np.where((top >= 0) & (width > 1e-9), out, np.nan)


#: Largest forward drift read as one, degrees [J]: a leg more than 60° ahead of the trunk line is a
#: misread pose (the ankle placed beside or below the hip), not a leg lift: the rep is not judged for
#: it, with the reason (the leg lift's rule has it as its ``max_plausible``).
MAX_LEG_FORWARD_DEG = 60.0


def compute_leg_forward_deg(px: np.ndarray) -> np.ndarray:
    """The lifted leg's drift toward the front of the body, seen from the feet, (T,) degrees.

    Returns
    -------
    ndarray, shape (T,)
        Signed image angle of the top leg's hip→ankle line from image up, positive toward the
        way the person faces (the nose's side of the shoulder midpoint): hip flexion instead of
        abduction moves the lifted foot in front of the trunk line. Only meaningful with the leg
        lifted (read at the top of a rep); NaN where a point is missing or the body is not seen
        along its length (:func:`seen_along_body`). A value past :data:`MAX_LEG_FORWARD_DEG` is
        a misread pose, which the rule grading it does not judge.
    """
    top = compute_top_leg(px)
    hip, _ = _pick(_pair(px, L.LEFT_HIP, L.RIGHT_HIP), top)
    ankle, _ = _pick(_pair(px, L.LEFT_ANKLE, L.RIGHT_ANKLE), top)
    shoulder_mid_x = _pair(px, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)[:, :, 0].mean(axis=1)
    facing = np.sign(px[:, int(L.NOSE), 0] - shoulder_mid_x)
    d = ankle - hip
    out = np.degrees(np.arctan2(facing * d[:, 0], -d[:, 1]))  # image y points down
    return along_body_only(np.where((top >= 0) & (facing != 0), out, np.nan), px)


#: Largest turn of the hip line from the shoulder line read as a side bend, degrees [J]: beyond it
#: the pose model has swapped or misplaced the stacked hips (the line flips), not the trunk bending.
MAX_SIDE_BEND_DEG = 45.0


def compute_trunk_side_bend_deg(px: np.ndarray) -> np.ndarray:
    """The hip line's tilt against the shoulder line, seen from the front or back, (T,) degrees.

    Returns
    -------
    ndarray, shape (T,)
        Signed angle from the shoulder line (bottom → top shoulder) to the hip line (bottom → top
        hip) in the image, positive as the top hip turns toward the head: the top hip moving
        toward the ribs (a hip hike, the trunk side-bending). Only its change over a rep means
        something. NaN where a point is missing, the body is not seen lying across the image
        (:func:`seen_along_body`: along the body the two lines barely turn) or the turn is
        implausible (:data:`MAX_SIDE_BEND_DEG`).
    """
    top = compute_top_leg(px)
    hip_t, hip_b = _pick(_pair(px, L.LEFT_HIP, L.RIGHT_HIP), top)
    sh_pair = _pair(px, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    with np.errstate(invalid="ignore"):
        sh_top = np.where(sh_pair[:, 1, 1] < sh_pair[:, 0, 1], 1, 0)  # the higher shoulder in the image
    sh_t, sh_b = _pick(sh_pair, sh_top)
    u, v = sh_t - sh_b, hip_t - hip_b
    head = 0.5 * (sh_t + sh_b) - 0.5 * (hip_t + hip_b)
    turn = np.degrees(np.arctan2(u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0], np.sum(u * v, axis=-1)))
    toward_head = np.sign(u[:, 0] * head[:, 1] - u[:, 1] * head[:, 0])
    across = seen_along_body(px) == 0.0
    with np.errstate(invalid="ignore"):
        plausible = np.abs(turn) <= MAX_SIDE_BEND_DEG
    return np.where((top >= 0) & across & plausible, turn * toward_head, np.nan)
