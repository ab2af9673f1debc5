"""Band walk accuracy: rendered athletes through the real pose model, each step's measures and the
clip's flags against the motion's exact truth.

    python benchmarks/band_walk.py     # renders into $HIPFORM_BENCH_TMP/band_walk (kept), ~20 clips

Each case renders the synthetic athlete walking three steps out and three back (front or rear view,
360×640, 15 frames/s, other looks and motion seeds than the test fixtures), runs MediaPipe (landmarks
cached by :func:`hipform.cache.estimate_pose_cached`) and :func:`hipform.kinematics.analyse`
(movement named). Per step, each rule's graded value is compared with its truth read on the 3D
motion in the ideal viewing plane (world x–z):

* ``knee_separation_ratio``: knee width ÷ ankle width at the step's key frame (``knee_separation_ratio``);
* ``knee_width_set_rel``: the same ÷ its mean over the first two steps;
* ``trunk_sway_range_deg``: the range of the trunk's sideways lean (``trunk_lean_stance_deg``) over
  the true step;
* ``hip_rise_set_ratio``: ``band_walk_hip_rise_cm`` ÷ leg length, less the first two steps';
* ``step_width_ratio``: ankle distance ÷ hip width at the key frame.

MAE and bias are over steps matched in order (a clip whose step count is wrong is reported and left
out). Flags: one decision per clip and fault, as in ``benchmarks/accuracy.py``: the truth is a fault
when some step's true value passes a rule's mild threshold by the margin (2°, 0.05 for ratios),
clean when every step stays inside by the margin (else the clip is left out for that fault); hipform
says fault when it flags the fault in any step. Results go to ``benchmarks/results/band_walk.json``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, SCRATCH, decision_scores  # noqa: E402

from hipform.cache import estimate_pose_cached  # noqa: E402
from hipform.kinematics import analyse  # noqa: E402
from hipform.kinematics.movements import movement_named  # noqa: E402
from hipform.synth.athlete import Faults, Motion, MotionParams, simulate  # noqa: E402
from hipform.synth.clip import camera_for, render_clip  # noqa: E402
from hipform.synth.movements.common import xz  # noqa: E402

MARGIN = {"deg": 2.0, "ratio": 0.05}
FAULTED_STEPS = (4, 5)
#: (name, faults) rendered from the front and from behind.
CASES = (
    ("clean_a", Faults()),
    ("clean_b", Faults()),
    ("knees8", Faults(knee_valgus_deg=8.0, side="both", reps=FAULTED_STEPS)),
    ("knees15", Faults(knee_valgus_deg=15.0, side="both", reps=FAULTED_STEPS)),
    ("sway6", Faults(trunk_lean_deg=6.0, side="both", reps=FAULTED_STEPS)),
    ("sway14", Faults(trunk_lean_deg=14.0, side="both", reps=FAULTED_STEPS)),
    ("rise5", Faults(depth_lost_cm=5.0, side="both", reps=FAULTED_STEPS)),
    ("rise10", Faults(depth_lost_cm=10.0, side="both", reps=FAULTED_STEPS)),
    ("feet10", Faults(feet_together_cm=10.0, side="both", reps=FAULTED_STEPS)),
    ("feet20", Faults(feet_together_cm=20.0, side="both", reps=FAULTED_STEPS)),
)
VIEWS = ("front", "rear")
RULES = movement_named("band-walk").rules


def true_values(motion: Motion) -> dict[str, np.ndarray]:
    """Each rule measure's true value per step (see the module docstring)."""
    j, t = motion.joints_m, motion.truth
    keys = np.array([r.key_frame for r in motion.reps])
    ratio = t["knee_separation_ratio"][keys]
    lean = t["trunk_lean_stance_deg"]
    rise = t["band_walk_hip_rise_cm"][keys] / 100.0 / motion.params.body.leg_m
    ankles = np.linalg.norm(xz(j[keys, 27] - j[keys, 28]), axis=-1)
    hips = np.linalg.norm(xz(j[keys, 23] - j[keys, 24]), axis=-1)
    return {
        "knee_separation_ratio": ratio,
        "knee_width_set_rel": ratio / ratio[:2].mean(),
        "trunk_sway_range_deg": np.array(
            [
                np.nanmax(lean[r.start_frame : r.end_frame + 1])
                - np.nanmin(lean[r.start_frame : r.end_frame + 1])
                for r in motion.reps
            ]
        ),
        "hip_rise_set_ratio": rise - rise[:2].mean(),
        "step_width_ratio": ankles / hips,
    }


