"""Where each knee sits over its own foot, seen from the front or behind, in a bilateral squat.

Per-frame measures of the knee-over-foot family (biomechanics.md §1), each read across the body
and corrected for a camera turned sideways (a body yaw, :mod:`hipform.kinematics.view`):

- :func:`compute_knee_medial_offset`: how far each knee sits medially of its own foot, in leg
  lengths; relative to standing it is how far the knee has moved in (a knee caving in while the
  weight shifts away from it, which the knee-separation ratio averages away);
- :func:`compute_knee_toe_ratio`: where each knee sits across the toes (the knee over the
  second toe at the bottom of a deep squat);
- :func:`compute_knee_travel`: how far each knee has travelled forward over its ankle, read from
  the shank's foreshortening; a turned camera shows that travel sideways, which is what the
  yaw correction takes off.

Pixels in, numpy only, NaN in → NaN out, as in :mod:`hipform.kinematics.measures`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from hipform.kinematics.measures import compute_leg_length
from hipform.landmarks import Landmark

L = Landmark


def _dot(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Dot product of 2D vectors over the last axis."""
    return u[..., 0] * v[..., 0] + u[..., 1] * v[..., 1]


def _norm(v: np.ndarray) -> np.ndarray:
    """Length of 2D vectors over the last axis."""
    return np.sqrt(_dot(v, v))


def _mean_over(x: np.ndarray, axis: int) -> np.ndarray:
    """Mean of the finite values along ``axis`` (NaN where there are none), without warnings."""
    ok = np.isfinite(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok.any(axis=axis), np.where(ok, x, 0.0).sum(axis=axis) / ok.sum(axis=axis), np.nan)


#: Percentile of a segment's image length over a clip taken as its standing (longest, unforeshortened)
#: length: the longest lengths, robust to a few misplaced landmarks [J].
STANDING_LENGTH_PERCENTILE = 90.0


def compute_standing_length(lengths: np.ndarray) -> np.ndarray:
    """A segment's standing image length over a clip: a high percentile of its per-frame lengths.

    Parameters
    ----------
    lengths : ndarray, shape (T,) or (T, 2)
        Per-frame image lengths (pixels), NaN where not measurable.

    Returns
    -------
    ndarray, shape () or (2,)
        :data:`STANDING_LENGTH_PERCENTILE` of the finite lengths (per column); NaN without any.
        Seen from the front a thigh or shank only ever looks shorter than it is (it
        foreshortens as it tilts toward the camera), so its longest lengths are its own.
    """
    x = np.asarray(lengths, dtype=np.float64)
    ok = np.isfinite(x)
    if x.ndim == 1:
        return np.asarray(np.percentile(x[ok], STANDING_LENGTH_PERCENTILE) if ok.any() else np.nan)
    return np.array(
        [
            np.percentile(c[k], STANDING_LENGTH_PERCENTILE) if k.any() else np.nan
            for c, k in zip(x.T, ok.T, strict=True)
        ]
    )


def _foot_centres(px: np.ndarray) -> np.ndarray:
    """(T, 2, D) midpoint of the heel and foot-index points of the left and right foot."""
    heel = px[:, [int(L.LEFT_HEEL), int(L.RIGHT_HEEL)]]
    toe = px[:, [int(L.LEFT_FOOT_INDEX), int(L.RIGHT_FOOT_INDEX)]]
    return 0.5 * (heel + toe)


def straight_frames(px: np.ndarray) -> np.ndarray:
    """(T,) bool: frames whose legs (mean of both) are within 5% of their standing length [J]."""
    return _straight(compute_leg_length(px))


def _straight(leg_lengths: np.ndarray) -> np.ndarray:
    """:func:`straight_frames` from the (T, 2) leg lengths (:func:`compute_leg_length`)."""
    legs = leg_lengths.mean(axis=1)
    with np.errstate(invalid="ignore"):
        return legs >= 0.95 * compute_standing_length(legs)


