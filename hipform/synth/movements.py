"""Joint trajectories of the synthetic athlete, one generator per movement.

The public entry point is :func:`hipform.synth.athlete.simulate`; this module
holds the geometry behind it. Every generator works in the synth world frame
(metres, z up, floor z = 0, athlete's right = +x) and returns a
:class:`RawMotion`: per-frame *driving* positions and directions (hips, knees,
ankles, foot, trunk, head and arm directions) that :func:`assemble` turns into
the 33 MediaPipe landmarks. Segment lengths are constant by construction:
knees come from two-bone inverse kinematics with fixed thigh and shank
lengths, arms and feet from unit directions times fixed lengths.

Faults are injected geometrically, never by adding numbers to the truth:
knee valgus rotates the knee about the hip–ankle axis until the frontal-plane
projection angle reaches the target; pelvic drop rotates the pelvis in the
frontal plane about the stance hip; back arching lifts the hips (bridge) or
swings the thigh past the trunk and tilts the trunk (kickback).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hipform.landmarks import N_LANDMARKS, Landmark

#: Where the face points sit in the head frame (right, forward, up), metres for
#: a 1.75 m adult, origin midway between the ears; scaled with height.
_FACE_175 = {
    Landmark.NOSE: (0.0, 0.105, -0.02),
    Landmark.LEFT_EYE_INNER: (-0.016, 0.088, 0.012),
    Landmark.LEFT_EYE: (-0.032, 0.085, 0.013),
    Landmark.LEFT_EYE_OUTER: (-0.047, 0.078, 0.012),
    Landmark.RIGHT_EYE_INNER: (0.016, 0.088, 0.012),
    Landmark.RIGHT_EYE: (0.032, 0.085, 0.013),
    Landmark.RIGHT_EYE_OUTER: (0.047, 0.078, 0.012),
    Landmark.LEFT_EAR: (-0.075, 0.0, 0.0),
    Landmark.RIGHT_EAR: (0.075, 0.0, 0.0),
    Landmark.MOUTH_LEFT: (-0.025, 0.09, -0.055),
    Landmark.MOUTH_RIGHT: (0.025, 0.09, -0.055),
}

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
# Raw motion and assembly into 33 landmarks
# ----------------------------------------------------------------------------------------------------------


@dataclass
class RawMotion:
    """Driving trajectories of one simulated clip (internal).

    ``pose`` maps names to (T, 3) world arrays: ``hip_l``, ``hip_r``,
    ``knee_l``/``_r``, ``ankle_l``/``_r``, ``foot_fwd_l``/``_r`` (heel→toe unit
    vectors), ``foot_up_l``/``_r`` (sole normals), ``trunk_up`` (hip mid →
    shoulder mid unit), ``trunk_fwd`` (chest direction), ``head_up``,
    ``head_fwd``, ``uarm_l``/``_r`` and ``farm_l``/``_r`` (upper-arm and forearm
    unit directions), optionally ``hand_l``/``_r`` (wrist→fingers, default the
    forearm direction) and ``thumb_l``/``_r`` (thumb-side hints).
    """

    pose: dict[str, np.ndarray]
    reps: list[dict[str, Any]]
    stance: np.ndarray  # (T,) "left"/"right"/""
    work_side: np.ndarray  # (T,) the working leg ("left"/"right"/"")
    rep_start: np.ndarray  # (T,) int frame where the current rep started (0 before the first)
    props: list[dict[str, Any]] = field(default_factory=list)


def assemble(body: Any, pose: dict[str, np.ndarray]) -> np.ndarray:
    """(T, 33, 3) landmark positions from the driving trajectories of a :class:`RawMotion`."""
    n = pose["hip_l"].shape[0]
    out = np.full((n, N_LANDMARKS, 3), np.nan)
    lm = Landmark
    hip_mid = 0.5 * (pose["hip_l"] + pose["hip_r"])
    t_up = unit(pose["trunk_up"])
    t_fwd = unit(pose["trunk_fwd"] - np.sum(pose["trunk_fwd"] * t_up, -1, keepdims=True) * t_up)
    t_right = np.cross(t_fwd, t_up)
    sh_mid = hip_mid + body.trunk_m * t_up
    sh = {
        "l": sh_mid - 0.5 * body.shoulder_width_m * t_right,
        "r": sh_mid + 0.5 * body.shoulder_width_m * t_right,
    }

    # head: rigid, hung on the shoulder midpoint by the neck
    h_up = unit(pose["head_up"])
    h_fwd = unit(pose["head_fwd"] - np.sum(pose["head_fwd"] * h_up, -1, keepdims=True) * h_up)
    h_right = np.cross(h_fwd, h_up)
    ear_mid = sh_mid + body.neck_m * h_up
    scale = body.height_m / 1.75
    for mark, (r, f, u) in _FACE_175.items():
        out[:, mark] = ear_mid + scale * (r * h_right + f * h_fwd + u * h_up)

    for s, side in (("l", "LEFT"), ("r", "RIGHT")):
        out[:, lm[f"{side}_SHOULDER"]] = sh[s]
        elbow = sh[s] + body.upper_arm_m * unit(pose[f"uarm_{s}"])
        f_dir = unit(pose[f"farm_{s}"])
        wrist = elbow + body.forearm_m * f_dir
        out[:, lm[f"{side}_ELBOW"]] = elbow
        out[:, lm[f"{side}_WRIST"]] = wrist
        h_dir = unit(pose.get(f"hand_{s}", f_dir))
        thumb_hint = pose.get(f"thumb_{s}", t_fwd)
        thumb = thumb_hint - np.sum(thumb_hint * h_dir, -1, keepdims=True) * h_dir
        bad = np.linalg.norm(thumb, axis=-1) < 0.2
        alt = t_up - np.sum(t_up * h_dir, -1, keepdims=True) * h_dir
        thumb = unit(np.where(bad[:, None], alt, thumb))
        hl = body.hand_m
        out[:, lm[f"{side}_INDEX"]] = wrist + 0.78 * hl * h_dir + 0.18 * hl * thumb
        out[:, lm[f"{side}_PINKY"]] = wrist + 0.68 * hl * h_dir - 0.22 * hl * thumb
        out[:, lm[f"{side}_THUMB"]] = wrist + 0.42 * hl * h_dir + 0.34 * hl * thumb

        ankle = pose[f"ankle_{s}"]
        ff = unit(pose[f"foot_fwd_{s}"])
        fu = unit(pose[f"foot_up_{s}"] - np.sum(pose[f"foot_up_{s}"] * ff, -1, keepdims=True) * ff)
        drop = body.ankle_height_m - body.foot_marker_height_m
        out[:, lm[f"{side}_HIP"]] = pose[f"hip_{s}"]
        out[:, lm[f"{side}_KNEE"]] = pose[f"knee_{s}"]
        out[:, lm[f"{side}_ANKLE"]] = ankle
        out[:, lm[f"{side}_HEEL"]] = ankle - body.heel_back_m * ff - drop * fu
        out[:, lm[f"{side}_FOOT_INDEX"]] = ankle + body.toe_forward_m * ff - drop * fu
    return out


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
    params: Any, tempo_s: float, hold_frac: float, rng: np.random.Generator, rest_s: float = 0.4
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


def fault_ramp(tl: Timeline, params: Any, attr: str, sides: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Per side, the (T,) fault magnitude ``params.faults.<attr>`` × progress, in affected reps and sides.

    Peaks exactly at each affected rep's key frame.
    """
    f = params.faults
    mag = float(getattr(f, attr))
    affected = np.zeros(tl.n, bool)
    for i in range(len(tl.spans)):
        if f.reps is None or (i + 1) in f.reps:
            affected |= tl.rep == i
    out = {}
    for side in ("left", "right"):
        on = mag != 0 and side in sides and f.side in (side, "both")
        out[side] = np.where(affected, tl.u, 0.0) * (mag if on else 0.0)
    return out


