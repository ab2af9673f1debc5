"""Which movement a clip shows, from the landmarks alone, and how sure.

Cues a coach would use: lying on the back and lifting the hips (bridge), on
all fours (kickback), upright with both knees bending together (squat),
upright on one leg (single-leg squat / balance), the body rising onto a
step (step-up), legs alternating quickly (running). Each movement scores the
cues (its ``recognise``); the answer is stated with a confidence that says how
stable it is, and hipform says "unsure" or "other" rather than guess.
"""

from __future__ import annotations

import numpy as np

from hipform.kinematics.movements import REGISTRY, Cues
from hipform.kinematics.recognition_features import compute_recognition_features, ramp, with_strict_steps
from hipform.report import MovementChoice


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
    standing = ramp(f["upright"], 0.5, 0.8) * ramp(knee_below, 0.3, 0.5)
    # lying: a horizontal trunk, or the knees above the hips (supine, seen from the feet)
    lying = max(1.0 - ramp(f["upright"], 0.35, 0.6), 1.0 - ramp(knee_below, 0.1, 0.3)) * (1.0 - standing)
    # the hips go down and come back up (a rep), not drift one way (leaning, walking off)
    hip_range = val("hip_range")
    returns = 1.0 - ramp(val("hip_drift") / hip_range if hip_range > 0 else 0.0, 0.5, 0.8)
    bends = ramp(hip_range, 0.08, 0.14) * returns
    running, step_up = _running_and_step_up(f, standing)
    alt = val("step_alternation", 0.5)
    return Cues(
        standing=standing,
        lying=lying,
        quadruped=ramp(f["wrist_below"], 0.4, 0.8) * ramp(knee_below, 0.2, 0.5),
        # on the back: knees not below the hips; but a trunk pointing down the image with the wrists far
        # below the shoulders is someone on all fours seen from the head end, whose knees hide behind
        supine=(1.0 - ramp(knee_below, -0.1, 0.25))
        * (1.0 - ramp(-f["upright"], 0.38, 0.45) * ramp(val("wrist_below"), 0.5, 0.8)),
        one_leg=_one_leg(f, bends),
        feet_readable=_square_on(f),
        bends=bends,
        # a deep squat lowers the hips by ~0.6 leg lengths; far more is walking about or jumping
        contained=1.0 - ramp(hip_range, 1.0, 1.4),
        running=running,
        step_up=step_up * (1 - running),
        free=(1.0 - step_up) * (1.0 - running),
        # squatting has no alternating steps at a walking or running rate through the clip (a runner
        # moving away also sinks in the image); walking in and out of a rack is a few steps only
        stepping=ramp(f["n_steps"], 2, 4)
        * ramp(alt, 0.5, 0.7)
        * ramp(val("step_coverage"), 0.3, 0.5)
        * ramp(val("cadence_spm"), 60, 80),
        # one foot stays up for a while (a balance hold); a runner's feet take turns several times a second
        one_side=ramp(val("raised_held_s", 10.0), 0.33, 0.5),
        # lying: one leg straight and one bent, or a foot off the floor
        single=max(
            ramp(val("straight_bent_fraction"), 0.3, 0.6),
            ramp(max(val("raised_fraction"), val("raised_fraction_px")), 0.3, 0.6),
        ),
        # side-lying: the shoulders stacked by a fifth of the trunk's length or more (upright, supine
        # and on all fours, from any side, they are level to within a tenth; clamshell from the feet
        # a quarter or more, measured on rendered clips) [J], and not standing (real people balancing
        # on one leg, filmed at an angle, read their shoulders 0.2-0.4 apart) [J]
        side_lying=ramp(val("shoulders_stacked"), 0.12, 0.2) * (1.0 - standing),
        knees_bent=ramp(val("knees_bent_deg"), 45.0, 65.0),
        # a hinge: the trunk tips through 40° or more while the hips stay within ~0.12 leg lengths of
        # one height (a soft knee, a collapsing one sinks them 0.11 on rendered single-leg deadlifts); a
        # squat's trunk leans ~30-45° too, but its hips sink 0.3 or more with it [J]
        hinges=ramp(val("trunk_tip_range_deg"), 30.0, 45.0) * (1.0 - ramp(hip_range, 0.12, 0.2)),
        # a band walk: the feet step apart and together, and the body travels sideways (a rendered 25 cm
        # step moves the hips ~0.3 leg lengths; running in place from behind moves them far less) [J]
        side_stepping=ramp(val("side_steps"), 1.5, 3) * ramp(val("hip_travel_x"), 0.3, 0.5) * _square_on(f),
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
    bob = ramp(val("hip_rhythm_share"), 0.08, 0.16)
    if val("duration_s") < 3.0:
        bob = 1.0  # too short to read a rhythm (a runner passing by): the steps decide alone
    running = (
        standing
        * ramp(f["n_steps"], 2, 4)
        * ramp(cad, 70, 100)
        * (1 - ramp(cad, 250, 300))
        * ramp(val("step_alternation", 0.5), 0.5, 0.7)
        * ramp(val("step_coverage"), 0.3, 0.5)
        * bob
    )
    # a step-up lifts the hips well above the start and brings them back down; a runner moving
    # toward or away from the camera drifts in image height and does not come back
    hip_up, hip_down = val("hip_up"), val("hip_down")
    step_up = (
        standing
        * ramp(hip_up, 0.08, 0.2)
        * ramp(hip_up - hip_down, 0.0, 0.1)
        * (1 - ramp(val("hip_drift", 1.0), 0.1, 0.3))
    )
    return running * (1 - step_up), step_up


def _square_on(f: dict[str, float]) -> float:
    """1 within ~26° of square-on, 0 beyond ~31°: where the image shows a held-up free leg."""
    return 1.0 - ramp(_valued(f)("yaw_deg", 0.0), 26.0, 31.0)


def _one_leg(f: dict[str, float], bends: float) -> float:
    """Standing on one leg: a foot off the floor (at the bottom of the reps when there are reps),
    or, seen square-on, the free knee held higher or the free foot forward at the bottom.

    Seen from the side or at an angle the far foot sits higher in the image and the legs differ
    in depth by perspective and stance, so image cues count only square-on, and the pose
    model's 3D foot height alone can at most make a clip ambiguous (an oblique barbell squat's
    3D feet read one foot up at the bottom of every rep).
    """
    val = _valued(f)
    frontal = 1.0 - ramp(val("yaw_deg", 0.0), 35.0, 60.0)
    # the free leg held forward or the pelvis over one foot read only near square-on (a squat filmed
    # ~30° off reads its near foot forward in 3D and its pelvis off-centre)
    square_on = _square_on(f)
    trust_3d = 0.5 + 0.5 * frontal
    raised = max(trust_3d * val("raised_fraction"), frontal * val("raised_fraction_px"))
    if np.isfinite(f["raised_at_bottom"]) or np.isfinite(f["raised_at_bottom_px"]):
        at_bottom = max(trust_3d * val("raised_at_bottom"), frontal * val("raised_at_bottom_px"))
        raised = bends * at_bottom + (1.0 - bends) * raised
    return max(
        ramp(raised, 0.2, 0.5) * (trust_3d if raised > 0 else 1.0),
        square_on * ramp(val("knee_height_asymmetry"), 0.06, 0.10),
        square_on * ramp(val("ankle_depth_asymmetry_m"), 0.09, 0.15),
        # from the front the pose model may put a held-up foot on the floor; the pelvis still sits
        # over the stance foot (squats: <= 0.03 of the feet's spacing, single-leg squats >= 0.11)
        square_on * ramp(val("hip_offset_top"), 0.06, 0.10),
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
    "hip_offset_top": 0.015,
    "raised_held_s": 0.1,
    "yaw_deg": 6.0,
    "shoulders_stacked": 0.03,
    "knees_bent_deg": 6.0,
    "trunk_tip_range_deg": 5.0,
    "side_steps": 0.7,
    "hip_travel_x": 0.05,
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


def _scores(f: dict[str, float]) -> dict[str, float]:
    cues = compute_cues(f)
    return {name: float(m.recognise(cues)) for name, m in REGISTRY.items()}


def _jittered(f: dict[str, float]) -> list[dict[str, float]]:
    """:data:`REPEATS` copies of the features ``f``, each finite feature with a :data:`FEATURE_NOISE`
    moved by normal noise of that size (seeded: the same clip always gets the same copies); every
    other copy with the steps counted strictly (``with_strict_steps``)."""
    noisy = [k for k, v in f.items() if k in FEATURE_NOISE and np.isfinite(v)]
    # one draw for all repeats, in the order one repeat after another would draw them
    scale = np.array([FEATURE_NOISE[k] for k in noisy])
    noise = np.random.default_rng(0).normal(0.0, scale, size=(REPEATS, len(noisy))).tolist()
    bases = (f, with_strict_steps(f))
    return [
        {**base, **{k: base[k] + d for k, d in zip(noisy, row, strict=True)}}
        for base, row in zip(bases * (REPEATS // 2), noise, strict=True)
    ]


def recognise_movement(
    px: np.ndarray, world: np.ndarray | None, t_s: np.ndarray, ankle_y_px: np.ndarray | None = None
) -> MovementChoice:
    """Recognise the movement, with a confidence that says how stable the answer is.

    Parameters
    ----------
    px, world, t_s, ankle_y_px : as :func:`compute_recognition_features`.

    Returns
    -------
    MovementChoice

    Notes
    -----
    Each movement scores the clip's cues (its ``recognise``). The answer is the best score;
    the confidence is the share of :data:`REPEATS` repeats, each with every feature jittered
    by its :data:`FEATURE_NOISE` and every other one with the steps counted with a threshold
    raised by the landmarks' own noise (a heel shuffle is not a running step), that give the
    same answer, scaled down when the best score itself is below :data:`FULL_SCORE` (a partial
    fit) and when the body is seen in under 80% of the frames (shoulder, hip, knee and ankle).
    ``other`` when even the best score is below :data:`OTHER_SCORE`; ``unsure`` when the
    confidence is below :data:`SURE_CONFIDENCE`.
    """
    f = compute_recognition_features(px, world, t_s, ankle_y_px)
    scores = _scores(f)
    best = max(scores, key=scores.__getitem__)
    if scores[best] < OTHER_SCORE:
        return MovementChoice(best, "other", 0.0, (), scores)
    votes = dict.fromkeys(scores, 0)
    for jittered in _jittered(f):
        s = _scores(jittered)
        top = max(s, key=s.__getitem__)
        if s[top] >= OTHER_SCORE:
            votes[top] += 1
    # a partial fit (a score well below 1) is not sure either, however stable
    confidence = votes[best] / REPEATS * ramp(scores[best], OTHER_SCORE, FULL_SCORE)
    # cues read on a body seen in only part of the clip (knees hidden behind it) are not sure either
    confidence *= ramp(f["body_coverage"], 0.5, 0.8)
    ranked = sorted(votes, key=lambda m: (-votes[m], -scores[m]))
    if confidence >= SURE_CONFIDENCE:
        return MovementChoice(best, "sure", confidence, (best,), scores)
    # the runner-up only when anything speaks for it
    others = [m for m in ranked if m != best and (votes[m] > 0 or scores[m] > 0)]
    return MovementChoice(best, "unsure", confidence, (best, *others[:1]), scores)
