"""Single-leg squat: the working knee collapses inwards, the free-side hip drops, the pelvis sways (front or
rear view)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hipform.synth.movements.common import (
    add_wobble_records,
    fault_ramp,
    free_leg,
    hanging_arms,
    knee_flexion_per_rep,
    lean_over_stance,
    leg_with_valgus,
    make_timeline,
    other_side,
    pelvis_about_stance_hip,
    planted_foot,
    rep_records,
    side_sign,
    single_leg_truth,
    sway_offset_m,
    tile,
    upright_upper_body,
)
from hipform.synth.movements.spec import MovementGenerator, RawMotion

if TYPE_CHECKING:
    from hipform.synth.athlete import MotionParams


def generate(params: MotionParams, rng: np.random.Generator) -> RawMotion:
    """Single-leg squat on the working leg, the free leg held forward, arms reaching forward for balance."""
    body = params.body
    side = params.working_side
    sgn, oth = side_sign(side), other_side(side)
    tl = make_timeline(params, params.tempo_s or 2.6, 0.1, rng)
    n = tl.n
    depth = params.depth if params.depth is not None else 70.0
    k0 = 5.0
    flex = knee_flexion_per_rep(tl, depth, k0, rng)
    shank_tilt = np.radians(0.45 * (flex - k0))
    thigh_tilt = np.radians(flex) - shank_tilt
    half_w = 0.5 * body.hip_width_m
    ankle = tile((sgn * (half_w - 0.03 * body.height_m), 0.0, body.ankle_height_m), n)
    sway = sway_offset_m(tl, params, side)  # the pelvis sways over the planted foot
    hip_x = sgn * half_w + sway
    dx = hip_x - ankle[:, 0]
    sag_y = body.shank_m * np.sin(shank_tilt) - body.thigh_m * np.sin(thigh_tilt)
    sag_z = body.shank_m * np.cos(shank_tilt) + body.thigh_m * np.cos(thigh_tilt)
    sag_z = np.sqrt(sag_z**2 - dx**2)
    stance_hip = np.stack([hip_x, sag_y, body.ankle_height_m + sag_z], -1)
    drop = fault_ramp(tl, params, "pelvic_drop_deg", (side,))[side]
    hips = pelvis_about_stance_hip(stance_hip, side, body.hip_width_m, drop)
    valgus = fault_ramp(tl, params, "knee_valgus_deg", (side,))
    ff, fu = planted_foot(n, 6.0, side)
    knee = leg_with_valgus(body, hips, side, ankle, ff, 0.0, valgus, params)
    w = (flex - k0) / max(depth - k0, 1.0)
    fl = free_leg(body, hips[oth], 40.0 + 35.0 * w, 30.0 + 20.0 * w, -sgn * 0.02, ankle_pitch_deg=-5.0)
    pose = {
        f"hip_{side[0]}": hips[side],
        f"knee_{side[0]}": knee,
        f"ankle_{side[0]}": ankle,
        f"foot_fwd_{side[0]}": ff,
        f"foot_up_{side[0]}": fu,
        f"hip_{oth[0]}": hips[oth],
    }
    pose.update({f"{k}_{oth[0]}": v for k, v in fl.items()})
    pose.update(upright_upper_body(n, 5.0 + 0.35 * (flex - k0), head_pitch_deg=-0.2 * (flex - k0)))
    trunk_lean = lean_over_stance(tl, params, pose, side)
    hanging_arms(n, pose, 20.0 + 60.0 * np.clip(w, 0, 1.1), abd=0.2)
    stance = np.full(n, side, dtype="<U5")
    reps = rep_records(tl, params, side, valgus, drop)
    add_wobble_records(reps, sway, trunk_lean, side)
    return RawMotion(pose, reps, stance, stance.copy(), tl.rep_start())


GENERATOR = MovementGenerator(
    name="single-leg-squat",
    generate=generate,
    faults=("knee_valgus_deg", "pelvic_drop_deg", "pelvis_sway_cm", "trunk_lean_deg"),
    own_truth=single_leg_truth,
)