def rep_records(
    tl: Timeline,
    params: Any,
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


# ----------------------------------------------------------------------------------------------------------
# Upper body helpers
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
# Movements
# ----------------------------------------------------------------------------------------------------------


def standing_hip_height(body: Any, ankle_dx: float, knee_flex_deg: float = 3.0) -> float:
    """Hip height (m) with the ankle ``ankle_dx`` to the side and the knee bent ``knee_flex_deg``."""
    reach = leg_reach(body, knee_flex_deg)
    return body.ankle_height_m + float(np.sqrt(reach**2 - ankle_dx**2))


def leg_reach(body: Any, knee_flex_deg: np.ndarray | float) -> np.ndarray:
    """Hip–ankle distance (m) for a given knee flexion (law of cosines)."""
    t, s = body.thigh_m, body.shank_m
    return np.sqrt(t * t + s * s + 2 * t * s * np.cos(np.radians(knee_flex_deg)))


#: Knee FPPA (deg) of a clean bilateral squat at the bottom: the knees track over the turned-out toes and so
#: sit slightly outside the hip–ankle line at depth, as good squatters' knees do.
CLEAN_SQUAT_FPPA_DEG = -4.0


def leg_with_valgus(
    body: Any,
    hips: dict[str, np.ndarray],
    side: str,
    ankle: np.ndarray,
    pole: np.ndarray,
    clean_fppa_deg: np.ndarray | float,
    valgus: dict[str, np.ndarray],
    params: Any,
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


def knee_flexion_per_rep(tl, depth: float, k0: float, rng: np.random.Generator) -> np.ndarray:
    """(T,) knee flexion in degrees: from ``k0`` standing to each rep's depth along the phase ``tl.u``.

    Each rep's depth varies by ±3% (one draw per rep, in rep order), as a person's does.
    """
    rep_depth = np.full(tl.n, depth)
    for i in range(len(tl.spans)):
        rep_depth[tl.rep == i] = depth * (1 + rng.uniform(-0.03, 0.03))
    return k0 + (rep_depth - k0) * tl.u


def gen_squat(params: Any, rng: np.random.Generator) -> RawMotion:
    """Bodyweight squat: shoulder-width stance, toes out, hips back, arms reaching forward."""
    body = params.body
    tempo = params.tempo_s or 2.4
    depth = params.depth if params.depth is not None else 100.0
    tl = make_timeline(params, tempo, 0.1, rng)
    n, u = tl.n, tl.u
    k0 = 3.0
    flex = knee_flexion_per_rep(tl, depth, k0, rng)
    # shank tilts forward with depth (ankle dorsiflexion), the rest of the flexion is the thigh
    shank_tilt = np.radians(0.36 * (flex - k0))
    thigh_tilt = np.radians(flex) - shank_tilt
    half_w = 0.5 * body.hip_width_m
    ankle_dx = half_w + 0.025 * body.height_m
    dx = ankle_dx - half_w
    # sagittal leg geometry, then corrected for the lateral offset of the stance
    sag_y = body.shank_m * np.sin(shank_tilt) - body.thigh_m * np.sin(thigh_tilt)
    sag_z = body.shank_m * np.cos(shank_tilt) + body.thigh_m * np.cos(thigh_tilt)
    sag_z = np.sqrt(np.clip(sag_z**2 - dx**2, 0.0, None))
    hip_mid = np.stack([np.zeros(n), sag_y, body.ankle_height_m + sag_z], -1)
    pose: dict[str, np.ndarray] = {}
    valgus = fault_ramp(tl, params, "knee_valgus_deg", ("left", "right"))
    hips = {s: hip_mid + side_sign(s) * half_w * X for s in ("left", "right")}
    for side, s in (("left", "l"), ("right", "r")):
        ankle = tile((side_sign(side) * ankle_dx, 0.0, body.ankle_height_m), n)
        ff, fu = planted_foot(n, 12.0, side)
        knee = leg_with_valgus(body, hips, side, ankle, ff, CLEAN_SQUAT_FPPA_DEG * u, valgus, params)
        pose.update(
            {
                f"hip_{s}": hips[side],
                f"knee_{s}": knee,
                f"ankle_{s}": ankle,
                f"foot_fwd_{s}": ff,
                f"foot_up_{s}": fu,
            }
        )
    w = (flex - k0) / 97.0
    pose.update(upright_upper_body(n, 2.0 + 0.42 * (flex - k0), head_pitch_deg=-0.2 * (flex - k0)))
    arm_a = 6.0 + 84.0 * np.clip(w, 0, 1.1)
    for side, s in (("left", "l"), ("right", "r")):
        pose[f"uarm_{s}"] = sagittal(arm_a, side_sign(side) * 0.12)
        pose[f"farm_{s}"] = sagittal(arm_a + 8.0, side_sign(side) * 0.04)
    stance = np.full(n, "", dtype="<U5")
    reps = rep_records(tl, params, None, valgus)
    return RawMotion(pose, reps, stance, stance.copy(), tl.rep_start())


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
    body: Any,
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


def gen_single_leg_squat(params: Any, rng: np.random.Generator) -> RawMotion:
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
    dx = 0.03 * body.height_m
    sag_y = body.shank_m * np.sin(shank_tilt) - body.thigh_m * np.sin(thigh_tilt)
    sag_z = body.shank_m * np.cos(shank_tilt) + body.thigh_m * np.cos(thigh_tilt)
    sag_z = np.sqrt(sag_z**2 - dx**2)
    stance_hip = np.stack([np.full(n, sgn * half_w), sag_y, body.ankle_height_m + sag_z], -1)
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
    hanging_arms(n, pose, 20.0 + 60.0 * np.clip(w, 0, 1.1), abd=0.2)
    stance = np.full(n, side, dtype="<U5")
    reps = rep_records(tl, params, side, valgus, drop)
    return RawMotion(pose, reps, stance, stance.copy(), tl.rep_start())


def gen_single_leg_balance(params: Any, rng: np.random.Generator) -> RawMotion:
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
    stance_hip_x = sgn * (half_w + 0.04 * body.height_m / 1.75 * shift)
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
    for sd, s in (("left", "l"), ("right", "r")):
        pose[f"uarm_{s}"] = unit(
            np.stack([side_sign(sd) * (0.1 + 0.35 * shift), 0.1 + 0 * shift, -np.ones(n)], -1)
        )
        pose[f"farm_{s}"] = unit(
            np.stack([side_sign(sd) * (0.1 + 0.3 * shift), 0.3 + 0 * shift, -np.ones(n)], -1)
        )
    stance = np.where(lift > 0, side, "").astype("<U5")
    reps = rep_records(tl, params, side, valgus, drop)
    return RawMotion(pose, reps, stance, np.full(n, side, dtype="<U5"), tl.rep_start())


#: Running step model, as fractions of the step time / stance time (treadmill, ~2.5–3.5 m/s).
_RUN_CONTACT_FRAC = 0.72  # contact time ÷ step time (≈ 0.25 s at 175 steps/min)
_RUN_MIDSTANCE = 0.35  # stance fraction where the ankle passes under the hip and the knee bends most
_RUN_HEEL_FLAT, _RUN_HEEL_OFF = 0.15, 0.55  # stance fractions: foot flat, heel starts to rise
_RUN_STRIKE_PITCH, _RUN_TOEOFF_PITCH = 8.0, -35.0  # foot pitch (deg, toes up positive)


def _stance_foot(body: Any, s: np.ndarray, travel: float, x: float, side: str) -> dict[str, np.ndarray]:
    """Ankle and foot frame of a foot rolling heel → flat → toe on a belt moving along -y (s: stance 0–1)."""
    yaw = side_sign(side) * 5.0
    pitch = np.where(
        s < _RUN_HEEL_FLAT,
        _RUN_STRIKE_PITCH * (1 - smoothstep(s / _RUN_HEEL_FLAT)),
        np.where(
            s > _RUN_HEEL_OFF, _RUN_TOEOFF_PITCH * smoothstep((s - _RUN_HEEL_OFF) / (1 - _RUN_HEEL_OFF)), 0.0
        ),
    )
    ff, fu = direction(yaw, pitch), direction(yaw, pitch + 90.0)
    drop = body.ankle_height_m - body.foot_marker_height_m
    flat_fwd = direction(yaw)
    # the heel is glued to the belt until the foot is flat, the toe after the heel lifts
    heel0_y = _RUN_MIDSTANCE * travel - body.heel_back_m * flat_fwd[1]
    heel = np.stack(
        [
            np.full_like(s, x - body.heel_back_m * flat_fwd[0]),
            heel0_y - travel * s,
            np.full_like(s, body.foot_marker_height_m),
        ],
        -1,
    )
    ankle_from_heel = heel + body.heel_back_m * ff + drop * fu
    toe = heel + (body.heel_back_m + body.toe_forward_m) * flat_fwd
    ankle_from_toe = toe - body.toe_forward_m * ff + drop * fu
    ankle = np.where((s > _RUN_HEEL_OFF)[:, None], ankle_from_toe, ankle_from_heel)
    return {"ankle": ankle, "foot_fwd": ff, "foot_up": fu}


def gen_running(params: Any, rng: np.random.Generator) -> RawMotion:
    """Treadmill running: heel-to-toe stance on a moving belt, flight, swing, counter-swinging arms.

    ``tempo_s`` is the stride time (two steps; default 120/175 s = 175
    steps/min), ``depth`` the knee flexion at midstance (default 40°),
    ``speed_mps`` the belt speed. ``reps`` counts strides. Each step is one
    :class:`RepTruth`: contact → midstance (key) → toe-off.
    """
    body = params.body
    fps = params.fps
    stride = params.tempo_s or 120.0 / 175.0
    step = stride / 2
    tc = _RUN_CONTACT_FRAC * step
    travel = params.speed_mps * tc
    depth = params.depth if params.depth is not None else 40.0
    lead = int(round(params.standing_lead_in_s * fps))
    n_run = int(round(params.reps * stride * fps))
    n = lead + n_run + 1
    t = (np.arange(n) - lead) / fps  # running time, negative during the lead-in
    tr = np.maximum(t, 0.0)
    half_w = 0.5 * body.hip_width_m
    first = params.working_side  # the first stance leg
    sides = (first, other_side(first))
    foot_x = {sd: side_sign(sd) * max(half_w - 0.05 * body.height_m / 1.75, 0.02) for sd in sides}

    # per leg: stance fraction (NaN in swing) and swing fraction
    stance_s, swing_q, step_no = {}, {}, {}
    for k, sd in enumerate(sides):
        ph = (tr - k * step) / stride  # stride phase of this leg, 0 = its foot strike
        cyc = np.floor(ph)
        within = (ph - cyc) * stride
        in_stance = (within < tc) & (ph >= 0) & (t >= 0)
        stance_s[sd] = np.where(in_stance, within / tc, np.nan)
        swing_q[sd] = np.where(in_stance, np.nan, ((within - tc) % stride) / (stride - tc))
        step_no[sd] = np.where(ph >= 0, 2 * cyc + k, -1)

    # stance leg knee flexion profile (deg) and the stance hip height it implies
    def flex_of(s: np.ndarray) -> np.ndarray:
        return keyframes(s, [(0.0, 18.0), (_RUN_MIDSTANCE, depth), (1.0, 16.0)])

    def stance_hip_z(s: np.ndarray, sd: str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        foot = _stance_foot(body, s, travel, foot_x[sd], sd)
        a = foot["ankle"]
        reach = leg_reach(body, flex_of(s))
        dx = side_sign(sd) * half_w - a[:, 0]
        return a[:, 2] + np.sqrt(np.clip(reach**2 - a[:, 1] ** 2 - dx**2, 1e-6, None)), foot

    # hip-centre height over one step phase: stance from the model, flight by a cubic Hermite
    grid = np.linspace(0.0, 1.0, 401)
    c = _RUN_CONTACT_FRAC
    zs, _ = stance_hip_z(np.clip(grid / c, 0, 1), first)
    eps = 1e-4
    z0 = stance_hip_z(np.array([0.0, eps]), first)[0]
    z1 = stance_hip_z(np.array([1.0 - eps, 1.0]), first)[0]
    v0, v1 = (z0[1] - z0[0]) / (eps * c * step), (z1[1] - z1[0]) / (eps * c * step)
    tf = (1 - c) * step

    def flight_z(q: np.ndarray) -> np.ndarray:
        h00, h10 = 2 * q**3 - 3 * q**2 + 1, q**3 - 2 * q**2 + q
        h01, h11 = -2 * q**3 + 3 * q**2, q**3 - q**2
        return h00 * z1[1] + h10 * tf * v1 + h01 * z0[0] + h11 * tf * v0

    stand_z = standing_hip_height(body, 0.0)
    hip_z = np.full(n, stand_z)
    pose: dict[str, np.ndarray] = {}
    hips = {sd: np.zeros((n, 3)) for sd in sides}
    drop_total = np.zeros(n)
    valgus_deg = {sd: np.zeros(n) for sd in sides}
    stance_arr = np.full(n, "", dtype="<U5")
    reps: list[dict[str, Any]] = []
    f = params.faults
    for sd in sides:
        st = np.isfinite(stance_s[sd])
        stance_arr[st] = sd
        if np.any(st):
            z, _ = stance_hip_z(stance_s[sd][st], sd)
            hip_z[st] = z
    flight = (t >= 0) & (stance_arr == "")
    q = ((tr - tc) % step) / tf
    hip_z[flight] = flight_z(q[flight])

    # steps: contact, midstance (the key frame, nearest frame to the model's midstance), toe-off
    t_contact_all = []
    for sd in sides:
        k = sides.index(sd)
        m = 0
        while True:
            tc0 = k * step + m * stride
            if tc0 + tc > n_run / fps:
                break
            t_contact_all.append((tc0, sd))
            m += 1
    t_contact_all.sort()
    ramp = {sd: np.zeros(n) for sd in sides}
    for i, (tc0, sd) in enumerate(t_contact_all):
        start = lead + int(np.ceil(tc0 * fps - 1e-9))
        key = lead + int(round((tc0 + _RUN_MIDSTANCE * tc) * fps))
        end = lead + int(np.floor((tc0 + tc) * fps - 1e-9))
        if not start < key < end:
            continue
        s_key = stance_s[sd][key]
        fr = np.arange(start, end + 1)
        s_fr = np.nan_to_num(stance_s[sd][fr])
        bump = np.where(s_fr <= s_key, smoothstep(s_fr / s_key), smoothstep((1 - s_fr) / (1 - s_key)))
        affected = f.reps is None or (i + 1) in f.reps
        if affected:
            ramp[sd][fr] = np.maximum(ramp[sd][fr], bump)
        on_v = affected and f.knee_valgus_deg != 0 and f.side in (sd, "both")
        on_d = affected and f.pelvic_drop_deg != 0 and f.side in (sd, "both")
        reps.append(
            dict(
                index=len(reps) + 1,
                start_frame=start,
                key_frame=key,
                end_frame=end,
                side=sd,
                knee_valgus_left_deg=float(f.knee_valgus_deg) if on_v and sd == "left" else 0.0,
                knee_valgus_right_deg=float(f.knee_valgus_deg) if on_v and sd == "right" else 0.0,
                pelvic_drop_deg=float(f.pelvic_drop_deg) if on_d else 0.0,
                back_arch_deg=0.0,
            )
        )
    for sd in sides:
        if f.side in (sd, "both"):
            valgus_deg[sd] = ramp[sd] * f.knee_valgus_deg
            drop_total += ramp[sd] * f.pelvic_drop_deg

    # pelvis: level unless a stance hip carries a drop; the stance hip is the pivot
    centre = np.stack([np.zeros(n), np.zeros(n), hip_z], -1)
    for sd in sides:
        hips[sd] = centre + side_sign(sd) * half_w * X
    for sd in sides:
        st = stance_arr == sd
        if np.any(st):
            pel = pelvis_about_stance_hip(hips[sd][st], sd, body.hip_width_m, drop_total[st])
            hips[other_side(sd)][st] = pel[other_side(sd)]

    # legs
    for sd in sides:
        lt = sd[0]
        st = stance_arr == sd
        ankle = np.zeros((n, 3))
        ff = np.zeros((n, 3))
        fu = np.zeros((n, 3))
        if np.any(st):
            foot = _stance_foot(body, stance_s[sd][st], travel, foot_x[sd], sd)
            ankle[st], ff[st], fu[st] = foot["ankle"], foot["foot_fwd"], foot["foot_up"]
        # swing: sagittal keyframes from toe-off to the next strike, corrected to meet the stance ends
        sw = (~st) & (t >= 0)
        qq = swing_q[sd][sw]
        thigh = keyframes(qq, [(0.0, -22.0), (0.3, -5.0), (0.7, 32.0), (0.9, 28.0), (1.0, 25.0)])
        kf = keyframes(qq, [(0.0, 16.0), (0.3, 95.0), (0.6, 75.0), (0.9, 22.0), (1.0, 18.0)])
        pitch = keyframes(qq, [(0.0, _RUN_TOEOFF_PITCH), (0.3, -15.0), (0.8, 5.0), (1.0, _RUN_STRIKE_PITCH)])
        fk = free_leg(body, hips[sd][sw], thigh, kf, 0.0)
        end_to = _stance_foot(body, np.array([1.0]), travel, foot_x[sd], sd)["ankle"][0]
        end_c = _stance_foot(body, np.array([0.0]), travel, foot_x[sd], sd)["ankle"][0]
        fk_to = free_leg(body, np.zeros((1, 3)), np.array([-22.0]), np.array([16.0]), 0.0)["ankle"][0]
        fk_c = free_leg(body, np.zeros((1, 3)), np.array([25.0]), np.array([18.0]), 0.0)["ankle"][0]
        w = smoothstep(qq)[:, None]
        hip_to = np.array([side_sign(sd) * half_w, 0.0, z1[1]])
        hip_c = np.array([side_sign(sd) * half_w, 0.0, z0[0]])
        corr = (1 - w) * (end_to - hip_to - fk_to) + w * (end_c - hip_c - fk_c)
        target = fk["ankle"] + corr
        target[:, 2] += 0.03 * body.height_m / 1.75 * np.sin(np.pi * qq) ** 2  # toe clearance
        yaw = side_sign(sd) * 5.0
        sff, sfu = direction(yaw, pitch), direction(yaw, pitch + 90.0)
        drop = body.ankle_height_m - body.foot_marker_height_m
        low = np.minimum(-body.heel_back_m * sff[:, 2], body.toe_forward_m * sff[:, 2]) - drop * sfu[:, 2]
        target[:, 2] = np.maximum(target[:, 2], body.foot_marker_height_m - low)  # never through the belt
        d = target - hips[sd][sw]
        dist = np.linalg.norm(d, axis=-1, keepdims=True)
        target = hips[sd][sw] + d * np.minimum(1.0, 0.999 * body.leg_m / dist)
        ankle[sw] = target
        ff[sw], fu[sw] = sff, sfu
        # the still lead-in: standing, feet under the hips
        pre = t < 0
        ankle[pre] = (side_sign(sd) * half_w, 0.0, body.ankle_height_m)
        ff[pre], fu[pre] = direction(side_sign(sd) * 5.0), Z
        hips[sd][pre] = (side_sign(sd) * half_w, 0.0, stand_z)
        pole = tile(Y, n)
        clean = knee_ik(hips[sd], ankle, body.thigh_m, body.shank_m, pole)
        if np.any(valgus_deg[sd]):
            other = hips[other_side(sd)]
            r = valgus_deg[sd] / f.knee_valgus_deg
            clean_f = fppa_xz(hips[sd], clean, ankle, other)
            target_f = (1 - r) * clean_f + valgus_deg[sd]
            on = r > 0
            knee = clean.copy()
            knee[on] = knee_with_fppa(hips[sd][on], ankle[on], clean[on], other[on], target_f[on])
        else:
            knee = clean
        pose.update(
            {
                f"hip_{lt}": hips[sd],
                f"knee_{lt}": knee,
                f"ankle_{lt}": ankle,
                f"foot_fwd_{lt}": ff,
                f"foot_up_{lt}": fu,
            }
        )

    running = t >= 0
    pose.update(
        upright_upper_body(n, np.where(running, 7.0, 2.0), head_pitch_deg=np.where(running, -3.0, 0.0))
    )
    # arms swing against the legs: the arm on the side of the forward-swinging thigh goes back
    phase = 2 * np.pi * tr / stride
    for sd in sides:
        k = sides.index(sd)
        swing = np.where(running, 28.0 * np.cos(phase - k * np.pi), 0.0)  # + forward
        upper = np.where(running, 12.0 + swing, 6.0)
        elbow = np.where(running, 85.0 - 0.3 * swing, 10.0)
        lt = sd[0]
        pose[f"uarm_{lt}"] = sagittal(upper, side_sign(sd) * 0.15)
        pose[f"farm_{lt}"] = sagittal(upper + elbow, -side_sign(sd) * 0.3)
    work = np.full(n, "", dtype="<U5")
    rep_start = np.zeros(n, int)
    return RawMotion(
        pose,
        reps,
        stance_arr,
        work,
        rep_start,
        props=[dict(kind="treadmill", centre_m=(0.0, -0.1, 0.002), size_m=(0.8, 1.9, 0.004))],
    )


def _bridge_geometry(body: Any) -> dict[str, float]:
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


def _bridge_leg(body: Any, g: dict[str, float], hip: np.ndarray, side: str) -> tuple[np.ndarray, np.ndarray]:
    """Ankle and knee of a bridge leg whose foot is flat on the floor (knees point up and a little out)."""
    n = len(hip)
    half_w = 0.5 * body.hip_width_m
    ankle = tile((side_sign(side) * (half_w + 0.02 * body.height_m), g["ankle_y"], body.ankle_height_m), n)
    knee = knee_ik(hip, ankle, body.thigh_m, body.shank_m, tile(Z, n) + 0.3 * side_sign(side) * X)
    return ankle, knee


def _bridge_pose_at(
    body: Any, g: dict[str, float], beta: np.ndarray, side: str = "right", drop_deg: np.ndarray | float = 0.0
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


def _hip_line(sh: np.ndarray, hip: np.ndarray, knee: np.ndarray) -> np.ndarray:
    """Bridge hip-line angle (deg) of world points, evaluated in the y–z plane."""
    a, b = sh[..., 1:] - hip[..., 1:], knee[..., 1:] - hip[..., 1:]
    interior = np.degrees(
        np.abs(np.arctan2(a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0], np.sum(a * b, -1)))
    )
    d = knee[..., 1:] - sh[..., 1:]
    nrm = np.stack([-d[..., 1], d[..., 0]], -1)
    nrm = np.where((nrm[..., 1] < 0)[..., None], -nrm, nrm)
    return (180.0 - interior) * np.sign(np.sum((hip[..., 1:] - sh[..., 1:]) * nrm, -1))


def _bridge_beta_for(
    body: Any, g: dict[str, float], hip_line_deg: float, side: str, drop_deg: float
) -> float:
    """Trunk elevation (rad) at which the ``side`` hip-line angle equals ``hip_line_deg`` (bisection)."""
    lo, hi = g["beta_rest"], np.radians(55.0)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        p = _bridge_pose_at(body, g, np.array([mid]), side, drop_deg)
        if _hip_line(p["shoulder"], p["hips"][side], p["knee"])[0] < hip_line_deg:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def gen_bridge(params: Any, rng: np.random.Generator, single: bool = False) -> RawMotion:
    """Glute bridge lying supine along y (head at -y), feet flat, arms on the floor; optional single-leg.

    ``depth`` is the clean hip-line angle at the top hold (default 0°: a
    straight shoulder–hip–knee line); ``back_arch_deg`` adds to it. In the
    single-leg bridge the free leg is held straight, its thigh parallel to the
    floor-leg thigh, and pelvic drop turns the pelvis about the floor-leg hip.
    """
    body = params.body
    g = _bridge_geometry(body)
    tl = make_timeline(params, params.tempo_s or 3.0, 0.3, rng, rest_s=0.6)
    n, u = tl.n, tl.u
    clean_top = params.depth if params.depth is not None else 0.0
    side = params.working_side if single else None
    side = params.working_side if single else "right"
    arch_on = fault_ramp(tl, params, "back_arch_deg", (side,) if single else ("left", "right"))[side]
    drop = fault_ramp(tl, params, "pelvic_drop_deg", (side,))[side] if single else np.zeros(n)
    beta = np.full(n, g["beta_rest"])
    for s0, k, e in tl.spans:
        top = _bridge_beta_for(body, g, clean_top + arch_on[k], side, drop[k])
        fr = slice(s0, e + 1)
        beta[fr] = g["beta_rest"] + (top - g["beta_rest"]) * u[fr]
    geo = _bridge_pose_at(body, g, beta, side, drop)
    hips = geo["hips"]
    pose: dict[str, np.ndarray] = {}
    oth = other_side(side)
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
        thigh_dir = unit(pose[f"knee_{side[0]}"] - hips[side])
        knee = hips[oth] + body.thigh_m * thigh_dir
        ankle = knee + body.shank_m * thigh_dir
        # the foot of the straight leg points up and away, slightly plantarflexed
        ff = unit(rotate(thigh_dir, X, np.radians(75.0)))
        pose.update(
            {
                f"hip_{oth[0]}": hips[oth],
                f"knee_{oth[0]}": knee,
                f"ankle_{oth[0]}": ankle,
                f"foot_fwd_{oth[0]}": ff,
                f"foot_up_{oth[0]}": -thigh_dir,
            }
        )
    trunk_up = geo["trunk_up"]
    pose["trunk_up"] = trunk_up
    pose["trunk_fwd"] = geo["trunk_fwd"]
    pose["head_up"] = tile(-Y, n)
    pose["head_fwd"] = tile(Z, n)
    for sd in ("left", "right"):
        pose[f"uarm_{sd[0]}"] = unit(np.broadcast_to([side_sign(sd) * 0.25, 1.0, -0.02], (n, 3)))
        pose[f"farm_{sd[0]}"] = unit(np.broadcast_to([side_sign(sd) * 0.05, 1.0, -0.02], (n, 3)))
        pose[f"thumb_{sd[0]}"] = tile(-side_sign(sd) * X, n)
    pose["trunk_up"] = trunk_up
    knee_truth = {"left": np.zeros(n), "right": np.zeros(n)}
    reps = rep_records(tl, params, side if single else None, knee_truth, drop, arch_on)
    stance = np.full(n, side if single else "", dtype="<U5")
    mat = dict(
        kind="mat",
        centre_m=(0.0, g["ys"] + 0.55 * body.height_m / 1.75, 0.003),
        size_m=(0.6, 1.8 * body.height_m / 1.75, 0.006),
    )
    return RawMotion(pose, reps, stance, stance.copy(), tl.rep_start(), props=[mat])


def gen_single_leg_bridge(params: Any, rng: np.random.Generator) -> RawMotion:
    """Single-leg glute bridge on the working leg (see :func:`gen_bridge`)."""
    return gen_bridge(params, rng, single=True)


#: Share of the kickback back-arch fault that shows as a trunk-line change: as the thigh extends past the
#: trunk the shoulders sink (elbows give) so the shoulder→hip line tilts, hips relatively higher, by this
#: fraction of the extra thigh extension. With hands and the support knee on the floor and rigid segments,
#: the hips themselves cannot sink without large motion; the shoulders can.
KICKBACK_TRUNK_SHARE = 0.5


def _kickback_frame(body: Any, scale: float) -> dict[str, float]:
    """All-fours set-up in (y, z): hands under the shoulders, knees under the hips, hips over the origin."""
    arm = body.upper_arm_m + body.forearm_m
    z_w, z_k = 0.04 * scale, 0.05 * scale
    z_s, z_h = z_w + arm, z_k + body.thigh_m
    y_w = float(np.sqrt(body.trunk_m**2 - (z_s - z_h) ** 2))
    return {"arm": arm, "y_w": y_w, "z_w": z_w, "z_s": z_s, "y_k": 0.0, "z_k": z_k, "z_h": z_h}


def gen_kickback(params: Any, rng: np.random.Generator) -> RawMotion:
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
    zeros = np.zeros(n)
    hip_mid = np.stack([zeros, np.full(n, f["y_k"]), np.full(n, f["z_h"])], -1)
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
    kflex = 90.0 - 20.0 * u
    shank = rotate(thigh, X, -np.radians(kflex))
    pose: dict[str, np.ndarray] = {}
    knee_floor = {
        sd: np.stack([np.full(n, side_sign(sd) * half_w), np.full(n, f["y_k"]), np.full(n, f["z_k"])], -1)
        for sd in ("left", "right")
    }
    for sd in ("left", "right"):
        if sd == side:
            knee = hips[sd] + body.thigh_m * thigh
            sdir = shank
        else:
            knee = knee_floor[sd]
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
    trunk_up = -d
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
    knee_truth = {"left": zeros, "right": zeros}
    reps = rep_records(tl, params, side, knee_truth, None, arch)
    work = np.full(n, side, dtype="<U5")
    mat = dict(kind="mat", centre_m=(0.0, 0.25 * scale, 0.003), size_m=(0.6, 1.8 * scale, 0.006))
    return RawMotion(pose, reps, np.full(n, "", dtype="<U5"), work, tl.rep_start(), props=[mat])


_STEP_KEY = 0.25  # rep fraction of the key moment: weight on the lead foot, lead knee most bent
_STEP_LAND, _STEP_LIFT, _STEP_BACK = (
    0.2,
    0.36,
    0.8,
)  # lead foot lands, trail foot lifts off, trail foot back down


def _step_phase(tl: Timeline) -> np.ndarray:
    """(T,) step-up rep fraction p in [0, 1], exactly ``_STEP_KEY`` at each key frame (-1 outside reps)."""
    p = np.full(tl.n, -1.0)
    for s0, k, e in tl.spans:
        f = np.arange(s0, e + 1)
        p[f] = np.where(
            f <= k, _STEP_KEY * (f - s0) / (k - s0), _STEP_KEY + (1 - _STEP_KEY) * (f - k) / (e - k)
        )
    return p


def gen_step_up(params: Any, rng: np.random.Generator) -> RawMotion:
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
    h = (params.depth if params.depth is not None else 30.0) / 100.0
    if not 0.1 <= h <= 0.5:
        raise ValueError(f"step-up box height (depth, cm) must be 10–50, got {params.depth!r}")
    tl = make_timeline(params, params.tempo_s or 3.2, 0.0, rng, rest_s=0.5)
    n = tl.n
    p = _step_phase(tl)
    active = p >= 0
    pp = np.where(active, p, 0.0)
    ah = body.ankle_height_m
    half_w = 0.5 * body.hip_width_m
    scale = body.height_m / 1.75
    box_front, box_depth = 0.30 * scale, 0.42
    y_lead = box_front + body.heel_back_m + 0.07
    z_stand = standing_hip_height(body, 0.0)
    drop_h = ah - body.foot_marker_height_m
    toe_y = body.toe_forward_m

    def rolled(pitch_deg: float) -> np.ndarray:
        ff, fu = direction(0.0, pitch_deg), direction(0.0, pitch_deg + 90.0)
        return np.array([0.0, toe_y, body.foot_marker_height_m]) - body.toe_forward_m * ff + drop_h * fu

    # hip path: up on the trailing toes while the lead foot lands, forward over the box, up, back down
    y_key = 0.12 * scale
    t_key = rolled(-15.0)
    z_key = t_key[2] + float(np.sqrt(leg_reach(body, 15.0) ** 2 - (y_key - t_key[1]) ** 2))
    z_top = h + standing_hip_height(body, 0.0, 5.0)
    y_down = 0.06 * scale
    t_back = rolled(-30.0)  # the trailing foot comes back down toe first
    z_down = t_back[2] + float(np.sqrt(leg_reach(body, 5.0) ** 2 - (y_down - t_back[1]) ** 2))
    hip_y = keyframes(
        pp,
        [
            (0, 0),
            (_STEP_LAND, 0.03),
            (_STEP_KEY, y_key),
            (0.56, y_lead),
            (0.66, y_lead),
            (_STEP_BACK, y_down),
            (0.92, 0.03),
            (1.0, 0.0),
        ],
    )
    hip_z = keyframes(
        pp,
        [
            (0, z_stand),
            (_STEP_LAND, z_key - 0.01),
            (_STEP_KEY, z_key),
            (0.56, z_top),
            (0.66, z_top),
            (_STEP_BACK, z_down),
            (0.92, z_stand - 0.02),
            (1.0, z_stand),
        ],
    )
    hip_mid = np.stack([np.zeros(n), hip_y, hip_z], -1)

    # fault bump: in from the lead foot's lift, peak at the key frame, out by the top hold
    f = params.faults
    bump = np.where(
        pp <= _STEP_KEY,
        smoothstep((pp - 0.05) / (_STEP_KEY - 0.05)),
        smoothstep((0.66 - pp) / (0.66 - _STEP_KEY)),
    )
    affected = np.zeros(n, bool)
    for i in range(len(tl.spans)):
        if f.reps is None or (i + 1) in f.reps:
            affected |= tl.rep == i
    bump = np.where(affected & active, bump, 0.0)
    on = f.side in (lead, "both")
    drop = bump * (f.pelvic_drop_deg if on else 0.0)
    valgus = {lead: bump * (f.knee_valgus_deg if on else 0.0), trail: np.zeros(n)}
    hips = pelvis_about_stance_hip(hip_mid + side_sign(lead) * half_w * X, lead, body.hip_width_m, drop)

    # lead foot: lifted over the box edge onto the box, stays, comes back down last
    ly = keyframes(
        pp, [(0, 0), (0.09, 0), (_STEP_LAND, y_lead), (0.82, y_lead), (0.87, 0.2), (0.91, 0.0), (1, 0)]
    )
    lz = keyframes(
        pp,
        [
            (0, ah),
            (0.09, h + ah + 0.06),
            (_STEP_LAND, h + ah),
            (0.82, h + ah),
            (0.87, h + ah + 0.06),
            (0.91, h + ah + 0.05),
            (0.96, ah),
            (1.0, ah),
        ],
    )
    lead_ankle = np.stack([np.full(n, side_sign(lead) * half_w), ly, lz], -1)
    lff, lfu = planted_foot(n, 5.0, lead)

    # trail foot: flat, onto the toes, knee drive over the box, back to the floor behind it
    pitch = keyframes(
        pp,
        [
            (0, 0),
            (0.1, 0),
            (_STEP_LIFT, -30),
            (0.5, -20),
            (0.66, -15),
            (0.72, -25),
            (_STEP_BACK, -30),
            (0.88, 0),
            (1, 0),
        ],
    )
    yaw = side_sign(trail) * 5.0
    tff, tfu = direction(yaw, pitch), direction(yaw, pitch + 90.0)
    x_t = side_sign(trail) * half_w
    on_toes = np.array([x_t, toe_y, body.foot_marker_height_m]) - body.toe_forward_m * tff + drop_h * tfu
    drive = free_leg(body, hips[trail], np.full(n, 70.0), np.full(n, 95.0), 0.0)["ankle"]
    top = np.abs(pp - 0.61) < 0.05
    d_y = float(np.mean(drive[top, 1] - hip_y[top]))
    d_z = float(np.mean(drive[top, 2] - hip_z[top]))
    lift = rolled(-30.0)
    lift_y, lift_z = float(lift[1]), float(lift[2])
    ty = keyframes(
        pp,
        [
            (_STEP_LIFT, lift_y),
            (0.42, lift_y + 0.02),
            (0.5, box_front + 0.05),
            (0.58, y_lead + d_y),
            (0.66, y_lead + d_y),
            (0.72, 0.08),
            (_STEP_BACK, float(t_back[1])),
        ],
    )
    tz = keyframes(
        pp,
        [
            (_STEP_LIFT, lift_z),
            (0.42, h + 0.1),
            (0.5, h + 0.2),
            (0.58, z_top + d_z),
            (0.66, z_top + d_z),
            (0.72, h + 0.2),
            (_STEP_BACK, float(t_back[2])),
        ],
    )
    swing = (pp > _STEP_LIFT) & (pp < _STEP_BACK)
    trail_ankle = np.where(swing[:, None], np.stack([np.full(n, x_t), ty, tz], -1), on_toes)
    d = trail_ankle - hips[trail]
    dist = np.linalg.norm(d, axis=-1, keepdims=True)
    trail_ankle = hips[trail] + d * np.minimum(1.0, 0.999 * body.leg_m / dist)

    pose: dict[str, np.ndarray] = {}
    fwd = tile(Y, n)
    lead_knee = leg_with_valgus(body, hips, lead, lead_ankle, fwd, 0.0, valgus, params)
    trail_knee = knee_ik(hips[trail], trail_ankle, body.thigh_m, body.shank_m, fwd)
    pose.update(
        {
            f"hip_{lead[0]}": hips[lead],
            f"knee_{lead[0]}": lead_knee,
            f"ankle_{lead[0]}": lead_ankle,
            f"foot_fwd_{lead[0]}": lff,
            f"foot_up_{lead[0]}": lfu,
            f"hip_{trail[0]}": hips[trail],
            f"knee_{trail[0]}": trail_knee,
            f"ankle_{trail[0]}": trail_ankle,
            f"foot_fwd_{trail[0]}": tff,
            f"foot_up_{trail[0]}": tfu,
        }
    )
    lean = keyframes(pp, [(0, 2), (_STEP_LAND, 12), (_STEP_KEY, 18), (0.56, 4), (_STEP_BACK, 10), (1.0, 2)])
    pose.update(upright_upper_body(n, lean))
    hanging_arms(n, pose, 8.0 + 25.0 * np.sin(np.pi * pp) ** 2, abd=0.15, elbow_deg=25.0)
    stance = np.where(active & (pp >= _STEP_LAND) & (pp < _STEP_BACK), lead, "").astype("<U5")
    reps = rep_records(tl, params, lead, {lead: valgus[lead], trail: valgus[trail]}, drop)
    box = dict(kind="box", centre_m=(0.0, box_front + box_depth / 2, h / 2), size_m=(0.6, box_depth, h))
    return RawMotion(pose, reps, stance, np.full(n, lead, dtype="<U5"), tl.rep_start(), props=[box])


GENERATORS = {
    "squat": gen_squat,
    "single-leg-squat": gen_single_leg_squat,
    "single-leg-balance": gen_single_leg_balance,
    "running": gen_running,
    "bridge": gen_bridge,
    "single-leg-bridge": gen_single_leg_bridge,
    "kickback": gen_kickback,
    "step-up": gen_step_up,
}
