"""Helpers shared by the movement generators: vectors, the knee solver, the rep timeline, body parts.

Everything works in the synth world frame (metres, z up, floor z = 0,
athlete's right = +x) and broadcasts over a leading frame axis. Segment
lengths stay constant by construction: knees come from two-bone inverse
kinematics with fixed thigh and shank lengths (:func:`knee_ik`), arms and feet
from unit directions times fixed lengths.

Faults are injected geometrically, never by adding numbers to the truth:
knee valgus rotates the knee about the hip–ankle axis until the frontal-plane
projection angle reaches the target (:func:`knee_with_fppa`); pelvic drop
rotates the pelvis in the frontal plane about the stance hip
(:func:`pelvis_about_stance_hip`). Each fault ramps in and out with the rep's
progress and reaches its exact value at the rep's key frame
(:func:`fault_ramp`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from hipform.synth.athlete import BodyProportions, MotionParams
    from hipform.synth.movements.spec import TruthContext

X = np.array([1.0, 0.0, 0.0])
Y = np.array([0.0, 1.0, 0.0])
Z = np.array([0.0, 0.0, 1.0])


# ----------------------------------------------------------------------------------------------------------
# Small vector helpers (all broadcast over leading frame axes)
# ----------------------------------------------------------------------------------------------------------


def unit(v: np.ndarray) -> np.ndarray:
    """``v`` scaled to unit length along the last axis."""
    v = np.asarray(v, float)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def rotate(v: np.ndarray, axis: np.ndarray, angle_rad: np.ndarray | float) -> np.ndarray:
    """Rotate vectors ``v`` about unit ``axis`` by ``angle_rad`` (right-hand rule, Rodrigues)."""
    v = np.asarray(v, float)
    k = unit(np.broadcast_to(axis, np.broadcast_shapes(np.shape(axis), v.shape)))
    a = np.asarray(angle_rad, float)[..., None]
    c, s = np.cos(a), np.sin(a)
    return v * c + np.cross(k, v) * s + k * np.sum(k * v, axis=-1, keepdims=True) * (1 - c)


def tile(v: np.ndarray | tuple[float, ...], n: int) -> np.ndarray:
    """A (3,) vector repeated over ``n`` frames: (n, 3)."""
    return np.tile(np.asarray(v, float), (n, 1))


def smoothstep(x: np.ndarray) -> np.ndarray:
    """C1 ease from 0 to 1 on [0, 1] (clipped outside)."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def direction(yaw_deg: float | np.ndarray, pitch_deg: float | np.ndarray = 0.0) -> np.ndarray:
    """Unit vector heading ``yaw_deg`` from +y towards +x, ``pitch_deg`` above horizontal."""
    yaw, pitch = np.radians(yaw_deg), np.radians(pitch_deg)
    return np.stack(
        np.broadcast_arrays(np.sin(yaw) * np.cos(pitch), np.cos(yaw) * np.cos(pitch), np.sin(pitch)), -1
    )


def sagittal(angle_from_down_deg: np.ndarray | float, lateral: np.ndarray | float = 0.0) -> np.ndarray:
    """Unit vector rotated from straight down (-z) towards +y by the angle, plus a small +x component."""
    a = np.radians(angle_from_down_deg)
    v = np.stack(np.broadcast_arrays(np.asarray(lateral, float) + 0 * a, np.sin(a), -np.cos(a)), -1)
    return unit(v)


def keyframes(x: np.ndarray, knots: list[tuple[float, float]]) -> np.ndarray:
    """Monotone cubic (PCHIP) curve through ``(x, value)`` knots, evaluated at ``x`` (held flat outside).

    Monotone between knots, so a foot eased onto a box never dips into it.
    """
    kx = np.array([k[0] for k in knots], float)
    ky = np.array([k[1] for k in knots], float)
    x = np.clip(np.asarray(x, float), kx[0], kx[-1])
    h = np.diff(kx)
    delta = np.diff(ky) / h
    slopes = np.zeros_like(ky)
    for i in range(1, len(kx) - 1):
        if delta[i - 1] * delta[i] > 0:
            w1, w2 = 2 * h[i] + h[i - 1], h[i] + 2 * h[i - 1]
            slopes[i] = (w1 + w2) / (w1 / delta[i - 1] + w2 / delta[i])
    i = np.clip(np.searchsorted(kx, x, side="right") - 1, 0, len(kx) - 2)
    s = (x - kx[i]) / h[i]
    h00, h10 = 2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s
    h01, h11 = -2 * s**3 + 3 * s**2, s**3 - s**2
    return h00 * ky[i] + h10 * h[i] * slopes[i] + h01 * ky[i + 1] + h11 * h[i] * slopes[i + 1]


