"""Running: knee collapse (hip adduction) and pelvic drop in each stance, filmed from behind."""

from __future__ import annotations

import numpy as np

from hipform.kinematics.events import detect_steps
from hipform.kinematics.faults import SRC_FPPA, FaultRule, cpd_rule
from hipform.kinematics.movements.spec import Cues, Movement, Segmentation, SegmentContext, Window
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
    swing foot reaching toward the camera looks lower before it lands, and side-on the feet
    overlap: there the heel's lowest image point marks the strike.
    """
    px = ctx.px
    heel = px[:, [int(L.LEFT_HEEL), int(L.RIGHT_HEEL)], 1]
    heel = np.where(np.isfinite(heel), heel, ctx.ankle_y)
    how = "lower-foot" if ctx.view == "rear" else "heel-peak"
    steps = detect_steps(
        heel, ctx.hip_y(), ctx.measures["knee_flexion_deg"], ctx.t_s, ctx.leg_px, stance_from=how
    )
    ends = np.maximum(steps.toe_off, steps.midstance)
    cols = (steps.strike, steps.midstance, ends, steps.side)
    windows = [
        Window(int(st), int(mid), int(end), int(sd), "step")
        for st, mid, end, sd in zip(*(c.tolist() for c in cols), strict=True)
    ]
    n = px.shape[0]
    return Segmentation(windows, np.zeros(n, bool), heel.mean(axis=1) if n else np.zeros(0), steps)


def recognise(c: Cues) -> float:
    """Alternating steps at a running cadence for the whole clip, the pelvis bobbing once per step."""
    return c.running


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
    setup="film from behind at hip height, whole body in frame, 60 frames/s or more",
    no_windows="no running steps",
    reported_only=("trunk_inclination_deg",),
    sure_without_baseline=("pelvic_drop_deg",),
)
