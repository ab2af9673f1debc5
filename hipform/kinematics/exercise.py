"""Which of the eight movements a clip shows, from the landmarks alone, and how sure.

Cues a coach would use: lying on the back and lifting the hips (bridge), on
all fours (kickback), upright with both knees bending together (squat),
upright on one leg (single-leg squat / balance), the body rising onto a
step (step-up), legs alternating quickly (running).
"""

from __future__ import annotations

import numpy as np

from hipform.kinematics.events import detect_steps
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
        drift = abs(float(np.median(hy[-max(3, hy.size // 10) :])) - start) / leg_px
    else:
        up = down = drift = float("nan")
    with np.errstate(invalid="ignore"):
        kf_min = np.fmin(kf[:, 0], kf[:, 1])
        kf_max = np.fmax(kf[:, 0], kf[:, 1])
    # running: the feet take turns being high, about 1.3–1.7 times a second each
    ank_px = px[:, [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)], 1]
    # running: heel strikes at 120–240 steps a minute (label-free: swaps do not matter)
    heel = px[:, [int(L.LEFT_HEEL), int(L.RIGHT_HEEL)], 1]
    heel = np.where(np.isfinite(heel), heel, ank_px)
    steps = detect_steps(heel, _mid(px, L.LEFT_HIP, L.RIGHT_HIP)[:, 1], kf, np.asarray(t_s, float), leg_px)
    n_steps = len(steps)
    cadence = steps.cadence_spm if n_steps >= 3 else float("nan")
    with np.errstate(invalid="ignore"):
        stance = np.where(ank_y[:, 0] >= ank_y[:, 1], 0, 1)
    kf_stance = np.where(stance == 0, kf[:, 0], kf[:, 1])
    return {
        "upright": _median(cos_up),
        "wrist_below": _median(wrist_below),
        "knee_below": _median(knee_below),
        "knee_range_left": _pct_range(kf[:, 0]),
        "knee_range_right": _pct_range(kf[:, 1]),
        "knee_corr": _corr(kf[:, 0], kf[:, 1]),
        "raised_fraction": float(raised[ok_ank].mean()) if ok_ank.any() else float("nan"),
        "hip_up": up,
        "hip_drift": drift,
        "hip_down": down,
        "straight_bent_fraction": float(np.mean((kf_min < 35) & (kf_max > 60))) if kf.size else float("nan"),
        "n_steps": float(n_steps),
        "cadence_spm": cadence,
        "stance_knee_range": _pct_range(kf_stance),
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
    cad = f["cadence_spm"] if np.isfinite(f["cadence_spm"]) else 0.0
    # running legs move in turn; squatting legs together. The cadence floor is low because phone
    # clips of running are often slow motion (the clip's time, not the runner's, is what we see)
    running = (
        upright
        * _ramp(f["n_steps"], 2, 4)
        * _ramp(cad, 70, 100)
        * (1 - _ramp(cad, 250, 300))
        * (1 - _ramp(corr, 0.3, 0.6))
    )
    # a step-up lifts the hips well above the start and brings them back down; a runner moving
    # toward or away from the camera drifts in image height and does not come back
    drift = f["hip_drift"] if np.isfinite(f["hip_drift"]) else 1.0
    step_ev = (
        upright * _ramp(hip_up, 0.08, 0.2) * _ramp(hip_up - hip_down, 0.0, 0.1) * (1 - _ramp(drift, 0.1, 0.3))
    )
    running *= 1 - step_ev
    step_up = step_ev * (1 - running)
    not_step = 1.0 - step_ev
    both_bend = _ramp(corr, 0.5, 0.8) * _ramp(r_min / r_max if r_max > 0 else 0.0, 0.5, 0.7)
    r_st = f["stance_knee_range"] if np.isfinite(f["stance_knee_range"]) else 0.0
    squat = upright * both_bend * _ramp(r_min, 15, 30) * not_step * (1 - running)
    one_leg = _ramp(raised, 0.2, 0.5) * (1 - both_bend) * not_step * (1 - running)
    sls = upright * one_leg * _ramp(r_st, 15, 30)
    slb = upright * one_leg * (1 - _ramp(r_st, 15, 30))
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
