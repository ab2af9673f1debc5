"""Side-on running against the rendered runner's exact truth: step events and the sagittal measures.

The synthetic runner (``hipform.synth``) is filmed from the side two ways:

- **projected**: its joints through a far, near-orthographic camera (no pose model): the error of
  the step events and of the measures' geometry alone;
- **MediaPipe**: rendered to video (portrait phone framing 3.3 m away, hip height) and run through
  the real pose model (landmarks cached under ``$HIPFORM_BENCH_TMP``): the error a user sees.

The truth of every step is read from the generator's world joints (x right, y forward, z up) at
its true contact and toe-off frames (``Motion.reps``: contact → midstance → toe-off), with the
definitions of :mod:`hipform.kinematics.sagittal_running` in the sagittal (y–z) plane. Each
hipform step is matched to the true step whose contact is nearest (within half a step).

Also the real treadmill clip ``../shared/clips/running_treadmill_side.mp4`` (slow motion): its
cadence against the 9 contacts counted on its frames (one every ~101.8 frames at 29.97 fps, clip
time), and its measures as read.

Printed, and written to ``benchmarks/results/side_running.json``.

Usage::

    python benchmarks/side_running.py            # projected and MediaPipe
    python benchmarks/side_running.py --no-video # projected only (seconds)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "kinematics"))

from _common import CLIPS, SCRATCH, save_results, table  # noqa: E402
from kin_helpers import film, simulate_motion  # noqa: E402

from hipform.cache import estimate_pose_cached  # noqa: E402
from hipform.kinematics.conditioning import condition_sequence, frame_rate_of, lowpass_conditioned  # noqa: E402
from hipform.kinematics.config import AnalysisConfig  # noqa: E402
from hipform.kinematics.frame_measures import leg_length_px  # noqa: E402
from hipform.kinematics.movements.running import MOVEMENT as RUNNING  # noqa: E402
from hipform.kinematics.sagittal_running import SAGITTAL_MEASURES, SideSteps, detect_side_steps  # noqa: E402
from hipform.landmarks import Landmark  # noqa: E402
from hipform.sequence import PoseSequence  # noqa: E402
from hipform.synth.athlete import Motion  # noqa: E402
from hipform.synth.clip import camera_for, render_clip  # noqa: E402

L = Landmark
#: The real treadmill clip's step rate in clip time: 9 contacts counted on its frames, 8 steps
#: over 814 frames at 29.97 fps.
TREADMILL_SPM = 60.0 * 29.97 * 8 / 814
#: Rendered runners: (name, MotionParams keywords). Steps per minute = 120 / tempo_s.
RUNNERS = (
    ("175 spm, 2.8 m/s", {}),
    ("160 spm, 3.3 m/s", {"tempo_s": 0.75, "speed_mps": 3.3}),
    ("185 spm, 2.5 m/s, 50 deg knee", {"tempo_s": 120 / 185, "speed_mps": 2.5, "depth": 50.0}),
)
SIDE = {"left": 0, "right": 1}
NAN = float("nan")


def _sagittal(world: np.ndarray, lm: Landmark) -> np.ndarray:
    """(T, 2) forward (world y) and up (world z) of one landmark."""
    return world[:, int(lm), 1:3]


def true_steps(m: Motion) -> dict[str, np.ndarray]:
    """The generator's steps: contact and toe-off frames and the stance leg (0 left, 1 right)."""
    reps = [r for r in m.reps if r.side in SIDE]
    return {
        "contact": np.array([r.start_frame for r in reps], dtype=np.int64),
        "toe_off": np.array([r.end_frame for r in reps], dtype=np.int64),
        "side": np.array([SIDE[r.side] for r in reps], dtype=np.int64),
    }