class _Clip(NamedTuple):
    """What the knee-over-foot measures read of the whole clip (computed once for all of them)."""

    straight: np.ndarray  # (T,) bool, :func:`straight_frames`
    leg: np.ndarray  # :func:`standing_leg_px`
    left: np.ndarray  # (T, 1, 2) :func:`compute_body_left_axis`

    @classmethod
    def of(cls, px: np.ndarray, leg_lengths: np.ndarray | None = None) -> _Clip:
        lengths = compute_leg_length(px) if leg_lengths is None else leg_lengths
        straight = _straight(lengths)
        leg = compute_standing_length(_mean_over(lengths, axis=1))
        return cls(straight, leg, _body_left_axis(px, straight)[:, None, :])


def compute_body_left_axis(px: np.ndarray) -> np.ndarray:
    """(T, 2) unit image direction of the person's left, across the body.

    Perpendicular to the line from the ankles' midpoint up to the hips' midpoint while standing
    straight (the mean of its direction over the frames whose legs are within 5% of their
    standing length), so camera roll does not matter, and neither do hips that move back or
    sideways in a squat. It points from the right foot toward the left one (the image right from
    the front, the image left from behind). The same in every frame; NaN when the clip has no
    legs or feet to read it from.
    """
    return _body_left_axis(px, straight_frames(px))


def _body_left_axis(px: np.ndarray, straight: np.ndarray) -> np.ndarray:
    """:func:`compute_body_left_axis` given the frames whose legs stand straight."""
    hips = px[:, [int(L.LEFT_HIP), int(L.RIGHT_HIP)]].mean(axis=1)
    ankles = px[:, [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)]].mean(axis=1)
    up = hips - ankles
    with np.errstate(invalid="ignore", divide="ignore"):
        up = up / _norm(up)[:, None]
    out = np.full(px.shape[:1] + (2,), np.nan)
    ok = np.isfinite(up).all(axis=1) & straight
    if not ok.any():
        return out
    u = up[ok].mean(axis=0)  # the mean direction: turns with the image, as a median would not
    across = np.array([-u[1], u[0]]) / np.hypot(*u)
    feet = _foot_centres(px)
    lr = _dot(feet[:, 0] - feet[:, 1], across)
    lr = lr[np.isfinite(lr)]
    if lr.size == 0 or np.median(lr) == 0:
        return out
    out[:] = across * np.sign(np.median(lr))
    return out


def standing_leg_px(px: np.ndarray, leg_lengths: np.ndarray | None = None) -> np.ndarray:
    """The clip's standing leg length in the image (mean of both legs), pixels; NaN if unmeasurable.

    ``leg_lengths``: :func:`~hipform.kinematics.measures.compute_leg_length` of ``px`` when already
    known."""
    lengths = compute_leg_length(px) if leg_lengths is None else leg_lengths
    return compute_standing_length(_mean_over(lengths, axis=1))


def compute_knee_travel(px: np.ndarray) -> np.ndarray:
    """How far each knee has travelled forward over its ankle, in leg lengths, from the front or behind.

    Parameters
    ----------
    px : ndarray, shape (T, 33, 2), pixels, y down.

    Returns
    -------
    ndarray, shape (T, 2)
        [left, right]: ``s · sin(tilt)`` with ``cos(tilt)`` = the shank's height in the image
        (ankle y − knee y) ÷ its standing length ``s`` (:func:`compute_standing_length` of the
        knee–ankle distance), divided by the clip's standing leg length, less (in quadrature) what
        it reads while standing straight. 0 standing; about 0.3 at the bottom of a deep squat.
        Read from the shank's foreshortening, so a frontal view does not under-read it as it does
        the knee angle.

    Notes
    -----
    The camera is assumed roughly level with the shank: a camera higher up sees a knee that
    comes toward it lower in the image, which reads as more travel (about 20% more on the
    rendered athlete filmed from 1 m height at 3.3 m).
    """
    return _knee_travel(px, straight_frames(px), standing_leg_px(px))


