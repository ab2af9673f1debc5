"""Which of the eight movements a clip shows, from the landmarks alone, and how sure.

Cues a coach would use: lying on the back and lifting the hips (bridge), on
all fours (kickback), upright with both knees bending together (squat),
upright on one leg (single-leg squat / balance), the body rising onto a
step (step-up), legs alternating quickly (running).
"""

from __future__ import annotations

import numpy as np

from hipform.kinematics.faults import MOVEMENTS
from hipform.kinematics.measures import compute_knee_flexion_deg
from hipform.landmarks import Landmark

L = Landmark


def _ramp(x: float, a: float, b: float) -> float:
    """0 below a, 1 above b, linear between (reversed when b < a); 0 for NaN."""
    if not np.isfinite(x):
        return 0.0
    return float(np.clip((x - a) / (b - a), 0.0, 1.0))


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


def _mid(p: np.ndarray, a: Landmark, b: Landmark) -> np.ndarray:
    return 0.5 * (p[:, int(a)] + p[:, int(b)])


def _cycle_hz(x: np.ndarray, t: np.ndarray) -> float:
    """Dominant frequency of a signal from its mean crossings (Hz)."""
    ok = np.isfinite(x)
    if ok.sum() < 10:
        return float("nan")
    y = x[ok] - np.median(x[ok])
    crossings = np.count_nonzero(np.diff(np.sign(y)) != 0)
    dur = float(t[ok][-1] - t[ok][0])
    return crossings / (2.0 * dur) if dur > 0 else float("nan")


