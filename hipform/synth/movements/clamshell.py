"""Clamshell: side-lying, hips and knees bent, feet together, the top knee opening.

Its faults are seen from the feet, looking along the body: the pelvis rolls back as the knee
opens, the feet come apart, the knee opens too little.

The athlete lies along y like the bridge (head towards -y, feet towards +y) on the side
opposite the working leg, so the working leg is on top; hips flexed 45°, knees 90°, which puts
each ankle straight down the body from its hip. The bottom leg stays still on the floor. The
top knee opens by turning about the top leg's hip–ankle line, so the feet stay together.

Faults are injected geometrically and reach their exact value at each rep's key frame (the
knee fully open):

- ``pelvic_roll_deg``: pelvis and trunk turn about the body's long axis through the bottom hip,
  the top hip moving back;
- ``feet_apart_cm``: the top ankle lifts straight up off the bottom one;
- ``small_range_deg``: the knee opens only this far instead of the clean range (``depth``).

Whatever the faults, the top knee is placed (by bisection on its turn about the hip–ankle
line) so that the knee opening is exactly the rep's target. Truth is read in the x–z plane
(what a far camera at the feet sees), each measure as its change since the start of the
current rep: the angle between the thighs (hip→knee), the hip–hip line's angle (positive =
the top hip back), and the ankle–ankle distance in centimetres.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from hipform.synth.movements.common import (
    X,
    Y,
    Z,
    fault_ramp,
    knee_ik,
    make_timeline,
    other_side,
    rep_records,
    rotate,
    side_sign,
    signed_angle_deg,
    tile,
    unit,
    xz,
)
from hipform.synth.movements.side_lying_body import pelvic_roll_from_start_deg, top_and_bottom, upper_body
from hipform.synth.movements.spec import MovementGenerator, RawMotion, TruthContext

if TYPE_CHECKING:
    from hipform.synth.athlete import BodyProportions, MotionParams

#: Knee opening at the top of a clean rep (the angle between the thighs gained), degrees.
CLEAN_OPENING_DEG = 40.0
#: Hip flexion of the clamshell position, degrees; the knees are bent 90°.
HIP_FLEXION_DEG = 45.0


def _bottom_leg(body: BodyProportions, anterior: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """The floor leg, still: hip over the origin, knee forward, ankle straight down the body."""
    scale = body.height_m / 1.75
    f = np.radians(HIP_FLEXION_DEG)
    hip = np.array([0.0, 0.0, 0.10 * scale])
    thigh = body.thigh_m * (np.cos(f) * Y + np.sin(f) * anterior)
    shank = body.shank_m * (np.sin(f) * Y - np.cos(f) * anterior)  # the knee bent 90°
    knee = hip + thigh
    ankle = knee + shank
    ankle[2] = knee[2] = 0.06 * scale  # knee and ankle resting on the floor
    return {"hip": tile(hip, n), "knee": tile(knee, n), "ankle": tile(ankle, n)}


def knee_offset(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray) -> np.ndarray:
    """The knee minus the midpoint of its hip and ankle: the radius of the circle the knee turns on
    about the hip–ankle line (thigh and shank are nearly equal)."""
    return knee - 0.5 * (hip + ankle)


def opening_angle_xz(top: np.ndarray, bottom: np.ndarray, s: np.ndarray | float) -> np.ndarray:
    """(T,) signed angle from the bottom leg's knee offset to the top leg's seen from the feet (x–z
    plane), degrees, positive as the top knee rises; ``s`` is +1 with the right leg on top, -1 left."""
    return -s * signed_angle_deg(xz(bottom), xz(top))


def _top_knee(
    body: BodyProportions,
    hip: np.ndarray,
    ankle: np.ndarray,
    bottom: dict[str, np.ndarray],
    anterior: np.ndarray,
    s: float,
    target: Callable[[np.ndarray], np.ndarray],
    goal: np.ndarray | float,
) -> np.ndarray:
    """Top knee on its circle about the hip–ankle line, turned (knee rising) until ``target(knee)``
    reaches ``goal`` (bisection; ``target`` grows as the knee rises)."""
    closed = knee_ik(hip, ankle, body.thigh_m, body.shank_m, np.broadcast_to(anterior, hip.shape))
    axis = unit(ankle - hip)
    rel = closed - hip

    def knee_at(turn_deg: np.ndarray) -> np.ndarray:
        return hip + rotate(rel, axis, s * np.radians(turn_deg))

    lo, hi = np.full(len(hip), -80.0), np.full(len(hip), 89.0)
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        low = target(knee_at(mid)) < goal
        lo, hi = np.where(low, mid, lo), np.where(low, hi, mid)
    return knee_at(0.5 * (lo + hi))


def _rep_targets(params: MotionParams, tl, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(T,) knee opening over the reps (degrees from closed) and the opening each rep reaches (R,)."""
    clean = params.depth if params.depth is not None else CLEAN_OPENING_DEG
    f = params.faults
    tops = np.empty(len(tl.spans))
    opening = np.zeros(tl.n)
    for i in range(len(tl.spans)):
        top = clean * (1 + rng.uniform(-0.03, 0.03))  # drawn for every rep: same seed, same reps
        if f.small_range_deg and (f.reps is None or i + 1 in f.reps):
            top = f.small_range_deg
        tops[i] = top
        opening[tl.rep == i] = top * tl.u[tl.rep == i]
    return opening, tops