def _knee_travel(px: np.ndarray, straight: np.ndarray, leg: np.ndarray) -> np.ndarray:
    """:func:`compute_knee_travel` given the straight-leg frames and the standing leg length."""
    knee = px[:, [int(L.LEFT_KNEE), int(L.RIGHT_KNEE)]]
    ankle = px[:, [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)]]
    shank = compute_standing_length(_norm(knee - ankle))
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.clip((ankle[..., 1] - knee[..., 1]) / shank, 0.0, 1.0)
        squared = 1.0 - c * c
        # near upright sqrt(1 − c²) turns a 1% jitter of the shank's height into 0.14 of its length:
        # take off in quadrature what it reads while the legs stand straight (the landmarks' noise)
        standing = np.where(straight[:, None], squared, np.nan)
        seen = np.isfinite(standing).any(axis=0)
        noise = np.array(
            [
                np.median(col[np.isfinite(col)]) if ok else 0.0
                for col, ok in zip(standing.T, seen, strict=True)
            ]
        )
        return shank * np.sqrt(np.clip(squared - noise, 0.0, None)) / leg


#: Sideways image shift of a knee that has travelled forward, per unit of its travel
#: (:func:`compute_knee_travel`) × sin(yaw). Geometry says 1 (a perfect pose model seen from far
#: away); MediaPipe on rendered squats filmed by a phone-like camera (3.3 m, 1 m high) at known yaw
#: gives 0.91 (0.89–0.93 holding out each of the five bodies in turn): from above the knee, the
#: shank's foreshortening over-reads the travel (``python benchmarks/yaw.py``).
KNEE_YAW_GAIN = 0.91
#: Toe tip (foot-index point) ahead of the ankle, leg lengths: 0.78 of the foot [J] with Winter's
#: foot 0.152 H and leg (thigh + shank) 0.491 H (Winter 2009, fig. 4.1).
TOE_FORWARD_LEGS = 0.78 * 0.152 / 0.491
#: Per leg [left, right]: +1 where a shift toward the person's left is lateral (the left leg),
#: -1 where it is medial (the right leg).
_TOWARD_LEFT_IS_LATERAL = np.array([1.0, -1.0])


def compute_knee_medial_offset(px: np.ndarray, yaw_deg: float = float("nan")) -> np.ndarray:
    """How far each knee sits medially of its own foot, in leg lengths (bilateral squat, §1).

    Parameters
    ----------
    px : ndarray, shape (T, 33, 2), pixels.
    yaw_deg : float
        Signed body yaw (:func:`hipform.kinematics.view.compute_body_yaw_deg`), positive when
        forward movements appear shifted toward the person's left in the image (filmed from the
        front: their right side nearer the camera). NaN: no correction.

    Returns
    -------
    ndarray, shape (T, 2)
        [left, right]: the knee's offset from the midpoint of its heel and foot-index points,
        measured across the body (:func:`compute_body_left_axis`), positive toward the other foot
        (medial), divided by the clip's standing leg length (hip–knee + knee–ankle,
        :func:`compute_standing_length` of the mean of both legs). Subtract the standing value to
        get how far the knee has moved in over its foot. Unchanged by image translation, scale,
        rotation and mirroring; the same sign from the front and from behind.

    Notes
    -----
    Each knee is judged against its own foot, so a knee that caves in is seen even when the
    other knee goes out (a lateral weight shift), which the knee-separation ratio averages away.

    Seen from a camera turned by ψ, a knee that has travelled ``t`` leg lengths forward
    (:func:`compute_knee_travel`) shows up ``g · t · sin ψ`` toward the person's left (medial
    for the right knee, lateral for the left) and sideways offsets shrink by ``cos ψ``:
    ``offset = (offset_image ∓ g · t · sin ψ) / cos ψ`` (− right, + left), ``g`` =
    :data:`KNEE_YAW_GAIN`. At standing ``t`` = 0, so the correction leaves the standing offset as
    it is.
    """
    return compute_knee_over_foot(px, yaw_deg)[1]


