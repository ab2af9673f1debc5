"""Treadmill running: the stance knee collapses inwards, the swing-side hip drops (front or rear view).

One step is one rep: contact → midstance (the key frame) → toe-off. The legs
take turns, so a fault can be on either leg or both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from hipform.synth.movements.common import (
    X,
    Y,
    Z,
    direction,
    fppa_xz,
    free_leg,
    keyframes,
    knee_ik,
    knee_with_fppa,
    leg_reach,
    other_side,
    pelvis_about_stance_hip,
    sagittal,
    side_sign,
    smoothstep,
    standing_hip_height,
    tile,
    upright_upper_body,
)
from hipform.synth.movements.spec import MovementGenerator, RawMotion

if TYPE_CHECKING:
    from hipform.synth.athlete import BodyProportions, Faults, MotionParams

#: Running step model, as fractions of the step time / stance time (treadmill, ~2.5–3.5 m/s).
_RUN_CONTACT_FRAC = 0.72  # contact time ÷ step time (≈ 0.25 s at 175 steps/min)
_RUN_MIDSTANCE = 0.35  # stance fraction where the ankle passes under the hip and the knee bends most
_RUN_HEEL_FLAT, _RUN_HEEL_OFF = 0.15, 0.55  # stance fractions: foot flat, heel starts to rise
_RUN_STRIKE_PITCH, _RUN_TOEOFF_PITCH = 8.0, -35.0  # foot pitch (deg, toes up positive)


@dataclass(frozen=True, eq=False)
class _Run:
    """The step timing of one running clip (seconds, metres, frames).

    ``t`` (T,) is the running time, negative during the still lead-in; ``sides`` the first
    stance leg, then the other; ``foot_x`` each foot's lateral position on the belt.
    """

    body: BodyProportions
    fps: float
    stride: float
    step: float
    tc: float  # contact time
    travel: float  # belt travel during one contact
    depth: float  # knee flexion at midstance, deg
    lead: int  # lead-in frames
    n_run: int  # running frames
    t: np.ndarray
    half_w: float
    sides: tuple[str, str]
    foot_x: dict[str, float]

    @property
    def n(self) -> int:
        """Number of frames T."""
        return len(self.t)

    @property
    def tr(self) -> np.ndarray:
        """(T,) running time, 0 during the lead-in."""
        return np.maximum(self.t, 0.0)


def _run_timing(params: MotionParams) -> _Run:
    """The step timing of ``params`` (tempo = stride time, depth = midstance knee flexion)."""
    body = params.body
    fps = params.fps
    stride = params.tempo_s or 120.0 / 175.0
    step = stride / 2
    tc = _RUN_CONTACT_FRAC * step
    lead = int(round(params.standing_lead_in_s * fps))
    n_run = int(round(params.reps * stride * fps))
    half_w = 0.5 * body.hip_width_m
    first = params.working_side  # the first stance leg
    sides = (first, other_side(first))
    return _Run(
        body=body,
        fps=fps,
        stride=stride,
        step=step,
        tc=tc,
        travel=params.speed_mps * tc,
        depth=params.depth if params.depth is not None else 40.0,
        lead=lead,
        n_run=n_run,
        t=(np.arange(lead + n_run + 1) - lead) / fps,
        half_w=half_w,
        sides=sides,
        foot_x={sd: side_sign(sd) * max(half_w - 0.05 * body.height_m / 1.75, 0.02) for sd in sides},
    )


def _stance_foot(
    body: BodyProportions, s: np.ndarray, travel: float, x: float, side: str
) -> dict[str, np.ndarray]:
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


def _leg_phases(run: _Run) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per leg, the (T,) stance fraction (NaN in swing) and swing fraction (NaN in stance)."""
    stance_s, swing_q = {}, {}
    for k, sd in enumerate(run.sides):
        ph = (run.tr - k * run.step) / run.stride  # stride phase of this leg, 0 = its foot strike
        cyc = np.floor(ph)
        within = (ph - cyc) * run.stride
        in_stance = (within < run.tc) & (ph >= 0) & (run.t >= 0)
        stance_s[sd] = np.where(in_stance, within / run.tc, np.nan)
        swing_q[sd] = np.where(in_stance, np.nan, ((within - run.tc) % run.stride) / (run.stride - run.tc))
    return stance_s, swing_q


