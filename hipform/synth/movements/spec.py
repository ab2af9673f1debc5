"""What hipform.synth knows about simulating one movement, as one frozen record.

Each generator module in this package exports one :class:`MovementGenerator`;
the registry in ``__init__`` collects them under the names of
:data:`hipform.kinematics.movements.REGISTRY`. A generator returns a
:class:`RawMotion`: per-frame *driving* positions and directions (hips, knees,
ankles, feet, trunk, head and arm directions) that :func:`assemble` turns into
the 33 MediaPipe landmarks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, get_args

import numpy as np

from hipform.kinematics.movements import REGISTRY as KINEMATICS
from hipform.landmarks import N_LANDMARKS, Landmark
from hipform.synth.movements.common import unit

if TYPE_CHECKING:
    from hipform.synth.athlete import BodyProportions, MotionParams

#: A fault a generator can inject: the name of its magnitude in :class:`hipform.synth.athlete.Faults`.
InjectableFault = Literal[
    "knee_valgus_deg",
    "pelvic_drop_deg",
    "back_arch_deg",
    "pelvic_roll_deg",
    "feet_apart_cm",
    "small_range_deg",
    "pelvis_sway_cm",
    "trunk_lean_deg",
    "hinge_line_deg",
    "free_foot_drop_cm",
    "depth_lost_cm",
    "feet_together_cm",
    "leg_forward_deg",
    "hip_hike_deg",
]
#: Every injectable fault, in the order of :class:`hipform.synth.athlete.Faults`.
INJECTABLE_FAULTS: tuple[InjectableFault, ...] = get_args(InjectableFault)
#: The kinematics fault (:data:`hipform.kinematics.faults.Fault`) each injectable fault shows as.
KINEMATIC_FAULT: dict[InjectableFault, str] = {
    "knee_valgus_deg": "knee_collapse",
    "pelvic_drop_deg": "pelvic_drop",
    "back_arch_deg": "back_arch",
    "pelvic_roll_deg": "pelvic_roll",
    "feet_apart_cm": "feet_apart",
    "small_range_deg": "small_range",
    "pelvis_sway_cm": "instability",
    "trunk_lean_deg": "instability",
    "hinge_line_deg": "hinge_line",
    "free_foot_drop_cm": "instability",
    "depth_lost_cm": "depth_lost",
    "feet_together_cm": "feet_together",
    "leg_forward_deg": "leg_forward",
    "hip_hike_deg": "hip_hike",
}
#: The camera views (names of :data:`hipform.synth.camera.VIEW_YAW_DEG`) of each set-up a fault
#: rule asks for (:attr:`hipform.kinematics.faults.FaultRule.setup`). A lying athlete's feet point
#: to +y, so "front" films from the feet.
SETUP_VIEWS: dict[str, tuple[str, ...]] = {
    "frontal": ("front", "rear"),
    "frontal-feet": ("front",),
    "side": ("left", "right"),
}

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


def assemble(body: BodyProportions, pose: dict[str, np.ndarray]) -> np.ndarray:
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


class TruthContext(NamedTuple):
    """What a movement's own truth measures read (see :func:`hipform.synth.athlete.compute_truth`).

    points : ``left_hip``, ``right_knee`` … (hip, knee, ankle, shoulder of each side) → (T, 3)
        world positions, metres.
    shoulder_mid, hip_mid : (T, 2) sagittal (y, z) midpoints of the shoulders and of the hips.
    trunk_down : (T, 2) ``hip_mid - shoulder_mid``, the extended trunk line.
    work_side : (T,) the working leg per frame ("left", "right" or "").
    rep_start : (T,) frame where the current rep started (0 before the first).
    """

    points: dict[str, np.ndarray]
    shoulder_mid: np.ndarray
    hip_mid: np.ndarray
    trunk_down: np.ndarray
    work_side: np.ndarray
    rep_start: np.ndarray


@dataclass(frozen=True)
class MovementGenerator:
    """How the synthetic athlete performs one movement.

    Attributes
    ----------
    name : the movement's name in :data:`hipform.kinematics.movements.REGISTRY`.
    generate : ``generate(params, rng)`` → the :class:`RawMotion` of a clip; ``rng`` draws the
        rep-to-rep variation, always in the same order for the same parameters.
    faults : the faults it can inject.
    alternating_legs : the legs take turns (running's steps), so a fault may be on either leg
        or both whatever the first leg; otherwise a one-legged movement shows a fault on its
        working leg only.
    own_truth : the truth measures only this movement has (truth key → (T,) array, e.g. the
        bridge hip line), or None; every other movement gets NaN for them.
    shifts_weight : it can shift the pelvis sideways over planted feet
        (:attr:`hipform.synth.athlete.MotionParams.weight_shift_m`).
    """

    name: str
    generate: Callable[[MotionParams, np.random.Generator], RawMotion]
    faults: tuple[InjectableFault, ...]
    alternating_legs: bool = False
    own_truth: Callable[[TruthContext], dict[str, np.ndarray]] | None = None
    shifts_weight: bool = False

    def __post_init__(self) -> None:
        unknown = [f for f in self.faults if f not in INJECTABLE_FAULTS]
        if unknown or not self.faults:
            raise ValueError(f"{self.name}: faults must be some of {INJECTABLE_FAULTS}, got {self.faults!r}")

    def views_for(self, fault: InjectableFault) -> tuple[str, ...]:
        """The camera views that see ``fault`` in this movement (from the set-up of its fault rules)."""
        rules = [r for r in KINEMATICS[self.name].rules if r.fault == KINEMATIC_FAULT[fault]]
        return tuple(dict.fromkeys(view for r in rules for view in SETUP_VIEWS[r.setup]))