def compute_knee_over_foot(
    px: np.ndarray, yaw_deg: float = float("nan"), leg_lengths: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(:func:`compute_knee_toe_ratio`, :func:`compute_knee_medial_offset`) of the clip, which read
    the same body axis, standing leg length and knee travel; ``leg_lengths`` is
    :func:`~hipform.kinematics.measures.compute_leg_length` of ``px`` when already known."""
    clip = _Clip.of(px, leg_lengths)
    travel = _knee_travel(px, clip.straight, clip.leg) if np.isfinite(yaw_deg) else None
    return _knee_toe_ratio(px, yaw_deg, clip, travel), _knee_medial_offset(px, yaw_deg, clip, travel)


def _knee_medial_offset(px: np.ndarray, yaw_deg: float, clip: _Clip, travel: np.ndarray | None) -> np.ndarray:
    """:func:`compute_knee_medial_offset`; ``travel`` is :func:`compute_knee_travel` (None: no yaw)."""
    knees = px[:, [int(L.LEFT_KNEE), int(L.RIGHT_KNEE)]]
    with np.errstate(invalid="ignore", divide="ignore"):
        offset = -_TOWARD_LEFT_IS_LATERAL * _dot(knees - _foot_centres(px), clip.left) / clip.leg
    if travel is None:
        return offset
    psi = np.radians(yaw_deg)
    shift = KNEE_YAW_GAIN * travel * np.sin(psi)
    return (offset + _TOWARD_LEFT_IS_LATERAL * shift) / np.cos(psi)


def compute_knee_toe_ratio(px: np.ndarray, yaw_deg: float = float("nan")) -> np.ndarray:
    """Where each knee sits over its foot, across the body (deep bilateral squat).

    Parameters
    ----------
    px : ndarray, shape (T, 33, 2), pixels.
    yaw_deg : float
        Signed body yaw (see :func:`compute_knee_medial_offset`); NaN: no correction.

    Returns
    -------
    ndarray, shape (T, 2)
        [left, right]: the knee's distance from the midpoint between the two toes (foot index
        landmarks), measured across the body (:func:`compute_body_left_axis`) toward this side,
        divided by half the toes' distance across the body. 1 = knee straight over the toes,
        < 1 = knee inside the toes (toward the midline), > 1 = outside. Dimensionless, unchanged
        by image translation, scale, rotation and mirroring.

    Notes
    -----
    Across the body, not along the line joining the toes: from a camera turned sideways and
    above the floor, the nearer foot looks lower in the image, which tilts that line, and the
    knees high above it would read as shifted along it.

    From a camera turned by ψ, the knee (``t`` leg lengths forward of the ankle,
    :func:`compute_knee_travel`) and the toes (:data:`TOE_FORWARD_LEGS` ahead of it) both show
    up shifted toward the person's left, by ``g · t · sin ψ`` and ``TOE_FORWARD_LEGS · sin ψ``;
    the difference, in half toe-widths, is taken off (added for the right knee, whose side
    is the person's right). Sideways distances shrink alike by ``cos ψ``, so the ratio keeps them.
    """
    return compute_knee_over_foot(px, yaw_deg)[0]


def _knee_toe_ratio(px: np.ndarray, yaw_deg: float, clip: _Clip, travel: np.ndarray | None) -> np.ndarray:
    """:func:`compute_knee_toe_ratio`; ``travel`` is :func:`compute_knee_travel` (None: no yaw)."""
    left = clip.left
    toes = px[:, [int(L.LEFT_FOOT_INDEX), int(L.RIGHT_FOOT_INDEX)]]
    knees = px[:, [int(L.LEFT_KNEE), int(L.RIGHT_KNEE)]]
    across = _dot(knees - toes.mean(axis=1, keepdims=True), left) * _TOWARD_LEFT_IS_LATERAL
    half = 0.5 * _dot(toes[:, 0] - toes[:, 1], left[:, 0])
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(half[:, None] > 1e-6, across / half[:, None], np.nan)
        if travel is None:
            return ratio
        shift = (KNEE_YAW_GAIN * travel - TOE_FORWARD_LEGS) * np.sin(np.radians(yaw_deg))
        return ratio - _TOWARD_LEFT_IS_LATERAL * shift * clip.leg / half[:, None]
