"""Camera view from the landmarks: front, rear, side or oblique, facing direction, left/right swaps.

biomechanics.md §4: frontal-plane faults need a front or rear view, back
arching needs a side view. The view is estimated from how wide the shoulders
and hips look against the torso length: wide → frontal, near zero → side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hipform.kinematics.knee_over_foot import standing_leg_px
from hipform.kinematics.side_lying import seen_along_body
from hipform.landmarks import Landmark

L = Landmark

#: Body turned less than this from the camera axis → frontal view [J].
FRONTAL_MAX_YAW_DEG = 30.0
#: Body turned more than this → side view; in between → oblique [J].
SIDE_MIN_YAW_DEG = 60.0
#: (shoulder width + hip width) / 2 ÷ torso length of an adult seen square-on,
#: used when no world landmarks give the person's own proportions [J: about
#: 0.36 m shoulders, 0.20 m hip joint centres, 0.50 m torso].
DEFAULT_WIDTH_TO_TORSO = 0.56

VIEW_CODES = {0: "front", 1: "rear", 2: "side", 3: "oblique", -1: "unknown"}

_LEFT_LEG = [int(L.LEFT_HIP), int(L.LEFT_KNEE), int(L.LEFT_ANKLE), int(L.LEFT_HEEL), int(L.LEFT_FOOT_INDEX)]
_RIGHT_LEG = [
    int(L.RIGHT_HIP),
    int(L.RIGHT_KNEE),
    int(L.RIGHT_ANKLE),
    int(L.RIGHT_HEEL),
    int(L.RIGHT_FOOT_INDEX),
]


@dataclass(frozen=True)
class ViewEstimate:
    """The camera view of a clip.

    Attributes
    ----------
    view : one of ``front``, ``rear``, ``side``, ``oblique``, ``unknown``.
    confidence : fraction of detected frames (0–1) whose own view agrees.
    yaw_deg : median body yaw against the camera axis, 0 = square-on, 90 = side-on.
    facing : ``camera``, ``away``, ``image-left``, ``image-right`` or ``unknown``.
    per_frame_yaw_deg : (T,) yaw per frame (NaN where not measurable).
    per_frame_code : (T,) int codes of :data:`VIEW_CODES`.
    facing_x : (T,) +1 facing image right, -1 image left, 0 unknown (side views).
    body_yaw_deg : the clip's signed body yaw (:func:`clip_body_yaw_deg`): positive when the
        person's right side is nearer a front camera (their left side nearer a rear one);
        NaN where not measurable.
    along_body : for a body lying on its side, 1.0 where it is seen along its length (from the feet
        or the head), 0.0 where it lies across the image (from the side of the mat), NaN where the
        pose model did not read it steadily or nothing was measured
        (:func:`hipform.kinematics.side_lying.seen_along_body`); read for every clip, meaningful
        only for a side-lying body.
    """

    view: str
    confidence: float
    yaw_deg: float
    facing: str
    per_frame_yaw_deg: np.ndarray
    per_frame_code: np.ndarray
    facing_x: np.ndarray
    body_yaw_deg: float = float("nan")
    along_body: float = float("nan")

    @property
    def frontal(self) -> bool:
        return self.view in ("front", "rear")

    @property
    def side(self) -> bool:
        return self.view == "side"

    @property
    def near_side(self) -> str | None:
        """``left`` or ``right``: the person's side nearer the camera in a front or rear view
        (None for other views or an unmeasured yaw)."""
        if not self.frontal or not np.isfinite(self.body_yaw_deg) or self.body_yaw_deg == 0:
            return None
        right_nearer = (self.body_yaw_deg > 0) == (self.view == "front")
        return "right" if right_nearer else "left"


def _mid(pts: np.ndarray, a: Landmark, b: Landmark) -> np.ndarray:
    return 0.5 * (pts[:, int(a)] + pts[:, int(b)])


def _width_ratio(pts: np.ndarray) -> np.ndarray:
    sw = np.linalg.norm(pts[:, int(L.LEFT_SHOULDER)] - pts[:, int(L.RIGHT_SHOULDER)], axis=-1)
    hw = np.linalg.norm(pts[:, int(L.LEFT_HIP)] - pts[:, int(L.RIGHT_HIP)], axis=-1)
    torso = np.linalg.norm(
        _mid(pts, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - _mid(pts, L.LEFT_HIP, L.RIGHT_HIP), axis=-1
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(torso > 1e-9, 0.5 * (sw + hw) / torso, np.nan)


def compute_view_yaw_deg(px: np.ndarray, world: np.ndarray | None = None) -> np.ndarray:
    """Per-frame body yaw against the camera axis, degrees in [0, 90].

    Parameters
    ----------
    px : ndarray, shape (T, 33, 2), pixels.
    world : ndarray, shape (T, 33, 3), optional
        World landmarks (metres); their width ÷ torso ratio is the person's
        own square-on ratio. Without them :data:`DEFAULT_WIDTH_TO_TORSO`.

    Notes
    -----
    ``cos(yaw) ≈ (image width/torso) ÷ (square-on width/torso)``. A torso
    leaning toward the camera looks shorter, which only makes a frontal view
    look more frontal.
    """
    r2 = _width_ratio(px)
    ref = np.full(r2.shape, np.nan)
    if world is not None:
        r3 = _width_ratio(world)
        ok = np.isfinite(r3)
        if ok.any():
            ref[:] = float(np.median(r3[ok]))
    ref = np.where(np.isfinite(ref), ref, DEFAULT_WIDTH_TO_TORSO)
    c = np.clip(r2 / ref, 0.0, 1.0)
    return np.degrees(np.arccos(c))


#: Heel-to-toe distance of the foot landmarks, leg lengths: 0.95 of the foot (heel 0.17 behind the
#: ankle, toe 0.78 ahead, [J]) with Winter's foot 0.152 H and leg (thigh + shank) 0.491 H.
HEEL_TO_TOE_LEGS = 0.95 * 0.152 / 0.491


def _line_yaw_deg(world: np.ndarray, left: Landmark, right: Landmark) -> np.ndarray:
    """(T,) signed yaw of a left–right line in camera-aligned world landmarks (z away from the camera)."""
    u = world[:, int(left)] - world[:, int(right)]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.degrees(np.arctan(u[:, 2] / u[:, 0]))


#: Both feet count as on the ground while the heels are level within this many leg lengths in the
#: image (a foot lifted for a single-leg task rises well past it) [J].
FEET_LEVEL_LEGS = 0.05


def _feet_yaw_deg(px: np.ndarray, leg_lengths: np.ndarray | None = None) -> np.ndarray:
    """(T,) signed yaw from the feet: how far the heel-to-toe lines lean toward the person's left
    (``leg_lengths``: as :func:`compute_body_yaw_deg`); NaN while one heel is off the ground
    (:data:`FEET_LEVEL_LEGS`): a lifted foot hangs and turns as it likes, and read as a turned
    body (a square-on single-leg hold read 8.6° on exact landmarks, ``benchmarks/realistic_yaw.py``)."""
    heel = px[:, [int(L.LEFT_HEEL), int(L.RIGHT_HEEL)]]
    toe = px[:, [int(L.LEFT_FOOT_INDEX), int(L.RIGHT_FOOT_INDEX)]]
    centre = 0.5 * (heel + toe)
    right_to_left = centre[:, 0] - centre[:, 1]
    leg = standing_leg_px(px, leg_lengths)
    with np.errstate(invalid="ignore", divide="ignore"):
        e = right_to_left / np.linalg.norm(right_to_left, axis=-1, keepdims=True)
        lean = np.sum((toe - heel) * e[:, None, :], axis=-1).mean(axis=1)
        yaw = np.degrees(np.arcsin(np.clip(lean / (HEEL_TO_TOE_LEGS * leg), -1.0, 1.0)))
        both_down = np.abs(heel[:, 0, 1] - heel[:, 1, 1]) <= FEET_LEVEL_LEGS * leg
    return np.where(both_down, yaw, np.nan)


def compute_body_yaw_deg(
    px: np.ndarray, world: np.ndarray | None = None, leg_lengths: np.ndarray | None = None
) -> np.ndarray:
    """Per-frame signed yaw of the body against the camera axis, degrees.

    Parameters
    ----------
    px : ndarray, shape (T, 33, 2), pixels.
    world : ndarray, shape (T, 33, 3), optional
        Camera-aligned world landmarks (metres, z away from the camera).
    leg_lengths : ndarray, shape (T, 2), optional
        :func:`~hipform.kinematics.measures.compute_leg_length` of ``px`` when already known.

    Returns
    -------
    ndarray, shape (T,)
        Positive when forward movements appear shifted toward the person's left in the image:
        filmed from the front, their right side is nearer the camera; from behind, their left.
        Near 0 for a square-on front or rear view; NaN where no cue is measurable. Meant for
        views within about 45° of square-on.

    Notes
    -----
    The mean of two cues, each signed the same way: the turn of the hip and shoulder lines in
    the world landmarks (``atan(Δz / Δx)`` of left − right, which keeps its sign from behind),
    and the feet: the heel-to-toe lines seen from a turned camera lean toward the person's left
    by ``sin ψ`` × their length (:data:`HEEL_TO_TOE_LEGS` leg lengths); turned-out toes cancel
    between the two feet. On rendered squats filmed at known yaw (−30° to 30°) the world lines
    read about 3–4° too far toward the right side and the feet about 0.8 of the turn; their
    mean was within 6° (``benchmarks/yaw.py``).
    """
    cues = [_feet_yaw_deg(px, leg_lengths)]
    if world is not None:
        cues.append(
            0.5
            * (
                _line_yaw_deg(world, L.LEFT_HIP, L.RIGHT_HIP)
                + _line_yaw_deg(world, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
            )
        )
    stack = np.stack(cues, axis=-1)
    ok = np.isfinite(stack)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(
            ok.any(axis=1), np.where(ok, stack, 0.0).sum(axis=1) / np.maximum(ok.sum(axis=1), 1), np.nan
        )


def clip_body_yaw_deg(
    px: np.ndarray, world: np.ndarray | None = None, leg_lengths: np.ndarray | None = None
) -> float:
    """The clip's signed body yaw (median of :func:`compute_body_yaw_deg`), degrees; NaN if unmeasurable."""
    yaw = compute_body_yaw_deg(px, world, leg_lengths)
    yaw = yaw[np.isfinite(yaw)]
    return float(np.median(yaw)) if yaw.size else float("nan")


