"""Glute bridge: the lower back arches at the top (seen from the side).

The single-leg bridge (:mod:`hipform.synth.movements.single_leg_bridge`) is
this motion on one leg: :func:`bridge_motion` makes both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hipform.synth.movements.common import (
    Timeline,
    X,
    Y,
    Z,
    fault_ramp,
    hip_line_deg,
    knee_ik,
    make_timeline,
    other_side,
    pelvis_about_stance_hip,
    planted_foot,
    rep_records,
    rotate,
    side_sign,
    tile,
    unit,
    yz,
)
from hipform.synth.movements.spec import MovementGenerator, RawMotion, TruthContext

if TYPE_CHECKING:
    from hipform.synth.athlete import BodyProportions, MotionParams


def _bridge_geometry(body: BodyProportions) -> dict[str, float]:
    """Supine set-up (y, z in the sagittal plane): shoulder point, lying hip height, ankle placement."""
    scale = body.height_m / 1.75
    zs, zh = 0.07 * scale, 0.09 * scale
    ys = -float(np.sqrt(body.trunk_m**2 - (zh - zs) ** 2))  # hips start over the origin
    beta_top = np.radians(24.0)  # trunk elevation of a straight shoulder–hip–knee line at the top
    knee_y = ys + (body.trunk_m + body.thigh_m) * np.cos(beta_top)
    knee_z = zs + (body.trunk_m + body.thigh_m) * np.sin(beta_top)
    ankle_y = knee_y + float(np.sqrt(body.shank_m**2 - (knee_z - body.ankle_height_m) ** 2))
    return {
        "ys": ys,
        "zs": zs,
        "zh": zh,
        "ankle_y": ankle_y,
        "beta_rest": float(np.arcsin((zh - zs) / body.trunk_m)),
    }


def _bridge_leg(
    body: BodyProportions, g: dict[str, float], hip: np.ndarray, side: str
) -> tuple[np.ndarray, np.ndarray]:
    """Ankle and knee of a bridge leg whose foot is flat on the floor (knees point up and a little out)."""
    n = len(hip)
    half_w = 0.5 * body.hip_width_m
    ankle = tile((side_sign(side) * (half_w + 0.02 * body.height_m), g["ankle_y"], body.ankle_height_m), n)
    knee = knee_ik(hip, ankle, body.thigh_m, body.shank_m, tile(Z, n) + 0.3 * side_sign(side) * X)
    return ankle, knee


def _bridge_pose_at(
    body: BodyProportions,
    g: dict[str, float],
    beta: np.ndarray,
    side: str = "right",
    drop_deg: np.ndarray | float = 0.0,
) -> dict[str, np.ndarray]:
    """Bridge pose for trunk elevations ``beta`` (rad): hips (pelvis turned about the ``side`` hip by
    ``drop_deg``), trunk direction, shoulder midpoint and the ``side`` knee.

    The upper back rests on the floor: the trunk points from the hip midpoint
    to the fixed shoulder point, so a pelvic drop tilts it slightly.
    """
    n = len(beta)
    sh = np.stack([np.zeros(n), np.full(n, g["ys"]), np.full(n, g["zs"])], -1)
    level_mid = sh + body.trunk_m * np.stack([np.zeros(n), np.cos(beta), np.sin(beta)], -1)
    stance_hip = level_mid + side_sign(side) * 0.5 * body.hip_width_m * X
    hips = pelvis_about_stance_hip(stance_hip, side, body.hip_width_m, np.broadcast_to(drop_deg, (n,)))
    mid = 0.5 * (hips["left"] + hips["right"])
    trunk_up = unit(sh - mid)
    _, knee = _bridge_leg(body, g, hips[side], side)
    fwd = rotate(trunk_up, X, np.radians(-90.0))
    fwd = unit(fwd - np.sum(fwd * trunk_up, -1, keepdims=True) * trunk_up)  # as assemble() does
    shoulder = mid + body.trunk_m * trunk_up
    side_shoulder = shoulder + side_sign(side) * 0.5 * body.shoulder_width_m * np.cross(fwd, trunk_up)
    return {"hips": hips, "trunk_up": trunk_up, "trunk_fwd": fwd, "shoulder": side_shoulder, "knee": knee}


def _bridge_beta_for(
    body: BodyProportions, g: dict[str, float], hip_line: float, side: str, drop_deg: float
) -> float:
    """Trunk elevation (rad) at which the ``side`` hip-line angle equals ``hip_line`` deg (bisection)."""
    lo, hi = g["beta_rest"], np.radians(55.0)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        p = _bridge_pose_at(body, g, np.array([mid]), side, drop_deg)
        if hip_line_deg(yz(p["shoulder"]), yz(p["hips"][side]), yz(p["knee"]))[0] < hip_line:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _trunk_elevation(
    params: MotionParams, g: dict[str, float], tl: Timeline, side: str, single: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(T,) trunk elevation (rad), back arch and pelvic drop (deg) over the reps.

    Each rep lifts the trunk to the elevation whose hip line is the clean top (``depth``)
    plus the back arch of that rep, with that rep's pelvic drop.
    """
    clean_top = params.depth if params.depth is not None else 0.0
    arch = fault_ramp(tl, params, "back_arch_deg", (side,) if single else ("left", "right"))[side]
    drop = fault_ramp(tl, params, "pelvic_drop_deg", (side,))[side] if single else np.zeros(tl.n)
    beta = np.full(tl.n, g["beta_rest"])
    for s0, k, e in tl.spans:
        top = _bridge_beta_for(params.body, g, clean_top + arch[k], side, drop[k])
        fr = slice(s0, e + 1)
        beta[fr] = g["beta_rest"] + (top - g["beta_rest"]) * tl.u[fr]
    return beta, arch, drop


