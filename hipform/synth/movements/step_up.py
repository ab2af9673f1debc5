"""Step-up onto a box: the lead knee collapses inwards, the trailing-side hip drops, the pelvis sways
(front or rear view)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from hipform.synth.movements.common import (
    Timeline,
    X,
    Y,
    add_wobble_records,
    direction,
    free_leg,
    hanging_arms,
    keyframes,
    knee_ik,
    lean_over_stance,
    leg_reach,
    leg_with_valgus,
    make_timeline,
    other_side,
    pelvis_about_stance_hip,
    planted_foot,
    rep_records,
    side_sign,
    single_leg_truth,
    smoothstep,
    standing_hip_height,
    sway_offset_m,
    tile,
    upright_upper_body,
)
from hipform.synth.movements.spec import MovementGenerator, RawMotion

if TYPE_CHECKING:
    from hipform.synth.athlete import BodyProportions, Faults, MotionParams

_STEP_KEY = 0.25  # rep fraction of the key moment: weight on the lead foot, lead knee most bent
# rep fractions: the lead foot lands on the box, the trailing foot lifts off, the trailing foot is back down
_STEP_LAND, _STEP_LIFT, _STEP_BACK = 0.2, 0.36, 0.8


class _Box(NamedTuple):
    """Where the box stands and where the athlete stands on it, metres."""

    height: float
    front: float  # y of the near edge
    depth: float  # extent along y
    y_lead: float  # y of the lead ankle on the box
    z_top: float  # hip height standing on the box


def _box(body: BodyProportions, depth_cm: float | None) -> _Box:
    """The box of a step-up of ``depth_cm`` (default 30 cm); ValueError outside 10–50 cm."""
    h = (depth_cm if depth_cm is not None else 30.0) / 100.0
    if not 0.1 <= h <= 0.5:
        raise ValueError(f"step-up box height (depth, cm) must be 10–50, got {depth_cm!r}")
    front = 0.30 * (body.height_m / 1.75)
    return _Box(h, front, 0.42, front + body.heel_back_m + 0.07, h + standing_hip_height(body, 0.0, 5.0))


def _step_phase(tl: Timeline) -> np.ndarray:
    """(T,) step-up rep fraction p in [0, 1], exactly ``_STEP_KEY`` at each key frame (-1 outside reps)."""
    p = np.full(tl.n, -1.0)
    for s0, k, e in tl.spans:
        f = np.arange(s0, e + 1)
        p[f] = np.where(
            f <= k, _STEP_KEY * (f - s0) / (k - s0), _STEP_KEY + (1 - _STEP_KEY) * (f - k) / (e - k)
        )
    return p


def _rolled_ankle(body: BodyProportions, pitch_deg: float) -> np.ndarray:
    """(3,) ankle of a foot on its toes pitched ``pitch_deg`` (toes down < 0), toe tip at y = toe length."""
    ff, fu = direction(0.0, pitch_deg), direction(0.0, pitch_deg + 90.0)
    drop_h = body.ankle_height_m - body.foot_marker_height_m
    return (
        np.array([0.0, body.toe_forward_m, body.foot_marker_height_m]) - body.toe_forward_m * ff + drop_h * fu
    )


def _hip_path(body: BodyProportions, pp: np.ndarray, box: _Box) -> tuple[np.ndarray, np.ndarray]:
    """(T,) hip-centre y and z: up on the trailing toes while the lead foot lands, over the box, up, down."""
    scale = body.height_m / 1.75
    z_stand = standing_hip_height(body, 0.0)
    y_key = 0.12 * scale
    t_key = _rolled_ankle(body, -15.0)
    z_key = t_key[2] + float(np.sqrt(leg_reach(body, 15.0) ** 2 - (y_key - t_key[1]) ** 2))
    y_down = 0.06 * scale
    t_back = _rolled_ankle(body, -30.0)  # the trailing foot comes back down toe first
    z_down = t_back[2] + float(np.sqrt(leg_reach(body, 5.0) ** 2 - (y_down - t_back[1]) ** 2))
    y_knots = [(_STEP_LAND, 0.03), (_STEP_KEY, y_key), (0.56, box.y_lead), (0.66, box.y_lead)]
    z_knots = [(_STEP_LAND, z_key - 0.01), (_STEP_KEY, z_key), (0.56, box.z_top), (0.66, box.z_top)]
    hip_y = keyframes(pp, [(0, 0), *y_knots, (_STEP_BACK, y_down), (0.92, 0.03), (1.0, 0.0)])
    hip_z = keyframes(
        pp, [(0, z_stand), *z_knots, (_STEP_BACK, z_down), (0.92, z_stand - 0.02), (1.0, z_stand)]
    )
    return hip_y, hip_z


def _fault_bump(tl: Timeline, pp: np.ndarray, active: np.ndarray, f: Faults) -> np.ndarray:
    """(T,) 0–1 fault ramp: in from the lead foot's lift, 1 at the key frame, out by the top hold."""
    bump = np.where(
        pp <= _STEP_KEY,
        smoothstep((pp - 0.05) / (_STEP_KEY - 0.05)),
        smoothstep((0.66 - pp) / (0.66 - _STEP_KEY)),
    )
    affected = np.zeros(tl.n, bool)
    for i in range(len(tl.spans)):
        if f.reps is None or (i + 1) in f.reps:
            affected |= tl.rep == i
    return np.where(affected & active, bump, 0.0)


