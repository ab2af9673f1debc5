"""The per-frame measures of a clip, the series each fault rule grades, and their flat export.

One place turns landmarks into measures for the batch analysis and the live checker alike
(their filtering differs; the geometry does not).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache, partial
from typing import Any

import numpy as np

from hipform.kinematics import hinge as H
from hipform.kinematics import knee_over_foot as K
from hipform.kinematics import measures as M
from hipform.kinematics import side_lying as SL
from hipform.kinematics.faults import FaultRule
from hipform.kinematics.lazy_series import LazySeries
from hipform.kinematics.view import FRONTAL_MAX_YAW_DEG, ViewEstimate, clip_body_yaw_deg
from hipform.landmarks import Landmark
from hipform.report import value_key

L = Landmark
SIDES = ("left", "right")


def world_usable(world: np.ndarray | None) -> bool:
    """World landmarks exist for more than half the frames (read on the left hip)."""
    return (
        world is not None
        and world.shape[0] > 0
        and float(np.isfinite(world[:, int(L.LEFT_HIP), 0]).mean()) > 0.5
    )


def nanmedian(x: np.ndarray) -> float:
    """Median of the finite values (NaN when there are none)."""
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else float("nan")


def nanmean_cols(a: np.ndarray) -> np.ndarray:
    """Mean over the last axis of the finite values (NaN where there are none)."""
    ok = np.isfinite(a)
    cnt = ok.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 0, np.where(ok, a, 0.0).sum(axis=-1) / np.maximum(cnt, 1), np.nan)


def compute_measures(
    px: np.ndarray,
    world: np.ndarray | None,
    facing_x: np.ndarray | None = None,
    side_view: bool = False,
    body_yaw_deg: float | None = None,
    leg_lengths: np.ndarray | None = None,
) -> LazySeries:
    """All per-frame measures of a conditioned clip, each computed when first read.

    Returns name → array: ``(T, 2)`` [left, right] for per-side measures, ``(T,)`` otherwise
    (a :class:`~hipform.kinematics.lazy_series.LazySeries`: a clip is judged on a few of them,
    the report's series carry them all). Frontal-plane measures come from pixels; knee and
    hip flexion from pixels in a side view (the sagittal plane is the image),
    otherwise from world landmarks when available (any view), else pixels.
    The knee-over-foot measures (``knee_toe_ratio``, ``knee_medial_offset_ratio``) are corrected
    for the clip's body yaw (:func:`hipform.kinematics.view.clip_body_yaw_deg`) up to
    :data:`~hipform.kinematics.view.FRONTAL_MAX_YAW_DEG`; ``body_yaw_deg`` is that yaw when
    already known (None: read here), and ``leg_lengths``
    :func:`~hipform.kinematics.measures.compute_leg_length` of ``px``.
    """
    flex_src = world if (world_usable(world) and not side_view) else px
    # read by the body yaw, the knee-over-foot and the hinge measures
    legs = M.compute_leg_length(px) if leg_lengths is None else leg_lengths

    @cache
    def knee_over_foot() -> tuple[np.ndarray, np.ndarray]:
        # corrected for a body turned up to the frontal limit
        if side_view:
            yaw = float("nan")
        else:
            yaw = clip_body_yaw_deg(px, world, legs) if body_yaw_deg is None else body_yaw_deg
        yaw = yaw if abs(yaw) <= FRONTAL_MAX_YAW_DEG else float("nan")
        return K.compute_knee_over_foot(px, yaw, legs)

    trunk_hinge = cache(partial(H.compute_trunk_hinge_deg, px, legs))
    out = LazySeries()
    for name, compute, ndim in (
        ("fppa_deg", partial(M.compute_fppa_deg, px), 2),
        ("knee_separation_ratio", partial(M.compute_knee_separation_ratio, px), 1),
        ("knee_toe_ratio", lambda: knee_over_foot()[0], 2),
        ("knee_medial_offset_ratio", lambda: knee_over_foot()[1], 2),
        ("hip_adduction_deg", partial(M.compute_hip_adduction_deg, px), 2),
        ("pelvic_obliquity_deg", partial(M.compute_pelvic_obliquity_deg, px), 1),
        ("bridge_hip_line_deg", partial(M.compute_bridge_hip_line_deg, px), 2),
        ("thigh_past_trunk_deg", partial(M.compute_thigh_past_trunk_deg, px), 2),
        ("trunk_line_deg", partial(M.compute_trunk_line_deg, px), 1),
        # a body lying on its side, seen from the feet (clamshell)
        ("knee_spread_deg", partial(M.compute_knee_spread_deg, px), 1),
        # the shoulder line turns with a roll only seen along the body: across the image it barely turns
        ("shoulder_tilt_deg", lambda: SL.along_body_only(M.compute_shoulder_tilt_deg(px), px), 1),
        ("heel_gap_ratio", partial(M.compute_heel_gap_ratio, px), 1),
        ("trunk_inclination_deg", partial(M.compute_trunk_inclination_deg, px, facing_x), 1),
        ("knee_flexion_deg", partial(M.compute_knee_flexion_deg, flex_src), 2),
        ("hip_flexion_deg", partial(M.compute_hip_flexion_deg, flex_src), 2),
        # a hip hinge on one leg (single-leg deadlift)
        ("trunk_hinge_deg", trunk_hinge, 1),
        ("hinge_line_deg", partial(H.compute_hinge_line_deg, px), 2),
        ("free_hip_rise_deg", partial(H.compute_free_hip_rise_deg, px), 2),
        (
            "free_foot_clearance_ratio",
            lambda: H.compute_free_foot_clearance_ratio(px, trunk_hinge(), legs),
            2,
        ),
        # side-lying leg lift: the lift, and what the feet view or the front/back view shows
        ("leg_lift_deg", partial(SL.compute_leg_lift_deg, px), 1),
        ("leg_forward_deg", partial(SL.compute_leg_forward_deg, px), 1),
        ("trunk_side_bend_deg", partial(SL.compute_trunk_side_bend_deg, px), 1),
    ):
        out.later(name, compute, ndim)
    return out


#: Landmarks a graded measure needs, per side (visibility of these sets the flag confidence).
KEY_LANDMARKS: dict[str, tuple[tuple[Landmark, ...], tuple[Landmark, ...]]] = {
    "fppa_deg": (
        (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE, L.RIGHT_HIP),
        (L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE, L.LEFT_HIP),
    ),
    "hip_adduction_deg": ((L.LEFT_HIP, L.LEFT_KNEE, L.RIGHT_HIP), (L.RIGHT_HIP, L.RIGHT_KNEE, L.LEFT_HIP)),
    "pelvic_drop_deg": ((L.LEFT_HIP, L.RIGHT_HIP),) * 2,
    "knee_toe_ratio": (
        (L.LEFT_KNEE, L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX),
        (L.RIGHT_KNEE, L.RIGHT_FOOT_INDEX, L.LEFT_FOOT_INDEX),
    ),
    "knee_separation_rel": ((L.LEFT_KNEE, L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE),) * 2,
    "knee_medial_shift_rel": (
        (L.LEFT_KNEE, L.LEFT_HEEL, L.LEFT_FOOT_INDEX, L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX),
        (L.RIGHT_KNEE, L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX, L.LEFT_HEEL, L.LEFT_FOOT_INDEX),
    ),
    "bridge_hip_line_deg": (
        (L.LEFT_SHOULDER, L.LEFT_HIP, L.LEFT_KNEE),
        (L.RIGHT_SHOULDER, L.RIGHT_HIP, L.RIGHT_KNEE),
    ),
    "thigh_past_trunk_deg": (
        (L.LEFT_SHOULDER, L.LEFT_HIP, L.LEFT_KNEE),
        (L.RIGHT_SHOULDER, L.RIGHT_HIP, L.RIGHT_KNEE),
    ),
    "trunk_line_change_deg": ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP),) * 2,
    "knee_opening_deg": (
        (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE, L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE),
        (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE, L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE),
    ),
    "trunk_roll_deg": ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER),) * 2,
    "feet_apart_ratio": ((L.LEFT_HEEL, L.RIGHT_HEEL, L.LEFT_SHOULDER, L.RIGHT_SHOULDER),) * 2,
    # the stance ankle only: a foot lifted behind the stance leg is hidden from a front camera
    "pelvis_sway_speed_ratio": (
        (L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_ANKLE),
        (L.LEFT_HIP, L.RIGHT_HIP, L.RIGHT_ANKLE),
    ),
    "trunk_lean_stance_deg": ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP),) * 2,
    # single-leg deadlift: each column's stance leg, the other leg free
    "pelvis_opening_deg": ((L.LEFT_HIP, L.RIGHT_HIP),) * 2,
    "hinge_line_deg": (
        (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP, L.RIGHT_ANKLE),
        (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_ANKLE),
    ),
    # the free ankle: filmed from the side the stance foot on the floor is often the far one, half hidden
    "free_foot_clearance_ratio": (
        (L.RIGHT_ANKLE, L.LEFT_HIP, L.RIGHT_HIP),
        (L.LEFT_ANKLE, L.LEFT_HIP, L.RIGHT_HIP),
    ),
    # band walk: its own per-step series (hipform.kinematics.movements.band_walk)
    "knee_separation_ratio": ((L.LEFT_KNEE, L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE),) * 2,
    "knee_width_set_rel": ((L.LEFT_KNEE, L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE),) * 2,
    "trunk_sway_range_deg": ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP),) * 2,
    "hip_rise_set_ratio": ((L.LEFT_HIP, L.RIGHT_HIP),) * 2,
    "step_width_ratio": ((L.LEFT_ANKLE, L.RIGHT_ANKLE, L.LEFT_HIP, L.RIGHT_HIP),) * 2,
    # side-lying leg lift: either leg may be on top
    "leg_forward_deg": (
        (L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_ANKLE, L.RIGHT_ANKLE, L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
    )
    * 2,
    "hip_hike_deg": ((L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_SHOULDER, L.RIGHT_SHOULDER),) * 2,
}


def leg_length_px(px: np.ndarray, leg_lengths: np.ndarray | None = None) -> float:
    """Typical leg length (hip–knee + knee–ankle) in the image over the clip, pixels (NaN: unmeasurable).

    ``leg_lengths``: :func:`~hipform.kinematics.measures.compute_leg_length` of ``px`` when already known.
    """
    return nanmedian((M.compute_leg_length(px) if leg_lengths is None else leg_lengths).ravel())


#: Graded measures read as their change since the start of each rep (its absolute value), and the
#: per-frame measure each changes from (grading, the report's series and the live checker read it).
FROM_REP_START: dict[str, str] = {
    "trunk_line_change_deg": "trunk_line_deg",
    "knee_opening_deg": "knee_spread_deg",
    "trunk_roll_deg": "shoulder_tilt_deg",
    "feet_apart_ratio": "heel_gap_ratio",
    "pelvis_opening_deg": "free_hip_rise_deg",
    "hip_hike_deg": "trunk_side_bend_deg",
}


def compute_graded_series(rule: FaultRule, m: dict[str, np.ndarray], base: dict[str, Any]) -> np.ndarray:
    """(T, 2) series graded by ``rule`` (per-side columns; non-side measures repeated).

    ``m`` are the per-frame measures (:func:`compute_measures`), ``base`` the per-person
    baselines (``fppa_deg`` and ``knee_medial_offset_ratio`` (2,), ``knee_separation_ratio`` and
    ``pelvic_obliquity_deg`` scalars; NaN where the clip has no rest position). The batch
    analysis and the live checker both grade through this function.
    """
    name = rule.measure
    if name == "fppa_deg":
        x = m["fppa_deg"] - np.nan_to_num(base["fppa_deg"])[None, :]
    elif name == "knee_medial_shift_rel":
        # the offset itself depends on the stance: without a standing position it is not graded
        standing = np.asarray(base.get("knee_medial_offset_ratio", np.full(2, np.nan)), dtype=np.float64)
        x = m["knee_medial_offset_ratio"] - standing[None, :]
    elif name == "knee_separation_rel":
        b = base["knee_separation_ratio"]
        x = m["knee_separation_ratio"] / (b if np.isfinite(b) and b > 0 else 1.0)
        x = np.stack([x, x], axis=1)
    elif name == "pelvic_drop_deg":
        x = M.compute_pelvic_drop_deg(m["pelvic_obliquity_deg"] - np.nan_to_num(base["pelvic_obliquity_deg"]))
    elif name in FROM_REP_START:  # made relative to each rep's start where it is read
        x = m[FROM_REP_START[name]]
        x = x if x.ndim == 2 else np.stack([x, x], axis=1)
    else:  # NaN for a measure only a batch segmentation makes (live: the band walk's per-step series)
        x = m[name] if name in m else np.full((m["fppa_deg"].shape[0], 2), np.nan)
        x = x if x.ndim == 2 else np.stack([x, x], axis=1)  # a whole-body measure: both columns
    return x if x.ndim == 2 else np.stack([x, x], axis=1)  # a whole-body (T,) measure in both columns


#: The camera view each per-frame measure needs (biomechanics.md §4): ``frontal`` measures lie in
#: the frontal plane and need a front or rear view, ``side`` ones in the sagittal plane and need a
#: side view. A measure not listed (knee and hip flexion, from world landmarks in any view; the rep
#: signal; the view's own yaw) is shown in any view. Values of a measure the clip's view does not
#: show are never reported (``null`` in JSON, empty in CSV, left off the timeline).
MEASURE_VIEW: dict[str, str] = {
    **dict.fromkeys(
        (
            "fppa_deg",
            "fppa_raw_deg",
            "fppa_peak_deg",
            "fppa_standing_deg",
            "knee_separation_ratio",
            "knee_separation_rel",
            "knee_toe_ratio",
            "knee_medial_offset_ratio",
            "knee_medial_shift_rel",
            "hip_adduction_deg",
            "pelvic_obliquity_deg",
            "pelvic_drop_deg",
            "knee_spread_deg",
            "knee_opening_deg",
            "shoulder_tilt_deg",
            "trunk_roll_deg",
            "heel_gap_ratio",
            "feet_apart_ratio",
            "pelvis_sway_speed_ratio",
            "sway_path_ratio",
            "trunk_lean_stance_deg",
            "free_hip_rise_deg",
            "pelvis_opening_deg",
            "knee_width_set_rel",
            "trunk_sway_range_deg",
            "hip_rise_set_ratio",
            "step_width_ratio",
            "leg_forward_deg",
            "trunk_side_bend_deg",
            "hip_hike_deg",
        ),
        "frontal",
    ),
    **dict.fromkeys(
        (
            "bridge_hip_line_deg",
            "thigh_past_trunk_deg",
            "trunk_line_deg",
            "trunk_line_change_deg",
            "trunk_inclination_deg",
            # side-on running, each step's values (hipform.kinematics.sagittal_running)
            "hip_extension_toe_off_deg",
            "shank_angle_contact_deg",
            "foot_ahead_contact_ratio",
            "knee_flexion_contact_deg",
            "vertical_oscillation_ratio",
            "hinge_line_deg",
            "free_foot_clearance_ratio",
        ),
        "side",
    ),
}


def view_shows(measure: str, view: ViewEstimate) -> bool:
    """The clip's camera view shows ``measure`` (:data:`MEASURE_VIEW`)."""
    need = MEASURE_VIEW.get(measure)
    return need is None or (view.frontal if need == "frontal" else view.side)


def flatten_measures(
    m: Mapping[str, np.ndarray], base: dict[str, Any], rep_signal: np.ndarray, view: ViewEstimate
) -> LazySeries:
    """Per-frame series for plotting and CSV: one (T,) array per name, units in the name.

    Every name is :func:`hipform.report.value_key` (measure, side) — the name the graded value
    of a rep goes by too — so a graded measure's series passes through its flags' values:

    - ``fppa_left_deg`` / ``fppa_right_deg``: the graded FPPA, minus that knee's standing
      baseline (the raw FPPA where the clip has no standing position); the raw angle is
      ``fppa_raw_left_deg`` / ``fppa_raw_right_deg``;
    - ``knee_separation_rel``: knee-separation ratio ÷ its standing value;
    - ``knee_medial_shift_rel_left`` / ``…_right``: how far that knee has moved in over its own foot
      since standing, leg lengths (``knee_medial_offset_ratio_left`` … less its standing value);
    - ``pelvic_drop_left_deg`` / ``pelvic_drop_right_deg``: pelvic drop for a left / right
      stance leg, from the obliquity minus its standing (or resting) baseline;
    - the other measures as they are (``knee_toe_ratio_left``, ``pelvic_obliquity_deg``, …).

    Each series is computed when first read (a :class:`~hipform.kinematics.lazy_series.LazySeries`).
    Measures the camera view does not show (:func:`view_shows`: frontal-plane measures of a
    side-on or oblique clip, sagittal ones of a front or rear view) are left out.
    """
    # measure → its series: (T, 2) per side or (T,), computed when read
    by_measure = LazySeries()
    by_measure.later("fppa_raw_deg", partial(m.__getitem__, "fppa_deg"), 2)
    for name in m:
        if name != "fppa_deg":
            by_measure.later(name, partial(m.__getitem__, name), _ndim(m, name))
    b = base["knee_separation_ratio"]
    by_measure.later("fppa_deg", lambda: m["fppa_deg"] - np.nan_to_num(base["fppa_deg"])[None, :], 2)
    by_measure.later(
        "pelvic_drop_deg",
        lambda: M.compute_pelvic_drop_deg(
            m["pelvic_obliquity_deg"] - np.nan_to_num(base["pelvic_obliquity_deg"])
        ),
        2,
    )
    by_measure.later(
        "knee_separation_rel",
        lambda: m["knee_separation_ratio"] / (b if np.isfinite(b) and b > 0 else 1.0),
        1,
    )
    standing = np.asarray(base.get("knee_medial_offset_ratio", np.full(2, np.nan)), dtype=np.float64)
    by_measure.later("knee_medial_shift_rel", lambda: m["knee_medial_offset_ratio"] - standing[None, :], 2)
    by_measure["rep_signal"] = rep_signal
    by_measure["view_yaw_deg"] = view.per_frame_yaw_deg
    out = LazySeries()
    for name in by_measure:
        if not view_shows(name, view):
            continue
        if by_measure.ndim(name) == 2:
            for s, sname in enumerate(SIDES):
                out.later(value_key(name, sname), partial(_column, by_measure, name, s), 1)
        else:
            out.later(name, partial(_column, by_measure, name, None), 1)
    return out


def _ndim(m: Mapping[str, np.ndarray], name: str) -> int:
    """The number of dimensions of ``m[name]``, without computing it where ``m`` can tell."""
    return m.ndim(name) if isinstance(m, LazySeries) else np.ndim(m[name])


def _column(series: Mapping[str, np.ndarray], name: str, side: int | None) -> np.ndarray:
    """``series[name]`` as float64, or its column ``side`` (0 left, 1 right)."""
    arr = np.asarray(series[name], dtype=np.float64)
    return arr if side is None else arr[:, side]
