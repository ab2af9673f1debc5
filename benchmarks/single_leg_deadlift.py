"""Accuracy of the single-leg deadlift's fault measures on rendered athletes (render → MediaPipe → analysis).

Each case renders the synthetic athlete (:mod:`hipform.synth`) doing three single-leg deadlifts on
the right leg, clean or with one injected fault, runs the real pose model (landmarks cached by
:func:`hipform.cache.estimate_pose_cached`) and :func:`hipform.kinematics.analyse` with the movement
named, and compares each graded value at the reps' key frames with the clip's exact truth:

* stance-knee FPPA (front) against ``knee_fppa_right_deg``;
* pelvis opening (front, rear) against ``sldl_pelvis_opening_deg``;
* shoulder–hip–free-ankle line (side) against ``sldl_hinge_line_deg``;
* free-foot clearance (side) against ``sldl_free_foot_height_cm`` ÷ the leg length;
* pelvis sway speed (front): no per-frame truth in the same units; its flags only.

Printed: MAE and bias per measure, and per fault flag precision, recall and F1 (truth *fault* when the
true value passes the rule's mild threshold by a margin of 2°, or 0.05 for ratios, in some rep;
*clean* when every rep stays inside it by that margin; an injected sway of 4 cm is a fault), with
any flag on a clean render listed. Rows go to ``benchmarks/results/single_leg_deadlift.json``.

Usage::

    python benchmarks/single_leg_deadlift.py          # ~14 clips, ~30 min on 2 busy cores (cached after)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import SCRATCH, save_results, table  # noqa: E402

MOVEMENT = "single-leg-deadlift"
OUT = SCRATCH / "single-leg-deadlift"
MARGIN = {"deg": 2.0, "ratio": 0.05}
#: (view, injected fault field or None, magnitude, appearance seed)
CASES = (
    ("front", None, 0.0, 40),
    ("front", None, 0.0, 41),
    ("rear", None, 0.0, 42),
    ("right", None, 0.0, 43),
    ("left", None, 0.0, 44),
    ("front", "knee_valgus_deg", 8.0, 45),
    ("front", "knee_valgus_deg", 20.0, 46),
    ("front", "pelvic_roll_deg", 6.0, 47),
    ("front", "pelvic_roll_deg", 16.0, 48),
    ("rear", "pelvic_roll_deg", 16.0, 49),
    ("right", "hinge_line_deg", 8.0, 50),
    ("right", "hinge_line_deg", 25.0, 51),
    ("right", "free_foot_drop_cm", 45.0, 52),
    ("front", "pelvis_sway_cm", 4.0, 53),
)
#: graded measure → (truth key, fault)
TRUTH = {
    "fppa_deg": ("knee_fppa_right_deg", "knee_collapse"),
    "pelvis_opening_deg": ("sldl_pelvis_opening_deg", "pelvic_roll"),
    "hinge_line_deg": ("sldl_hinge_line_deg", "hinge_line"),
    "free_foot_clearance_ratio": ("sldl_free_foot_height_cm", "instability"),
}


def render(view: str, field: str | None, magnitude: float, seed: int) -> Path:
    """The case's clip (rendered once into :data:`OUT`)."""
    from hipform.synth.athlete import Faults
    from hipform.synth.samples import Sample, render_sample

    name = f"sldl_{view}_{field or 'clean'}{magnitude:g}_{seed}"
    path = OUT / f"{name}.mp4"
    if not path.exists():
        faults = Faults(**({field: magnitude} if field else {}), side="right")
        sample = Sample(
            name, MOVEMENT, view, faults, motion_seed=seed, appearance_seed=seed, stance_side="right"
        )
        render_sample(sample, OUT)
    return path