def _lead_ankle(body: BodyProportions, pp: np.ndarray, lead: str, box: _Box) -> np.ndarray:
    """(T, 3) lead ankle: lifted over the box edge onto the box, stays, comes back down last."""
    ah, h = body.ankle_height_m, box.height
    y_knots = [
        (0, 0),
        (0.09, 0),
        (_STEP_LAND, box.y_lead),
        (0.82, box.y_lead),
        (0.87, 0.2),
        (0.91, 0.0),
        (1, 0),
    ]
    z_knots = [(0.09, h + ah + 0.06), (_STEP_LAND, h + ah), (0.82, h + ah), (0.87, h + ah + 0.06)]
    ly = keyframes(pp, y_knots)
    lz = keyframes(pp, [(0, ah), *z_knots, (0.91, h + ah + 0.05), (0.96, ah), (1.0, ah)])
    half_w = 0.5 * body.hip_width_m
    return np.stack([np.full(len(pp), side_sign(lead) * half_w), ly, lz], -1)


def _trail_foot(
    body: BodyProportions, pp: np.ndarray, trail: str, hips: tuple[np.ndarray, np.ndarray], box: _Box
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(T, 3) trailing ankle, foot forward and foot up.

    Flat, onto the toes, knee drive over the box, back to the floor behind it. ``hips`` are
    the (T, 3) trailing hip and hip centre.
    """
    hip, centre = hips
    n, h = len(pp), box.height
    knots = [(0, 0), (0.1, 0), (_STEP_LIFT, -30), (0.5, -20), (0.66, -15), (0.72, -25), (_STEP_BACK, -30)]
    pitch = keyframes(pp, [*knots, (0.88, 0), (1, 0)])
    yaw = side_sign(trail) * 5.0
    tff, tfu = direction(yaw, pitch), direction(yaw, pitch + 90.0)
    half_w = 0.5 * body.hip_width_m
    x_t = side_sign(trail) * half_w
    drop_h = body.ankle_height_m - body.foot_marker_height_m
    on_toes = np.array([x_t, body.toe_forward_m, body.foot_marker_height_m]) - body.toe_forward_m * tff
    on_toes = on_toes + drop_h * tfu
    # the knee-drive ankle relative to the hip centre, at the top of the step
    drive = free_leg(body, hip, np.full(n, 70.0), np.full(n, 95.0), 0.0)["ankle"]
    top = np.abs(pp - 0.61) < 0.05
    d_y = float(np.mean(drive[top, 1] - centre[top, 1]))
    d_z = float(np.mean(drive[top, 2] - centre[top, 2]))
    lift = _rolled_ankle(body, -30.0)
    lift_y, lift_z = float(lift[1]), float(lift[2])
    over = [(0.5, box.front + 0.05), (0.58, box.y_lead + d_y), (0.66, box.y_lead + d_y), (0.72, 0.08)]
    ty = keyframes(pp, [(_STEP_LIFT, lift_y), (0.42, lift_y + 0.02), *over, (_STEP_BACK, lift_y)])
    up = [(0.42, h + 0.1), (0.5, h + 0.2), (0.58, box.z_top + d_z), (0.66, box.z_top + d_z), (0.72, h + 0.2)]
    tz = keyframes(pp, [(_STEP_LIFT, lift_z), *up, (_STEP_BACK, lift_z)])
    swing = (pp > _STEP_LIFT) & (pp < _STEP_BACK)
    ankle = np.where(swing[:, None], np.stack([np.full(n, x_t), ty, tz], -1), on_toes)
    d = ankle - hip
    dist = np.linalg.norm(d, axis=-1, keepdims=True)
    return hip + d * np.minimum(1.0, 0.999 * body.leg_m / dist), tff, tfu


def generate(params: MotionParams, rng: np.random.Generator) -> RawMotion:
    """Step-up onto a box with the working (lead) leg, knee drive with the other, step back down.

    ``depth`` is the box height in cm (default 30). The key frame is the
    weight acceptance on the box, when the lead knee is most bent; the
    trailing foot rolls onto its toes and leaves the floor shortly after. The
    lead leg counts as the stance leg from its landing on the box until the
    trailing foot is back on the floor.
    """
    body = params.body
    lead = params.working_side
    trail = other_side(lead)
    box = _box(body, params.depth)
    tl = make_timeline(params, params.tempo_s or 3.2, 0.0, rng, rest_s=0.5)
    n = tl.n
    p = _step_phase(tl)
    active = p >= 0
    pp = np.where(active, p, 0.0)
    hip_y, hip_z = _hip_path(body, pp, box)
    hip_mid = np.stack([np.zeros(n), hip_y, hip_z], -1)
    half_w = 0.5 * body.hip_width_m
    lead_ankle = _lead_ankle(body, pp, lead, box)
    # the pelvis sways over the lead foot; the hips sink as much as keeps the lead leg's reach
    sway = sway_offset_m(tl, params, lead)
    reach = np.linalg.norm(hip_mid + side_sign(lead) * half_w * X - lead_ankle, axis=-1)
    lateral = side_sign(lead) * half_w + sway - lead_ankle[:, 0]
    up = np.sqrt(np.maximum(reach**2 - lateral**2 - (hip_y - lead_ankle[:, 1]) ** 2, 0.0))
    hip_mid = np.stack([sway, hip_y, np.minimum(hip_z, lead_ankle[:, 2] + up)], -1)

    f = params.faults
    bump = _fault_bump(tl, pp, active, f)
    on = f.side in (lead, "both")
    drop = bump * (f.pelvic_drop_deg if on else 0.0)
    valgus = {lead: bump * (f.knee_valgus_deg if on else 0.0), trail: np.zeros(n)}
    hips = pelvis_about_stance_hip(hip_mid + side_sign(lead) * half_w * X, lead, body.hip_width_m, drop)

    lff, lfu = planted_foot(n, 5.0, lead)
    trail_ankle, tff, tfu = _trail_foot(body, pp, trail, (hips[trail], hip_mid), box)
    fwd = tile(Y, n)
    pose = {
        f"hip_{lead[0]}": hips[lead],
        f"knee_{lead[0]}": leg_with_valgus(body, hips, lead, lead_ankle, fwd, 0.0, valgus, params),
        f"ankle_{lead[0]}": lead_ankle,
        f"foot_fwd_{lead[0]}": lff,
        f"foot_up_{lead[0]}": lfu,
        f"hip_{trail[0]}": hips[trail],
        f"knee_{trail[0]}": knee_ik(hips[trail], trail_ankle, body.thigh_m, body.shank_m, fwd),
        f"ankle_{trail[0]}": trail_ankle,
        f"foot_fwd_{trail[0]}": tff,
        f"foot_up_{trail[0]}": tfu,
    }
    lean = keyframes(pp, [(0, 2), (_STEP_LAND, 12), (_STEP_KEY, 18), (0.56, 4), (_STEP_BACK, 10), (1.0, 2)])
    pose.update(upright_upper_body(n, lean))
    trunk_lean = lean_over_stance(tl, params, pose, lead)
    hanging_arms(n, pose, 8.0 + 25.0 * np.sin(np.pi * pp) ** 2, abd=0.15, elbow_deg=25.0)
    stance = np.where(active & (pp >= _STEP_LAND) & (pp < _STEP_BACK), lead, "").astype("<U5")
    reps = rep_records(tl, params, lead, {lead: valgus[lead], trail: valgus[trail]}, drop)
    add_wobble_records(reps, sway, trunk_lean, lead)
    size = (0.6, box.depth, box.height)
    props = [dict(kind="box", centre_m=(0.0, box.front + box.depth / 2, box.height / 2), size_m=size)]
    return RawMotion(pose, reps, stance, np.full(n, lead, dtype="<U5"), tl.rep_start(), props=props)


GENERATOR = MovementGenerator(
    name="step-up",
    generate=generate,
    faults=("knee_valgus_deg", "pelvic_drop_deg", "pelvis_sway_cm", "trunk_lean_deg"),
    own_truth=single_leg_truth,
)
