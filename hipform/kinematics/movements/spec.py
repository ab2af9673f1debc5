"""What hipform knows about one movement, as one frozen record.

Each movement module in this package exports one :class:`Movement`; the
registry in ``__init__`` collects them. Everything that differs between
movements lives in that record: its fault rules, how its reps are found, how
the live checker counts them, how it is recognised, and how to film it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np

from hipform.kinematics.events import Reps, Steps, detect_reps
from hipform.kinematics.faults import FaultRule
from hipform.landmarks import Landmark

L = Landmark

Posture = Literal["upright", "floor", "quadruped", "side-lying"]
#: (px, knee_flexion_deg, leg_px, fps, start, top, lo) → (key frame, working leg): see :class:`LiveCounter`.
KeyFrame = Callable[[np.ndarray, np.ndarray, float, float, int, int, int], tuple[int, int]]
RepKind = Literal["rep", "step", "hold"]


class Window(NamedTuple):  # a tuple: a long running clip makes ten thousand of them
    """One rep, step or hold: frame indices and the working leg."""

    start: int
    key: int
    end: int
    side: int | None  # stance / working leg (0 left, 1 right), None for two-legged
    kind: str


@dataclass(frozen=True, eq=False)
class SegmentContext:
    """What a movement's segmentation reads (all filtered, pixels y down).

    px : (T, 33, 2) image landmarks; world : (T, 33, 3) metres or None; src : the landmarks
    angles are read on (world where usable, else px); measures : per-frame measures
    (:func:`hipform.kinematics.measure_set.compute_measures`); t_s : (T,) seconds; fps : frames per
    second; ankle_y : (T, 2) image y of the ankles used to tell the planted foot; view :
    the camera view name; leg_px : leg length in the image; rep_enter, rep_exit : hysteresis
    thresholds of :func:`hipform.kinematics.events.detect_reps`.
    """

    px: np.ndarray
    world: np.ndarray | None
    src: np.ndarray
    measures: dict[str, np.ndarray]
    t_s: np.ndarray
    fps: float
    ankle_y: np.ndarray
    view: str
    leg_px: float
    rep_enter: float
    rep_exit: float

    def reps_from(self, signal: np.ndarray, min_range: float) -> Reps:
        """Reps of ``signal`` (larger = deeper into the rep) with the analysis' hysteresis."""
        return detect_reps(signal, self.t_s, min_range=min_range, enter=self.rep_enter, exit_=self.rep_exit)

    def hip_y(self) -> np.ndarray:
        """(T,) image y of the hip midpoint, pixels."""
        return 0.5 * (self.px[:, int(L.LEFT_HIP), 1] + self.px[:, int(L.RIGHT_HIP), 1])

    def hip_rise(self) -> np.ndarray:
        """(T,) hip height in leg lengths (larger = higher; raw pixels without a leg length)."""
        hip_y = self.hip_y()
        return -hip_y / self.leg_px if np.isfinite(self.leg_px) and self.leg_px > 0 else -hip_y


class Segmentation(NamedTuple):
    """Windows of a clip, the frames at rest (T,) bool, the rep signal (T,), running steps, and
    per-frame series the segmentation itself measures (name → (T,) array; side-on running: each
    step's sagittal values), added to the clip's measures."""

    windows: list[Window]
    rest: np.ndarray
    signal: np.ndarray
    steps: Steps | None = None
    series: dict[str, np.ndarray] | None = None


def rep_windows(reps: Reps, sides: list[int | None]) -> list[Window]:
    """Reps as windows, each with its working leg."""
    cols = (reps.start.tolist(), reps.peak.tolist(), reps.end.tolist(), sides)
    return [Window(int(s), int(k), int(e), side, "rep") for s, k, e, side in zip(*cols, strict=True)]


@dataclass(frozen=True)
class LiveCounter:
    """How the live checker counts reps from one frame at a time [J].

    Attributes
    ----------
    signal : the depth signal (larger = deeper into the rep):
        ``hip_ankle_lost`` — hip–ankle distance lost, fraction of the most seen (squats);
        ``hip_rise`` — hip rise above the lowest seen, leg lengths (step-up);
        ``angle_gained`` — ``measure`` gained over its lowest value seen, degrees.
    enter, exit : hysteresis thresholds on the signal.
    leg : which leg the signal reads: ``both`` (mean), ``planted`` (lower ankle), ``bent``
        (more knee flexion), ``highest`` (larger value of ``measure``).
    measure : per-side measure for ``angle_gained``.
    stance : how the graded leg of a one-legged rep is told: ``planted``, ``bent`` or None.
    key_frame : the batch segmentation's own key moment of a rep, for a movement whose key is not
        the deepest frame of the live signal: ``key_frame(px, knee_flexion_deg, leg_px, fps,
        start, top, lo) -> (key frame, working leg)`` over the frames the live checker kept
        (``lo`` the first looked back at, ``start`` the rep's first, ``top`` its deepest). None:
        the deepest frame, the leg from ``stance``.
    """

    signal: Literal["hip_ankle_lost", "hip_rise", "angle_gained"]
    enter: float
    exit: float
    leg: Literal["both", "planted", "bent", "highest"] = "both"
    measure: str | None = None
    stance: Literal["planted", "bent"] | None = None
    key_frame: KeyFrame | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.exit < self.enter:
            raise ValueError(f"need 0 ≤ exit < enter, got {self.exit}, {self.enter}")
        if (self.signal == "angle_gained") != (self.measure is not None):
            raise ValueError("angle_gained needs a measure, and only it")


