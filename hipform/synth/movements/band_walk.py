"""Band walk: a held half squat stepping sideways, the leading foot out and the trailing foot after
it; the knees can cave, the trunk sway, the hips rise out of the squat and the feet come together.

The whole body travels sideways with the feet (root motion): the pelvis stays centred between the
ankles. The first half of the steps lead with the right foot (+x), the rest with the left, so the
athlete walks out and back and stays in the camera's frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hipform.synth.movements.common import (
    X,
    Y,
    fault_ramp,
    hanging_arms,
    leg_reach,
    leg_with_valgus,
    make_timeline,
    other_side,
    planted_foot,
    rep_records,
    rotate,
    side_sign,
    single_leg_truth,
    smoothstep,
    upright_upper_body,
    xz,
)
from hipform.synth.movements.spec import MovementGenerator, RawMotion, TruthContext

if TYPE_CHECKING:
    from hipform.synth.athlete import MotionParams

#: Knee flexion of the clean half squat, degrees (``MotionParams.depth`` overrides it).
HALF_SQUAT_KNEE_DEG = 60.0
#: Clean knee FPPA, degrees: the knees pushed out against the band, a little outside the hip–ankle line.
CLEAN_FPPA_DEG = -12.0
#: Stance width (ankle to ankle) between steps and step length, in body heights: about shoulder
#: width apart, stepping out ~25 cm for a 1.70 m athlete.
STANCE_WIDTH_H = 0.235
STEP_H = 0.15
#: Highest the moving foot is lifted, in body heights (a band walk slides the foot, barely lifted).
FOOT_LIFT_H = 0.03
#: Hips behind the ankles in the half squat, in body heights.
HIPS_BACK_H = 0.05


def step_sides(n_steps: int) -> list[str]:
    """The leading leg of each step: the right for the first half, then the left (walking back)."""
    out_steps = (n_steps + 1) // 2
    return ["right"] * out_steps + ["left"] * (n_steps - out_steps)


def rising_progress(u: np.ndarray, spans: list[tuple[int, int, int]]) -> np.ndarray:
    """(T,) 0 → 1 over each step's rise to its key hold (where ``u`` first reaches 1), 1 after it."""
    q = np.zeros(u.shape[0])
    for s, k, e in spans:
        top = s + int(np.argmax(u[s : k + 1] >= 1.0))
        idx = np.arange(s, k + 1)
        q[idx] = np.clip((idx - s) / max(top - s, 1), 0.0, 1.0)
        q[k + 1 : e + 1] = 1.0
    return q


