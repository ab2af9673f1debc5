"""Band walk (monster walk), filmed from the front: knees caving, the trunk swaying, standing up out
of the half squat, the feet coming together.

A band around the knees or ankles, a half squat held while stepping sideways (or forward-diagonal
for monster walks): one foot steps out, the other follows. Each step is a window whose side is the
leading leg (the foot that moves out first) and whose key frame is where the trailing foot has
landed: the stance is back to its narrowest and the band must still be held apart.

A front camera sees the frontal plane only, so the knee and hip flexion of the half squat are not
read: losing the squat is read as the hips rising in the image, in leg lengths, relative to the
first steps of the set (a proxy; the rendered athlete's hips rise ~4 cm per 10° of knee flexion
lost at a half squat). Every measure is made here, per step, and handed to the grading as the
segmentation's series (:attr:`~hipform.kinematics.movements.spec.Segmentation.series`).
"""

from __future__ import annotations

import numpy as np

from hipform.kinematics import measures as M
from hipform.kinematics.faults import CUE_KNEE, FaultRule
from hipform.kinematics.frame_measures import nanmedian
from hipform.kinematics.movements.spec import (
    Cues,
    LiveCounter,
    Movement,
    Segmentation,
    SegmentContext,
    Window,
)
from hipform.kinematics.stability import compute_trunk_lean_deg
from hipform.landmarks import Landmark

L = Landmark

#: Smallest range of the heel gap (shoulder widths) that counts as steps [J]: a band-walk step
#: opens the feet by ~0.25 m, ~0.7 shoulder widths; a shuffle of a few centimetres is not a step.
MIN_STEP_RANGE = 0.25
#: The trailing foot has landed once the heel gap is back within this share of the step's range
#: above its narrowest after the widest point [J].
LANDED_SHARE = 0.1
#: How many of the first steps make the set's reference (knee width, hip height) [J].
REFERENCE_STEPS = 2

RULES = (
    FaultRule(
        fault="knee_collapse",
        measure="knee_separation_ratio",
        label="knee width ÷ ankle width once the trailing foot has landed",
        phase="bottom",
        mild=0.85,
        marked=0.7,
        direction="below",
        unit="ratio",
        view="frontal",
        per_side=False,
        source="[J] mild < 0.85, marked < 0.7: the band pulls the knees in and the exercise is to hold "
        "them over the feet (knee width about the ankle width); after Noyes 2005's normalised knee "
        "separation, which gives no cut-off for a band walk",
        cue=CUE_KNEE.replace("the knee", "the knees").replace("toe", "toes") + " against the band",
    ),
    FaultRule(
        fault="knee_collapse",
        measure="knee_width_set_rel",
        label="knee width ÷ ankle width relative to the first steps of the set",
        phase="bottom",
        mild=0.9,
        marked=0.75,
        direction="below",
        unit="ratio",
        view="frontal",
        per_side=False,
        source="[J] mild < 0.9, marked < 0.75 of the ratio of the first two steps (the squat's "
        "knee-separation thresholds, relative to standing there): the knees giving in to the band as "
        "the glutes tire",
        cue=CUE_KNEE.replace("the knee", "the knees").replace("toe", "toes") + " against the band",
    ),
    FaultRule(
        fault="instability",
        measure="trunk_sway_range_deg",
        label="trunk swaying side to side (range of the trunk's sideways lean over the step)",
        phase="rep",
        mild=8.0,
        marked=12.0,
        direction="above",
        unit="deg",
        view="frontal",
        per_side=False,
        source="[J] mild ≥ 8°, marked ≥ 12° of trunk lateral inclination range within one step: the trunk "
        "lean thresholds of the wobble rule (compensated Trendelenburg, Bird 2001); 2D lateral trunk "
        "angle vs 3D r ≥ 0.62, mean difference ±1.2° (DiCesare 2014, IJSPT 9:420)",
        cue="keep the shoulders level over the hips: step with the hips, not by rocking the trunk",
    ),
    FaultRule(
        fault="depth_lost",
        measure="hip_rise_set_ratio",
        label="hips risen since the first steps (leg lengths; a front-view proxy of the half squat lost)",
        phase="bottom",
        mild=0.06,
        marked=0.12,
        direction="above",
        unit="ratio",
        view="frontal",
        per_side=False,
        source="[J] mild ≥ 0.06, marked ≥ 0.12 leg lengths (~5 and ~10 cm): a front view cannot read knee "
        "flexion, so the hips' rise in the image is the proxy; no published cut-off for squat depth "
        "drift in a band walk",
        cue="stay low: keep the half squat for every step",
    ),
    FaultRule(
        fault="feet_together",
        measure="step_width_ratio",
        label="ankle distance ÷ hip width once the trailing foot has landed",
        phase="bottom",
        mild=1.4,
        marked=1.1,
        direction="below",
        unit="ratio",
        view="frontal",
        per_side=False,
        source="[J] mild < 1.4, marked < 1.1 hip widths between the ankles: the band only works while the "
        "feet stay apart (about shoulder width, ~2 hip widths); no published cut-off",
        cue="keep the feet apart: let the trailing foot follow only as far as the band stays tight",
    ),
)