# ----------------------------------------------------------------------------------------------------------
# Frontal-plane knee angle and the knee solver
# ----------------------------------------------------------------------------------------------------------


def fppa_xz(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, other_hip: np.ndarray) -> np.ndarray:
    """Signed knee FPPA (deg) of points projected on the world x–z plane; positive = knee medial.

    Works on any 2D or 3D points: only the first and last coordinates (x, z) are used.
    """
    h, k, a, o = (np.asarray(p, float)[..., [0, -1]] for p in (hip, knee, ankle, other_hip))
    return signed_fppa_2d(h, k, a, o)


def signed_fppa_2d(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, other_hip: np.ndarray) -> np.ndarray:
    """Signed angle between thigh and shank in a 2D plane (deg), positive when the knee is medial.

    *Medial* is the direction from ``hip`` towards ``other_hip``, so the sign is
    the same whichever way the plane is viewed (front or rear, y up or down).
    """
    u, v = knee - hip, ankle - knee
    ha, m = ankle - hip, other_hip - hip
    bend = np.degrees(np.arctan2(u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0], np.sum(u * v, axis=-1)))
    orient = np.sign(ha[..., 0] * m[..., 1] - ha[..., 1] * m[..., 0])
    return -bend * orient


def knee_ik(hip: np.ndarray, ankle: np.ndarray, thigh: float, shank: float, pole: np.ndarray) -> np.ndarray:
    """Knee position for fixed segment lengths, bent towards ``pole`` (a direction).

    Raises
    ------
    ValueError
        If the ankle is out of reach of the hip on any frame.
    """
    d_vec = ankle - hip
    d = np.linalg.norm(d_vec, axis=-1, keepdims=True)
    if np.any(d > thigh + shank + 1e-9) or np.any(d < abs(thigh - shank) - 1e-9):
        worst = float(np.max(d))
        raise ValueError(f"ankle out of reach of the hip ({worst:.3f} m > leg {thigh + shank:.3f} m)")
    axis = d_vec / d
    a = (thigh**2 - shank**2 + d**2) / (2 * d)
    h = np.sqrt(np.clip(thigh**2 - a**2, 0.0, None))
    p = pole - np.sum(pole * axis, axis=-1, keepdims=True) * axis
    p = unit(p)
    return hip + a * axis + h * p


def knee_with_fppa(
    hip: np.ndarray,
    ankle: np.ndarray,
    clean_knee: np.ndarray,
    other_hip: np.ndarray,
    target_deg: np.ndarray,
) -> np.ndarray:
    """Rotate ``clean_knee`` about the hip–ankle axis until its x–z FPPA equals ``target_deg``.

    The rotation keeps thigh and shank lengths and the hip and ankle fixed, so
    the knee moves on its circle about the hip–ankle line: a valgus collapse
    that is really a knee movement, not a number added to the truth. The angle
    is found by bisection on [-85°, 85°] per frame; where the target cannot be
    reached (a nearly straight leg) the closest end is kept.
    """
    axis = unit(ankle - hip)
    rel = clean_knee - hip
    target = np.asarray(target_deg, float)

    def err(psi: np.ndarray) -> np.ndarray:
        knee = hip + rotate(rel, axis, np.radians(psi))
        return fppa_xz(hip, knee, ankle, other_hip) - target

    lo = np.full(target.shape, -85.0)
    hi = np.full(target.shape, 85.0)
    e_lo, e_hi = err(lo), err(hi)
    increasing = e_hi >= e_lo
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        e_mid = err(mid)
        go_up = (e_mid < 0) == increasing
        lo = np.where(go_up, mid, lo)
        hi = np.where(go_up, hi, mid)
    psi = 0.5 * (lo + hi)
    # a clean target of ~0 on a straight leg: do not spin the knee around for nothing
    psi = np.where(np.abs(err(np.zeros_like(psi))) < 1e-9, 0.0, psi)
    return hip + rotate(rel, axis, np.radians(psi))


