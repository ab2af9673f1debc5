"""Step-up: knee collapse, pelvic drop and wobble on the lead leg, filmed from the front or behind."""

from __future__ import annotations

import numpy as np

from hipform.kinematics.faults import cpd_rule, fppa_rule, sway_rule, trunk_lean_rule
from hipform.kinematics.movements.spec import (
    Cues,
    LiveCounter,
    Movement,
    Segmentation,
    SegmentContext,
    Window,
)
from hipform.landmarks import Landmark

L = Landmark

#: Smallest hip rise that counts as step-up reps, leg lengths (5–95 percentile range) [J].
MIN_RISE = 0.08
#: The lead ankle is on the step while within this many leg lengths of where it stands at the top [J].
ON_STEP_TOLERANCE = 0.06


def lead_leg_key(
    px: np.ndarray, kf: np.ndarray, leg_px: float, fps: float, start: int, top: int, lo: int
) -> tuple[int, int]:
    """(key frame, lead side) of a step-up rep: frames ``lo`` (the first looked at) to ``top``
    (the hips highest) of the landmarks ``px`` (T, 33, 2) and knee flexion ``kf`` (T, 2).

    The lead foot is the one on the step (the higher ankle as the body starts
    to rise, at ``start``). The moment that matters is its loaded peak knee flexion: the
    last local maximum while that foot stands still on the step, not the
    flexion of lifting it through the air onto the step. The live checker reads the same
    moment (:attr:`LiveCounter.key_frame`).
    """
    ank = px[:, [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)]]
    y0 = ank[start, :, 1]
    side = int(np.nanargmin(y0)) if np.isfinite(y0).any() else 0
    other = 1 - side
    seg = slice(lo, top + 1)
    a = ank[seg, side]
    speed = np.full(a.shape[0], np.inf)
    if a.shape[0] > 2:
        speed[1:-1] = np.linalg.norm(a[2:] - a[:-2], axis=-1) * fps / 2.0
    with np.errstate(invalid="ignore"):
        still = speed < 0.5 * leg_px
        # on the step: where the foot will stand at the top, and above the other foot
        # (the pose model's ankle on a loaded step drifts by ~0.04 leg lengths as the shin tilts)
        on_step = np.abs(ank[seg, side, 1] - ank[top, side, 1]) < ON_STEP_TOLERANCE * leg_px
        raised = on_step & (ank[seg, side, 1] < ank[seg, other, 1] - 0.05 * leg_px)
    flex = kf[seg, side]
    cand = np.flatnonzero(still & raised & np.isfinite(flex))
    if cand.size == 0:
        cand = np.flatnonzero(np.isfinite(flex))
    if cand.size == 0:
        return top, side
    # the loaded peak: where the knee has bent most again since the flexion left over from lifting the
    # foot onto the step fell off (the largest rise above the lowest flexion before it); a flexion that
    # only falls has its loaded peak at the first frame on the step
    f = flex[cand]
    rise = f - np.minimum.accumulate(f)
    best = int(cand[np.argmax(rise)]) if rise.max() > 0 else int(cand[0])
    return lo + best, side


def segment(ctx: SegmentContext) -> Segmentation:
    """Reps from the hip rise; each rep's key frame is the lead leg's loaded peak knee flexion."""
    sig = ctx.hip_rise()
    reps = ctx.reps_from(sig, MIN_RISE)
    windows: list[Window] = []
    prev_end = 0
    for s, top, e in zip(reps.start.tolist(), reps.peak.tolist(), reps.end.tolist(), strict=True):
        lo = max(prev_end, s - int(round(1.5 * ctx.fps)))
        k, side = lead_leg_key(ctx.px, ctx.measures["knee_flexion_deg"], ctx.leg_px, ctx.fps, s, top, lo)
        windows.append(Window(min(s, k), k, e, side, "rep"))
        prev_end = e
    return Segmentation(windows, reps.rest, sig)


def recognise(c: Cues) -> float:
    """The hips rise well above the start onto a step and come back down."""
    return c.step_up


MOVEMENT = Movement(
    name="step-up",
    title="Step-up",
    posture="upright",
    unilateral=True,
    cutoff_hz=5.0,
    standing_baseline=True,
    rules=(fppa_rule("bottom"), cpd_rule("bottom"), sway_rule(), trunk_lean_rule()),
    segment=segment,
    rep_kind="rep",
    recognise=recognise,
    setup="film from straight in front, step and whole body in frame, camera at knee-to-hip height",
    live=LiveCounter(signal="hip_rise", enter=0.12, exit=0.05, key_frame=lead_leg_key),
)
