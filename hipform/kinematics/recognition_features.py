"""Scalar features of a clip that recognition reads: posture, hip height, steps, one leg working.

Each feature is a number a coach could point at in the clip (the trunk's uprightness, the hips'
rise above their start, the share of frames with a foot off the floor, …); which movement they
add up to is decided in :mod:`hipform.kinematics.recognition`.
"""

from __future__ import annotations

import math

import numpy as np

from hipform.kinematics.events import detect_steps
from hipform.kinematics.measures import compute_heel_gap_ratio, compute_hip_depth, compute_knee_flexion_deg
from hipform.kinematics.view import compute_view_yaw_deg
from hipform.landmarks import Landmark

L = Landmark


def ramp(x: float, a: float, b: float) -> float:
    """0 below a, 1 above b, linear between (reversed when b < a); 0 for NaN."""
    if not math.isfinite(x):
        return 0.0
    return min(1.0, max(0.0, (float(x) - a) / (b - a)))  # plain floats: called thousands of times


def _pct_range(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    if x.size < 3:
        return float("nan")
    lo, hi = np.percentile(x, [5, 95])
    return float(hi - lo)


def _median(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else float("nan")


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 5:
        return float("nan")
    a, b = a[ok] - a[ok].mean(), b[ok] - b[ok].mean()
    den = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / den) if den > 0 else float("nan")


#: Smallest rise and fall of a heel, in leg lengths, that counts as a step [J]: above the 0.05
#: of a heel shuffling under a barbell (which one BlazePose tracker finds and another does not),
#: below the 0.077 of the smallest step of a real runner moving away from the camera. The step
#: analysis of running itself keeps its own, finer threshold.
STEP_PROMINENCE = 0.07

#: How far apart two BlazePose trackers following the same person through the same frames put a
#: heel, in leg lengths (a barbell squat's set-up, 95th percentile: 0.036-0.038; largest 0.056;
#: docs/performance.md). Steps are counted a second time with the threshold raised by this, and
#: recognition weighs both counts alike: an answer that rests on steps only one count finds (a
#: running cadence from heel shuffles of the size of the landmarks' noise) is not sure.
STEP_NOISE = 0.04

#: The step features (:func:`_step_features`), kept a second time under ``STRICT + name`` as counted
#: with the raised threshold (:func:`with_strict_steps`).
STEP_FEATURES = ("n_steps", "step_coverage", "cadence_spm", "hip_rhythm_share", "step_alternation")
STRICT = "strict_"


def with_strict_steps(f: dict[str, float]) -> dict[str, float]:
    """The features ``f`` with the steps as counted with the raised threshold (:data:`STEP_NOISE`)."""
    return {**f, **{k: f[STRICT + k] for k in STEP_FEATURES}}


#: A foot counts as off the floor when the ankles differ in image height by this fraction of the
#: leg length [J] (the same test the single-leg balance hold uses).
RAISED_FOOT = 0.08


def _raised(diff: np.ndarray, limit: float) -> np.ndarray:
    """(T,) bool: one foot off the floor, from the height difference of the ankles ``diff`` (T,).

    Measured from the smallest difference the clip shows (its 10th percentile of ``|diff|``), not
    from zero: filmed from the side, the far foot sits higher in the image (and in the pose
    model's 3D) though both feet are on the floor.
    """
    a = np.abs(diff)
    ok = np.isfinite(a)
    if not ok.any():
        return np.zeros(diff.shape, bool)
    base = float(np.percentile(a[ok], 10))
    with np.errstate(invalid="ignore"):
        return (a - base) > limit


def _rhythm_share(x: np.ndarray, fps: float, f0_hz: float) -> float:
    """Share of the power of ``x`` near ``f0_hz`` (±25%) within 0.4–3 × ``f0_hz`` (NaN: unmeasurable).

    A runner's pelvis rises and falls once per step, so the hip height has most
    of its power at the step frequency. Short gaps are interpolated and a
    linear trend removed first; the band excludes the slow drift of a runner
    moving toward or away from the camera.
    """
    ok = np.isfinite(x)
    n = x.shape[0]
    if ok.sum() < 16 or not np.isfinite(fps) or fps <= 0 or not np.isfinite(f0_hz) or f0_hz <= 0:
        return float("nan")
    i = np.arange(n)
    y = np.interp(i, i[ok], x[ok])
    y = y - np.polyval(np.polyfit(i, y, 1), i)
    power = np.abs(np.fft.rfft(y * np.hanning(n))) ** 2
    f = np.fft.rfftfreq(n, 1.0 / fps)
    wide = (f >= 0.4 * f0_hz) & (f <= 3.0 * f0_hz)
    near = (f >= 0.75 * f0_hz) & (f <= 1.25 * f0_hz)
    total = float(power[wide].sum())
    return float(power[near].sum() / total) if total > 0 else float("nan")


def _mid(p: np.ndarray, a: Landmark, b: Landmark) -> np.ndarray:
    return 0.5 * (p[:, int(a)] + p[:, int(b)])


def _leg_length(p: np.ndarray) -> float:
    """Typical hip–knee–ankle length over the clip, either leg (side-on the far one is often hidden)."""
    legs = [
        np.linalg.norm(p[:, int(h)] - p[:, int(k)], axis=-1)
        + np.linalg.norm(p[:, int(k)] - p[:, int(a)], axis=-1)
        for h, k, a in ((L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE), (L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE))
    ]
    return _median(np.concatenate(legs))


def _body_coverage(p: np.ndarray) -> float:
    """Share of frames where a shoulder, a hip, a knee and an ankle are all seen: how much of the clip
    the posture cues can be read on."""
    seen = np.ones(p.shape[0], bool)
    for pair in (
        (L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
        (L.LEFT_HIP, L.RIGHT_HIP),
        (L.LEFT_KNEE, L.RIGHT_KNEE),
        (L.LEFT_ANKLE, L.RIGHT_ANKLE),
    ):
        seen &= np.isfinite(p[:, int(pair[0]), 0]) | np.isfinite(p[:, int(pair[1]), 0])
    return float(seen.mean()) if seen.size else 0.0


def compute_recognition_features(
    px: np.ndarray, world: np.ndarray | None, t_s: np.ndarray, ankle_y_px: np.ndarray | None = None
) -> dict[str, float]:
    """Scalar features of a clip used to recognise the movement.

    Parameters
    ----------
    px : (T, 33, 2) filtered image landmarks, pixels (y down).
    world : (T, 33, 3) filtered world landmarks, metres (camera-aligned, y down), or None.
    t_s : (T,) seconds.
    ankle_y_px : (T, 2) image y of the left and right ankle used to tell a raised foot, pixels
        (default: the ankles of ``px``; the analysis passes the pose model's estimate where a
        lifted foot is hidden behind the other leg).
    """
    use_world = world is not None and np.isfinite(world[:, int(L.LEFT_HIP), 0]).mean() > 0.5
    p = world if use_world else px
    kf = compute_knee_flexion_deg(p)
    t = np.asarray(t_s, float)
    fps = (t.size - 1) / (t[-1] - t[0]) if t.size > 1 and t[-1] > t[0] else 30.0
    # hip height in the image: a step-up lifts the body above its starting level, a squat lowers it
    hip_img_y = _mid(px, L.LEFT_HIP, L.RIGHT_HIP)[:, 1]
    leg_px = _leg_length(px)
    hip = _hip_height_features(hip_img_y, leg_px)
    steps = _step_features(px, hip_img_y, kf, t, leg_px, fps, STEP_PROMINENCE)
    # under three steps there is no cadence, and so no running or stepping, to count strictly
    strict = (
        steps
        if steps["n_steps"] < 3
        else _step_features(px, hip_img_y, kf, t, leg_px, fps, STEP_PROMINENCE + STEP_NOISE)
    )
    feet = px[:, [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)], 1] if ankle_y_px is None else ankle_y_px
    return {
        **_posture_features(p, kf),
        **hip,
        **steps,
        **{STRICT + k: v for k, v in strict.items()},
        **_one_leg_features(t, px, world if use_world else None, p, kf, feet, hip_img_y, leg_px),
        "hip_depth_range": _pct_range(compute_hip_depth(px, fps)),
        "duration_s": float(t[-1] - t[0]) if t.size > 1 else 0.0,
        "yaw_deg": _median(compute_view_yaw_deg(px, world if use_world else None)),
        "body_coverage": _body_coverage(px),
        **_side_step_features(px, leg_px),
    }


#: Smallest widening of the heel gap, in shoulder widths, that counts as a sideways step [J]: a band
#: walk's step opens the feet ~0.7 shoulder widths (the band walk's own segmentation uses the same).
SIDE_STEP_GAP = 0.25


def _side_step_features(px: np.ndarray, leg_px: float) -> dict[str, float]:
    """Sideways steps (band walk): how many times the heel gap widens by :data:`SIDE_STEP_GAP` and
    narrows again, and how far the hips travel sideways over the clip, in leg lengths."""
    gap = compute_heel_gap_ratio(px)
    ok = np.isfinite(gap)
    if ok.sum() < 3 or not (np.isfinite(leg_px) and leg_px > 0):
        return {"side_steps": float("nan"), "hip_travel_x": float("nan")}
    from scipy.signal import find_peaks  # here: listing the movements must not load SciPy

    t = np.arange(gap.size)
    peaks, _ = find_peaks(np.interp(t, t[ok], gap[ok]), prominence=SIDE_STEP_GAP)
    travel = _pct_range(_mid(px, L.LEFT_HIP, L.RIGHT_HIP)[:, 0]) / leg_px
    return {"side_steps": float(peaks.size), "hip_travel_x": travel}


def _posture_features(p: np.ndarray, kf: np.ndarray) -> dict[str, float]:
    """How the trunk, wrists and knees sit (upright, on all fours, lying) and how the knees bend."""
    sh = _mid(p, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    hp = _mid(p, L.LEFT_HIP, L.RIGHT_HIP)
    trunk = sh - hp
    torso = np.linalg.norm(trunk, axis=-1)
    # y points down in both frames: "up" is -y
    with np.errstate(invalid="ignore", divide="ignore"):
        cos_up = -trunk[:, 1] / torso
        # either wrist: the far one is often hidden in a side view
        lw, rw = p[:, int(L.LEFT_WRIST)], p[:, int(L.RIGHT_WRIST)]
        wrist = np.where(
            np.isfinite(lw) & np.isfinite(rw), 0.5 * (lw + rw), np.where(np.isfinite(lw), lw, rw)
        )
        # either knee too: side-on or on all fours the far one is often hidden
        lk, rk = p[:, int(L.LEFT_KNEE)], p[:, int(L.RIGHT_KNEE)]
        knee = np.where(np.isfinite(lk) & np.isfinite(rk), 0.5 * (lk + rk), np.where(np.isfinite(lk), lk, rk))
        wrist_below = (wrist[:, 1] - sh[:, 1]) / torso
        knee_below = (knee[:, 1] - hp[:, 1]) / torso
        kf_min = np.fmin(kf[:, 0], kf[:, 1])
        kf_max = np.fmax(kf[:, 0], kf[:, 1])
        # lying on one side: the shoulders one above the other (from the feet, or in 3D from anywhere)
        shoulder_rise = np.abs(p[:, int(L.LEFT_SHOULDER), 1] - p[:, int(L.RIGHT_SHOULDER), 1]) / torso
    return {
        "upright": _median(cos_up),
        "wrist_below": _median(wrist_below),
        "knee_below": _median(knee_below),
        "knee_range_left": _pct_range(kf[:, 0]),
        "knee_range_right": _pct_range(kf[:, 1]),
        "knee_corr": _corr(kf[:, 0], kf[:, 1]),
        "straight_bent_fraction": float(np.mean((kf_min < 35) & (kf_max > 60))) if kf.size else float("nan"),
        "shoulders_stacked": _median(shoulder_rise),
        "knees_bent_deg": _median(kf_min),
        # a hip hinge tips the trunk far forward and back (read in 3D where there are world landmarks:
        # from the front the image trunk only shortens)
        "trunk_tip_range_deg": _pct_range(np.degrees(np.arccos(np.clip(cos_up, -1.0, 1.0)))),
    }


def _hip_level_range(hip_img_y: np.ndarray, leg_px: float) -> tuple[float, float] | None:
    """5th and 95th percentile of the hip's image y, or None when it cannot be measured."""
    hy = hip_img_y[np.isfinite(hip_img_y)]
    if not (hy.size >= 3 and np.isfinite(leg_px) and leg_px > 0):
        return None
    lo_y, hi_y = (float(v) for v in np.percentile(hy, [5, 95]))
    return lo_y, hi_y


def _hip_height_features(hip_img_y: np.ndarray, leg_px: float) -> dict[str, float]:
    """The hips' rise above and drop below their starting height, drift and range, in leg lengths."""
    levels = _hip_level_range(hip_img_y, leg_px)
    if levels is None:
        nan = float("nan")
        return {"hip_up": nan, "hip_drift": nan, "hip_down": nan, "hip_range": nan}
    lo_y, hi_y = levels
    hy = hip_img_y[np.isfinite(hip_img_y)]
    start = float(np.median(hy[: max(3, hy.size // 10)]))
    return {
        "hip_up": (start - lo_y) / leg_px,
        "hip_drift": abs(float(np.median(hy[-max(3, hy.size // 10) :])) - start) / leg_px,
        "hip_down": (hi_y - start) / leg_px,
        "hip_range": (hi_y - lo_y) / leg_px,
    }


def _step_features(
    px: np.ndarray,
    hip_img_y: np.ndarray,
    kf: np.ndarray,
    t: np.ndarray,
    leg_px: float,
    fps: float,
    prominence: float,
) -> dict[str, float]:
    """Heel strikes (a heel rising and falling by ``prominence`` leg lengths or more): how many, their
    cadence and alternation, whether they fill the clip, and whether the pelvis bobs once per step."""
    ank_px = px[:, [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)], 1]
    # running: heel strikes at 120–240 steps a minute (label-free: swaps do not matter)
    heel = px[:, [int(L.LEFT_HEEL), int(L.RIGHT_HEEL)], 1]
    heel = np.where(np.isfinite(heel), heel, ank_px)
    # heel peaks work in every view well enough to count steps and cadence (the analysis then
    # times the stance of a front or rear view on the lower foot)
    steps = detect_steps(
        heel,
        hip_img_y,
        kf,
        t,
        leg_px,
        prominence_fraction=prominence,
        stance_from="heel-peak",
        clean=False,
    )
    n_steps = len(steps)
    cadence = steps.cadence_spm if n_steps >= 3 else float("nan")
    # a runner keeps stepping while in view: the steps found, against the steps that cadence
    # predicts over the time the body was tracked (a single-leg squat shifting its feet now
    # and then makes a few "steps" at a running-like interval, but only a few)
    tracked = np.isfinite(hip_img_y)
    tracked_s = float(t[tracked][-1] - t[tracked][0]) if tracked.sum() > 1 else 0.0
    coverage = (
        n_steps / (cadence / 60.0 * tracked_s) if np.isfinite(cadence) and tracked_s > 0 else float("nan")
    )
    return {
        "n_steps": float(n_steps),
        "step_coverage": coverage,
        "cadence_spm": cadence,
        "hip_rhythm_share": _rhythm_share(hip_img_y, fps, cadence / 60.0),
        "step_alternation": float(np.mean(steps.side[1:] != steps.side[:-1]))
        if n_steps >= 3
        else float("nan"),
    }


def _one_leg_features(
    t_s: np.ndarray,
    px: np.ndarray,
    world: np.ndarray | None,
    p: np.ndarray,
    kf: np.ndarray,
    feet: np.ndarray,
    hip_img_y: np.ndarray,
    leg_px: float,
) -> dict[str, float]:
    """One leg working: a foot off the floor (3D and image), the free knee held higher or forward at
    the bottom, and how much the stance knee bends."""
    ank_y = p[:, [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)], 1]
    ok_ank = np.isfinite(ank_y).all(axis=1)
    ok_feet = np.isfinite(feet).all(axis=1)
    with np.errstate(invalid="ignore"):
        raised = _raised(ank_y[:, 0] - ank_y[:, 1], RAISED_FOOT * _leg_length(p))
        # one foot off the floor, read in the image (the 3D ankles of a front view barely separate)
        raised_px = _raised(feet[:, 0] - feet[:, 1], RAISED_FOOT * leg_px)
        stance = np.where(ank_y[:, 0] >= ank_y[:, 1], 0, 1)
    # at the bottom of the movement the free leg is held forward (toward a front camera) and its
    # knee higher, which the ankle heights alone do not show from the front. Read as the change
    # from the top of the movement to the bottom, so a camera off to one side or a staggered
    # stance does not count.
    knee_asym = ankle_depth_asym = raised_bottom = raised_bottom_px = hip_offset_top = float("nan")
    levels = _hip_level_range(hip_img_y, leg_px)
    if levels is not None and (levels[1] - levels[0]) / leg_px > 0.05:
        lo_y, hi_y = levels
        with np.errstate(invalid="ignore"):
            deep = hip_img_y >= lo_y + 0.7 * (hi_y - lo_y)
            top = hip_img_y <= lo_y + 0.3 * (hi_y - lo_y)
        # a single-leg squat keeps the free foot up at the bottom of every rep; a squat has both
        # feet down there, whatever they did walking in or out
        raised_bottom = float(raised[deep & ok_ank].mean()) if (deep & ok_ank).any() else float("nan")
        raised_bottom_px = float(raised_px[deep & ok_feet].mean()) if (deep & ok_feet).any() else float("nan")
        # standing on one leg the pelvis sits over the stance foot, not between the feet: read at the
        # top of the reps, since a two-footed squat may shift its weight to one side on the way down
        ank_x = px[:, [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)], 0]
        with np.errstate(invalid="ignore"):
            feet_apart = _median(np.abs(ank_x[:, 0] - ank_x[:, 1]))
            offset = np.abs(_mid(px, L.LEFT_HIP, L.RIGHT_HIP)[:, 0] - ank_x.mean(axis=1))
        if np.isfinite(feet_apart) and feet_apart > 0:
            hip_offset_top = _median(offset[top]) / feet_apart
        kd = (px[:, int(L.LEFT_KNEE), 1] - px[:, int(L.RIGHT_KNEE), 1]) / leg_px
        knee_asym = abs(_median(kd[deep]) - _median(kd[top]))
        if world is not None:
            az = world[:, int(L.LEFT_ANKLE), 2] - world[:, int(L.RIGHT_ANKLE), 2]
            ankle_depth_asym = abs(_median(az[deep]) - _median(az[top]))
    # the longest time one foot stays up: most of a second or more in a balance hold, a fraction of
    # a second in running
    code = np.where(raised_px & ok_feet, np.where(feet[:, 0] >= feet[:, 1], 1, 2), 0)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], code, [0]])) != 0)
    runs = [(a, b) for a, b in zip(edges[:-1], edges[1:], strict=False) if code[a] != 0]
    durations = [t_s[b - 1] - t_s[a] for a, b in runs]
    held_s = float(np.max(durations)) if durations else float("nan")
    return {
        "raised_fraction": float(raised[ok_ank].mean()) if ok_ank.any() else float("nan"),
        "raised_fraction_px": float(raised_px[ok_feet].mean()) if ok_feet.any() else float("nan"),
        "stance_knee_range": _pct_range(np.where(stance == 0, kf[:, 0], kf[:, 1])),
        "knee_height_asymmetry": knee_asym,
        "ankle_depth_asymmetry_m": ankle_depth_asym,
        "raised_at_bottom": raised_bottom,
        "raised_at_bottom_px": raised_bottom_px,
        "hip_offset_top": hip_offset_top,
        "raised_held_s": held_s,
    }