def generate(params: MotionParams, rng: np.random.Generator) -> RawMotion:
    """Clamshell lying along y on the side opposite the working leg, which opens.

    ``depth`` is the clean knee opening at the top (default :data:`CLEAN_OPENING_DEG`).
    """
    body = params.body
    side = params.working_side
    s = side_sign(side)
    anterior = -s * X  # lying on the left side (right leg on top) the athlete faces -x
    tl = make_timeline(params, params.tempo_s or 2.4, 0.2, rng, rest_s=0.5)
    n = tl.n
    opening_deg, tops = _rep_targets(params, tl, rng)
    roll = np.radians(fault_ramp(tl, params, "pelvic_roll_deg", (side,))[side])
    lift = fault_ramp(tl, params, "feet_apart_cm", (side,))[side] / 100.0

    bottom = _bottom_leg(body, anterior, n)
    # the pelvis turns about the body's long axis through the bottom hip, the top hip moving back
    top_hip = bottom["hip"] + body.hip_width_m * rotate(tile(Z, n), Y, s * roll)
    gap = 0.075 * body.height_m / 1.75  # ankle joint centres of feet together
    top_ankle = bottom["ankle"] + (gap + lift)[:, None] * Z
    scale = body.height_m / 1.75

    def opening(hip: np.ndarray, ankle: np.ndarray, bot: dict[str, np.ndarray]) -> Callable:
        below = knee_offset(bot["hip"], bot["knee"], bot["ankle"])
        return lambda knee: opening_angle_xz(knee_offset(hip, knee, ankle), below, s)

    # the start position: the top knee resting on the bottom one (knee joint centres 11 cm apart)
    first = {k: v[:1] for k, v in bottom.items()}
    hip0, ankle0 = first["hip"] + body.hip_width_m * Z, first["ankle"] + gap * Z
    knee0 = _top_knee(
        body, hip0, ankle0, first, anterior, s, lambda knee: knee[:, 2], first["knee"][0, 2] + 0.11 * scale
    )
    closed = opening(hip0, ankle0, first)(knee0)
    top_knee = _top_knee(
        body,
        top_hip,
        top_ankle,
        bottom,
        anterior,
        s,
        opening(top_hip, top_ankle, bottom),
        closed + opening_deg,
    )

    b, t = other_side(side)[0], side[0]
    shank_dir = unit(bottom["ankle"] - bottom["knee"])
    foot = unit(Y + 0.6 * anterior)
    pose = {
        f"hip_{b}": bottom["hip"],
        f"knee_{b}": bottom["knee"],
        f"ankle_{b}": bottom["ankle"],
        f"hip_{t}": top_hip,
        f"knee_{t}": top_knee,
        f"ankle_{t}": top_ankle,
    }
    for sd in (b, t):
        pose[f"foot_fwd_{sd}"] = tile(foot, n)
        pose[f"foot_up_{sd}"] = -shank_dir
    pose.update(upper_body(body, 0.5 * (top_hip + bottom["hip"]), roll, anterior, side))

    zeros = np.zeros(n)
    reps = rep_records(tl, params, side, {"left": zeros, "right": zeros})
    faults = {
        "pelvic_roll_deg": np.degrees(roll),
        "feet_apart_cm": 100.0 * lift,
    }
    f = params.faults
    for r, top in zip(reps, tops, strict=True):
        k = r["key_frame"]
        r.update({name: float(v[k]) for name, v in faults.items()})
        short = f.small_range_deg and (f.reps is None or r["index"] in f.reps)
        r["small_range_deg"] = float(top) if short else 0.0
    mat = dict(kind="mat", centre_m=(0.0, -0.2, 0.003), size_m=(0.9, 1.9 * body.height_m / 1.75, 0.006))
    stance = np.full(n, "", dtype="<U5")
    return RawMotion(pose, reps, stance, np.full(n, side, dtype="<U5"), tl.rep_start(), props=[mat])


def opening_roll_and_feet_truth(ctx: TruthContext) -> dict[str, np.ndarray]:
    """``clamshell_knee_opening_deg``, ``clamshell_pelvic_roll_deg`` and ``clamshell_feet_apart_cm``,
    each its change since the start of the current rep, seen from the feet (x–z plane)."""
    (hip_t, hip_b), (knee_t, knee_b), (ankle_t, ankle_b) = (
        top_and_bottom(ctx, k) for k in ("hip", "knee", "ankle")
    )
    s = np.where(ctx.work_side == "right", 1.0, -1.0)
    opening = opening_angle_xz(knee_offset(hip_t, knee_t, ankle_t), knee_offset(hip_b, knee_b, ankle_b), s)
    feet = 100.0 * np.linalg.norm(xz(ankle_t - ankle_b), axis=-1)
    start = ctx.rep_start
    return {
        "clamshell_knee_opening_deg": opening - opening[start],
        "clamshell_pelvic_roll_deg": pelvic_roll_from_start_deg(ctx),
        "clamshell_feet_apart_cm": feet - feet[start],
    }


GENERATOR = MovementGenerator(
    name="clamshell",
    generate=generate,
    faults=("pelvic_roll_deg", "feet_apart_cm", "small_range_deg"),
    own_truth=opening_roll_and_feet_truth,
)