def landed(gap: np.ndarray, peak: int, lo: int, hi: int, last: bool) -> int:
    """The frame in ``lo..hi`` nearest ``peak`` (the last before it, or the first after it) where the
    heel gap is back within :data:`LANDED_SHARE` of the step's range of its narrowest there."""
    part = gap[lo : hi + 1]
    low = float(np.nanmin(part))
    near = np.flatnonzero(part <= low + LANDED_SHARE * (gap[peak] - low))
    return lo + int(near[-1] if last else near[0])


def step_peaks(gap: np.ndarray, fps: float) -> np.ndarray:
    """Frames of the widest stance of each step: the heel gap risen by :data:`MIN_STEP_RANGE` since
    the previous step's widest point and falling again by a quarter of that (the trailing foot
    following; a step out of a narrowed stance ends wider than it began, so its fall is smaller)."""
    from scipy.signal import find_peaks  # here: listing the movements must not load SciPy

    candidates, props = find_peaks(gap, prominence=0.0, distance=max(1, int(0.3 * fps)))
    kept: list[int] = []
    for p, right in zip(candidates.tolist(), props["right_bases"].tolist(), strict=True):
        rise = gap[p] - gap[kept[-1] if kept else 0 : p + 1].min()
        if rise >= MIN_STEP_RANGE and gap[p] - gap[right] >= 0.25 * MIN_STEP_RANGE:
            kept.append(p)
    return np.array(kept, dtype=int)


