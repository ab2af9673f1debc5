"""Bodyweight squat: either knee or both can collapse inwards (seen from the front or rear), with or
without a lateral weight shift."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hipform.synth.movements.common import (
    X,
    fault_ramp,
    knee_flexion_per_rep,
    leg_with_valgus,
    make_timeline,
    planted_foot,
    rep_records,
    sagittal,
    side_sign,
    tile,
    upright_upper_body,
)
from hipform.synth.movements.spec import MovementGenerator, RawMotion

if TYPE_CHECKING:
    from hipform.synth.athlete import MotionParams

#: Knee FPPA (deg) of a clean bilateral squat at the bottom: the knees track over the turned-out toes and so
#: sit slightly outside the hip–ankle line at depth, as good squatters' knees do.
CLEAN_SQUAT_FPPA_DEG = -4.0


def generate(params: MotionParams, rng: np.random.Generator) -> RawMotion:
    """Bodyweight squat: shoulder-width stance, toes out, hips back, arms reaching forward."""
    body = params.body
    tempo = params.tempo_s or 2.4
    depth = params.depth if params.depth is not None else 100.0
    tl = make_timeline(params, tempo, 0.1, rng)
    n, u = tl.n, tl.u
    k0 = 3.0
    flex = knee_flexion_per_rep(tl, depth, k0, rng)
    # shank tilts forward with depth (ankle dorsiflexion), the rest of the flexion is the thigh
    shank_tilt = np.radians(0.36 * (flex - k0))
    thigh_tilt = np.radians(flex) - shank_tilt
    half_w = 0.5 * body.hip_width_m
    ankle_dx = half_w + 0.025 * body.height_m
    dx = ankle_dx - half_w
    # sagittal leg geometry, then corrected for the lateral offset of the stance
    sag_y = body.shank_m * np.sin(shank_tilt) - body.thigh_m * np.sin(thigh_tilt)
    sag_z = body.shank_m * np.cos(shank_tilt) + body.thigh_m * np.cos(thigh_tilt)
    sag_z = np.sqrt(np.clip(sag_z**2 - dx**2, 0.0, None))
    # a lateral weight shift carries the pelvis (and the trunk on it) sideways over planted feet
    hip_mid = np.stack([params.weight_shift_m * u, sag_y, body.ankle_height_m + sag_z], -1)
    pose: dict[str, np.ndarray] = {}
    valgus = fault_ramp(tl, params, "knee_valgus_deg", ("left", "right"))
    hips = {s: hip_mid + side_sign(s) * half_w * X for s in ("left", "right")}
    for side, s in (("left", "l"), ("right", "r")):
        ankle = tile((side_sign(side) * ankle_dx, 0.0, body.ankle_height_m), n)
        ff, fu = planted_foot(n, 12.0, side)
        knee = leg_with_valgus(body, hips, side, ankle, ff, CLEAN_SQUAT_FPPA_DEG * u, valgus, params)
        pose.update(
            {
                f"hip_{s}": hips[side],
                f"knee_{s}": knee,
                f"ankle_{s}": ankle,
                f"foot_fwd_{s}": ff,
                f"foot_up_{s}": fu,
            }
        )
    w = (flex - k0) / 97.0
    pose.update(upright_upper_body(n, 2.0 + 0.42 * (flex - k0), head_pitch_deg=-0.2 * (flex - k0)))
    arm_a = 6.0 + 84.0 * np.clip(w, 0, 1.1)
    for side, s in (("left", "l"), ("right", "r")):
        pose[f"uarm_{s}"] = sagittal(arm_a, side_sign(side) * 0.12)
        pose[f"farm_{s}"] = sagittal(arm_a + 8.0, side_sign(side) * 0.04)
    stance = np.full(n, "", dtype="<U5")
    reps = rep_records(tl, params, None, valgus)
    return RawMotion(pose, reps, stance, stance.copy(), tl.rep_start())


GENERATOR = MovementGenerator(
    name="squat",
    generate=generate,
    faults=("knee_valgus_deg",),
    shifts_weight=True,
)
