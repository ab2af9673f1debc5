"""Single-leg deadlift: on one leg, the trunk hinges forward while the free leg extends back in line
with it, then both return. Faults: the stance knee collapses, the pelvis opens (free-side hip up),
the trunk and free leg leave one line (the back rounds), the free foot touches down, the pelvis sways.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from hipform.synth.movements.common import (
    angle_between_deg,
    fault_ramp,
    hanging_arms,
    knee_ik,
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
    unit,
    upright_upper_body,
    xz,
    yz,
)
from hipform.synth.movements.spec import MovementGenerator, RawMotion, TruthContext

if TYPE_CHECKING:
    from hipform.synth.athlete import MotionParams

#: Stance knee flexion standing and at the bottom of the hinge, degrees (a soft knee).
KNEE_STANDING_DEG, KNEE_BOTTOM_DEG = 5.0, 20.0


def generate(params: MotionParams, rng: np.random.Generator) -> RawMotion:
    """Hinge on the working leg to ``depth`` degrees of trunk inclination (default 60°) and back.

    The free leg stays straight in line with the trunk (its ankle clamped at the floor near the start
    and end of the rep, where the knee then bends a little). Injected at each key frame, exactly:
    ``knee_valgus_deg`` (stance FPPA), ``pelvic_roll_deg`` (the free-side hip raised about the stance
    hip, the frontal hip-line tilt), ``hinge_line_deg`` (the trunk tipped further down than the free
    leg: the shoulder–hip–free-ankle line bent by it), ``free_foot_drop_cm`` (the free foot lowered by
    it, not below the floor: from 42 cm at the default depth it touches down) and ``pelvis_sway_cm``.
    """
    body = params.body
    side = params.working_side
    sgn, oth = side_sign(side), other_side(side)
    tl = make_timeline(params, params.tempo_s or 3.2, 0.2, rng, rest_s=0.6)
    n, u = tl.n, tl.u
    depth = params.depth if params.depth is not None else 60.0
    half_w = 0.5 * body.hip_width_m
    hinge = depth * u
    # stance leg: foot under the hip, the knee softening as the trunk tips
    ankle_x = sgn * 0.7 * half_w
    ankle = tile((ankle_x, 0.0, body.ankle_height_m), n)
    sway = sway_offset_m(tl, params, side)
    stance_hip_x = sgn * half_w + sway
    dx = stance_hip_x - ankle_x
    flex = KNEE_STANDING_DEG + (KNEE_BOTTOM_DEG - KNEE_STANDING_DEG) * u
    shank_tilt = np.radians(0.6 * flex)  # the knee forward, the hips back over the foot
    thigh_tilt = np.radians(flex) - shank_tilt
    sag_y = body.shank_m * np.sin(shank_tilt) - body.thigh_m * np.sin(thigh_tilt)
    sag_z = body.shank_m * np.cos(shank_tilt) + body.thigh_m * np.cos(thigh_tilt)
    stance_hip = np.stack([stance_hip_x, sag_y, body.ankle_height_m + np.sqrt(sag_z**2 - dx**2)], -1)
    opening = fault_ramp(tl, params, "pelvic_roll_deg", (side,))[side]
    hips = pelvis_about_stance_hip(stance_hip, side, body.hip_width_m, -opening)
    valgus = fault_ramp(tl, params, "knee_valgus_deg", (side,))
    ff, fu = planted_foot(n, 6.0, side)
    knee = leg_with_valgus(body, hips, side, ankle, ff, 0.0, valgus, params)

    # free leg: straight along the trunk's line, pointing back and down; lowered by an injected drop
    leg = body.leg_m
    phi = np.radians(hinge)
    # the drop grows as the 6th power of the progress: the foot leaves the floor as clean and comes
    # down only near the bottom (a touch-down mid-rep), exactly the injected value at the key frame
    ramp = fault_ramp(tl, params, "free_foot_drop_cm", (side,))[side]
    mag = params.faults.free_foot_drop_cm
    drop = ramp * (ramp / mag) ** 5 / 100.0 if mag else ramp
    cos_low = np.clip(np.cos(phi) + drop / leg, -1.0, 1.0)
    phi = np.where(drop > 0, np.arccos(cos_low), phi)
    free_hip = hips[oth]
    target = free_hip + leg * np.stack([np.zeros(n), -np.sin(phi), -np.cos(phi)], -1)
    target[:, 0] = free_hip[:, 0] + sgn * 0.02  # the free foot a little in, under the body
    target[:, 2] = np.maximum(target[:, 2], body.ankle_height_m)  # never below the floor
    reach = np.linalg.norm(target - free_hip, axis=-1, keepdims=True)
    target = free_hip + (target - free_hip) * np.minimum(1.0, 0.9999 * leg / reach)
    free_knee = knee_ik(free_hip, target, body.thigh_m, body.shank_m, unit(tile((0.0, 1.0, -0.3), n)))
    # the free foot: flat on the floor at rest, toes pointing down as the leg extends back
    pff, pfu = planted_foot(n, 6.0, oth)
    back = np.clip(hinge / 30.0, 0.0, 1.0)[:, None]
    shank_dir = unit(target - free_knee)
    toes_down = unit(np.cross(shank_dir, tile(np.array([1.0, 0.0, 0.0]), n)))
    toes_down = np.where((toes_down[:, 2] > 0)[:, None], -toes_down, toes_down)
    pose: dict[str, np.ndarray] = {
        f"hip_{side[0]}": hips[side],
        f"knee_{side[0]}": knee,
        f"ankle_{side[0]}": ankle,
        f"foot_fwd_{side[0]}": ff,
        f"foot_up_{side[0]}": fu,
        f"hip_{oth[0]}": free_hip,
        f"knee_{oth[0]}": free_knee,
        f"ankle_{oth[0]}": target,
        f"foot_fwd_{oth[0]}": unit((1 - back) * pff + back * toes_down),
        f"foot_up_{oth[0]}": unit((1 - back) * pfu + back * -shank_dir),
    }
    # trunk: tips with the hinge, further by an injected line fault; head in line with it
    line = fault_ramp(tl, params, "hinge_line_deg", (side,))[side]
    trunk = hinge + line
    pose.update(upright_upper_body(n, trunk, 0.55 * trunk))
    hanging_arms(n, pose, 5.0 + 0.1 * trunk, elbow_deg=5.0)  # hanging toward the floor, hands by the knee
    stance = np.where(u > 0, side, "").astype("<U5")
    reps = rep_records(tl, params, side, valgus)
    _add_records(reps, opening, line, drop, sway, side)
    return RawMotion(pose, reps, stance, np.full(n, side, dtype="<U5"), tl.rep_start())


def _add_records(
    reps: list[dict[str, Any]],
    opening: np.ndarray,
    line: np.ndarray,
    drop_m: np.ndarray,
    sway_m: np.ndarray,
    side: str,
) -> None:
    """Each rep's injected pelvis opening, line bend, free-foot drop and sway at its key frame."""
    for r in reps:
        k = r["key_frame"]
        r["pelvic_roll_deg"] = float(opening[k])
        r["hinge_line_deg"] = float(line[k])
        r["free_foot_drop_cm"] = float(100.0 * drop_m[k])
        r["pelvis_sway_cm"] = float(100.0 * side_sign(side) * sway_m[k])