class Cues(NamedTuple):
    """What recognition sees in a clip, each 0–1 (see :mod:`hipform.kinematics.recognition`)."""

    standing: float  # a vertical trunk with the knees well below the hips
    lying: float  # a horizontal trunk, or the knees above the hips
    quadruped: float  # wrists well below the shoulders with the knees below the hips
    supine: float  # knees not below the hips (on the back)
    one_leg: float  # one foot off the floor or held forward
    feet_readable: (
        float  # the view shows whether a foot is held up (square-on), so "no foot up" means two feet
    )
    bends: float  # the hips go down and up
    contained: float  # the hips stay within about a leg length (not walking about or jumping)
    running: float  # alternating steps at a running cadence throughout, the pelvis bobbing per step
    step_up: float  # the hips rise onto a step and come back
    free: float  # neither stepping up nor running
    stepping: float  # alternating steps of any kind
    one_side: float  # a foot stays off the floor for a while (a hold), not for a running stride
    single: float  # one leg straight and one bent, or a foot raised (floor work)
    side_lying: float  # lying on one side: one shoulder above the other
    knees_bent: float  # both knees bent most of the time (not a sign of any rep)
    hinges: float  # the trunk tips far forward and back (a hip hinge), the hips not sinking with it
    side_stepping: float  # seen square-on, the feet step apart and together while the body travels sideways


@dataclass(frozen=True)
class Movement:
    """One movement hipform checks.

    Attributes
    ----------
    name : the name users type (``--exercise``), e.g. ``single-leg-squat``.
    title : the name shown to people, e.g. ``Single-leg squat``.
    posture : ``upright``, ``floor``, ``quadruped`` or ``side-lying``.
    unilateral : one leg works at a time (reps have a side).
    cutoff_hz : low-pass cut-off of its landmarks, Hz (biomechanics.md §6) [J].
    standing_baseline : its rest frames are standing (per-person baselines of FPPA, knee
        separation and pelvic obliquity come from them).
    rules : the fault rules checked.
    segment : finds its reps, steps or holds.
    rep_kind : what a window is called: ``rep``, ``step`` or ``hold``.
    recognise : its recognition score in [0, 1] from the clip's :class:`Cues`.
    setup : how to film it, in one sentence.
    live : its live rep counter, or None when it is checked from recorded clips only.
    no_windows : what "nothing found" means for it, said to the user.
    reported_only : per-frame measures reported at each window's key frame but never flagged.
    pelvis_level_at_rest : its rest frames are its level-pelvis position although one foot is
        off the floor (a single-leg bridge resting on the floor); otherwise the level pelvis is
        read while standing on both feet.
    sure_without_baseline : graded measures whose flags keep full confidence without a
        standing baseline (running's pelvic drop: a runner never stands still).
    whole_rep_on_one_leg : each rep is done on its working leg from start to end (a single-leg
        squat), so wobble is read over the whole rep; otherwise only while the free foot is seen
        off the floor (:func:`hipform.kinematics.stability.compute_stance_side`).
    """

    name: str
    title: str
    posture: Posture
    unilateral: bool
    cutoff_hz: float
    standing_baseline: bool
    rules: tuple[FaultRule, ...]
    segment: Callable[[SegmentContext], Segmentation]
    rep_kind: RepKind
    recognise: Callable[[Cues], float]
    setup: str
    live: LiveCounter | None = None
    no_windows: str = "no complete rep"
    reported_only: tuple[str, ...] = ()
    pelvis_level_at_rest: bool = False
    sure_without_baseline: tuple[str, ...] = ()
    whole_rep_on_one_leg: bool = False

    def __post_init__(self) -> None:
        if not self.rules:
            raise ValueError(f"{self.name}: a movement needs at least one fault rule")
        if self.cutoff_hz <= 0:
            raise ValueError(f"{self.name}: cutoff_hz must be positive")

    @property
    def faults(self) -> tuple[str, ...]:
        """The faults its rules check, in rule order."""
        return tuple(dict.fromkeys(r.fault for r in self.rules))
