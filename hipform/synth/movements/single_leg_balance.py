"""Single-leg balance: the stance knee collapses inwards, the free-side hip drops, the pelvis sways
(front or rear view)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hipform.synth.movements.common import (
    Y,
    add_wobble_records,
    fault_ramp,
    free_leg,
    knee_ik,
    lean_over_stance,
    leg_with_valgus,
    make_timeline,
    other_side,
    pelvis_about_stance_hip,
    planted_foot,
    rep_records,
    side_sign,
    single_leg_truth,
    smoothstep,
    sway_offset_m,
    tile,
    unit,
    upright_upper_body,
)
from hipform.synth.movements.spec import MovementGenerator, RawMotion

if TYPE_CHECKING:
    from hipform.synth.athlete import MotionParams


def generate(params: MotionParams, rng: np.random.Generator) -> RawMotion:
    """Stand on the working leg: shift over it, lift the other foot behind (knee bent), hold, put it down."""
    body = params.body
    side = params.working_side
    sgn, oth = side_sign(side), other_side(side)
    tl = make_timeline(params, params.tempo_s or 4.0, 0.5, rng, rest_s=0.8)
    n, u = tl.n, tl.u
    depth = params.depth if params.depth is not None else 20.0
    half_w = 0.5 * body.hip_width_m
    shift = smoothstep(u / 0.45)
    lift = smoothstep((u - 0.25) / 0.75)
    k0 = 3.0
    flex = k0 + (depth - k0) * smoothstep(u)
    ankle_x = sgn * 0.6 * half_w
    ankle = tile((ankle_x, 0.0, body.ankle_height_m), n)
    sway = sway_offset_m(tl, params, side)  # the pelvis sways over the planted foot
    stance_hip_x = sgn * (half_w + 0.04 * body.height_m / 1.75 * shift) + sway
    dx = stance_hip_x - ankle_x
    shank_tilt = np.radians(0.4 * (flex - k0))
    thigh_tilt = np.radians(flex) - shank_tilt
    sag_y = body.shank_m * np.sin(shank_tilt) - body.thigh_m * np.sin(thigh_tilt)
    sag_z = body.shank_m * np.cos(shank_tilt) + body.thigh_m * np.cos(thigh_tilt)
    stance_hip = np.stack([stance_hip_x, sag_y, body.ankle_height_m + np.sqrt(sag_z**2 - dx**2)], -1)
    drop = fault_ramp(tl, params, "pelvic_drop_deg", (side,))[side]
    hips = pelvis_about_stance_hip(stance_hip, side, body.hip_width_m, drop)
    valgus = fault_ramp(tl, params, "knee_valgus_deg", (side,))
    ff, fu = planted_foot(n, 6.0, side)
    knee = leg_with_valgus(body, hips, side, ankle, ff, 0.0, valgus, params)
    # free leg: from planted beside the stance foot to lifted behind (thigh a little forward, knee ~85°)
    planted = tile((-ankle_x, 0.0, body.ankle_height_m), n)
    fl = free_leg(body, hips[oth], np.full(n, 12.0), np.full(n, 85.0), 0.0)
    target = planted + lift[:, None] * (fl["ankle"] - planted)
    # keep the foot clear of the floor while it lifts: raise it first, then swing it back
    target[:, 2] = np.maximum(
        target[:, 2],
        planted[:, 2] + 0.25 * body.height_m * np.sin(np.pi * np.clip(lift, 0, 0.5)) ** 2 * (lift > 0),
    )
    reach = np.linalg.norm(target - hips[oth], axis=-1, keepdims=True)
    target = hips[oth] + (target - hips[oth]) * np.minimum(1.0, 0.995 * body.leg_m / reach)
    free_knee = knee_ik(hips[oth], target, body.thigh_m, body.shank_m, tile(Y, n))
    pff, pfu = planted_foot(n, 6.0, oth)
    l3 = lift[:, None]
    pose = {
        f"hip_{side[0]}": hips[side],
        f"knee_{side[0]}": knee,
        f"ankle_{side[0]}": ankle,
        f"foot_fwd_{side[0]}": ff,
        f"foot_up_{side[0]}": fu,
        f"hip_{oth[0]}": hips[oth],
        f"knee_{oth[0]}": free_knee,
        f"ankle_{oth[0]}": target,
        f"foot_fwd_{oth[0]}": unit((1 - l3) * pff + l3 * fl["foot_fwd"]),
        f"foot_up_{oth[0]}": unit((1 - l3) * pfu + l3 * fl["foot_up"]),
    }
    pose.update(upright_upper_body(n, 2.0 + 4.0 * shift))
    trunk_lean = lean_over_stance(tl, params, pose, side)
    for sd, s in (("left", "l"), ("right", "r")):
        pose[f"uarm_{s}"] = unit(
            np.stack([side_sign(sd) * (0.1 + 0.35 * shift), 0.1 + 0 * shift, -np.ones(n)], -1)
        )
        pose[f"farm_{s}"] = unit(
            np.stack([side_sign(sd) * (0.1 + 0.3 * shift), 0.3 + 0 * shift, -np.ones(n)], -1)
        )
    stance = np.where(lift > 0, side, "").astype("<U5")
    reps = rep_records(tl, params, side, valgus, drop)
    add_wobble_records(reps, sway, trunk_lean, side)
    return RawMotion(pose, reps, stance, np.full(n, side, dtype="<U5"), tl.rep_start())


GENERATOR = MovementGenerator(
    name="single-leg-balance",
    generate=generate,
    faults=("knee_valgus_deg", "pelvic_drop_deg", "pelvis_sway_cm", "trunk_lean_deg"),
    own_truth=single_leg_truth,
)