def compute_exercise_features(px: np.ndarray, world: np.ndarray | None, t_s: np.ndarray) -> dict[str, float]:
    """Scalar features of a clip used to recognise the movement.

    Parameters
    ----------
    px : (T, 33, 2) filtered image landmarks, pixels (y down).
    world : (T, 33, 3) filtered world landmarks, metres (camera-aligned, y down), or None.
    t_s : (T,) seconds.
    """
    use_world = world is not None and np.isfinite(world[:, int(L.LEFT_HIP), 0]).mean() > 0.5
    p = world if use_world else px
    sh = _mid(p, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    hp = _mid(p, L.LEFT_HIP, L.RIGHT_HIP)
    trunk = sh - hp
    torso = np.linalg.norm(trunk, axis=-1)
    # y points down in both frames: "up" is -y
    with np.errstate(invalid="ignore", divide="ignore"):
        cos_up = -trunk[:, 1] / torso
        wrist = _mid(p, L.LEFT_WRIST, L.RIGHT_WRIST)
        knee = _mid(p, L.LEFT_KNEE, L.RIGHT_KNEE)
        wrist_below = (wrist[:, 1] - sh[:, 1]) / torso
        knee_below = (knee[:, 1] - hp[:, 1]) / torso
    kf = compute_knee_flexion_deg(p)
    ank_y = p[:, [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)], 1]
    leg = np.linalg.norm(p[:, int(L.LEFT_HIP)] - p[:, int(L.LEFT_KNEE)], axis=-1) + np.linalg.norm(
        p[:, int(L.LEFT_KNEE)] - p[:, int(L.LEFT_ANKLE)], axis=-1
    )
    leg_med = _median(leg)
    with np.errstate(invalid="ignore"):
        raised = np.abs(ank_y[:, 0] - ank_y[:, 1]) > 0.08 * leg_med
    ok_ank = np.isfinite(ank_y).all(axis=1)
    # hip height in the image: a step-up lifts the body above its starting level, a squat lowers it
    hip_img_y = _mid(px, L.LEFT_HIP, L.RIGHT_HIP)[:, 1]
    leg_px = _median(
        np.linalg.norm(px[:, int(L.LEFT_HIP)] - px[:, int(L.LEFT_KNEE)], axis=-1)
        + np.linalg.norm(px[:, int(L.LEFT_KNEE)] - px[:, int(L.LEFT_ANKLE)], axis=-1)
    )
    hy = hip_img_y[np.isfinite(hip_img_y)]
    if hy.size >= 3 and np.isfinite(leg_px) and leg_px > 0:
        start = float(np.median(hy[: max(3, hy.size // 10)]))
        up = (start - float(np.percentile(hy, 5))) / leg_px
        down = (float(np.percentile(hy, 95)) - start) / leg_px
    else:
        up = down = float("nan")
    kf_min = np.nanmin(kf, axis=1) if np.isfinite(kf).any() else np.full(kf.shape[0], np.nan)
    kf_max = np.nanmax(kf, axis=1) if np.isfinite(kf).any() else np.full(kf.shape[0], np.nan)
    return {
        "upright": _median(cos_up),
        "wrist_below": _median(wrist_below),
        "knee_below": _median(knee_below),
        "knee_range_left": _pct_range(kf[:, 0]),
        "knee_range_right": _pct_range(kf[:, 1]),
        "knee_corr": _corr(kf[:, 0], kf[:, 1]),
        "knee_cycle_hz": _cycle_hz(kf[:, 0] - kf[:, 1], np.asarray(t_s, float)),
        "raised_fraction": float(raised[ok_ank].mean()) if ok_ank.any() else float("nan"),
        "hip_up": up,
        "hip_down": down,
        "straight_bent_fraction": float(np.mean((kf_min < 35) & (kf_max > 60))) if kf.size else float("nan"),
    }


def recognise_exercise(
    px: np.ndarray, world: np.ndarray | None, t_s: np.ndarray
) -> tuple[str, float, dict[str, float]]:
    """Guess the movement.

    Returns
    -------
    movement : one of :data:`hipform.kinematics.faults.MOVEMENTS`.
    confidence : 0–1; ``best · best / (best + second best)`` of the scores.
    scores : movement → score in [0, 1].

    Notes
    -----
    Each score is a product of soft ramps on a few features [J]; thresholds
    were set on synthetic movements and the real clips in ``../shared/clips``.
    """
    f = compute_exercise_features(px, world, t_s)
    upright = _ramp(f["upright"], 0.5, 0.8)
    lying = 1.0 - _ramp(f["upright"], 0.35, 0.6)
    quad = _ramp(f["wrist_below"], 0.4, 0.8) * _ramp(f["knee_below"], 0.2, 0.5)
    supine = 1.0 - _ramp(f["knee_below"], -0.1, 0.25)
    r_l, r_r = f["knee_range_left"], f["knee_range_right"]
    r_max = np.nanmax([r_l, r_r, 0.0])
    r_min = np.nanmin([r_l if np.isfinite(r_l) else 0.0, r_r if np.isfinite(r_r) else 0.0])
    corr = f["knee_corr"] if np.isfinite(f["knee_corr"]) else 0.0
    raised = f["raised_fraction"] if np.isfinite(f["raised_fraction"]) else 0.0
    sb = f["straight_bent_fraction"] if np.isfinite(f["straight_bent_fraction"]) else 0.0
    hip_up = f["hip_up"] if np.isfinite(f["hip_up"]) else 0.0
    hip_down = f["hip_down"] if np.isfinite(f["hip_down"]) else 0.0
    cyc = f["knee_cycle_hz"] if np.isfinite(f["knee_cycle_hz"]) else 0.0

    running = upright * _ramp(-corr, 0.0, 0.4) * _ramp(r_min, 30, 55) * _ramp(cyc, 0.8, 1.2)
    step_up = upright * _ramp(hip_up, 0.08, 0.2) * _ramp(hip_up - hip_down, 0.0, 0.1) * (1 - 0.7 * running)
    not_step = 1.0 - _ramp(hip_up, 0.08, 0.2)
    squat = upright * _ramp(corr, 0.3, 0.7) * _ramp(r_min, 15, 30) * (1 - _ramp(raised, 0.3, 0.6)) * not_step
    sls = upright * _ramp(raised, 0.3, 0.6) * _ramp(r_max, 15, 30) * not_step * (1 - running)
    slb = upright * _ramp(raised, 0.4, 0.7) * (1 - _ramp(r_max, 12, 25)) * not_step
    bridge_any = lying * supine * (1 - quad)
    scores = {
        "bridge": bridge_any * (1 - _ramp(sb, 0.3, 0.6)),
        "single-leg-bridge": bridge_any * _ramp(sb, 0.3, 0.6),
        "kickback": lying * quad,
        "step-up": step_up,
        "squat": squat,
        "single-leg-squat": sls,
        "single-leg-balance": slb,
        "running": running,
    }
    scores = {m: float(scores[m]) for m in MOVEMENTS}
    ordered = sorted(scores.values(), reverse=True)
    best, second = ordered[0], ordered[1]
    movement = max(scores, key=scores.__getitem__)
    conf = best * best / (best + second) if best > 0 else 0.0
    if best <= 0:
        # nothing fits: an upright clip defaults to a squat, anything else to a bridge
        movement = "squat" if upright >= 0.5 else "bridge"
    return movement, float(conf), scores