def compute_facing_x(px: np.ndarray) -> np.ndarray:
    """(T,) +1 when the person faces image right, -1 image left, 0 unknown.

    Toes point forward of the heels and the nose forward of the ears.
    """
    toe = 0.5 * (px[:, int(L.LEFT_FOOT_INDEX), 0] + px[:, int(L.RIGHT_FOOT_INDEX), 0])
    heel = 0.5 * (px[:, int(L.LEFT_HEEL), 0] + px[:, int(L.RIGHT_HEEL), 0])
    nose = px[:, int(L.NOSE), 0]
    ears = 0.5 * (px[:, int(L.LEFT_EAR), 0] + px[:, int(L.RIGHT_EAR), 0])
    votes = np.nan_to_num(np.sign(toe - heel)) + np.nan_to_num(np.sign(nose - ears))
    return np.sign(votes)


def estimate_view(
    px: np.ndarray,
    world: np.ndarray | None = None,
    frames: np.ndarray | None = None,
    leg_lengths: np.ndarray | None = None,
) -> ViewEstimate:
    """Estimate the clip's view and the person's facing direction.

    Parameters
    ----------
    px : ndarray, shape (T, 33, 2)
        Masked, filtered image landmarks (pixels).
    world : ndarray, shape (T, 33, 3), optional
        Masked world landmarks (metres, camera-aligned: z away from camera).
    frames : ndarray of bool, shape (T,), optional
        Frames to base the clip-level decision on (default: all).
    leg_lengths : ndarray, shape (T, 2), optional
        :func:`~hipform.kinematics.measures.compute_leg_length` of ``px`` when already known.

    Returns
    -------
    ViewEstimate
    """
    n = px.shape[0]
    yaw = compute_view_yaw_deg(px, world)
    code = np.full(n, -1, dtype=np.int8)
    lat = (px[:, int(L.LEFT_SHOULDER), 0] - px[:, int(L.RIGHT_SHOULDER), 0]) + (
        px[:, int(L.LEFT_HIP), 0] - px[:, int(L.RIGHT_HIP), 0]
    )
    # the person's left on the image right means they face the camera
    front = lat > 0
    if world is not None:
        # camera-aligned world z: a face nearer the camera than the ears faces it
        nose_z = world[:, int(L.NOSE), 2]
        ear_z = 0.5 * (world[:, int(L.LEFT_EAR), 2] + world[:, int(L.RIGHT_EAR), 2])
        face_votes = np.where(np.isfinite(nose_z - ear_z), np.sign(ear_z - nose_z), 0.0)
    else:
        face_votes = np.zeros(n)
    ok = np.isfinite(yaw)
    code[ok & (yaw < FRONTAL_MAX_YAW_DEG)] = 0
    code[ok & (yaw < FRONTAL_MAX_YAW_DEG) & ~front] = 1
    code[ok & (yaw > SIDE_MIN_YAW_DEG)] = 2
    code[ok & (yaw >= FRONTAL_MAX_YAW_DEG) & (yaw <= SIDE_MIN_YAW_DEG)] = 3
    facing_x = compute_facing_x(px)
    along = float(seen_along_body(px)[0]) if n else float("nan")

    sel = ok if frames is None else ok & np.asarray(frames, bool)
    if not sel.any():
        sel = ok
    if not sel.any():
        return ViewEstimate("unknown", 0.0, float("nan"), "unknown", yaw, code, facing_x, along_body=along)
    med_yaw = float(np.median(yaw[sel]))
    if med_yaw < FRONTAL_MAX_YAW_DEG:
        score = np.nanmean(np.where(front[sel], 1.0, -1.0)) + 0.5 * float(np.mean(face_votes[sel]))
        view = "front" if score >= 0 else "rear"
        agree = np.isin(code[sel], (0, 1))
        facing = "camera" if view == "front" else "away"
    elif med_yaw > SIDE_MIN_YAW_DEG:
        view = "side"
        agree = code[sel] == 2
        fx = float(np.mean(facing_x[sel]))
        facing = "image-right" if fx > 0.2 else "image-left" if fx < -0.2 else "unknown"
    else:
        view = "oblique"
        agree = code[sel] == 3
        facing = "unknown"
    return ViewEstimate(
        view,
        float(np.mean(agree)),
        med_yaw,
        facing,
        yaw,
        code,
        facing_x,
        clip_body_yaw_deg(px, world, leg_lengths),
        along,
    )