def true_values(
    m: Motion, contact: np.ndarray, toe_off: np.ndarray, side: np.ndarray
) -> dict[str, np.ndarray]:
    """Each step's measures from the generator's joints (sagittal plane y–z) at the given frames."""
    j = m.joints_m
    legs = np.array(
        [
            [int(L.LEFT_HIP), int(L.LEFT_KNEE), int(L.LEFT_ANKLE), int(L.LEFT_HEEL)],
            [int(L.RIGHT_HIP), int(L.RIGHT_KNEE), int(L.RIGHT_ANKLE), int(L.RIGHT_HEEL)],
        ]
    )[side]
    hip_ic, knee_ic, ankle_ic, heel_ic = (j[contact, legs[:, c]] for c in range(4))
    hip_to, knee_to = j[toe_off, legs[:, 0]], j[toe_off, legs[:, 1]]
    pelvis = 0.5 * (j[:, int(L.LEFT_HIP)] + j[:, int(L.RIGHT_HIP)])
    leg = np.linalg.norm(knee_ic - hip_ic, axis=1) + np.linalg.norm(ankle_ic - knee_ic, axis=1)
    thigh, shank, th = knee_to - hip_to, ankle_ic - knee_ic, knee_ic - hip_ic
    cos = np.sum(th * shank, axis=1) / np.linalg.norm(th, axis=1) / np.linalg.norm(shank, axis=1)
    # a stride: from this contact to the one after next
    osc = np.full(contact.size, np.nan)
    for i in range(contact.size - 2):
        z = pelvis[contact[i] : contact[i + 2], 2]
        osc[i] = (z.max() - z.min()) / leg[i]
    return {
        "hip_extension_toe_off_deg": np.degrees(np.arctan2(-thigh[:, 1], -thigh[:, 2])),
        "shank_angle_contact_deg": np.degrees(np.arctan2(shank[:, 1], -shank[:, 2])),
        "foot_ahead_contact_ratio": (heel_ic[:, 1] - pelvis[contact, 1]) / leg,
        "knee_flexion_contact_deg": np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))),
        "vertical_oscillation_ratio": osc,
    }


def read(seq: PoseSequence) -> SideSteps | None:
    """hipform's side-on steps of ``seq``, conditioned and filtered as the running analysis does."""
    c = condition_sequence(seq, AnalysisConfig())
    p = lowpass_conditioned(c, frame_rate_of(seq), RUNNING.cutoff_hz)
    return detect_side_steps(p.px, p.world, seq.t_s, leg_length_px(p.px))


def _errors(got: np.ndarray, truth: np.ndarray) -> dict:
    """MAE and mean error (bias) of the finite pairs."""
    err = got - truth
    err = err[np.isfinite(err)]
    return {
        "mae": float(np.mean(np.abs(err))) if err.size else None,
        "bias": float(np.mean(err)) if err.size else None,
        "n": int(err.size),
    }


def compare(name: str, m: Motion, seq: PoseSequence) -> dict:
    """Errors of one filmed runner: events (ms), sides, and each measure's MAE and bias, against the
    truth read at the generator's own contact and toe-off frames ("at true events") and at the
    frames hipform found ("at hipform's events": the geometry and pose error alone)."""
    true = true_steps(m)
    got = read(seq)
    row: dict = {"clip": name, "true_steps": int(true["contact"].size)}
    if got is None:
        return {**row, "steps": 0}
    st = got.steps
    step_frames = float(np.median(np.diff(true["contact"])))
    d = np.abs(st.strike[:, None] - true["contact"][None, :])
    match = np.argmin(d, axis=1)
    ok = d[np.arange(match.size), match] <= 0.5 * step_frames
    i, k = np.flatnonzero(ok), match[ok]
    ms = 1000.0 / m.fps
    row.update(
        steps=len(st),
        matched=int(ok.sum()),
        cadence_spm=float(st.cadence_spm),
        true_cadence_spm=float(60.0 * m.fps * (true["contact"].size - 1) / np.ptp(true["contact"])),
        sides_known=bool(got.sides_known),
        sides_right=float(np.mean(st.side[i] == true["side"][k])) if got.sides_known else None,
        contact_ms_mean=float(np.mean(st.strike[i] - true["contact"][k]) * ms),
        toe_off_ms_mean=float(np.mean(st.toe_off[i] - true["toe_off"][k]) * ms),
    )
    at_true = true_values(m, true["contact"], true["toe_off"], true["side"])
    at_found = true_values(m, st.strike[i], st.toe_off[i], true["side"][k])
    # vertical oscillation is over a stride, not at an event: the same truth either way
    at_found["vertical_oscillation_ratio"] = at_true["vertical_oscillation_ratio"][k]
    for s in SAGITTAL_MEASURES:
        row[s.name] = {
            "at_true_events": _errors(got.values[s.name][i], at_true[s.name][k]),
            "at_hipform_events": _errors(got.values[s.name][i], at_found[s.name]),
            "truth_mean": float(np.nanmean(at_true[s.name][k])),
        }
    return row


