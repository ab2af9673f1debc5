"""Side-lying leg lift: lying on one side, the top leg straight, lifted up (hip abduction) and lowered.

The athlete lies along y like the clamshell (head towards -y, feet towards +y) on the side
opposite the working leg, both legs straight; the bottom leg stays still on the floor. At rest the
top leg lies on the bottom one (ankles stacked); each rep lifts it by ``depth`` degrees (default
:data:`CLEAN_LIFT_DEG`) about the top hip, straight up in the body's frontal plane.

Faults are injected geometrically and reach their exact value at each rep's key frame (the leg at
the top):

- ``leg_forward_deg``: the lifted leg turns toward the front of the body (hip flexion instead of
  abduction), exactly this angle seen from the feet (x–z plane);
- ``pelvic_roll_deg``: pelvis and trunk turn about the body's long axis through the bottom hip,
  the top hip moving back (as the clamshell's);
- ``hip_hike_deg``: the pelvis turns about the bottom hip in the y–z plane, the top hip moving
  toward the head (the ribs), exactly this angle against the still shoulder line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hipform.synth.movements.common import (
    X,
    Y,
    Z,
    fault_ramp,
    make_timeline,
    other_side,
    rep_records,
    rotate,
    side_sign,
    tile,
    unit,
    xz,
    yz,
)
from hipform.synth.movements.side_lying_body import (
    anterior_of,
    pelvic_roll_from_start_deg,
    top_and_bottom,
    upper_body,
)
from hipform.synth.movements.spec import MovementGenerator, RawMotion, TruthContext

if TYPE_CHECKING:
    from hipform.synth.athlete import MotionParams

#: The top leg's lift at the top of a clean rep, degrees from resting on the bottom leg.
CLEAN_LIFT_DEG = 40.0


def _lift_targets(params: MotionParams, tl, rng: np.random.Generator) -> np.ndarray:
    """(T,) the top leg's lift over the reps, degrees from resting on the bottom leg."""
    clean = params.depth if params.depth is not None else CLEAN_LIFT_DEG
    lift = np.zeros(tl.n)
    for i in range(len(tl.spans)):
        top = clean * (1 + rng.uniform(-0.03, 0.03))  # drawn for every rep: same seed, same reps
        lift[tl.rep == i] = top * tl.u[tl.rep == i]
    return lift


def generate(params: MotionParams, rng: np.random.Generator) -> RawMotion:
    """Side-lying leg lift lying along y on the side opposite the working leg, which lifts.

    ``depth`` is the clean lift at the top (default :data:`CLEAN_LIFT_DEG`).
    """
    body = params.body
    side = params.working_side
    s = side_sign(side)
    anterior = anterior_of(side)
    scale = body.height_m / 1.75
    leg_len = body.thigh_m + body.shank_m
    tl = make_timeline(params, params.tempo_s or 2.4, 0.2, rng, rest_s=0.5)
    n = tl.n
    lift = np.radians(_lift_targets(params, tl, rng))
    roll = np.radians(fault_ramp(tl, params, "pelvic_roll_deg", (side,))[side])
    hike = np.radians(fault_ramp(tl, params, "hip_hike_deg", (side,))[side])
    forward = np.radians(fault_ramp(tl, params, "leg_forward_deg", (side,))[side])

    # the bottom leg straight along the floor, the ankle resting lower than the hip
    hip_b = np.array([0.0, 0.0, 0.10 * scale])
    down_leg = unit(leg_len * Y - 0.04 * scale * Z)
    knee_b, ankle_b = hip_b + body.thigh_m * down_leg, hip_b + leg_len * down_leg
    # the pelvis turns about the bottom hip: the hike (top hip toward the head, -y) about x, then the roll
    pelvis_up = rotate(rotate(tile(Z, n), X, hike), Y, s * roll)
    top_hip = tile(hip_b, n) + body.hip_width_m * pelvis_up
    # at rest the top leg lies on the bottom one, its ankle over the bottom ankle (joint centres 7.5 cm apart)
    rest = ankle_b + 0.075 * scale * Z - (hip_b + body.hip_width_m * Z)
    elevation = np.arctan2(rest[2], rest[1]) + lift
    sideways = np.cos(forward)[:, None] * Z + np.sin(forward)[:, None] * anterior
    leg_dir = np.cos(elevation)[:, None] * Y + np.sin(elevation)[:, None] * sideways
    b, t = other_side(side)[0], side[0]
    pose = {
        f"hip_{b}": tile(hip_b, n),
        f"knee_{b}": tile(knee_b, n),
        f"ankle_{b}": tile(ankle_b, n),
        f"hip_{t}": top_hip,
        f"knee_{t}": top_hip + body.thigh_m * leg_dir,
        f"ankle_{t}": top_hip + leg_len * leg_dir,
        f"foot_fwd_{b}": tile(anterior, n),
        f"foot_up_{b}": tile(-down_leg, n),
        f"foot_fwd_{t}": tile(anterior, n),
        f"foot_up_{t}": -leg_dir,
    }
    pose.update(upper_body(body, 0.5 * (top_hip + hip_b), roll, anterior, side))

    zeros = np.zeros(n)
    reps = rep_records(tl, params, side, {"left": zeros, "right": zeros})
    injected = {
        "pelvic_roll_deg": np.degrees(roll),
        "hip_hike_deg": np.degrees(hike),
        "leg_forward_deg": np.degrees(forward),
    }
    for r in reps:
        r.update({name: float(v[r["key_frame"]]) for name, v in injected.items()})
    mat = dict(kind="mat", centre_m=(0.0, -0.2, 0.003), size_m=(0.9, 1.9 * scale, 0.006))
    stance = np.full(n, "", dtype="<U5")
    return RawMotion(pose, reps, stance, np.full(n, side, dtype="<U5"), tl.rep_start(), props=[mat])


def forward_roll_and_hike_truth(ctx: TruthContext) -> dict[str, np.ndarray]:
    """``leg_lift_forward_deg`` (seen from the feet), ``leg_lift_pelvic_roll_deg`` and
    ``leg_lift_hip_hike_deg`` (each its change since the start of the current rep)."""
    hip_t, hip_b = top_and_bottom(ctx, "hip")
    ankle_t, _ = top_and_bottom(ctx, "ankle")
    sh_t, sh_b = top_and_bottom(ctx, "shoulder")
    s = np.where(ctx.work_side == "right", 1.0, -1.0)
    leg = xz(ankle_t - hip_t)
    # toward the front: -x with the right leg on top (anterior_of)
    forward = np.degrees(np.arctan2(-s * leg[:, 0], leg[:, 1]))

    def toward_head_deg(line: np.ndarray) -> np.ndarray:
        return np.degrees(np.arctan2(-line[:, 0], line[:, 1]))  # y–z: the head is towards -y

    hike = toward_head_deg(yz(hip_t - hip_b)) - toward_head_deg(yz(sh_t - sh_b))
    return {
        "leg_lift_forward_deg": forward,
        "leg_lift_pelvic_roll_deg": pelvic_roll_from_start_deg(ctx),
        "leg_lift_hip_hike_deg": hike - hike[ctx.rep_start],
    }


GENERATOR = MovementGenerator(
    name="side-lying-leg-lift",
    generate=generate,
    # the hike is rendered (for re-measuring it on realistic bodies) but not offered while no
    # kinematics rule grades it: hipform.kinematics.movements.side_lying_leg_lift says why
    faults=("leg_forward_deg", "pelvic_roll_deg"),
    own_truth=forward_roll_and_hike_truth,
)
