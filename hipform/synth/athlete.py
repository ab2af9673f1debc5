"""A kinematic athlete: 3D landmark trajectories of eight movements with known faults and known angles.

:func:`simulate` returns a :class:`Motion`: the world positions of all 33
MediaPipe landmarks over time, the per-frame true value of every measure
hipform reports, the true fault of every rep and the props (box, mat,
treadmill) a renderer should draw.

World frame: metres, right-handed, z up, floor z = 0. The athlete starts at
the origin facing +y, so the athlete's right is +x. Lying movements keep that
handedness: the bridge lies supine along the y axis (head towards -y, feet
towards +y, face up), the kickback kneels on all fours along the y axis (head
towards +y, face down). Running is on a treadmill whose belt runs along -y;
the runner stays near the origin.

Truth measures
--------------
All angles in degrees, evaluated on the 3D landmarks projected onto the ideal
viewing plane: the **frontal plane** is the world x–z plane (what a far camera
in front of or behind the athlete sees; for the single-leg bridge, a camera at
the feet looking along the body), the **sagittal plane** is the world y–z
plane (a far camera on the athlete's side). Angles are therefore exactly the
2D quantities a perfect pose model would give from that view. NaN where a
measure does not apply to the movement.

``knee_fppa_left_deg``, ``knee_fppa_right_deg``
    Frontal. Knee frontal-plane projection angle: the angle between thigh
    (hip→knee) and shank (knee→ankle), i.e. 180° − the hip–knee–ankle angle.
    Positive = valgus (knee medial of the hip–ankle line, medial being the
    direction from this hip to the other hip), negative = varus. Upright
    movements only (NaN for bridges and kickbacks).
``knee_separation_ratio``
    Frontal. Knee-to-knee distance ÷ ankle-to-ankle distance (2D Euclidean in
    the x–z plane), unitless. Upright movements only.
``hip_adduction_left_deg``, ``hip_adduction_right_deg``
    Frontal. Angle of the thigh (hip→knee) from the perpendicular to the
    hip–hip line (pointing towards the feet); positive = adduction (knee
    medial of that perpendicular). Upright movements only.
``pelvic_obliquity_deg``
    Frontal. Angle of the hip–hip line from horizontal, positive when the left
    hip is higher. All movements.
``pelvic_drop_deg``
    Frontal. Contralateral pelvic drop: the obliquity signed so that positive
    means the swing (non-stance) side hip is lower. NaN on frames without a
    single stance leg (double support, flight, bilateral movements).
``bridge_hip_line_deg``
    Sagittal. 180° − the shoulder–hip–knee angle, positive when the hips are
    above the shoulder–knee line; 0 = a straight line. Bridge: mid-shoulder,
    mid-hip, mid-knee. Single-leg bridge: shoulder, hip and knee of the floor
    (stance) leg's side. Bridges only.
``kickback_thigh_past_trunk_deg``
    Sagittal. Angle between the working thigh (hip→knee) and the extended
    trunk line (mid-shoulder→mid-hip), positive when the knee is above that
    line (thigh extended past the trunk), negative below. Kickback only.
``kickback_trunk_change_deg``
    Sagittal. Change of the trunk line (mid-shoulder→mid-hip against
    horizontal, positive when the hips are lower than the shoulders) since the
    start of the current rep (before the first rep: since the first frame);
    positive = the hips sank. Kickback only.
``clamshell_knee_opening_deg``
    Frontal (from the feet). Signed angle from the bottom thigh to the top
    (working) thigh, hip→knee, positive as the top knee rises, minus its value
    at the start of the current rep. Clamshell only.
``clamshell_pelvic_roll_deg``
    Frontal (from the feet). Angle of the bottom-hip→top-hip line from
    vertical, positive when the top hip moves back (posterior), minus its
    value at the start of the current rep. Clamshell only.
``clamshell_feet_apart_cm``
    Frontal (from the feet). Ankle-to-ankle distance, centimetres, minus its
    value at the start of the current rep. Clamshell only.
``pelvis_lateral_cm``
    Frontal. Sideways distance of the hip midpoint from the working (stance) ankle, centimetres,
    positive toward the working side's outside. Single-leg balance, step-up and single-leg squat
    (NaN for the others); an injected ``pelvis_sway_cm`` adds exactly its amplitude at each key frame.
``trunk_lean_stance_deg``
    Frontal. Sideways angle of the hip-mid → shoulder-mid line from vertical (x–z plane), positive
    toward the working (stance) side. Single-leg balance, step-up and single-leg squat; an injected
    ``trunk_lean_deg`` is exactly this at each key frame.
``sldl_pelvis_opening_deg``
    Frontal. Single-leg deadlift: the hip line's tilt from horizontal, positive with the free-side hip
    up, minus its value at the start of the rep; an injected ``pelvic_roll_deg`` is exactly this at
    each key frame.
``sldl_hinge_line_deg``
    Sagittal. Single-leg deadlift: 180° − the angle at the hip midpoint between the shoulder midpoint
    and the free ankle (0 = one straight line); an injected ``hinge_line_deg`` is exactly this at each
    key frame.
``sldl_free_foot_height_cm``
    Single-leg deadlift: height of the free ankle above the stance ankle, centimetres (0 = the free
    foot down; the touch-down rule grades it in leg lengths); an injected ``free_foot_drop_cm`` lowers
    it by exactly that at each key frame (down to 0).
``band_walk_hip_rise_cm``
    Height of the hip midpoint above its height in the first frame (the set's half squat), cm.
    Band walk only; an injected ``depth_lost_cm`` is exactly this at each key frame.
``band_walk_feet_closer_cm``
    Frontal. Ankle-to-ankle distance (x–z plane) of the first frame less this frame's, cm: how much
    narrower the stance is than at the start of the set. Band walk only; an injected
    ``feet_together_cm`` is exactly this at each key frame.
``leg_lift_forward_deg``
    Frontal (from the feet). Side-lying leg lift: angle of the top hip→ankle line from vertical in the
    x–z plane, positive toward the front of the body; an injected ``leg_forward_deg`` is exactly this
    at each key frame.
``leg_lift_pelvic_roll_deg``
    Frontal (from the feet). Side-lying leg lift: as ``clamshell_pelvic_roll_deg``; an injected
    ``pelvic_roll_deg`` is exactly this at each key frame.
``leg_lift_hip_hike_deg``
    Side-lying leg lift, seen from the front or back: the bottom-hip→top-hip line's turn toward the
    head against the shoulder line (y–z plane), minus its value at the start of the current rep; an
    injected ``hip_hike_deg`` is exactly this at each key frame.
``trunk_inclination_deg``
    Sagittal. Angle of mid-hip→mid-shoulder from vertical, positive leaning
    towards +y (forwards for upright movements). All movements but side-lying
    ones (their sagittal plane is the floor's, which no side camera sees).
``knee_flexion_left_deg``, ``knee_flexion_right_deg``
    Sagittal. 180° − the hip–knee–ankle angle, positive = flexion (the shank
    folds behind the thigh), negative = hyperextension. All movements but
    side-lying ones.
``hip_flexion_left_deg``, ``hip_flexion_right_deg``
    Sagittal. Angle from the extended trunk line (mid-shoulder→mid-hip) to the
    thigh (hip→knee), positive = flexion (thigh in front of the trunk line),
    negative = extension. All movements but side-lying ones.

Stance side
-----------
``Motion.stance_side`` is the single supporting leg per frame: the standing
leg of single-leg squats and balances (only while the other foot is off the
floor for the balance), the floor leg of the single-leg bridge, the lead leg
of a step-up from its landing on the box until the trailing foot is back on
the floor, the foot on the belt when running (empty in flight). Empty for
bilateral movements.

Faults
------
``Faults.side`` names the affected leg: for knee valgus the collapsing knee;
for pelvic drop the *stance* leg (the weak side), whose opposite hip drops.
Fault magnitudes ramp in and out with the rep's progress and reach their
exact value at the rep's key frame (:attr:`RepTruth.key_frame`). Rep numbers
in ``Faults.reps`` and :attr:`RepTruth.index` start at 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hipform.kinematics.movements import MOVEMENTS  # the movements hipform judges, named once
from hipform.kinematics.movements import REGISTRY as _KINEMATICS
from hipform.landmarks import N_LANDMARKS, Landmark
from hipform.synth.movements import INJECTABLE_FAULTS, REGISTRY, TruthContext, assemble
from hipform.synth.movements.common import signed_angle_deg, signed_fppa_2d, xz, yz

#: Movements whose frontal knee measures are defined (the athlete is upright).
UPRIGHT_MOVEMENTS = tuple(name for name, m in _KINEMATICS.items() if m.posture == "upright")
#: Movements done lying on one side: their sagittal plane is the floor's, so no sagittal truth.
SIDE_LYING_MOVEMENTS = tuple(name for name, m in _KINEMATICS.items() if m.posture == "side-lying")

TRUTH_KEYS = (
    "knee_fppa_left_deg",
    "knee_fppa_right_deg",
    "knee_separation_ratio",
    "hip_adduction_left_deg",
    "hip_adduction_right_deg",
    "pelvic_obliquity_deg",
    "pelvic_drop_deg",
    "bridge_hip_line_deg",
    "kickback_thigh_past_trunk_deg",
    "kickback_trunk_change_deg",
    "clamshell_knee_opening_deg",
    "clamshell_pelvic_roll_deg",
    "clamshell_feet_apart_cm",
    "pelvis_lateral_cm",
    "trunk_lean_stance_deg",
    "sldl_pelvis_opening_deg",
    "sldl_hinge_line_deg",
    "sldl_free_foot_height_cm",
    "band_walk_hip_rise_cm",
    "band_walk_feet_closer_cm",
    "leg_lift_forward_deg",
    "leg_lift_pelvic_roll_deg",
    "leg_lift_hip_hike_deg",
    "trunk_inclination_deg",
    "knee_flexion_left_deg",
    "knee_flexion_right_deg",
    "hip_flexion_left_deg",
    "hip_flexion_right_deg",
)

_SEXES = ("female", "male")
_SIDES = ("left", "right", "both")


@dataclass(frozen=True)
class BodyProportions:
    """Segment lengths of the athlete, metres.

    Built from standing height with Winter's anthropometric ratios
    (Winter, *Biomechanics and Motor Control of Human Movement*, 4th ed., 2009,
    fig. 4.1): thigh 0.245 H, shank 0.246 H, ankle height 0.039 H, hip to
    shoulder 0.288 H, upper arm 0.186 H, forearm 0.146 H, hand 0.108 H, foot
    0.152 H. Hip and shoulder widths are joint-centre spacings (what MediaPipe's
    hip and shoulder points track), narrower than Winter's skin breadths.

    Attributes
    ----------
    height_m : standing height.
    sex : "female" or "male" (changes hip and shoulder widths).
    thigh_m, shank_m : hip→knee and knee→ankle.
    trunk_m : hip midpoint → shoulder midpoint.
    neck_m : shoulder midpoint → midpoint between the ears.
    hip_width_m, shoulder_width_m : left↔right hip and shoulder points.
    upper_arm_m, forearm_m, hand_m : shoulder→elbow, elbow→wrist, wrist→fingertip.
    foot_length_m : heel to toe tip.
    ankle_height_m : ankle joint above the floor, foot flat.
    heel_back_m, toe_forward_m : heel and foot-index points behind / ahead of the ankle.
    foot_marker_height_m : height of the heel and foot-index points above the sole.
    """

    height_m: float
    sex: str
    thigh_m: float
    shank_m: float
    trunk_m: float
    neck_m: float
    hip_width_m: float
    shoulder_width_m: float
    upper_arm_m: float
    forearm_m: float
    hand_m: float
    foot_length_m: float
    ankle_height_m: float
    heel_back_m: float
    toe_forward_m: float
    foot_marker_height_m: float

    def __post_init__(self) -> None:
        if self.sex not in _SEXES:
            raise ValueError(f"sex must be one of {_SEXES}, got {self.sex!r}")
        for name, value in self.__dict__.items():
            if name != "sex" and not (np.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive length in metres, got {value!r}")

    @classmethod
    def from_height(cls, height_m: float = 1.70, sex: str = "female") -> BodyProportions:
        """Proportions of an adult of ``height_m`` metres (1.2–2.3)."""
        if not (np.isfinite(height_m) and 1.2 <= height_m <= 2.3):
            raise ValueError(f"height_m must be between 1.2 and 2.3 m, got {height_m!r}")
        if sex not in _SEXES:
            raise ValueError(f"sex must be one of {_SEXES}, got {sex!r}")
        h = float(height_m)
        female = sex == "female"
        foot = 0.152 * h
        return cls(
            height_m=h,
            sex=sex,
            thigh_m=0.245 * h,
            shank_m=0.246 * h,
            trunk_m=0.288 * h,
            neck_m=0.107 * h,
            hip_width_m=(0.116 if female else 0.106) * h,
            shoulder_width_m=(0.200 if female else 0.218) * h,
            upper_arm_m=0.186 * h,
            forearm_m=0.146 * h,
            hand_m=0.108 * h,
            foot_length_m=foot,
            ankle_height_m=0.039 * h,
            heel_back_m=0.17 * foot,
            toe_forward_m=0.78 * foot,
            foot_marker_height_m=0.010 * h,
        )

    @property
    def leg_m(self) -> float:
        """Thigh + shank."""
        return self.thigh_m + self.shank_m


@dataclass(frozen=True)
class Faults:
    """Fault magnitudes to inject, reached exactly at the key frame of each affected rep.

    Attributes
    ----------
    knee_valgus_deg : knee FPPA (deg) at the key frame; positive = valgus.
    pelvic_drop_deg : contralateral pelvic drop (deg) at the key frame; the
        swing-side hip drops, the pelvis turning about the stance hip.
    back_arch_deg : extra hip-line angle at the top of a bridge, or extra
        thigh-past-trunk angle at the top of a kickback (deg); in the kickback
        the trunk line also tilts by ``KICKBACK_TRUNK_SHARE`` (0.5) of it,
        shoulders sinking (``kickback_trunk_change_deg`` = -0.5 × fault).
    pelvic_roll_deg : clamshell: the pelvis and trunk roll back (deg) about the
        body's long axis as the knee opens.
    feet_apart_cm : clamshell: the top ankle lifts off the bottom one (cm).
    small_range_deg : clamshell: the knee opens only this far (deg) instead of
        the clean range (``MotionParams.depth``); 0 = the clean range.
    pelvis_sway_cm : single-leg tasks: the pelvis sways sideways over the planted stance foot,
        ``pelvis_sway_cm × progress × cos(2π · SWAY_HZ · (t − t_key))`` cm toward the stance side's
        outside (:func:`hipform.synth.movements.common.sway_offset_m`): exactly this amplitude at
        each key frame, at :data:`~hipform.synth.movements.common.SWAY_HZ`.
    trunk_lean_deg : single-leg tasks: the trunk leans sideways over the stance leg (deg, the
        compensated Trendelenburg) at the key frame, turning about the hip midpoint.
    hinge_line_deg : single-leg deadlift: the trunk tips this much further down than the free leg
        (deg), bending the shoulder–hip–free-ankle line by exactly this at the key frame. Its
        ``pelvic_roll_deg`` is the pelvis opening: the free-side hip raised about the stance hip.
    free_foot_drop_cm : single-leg deadlift: the free foot lowered by this much (cm, not below the
        floor) at the key frame; at the default depth 42 cm or more puts it down (a touch-down).
    depth_lost_cm : band walk: the hips rise this much (cm) out of the half squat at the key frame
        (standing up out of the squat), the feet planted.
    feet_together_cm : band walk: the trailing foot lands this much (cm) closer to the leading one
        than the set's stance width at the key frame.
    leg_forward_deg : side-lying leg lift: the lifted leg turns this far (deg) toward the front of the
        body, seen from the feet (hip flexion instead of abduction), at the key frame.
    hip_hike_deg : side-lying leg lift: the pelvis tilts this far (deg) about the bottom hip, the top
        hip moving toward the ribs (a hip hike), at the key frame.
    side : "left", "right" or "both": the collapsing knee, the stance leg
        for pelvic drop, the top (working) leg of a clamshell.
    reps : 1-based rep numbers (steps for running) affected; None = all.
    grows_over_set : the fault grows over the set as with fatigue: rep i of n reaches
        (i − 1)/(n − 1) of each magnitude at its key frame (none in the first rep, all of it in
        the last). Faults injected through
        :func:`hipform.synth.movements.common.fault_ramp` only (not running's or the step-up's);
        a truth file records it only when set.
    """

    knee_valgus_deg: float = 0.0
    pelvic_drop_deg: float = 0.0
    back_arch_deg: float = 0.0
    pelvic_roll_deg: float = 0.0
    feet_apart_cm: float = 0.0
    small_range_deg: float = 0.0
    pelvis_sway_cm: float = 0.0
    trunk_lean_deg: float = 0.0
    hinge_line_deg: float = 0.0
    free_foot_drop_cm: float = 0.0
    depth_lost_cm: float = 0.0
    feet_together_cm: float = 0.0
    leg_forward_deg: float = 0.0
    hip_hike_deg: float = 0.0
    side: str = "right"
    reps: tuple[int, ...] | None = None
    grows_over_set: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.grows_over_set, bool):
            raise TypeError(f"grows_over_set must be True or False, got {self.grows_over_set!r}")
        for name in INJECTABLE_FAULTS:
            value = getattr(self, name)
            if not np.isfinite(value) or abs(value) > 45:
                raise ValueError(f"{name} must be finite and within ±45, got {value!r}")
        if self.side not in _SIDES:
            raise ValueError(f"side must be one of {_SIDES}, got {self.side!r}")
        if self.reps is not None and (not isinstance(self.reps, tuple) or any(int(r) < 1 for r in self.reps)):
            raise ValueError(f"reps must be None or a tuple of 1-based rep numbers, got {self.reps!r}")

    @property
    def any(self) -> bool:
        """True when some fault magnitude is non-zero."""
        return any(getattr(self, name) for name in INJECTABLE_FAULTS)


@dataclass(frozen=True)
class MotionParams:
    """How the athlete moves.

    Attributes
    ----------
    reps : number of reps (strides for running: 2 steps per stride).
    tempo_s : seconds per rep, or per stride for running; None = the
        movement's default (squat 2.4, single-leg squat 2.6, step-up 3.0,
        bridge 3.0, kickback 2.4, single-leg balance 4.0, running 120/175).
    depth : movement-specific, None = default: knee flexion at the bottom
        (squat 100°, single-leg squat 70°), knee flexion of the stance leg
        (single-leg balance 20°, running midstance 40°), box height in cm for
        the step-up (30), clean hip-line at the top of a bridge (0°), clean
        thigh-past-trunk at the top of a kickback (5°).
    fps : frame rate of the sampled motion.
    faults : what to inject.
    body : segment lengths.
    stance_side : stance leg of the single-leg tasks and lead leg of the
        step-up, kicking leg of the kickback; None = ``faults.side`` when that
        is left/right, else "right".
    standing_lead_in_s : still start position before the first rep (a baseline).
    tail_s : still end position after the last rep.
    speed_mps : treadmill belt speed for running.
    weight_shift_m : sideways shift of the pelvis at the bottom of each rep, metres, positive
        toward the athlete's right (+x), with the feet planted: the knee on the side the weight
        moves away from is carried inward, the other outward (bilateral squat only). It ramps
        with the rep like a fault and is exact at each key frame.
    """

    reps: int = 3
    tempo_s: float | None = None
    depth: float | None = None
    fps: float = 30.0
    faults: Faults = field(default_factory=Faults)
    body: BodyProportions = field(default_factory=BodyProportions.from_height)
    stance_side: str | None = None
    standing_lead_in_s: float = 1.0
    tail_s: float = 0.5
    speed_mps: float = 2.8
    weight_shift_m: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.reps, int) or not 1 <= self.reps <= 100:
            raise ValueError(f"reps must be an integer from 1 to 100, got {self.reps!r}")
        if self.tempo_s is not None and not (np.isfinite(self.tempo_s) and 0.3 <= self.tempo_s <= 20):
            raise ValueError(f"tempo_s must be between 0.3 and 20 s, got {self.tempo_s!r}")
        if self.depth is not None and not np.isfinite(self.depth):
            raise ValueError(f"depth must be finite, got {self.depth!r}")
        if not (np.isfinite(self.fps) and 5 <= self.fps <= 1000):
            raise ValueError(f"fps must be between 5 and 1000, got {self.fps!r}")
        if not isinstance(self.faults, Faults):
            raise TypeError(f"faults must be a Faults, got {type(self.faults).__name__}")
        if not isinstance(self.body, BodyProportions):
            raise TypeError(f"body must be a BodyProportions, got {type(self.body).__name__}")
        if self.stance_side not in (None, "left", "right"):
            raise ValueError(f"stance_side must be None, 'left' or 'right', got {self.stance_side!r}")
        for name in ("standing_lead_in_s", "tail_s"):
            value = getattr(self, name)
            if not (np.isfinite(value) and 0 <= value <= 30):
                raise ValueError(f"{name} must be between 0 and 30 s, got {value!r}")
        if not (np.isfinite(self.speed_mps) and 1.0 <= self.speed_mps <= 4.5):
            raise ValueError(f"speed_mps must be between 1 and 4.5 m/s, got {self.speed_mps!r}")
        if not (np.isfinite(self.weight_shift_m) and abs(self.weight_shift_m) <= 0.2):
            raise ValueError(f"weight_shift_m must be within ±0.2 m, got {self.weight_shift_m!r}")

    @property
    def working_side(self) -> str:
        """The stance / lead / kicking leg of a unilateral movement."""
        if self.stance_side is not None:
            return self.stance_side
        return self.faults.side if self.faults.side in ("left", "right") else "right"


@dataclass(frozen=True)
class RepTruth:
    """The truth about one rep (one step for running).

    Attributes
    ----------
    index : 1-based rep (step) number.
    start_frame, key_frame, end_frame : frame indices; key = bottom of a squat
        or step-up, top hold of a bridge, top of a kickback, hold of a balance,
        midstance of a running step.
    t_start_s, t_key_s, t_end_s : the same as times.
    side : working / stance leg, None for bilateral movements.
    knee_valgus_left_deg, knee_valgus_right_deg : injected knee FPPA at the key
        frame (0 = not injected; the clean knee then keeps its natural FPPA).
    pelvic_drop_deg : injected contralateral pelvic drop at the key frame.
    back_arch_deg : injected back-arch angle at the key frame.
    pelvic_roll_deg, feet_apart_cm : injected clamshell pelvic roll and feet apart at the key frame.
    small_range_deg : the knee opening a clamshell rep was given instead of the clean range (0 = clean).
    pelvis_sway_cm : injected sideways pelvis sway (cm) at the key frame (0 = clean).
    trunk_lean_deg : injected trunk lean over the stance leg (deg) at the key frame (0 = clean).
    hinge_line_deg, free_foot_drop_cm : injected single-leg deadlift line bend and free-foot drop at the
        key frame (0 = clean).
    depth_lost_cm, feet_together_cm : injected band-walk hip rise and stance narrowing at the key frame
        (0 = clean).
    leg_forward_deg, hip_hike_deg : injected side-lying leg-lift forward drift and hip hike at the key frame.
    """

    index: int
    start_frame: int
    key_frame: int
    end_frame: int
    t_start_s: float
    t_key_s: float
    t_end_s: float
    side: str | None
    knee_valgus_left_deg: float = 0.0
    knee_valgus_right_deg: float = 0.0
    pelvic_drop_deg: float = 0.0
    back_arch_deg: float = 0.0
    pelvic_roll_deg: float = 0.0
    feet_apart_cm: float = 0.0
    small_range_deg: float = 0.0
    pelvis_sway_cm: float = 0.0
    trunk_lean_deg: float = 0.0
    hinge_line_deg: float = 0.0
    free_foot_drop_cm: float = 0.0
    depth_lost_cm: float = 0.0
    feet_together_cm: float = 0.0
    leg_forward_deg: float = 0.0
    hip_hike_deg: float = 0.0


@dataclass(frozen=True)
class Prop:
    """A box-shaped scene object.

    ``kind`` is "box", "mat" or "treadmill"; ``centre_m`` and ``size_m`` (full x, y, z extents) in metres.
    """

    kind: str
    centre_m: tuple[float, float, float]
    size_m: tuple[float, float, float]


@dataclass(frozen=True, eq=False)
class Motion:
    """A simulated clip in world coordinates.

    Attributes
    ----------
    movement : one of :data:`MOVEMENTS`.
    t_s : (T,) frame times, seconds from 0.
    fps : frames per second.
    joints_m : (T, 33, 3) world positions of the MediaPipe landmarks, metres.
    truth : name → (T,) true measures (see the module docstring for keys).
    reps : one :class:`RepTruth` per rep (per step for running).
    props : scene objects to draw.
    stance_side : (T,) "left", "right" or "" (no single stance leg).
    params : the parameters the clip was made with.
    """

    movement: str
    t_s: np.ndarray
    fps: float
    joints_m: np.ndarray
    truth: dict[str, np.ndarray]
    reps: tuple[RepTruth, ...]
    props: tuple[Prop, ...]
    stance_side: np.ndarray
    params: MotionParams

    def __post_init__(self) -> None:
        n = len(self.t_s)
        if self.joints_m.shape != (n, N_LANDMARKS, 3):
            raise ValueError(f"joints_m must have shape ({n}, {N_LANDMARKS}, 3), got {self.joints_m.shape}")

    @property
    def n_frames(self) -> int:
        """Number of frames T."""
        return len(self.t_s)


def simulate(movement: str, params: MotionParams | None = None, seed: int = 0) -> Motion:
    """Simulate ``movement`` with ``params``; ``seed`` fixes the small rep-to-rep variation.

    Raises
    ------
    ValueError
        Unknown movement, or a fault the movement cannot show (e.g. pelvic
        drop in a bilateral squat, knee valgus in a bridge).
    """
    if movement not in MOVEMENTS:
        raise ValueError(f"unknown movement {movement!r}; choose one of {', '.join(MOVEMENTS)}")
    if params is None:
        params = MotionParams()
    if not isinstance(params, MotionParams):
        raise TypeError(f"params must be MotionParams, got {type(params).__name__}")
    generator = REGISTRY.get(movement)
    if generator is None:
        raise ValueError(f"movement {movement!r} is not simulated yet")
    _check_faults(movement, params.faults)
    if params.weight_shift_m and not generator.shifts_weight:
        shifters = ", ".join(name for name, g in REGISTRY.items() if g.shifts_weight)
        raise ValueError(f"weight_shift_m cannot be set in {movement}; it applies to {shifters}")
    if (
        movement in _UNILATERAL
        and params.faults.any
        and params.faults.side not in (params.working_side, "both")
    ):
        raise ValueError(
            f"in {movement} only the working leg ({params.working_side}) can show the fault; "
            f"set stance_side={params.faults.side!r} or faults.side={params.working_side!r}"
        )
    rng = np.random.default_rng(seed)
    raw = generator.generate(params, rng)
    joints = assemble(params.body, raw.pose)
    n = joints.shape[0]
    t_s = np.arange(n) / params.fps
    truth = compute_truth(joints, movement, raw.stance, raw.work_side, raw.rep_start)
    reps = tuple(
        RepTruth(
            t_start_s=float(t_s[r["start_frame"]]),
            t_key_s=float(t_s[r["key_frame"]]),
            t_end_s=float(t_s[min(r["end_frame"], n - 1)]),
            **r,
        )
        for r in raw.reps
    )
    props = tuple(
        Prop(p["kind"], tuple(map(float, p["centre_m"])), tuple(map(float, p["size_m"]))) for p in raw.props
    )
    return Motion(movement, t_s, float(params.fps), joints, truth, reps, props, raw.stance, params)


#: fault → the movements that can show it.
_FAULTS_ALLOWED = {f: tuple(name for name, g in REGISTRY.items() if f in g.faults) for f in INJECTABLE_FAULTS}

#: Movements where only the working leg can show a fault (one leg works; running's legs take turns).
_UNILATERAL = tuple(
    name for name, g in REGISTRY.items() if _KINEMATICS[name].unilateral and not g.alternating_legs
)


def _check_faults(movement: str, faults: Faults) -> None:
    for name, allowed in _FAULTS_ALLOWED.items():
        if getattr(faults, name) and movement not in allowed:
            raise ValueError(f"{name} cannot be injected in {movement}; it applies to {', '.join(allowed)}")


# ----------------------------------------------------------------------------------------------------------
# Truth
# ----------------------------------------------------------------------------------------------------------


def true_knee_medial_shift(motion: Motion) -> np.ndarray:
    """(T, 2) [left, right] how far each knee has moved medially over its foot since the first frame.

    Frontal plane (world x): the knee's offset from the midpoint of its heel and foot-index points,
    positive toward the other foot, minus the same offset in the first frame (the standing
    lead-in), in leg lengths (thigh + shank). Exactly what
    :func:`hipform.kinematics.knee_over_foot.compute_knee_medial_offset` reads from a perfect far front
    camera, relative to standing. Upright movements with both feet down.
    """
    j = np.asarray(motion.joints_m, float)
    lm = Landmark
    centre = {s: 0.5 * (j[:, lm[f"{s}_HEEL"], 0] + j[:, lm[f"{s}_FOOT_INDEX"], 0]) for s in ("LEFT", "RIGHT")}
    medial = {"LEFT": 1.0, "RIGHT": -1.0}  # toward the other foot: the left foot is at -x
    out = np.stack([medial[s] * (j[:, lm[f"{s}_KNEE"], 0] - centre[s]) for s in ("LEFT", "RIGHT")], axis=-1)
    return (out - out[:1]) / motion.params.body.leg_m


def compute_truth(
    joints_m: np.ndarray,
    movement: str,
    stance_side: np.ndarray,
    work_side: np.ndarray | None = None,
    rep_start: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """True measures of every frame (see the module docstring for keys, units and signs).

    Parameters
    ----------
    joints_m : (T, 33, 3) world landmarks, metres (synth world frame).
    movement : one of :data:`MOVEMENTS`.
    stance_side : (T,) "left", "right" or "" per frame.
    work_side : (T,) the working leg per frame (kickback thigh, single-leg
        bridge knee); defaults to ``stance_side``.
    rep_start : (T,) frame index where the current rep started (kickback
        trunk change); defaults to 0.
    """
    j = np.asarray(joints_m, float)
    n = j.shape[0]
    lm = Landmark
    stance = np.asarray(stance_side)
    work = stance if work_side is None else np.asarray(work_side)
    start = np.zeros(n, int) if rep_start is None else np.asarray(rep_start, int)
    P = {
        f"{s}_{part}": j[:, lm[f"{s.upper()}_{part.upper()}"]]
        for s in ("left", "right")
        for part in ("hip", "knee", "ankle", "shoulder")
    }
    out: dict[str, np.ndarray] = {}
    upright = movement in UPRIGHT_MOVEMENTS

    # frontal plane (x, z)
    for s, o in (("left", "right"), ("right", "left")):
        hip, knee, ankle, other = (
            xz(P[f"{s}_hip"]),
            xz(P[f"{s}_knee"]),
            xz(P[f"{s}_ankle"]),
            xz(P[f"{o}_hip"]),
        )
        if upright:
            out[f"knee_fppa_{s}_deg"] = signed_fppa_2d(hip, knee, ankle, other)
            m = (other - hip) / np.linalg.norm(other - hip, axis=-1, keepdims=True)
            down = np.stack([m[:, 1], -m[:, 0]], -1)
            down = np.where((down[:, 1] > 0)[:, None], -down, down)
            thigh = knee - hip
            out[f"hip_adduction_{s}_deg"] = np.degrees(
                np.arctan2(np.sum(thigh * m, -1), np.sum(thigh * down, -1))
            )
    if upright:
        kw = np.linalg.norm(xz(P["left_knee"]) - xz(P["right_knee"]), axis=-1)
        aw = np.linalg.norm(xz(P["left_ankle"]) - xz(P["right_ankle"]), axis=-1)
        out["knee_separation_ratio"] = kw / aw
    lh, rh = P["left_hip"], P["right_hip"]
    obliq = np.degrees(np.arctan2(lh[:, 2] - rh[:, 2], rh[:, 0] - lh[:, 0]))
    out["pelvic_obliquity_deg"] = obliq
    out["pelvic_drop_deg"] = np.where(stance == "left", obliq, np.where(stance == "right", -obliq, np.nan))

    # sagittal plane (y, z)
    sh_mid = yz(0.5 * (P["left_shoulder"] + P["right_shoulder"]))
    hip_mid = yz(0.5 * (lh + rh))
    trunk_down = hip_mid - sh_mid
    if movement not in SIDE_LYING_MOVEMENTS:
        out["trunk_inclination_deg"] = np.degrees(
            np.arctan2(sh_mid[:, 0] - hip_mid[:, 0], sh_mid[:, 1] - hip_mid[:, 1])
        )
        for s in ("left", "right"):
            hip, knee, ankle = yz(P[f"{s}_hip"]), yz(P[f"{s}_knee"]), yz(P[f"{s}_ankle"])
            out[f"knee_flexion_{s}_deg"] = -signed_angle_deg(knee - hip, ankle - knee)
            out[f"hip_flexion_{s}_deg"] = signed_angle_deg(trunk_down, knee - hip)

    own_truth = REGISTRY[movement].own_truth
    if own_truth is not None:
        out.update(own_truth(TruthContext(P, sh_mid, hip_mid, trunk_down, work, start)))
    return {k: out[k] if k in out else np.full(n, np.nan) for k in TRUTH_KEYS}