def cases(video: bool):
    """(name, motion, landmarks) of every rendered runner filmed from the side."""
    for label, params in RUNNERS:
        for fps in (30.0, 60.0):
            m = simulate_motion("running", reps=8, fps=fps, **params)
            for view in ("right", "left"):
                yield f"projected {label}, {fps:.0f} fps, {view}", m, film(m, view)
    if not video:
        return
    SCRATCH.mkdir(parents=True, exist_ok=True)
    for label, params in RUNNERS[:2]:
        m = simulate_motion("running", reps=6, fps=30.0, **params)
        for view in ("right", "left"):
            path = SCRATCH / f"side_running_{label.split(',')[0].replace(' ', '')}_{view}.mp4"
            if not path.is_file():
                render_clip(m, camera_for("running", view), path, view=view)
            yield f"MediaPipe {label}, 30 fps, {view}", m, estimate_pose_cached(path).seq


def real_clip() -> dict | None:
    """The real treadmill clip: cadence against the hand count, and the measures as read."""
    path = CLIPS / "running_treadmill_side.mp4"
    if not path.is_file():
        return None
    got = read(estimate_pose_cached(path).seq)
    if got is None:
        return {"clip": path.name, "steps": 0}
    return {
        "clip": path.name,
        "steps": len(got.steps),
        "cadence_spm": float(got.steps.cadence_spm),
        "hand_count_spm": TREADMILL_SPM,
        "sides_known": bool(got.sides_known),
        "contacts": got.steps.strike.tolist(),
        **{s.name: float(np.nanmean(got.values[s.name])) for s in SAGITTAL_MEASURES},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--no-video", action="store_true", help="projected runners only (no rendering, no pose model)"
    )
    args = ap.parse_args()
    out = [compare(name, m, seq) for name, m, seq in cases(not args.no_video)]
    short = ["hip ext TO", "shank IC", "foot ahead IC", "knee IC", "vert osc"]

    def mae(r: dict, name: str, where: str) -> str:
        v = r.get(name, {}).get(where, {}).get("mae")
        return "-" if v is None else f"{v:.2f}"

    for where in ("at_true_events", "at_hipform_events"):
        rows = [
            [
                r["clip"],
                f"{r.get('matched', 0)}/{r['true_steps']}",
                f"{r.get('cadence_spm', float('nan')):.1f} / {r.get('true_cadence_spm', float('nan')):.1f}",
                "yes" if r.get("sides_known") else "no",
                f"{r.get('contact_ms_mean', NAN):+.0f} / {r.get('toe_off_ms_mean', NAN):+.0f}",
                *(mae(r, s.name, where) for s in SAGITTAL_MEASURES),
            ]
            for r in out
        ]
        print(f"MAE {where.replace('_', ' ')} (deg; foot ahead and vertical oscillation in leg lengths)")
        print(table(["clip", "steps", "cadence / true", "sides", "IC / TO ms", *short], rows))
        for s, label in zip(SAGITTAL_MEASURES, short, strict=True):
            maes = [
                r[s.name][where]["mae"]
                for r in out
                if r.get(s.name, {}).get(where, {}).get("mae") is not None
            ]
            print(f"  {label:14s} worst MAE {max(maes) if maes else float('nan'):.2f} over {len(maes)} clips")
    real = real_clip()
    if real is not None:
        print(
            f"real treadmill clip: {real['steps']} steps, cadence {real.get('cadence_spm', NAN):.2f} "
            f"vs hand count {TREADMILL_SPM:.2f} steps/min (clip time)"
        )
        print("  " + ", ".join(f"{s.name} {real.get(s.name, float('nan')):.2f}" for s in SAGITTAL_MEASURES))
    save_results("side_running", {"clips": out, "real_treadmill": real})


if __name__ == "__main__":
    main()
