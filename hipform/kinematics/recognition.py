"""Which movement a clip shows, from the landmarks alone, and how sure.

Cues a coach would use: lying on the back and lifting the hips (bridge), on
all fours (kickback), upright with both knees bending together (squat),
upright on one leg (single-leg squat / balance), the body rising onto a
step (step-up), legs alternating quickly (running).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from hipform.kinematics.events import detect_steps
from hipform.kinematics.measures import compute_hip_depth, compute_knee_flexion_deg
from hipform.kinematics.movements import REGISTRY, Cues
from hipform.kinematics.view import compute_view_yaw_deg
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
    leg_px = _median(
        np.linalg.norm(px[:, int(L.LEFT_HIP)] - px[:, int(L.LEFT_KNEE)], axis=-1)
        + np.linalg.norm(px[:, int(L.LEFT_KNEE)] - px[:, int(L.LEFT_ANKLE)], axis=-1)
    )
    hip = _hip_height_features(hip_img_y, leg_px)
    steps = _step_features(px, hip_img_y, kf, t, leg_px, fps)
    feet = px[:, [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)], 1] if ankle_y_px is None else ankle_y_px
    return {
        **_posture_features(p, kf),
        **hip,
        **steps,
        **_one_leg_features(px, world if use_world else None, p, kf, feet, hip_img_y, leg_px),
        "hip_depth_range": _pct_range(compute_hip_depth(px, fps)),
        "duration_s": float(t[-1] - t[0]) if t.size > 1 else 0.0,
        "yaw_deg": _median(compute_view_yaw_deg(px, world if use_world else None)),
    }


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
        knee = _mid(p, L.LEFT_KNEE, L.RIGHT_KNEE)
        wrist_below = (wrist[:, 1] - sh[:, 1]) / torso
        knee_below = (knee[:, 1] - hp[:, 1]) / torso
        kf_min = np.fmin(kf[:, 0], kf[:, 1])
        kf_max = np.fmax(kf[:, 0], kf[:, 1])
    return {
        "upright": _median(cos_up),
        "wrist_below": _median(wrist_below),
        "knee_below": _median(knee_below),
        "knee_range_left": _pct_range(kf[:, 0]),
        "knee_range_right": _pct_range(kf[:, 1]),
        "knee_corr": _corr(kf[:, 0], kf[:, 1]),
        "straight_bent_fraction": float(np.mean((kf_min < 35) & (kf_max > 60))) if kf.size else float("nan"),
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
    px: np.ndarray, hip_img_y: np.ndarray, kf: np.ndarray, t: np.ndarray, leg_px: float, fps: float
) -> dict[str, float]:
    """Heel strikes: how many, their cadence and alternation, whether they fill the clip, and
    whether the pelvis bobs once per step."""
    ank_px = px[:, [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)], 1]
    # running: heel strikes at 120–240 steps a minute (label-free: swaps do not matter)
    heel = px[:, [int(L.LEFT_HEEL), int(L.RIGHT_HEEL)], 1]
    heel = np.where(np.isfinite(heel), heel, ank_px)
    # heel peaks work in every view well enough to count steps and cadence (the analysis then
    # times the stance of a front or rear view on the lower foot)
    steps = detect_steps(heel, hip_img_y, kf, t, leg_px, stance_from="heel-peak")
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
    leg = np.linalg.norm(p[:, int(L.LEFT_HIP)] - p[:, int(L.LEFT_KNEE)], axis=-1) + np.linalg.norm(
        p[:, int(L.LEFT_KNEE)] - p[:, int(L.LEFT_ANKLE)], axis=-1
    )
    ok_ank = np.isfinite(ank_y).all(axis=1)
    ok_feet = np.isfinite(feet).all(axis=1)
    with np.errstate(invalid="ignore"):
        raised = _raised(ank_y[:, 0] - ank_y[:, 1], RAISED_FOOT * _median(leg))
        # one foot off the floor, read in the image (the 3D ankles of a front view barely separate)
        raised_px = _raised(feet[:, 0] - feet[:, 1], RAISED_FOOT * leg_px)
        stance = np.where(ank_y[:, 0] >= ank_y[:, 1], 0, 1)
    # at the bottom of the movement the free leg is held forward (toward a front camera) and its
    # knee higher, which the ankle heights alone do not show from the front. Read as the change
    # from the top of the movement to the bottom, so a camera off to one side or a staggered
    # stance does not count.
    knee_asym = ankle_depth_asym = raised_bottom = raised_bottom_px = float("nan")
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
        kd = (px[:, int(L.LEFT_KNEE), 1] - px[:, int(L.RIGHT_KNEE), 1]) / leg_px
        knee_asym = abs(_median(kd[deep]) - _median(kd[top]))
        if world is not None:
            az = world[:, int(L.LEFT_ANKLE), 2] - world[:, int(L.RIGHT_ANKLE), 2]
            ankle_depth_asym = abs(_median(az[deep]) - _median(az[top]))
    return {
        "raised_fraction": float(raised[ok_ank].mean()) if ok_ank.any() else float("nan"),
        "raised_fraction_px": float(raised_px[ok_feet].mean()) if ok_feet.any() else float("nan"),
        "stance_knee_range": _pct_range(np.where(stance == 0, kf[:, 0], kf[:, 1])),
        "knee_height_asymmetry": knee_asym,
        "ankle_depth_asymmetry_m": ankle_depth_asym,
        "raised_at_bottom": raised_bottom,
        "raised_at_bottom_px": raised_bottom_px,
    }


def compute_cues(f: dict[str, float]) -> Cues:
    """The cues a coach would use, each 0–1, from :func:`compute_recognition_features`.

    Each cue is a product of soft ramps on a few features [J]; thresholds were set on synthetic
    movements, the rendered sample clips and the real clips in ``../shared/clips``. The cues
    hold in any camera view: standing means a vertical trunk *and* knees well below the hips (a
    bridge filmed from the feet has a vertical-looking trunk but its knees up); a foot off the
    floor is read in 3D, and in the image only when seen square-on; squat depth is the hip
    height in the image relative to standing (:func:`compute_hip_depth`); running is
    alternating steps at a running cadence throughout the clip with the pelvis bobbing once per
    step (not the pose model's 3D knee angles, which from behind move together).
    """
    val = _valued(f)
    knee_below = val("knee_below", 0.0)
    standing = _ramp(f["upright"], 0.5, 0.8) * _ramp(knee_below, 0.3, 0.5)
    # lying: a horizontal trunk, or the knees above the hips (supine, seen from the feet)
    lying = max(1.0 - _ramp(f["upright"], 0.35, 0.6), 1.0 - _ramp(knee_below, 0.1, 0.3)) * (1.0 - standing)
    # the hips go down and come back up (a rep), not drift one way (leaning, walking off)
    hip_range = val("hip_range")
    returns = 1.0 - _ramp(val("hip_drift") / hip_range if hip_range > 0 else 0.0, 0.5, 0.8)
    bends = _ramp(hip_range, 0.08, 0.14) * returns
    running, step_up = _running_and_step_up(f, standing)
    alt = val("step_alternation", 0.5)
    return Cues(
        standing=standing,
        lying=lying,
        quadruped=_ramp(f["wrist_below"], 0.4, 0.8) * _ramp(knee_below, 0.2, 0.5),
        supine=1.0 - _ramp(knee_below, -0.1, 0.25),
        one_leg=_one_leg(f, bends),
        bends=bends,
        # a deep squat lowers the hips by ~0.6 leg lengths; far more is walking about or jumping
        contained=1.0 - _ramp(hip_range, 1.0, 1.4),
        running=running,
        step_up=step_up * (1 - running),
        free=(1.0 - step_up) * (1.0 - running),
        # squatting has no alternating steps at a walking or running rate through the clip (a runner
        # moving away also sinks in the image); walking in and out of a rack is a few steps only
        stepping=_ramp(f["n_steps"], 2, 4)
        * _ramp(alt, 0.5, 0.7)
        * _ramp(val("step_coverage"), 0.3, 0.5)
        * _ramp(val("cadence_spm"), 60, 80),
        # lying: one leg straight and one bent, or a foot off the floor
        single=max(
            _ramp(val("straight_bent_fraction"), 0.3, 0.6),
            _ramp(max(val("raised_fraction"), val("raised_fraction_px")), 0.3, 0.6),
        ),
    )


def _valued(f: dict[str, float]):
    def val(key: str, default: float = 0.0) -> float:
        return f[key] if np.isfinite(f[key]) else default

    return val


def _running_and_step_up(f: dict[str, float], standing: float) -> tuple[float, float]:
    """(running, stepping up) cues."""
    val = _valued(f)
    cad = val("cadence_spm")
    # running: alternating steps at a running cadence (the floor is low because phone clips of
    # running are often slow motion: the clip's time is what we see) and the pelvis bobbing once
    # per step, which a step-up or a single-leg squat with a few foot movements does not do
    bob = _ramp(val("hip_rhythm_share"), 0.08, 0.16)
    if val("duration_s") < 3.0:
        bob = 1.0  # too short to read a rhythm (a runner passing by): the steps decide alone
    running = (
        standing
        * _ramp(f["n_steps"], 2, 4)
        * _ramp(cad, 70, 100)
        * (1 - _ramp(cad, 250, 300))
        * _ramp(val("step_alternation", 0.5), 0.5, 0.7)
        * _ramp(val("step_coverage"), 0.3, 0.5)
        * bob
    )
    # a step-up lifts the hips well above the start and brings them back down; a runner moving
    # toward or away from the camera drifts in image height and does not come back
    hip_up, hip_down = val("hip_up"), val("hip_down")
    step_up = (
        standing
        * _ramp(hip_up, 0.08, 0.2)
        * _ramp(hip_up - hip_down, 0.0, 0.1)
        * (1 - _ramp(val("hip_drift", 1.0), 0.1, 0.3))
    )
    return running * (1 - step_up), step_up


def _one_leg(f: dict[str, float], bends: float) -> float:
    """Standing on one leg: a foot off the floor (at the bottom of the reps when there are reps),
    or, seen square-on, the free knee held higher or the free foot forward at the bottom.

    Seen from the side or at an angle the far foot sits higher in the image and the legs differ
    in depth by perspective and stance, so image cues count only square-on, and the pose
    model's 3D foot height alone can at most make a clip ambiguous (an oblique barbell squat's
    3D feet read one foot up at the bottom of every rep).
    """
    val = _valued(f)
    frontal = 1.0 - _ramp(val("yaw_deg", 0.0), 35.0, 60.0)
    trust_3d = 0.5 + 0.5 * frontal
    raised = max(trust_3d * val("raised_fraction"), frontal * val("raised_fraction_px"))
    if np.isfinite(f["raised_at_bottom"]) or np.isfinite(f["raised_at_bottom_px"]):
        at_bottom = max(trust_3d * val("raised_at_bottom"), frontal * val("raised_at_bottom_px"))
        raised = bends * at_bottom + (1.0 - bends) * raised
    return max(
        _ramp(raised, 0.2, 0.5) * (trust_3d if raised > 0 else 1.0),
        frontal * _ramp(val("knee_height_asymmetry"), 0.06, 0.10),
        frontal * _ramp(val("ankle_depth_asymmetry_m"), 0.09, 0.15),
    )


#: Recognition noise: how much each feature of a clip could differ on another take of the same
#: movement (feature units) [J]. Recognition is repeated with the features jittered by these
#: amounts; the share of repeats that name the same movement is the stated confidence, so an answer
#: that hangs on a feature sitting at a ramp's edge is not called sure.
FEATURE_NOISE = {
    "upright": 0.05,
    "knee_below": 0.05,
    "wrist_below": 0.08,
    "raised_fraction": 0.08,
    "raised_fraction_px": 0.08,
    "straight_bent_fraction": 0.08,
    "hip_up": 0.02,
    "hip_down": 0.02,
    "hip_drift": 0.03,
    "hip_range": 0.02,
    "cadence_spm": 8.0,
    "n_steps": 0.7,
    "step_alternation": 0.08,
    "step_coverage": 0.08,
    "hip_rhythm_share": 0.02,
    "knee_height_asymmetry": 0.015,
    "ankle_depth_asymmetry_m": 0.02,
    "raised_at_bottom": 0.08,
    "raised_at_bottom_px": 0.08,
    "yaw_deg": 6.0,
}
#: Jittered repeats per clip (seeded: the same clip always gets the same confidence).
REPEATS = 200
#: Stated confidence at or above which hipform names the movement [J]; below it, it is unsure
#: and names the two candidates (set on the reliability table in docs/accuracy.md).
SURE_CONFIDENCE = 0.8
#: Best score below which no movement hipform checks fits the clip ("other") [J].
OTHER_SCORE = 0.3
#: Best score from which the clip fits a movement fully; between the two the confidence is scaled
#: down in proportion [J].
FULL_SCORE = 0.75


@dataclass(frozen=True)
class Recognition:
    """Which movement a clip shows, and how sure.

    Attributes
    ----------
    movement : the best-fitting movement (judged only when ``status`` is ``sure`` or ``named``).
    status : ``named`` (the user said), ``sure``, ``unsure`` (two candidates fit) or ``other``
        (no movement hipform checks fits).
    confidence : share of jittered repeats naming ``movement``, scaled down for a partial fit
        (1 when named), 0–1.
    candidates : the movements that fit, best first (two when unsure).
    scores : movement → score of the clip's own features, 0–1 (empty when named).
    """

    movement: str
    status: Literal["named", "sure", "unsure", "other"]
    confidence: float
    candidates: tuple[str, ...] = ()
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def judged(self) -> bool:
        """The clip is judged as ``movement`` (named, or recognised with certainty)."""
        return self.status in ("named", "sure")


def _scores(f: dict[str, float]) -> dict[str, float]:
    cues = compute_cues(f)
    return {name: float(m.recognise(cues)) for name, m in REGISTRY.items()}


def recognise_movement(
    px: np.ndarray, world: np.ndarray | None, t_s: np.ndarray, ankle_y_px: np.ndarray | None = None
) -> Recognition:
    """Recognise the movement, with a confidence that says how stable the answer is.

    Parameters
    ----------
    px, world, t_s, ankle_y_px : as :func:`compute_recognition_features`.

    Returns
    -------
    Recognition

    Notes
    -----
    Each movement scores the clip's cues (its ``recognise``). The answer is the best score;
    the confidence is the share of :data:`REPEATS` repeats, each with every feature jittered
    by its :data:`FEATURE_NOISE`, that give the same answer, scaled down when the best score
    itself is below :data:`FULL_SCORE` (a partial fit). ``other`` when even the best
    score is below :data:`OTHER_SCORE`; ``unsure`` when the confidence is below
    :data:`SURE_CONFIDENCE`.
    """
    f = compute_recognition_features(px, world, t_s, ankle_y_px)
    scores = _scores(f)
    best = max(scores, key=scores.__getitem__)
    if scores[best] < OTHER_SCORE:
        return Recognition(best, "other", 0.0, (), scores)
    rng = np.random.default_rng(0)
    votes = dict.fromkeys(scores, 0)
    for _ in range(REPEATS):
        jittered = {
            k: v + rng.normal(0.0, FEATURE_NOISE[k]) if k in FEATURE_NOISE and np.isfinite(v) else v
            for k, v in f.items()
        }
        s = _scores(jittered)
        top = max(s, key=s.__getitem__)
        if s[top] >= OTHER_SCORE:
            votes[top] += 1
    # a partial fit (a score well below 1) is not sure either, however stable
    confidence = votes[best] / REPEATS * _ramp(scores[best], OTHER_SCORE, FULL_SCORE)
    ranked = sorted(votes, key=lambda m: (-votes[m], -scores[m]))
    if confidence >= SURE_CONFIDENCE:
        return Recognition(best, "sure", confidence, (best,), scores)
    second = next(m for m in ranked if m != best)
    return Recognition(best, "unsure", confidence, (best, second), scores)
