"""Quadruped kickback: the lower back arching as the leg extends, filmed from the side."""

from __future__ import annotations

import numpy as np

from hipform.kinematics import measures as M
from hipform.kinematics.faults import FaultRule
from hipform.kinematics.movements.spec import (
    Cues,
    LiveCounter,
    Movement,
    Segmentation,
    SegmentContext,
    rep_windows,
)

#: Smallest range of thigh extension past the trunk that counts as kickback reps, degrees [J].
MIN_KICK_RANGE_DEG = 25.0

RULES = (
    FaultRule(
        fault="back_arch",
        measure="thigh_past_trunk_deg",
        label="thigh extended past the trunk line",
        phase="rep",
        mild=15.0,
        marked=25.0,
        direction="above",
        unit="deg",
        view="side",
        per_side=True,
        source="[J] mild > 15°, marked > 25°; some lumbar extension is normal (Arab 2017)",
        cue="lift the leg only as high as the hip allows: stop before the lower back arches",
        setup="side",
    ),
    FaultRule(
        fault="back_arch",
        measure="trunk_line_change_deg",
        label="change of the shoulder–hip line from the start of the rep",
        phase="rep",
        mild=5.0,
        marked=10.0,
        direction="above",
        unit="deg",
        view="side",
        per_side=False,
        source="[J] > 5° change from the start position (biomechanics.md §3); marked at 10° [J]",
        cue="keep the back still like a table top while the leg moves",
        setup="side",
    ),
)


def segment(ctx: SegmentContext) -> Segmentation:
    """Reps from the thigh extension past the trunk line of the higher leg; the side is that leg."""
    tpt = M.compute_thigh_past_trunk_deg(ctx.src)
    sig = np.nanmax(np.where(np.isfinite(tpt), tpt, -np.inf), axis=1)
    sig = np.where(np.isfinite(sig), sig, np.nan)
    reps = ctx.reps_from(sig, MIN_KICK_RANGE_DEG)
    sides: list[int | None] = [int(np.nanargmax(np.nan_to_num(tpt[k], nan=-np.inf))) for k in reps.peak]
    return Segmentation(rep_windows(reps, sides), reps.rest, sig)


def recognise(c: Cues) -> float:
    """On all fours: a horizontal trunk, the wrists below the shoulders."""
    return c.lying * c.quadruped


MOVEMENT = Movement(
    name="kickback",
    title="Kickback",
    posture="quadruped",
    unilateral=True,
    cutoff_hz=5.0,
    standing_baseline=False,
    rules=RULES,
    segment=segment,
    rep_kind="rep",
    recognise=recognise,
    setup="film from the side at hip height, shoulders, hips and knees in frame",
    live=LiveCounter(
        signal="angle_gained", enter=50.0, exit=30.0, leg="highest", measure="thigh_past_trunk_deg"
    ),
)