def step_windows(px: np.ndarray, gap: np.ndarray, fps: float) -> list[Window]:
    """One window per step (:func:`step_peaks`): from where the leading foot began to move out to where
    the trailing foot has landed (the key frame), and on until the next step starts."""
    t = np.arange(gap.shape[0])
    ok = np.isfinite(gap)
    if ok.sum() < 3:
        return []
    filled = np.interp(t, t[ok], gap[ok])
    peaks = step_peaks(filled, fps)
    bounds = [0, *((a + b) // 2 for a, b in zip(peaks[:-1], peaks[1:], strict=True)), gap.shape[0] - 1]
    spans = []
    for i, p in enumerate(peaks.tolist()):
        lo = spans[-1][1] if spans else 0
        spans.append(
            (landed(filled, p, lo, p, last=True), landed(filled, p, p, bounds[i + 1], last=False), p)
        )
    windows = []
    for i, (s, key, p) in enumerate(spans):
        stop = spans[i + 1][0] if i + 1 < len(spans) else gap.shape[0] - 1
        windows.append(
            Window(s, key, min(stop, key + max(1, (key - s) // 2)), leading_side(px, s, p), "step")
        )
    return windows


def leading_side(px: np.ndarray, start: int, peak: int) -> int | None:
    """0/1: the leg whose ankle moved further sideways from ``start`` to ``peak`` (the leading leg)."""
    ankles = [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)]
    moved = np.abs(px[peak, ankles, 0] - px[start, ankles, 0])
    return int(np.argmax(moved)) if np.isfinite(moved).all() else None


def step_series(ctx: SegmentContext, windows: list[Window]) -> dict[str, np.ndarray]:
    """The band walk's own per-frame measures (see :data:`RULES`), NaN where they do not apply."""
    px, n = ctx.px, ctx.px.shape[0]
    lean = compute_trunk_lean_deg(px)[:, 0]
    sway = np.full(n, np.nan)
    for w in windows:  # held over each step, as each step's range
        seg = lean[w.start : w.end + 1]
        if np.isfinite(seg).sum() >= 2:
            sway[w.start : w.end + 1] = float(np.nanmax(seg) - np.nanmin(seg))
    ratio = ctx.measures["knee_separation_ratio"]
    hip_y = ctx.hip_y()
    keys = np.array([w.key for w in windows[:REFERENCE_STEPS]], dtype=int)
    ref_ratio = nanmedian(ratio[keys]) if keys.size else float("nan")
    ref_hip = nanmedian(hip_y[keys]) if keys.size else float("nan")
    leg = ctx.leg_px if np.isfinite(ctx.leg_px) and ctx.leg_px > 0 else float("nan")
    ankles = np.abs(px[:, int(L.LEFT_ANKLE), 0] - px[:, int(L.RIGHT_ANKLE), 0])
    hips = np.abs(px[:, int(L.LEFT_HIP), 0] - px[:, int(L.RIGHT_HIP), 0])
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "trunk_sway_range_deg": sway,
            "knee_width_set_rel": ratio / ref_ratio if ref_ratio > 0 else np.full(n, np.nan),
            "hip_rise_set_ratio": (ref_hip - hip_y) / leg,
            "step_width_ratio": np.where(hips > 1e-9, ankles / hips, np.nan),
        }


def segment(ctx: SegmentContext) -> Segmentation:
    """Steps from the heel gap (:func:`step_windows`); the side is the leading leg."""
    gap = ctx.measures["heel_gap_ratio"]
    windows = step_windows(ctx.px, gap, ctx.fps)
    rest = np.ones(gap.shape[0], bool)
    for w in windows:
        rest[w.start : w.end + 1] = False
    return Segmentation(windows, rest, gap, series=step_series(ctx, windows))


def live_key(
    px: np.ndarray, knee_flexion_deg: np.ndarray, leg_px: float, fps: float, start: int, top: int, lo: int
) -> tuple[int, int | None]:
    """The live checker's key frame of a step as the batch picks it: where the trailing foot has
    landed after the widest point ``top``; the side is the leading leg."""
    gap = M.compute_heel_gap_ratio(px)
    if not np.isfinite(gap[top:]).any():
        return top, leading_side(px, start, top)
    return landed(gap, top, top, gap.shape[0] - 1, last=False), leading_side(px, start, top)


def recognise(c: Cues) -> float:
    """Upright, stepping sideways (the feet apart and together while the body travels), the hips not
    going down and up, no foot held up, no box."""
    return c.standing * c.side_stepping * (1 - c.bends) * (1 - c.one_leg) * (1 - c.step_up)


MOVEMENT = Movement(
    name="band-walk",
    title="Band walk",
    posture="upright",
    unilateral=True,
    cutoff_hz=5.0,
    standing_baseline=False,
    rules=RULES,
    segment=segment,
    rep_kind="step",
    recognise=recognise,
    setup=(
        "film from straight in front, camera at hip height about 4 m away so that three steps each way "
        "stay in frame, whole body in frame"
    ),
    live=LiveCounter(
        signal="angle_gained", enter=0.3, exit=0.04, leg="both", measure="heel_gap_ratio", key_frame=live_key
    ),
    no_windows="no complete step",
)
