"""The sample clips in ``sample_videos/``: rendered athletes with known faults, regenerated from fixed seeds.

Every movement appears with and without a fault, each filmed from the view
its fault needs (front or rear for knee collapse and pelvic drop, the side for
back arching, the feet for the single-leg bridge's pelvic drop and for the
clamshell). Each clip is
small (480 px tall, 2–3 reps) and carries its ground truth
(``NAME.truth.json``, see :mod:`hipform.synth.clip`).

:data:`SAMPLES` is the definition: movement, view, injected faults, seeds and
what ``hipform analyse`` should say. :func:`regenerate` writes them all;
``hipform samples`` calls it. The same seeds give the same motion, the same
truth JSON (byte for byte) and the same frames; whether the MP4 bytes are also
identical depends on the x264 build (see ``tests/synth/test_pipeline.py``).

Injected magnitudes
-------------------
The faults are injected at clinically marked values. MediaPipe reads the
rendered knee collapse smaller than it is (about half the true FPPA at
480–1280 px) and barely sees a rendered pelvic drop at all; the ``expect``
text of each sample says what the current pipeline reports, measured, not
what an ideal pose model would. ``docs/accuracy.md`` has the figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hipform.synth.athlete import MOVEMENTS, Faults, MotionParams, simulate
from hipform.synth.clip import ClipInfo, camera_for, render_clip

#: Frame height of every sample clip, pixels (width follows the camera's aspect ratio).
SAMPLE_HEIGHT_PX = 480
#: x264 quality of the samples (lower = better, bigger).
SAMPLE_CRF = 26


@dataclass(frozen=True)
class Sample:
    """One clip of the sample set.

    Attributes
    ----------
    name : file stem (``NAME.mp4``, ``NAME.truth.json``).
    movement : one of :data:`hipform.synth.athlete.MOVEMENTS`.
    view : camera view name (``front``, ``rear``, ``left``, ``right``, ``oblique``).
    faults : what is injected (all zero = a clean clip).
    reps : reps (strides for running).
    fps : frame rate.
    motion_seed : seeds the rep-to-rep variation of the motion.
    appearance_seed : seeds the athlete's look, the room and the camera noise.
    stance_side : stance / lead / kicking leg of unilateral movements (None = from the fault side).
    expect : what ``hipform analyse NAME.mp4`` should report, in words.
    expected_flags : (fault, side) pairs that ``hipform analyse --exercise MOVEMENT``
        flags in at least one rep with the current pose model (side None: not
        per side); empty = no flag (either a clean clip or a known miss, see ``expect``).
    """

    name: str
    movement: str
    view: str
    faults: Faults = field(default_factory=Faults)
    reps: int = 3
    fps: float = 30.0
    motion_seed: int = 0
    appearance_seed: int = 0
    stance_side: str | None = None
    expect: str = "no flags"
    expected_flags: tuple[tuple[str, str | None], ...] = ()

    def __post_init__(self) -> None:
        if self.movement not in MOVEMENTS:
            raise ValueError(f"unknown movement {self.movement!r}; choose one of {', '.join(MOVEMENTS)}")

    @property
    def params(self) -> MotionParams:
        """The motion parameters of the clip."""
        return MotionParams(reps=self.reps, fps=self.fps, faults=self.faults, stance_side=self.stance_side)

    @property
    def injected(self) -> str:
        """The injected faults in words ("clean" when none)."""
        f = self.faults
        parts = []
        if f.knee_valgus_deg:
            parts.append(f"knee valgus {f.knee_valgus_deg:g}° ({f.side})")
        if f.pelvic_drop_deg:
            parts.append(f"pelvic drop {f.pelvic_drop_deg:g}° ({f.side} stance)")
        if f.back_arch_deg:
            parts.append(f"back arch +{f.back_arch_deg:g}°")
        if f.pelvic_roll_deg:
            parts.append(f"pelvis rolls back {f.pelvic_roll_deg:g}° ({f.side} leg on top)")
        if f.feet_apart_cm:
            parts.append(f"feet {f.feet_apart_cm:g} cm apart ({f.side} leg on top)")
        if f.small_range_deg:
            parts.append(f"knee opens only {f.small_range_deg:g}° ({f.side} leg on top)")
        if f.pelvis_sway_cm:
            parts.append(f"pelvis sways ±{f.pelvis_sway_cm:g} cm ({f.side} stance)")
        if f.trunk_lean_deg:
            parts.append(f"trunk leans {f.trunk_lean_deg:g}° over the {f.side} leg")
        if f.depth_lost_cm:
            parts.append(f"hips rise {f.depth_lost_cm:g} cm out of the squat")
        if f.feet_together_cm:
            parts.append(f"trailing foot lands {f.feet_together_cm:g} cm closer")
        if f.leg_forward_deg:
            parts.append(f"lifted leg drifts {f.leg_forward_deg:g}° forward ({f.side} leg on top)")
        if f.hinge_line_deg:
            parts.append(f"back and free leg {f.hinge_line_deg:g}° out of line ({f.side} stance)")
        if f.free_foot_drop_cm:
            parts.append(f"free foot lowered {f.free_foot_drop_cm:g} cm ({f.side} stance)")
        if f.hip_hike_deg:
            parts.append(f"top hip hikes {f.hip_hike_deg:g}° toward the ribs ({f.side} leg on top)")
        return ", ".join(parts) or "clean"


_R = "right"

#: The sample set. Names say movement, view and fault.
SAMPLES: tuple[Sample, ...] = (
    Sample(
        "squat_front_valgus",
        "single-leg-squat",
        "front",
        Faults(knee_valgus_deg=25.0, side=_R),
        motion_seed=1,
        appearance_seed=3,
        expect="knee collapse flagged on the right knee in every rep; nothing on the left",
        expected_flags=(("knee_collapse", "right"),),
    ),
    Sample(
        "squat_front_clean",
        "squat",
        "front",
        motion_seed=1,
        appearance_seed=3,
        expect="3 reps, no flags",
    ),
    Sample(
        "running_rear_pelvic_drop",
        "running",
        "rear",
        Faults(pelvic_drop_deg=8.0, side=_R),
        reps=8,
        fps=60.0,
        motion_seed=1,
        appearance_seed=3,
        expect=(
            "steps and cadence; should flag right pelvic drop, but MediaPipe does not see the rendered "
            "pelvis tilt (it reports the hips level): currently no pelvic-drop flag"
        ),
    ),
    Sample(
        "running_rear_clean",
        "running",
        "rear",
        reps=8,
        fps=60.0,
        motion_seed=2,
        appearance_seed=17,
        expect="16 steps, cadence 175, no flags",
    ),
    Sample(
        "squat_front_valgus_both",
        "squat",
        "front",
        Faults(knee_valgus_deg=20.0, side="both"),
        motion_seed=2,
        appearance_seed=5,
        expect="3 reps; knee collapse (knee separation, both knees) flagged in every rep",
        expected_flags=(("knee_collapse", None),),
    ),
    Sample(
        "single_leg_squat_front_clean",
        "single-leg-squat",
        "front",
        stance_side=_R,
        motion_seed=2,
        appearance_seed=6,
    ),
    Sample(
        "single_leg_squat_rear_pelvic_drop",
        "single-leg-squat",
        "rear",
        Faults(pelvic_drop_deg=10.0, side=_R),
        motion_seed=2,
        appearance_seed=19,
        expect="should flag right pelvic drop; MediaPipe reports the hips nearly level: no flag",
    ),
    Sample(
        "step_up_front_valgus",
        "step-up",
        "front",
        Faults(knee_valgus_deg=25.0, side=_R),
        motion_seed=2,
        appearance_seed=7,
        expect="right knee collapse flagged in most reps",
        expected_flags=(("knee_collapse", "right"),),
    ),
    Sample("step_up_front_clean", "step-up", "front", stance_side=_R, motion_seed=2, appearance_seed=8),
    Sample(
        "single_leg_balance_rear_pelvic_drop",
        "single-leg-balance",
        "rear",
        Faults(pelvic_drop_deg=10.0, side=_R),
        reps=2,
        motion_seed=2,
        appearance_seed=9,
        expect="2 holds; should flag right pelvic drop, MediaPipe reports the hips level: no flag",
    ),
    Sample(
        "single_leg_balance_front_clean",
        "single-leg-balance",
        "front",
        reps=2,
        stance_side=_R,
        motion_seed=2,
        appearance_seed=10,
        expect="2 holds, no flags",
    ),
    Sample(
        "bridge_side_arch",
        "bridge",
        "left",
        Faults(back_arch_deg=20.0),
        motion_seed=2,
        appearance_seed=11,
        expect="back arching flagged in every rep",
        expected_flags=(("back_arch", None),),
    ),
    Sample("bridge_side_clean", "bridge", "left", motion_seed=2, appearance_seed=12),
    Sample(
        "single_leg_bridge_side_arch",
        "single-leg-bridge",
        "left",
        Faults(back_arch_deg=20.0, side=_R),
        motion_seed=2,
        appearance_seed=13,
        expect="back arching flagged in every rep (read as ~18°)",
        expected_flags=(("back_arch", "right"),),
    ),
    Sample(
        "single_leg_bridge_feet_pelvic_drop",
        "single-leg-bridge",
        "front",
        Faults(pelvic_drop_deg=10.0, side=_R),
        motion_seed=2,
        appearance_seed=14,
        expect=(
            "should flag right pelvic drop in every rep (camera at the feet); MediaPipe reads the "
            "rendered pelvis tilt at a fraction of its size: flagged (right, mild) in 1 rep of 3"
        ),
    ),
    Sample(
        "single_leg_bridge_side_clean",
        "single-leg-bridge",
        "left",
        stance_side=_R,
        motion_seed=2,
        appearance_seed=15,
    ),
    Sample(
        "kickback_side_arch",
        "kickback",
        "right",
        Faults(back_arch_deg=20.0, side=_R),
        motion_seed=2,
        appearance_seed=16,
        expect="back arching flagged on the right in every rep (thigh past the trunk line ~24°)",
        expected_flags=(("back_arch", "right"),),
    ),
    Sample(
        "kickback_side_clean",
        "kickback",
        "right",
        stance_side=_R,
        motion_seed=2,
        appearance_seed=18,
        expect="3 reps, no flags",
    ),
    Sample(
        "clamshell_feet_clean",
        "clamshell",
        "front",
        stance_side=_R,
        motion_seed=2,
        appearance_seed=20,
        expect="2 of 3 reps, no flags; knee opening read ~23° (true 40°)",
    ),
    Sample(
        "clamshell_feet_roll",
        "clamshell",
        "front",
        Faults(pelvic_roll_deg=20.0, side=_R),
        motion_seed=2,
        appearance_seed=20,
        expect="2 of 3 reps; pelvic roll, marked, right, in both",
        expected_flags=(("pelvic_roll", "right"),),
    ),
    # the side-lying leg lift from behind (the camera at the side of the mat); 15 frames/s keeps the
    # clip and its truth small
    Sample(
        "side_lying_leg_lift_back_clean",
        "side-lying-leg-lift",
        "right",
        stance_side=_R,
        fps=15.0,
        motion_seed=2,
        appearance_seed=20,
        expect="3 reps, no flags (the hip hike is reported, not judged)",
    ),
    Sample(
        "side_lying_leg_lift_feet_forward",
        "side-lying-leg-lift",
        "front",
        Faults(leg_forward_deg=25.0, side=_R),
        stance_side=_R,
        fps=15.0,
        motion_seed=2,
        appearance_seed=20,
        expect="3 reps; leg forward and pelvic roll not judged (the view from the feet is unsteady)",
    ),
    # band walk: 15 frames/s keeps the clips and their truth small (a step takes 1.6 s)
    Sample(
        "band_walk_front_clean",
        "band-walk",
        "front",
        reps=4,
        fps=15.0,
        motion_seed=3,
        appearance_seed=31,
        expect="4 steps (2 led by the right leg, 2 back), no flags; auto: band walk",
    ),
    Sample(
        "band_walk_front_knees_cave",
        "band-walk",
        "front",
        Faults(knee_valgus_deg=15.0, side="both", reps=(3, 4)),
        reps=4,
        fps=15.0,
        motion_seed=3,
        appearance_seed=31,
        expect="knee collapse, marked, in steps 3 and 4 (knee width read as 0.57 of the ankle width)",
        expected_flags=(("knee_collapse", None),),
    ),
    # single-leg deadlift: the front view shows the knee and the pelvis, the side the back-leg line;
    # 2 reps at 15 frames/s keep the clips and their truth small (a rep takes 3.2 s)
    Sample(
        "single_leg_deadlift_front_clean",
        "single-leg-deadlift",
        "front",
        reps=2,
        fps=15.0,
        stance_side=_R,
        appearance_seed=30,
        expect="2 reps on the right leg, no flags; the back-leg line not assessed from the front (auto: "
        "single-leg deadlift)",
    ),
    Sample(
        "single_leg_deadlift_right_line",
        "single-leg-deadlift",
        "right",
        Faults(hinge_line_deg=25.0, side=_R),
        reps=2,
        fps=15.0,
        appearance_seed=30,
        expect="back and free leg out of line flagged on the right in every rep (read ~26-27°); knee and "
        "pelvis not assessed from the side",
        expected_flags=(("hinge_line", "right"),),
    ),
)


def sample_named(name: str) -> Sample:
    """The sample called ``name``; ValueError listing the names otherwise."""
    for s in SAMPLES:
        if s.name == name:
            return s
    raise ValueError(f"no sample called {name!r}; choose one of {', '.join(s.name for s in SAMPLES)}")


def render_sample(sample: Sample, out_dir: str | Path, height_px: int = SAMPLE_HEIGHT_PX) -> ClipInfo:
    """Render ``sample`` into ``out_dir/NAME.mp4`` and its truth JSON.

    Parameters
    ----------
    sample : the clip to make.
    out_dir : folder to write into (created if missing).
    height_px : frame height in pixels; the width keeps the default camera's
        aspect ratio, rounded to an even number (H.264 needs even sizes).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    base = camera_for(sample.movement, sample.view)
    width_px = 2 * round(base.width_px * height_px / base.height_px / 2)
    camera = camera_for(sample.movement, sample.view, width_px=width_px, height_px=height_px)
    motion = simulate(sample.movement, sample.params, seed=sample.motion_seed)
    return render_clip(
        motion,
        camera,
        out / f"{sample.name}.mp4",
        appearance_seed=sample.appearance_seed,
        view=sample.view,
        crf=SAMPLE_CRF,
    )


def regenerate(
    out_dir: str | Path = "sample_videos",
    names: list[str] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[ClipInfo]:
    """Render the sample set (or the samples in ``names``) into ``out_dir``.

    ``progress`` is called before each clip with (clips done, total, name).
    """
    chosen = [sample_named(n) for n in names] if names else list(SAMPLES)
    infos = []
    for i, sample in enumerate(chosen):
        if progress is not None:
            progress(i, len(chosen), sample.name)
        infos.append(render_sample(sample, out_dir))
    return infos
