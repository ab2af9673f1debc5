"""Quadruped hip kickback: the lower back arches as the thigh swings past the trunk (seen from the side)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hipform.synth.movements.common import (
    X,
    Y,
    Z,
    above_sign,
    angle_between_deg,
    fault_ramp,
    knee_ik,
    make_timeline,
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

#: Share of the kickback back-arch fault that shows as a trunk-line change: as the thigh extends past the
#: trunk the shoulders sink (elbows give) so the shoulder→hip line tilts, hips relatively higher, by this
#: fraction of the extra thigh extension. With hands and the support knee on the floor and rigid segments,
#: the hips themselves cannot sink without large motion; the shoulders can.
KICKBACK_TRUNK_SHARE = 0.5


def _kickback_frame(body: BodyProportions, scale: float) -> dict[str, float]:
    """All-fours set-up in (y, z): hands under the shoulders, knees under the hips, hips over the origin."""
    arm = body.upper_arm_m + body.forearm_m
    z_w, z_k = 0.04 * scale, 0.05 * scale
    z_s, z_h = z_w + arm, z_k + body.thigh_m
    y_w = float(np.sqrt(body.trunk_m**2 - (z_s - z_h) ** 2))
    return {"arm": arm, "y_w": y_w, "z_w": z_w, "z_s": z_s, "y_k": 0.0, "z_k": z_k, "z_h": z_h}


def _legs(
    body: BodyProportions,
    f: dict[str, float],
    hips: dict[str, np.ndarray],
    side: str,
    thigh: np.ndarray,
    shank: np.ndarray,
) -> dict[str, np.ndarray]:
    """Hips, knees, ankles and feet: the working leg along ``thigh`` and ``shank``, the other kneeling."""
    n = len(thigh)
    half_w = 0.5 * body.hip_width_m
    pose: dict[str, np.ndarray] = {}
    for sd in ("left", "right"):
        if sd == side:
            knee = hips[sd] + body.thigh_m * thigh
            sdir = shank
        else:  # on the floor under the hip
            x_k = side_sign(sd) * half_w
            knee = np.stack([np.full(n, x_k), np.full(n, f["y_k"]), np.full(n, f["z_k"])], -1)
            sdir = tile(-Y, n)
        ankle = knee + body.shank_m * sdir
        ff = rotate(sdir, X, np.radians(10.0))
        pose.update(
            {
                f"hip_{sd[0]}": hips[sd],
                f"knee_{sd[0]}": knee,
                f"ankle_{sd[0]}": ankle,
                f"foot_fwd_{sd[0]}": ff,
                f"foot_up_{sd[0]}": rotate(ff, X, np.radians(90.0)),
            }
        )
    return pose


def _upper_body(
    body: BodyProportions,
    f: dict[str, float],
    sh_mid: np.ndarray,
    trunk_up: np.ndarray,
    pose: dict[str, np.ndarray],
) -> None:
    """Trunk, head looking at the floor ahead, hands planted under the shoulders (into ``pose``)."""
    n = len(sh_mid)
    chest = rotate(trunk_up, X, np.radians(-90.0))
    pose["trunk_up"], pose["trunk_fwd"] = trunk_up, chest
    pose["head_up"] = rotate(trunk_up, X, np.radians(15.0))
    pose["head_fwd"] = rotate(trunk_up, X, np.radians(-75.0))
    t_right = np.cross(chest, trunk_up)
    for sd in ("left", "right"):
        sh = sh_mid + side_sign(sd) * 0.5 * body.shoulder_width_m * t_right
        wrist = np.stack([sh[:, 0], np.full(n, f["y_w"]), np.full(n, f["z_w"])], -1)
        # elbows give (pointing back) when the shoulders sink; straight arms otherwise
        elbow = knee_ik(sh, wrist, body.upper_arm_m, body.forearm_m, tile(-Y, n))
        pose[f"uarm_{sd[0]}"] = unit(elbow - sh)
        pose[f"farm_{sd[0]}"] = unit(wrist - elbow)
        pose[f"hand_{sd[0]}"] = tile(Y, n)
        pose[f"thumb_{sd[0]}"] = tile(-side_sign(sd) * X, n)


def generate(params: MotionParams, rng: np.random.Generator) -> RawMotion:
    """Quadruped hip kickback on all fours along y (head towards +y), kicking the working leg up and back.

    ``depth`` is the clean thigh-past-trunk angle at the top (default 5°).
    ``back_arch_deg`` adds to it, and the trunk line sinks at the hips by
    :data:`KICKBACK_TRUNK_SHARE` of it (arms leaning, knee and hands fixed).
    """
    body = params.body
    scale = body.height_m / 1.75
    side = params.working_side
    tl = make_timeline(params, params.tempo_s or 2.4, 0.15, rng)
    n, u = tl.n, tl.u
    clean_top = params.depth if params.depth is not None else 5.0
    arch = fault_ramp(tl, params, "back_arch_deg", (side,))[side]
    f = _kickback_frame(body, scale)
    hip_mid = np.stack([np.zeros(n), np.full(n, f["y_k"]), np.full(n, f["z_h"])], -1)
    v0 = np.array([0.0, f["y_w"] - f["y_k"], f["z_s"] - f["z_h"]])
    sh_mid = hip_mid + rotate(np.broadcast_to(v0, (n, 3)), X, -np.radians(KICKBACK_TRUNK_SHARE * arch))
    half_w = 0.5 * body.hip_width_m
    hips = {sd: hip_mid + side_sign(sd) * half_w * X for sd in ("left", "right")}
    d = unit(hip_mid - sh_mid)  # the extended trunk line, pointing back
    start_past = -np.degrees(np.arccos(np.clip(np.sum(d * -Z, -1), -1, 1)))
    top = clean_top + arch
    past = start_past + (np.where(tl.rep >= 0, top, start_past) - start_past) * u
    past = np.where(u > 0, past, start_past)
    thigh = rotate(d, X, -np.radians(past))
    shank = rotate(thigh, X, -np.radians(90.0 - 20.0 * u))
    pose = _legs(body, f, hips, side, thigh, shank)
    _upper_body(body, f, sh_mid, -d, pose)
    zeros = np.zeros(n)
    reps = rep_records(tl, params, side, {"left": zeros, "right": zeros}, None, arch)
    work = np.full(n, side, dtype="<U5")
    mat = dict(kind="mat", centre_m=(0.0, 0.25 * scale, 0.003), size_m=(0.6, 1.8 * scale, 0.006))
    return RawMotion(pose, reps, np.full(n, "", dtype="<U5"), work, tl.rep_start(), props=[mat])


def thigh_and_trunk_truth(ctx: TruthContext) -> dict[str, np.ndarray]:
    """``kickback_thigh_past_trunk_deg`` of the working leg and ``kickback_trunk_change_deg``."""
    left = (ctx.work_side == "left")[:, None]
    knee = np.where(left, yz(ctx.points["left_knee"]), yz(ctx.points["right_knee"]))
    hip = np.where(left, yz(ctx.points["left_hip"]), yz(ctx.points["right_hip"]))
    thigh = knee - hip
    past = angle_between_deg(ctx.trunk_down, thigh) * above_sign(ctx.shoulder_mid, ctx.hip_mid, knee)
    down = ctx.trunk_down
    elev = np.degrees(np.arctan2(-down[:, 1], np.abs(down[:, 0])))  # + = hips lower
    return {"kickback_thigh_past_trunk_deg": past, "kickback_trunk_change_deg": elev - elev[ctx.rep_start]}


GENERATOR = MovementGenerator(
    name="kickback",
    generate=generate,
    faults=("back_arch_deg",),
    own_truth=thigh_and_trunk_truth,
)