def _feet(params: MotionParams, tl, closer: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Ankle positions (T, 3) per side and the lifted foot per frame ("left", "right" or "")."""
    body, n = params.body, tl.n
    width, step = STANCE_WIDTH_H * body.height_m, STEP_H * body.height_m
    q = rising_progress(tl.u, tl.spans)
    centre = (
        -0.5 * step * len([s for s in step_sides(len(tl.spans)) if s == "right"])
    )  # out and back, centred
    x = {"left": np.full(n, centre - 0.5 * width), "right": np.full(n, centre + 0.5 * width)}
    z = {"left": np.zeros(n), "right": np.zeros(n)}
    lifted = np.full(n, "", dtype="<U5")
    for (s, k, e), lead in zip(tl.spans, step_sides(len(tl.spans)), strict=True):
        trail, sgn = other_side(lead), side_sign(lead)
        end = tl.n if e + 1 >= tl.n else e + 1
        lead0, trail0 = x[lead][s], x[trail][s]
        lead1 = lead0 + sgn * step
        trail1 = lead1 - sgn * (width - closer[k])
        qq = q[s:end]
        a, b = smoothstep(qq / 0.5), smoothstep((qq - 0.5) / 0.5)
        x[lead][s:] = lead0 + a[-1] * (lead1 - lead0)
        x[trail][s:] = trail0 + b[-1] * (trail1 - trail0)
        x[lead][s:end] = lead0 + a * (lead1 - lead0)
        x[trail][s:end] = trail0 + b * (trail1 - trail0)
        z[lead][s:end] = FOOT_LIFT_H * body.height_m * np.sin(np.pi * np.clip(qq / 0.5, 0, 1))
        z[trail][s:end] = FOOT_LIFT_H * body.height_m * np.sin(np.pi * np.clip((qq - 0.5) / 0.5, 0, 1))
        lifted[s:end] = np.where(qq < 0.5, lead, np.where(qq < 1.0, trail, ""))
    ankles = {
        side: np.stack([x[side], np.zeros(n), body.ankle_height_m + z[side]], -1)
        for side in ("left", "right")
    }
    return ankles, lifted


def _step_ramp(tl, params: MotionParams, attr: str) -> np.ndarray:
    """(T,) a fault's magnitude × progress in the affected steps led by ``Faults.side`` (every step
    for "both"): the whole body shows it, both knees for a knee fault."""
    ramp = fault_ramp(tl, params, attr, ("left", "right"))
    leads = np.array(["", *step_sides(len(tl.spans))])[tl.rep + 1]  # "" outside the steps
    return np.where(leads == "right", ramp["right"], ramp["left"])


def generate(params: MotionParams, rng: np.random.Generator) -> RawMotion:
    """Band walk: half squat, stance about shoulder width, sideways steps out and back."""
    body = params.body
    tl = make_timeline(params, params.tempo_s or 1.6, 0.3, rng, rest_s=0.2)
    n = tl.n
    depth = params.depth if params.depth is not None else HALF_SQUAT_KNEE_DEG
    closer = _step_ramp(tl, params, "feet_together_cm") / 100.0
    # the hips rise with the square of the step's progress: out of the half squat only once the feet
    # are back together (half-way, with the feet wide apart, the legs would not reach)
    lost = params.faults.depth_lost_cm
    rise = _step_ramp(tl, params, "depth_lost_cm") ** 2 / (100.0 * lost) if lost else np.zeros(n)
    ankles, lifted = _feet(params, tl, closer)
    half_w = 0.5 * body.hip_width_m
    # the hip height of the half squat in the stance between steps, constant but for an injected rise
    dx = 0.5 * STANCE_WIDTH_H * body.height_m - half_w
    reach = float(leg_reach(body, depth))
    back = HIPS_BACK_H * body.height_m
    hip_z = body.ankle_height_m + np.sqrt(reach**2 - dx**2 - back**2) + rise
    mid_x = 0.5 * (ankles["left"][:, 0] + ankles["right"][:, 0])
    hip_mid = np.stack([mid_x, np.full(n, -back), hip_z], -1)
    hips = {s: hip_mid + side_sign(s) * half_w * X for s in ("left", "right")}
    knees_in = _step_ramp(tl, params, "knee_valgus_deg")
    valgus = {"left": knees_in, "right": knees_in}
    pose: dict[str, np.ndarray] = {}
    for side in ("left", "right"):
        s = side[0]
        ff, fu = planted_foot(n, 8.0, side)
        pole = np.broadcast_to(Y + 0.3 * side_sign(side) * X, (n, 3))
        knee = leg_with_valgus(body, hips, side, ankles[side], pole, CLEAN_FPPA_DEG, valgus, params)
        pose.update({f"hip_{s}": hips[side], f"knee_{s}": knee, f"ankle_{s}": ankles[side]})
        pose.update({f"foot_fwd_{s}": ff, f"foot_up_{s}": fu})
    pose.update(upright_upper_body(n, 20.0, head_pitch_deg=-8.0))
    # the trunk sways toward the leading leg: exactly the injected lean at each affected key frame
    leads = step_sides(len(tl.spans))
    work = np.full(n, "", dtype="<U5")
    for i, lead in enumerate(leads):
        work[tl.rep == i] = lead
    sway = _step_ramp(tl, params, "trunk_lean_deg")
    sgn = np.where(work == "right", 1.0, np.where(work == "left", -1.0, 0.0))
    for key in ("trunk_up", "trunk_fwd", "head_up", "head_fwd"):
        pose[key] = rotate(pose[key], Y, np.radians(sgn * sway))
    hanging_arms(n, pose, 25.0, abd=0.25, elbow_deg=60.0)
    reps = rep_records(tl, params, None, valgus)
    for r, lead in zip(reps, leads, strict=True):
        k = r["key_frame"]
        r.update(
            side=lead,
            trunk_lean_deg=float(sway[k]),
            depth_lost_cm=float(100.0 * rise[k]),
            feet_together_cm=float(100.0 * closer[k]),
        )
    stance = np.where(lifted == "", "", np.where(lifted == "left", "right", "left")).astype("<U5")
    return RawMotion(pose, reps, stance, work, tl.rep_start())


def band_walk_truth(ctx: TruthContext) -> dict[str, np.ndarray]:
    """The trunk's sideways lean toward the leading leg (``trunk_lean_stance_deg``, with the single-leg
    tasks' ``pelvis_lateral_cm``), ``band_walk_hip_rise_cm`` (the hip midpoint's height above the
    first frame's, cm) and ``band_walk_feet_closer_cm`` (the first frame's ankle distance less this
    frame's, x–z plane, cm)."""
    p = ctx.points
    hip_z = 0.5 * (p["left_hip"][:, 2] + p["right_hip"][:, 2])
    feet = np.linalg.norm(xz(p["left_ankle"] - p["right_ankle"]), axis=-1)
    return {
        **single_leg_truth(ctx),
        "band_walk_hip_rise_cm": 100.0 * (hip_z - hip_z[0]),
        "band_walk_feet_closer_cm": 100.0 * (feet[0] - feet),
    }


GENERATOR = MovementGenerator(
    name="band-walk",
    generate=generate,
    faults=("knee_valgus_deg", "trunk_lean_deg", "depth_lost_cm", "feet_together_cm"),
    alternating_legs=True,
    own_truth=band_walk_truth,
)
