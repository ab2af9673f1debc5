"""Running: knee collapse (hip adduction) and pelvic drop in each stance, filmed from behind; filmed
from the side, the sagittal measures of each step (:mod:`hipform.kinematics.sagittal_running`)."""

from __future__ import annotations

from itertools import repeat

import numpy as np

from hipform.kinematics.cadence import Cadence
from hipform.kinematics.events import Steps, detect_steps
from hipform.kinematics.faults import SRC_FPPA, FaultRule, cpd_rule
from hipform.kinematics.movements.spec import Cues, Movement, Segmentation, SegmentContext, Window
from hipform.kinematics.sagittal_running import SAGITTAL_MEASURES, detect_side_steps, held_series
from hipform.landmarks import Landmark

L = Landmark

_CUE = "land with the knee under the hip: try a slightly higher step rate"

RULES = (
    FaultRule(
        fault="knee_collapse",
        measure="hip_adduction_deg",
        label="2D hip adduction at midstance",
        phase="midstance",
        mild=10.0,
        marked=15.0,
        direction="above",
        unit="deg",
        view="frontal",
        per_side=True,
        source="[J] no published 2D cut-off; 2D hip adduction tracks 3D knee abduction in running where "
        "2D FPPA does not (biomechanics.md §1)",
        cue=_CUE,
        confidence_scale=0.8,
    ),
    FaultRule(
        fault="knee_collapse",
        measure="fppa_deg",
        label="knee FPPA at midstance (low confidence in running)",
        phase="midstance",
        mild=10.0,
        marked=16.0,
        direction="above",
        unit="deg",
        view="frontal",
        per_side=True,
        source=SRC_FPPA + "; in running 2D FPPA does not track 3D knee abduction: low confidence",
        cue=_CUE,
        confidence_scale=0.4,
    ),
    cpd_rule("midstance"),
)


def segment(ctx: SegmentContext) -> Segmentation:
    """Steps: strike → midstance (key) → toe-off of each stance.

    Filmed from behind, the planted foot is the lower one in the image (the heel's own lowest
    point comes late in stance there: the foot travels toward the camera). From the front the
    swing foot reaching toward the camera looks lower before it lands: there (and in an oblique
    view) the heel's lowest image point marks the strike. Side-on, the feet overlap and their
    labels swap: steps come from the feet's fore-aft swing and carry their sagittal values
    (:func:`segment_side`).
    """
    heel = _heel_y(ctx)
    if ctx.view == "side":
        return segment_side(ctx, heel.mean(axis=1))
    how = "lower-foot" if ctx.view == "rear" else "heel-peak"
    steps = detect_steps(
        heel, ctx.hip_y(), ctx.measures["knee_flexion_deg"], ctx.t_s, ctx.leg_px, stance_from=how
    )
    ends = np.maximum(steps.toe_off, steps.midstance)
    windows = _step_windows(steps.strike, steps.midstance, ends, steps.side.astype(np.int64).tolist())
    n = ctx.px.shape[0]
    return Segmentation(windows, np.zeros(n, bool), heel.mean(axis=1) if n else np.zeros(0), steps)


def _step_windows(
    strike: np.ndarray, midstance: np.ndarray, end: np.ndarray, side: list[int | None]
) -> list[Window]:
    """One window per step: strike, midstance (key) and end frames (N,), and its stance leg."""
    # made by tuple.__new__, not one Python call each: a long clip has ten thousand steps
    # (docs/performance.md)
    frames = (np.asarray(c, dtype=np.int64).tolist() for c in (strike, midstance, end))
    cols = (*frames, side, ["step"] * len(side))
    return list(map(tuple.__new__, repeat(Window), zip(*cols, strict=True)))


def _heel_y(ctx: SegmentContext) -> np.ndarray:
    """(T, 2) image y of the heels, the ankles where a heel is not seen."""
    heel = ctx.px[:, [int(L.LEFT_HEEL), int(L.RIGHT_HEEL)], 1]
    return np.where(np.isfinite(heel), heel, ctx.ankle_y)


def segment_side(ctx: SegmentContext, signal: np.ndarray) -> Segmentation:
    """Side-on steps (:func:`~hipform.kinematics.sagittal_running.detect_side_steps`), each a window
    contact → midstance (key) → toe-off on its leg (None where the legs cannot be told apart), and
    each step's sagittal values as per-frame series held from its contact to the next (read at the
    key frame as the movement's reported measures). ``signal`` (T,) is the rep signal reported."""
    n = ctx.px.shape[0]
    found = detect_side_steps(ctx.px, ctx.world, ctx.t_s, ctx.leg_px)
    names = [m.name for m in SAGITTAL_MEASURES]
    if found is None:
        empty = np.zeros(0, dtype=np.int64)
        nothing = Steps(empty, empty, empty, empty, Cadence())
        return Segmentation([], np.zeros(n, bool), signal, nothing, dict.fromkeys(names, np.full(n, np.nan)))
    st = found.steps
    # a slow runner's toe-off can come after the other foot's contact (no flight): a step's window
    # still ends before the next one starts, as in every view
    nxt = np.append(st.strike[1:], n)
    ends = np.maximum(np.minimum(st.toe_off, nxt - 1), st.midstance)
    windows = _step_windows(st.strike, st.midstance, ends, [s if s >= 0 else None for s in st.side.tolist()])
    return Segmentation(windows, np.zeros(n, bool), signal, st, held_series(n, st.strike, found.values))


def recognise(c: Cues) -> float:
    """Alternating steps at a running cadence for the whole clip, the pelvis bobbing once per step, not
    stepping sideways (a band walk's steps can keep a running-like rhythm)."""
    return c.running * (1 - c.side_stepping)


MOVEMENT = Movement(
    name="running",
    title="Running",
    posture="upright",
    unilateral=True,
    cutoff_hz=10.0,
    standing_baseline=False,
    rules=RULES,
    segment=segment,
    rep_kind="step",
    recognise=recognise,
    setup="film from behind at hip height (knee collapse, pelvic drop) or from the side, square to the "
    "treadmill (stride, hip extension, trunk lean), whole body in frame, 60 frames/s or more",
    no_windows="no running steps",
    reported_only=("trunk_inclination_deg", *(m.name for m in SAGITTAL_MEASURES)),
    sure_without_baseline=("pelvic_drop_deg",),
)