def _legs(
    body: BodyProportions, g: dict[str, float], hips: dict[str, np.ndarray], side: str, single: bool
) -> dict[str, np.ndarray]:
    """Hips, knees, ankles and feet: feet flat on the floor, or (single) the free leg held straight.

    The free leg's thigh stays parallel to the floor-leg thigh, its foot pointing up and away,
    slightly plantarflexed.
    """
    n = len(hips["left"])
    pose: dict[str, np.ndarray] = {}
    for sd in [side] if single else ["left", "right"]:
        ankle, knee = _bridge_leg(body, g, hips[sd], sd)
        ff, fu = planted_foot(n, 3.0, sd)
        pose.update(
            {
                f"hip_{sd[0]}": hips[sd],
                f"knee_{sd[0]}": knee,
                f"ankle_{sd[0]}": ankle,
                f"foot_fwd_{sd[0]}": ff,
                f"foot_up_{sd[0]}": fu,
            }
        )
    if single:
        oth = other_side(side)
        thigh_dir = unit(pose[f"knee_{side[0]}"] - hips[side])
        knee = hips[oth] + body.thigh_m * thigh_dir
        pose.update(
            {
                f"hip_{oth[0]}": hips[oth],
                f"knee_{oth[0]}": knee,
                f"ankle_{oth[0]}": knee + body.shank_m * thigh_dir,
                f"foot_fwd_{oth[0]}": unit(rotate(thigh_dir, X, np.radians(75.0))),
                f"foot_up_{oth[0]}": -thigh_dir,
            }
        )
    return pose


def _upper_body(geo: dict[str, np.ndarray], pose: dict[str, np.ndarray]) -> None:
    """Trunk on the floor, face up, arms along the body on the floor (into ``pose``)."""
    n = len(geo["trunk_up"])
    pose["trunk_up"] = geo["trunk_up"]
    pose["trunk_fwd"] = geo["trunk_fwd"]
    pose["head_up"] = tile(-Y, n)
    pose["head_fwd"] = tile(Z, n)
    for sd in ("left", "right"):
        pose[f"uarm_{sd[0]}"] = unit(np.broadcast_to([side_sign(sd) * 0.25, 1.0, -0.02], (n, 3)))
        pose[f"farm_{sd[0]}"] = unit(np.broadcast_to([side_sign(sd) * 0.05, 1.0, -0.02], (n, 3)))
        pose[f"thumb_{sd[0]}"] = tile(-side_sign(sd) * X, n)


def bridge_motion(params: MotionParams, rng: np.random.Generator, single: bool = False) -> RawMotion:
    """Glute bridge lying supine along y (head at -y), feet flat, arms on the floor; optional single-leg.

    ``depth`` is the clean hip-line angle at the top hold (default 0°: a
    straight shoulder–hip–knee line); ``back_arch_deg`` adds to it. In the
    single-leg bridge the free leg is held straight, its thigh parallel to the
    floor-leg thigh, and pelvic drop turns the pelvis about the floor-leg hip.
    """
    body = params.body
    g = _bridge_geometry(body)
    tl = make_timeline(params, params.tempo_s or 3.0, 0.3, rng, rest_s=0.6)
    n = tl.n
    side = params.working_side if single else "right"
    beta, arch, drop = _trunk_elevation(params, g, tl, side, single)
    geo = _bridge_pose_at(body, g, beta, side, drop)
    pose = _legs(body, g, geo["hips"], side, single)
    _upper_body(geo, pose)
    knee_truth = {"left": np.zeros(n), "right": np.zeros(n)}
    reps = rep_records(tl, params, side if single else None, knee_truth, drop, arch)
    stance = np.full(n, side if single else "", dtype="<U5")
    mat = dict(
        kind="mat",
        centre_m=(0.0, g["ys"] + 0.55 * body.height_m / 1.75, 0.003),
        size_m=(0.6, 1.8 * body.height_m / 1.75, 0.006),
    )
    return RawMotion(pose, reps, stance, stance.copy(), tl.rep_start(), props=[mat])


def generate(params: MotionParams, rng: np.random.Generator) -> RawMotion:
    """Glute bridge on both feet (see :func:`bridge_motion`)."""
    return bridge_motion(params, rng)


def hip_line_truth(ctx: TruthContext) -> dict[str, np.ndarray]:
    """``bridge_hip_line_deg`` of the shoulder, hip and knee midpoints."""
    knee = yz(0.5 * (ctx.points["left_knee"] + ctx.points["right_knee"]))
    return {"bridge_hip_line_deg": hip_line_deg(ctx.shoulder_mid, ctx.hip_mid, knee)}


GENERATOR = MovementGenerator(
    name="bridge",
    generate=generate,
    faults=("back_arch_deg",),
    own_truth=hip_line_truth,
)