def run(view: str, field: str | None, magnitude: float, seed: int) -> dict:
    """One case: graded values vs truth at the key frames, and the flags."""
    from hipform.cache import estimate_pose_cached
    from hipform.kinematics import analyse
    from hipform.kinematics.movements import REGISTRY
    from hipform.synth.clip import load_truth

    path = render(view, field, magnitude, seed)
    truth = load_truth(path)
    report = analyse(estimate_pose_cached(path).seq, movement=MOVEMENT)
    rules = {r.measure: r for r in REGISTRY[MOVEMENT].rules}
    body = truth.params["body"]
    leg_cm = 100.0 * (body["thigh_m"] + body["shank_m"])

    def true_at(key: str, k: int) -> float:  # the free foot's height in leg lengths, like the measure
        v = float(truth.measures[key][k])
        return v / leg_cm if key.endswith("_cm") else v

    pairs: dict[str, list[tuple[float, float]]] = {}
    keys = [r["key_frame"] for r in truth.reps]
    for rep in report.reps:
        near = min(keys, key=lambda k: abs(k - rep.key_frame))
        for measure, (key, _) in TRUTH.items():
            v = rep.value_of(measure, rep.side)
            if v is not None and v.value is not None and np.isfinite(v.value):
                pairs.setdefault(measure, []).append((float(v.value), true_at(key, near)))
    verdicts = {}
    for measure, (key, _) in TRUTH.items():
        rule = rules[measure]
        if (rule.view == "frontal") != (view in ("front", "rear")):
            continue
        true = np.array([true_at(key, k) for k in keys], float)
        m = MARGIN[rule.unit]
        if rule.direction == "above":
            pos, neg = (true >= rule.mild + m).any(), (true < rule.mild - m).all()
        else:
            pos, neg = (true <= rule.mild - m).any(), (true > rule.mild + m).all()
        verdicts[measure] = "fault" if pos else "clean" if neg else "ambiguous"
    if view in ("front", "rear"):
        verdicts["pelvis_sway_speed_ratio"] = "fault" if field == "pelvis_sway_cm" else "clean"
    flagged = {m: any(f.measure == m for f in report.flags) for m in verdicts}
    sides = sorted({f.side or "" for f in report.flags})
    return {
        "case": path.stem,
        "view": view,
        "reps_found": len(report.reps),
        "reps_true": len(keys),
        "pairs": pairs,
        "truth": verdicts,
        "flagged": flagged,
        "flag_sides": sides,
        "flags": [(f.measure, f.side, f.rep, round(f.value, 3)) for f in report.flags],
    }


def summarise(rows: list[dict]) -> tuple[list[list[object]], list[list[object]]]:
    """(measure rows: MAE and bias, fault rows: precision, recall, F1, clean flags)."""
    errors: list[list[object]] = []
    for measure in TRUTH:
        d = np.array([a - b for row in rows for a, b in row["pairs"].get(measure, [])], float)
        if d.size:
            errors.append([measure, d.size, round(float(np.mean(np.abs(d))), 3), round(float(np.mean(d)), 3)])
    scores: list[list[object]] = []
    for measure in [*TRUTH, "pelvis_sway_speed_ratio"]:
        tp = fp = fn = 0
        for row in rows:
            t, f = row["truth"].get(measure), row["flagged"].get(measure)
            if t in ("fault", "clean"):
                tp += t == "fault" and f
                fp += t == "clean" and f
                fn += t == "fault" and not f
        p = tp / (tp + fp) if tp + fp else float("nan")
        r = tp / (tp + fn) if tp + fn else float("nan")
        f1 = 2 * p * r / (p + r) if p + r else float("nan")
        scores.append([measure, tp, fp, fn, round(p, 2), round(r, 2), round(f1, 2)])
    return errors, scores


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for case in CASES:
        row = run(*case)
        rows.append(row)
        print(row["case"], row["reps_found"], "/", row["reps_true"], row["flags"], flush=True)
    errors, scores = summarise(rows)
    print(table(["measure", "n", "MAE", "bias"], errors))
    print(table(["flag measure", "TP", "FP", "FN", "precision", "recall", "F1"], scores))
    clean_flags = [(r["case"], r["flags"]) for r in rows if "clean" in r["case"] and r["flags"]]
    print("flags on clean renders:", clean_flags or "none")
    save_results("single_leg_deadlift", {"rows": rows, "errors": errors, "scores": scores})
    print(json.dumps({"errors": errors, "scores": scores}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