def deadlift_truth(ctx: TruthContext) -> dict[str, np.ndarray]:
    """Truth of the single-leg deadlift, NaN without a working side.

    ``sldl_pelvis_opening_deg``: the hip line's frontal (x–z) tilt, free-side hip up positive, minus
    its value at the start of the rep; ``sldl_hinge_line_deg``: 180° − the sagittal (y–z) angle at the
    hip midpoint between the shoulder midpoint and the free ankle;
    ``sldl_free_foot_height_cm``: the free ankle's height above the stance ankle, cm; and the
    wobble truth of every one-legged task (:func:`~hipform.synth.movements.common.single_leg_truth`).
    """
    p = ctx.points
    n = ctx.work_side.shape[0]
    opening, line, clearance = (np.full(n, np.nan) for _ in range(3))
    for side in ("left", "right"):
        on = ctx.work_side == side
        if not on.any():
            continue
        oth = other_side(side)
        d = xz(p[f"{oth}_hip"]) - xz(p[f"{side}_hip"])
        tilt = np.degrees(np.arctan2(d[:, 1], np.abs(d[:, 0])))  # free side up positive
        opening[on] = (tilt - tilt[ctx.rep_start])[on]
        free_ankle = yz(p[f"{oth}_ankle"])
        inner = angle_between_deg(ctx.shoulder_mid - ctx.hip_mid, free_ankle - ctx.hip_mid)
        line[on] = (180.0 - inner)[on]
        clearance[on] = (100.0 * (p[f"{oth}_ankle"][:, 2] - p[f"{side}_ankle"][:, 2]))[on]
    return {
        **single_leg_truth(ctx),
        "sldl_pelvis_opening_deg": opening,
        "sldl_hinge_line_deg": line,
        "sldl_free_foot_height_cm": clearance,
    }


GENERATOR = MovementGenerator(
    name="single-leg-deadlift",
    generate=generate,
    faults=("knee_valgus_deg", "pelvic_roll_deg", "hinge_line_deg", "free_foot_drop_cm", "pelvis_sway_cm"),
    own_truth=deadlift_truth,
)