# ----------------------------------------------------------------------------------------------------------
# Timeline: lead-in, reps with a key moment, rests
# ----------------------------------------------------------------------------------------------------------


@dataclass
class Timeline:
    """Frame layout of a rep-based clip (internal).

    ``u`` (T,) is the rep progress: 0 at the start pose, 1 at the key moment
    (bottom of a squat, top of a bridge), smooth in between. ``rep`` (T,) is
    the 0-based rep index of each frame (-1 outside reps).
    """

    n: int
    u: np.ndarray
    rep: np.ndarray
    spans: list[tuple[int, int, int]]  # (start, key, end) frames per rep

    def rep_start(self) -> np.ndarray:
        """(T,) start frame of the current (or last) rep; 0 before the first rep."""
        out = np.zeros(self.n, int)
        for start, _, _ in self.spans:
            out[start:] = start
        return out


def make_timeline(
    params: MotionParams, tempo_s: float, hold_frac: float, rng: np.random.Generator, rest_s: float = 0.4
) -> Timeline:
    """Lay out ``params.reps`` reps of ``tempo_s`` seconds after a still lead-in, with rests between them.

    Each rep ramps the progress ``u`` from 0 to 1, holds it for ``hold_frac`` of
    the rep, and ramps back; the key frame is the middle of the hold, where
    ``u`` is exactly 1. Rep durations jitter by ±4% (seeded).
    """
    fps = params.fps
    lead = int(round(params.standing_lead_in_s * fps))
    rest = int(round(rest_s * fps))
    spans = []
    start = lead
    for _ in range(params.reps):
        nr = max(6, int(round(tempo_s * fps * (1 + rng.uniform(-0.04, 0.04)))))
        ramp = max(2, int(round(nr * (1 - hold_frac) / 2)))
        hold = max(0, nr - 2 * ramp)
        spans.append((start, start + ramp + hold // 2, start + 2 * ramp + hold, ramp, hold))
        start = start + 2 * ramp + hold + rest
    n = start - rest + int(round(params.tail_s * fps)) + 1
    u = np.zeros(n)
    rep = np.full(n, -1)
    for i, (s0, _key, end, ramp, hold) in enumerate(spans):
        k = np.arange(ramp + 1)
        u[s0 : s0 + ramp + 1] = smoothstep(k / ramp)
        u[s0 + ramp : s0 + ramp + hold + 1] = 1.0
        u[s0 + ramp + hold : end + 1] = smoothstep(1 - k / ramp)
        rep[s0:end] = i
    return Timeline(n, u, rep, [(s, k, e) for s, k, e, _, _ in spans])


def fault_ramp(
    tl: Timeline, params: MotionParams, attr: str, sides: tuple[str, ...]
) -> dict[str, np.ndarray]:
    """Per side, the (T,) fault magnitude ``params.faults.<attr>`` × progress, in affected reps and sides.

    Peaks exactly at each affected rep's key frame; with ``faults.grows_over_set`` rep i of n
    peaks at (i − 1)/(n − 1) of the magnitude, a fault that grows as the set tires the athlete.
    """
    f = params.faults
    mag = float(getattr(f, attr))
    n_reps = len(tl.spans)
    share = np.zeros(tl.n)  # of the magnitude each frame's rep reaches
    for i in range(n_reps):
        if f.reps is None or (i + 1) in f.reps:
            share[tl.rep == i] = i / (n_reps - 1) if f.grows_over_set and n_reps > 1 else 1.0
    out = {}
    for side in ("left", "right"):
        on = mag != 0 and side in sides and f.side in (side, "both")
        out[side] = share * tl.u * (mag if on else 0.0)
    return out


#: Frequency of an injected pelvis sway (``Faults.pelvis_sway_cm``), Hz: the 1–2 Hz of a wobble on one leg.
SWAY_HZ = 1.5


def sway_offset_m(tl: Timeline, params: MotionParams, side: str) -> np.ndarray:
    """(T,) sideways pelvis offset of an injected sway, metres toward ``side``'s outside (+x for right).

    ``pelvis_sway_cm`` × the rep progress × cos(2π :data:`SWAY_HZ` (t − t_key)): the amplitude exactly at
    each affected rep's key frame, fading in and out with the rep.
    """
    ramp = fault_ramp(tl, params, "pelvis_sway_cm", (side,))[side]
    keys = np.array([k for _, k, _ in tl.spans] or [0])
    key_of_frame = keys[np.clip(tl.rep, 0, len(keys) - 1)]
    wave = np.cos(2 * np.pi * SWAY_HZ * (np.arange(tl.n) - key_of_frame) / params.fps)
    return side_sign(side) * ramp * wave / 100.0


def lean_over_stance(
    tl: Timeline, params: MotionParams, pose: dict[str, np.ndarray], side: str
) -> np.ndarray:
    """Lean the trunk and head sideways over ``side``'s leg by the injected ``trunk_lean_deg`` × the rep
    progress (exact at each affected key frame), about the front-back axis; returns the (T,) lean, deg."""
    lean = fault_ramp(tl, params, "trunk_lean_deg", (side,))[side]
    angle = np.radians(side_sign(side) * lean)  # about +y, +z turns toward +x (the right)
    for key in ("trunk_up", "trunk_fwd", "head_up", "head_fwd"):
        pose[key] = rotate(pose[key], Y, angle)
    return lean


def single_leg_truth(ctx: TruthContext) -> dict[str, np.ndarray]:
    """Truth of a one-legged task, NaN without a working side: ``pelvis_lateral_cm``, the hip midpoint's
    sideways distance from the working ankle, cm, positive toward the working side's outside; and
    ``trunk_lean_stance_deg``, the hip-mid → shoulder-mid line's sideways angle from vertical (world
    x–z), positive toward the working side."""
    p = ctx.points
    mid_x = 0.5 * (p["left_hip"][:, 0] + p["right_hip"][:, 0])
    trunk = 0.5 * (p["left_shoulder"] + p["right_shoulder"]) - 0.5 * (p["left_hip"] + p["right_hip"])
    lateral, lean = np.full(mid_x.shape[0], np.nan), np.full(mid_x.shape[0], np.nan)
    for side in ("left", "right"):
        on = ctx.work_side == side
        lateral[on] = 100.0 * side_sign(side) * (mid_x[on] - p[f"{side}_ankle"][on, 0])
        lean[on] = np.degrees(np.arctan2(side_sign(side) * trunk[on, 0], trunk[on, 2]))
    return {"pelvis_lateral_cm": lateral, "trunk_lean_stance_deg": lean}


def rep_records(
    tl: Timeline,
    params: MotionParams,
    side: str | None,
    knee: dict[str, np.ndarray],
    drop: np.ndarray | None = None,
    arch: np.ndarray | None = None,
) -> list[dict[str, Any]]:
    """Per-rep truth: frames, side and the fault magnitudes at each key frame."""
    out = []
    for i, (s, k, e) in enumerate(tl.spans):
        out.append(
            dict(
                index=i + 1,
                start_frame=s,
                key_frame=k,
                end_frame=e,
                side=side,
                knee_valgus_left_deg=float(knee["left"][k]),
                knee_valgus_right_deg=float(knee["right"][k]),
                pelvic_drop_deg=float(drop[k]) if drop is not None else 0.0,
                back_arch_deg=float(arch[k]) if arch is not None else 0.0,
            )
        )
    return out


def add_wobble_records(
    reps: list[dict[str, Any]], sway_m: np.ndarray, lean_deg: np.ndarray, side: str
) -> None:
    """Record each rep's injected sway (cm, toward ``side``'s outside) and trunk lean (deg) at its key
    frame."""
    for r in reps:
        r["pelvis_sway_cm"] = float(100.0 * side_sign(side) * sway_m[r["key_frame"]])
        r["trunk_lean_deg"] = float(lean_deg[r["key_frame"]])


# ----------------------------------------------------------------------------------------------------------
# Body parts
# ----------------------------------------------------------------------------------------------------------


def upright_upper_body(
    n: int, lean_deg: np.ndarray | float, head_pitch_deg: np.ndarray | float = 0.0
) -> dict[str, np.ndarray]:
    """Trunk leaning forward (towards +y) by ``lean_deg``, head looking ahead."""
    lean = np.broadcast_to(np.radians(lean_deg), (n,))
    hp = np.broadcast_to(np.radians(head_pitch_deg), (n,)) + 0.35 * lean
    z = np.zeros(n)
    return {
        "trunk_up": np.stack([z, np.sin(lean), np.cos(lean)], -1),
        "trunk_fwd": np.stack([z, np.cos(lean), -np.sin(lean)], -1),
        "head_up": np.stack([z, np.sin(hp), np.cos(hp)], -1),
        "head_fwd": np.stack([z, np.cos(hp), -np.sin(hp)], -1),
    }


def planted_foot(n: int, toe_out_deg: float, side: str) -> tuple[np.ndarray, np.ndarray]:
    """Forward and up vectors of a foot flat on the floor, toes turned out by ``toe_out_deg``."""
    sgn = 1.0 if side == "right" else -1.0
    return tile(direction(sgn * toe_out_deg), n), tile(Z, n)


def side_sign(side: str) -> float:
    """+1 for the right side (+x), -1 for the left."""
    return 1.0 if side == "right" else -1.0


# ----------------------------------------------------------------------------------------------------------
# Legs and pelvis
# ----------------------------------------------------------------------------------------------------------


def standing_hip_height(body: BodyProportions, ankle_dx: float, knee_flex_deg: float = 3.0) -> float:
    """Hip height (m) with the ankle ``ankle_dx`` to the side and the knee bent ``knee_flex_deg``."""
    reach = leg_reach(body, knee_flex_deg)
    return body.ankle_height_m + float(np.sqrt(reach**2 - ankle_dx**2))


def leg_reach(body: BodyProportions, knee_flex_deg: np.ndarray | float) -> np.ndarray:
    """Hip–ankle distance (m) for a given knee flexion (law of cosines)."""
    t, s = body.thigh_m, body.shank_m
    return np.sqrt(t * t + s * s + 2 * t * s * np.cos(np.radians(knee_flex_deg)))


def leg_with_valgus(
    body: BodyProportions,
    hips: dict[str, np.ndarray],
    side: str,
    ankle: np.ndarray,
    pole: np.ndarray,
    clean_fppa_deg: np.ndarray | float,
    valgus: dict[str, np.ndarray],
    params: MotionParams,
) -> np.ndarray:
    """Knee of a leg whose hip and ankle are given: clean FPPA blended into the injected valgus.

    The frontal-plane angle follows ``(1 - r) * clean + r * fault`` where ``r``
    is the fault ramp (1 at the key frame), so at the key frame the FPPA
    equals the injected value exactly.
    """
    other = "right" if side == "left" else "left"
    clean = knee_ik(hips[side], ankle, body.thigh_m, body.shank_m, pole)
    mag = params.faults.knee_valgus_deg
    r = valgus[side] / mag if mag else np.zeros(len(ankle))
    target = (1 - r) * np.broadcast_to(clean_fppa_deg, r.shape) + valgus[side]
    return knee_with_fppa(hips[side], ankle, clean, hips[other], target)


def knee_flexion_per_rep(tl: Timeline, depth: float, k0: float, rng: np.random.Generator) -> np.ndarray:
    """(T,) knee flexion in degrees: from ``k0`` standing to each rep's depth along the phase ``tl.u``.

    Each rep's depth varies by ±3% (one draw per rep, in rep order), as a person's does.
    """
    rep_depth = np.full(tl.n, depth)
    for i in range(len(tl.spans)):
        rep_depth[tl.rep == i] = depth * (1 + rng.uniform(-0.03, 0.03))
    return k0 + (rep_depth - k0) * tl.u


def other_side(side: str) -> str:
    """ "left" ↔ "right"."""
    return "right" if side == "left" else "left"


def pelvis_about_stance_hip(
    stance_hip: np.ndarray, side: str, width: float, drop_deg: np.ndarray
) -> dict[str, np.ndarray]:
    """Both hips: the swing-side hip sits ``width`` across from the stance hip, dropped by ``drop_deg``."""
    d = np.radians(drop_deg)
    sgn = side_sign(side)
    other = stance_hip + width * np.stack([-sgn * np.cos(d), np.zeros_like(d), -np.sin(d)], -1)
    return {side: stance_hip, other_side(side): other}


def hanging_arms(
    n: int,
    pose: dict[str, np.ndarray],
    flex_deg: np.ndarray | float,
    abd: float = 0.12,
    elbow_deg: np.ndarray | float = 10.0,
) -> None:
    """Arms in the sagittal plane: upper arm ``flex_deg`` forward of down, elbow bent ``elbow_deg``."""
    flex = np.broadcast_to(flex_deg, (n,))
    for side, s in (("left", "l"), ("right", "r")):
        pose[f"uarm_{s}"] = sagittal(flex, side_sign(side) * abd)
        pose[f"farm_{s}"] = sagittal(flex + elbow_deg, side_sign(side) * abd * 0.3)


def free_leg(
    body: BodyProportions,
    hip: np.ndarray,
    thigh_deg: np.ndarray,
    knee_deg: np.ndarray,
    lateral: float,
    ankle_pitch_deg: float = -20.0,
) -> dict[str, np.ndarray]:
    """A swing leg by forward kinematics: thigh ``thigh_deg`` forward of down, knee flexed ``knee_deg``."""
    knee = hip + body.thigh_m * sagittal(thigh_deg, lateral)
    shank_dir = sagittal(thigh_deg - knee_deg, lateral)
    ankle = knee + body.shank_m * shank_dir
    # foot at a right angle to the shank, then plantarflexed (negative pitch = toes down)
    shank_angle = thigh_deg - knee_deg
    ff = direction(0.0, -shank_angle + ankle_pitch_deg)
    fu = direction(0.0, -shank_angle + ankle_pitch_deg + 90.0)
    return {"knee": knee, "ankle": ankle, "foot_fwd": ff, "foot_up": fu}


# ----------------------------------------------------------------------------------------------------------
# Angles in a viewing plane: the truth a camera in front of (x–z) or beside (y–z) the athlete measures
# ----------------------------------------------------------------------------------------------------------


def xz(p: np.ndarray) -> np.ndarray:
    """The frontal-plane (x, z) coordinates of world points."""
    return p[..., [0, 2]]


def yz(p: np.ndarray) -> np.ndarray:
    """The sagittal-plane (y, z) coordinates of world points."""
    return p[..., [1, 2]]


def angle_between_deg(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Unsigned angle (deg) between 2D vectors."""
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    return np.degrees(np.abs(np.arctan2(cross, np.sum(u * v, axis=-1))))


def signed_angle_deg(d: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Angle (deg) from 2D ``d`` to ``u``, counter-clockwise positive (in (y, z): from +y towards +z)."""
    return np.degrees(np.arctan2(d[..., 0] * u[..., 1] - d[..., 1] * u[..., 0], np.sum(d * u, axis=-1)))


def above_sign(line_from: np.ndarray, line_to: np.ndarray, point: np.ndarray) -> np.ndarray:
    """+1 where 2D ``point`` is on the +z side of the line through the two points, -1 below."""
    d = line_to - line_from
    n = np.stack([-d[..., 1], d[..., 0]], -1)
    n = np.where((n[..., 1] < 0)[..., None], -n, n)
    return np.sign(np.sum((point - line_from) * n, axis=-1))


def hip_line_deg(shoulder: np.ndarray, hip: np.ndarray, knee: np.ndarray) -> np.ndarray:
    """Bridge hip-line angle (deg) of 2D (y, z) points: 180° − the shoulder–hip–knee angle.

    Positive when the hip is above the shoulder–knee line; 0 = a straight line.
    """
    interior = angle_between_deg(shoulder - hip, knee - hip)
    return (180.0 - interior) * above_sign(shoulder, knee, hip)