def _stance_hip_z(run: _Run, s: np.ndarray, sd: str) -> np.ndarray:
    """Hip-centre height over stance fractions ``s`` of leg ``sd``, from its knee flexion profile."""
    flex = keyframes(s, [(0.0, 18.0), (_RUN_MIDSTANCE, run.depth), (1.0, 16.0)])
    a = _stance_foot(run.body, s, run.travel, run.foot_x[sd], sd)["ankle"]
    reach = leg_reach(run.body, flex)
    dx = side_sign(sd) * run.half_w - a[:, 0]
    return a[:, 2] + np.sqrt(np.clip(reach**2 - a[:, 1] ** 2 - dx**2, 1e-6, None))


def _hip_height(run: _Run, stance_s: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, float, float]:
    """(T,) hip-centre height and stance leg ("" in flight), and the hip heights at toe-off and strike.

    Stance heights come from the leg model; flight joins toe-off to the next strike with a cubic
    Hermite curve that keeps the vertical velocity.
    """
    c, eps, first = _RUN_CONTACT_FRAC, 1e-4, run.sides[0]
    z0 = _stance_hip_z(run, np.array([0.0, eps]), first)
    z1 = _stance_hip_z(run, np.array([1.0 - eps, 1.0]), first)
    v0, v1 = (z0[1] - z0[0]) / (eps * c * run.step), (z1[1] - z1[0]) / (eps * c * run.step)
    tf = (1 - c) * run.step

    def flight_z(q: np.ndarray) -> np.ndarray:
        h00, h10 = 2 * q**3 - 3 * q**2 + 1, q**3 - 2 * q**2 + q
        h01, h11 = -2 * q**3 + 3 * q**2, q**3 - q**2
        return h00 * z1[1] + h10 * tf * v1 + h01 * z0[0] + h11 * tf * v0

    hip_z = np.full(run.n, standing_hip_height(run.body, 0.0))
    stance_arr = np.full(run.n, "", dtype="<U5")
    for sd in run.sides:
        st = np.isfinite(stance_s[sd])
        stance_arr[st] = sd
        if np.any(st):
            hip_z[st] = _stance_hip_z(run, stance_s[sd][st], sd)
    flight = (run.t >= 0) & (stance_arr == "")
    q = ((run.tr - run.tc) % run.step) / tf
    hip_z[flight] = flight_z(q[flight])
    return hip_z, stance_arr, z1[1], z0[0]


def _contacts(run: _Run) -> list[tuple[float, str]]:
    """(contact time, leg) of every complete stance phase, in time order."""
    out = []
    for k, sd in enumerate(run.sides):
        m = 0
        while True:
            tc0 = k * run.step + m * run.stride
            if tc0 + run.tc > run.n_run / run.fps:
                break
            out.append((tc0, sd))
            m += 1
    return sorted(out)


def _steps(
    run: _Run, stance_s: dict[str, np.ndarray], f: Faults
) -> tuple[list[dict[str, Any]], dict[str, np.ndarray], np.ndarray]:
    """Per-step truth, and the (T,) knee valgus per leg and pelvic drop the faults inject.

    A fault ramps in from contact, peaks at midstance (the key frame, the frame nearest the
    model's midstance) and is gone by toe-off.
    """
    ramp = {sd: np.zeros(run.n) for sd in run.sides}
    reps: list[dict[str, Any]] = []
    for i, (tc0, sd) in enumerate(_contacts(run)):
        start = run.lead + int(np.ceil(tc0 * run.fps - 1e-9))
        key = run.lead + int(round((tc0 + _RUN_MIDSTANCE * run.tc) * run.fps))
        end = run.lead + int(np.floor((tc0 + run.tc) * run.fps - 1e-9))
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
    valgus_deg = {sd: np.zeros(run.n) for sd in run.sides}
    drop_total = np.zeros(run.n)
    for sd in run.sides:
        if f.side in (sd, "both"):
            valgus_deg[sd] = ramp[sd] * f.knee_valgus_deg
            drop_total += ramp[sd] * f.pelvic_drop_deg
    return reps, valgus_deg, drop_total


def _pelvis(
    run: _Run, hip_z: np.ndarray, stance_arr: np.ndarray, drop_deg: np.ndarray
) -> dict[str, np.ndarray]:
    """Both hips: level unless a stance hip carries a drop; the stance hip is the pivot."""
    centre = np.stack([np.zeros(run.n), np.zeros(run.n), hip_z], -1)
    hips = {sd: centre + side_sign(sd) * run.half_w * X for sd in run.sides}
    for sd in run.sides:
        st = stance_arr == sd
        if np.any(st):
            pel = pelvis_about_stance_hip(hips[sd][st], sd, run.body.hip_width_m, drop_deg[st])
            hips[other_side(sd)][st] = pel[other_side(sd)]
    return hips