def truth_class(values: dict[str, np.ndarray]) -> dict[str, str]:
    """fault / clean / unclear per fault, from the rules' mild thresholds and the margin."""
    out: dict[str, str] = {}
    for rule in RULES:
        v, m = values[rule.measure], MARGIN[rule.unit]
        past = v >= rule.mild + m if rule.direction == "above" else v < rule.mild - m
        inside = v < rule.mild - m if rule.direction == "above" else v >= rule.mild + m
        verdict = "fault" if past.any() else "clean" if inside.all() else "unclear"
        before = out.get(rule.fault, "clean")
        out[rule.fault] = (
            "fault"
            if "fault" in (verdict, before)
            else "unclear"
            if "unclear" in (verdict, before)
            else "clean"
        )
    return out


def run_case(name: str, faults: Faults, view: str, seed: int, out: Path) -> dict:
    motion = simulate("band-walk", MotionParams(reps=6, fps=15.0, faults=faults), seed=seed)
    clip = out / f"{name}_{view}.mp4"
    if not clip.exists():
        render_clip(
            motion,
            camera_for("band-walk", view, width_px=360, height_px=640),
            clip,
            appearance_seed=40 + seed,
            view=view,
        )
    report = analyse(estimate_pose_cached(clip, workers=1).seq, movement="band-walk")
    truth = true_values(motion)
    measured = {
        rule.measure: np.array(
            [next((v.value for v in r.values if v.measure == rule.measure), np.nan) for r in report.reps]
        )
        for rule in RULES
    }
    return {
        "case": f"{name}_{view}",
        "steps": len(report.reps),
        "true_steps": len(motion.reps),
        "sides_right": [r.side for r in report.reps] == [r.side for r in motion.reps],
        "truth": {k: v.tolist() for k, v in truth.items()},
        "measured": {k: v.tolist() for k, v in measured.items()},
        "truth_class": truth_class(truth),
        "flagged": sorted({f.fault for f in report.flags}),
    }


def summarise(rows: list[dict]) -> dict:
    errors: dict[str, list[float]] = {r.measure: [] for r in RULES}
    for row in rows:
        if row["steps"] != row["true_steps"]:
            continue
        for k in errors:
            errors[k] += (np.array(row["measured"][k], float) - np.array(row["truth"][k], float)).tolist()
    measures = {
        k: {"mae": float(np.nanmean(np.abs(e))), "bias": float(np.nanmean(e)), "n": int(np.isfinite(e).sum())}
        for k, e in ((k, np.array(v, float)) for k, v in errors.items())
    }
    faults = {
        fault: decision_scores((row["truth_class"][fault], fault in row["flagged"]) for row in rows)
        for fault in dict.fromkeys(r.fault for r in RULES)
    }
    clean_flags = [row["case"] for row in rows if row["case"].startswith("clean") and row["flagged"]]
    steps_right = sum(row["steps"] == row["true_steps"] and row["sides_right"] for row in rows)
    return {
        "measures": measures,
        "faults": faults,
        "clean_clips_flagged": clean_flags,
        "steps_right": steps_right,
        "clips": len(rows),
    }


def main() -> None:
    out = SCRATCH / "band_walk"
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, (name, faults) in enumerate(CASES):
        for view in VIEWS:
            rows.append(run_case(name, faults, view, seed=11 + i, out=out))
            r = rows[-1]
            print(
                f"{r['case']:<16} steps {r['steps']}/{r['true_steps']} truth {r['truth_class']} "
                f"flagged {r['flagged']}",
                flush=True,
            )
    summary = summarise(rows)
    print(f"steps and sides right: {summary['steps_right']} of {summary['clips']} clips")
    for k, m in summary["measures"].items():
        print(f"{k:<24} MAE {m['mae']:.3f}  bias {m['bias']:+.3f}  ({m['n']} steps)")
    for k, f in summary["faults"].items():
        counts = f"tp {f['tp']} fp {f['fp']} fn {f['fn']} tn {f['tn']}"
        print(f"{k:<16} F1 {f['f1']:.2f}  precision {f['precision']:.2f} recall {f['recall']:.2f}  {counts}")
    print(f"clean clips flagged: {summary['clean_clips_flagged'] or 'none'}")
    (RESULTS / "band_walk.json").write_text(json.dumps({"rows": rows, "summary": summary}, indent=1) + "\n")


if __name__ == "__main__":
    main()