def lr_swaps_of(point: Callable[[int], np.ndarray], n: int, jump_fraction: float = 0.35) -> np.ndarray:
    """Frames where the pose model has swapped the left and right leg.

    Parameters
    ----------
    point : ``point(lm)`` gives landmark ``lm`` as (T, 2) pixels (only the leg landmarks are
        asked for, so a caller holding some landmarks in any layout builds no (T, 33, 2) array).
    n : number of frames T.
    jump_fraction : float
        A frame-to-frame jump of the legs larger than this fraction of the
        thigh length, that swapping the labels would undo, starts or ends a
        swapped stretch.

    Returns
    -------
    ndarray of bool, shape (T,)
        True in frames whose left/right leg labels are swapped relative to
        the first frame.

    Notes
    -----
    For consecutive frames, ``same`` is the summed displacement of the leg
    landmarks keeping labels and ``cross`` the displacement if the labels
    were exchanged. A swap event is a frame where ``same`` is a large jump and
    ``cross`` less than half of it. The swapped state toggles at each event.
    """
    if n < 2:
        return np.zeros(n, dtype=bool)

    def step(a: int, b: int, at: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Image distance from landmark ``b`` in frame i to landmark ``a`` in frame i + 1, for the
        frame-to-frame steps ``at`` (default: all T - 1)."""
        pa, pb = point(a)[1:][at], point(b)[:-1][at]
        dx = pa[:, 0] - pb[:, 0]
        dy = pa[:, 1] - pb[:, 1]
        return np.sqrt(dx * dx + dy * dy)

    def mean_over_legs(pairs: Callable[[int, int], np.ndarray]) -> np.ndarray:
        """Mean over the five leg landmarks (NaN ignored), one landmark at a time: no (T, 5, 2) copies."""
        total, count = 0.0, 0
        for lm_l, lm_r in zip(_LEFT_LEG, _RIGHT_LEG, strict=True):
            d = pairs(lm_l, lm_r)
            ok = np.isfinite(d)
            total = total + np.where(ok, d, 0.0)
            count = count + ok
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, total / np.maximum(count, 1), np.nan)

    same = mean_over_legs(lambda lm_l, lm_r: step(lm_l, lm_l) + step(lm_r, lm_r))
    thigh = np.linalg.norm(point(int(L.LEFT_HIP)) - point(int(L.LEFT_KNEE)), axis=-1)
    ref = float(np.median(thigh[np.isfinite(thigh)])) if np.isfinite(thigh).any() else np.nan
    with np.errstate(invalid="ignore"):
        jump = np.flatnonzero(same > 2 * jump_fraction * ref)
    # the crossed labels only matter where the legs jumped: read there alone
    cross = mean_over_legs(lambda lm_l, lm_r: step(lm_l, lm_r, jump) + step(lm_r, lm_l, jump))
    event = np.zeros(n - 1, dtype=bool)
    with np.errstate(invalid="ignore"):
        event[jump] = cross < 0.5 * same[jump]
    state = np.concatenate([[0], np.cumsum(event) % 2]).astype(bool)
    return state