def _swing_foot(
    run: _Run, sd: str, hip: np.ndarray, qq: np.ndarray, z_toe_off: float, z_strike: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ankle, foot forward and foot up of leg ``sd`` swinging at swing fractions ``qq`` under ``hip``.

    Sagittal keyframes from toe-off to the next strike, corrected so that the swing meets the
    stance foot at both ends, clear of the belt and within reach of the hip.
    """
    body = run.body
    thigh = keyframes(qq, [(0.0, -22.0), (0.3, -5.0), (0.7, 32.0), (0.9, 28.0), (1.0, 25.0)])
    kf = keyframes(qq, [(0.0, 16.0), (0.3, 95.0), (0.6, 75.0), (0.9, 22.0), (1.0, 18.0)])
    pitch = keyframes(qq, [(0.0, _RUN_TOEOFF_PITCH), (0.3, -15.0), (0.8, 5.0), (1.0, _RUN_STRIKE_PITCH)])
    fk = free_leg(body, hip, thigh, kf, 0.0)
    end_to = _stance_foot(body, np.array([1.0]), run.travel, run.foot_x[sd], sd)["ankle"][0]
    end_c = _stance_foot(body, np.array([0.0]), run.travel, run.foot_x[sd], sd)["ankle"][0]
    fk_to = free_leg(body, np.zeros((1, 3)), np.array([-22.0]), np.array([16.0]), 0.0)["ankle"][0]
    fk_c = free_leg(body, np.zeros((1, 3)), np.array([25.0]), np.array([18.0]), 0.0)["ankle"][0]
    w = smoothstep(qq)[:, None]
    hip_to = np.array([side_sign(sd) * run.half_w, 0.0, z_toe_off])
    hip_c = np.array([side_sign(sd) * run.half_w, 0.0, z_strike])
    corr = (1 - w) * (end_to - hip_to - fk_to) + w * (end_c - hip_c - fk_c)
    target = fk["ankle"] + corr
    target[:, 2] += 0.03 * body.height_m / 1.75 * np.sin(np.pi * qq) ** 2  # toe clearance
    yaw = side_sign(sd) * 5.0
    sff, sfu = direction(yaw, pitch), direction(yaw, pitch + 90.0)
    drop = body.ankle_height_m - body.foot_marker_height_m
    low = np.minimum(-body.heel_back_m * sff[:, 2], body.toe_forward_m * sff[:, 2]) - drop * sfu[:, 2]
    target[:, 2] = np.maximum(target[:, 2], body.foot_marker_height_m - low)  # never through the belt
    d = target - hip
    dist = np.linalg.norm(d, axis=-1, keepdims=True)
    return hip + d * np.minimum(1.0, 0.999 * body.leg_m / dist), sff, sfu


def _valgus_knee(
    hips: dict[str, np.ndarray], sd: str, ankle: np.ndarray, clean: np.ndarray, valgus: np.ndarray, mag: float
) -> np.ndarray:
    """The knee of leg ``sd``: its clean FPPA blended into the injected ``valgus`` (deg) where that ramps."""
    if not np.any(valgus):
        return clean
    other = hips[other_side(sd)]
    r = valgus / mag
    clean_f = fppa_xz(hips[sd], clean, ankle, other)
    target_f = (1 - r) * clean_f + valgus
    on = r > 0
    knee = clean.copy()
    knee[on] = knee_with_fppa(hips[sd][on], ankle[on], clean[on], other[on], target_f[on])
    return knee


def _foot_path(
    run: _Run,
    sd: str,
    hip: np.ndarray,
    st: np.ndarray,
    phases: tuple[np.ndarray, np.ndarray],
    z_ends: tuple[float, float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(T, 3) ankle, foot forward and foot up of leg ``sd``: on the belt, swinging, standing in the lead-in.

    ``st`` (T,) marks its stance frames; ``phases`` are its stance and swing fractions.
    """
    stance_s, swing_q = phases
    n = run.n
    ankle, ff, fu = np.zeros((n, 3)), np.zeros((n, 3)), np.zeros((n, 3))
    if np.any(st):
        foot = _stance_foot(run.body, stance_s[st], run.travel, run.foot_x[sd], sd)
        ankle[st], ff[st], fu[st] = foot["ankle"], foot["foot_fwd"], foot["foot_up"]
    sw = (~st) & (run.t >= 0)
    ankle[sw], ff[sw], fu[sw] = _swing_foot(run, sd, hip[sw], swing_q[sw], *z_ends)
    pre = run.t < 0
    ankle[pre] = (side_sign(sd) * run.half_w, 0.0, run.body.ankle_height_m)
    ff[pre], fu[pre] = direction(side_sign(sd) * 5.0), Z
    return ankle, ff, fu


def _legs(
    run: _Run,
    hips: dict[str, np.ndarray],
    stance_arr: np.ndarray,
    phases: tuple[dict[str, np.ndarray], dict[str, np.ndarray]],
    z_ends: tuple[float, float],
    valgus_deg: dict[str, np.ndarray],
    valgus_mag: float,
) -> dict[str, np.ndarray]:
    """Hips, knees, ankles and feet of both legs; stands the hips of the lead-in (in ``hips``) upright."""
    stance_s, swing_q = phases
    stand_z = standing_hip_height(run.body, 0.0)
    pose: dict[str, np.ndarray] = {}
    for sd in run.sides:
        own = (stance_s[sd], swing_q[sd])
        ankle, ff, fu = _foot_path(run, sd, hips[sd], stance_arr == sd, own, z_ends)
        hips[sd][run.t < 0] = (side_sign(sd) * run.half_w, 0.0, stand_z)
        clean = knee_ik(hips[sd], ankle, run.body.thigh_m, run.body.shank_m, tile(Y, run.n))
        lt = sd[0]
        pose.update(
            {
                f"hip_{lt}": hips[sd],
                f"knee_{lt}": _valgus_knee(hips, sd, ankle, clean, valgus_deg[sd], valgus_mag),
                f"ankle_{lt}": ankle,
                f"foot_fwd_{lt}": ff,
                f"foot_up_{lt}": fu,
            }
        )
    return pose


def _trunk_and_arms(run: _Run, pose: dict[str, np.ndarray]) -> None:
    """A slight forward lean while running; the arms swing against the legs (into ``pose``)."""
    running = run.t >= 0
    pose.update(
        upright_upper_body(run.n, np.where(running, 7.0, 2.0), head_pitch_deg=np.where(running, -3.0, 0.0))
    )
    # the arm on the side of the forward-swinging thigh goes back
    phase = 2 * np.pi * run.tr / run.stride
    for k, sd in enumerate(run.sides):
        swing = np.where(running, 28.0 * np.cos(phase - k * np.pi), 0.0)  # + forward
        upper = np.where(running, 12.0 + swing, 6.0)
        elbow = np.where(running, 85.0 - 0.3 * swing, 10.0)
        lt = sd[0]
        pose[f"uarm_{lt}"] = sagittal(upper, side_sign(sd) * 0.15)
        pose[f"farm_{lt}"] = sagittal(upper + elbow, -side_sign(sd) * 0.3)


def generate(params: MotionParams, rng: np.random.Generator) -> RawMotion:
    """Treadmill running: heel-to-toe stance on a moving belt, flight, swing, counter-swinging arms.

    ``tempo_s`` is the stride time (two steps; default 120/175 s = 175
    steps/min), ``depth`` the knee flexion at midstance (default 40°),
    ``speed_mps`` the belt speed. ``reps`` counts strides. Each step is one
    rep: contact → midstance (key) → toe-off. ``rng`` is not drawn from: the
    steps are regular.
    """
    run = _run_timing(params)
    stance_s, swing_q = _leg_phases(run)
    hip_z, stance_arr, z_toe_off, z_strike = _hip_height(run, stance_s)
    reps, valgus_deg, drop_deg = _steps(run, stance_s, params.faults)
    hips = _pelvis(run, hip_z, stance_arr, drop_deg)
    phases, z_ends = (stance_s, swing_q), (z_toe_off, z_strike)
    pose = _legs(run, hips, stance_arr, phases, z_ends, valgus_deg, params.faults.knee_valgus_deg)
    _trunk_and_arms(run, pose)
    return RawMotion(
        pose,
        reps,
        stance_arr,
        np.full(run.n, "", dtype="<U5"),
        np.zeros(run.n, int),
        props=[dict(kind="treadmill", centre_m=(0.0, -0.1, 0.002), size_m=(0.8, 1.9, 0.004))],
    )


GENERATOR = MovementGenerator(
    name="running",
    generate=generate,
    faults=("knee_valgus_deg", "pelvic_drop_deg"),
    alternating_legs=True,
)
