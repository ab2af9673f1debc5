"""Measures of a hip hinge on one leg (the single-leg deadlift), numpy only.

The trunk's tip from upright reads the same way from the front and the side
(:func:`compute_trunk_hinge_deg`); the pelvis opening is read from the front or behind, the
shoulder–hip–free-ankle line and the free foot's height from the side. Each per-side measure has one
column per stance leg (the other leg free).
"""

from __future__ import annotations

import numpy as np

from hipform.kinematics.measures import (
    _angle_between_deg,
    compute_leg_length,
    compute_pelvic_drop_deg,
    compute_pelvic_obliquity_deg,
)
from hipform.landmarks import Landmark

L = Landmark

#: Hip-mid → shoulder-mid length over hip–knee–ankle length of an adult (Winter 2009 ratios
#: 0.288 H / 0.491 H): the trunk's image height above the hips, at this share of the leg, is upright.
TRUNK_TO_LEG = 0.288 / 0.491


def compute_trunk_hinge_deg(px: np.ndarray, leg_lengths: np.ndarray | None = None) -> np.ndarray:
    """How far the trunk has tipped forward from upright, read from its height above the hips.

    A hinge tips the trunk toward or away from a front camera, where its image angle stays vertical
    and only its height shrinks, and sideways in a side view; the shoulders' height above the hips
    (image y) over :data:`TRUNK_TO_LEG` × the longer leg's image length reads both the same way.

    Returns
    -------
    ndarray, shape (T,)
        Degrees in [0, 180]: 0 upright, 90 with the shoulders at hip height (arccos of the height
        ratio, clipped to [-1, 1]). NaN where the shoulders, hips or a leg are missing.
        ``leg_lengths``: :func:`compute_leg_length` of ``px`` when already known.
    """
    sh = px[:, [int(L.LEFT_SHOULDER), int(L.RIGHT_SHOULDER)], 1].mean(axis=1)
    hp = px[:, [int(L.LEFT_HIP), int(L.RIGHT_HIP)], 1].mean(axis=1)
    leg = compute_leg_length(px[..., :2]) if leg_lengths is None else leg_lengths
    with np.errstate(invalid="ignore", divide="ignore"):
        longest = np.fmax(leg[:, 0], leg[:, 1])
        ratio = (hp - sh) / (TRUNK_TO_LEG * longest)
        return np.where(longest > 1e-9, np.degrees(np.arccos(np.clip(ratio, -1.0, 1.0))), np.nan)


def compute_hinge_line_deg(px: np.ndarray) -> np.ndarray:
    """Bend of the shoulder–hip–free-ankle line (single-leg deadlift, side view).

    Returns
    -------
    ndarray, shape (T, 2)
        Column ``s``: 180° − the angle at the hip midpoint between the shoulder midpoint and the
        *other* leg's ankle (the free leg when ``s`` is the stance leg), degrees ≥ 0; 0 = trunk and
        free leg in one straight line, larger = the back rounding or the free leg hanging below (or
        lifted above) the trunk's line.
    """
    sh = 0.5 * (px[:, int(L.LEFT_SHOULDER), :2] + px[:, int(L.RIGHT_SHOULDER), :2])
    hp = 0.5 * (px[:, int(L.LEFT_HIP), :2] + px[:, int(L.RIGHT_HIP), :2])
    free_ankle = px[:, [int(L.RIGHT_ANKLE), int(L.LEFT_ANKLE)], :2]  # column 0: stance left, free right
    inner = _angle_between_deg((sh - hp)[:, None, :], free_ankle - hp[:, None, :])
    return 180.0 - inner


def compute_free_hip_rise_deg(px: np.ndarray) -> np.ndarray:
    """Free-side hip above the stance-side hip, the hip line's tilt (single-leg deadlift, front or rear).

    Returns
    -------
    ndarray, shape (T, 2)
        Column ``s``: the hip–hip line's angle from the image horizontal when ``s`` is the stance leg,
        positive with the other (free) hip higher, clipped at 0 (a free hip lower is the pelvic drop's
        measure, not this one). Hinged forward, the trunk's long axis points at the camera and the
        pelvis opening (rotating up on the free side about it) turns the hip line in the image.
    """
    return np.maximum(-compute_pelvic_drop_deg(compute_pelvic_obliquity_deg(px)), 0.0)


#: Trunk hinge (:func:`compute_trunk_hinge_deg`) from which a single-leg deadlift is mid-rep and its
#: free foot should be off the floor, degrees [J]: with the free leg in line with the trunk the foot
#: is then ~0.2 leg lengths up.
HINGED_DEG = 40.0


def compute_free_foot_clearance_ratio(
    px: np.ndarray, trunk_hinge_deg: np.ndarray | None = None, leg_lengths: np.ndarray | None = None
) -> np.ndarray:
    """Height of the free foot above the stance foot while hinged (single-leg deadlift).

    Returns
    -------
    ndarray, shape (T, 2)
        Column ``s``: the other ankle's image height above ankle ``s`` (the stance leg), in the longer
        leg's image length, on frames hinged at least :data:`HINGED_DEG`
        (:func:`compute_trunk_hinge_deg`, read here unless given as ``trunk_hinge_deg``); NaN on other
        frames. ~0 when the free foot touches down. ``leg_lengths``: :func:`compute_leg_length` of
        ``px`` when already known.
    """
    ank_y = px[:, [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)], 1]
    leg = compute_leg_length(px[..., :2]) if leg_lengths is None else leg_lengths
    with np.errstate(invalid="ignore"):
        longest = np.fmax(leg[:, 0], leg[:, 1])
        up = (ank_y - ank_y[:, ::-1]) / longest[:, None]  # column 0: left ankle's y − right's (y down)
        hinge = compute_trunk_hinge_deg(px) if trunk_hinge_deg is None else trunk_hinge_deg
        hinged = hinge >= HINGED_DEG
    return np.where(hinged[:, None] & (longest[:, None] > 1e-9), up, np.nan)
