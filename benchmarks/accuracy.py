"""Accuracy of the whole pipeline on rendered athletes (render → MediaPipe → kinematics → flags) vs truth.

Each case renders a synthetic athlete (:mod:`hipform.synth`) with a known
fault magnitude, runs the real pose model (MediaPipe, through
:func:`hipform.cache.estimate_pose_cached`: a byte-identical render reuses
its landmarks) and the real analysis (:func:`hipform.kinematics.analyse`, movement named),
and compares with the clip's ground truth.

What is measured
----------------
* **Detection**: fraction of frames with a person found, per movement × view.
* **Measure error** (per measure, degrees; knee separation as a ratio): at
  every true rep's key frame (bottom, top, midstance), hipform's measure
  computed from MediaPipe's landmarks (median over the key frame ± 2 frames)
  minus the true value of that measure in the ideal viewing plane (the truth
  JSON). Reported as mean absolute error (MAE) and mean signed error (bias).
  ``ideal MAE`` is the same measure computed from perfect landmarks seen by
  the same camera (perspective, a camera turned a few degrees): the error no
  pose model could remove.
* **Flags**: one decision per clip and fault. The truth is *fault* when the
  true value of a rule's measure (each movement's ``rules``, :data:`hipform.kinematics.movements.REGISTRY`)
  passes its mild threshold by at least the margin (2°, or 0.05 for ratios)
  in some rep, *clean* when every rep stays inside it by the margin, and the
  clip is left out for that fault otherwise. hipform says *fault* when it
  flags that fault in any rep. Precision, recall and F1 per fault; the side
  is checked separately (all flags on the injected side).

Variants: appearance seeds (skin, clothes, room), frame height 480 or
720 px, camera distance and height, a yaw of up to 8° off square, and
phone-camera noise/blur/JPEG. The renderer is never tuned for the benchmark.

Usage::

    python benchmarks/accuracy.py --quick      # ~12 clips, a few minutes on 2 cores
    python benchmarks/accuracy.py              # the full grid (84 clips, ~35 min on 2 busy cores)
    python benchmarks/accuracy.py --from-results   # rewrite docs/accuracy.md from the stored rows

A full run stores its rows in ``benchmarks/results/accuracy.json`` and (unless ``--no-doc``)
rewrites ``docs/accuracy.md``; ``--quick`` and ``--only`` runs go to ``accuracy_quick.json`` and
leave the doc alone.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import zlib
from collections import defaultdict
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import keep_other_sections  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "accuracy.json"
DOC = ROOT / "docs" / "accuracy.md"

#: Truth above the mild threshold + margin is a fault, below it − margin clean (deg, ratio).
MARGIN = {"deg": 2.0, "ratio": 0.05}
#: Half-width of the window around a key frame whose median is the measured value, frames.
KEY_HALF_WINDOW = 2

FAULT_FIELD = {
    "knee_collapse": "knee_valgus_deg",
    "pelvic_drop": "pelvic_drop_deg",
    "back_arch": "back_arch_deg",
}
FRONTAL_VIEWS = ("front", "rear")


@dataclass(frozen=True)
class Case:
    """One rendered clip of the grid."""

    movement: str
    view: str
    fault: str | None  # knee_collapse / pelvic_drop / back_arch, None = clean
    magnitude_deg: float
    side: str
    variant: int
    reps: int
    fps: float

    @property
    def name(self) -> str:
        f = "clean" if not self.fault or not self.magnitude_deg else f"{self.fault}{self.magnitude_deg:g}"
        return f"{self.movement}_{self.view}_{f}_{self.side}_v{self.variant}"


# (movement, view, fault, magnitudes full, magnitudes quick, side)
GRID: tuple[tuple[str, str, str | None, tuple[float, ...], tuple[float, ...], str], ...] = (
    ("single-leg-squat", "front", "knee_collapse", (0, 6, 14, 22), (0, 22), "right"),
    ("single-leg-squat", "rear", "knee_collapse", (0, 14, 22), (), "left"),
    ("single-leg-squat", "front", "pelvic_drop", (4, 10), (), "right"),
    ("step-up", "front", "knee_collapse", (0, 14, 22), (22,), "right"),
    ("squat", "front", "knee_collapse", (0, 12, 20), (0,), "both"),
    ("single-leg-balance", "front", "knee_collapse", (0, 14, 22), (), "right"),
    ("single-leg-balance", "rear", "pelvic_drop", (0, 4, 10), (10,), "right"),
    ("running", "rear", "pelvic_drop", (0, 4, 10), (10,), "right"),
    ("running", "rear", "knee_collapse", (14,), (), "right"),
    ("bridge", "left", "back_arch", (0, 5, 15, 25), (0, 25), "right"),
    ("bridge", "right", "back_arch", (10, 20), (), "right"),
    ("single-leg-bridge", "left", "back_arch", (0, 15, 25), (), "left"),
    ("single-leg-bridge", "front", "pelvic_drop", (0, 10), (10,), "right"),
    ("kickback", "right", "back_arch", (0, 5, 15, 25), (0, 25), "right"),
    ("kickback", "left", "back_arch", (10, 20), (), "left"),
)


def build_cases(quick: bool) -> list[Case]:
    cases = []
    variants = (0,) if quick else (0, 1)
    for movement, view, fault, full, fast, side in GRID:
        for mag in fast if quick else full:
            for v in variants:
                reps = 6 if movement == "running" else 3
                fps = 60.0 if movement == "running" else 30.0
                cases.append(Case(movement, view, fault if mag else None, float(mag), side, v, reps, fps))
    return cases


# ----------------------------------------------------------------------------------- rendering


def _camera(case: Case):
    from hipform.synth.camera import VIEW_YAW_DEG
    from hipform.synth.clip import camera_for

    base = camera_for(case.movement, case.view)
    dist0 = float(np.hypot(*(np.subtract(base.position_m, base.target_m))[:2]))
    if case.variant == 0:
        height_px, view, kw = 480, case.view, {}
    else:  # a second phone: bigger frame, further back, higher, turned a little
        yaw = VIEW_YAW_DEG[case.view] + (8.0 if case.view in FRONTAL_VIEWS else -6.0)
        height_px, view = 720, yaw
        kw = dict(distance_m=1.15 * dist0, height_m=base.position_m[2] + 0.15)
    width_px = 2 * round(base.width_px * height_px / base.height_px / 2)
    return camera_for(case.movement, view, width_px=width_px, height_px=height_px, **kw)


def _render(case: Case, out_dir: Path) -> Path:
    from hipform.synth.athlete import Faults, MotionParams, simulate
    from hipform.synth.clip import render_clip
    from hipform.synth.render import PHONE

    seed = 1000 * case.variant + zlib.crc32(case.name.encode()) % 997  # a different look per clip and variant
    kwargs = {FAULT_FIELD[case.fault]: case.magnitude_deg} if case.fault else {}
    stance = case.side if case.side in ("left", "right") else None
    faults = Faults(side=case.side, **kwargs)
    params = MotionParams(reps=case.reps, fps=case.fps, faults=faults, stance_side=stance)
    motion = simulate(case.movement, params, seed=case.variant)
    path = out_dir / f"{case.name}.mp4"
    render_clip(
        motion,
        _camera(case),
        path,
        appearance_seed=seed,
        noise=PHONE if case.variant == 1 else None,
        view=case.view,
    )
    return path


# ----------------------------------------------------------------------------------- measures

#: measure name → (unit, needed views). Views: "frontal" = front/rear, "side" = left/right.
MEASURES = {
    "knee FPPA": ("deg", "frontal"),
    "pelvic drop": ("deg", "frontal"),
    "hip adduction (running)": ("deg", "frontal"),
    "knee separation ratio (squat)": ("ratio", "frontal"),
    "bridge hip line": ("deg", "side"),
    "kickback thigh past trunk": ("deg", "side"),
    "kickback trunk change": ("deg", "side"),
}


#: Benchmark measure → the rule measure whose error band it ships (:mod:`hipform.kinematics.reading_error`).
#: The knee separation ratio is left out: its rule grades it relative to standing, which the raw
#: ratio's constant offset does not survive.
RULE_MEASURES = {
    "knee FPPA": "fppa_deg",
    "pelvic drop": "pelvic_drop_deg",
    "hip adduction (running)": "hip_adduction_deg",
    "bridge hip line": "bridge_hip_line_deg",
    "kickback thigh past trunk": "thigh_past_trunk_deg",
    "kickback trunk change": "trunk_line_change_deg",
}


#: Rule measure → its truth series on a side (None: of the whole body), before the rule reads it.
#: The FPPA is graded against standing, so its truth is too (the first frame stands).
GRADED_TRUTH = {
    "fppa_deg": lambda m, side: m[f"knee_fppa_{side}_deg"] - m[f"knee_fppa_{side}_deg"][0],
    "pelvic_drop_deg": lambda m, side: m["pelvic_drop_deg"],
    "hip_adduction_deg": lambda m, side: m[f"hip_adduction_{side}_deg"],
    "bridge_hip_line_deg": lambda m, side: m["bridge_hip_line_deg"],
    "thigh_past_trunk_deg": lambda m, side: m["kickback_thigh_past_trunk_deg"],
    "trunk_line_change_deg": lambda m, side: m["kickback_trunk_change_deg"],
}


def _graded_errors(report, truth, movement: str) -> dict[str, list[float]]:
    """Per rule measure, each graded rep value's error: the report's value (as its rule reads it,
    with the standing baseline) minus the truth read by the same rule in the same window."""
    from hipform.kinematics.grading import read_windows
    from hipform.kinematics.movements import rules_for

    out: dict[str, list[float]] = defaultdict(list)
    m = {k: np.asarray(v, float) for k, v in truth.measures.items()}
    for rule in rules_for(movement):
        if rule.measure not in GRADED_TRUTH or rule.measure in out:
            continue
        for rep in report.reps:
            value = rep.value_of(rule.measure, rep.side) or rep.value_of(rule.measure, None)
            if value is None or not value.assessed or not np.isfinite(value.value):
                continue
            series = GRADED_TRUTH[rule.measure](m, value.side or "left")
            frames = [np.array([f]) for f in (rep.start_frame, rep.key_frame, rep.end_frame)]
            true, _, _ = read_windows(rule, series, *frames)
            out[rule.measure].append(float(value.value - true[0]))
    return dict(out)


def _view_kind(case: Case) -> str:
    return "frontal" if case.view in FRONTAL_VIEWS else "side"


def _measure_series(px: np.ndarray, movement: str) -> dict[str, np.ndarray]:
    """hipform's per-frame measures on (T, 33, 2) pixels, keyed like :data:`MEASURES` (per side: (T, 2))."""
    from hipform.kinematics import measures as M

    obl = M.compute_pelvic_obliquity_deg(px)
    return {
        "knee FPPA": M.compute_fppa_deg(px),
        "pelvic obliquity": obl,
        "hip adduction (running)": M.compute_hip_adduction_deg(px),
        "knee separation ratio (squat)": M.compute_knee_separation_ratio(px),
        "bridge hip line": M.compute_bridge_hip_line_deg(px),
        "kickback thigh past trunk": M.compute_thigh_past_trunk_deg(px),
        "trunk line": M.compute_trunk_line_deg(px),
    }


def _at(x: np.ndarray, k: int, half: int = KEY_HALF_WINDOW) -> np.ndarray:
    lo, hi = max(0, k - half), min(x.shape[0], k + half + 1)
    with np.errstate(all="ignore"), _quiet():
        return np.nanmedian(x[lo:hi], axis=0)


class _quiet:
    def __enter__(self):
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        self._w.__exit__(*exc)


def _key_values(series: dict[str, np.ndarray], truth, movement: str, half: int) -> dict[str, list[float]]:
    """Per true rep, the value of each applicable measure at its key frame."""
    sides = {"left": 0, "right": 1}
    out: dict[str, list[float]] = defaultdict(list)
    for rep in truth.reps:
        k, start = int(rep["key_frame"]), int(rep["start_frame"])
        s = rep["side"]
        legs = [sides[s]] if s in sides else [0, 1]
        if movement in ("single-leg-squat", "step-up", "single-leg-balance", "squat"):
            for leg in legs:
                out["knee FPPA"].append(float(_at(series["knee FPPA"], k, half)[leg]))
        if movement == "squat":
            out["knee separation ratio (squat)"].append(
                float(_at(series["knee separation ratio (squat)"], k, half))
            )
        if (
            movement in ("single-leg-squat", "step-up", "single-leg-balance", "running", "single-leg-bridge")
            and s
        ):
            obl = float(_at(series["pelvic obliquity"], k, half))
            out["pelvic drop"].append(obl if s == "left" else -obl)
        if movement == "running" and s:
            out["hip adduction (running)"].append(
                float(_at(series["hip adduction (running)"], k, half)[sides[s]])
            )
        if movement == "bridge":
            out["bridge hip line"].append(float(np.mean(_at(series["bridge hip line"], k, half))))
        if movement == "single-leg-bridge" and s:
            out["bridge hip line"].append(float(_at(series["bridge hip line"], k, half)[sides[s]]))
        if movement == "kickback" and s:
            out["kickback thigh past trunk"].append(
                float(_at(series["kickback thigh past trunk"], k, half)[sides[s]])
            )
            # trunk line: + = hip end higher; truth change: + = hips sank
            tl = series["trunk line"]
            out["kickback trunk change"].append(-float(_at(tl, k, half) - _at(tl, start, half)))
    return out


def _true_values(truth, movement: str) -> dict[str, list[float]]:
    """The same entries as :func:`_key_values`, from the truth JSON (ideal viewing plane)."""
    m = truth.measures
    out: dict[str, list[float]] = defaultdict(list)
    stand = m["knee_separation_ratio"][0]
    for rep in truth.reps:
        k = int(rep["key_frame"])
        s = rep["side"]
        legs = [s] if s in ("left", "right") else ["left", "right"]
        if movement in ("single-leg-squat", "step-up", "single-leg-balance", "squat"):
            for leg in legs:
                out["knee FPPA"].append(float(m[f"knee_fppa_{leg}_deg"][k]))
        if movement == "squat":
            out["knee separation ratio (squat)"].append(float(m["knee_separation_ratio"][k]))
            out["_knee separation rel"].append(float(m["knee_separation_ratio"][k] / stand))
        if (
            movement in ("single-leg-squat", "step-up", "single-leg-balance", "running", "single-leg-bridge")
            and s
        ):
            out["pelvic drop"].append(float(m["pelvic_drop_deg"][k]))
        if movement == "running" and s:
            out["hip adduction (running)"].append(float(m[f"hip_adduction_{s}_deg"][k]))
        if movement in ("bridge", "single-leg-bridge"):
            out["bridge hip line"].append(float(m["bridge_hip_line_deg"][k]))
        if movement == "kickback":
            out["kickback thigh past trunk"].append(float(m["kickback_thigh_past_trunk_deg"][k]))
            out["kickback trunk change"].append(float(m["kickback_trunk_change_deg"][k]))
    return out


# ----------------------------------------------------------------------------------- flags


def _truth_class(case: Case, true: dict[str, list[float]]) -> dict[str, str]:
    """fault → "fault" / "clean" / "ambiguous" from the true values and the fault table's rules."""
    from hipform.kinematics.movements import rules_for

    per_rule_truth = {
        "fppa_deg": true.get("knee FPPA", []),
        "knee_separation_rel": true.get("_knee separation rel", []),
        "hip_adduction_deg": true.get("hip adduction (running)", []),
        "pelvic_drop_deg": true.get("pelvic drop", []),
        "bridge_hip_line_deg": true.get("bridge hip line", []),
        "thigh_past_trunk_deg": true.get("kickback thigh past trunk", []),
        # the sign of the analysis' trunk-line change is not pinned down here: judge its size
        "trunk_line_change_deg": [abs(v) for v in true.get("kickback trunk change", [])],
    }
    kind = _view_kind(case)
    out: dict[str, str] = {}
    for rule in rules_for(case.movement):
        needs = "frontal" if rule.view == "frontal" else "side"
        if needs != kind or rule.measure not in per_rule_truth or rule.min_hip_depth > 0:
            continue
        vals = np.asarray(per_rule_truth[rule.measure], float)
        vals = vals[np.isfinite(vals)]
        if vals.size == 0:
            continue
        margin = MARGIN[rule.unit]
        if rule.direction == "above":
            pos, neg = (vals >= rule.mild + margin).any(), (vals < rule.mild - margin).all()
        else:
            pos, neg = (vals <= rule.mild - margin).any(), (vals > rule.mild + margin).all()
        verdict = "fault" if pos else "clean" if neg else "ambiguous"
        prev = out.get(rule.fault)
        if prev == "fault" or verdict == "fault":
            out[rule.fault] = "fault"
        elif prev == "ambiguous" or verdict == "ambiguous":
            out[rule.fault] = "ambiguous"
        else:
            out[rule.fault] = "clean"
    return out


# ----------------------------------------------------------------------------------- one clip


def run_case(case: Case, keep_dir: str | None = None) -> dict:
    """Render, run the pipeline and score one case; a JSON-able dict."""
    from hipform.cache import estimate_pose_cached
    from hipform.kinematics import analyse
    from hipform.synth.clip import load_truth

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = Path(keep_dir or tmp)
        path = _render(case, out_dir)
        t_render = time.perf_counter() - t0
        # Rendering is deterministic, so a re-run after a kinematics change takes
        # the landmarks from the cache instead of running MediaPipe again.
        seq = estimate_pose_cached(path).seq
        truth = load_truth(path)
    t_pose = time.perf_counter() - t0 - t_render
    report = analyse(seq, movement=case.movement)
    mp = _key_values(
        _measure_series(seq.landmarks_px[..., :2], case.movement), truth, case.movement, KEY_HALF_WINDOW
    )
    ideal_px = truth.pose_sequence().landmarks_px[..., :2]
    ideal = _key_values(_measure_series(ideal_px, case.movement), truth, case.movement, 0)
    true = _true_values(truth, case.movement)
    kind = _view_kind(case)
    errors = {}
    for name, (_unit, views) in MEASURES.items():
        if views != kind or name not in true:
            continue
        t = np.asarray(true[name], float)
        e = np.asarray(mp.get(name, [np.nan] * len(t)), float) - t
        ei = np.asarray(ideal.get(name, [np.nan] * len(t)), float) - t
        errors[name] = {"err": e.tolist(), "ideal_err": ei.tolist(), "true": t.tolist()}
    flags = defaultdict(set)
    for f in report.flags:
        flags[f.fault].add(f.side)
    na = sorted({n.fault for n in report.not_assessed if n.rep is None})
    return {
        "case": asdict(case),
        "name": case.name,
        "detection": float(seq.detection_rate),
        "reps_true": len(truth.reps),
        "reps_found": len(report.reps),
        "errors": errors,
        "graded_errors": _graded_errors(report, truth, case.movement),
        "truth_class": _truth_class(case, true),
        "flags": {k: sorted(v, key=str) for k, v in flags.items()},
        "not_assessed": na,
        "seconds": {"render": t_render, "pose": t_pose, "total": time.perf_counter() - t0},
    }


def _run_case_safe(case: Case) -> dict:
    os.environ.setdefault("GLOG_minloglevel", "2")
    return run_case(case)


# ----------------------------------------------------------------------------------- summary


def _clean(x: list[float]) -> np.ndarray:
    a = np.asarray(x, float)
    return a[np.isfinite(a)]


def summarise(rows: list[dict]) -> dict:
    """Detection, measure errors and flag scores over all rows."""
    det = defaultdict(list)
    for r in rows:
        det[(r["case"]["movement"], r["case"]["view"])].append(r["detection"])
    detection = {
        f"{m} / {v}": {"mean": float(np.mean(d)), "min": float(np.min(d)), "clips": len(d)}
        for (m, v), d in sorted(det.items())
    }
    measures = {}
    for name, (unit, _views) in MEASURES.items():
        groups: dict[str, list[float]] = defaultdict(list)
        n_nan = 0
        for r in rows:
            if name not in r["errors"]:
                continue
            e = np.asarray(r["errors"][name]["err"], float)
            ei = np.asarray(r["errors"][name]["ideal_err"], float)
            ok = np.isfinite(e)
            n_nan += int((~ok).sum())
            groups["all"] += e[ok].tolist()
            groups[f"v{r['case']['variant']}"] += e[ok].tolist()
            groups["faulted" if r["case"]["fault"] else "clean"] += e[ok].tolist()
            both = ok & np.isfinite(ei)
            groups["ideal"] += ei[np.isfinite(ei)].tolist()
            groups["pose"] += (e[both] - ei[both]).tolist()  # MediaPipe alone: vs perfect landmarks
        if not groups["all"] and not n_nan:
            continue

        def mae(key: str, groups: dict[str, list[float]] = groups) -> float:
            v = np.asarray(groups.get(key, []), float)
            return float(np.mean(np.abs(v))) if v.size else float("nan")

        e = np.asarray(groups["all"], float)
        measures[name] = {
            "unit": unit,
            "n": int(e.size),
            "missing": n_nan,
            "mae": mae("all"),
            "bias": float(np.mean(e)) if e.size else float("nan"),
            "p90_abs": float(np.percentile(np.abs(e), 90)) if e.size else float("nan"),
            "ideal_mae": mae("ideal"),
            "pose_mae": mae("pose"),
            "mae_square_camera": mae("v0"),
            "mae_turned_camera": mae("v1"),
            "mae_faulted": mae("faulted"),
            "mae_clean": mae("clean"),
        }
    flags = {}
    for fault in ("knee_collapse", "pelvic_drop", "back_arch"):
        tp = fp = fn = tn = side_ok = 0
        missed, false_alarms, na = [], [], 0
        for r in rows:
            verdict = r["truth_class"].get(fault)
            if verdict not in ("fault", "clean"):
                continue
            got = set(r["flags"].get(fault, ()))
            na += fault in r["not_assessed"]
            side = r["case"]["side"]
            if fault != "back_arch" and side in ("left", "right") and got - {None}:
                # a per-side fault: only a flag on the injected side counts as finding it; a flag on
                # the other side is a false alarm
                right_side, wrong_side = side in got, bool(got - {side, None})
            else:
                right_side, wrong_side = bool(got), False
            if verdict == "fault":
                if right_side:
                    tp += 1
                    side_ok += not wrong_side
                else:
                    fn += 1
                    missed.append(r["name"])
                if wrong_side:
                    fp += 1
                    false_alarms.append(r["name"] + " (wrong side)")
            elif got:
                fp += 1
                false_alarms.append(r["name"])
            else:
                tn += 1
        p = tp / (tp + fp) if tp + fp else float("nan")
        rc = tp / (tp + fn) if tp + fn else float("nan")
        f1 = 2 * p * rc / (p + rc) if tp else (0.0 if (fp or fn) else float("nan"))
        flags[fault] = {
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "tn": tn,
            "precision": p,
            "recall": rc,
            "f1": f1,
            "side_correct": side_ok,
            "not_assessed": na,
            "missed": missed,
            "false_alarms": false_alarms,
        }
    clean_rows = [r for r in rows if not r["case"]["fault"]]
    clean_flagged = [r["name"] for r in clean_rows if r["flags"]]
    return {
        "detection": detection,
        "measures": measures,
        "flags": flags,
        "clean_clips": len(clean_rows),
        "clean_clips_flagged": clean_flagged,
        "clips": len(rows),
        "reading_errors": reading_error_bands(rows)["measures"],
    }


def _errors_of(rows: list[dict], name: str, measure: str, variant: int, graded: bool) -> np.ndarray:
    """One measure's errors over the rows of one camera: graded rep values' (``graded``) or the raw
    key-frame readings' (rows from before graded errors were recorded)."""
    rows = [r for r in rows if r["case"]["variant"] == variant]
    if graded:
        return _clean([e for r in rows for e in r["graded_errors"].get(measure, [])])
    return _clean([e for r in rows if name in r["errors"] for e in r["errors"][name]["err"]])


def reading_error_bands(rows: list[dict]) -> dict:
    """Each rule measure's error band: the 5th and 95th percentile of its error per camera
    (``square``: variant 0, ``turned``: variant 1), as ``hipform/kinematics/reading_errors.json``.
    The error is that of the graded rep values (the report's value minus the truth read the same
    way) when every row recorded them, else that of the raw reading at each rep's key frame."""
    graded = bool(rows) and all("graded_errors" in r for r in rows)
    bands: dict[str, dict] = {}
    for name, measure in RULE_MEASURES.items():
        cameras = {}
        for camera, variant in (("square", 0), ("turned", 1)):
            err = _errors_of(rows, name, measure, variant, graded)
            if err.size:
                low, high = np.percentile(err, [5, 95])
                cameras[camera] = {
                    "low": round(float(low), 2),
                    "high": round(float(high), 2),
                    "n": int(err.size),
                }
        if len(cameras) == 2:
            bands[measure] = {"benchmark_measure": name, "cameras": cameras}
    what = (
        "each graded rep value (as its rule reads it, with the standing baseline) minus the truth "
        "read the same way"
        if graded
        else "the raw reading at each rep's key frame minus the truth"
    )
    return {
        "source": (
            f"benchmarks/accuracy.py, rendered athletes through MediaPipe: 5th-95th percentile of {what}"
        ),
        "measures": bands,
    }


def write_reading_errors(rows: list[dict]) -> None:
    """Ship the measured error bands with the package (the interval on every flag)."""
    from hipform.kinematics.reading_error import BANDS_FILE

    BANDS_FILE.write_text(json.dumps(reading_error_bands(rows), indent=1) + "\n")


def _f(x: float, nd: int = 2) -> str:
    return "–" if x is None or not np.isfinite(x) else f"{x:.{nd}f}"


#: Causes behind the figures, found by inspecting the clips (kept with the script so the doc keeps them).
FINDINGS = """\
## Why the targets are not all met

Checked clip by clip (landmarks against the truth, frame by frame); the renderer was not tuned.

* **Knee collapse is read at about half its size.** On a single-leg squat from the front with 15°
  true FPPA (13° through the camera), MediaPipe's landmarks give 5–7°; with 25° true, 13–14°. The
  hip, knee and ankle points are each a few pixels off towards a straight leg (a prior of the
  model), at 480 and at 1280 px alike. Perfect landmarks through the same camera are within
  ~2.5° (perspective of a bent knee close to the camera). So FPPA flags fire only for marked
  collapse (≥ ~22° true).
* **A camera turned a few degrees changes FPPA a lot.** With the camera 8° off square (and 15 cm
  higher), even perfect landmarks give an FPPA ~10° away from the frontal-plane truth at the
  bottom of a squat (the *turned camera* column; cf. Englander 2019: 15° can flip varus to
  valgus at depth). MediaPipe's own error stays ~4° (*MediaPipe alone*); the rest is geometry
  that only a square camera avoids. The user guidance to film square-on matters.
* **Pelvic drop is not seen.** Under 8–16° of true drop (single-leg squat, balance, running, from
  the rear) MediaPipe's hip points stay level within 0–2°. The drop is visible in the image but
  the hip landmarks follow the trunk and thighs. Pelvic-drop recall is therefore low (1 of 8
  faulted clips flagged, on the correct side).
* **Rep and step detection is no longer a cause.** Squat and single-leg squat reps come from the
  hip height in the image, kickback reps need only one visible wrist, the single-leg balance hold
  is found from the front, running stance is the lower foot from the rear, and every clip of the
  grid gets its true number of reps (*not assessed* is 0 for every fault). Earlier versions
  segmented squats on MediaPipe's 3D knee flexion, which from the front reads a 100° squat as
  25–50°, and so missed most frontal faults.
* **A waistband does not make the drop visible.** Rendering a waistband, hems and inguinal creases
  that tilt with the pelvis raised MediaPipe's hip-line reading by only about 1° under 12° of true
  drop: its hip points follow the trunk axis (tilting the whole upper body with the pelvis moved
  the reading 6–10°). The athlete keeps the trunk upright while the pelvis drops; real runners
  often lean with it, so real clips may show more — not yet measured against ground truth.
* **Back arching (bridge, kickback, side view) works:** MAE within the 4° target, F1 ≥ 0.9.
"""

TARGETS = {"knee FPPA": 3.0, "pelvic drop": 2.0, "bridge hip line": 4.0, "kickback thigh past trunk": 4.0}


def markdown(summary: dict, mode: str, wall_s: float) -> str:
    lines = [
        "# Accuracy on rendered athletes",
        "",
        f"Measured by `python benchmarks/accuracy.py{' --quick' if mode == 'quick' else ''}` "
        f"({summary['clips']} clips, {mode} grid, {wall_s / 60:.0f} min); raw rows in "
        "`benchmarks/results/accuracy.json`. Full pipeline: rendered clip (hipform.synth) → MediaPipe "
        "(hipform.pose) → hipform.kinematics → flags, against the ground truth written with each clip. "
        "How each figure is computed: the docstring of `benchmarks/accuracy.py`.",
        "",
        "## Detection (frames with a person found)",
        "",
        "| movement / view | mean | worst clip | clips |",
        "|---|---|---|---|",
    ]
    for k, d in summary["detection"].items():
        lines.append(f"| {k} | {100 * d['mean']:.1f}% | {100 * d['min']:.1f}% | {d['clips']} |")
    lines += [
        "",
        "## Measure error at the key frame of each rep (MediaPipe landmarks vs truth)",
        "",
        "MAE and bias (measured − true) in degrees (ratio for knee separation). *Ideal MAE*: the same "
        "measure on perfect landmarks through the same camera (perspective and camera-angle error only). "
        "*MediaPipe alone*: measured − perfect-landmark value through the same camera (the pose model's own "
        "error). *Missing*: key frames where the measure could not be computed.",
        "",
        "| measure | MAE | bias | 90th pct abs | ideal MAE | MediaPipe alone | target | n | missing |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, m in summary["measures"].items():
        nd = 3 if m["unit"] == "ratio" else 2
        target = TARGETS.get(name)
        verdict = (
            "" if target is None else (f"≤ {target:g} " + ("met" if m["mae"] <= target else "**not met**"))
        )
        lines.append(
            f"| {name} | {_f(m['mae'], nd)} | {_f(m['bias'], nd)} | {_f(m['p90_abs'], nd)} | "
            f"{_f(m['ideal_mae'], nd)} | {_f(m['pose_mae'], nd)} | {verdict} | {m['n']} | {m['missing']} |"
        )
    lines += [
        "",
        "MAE by camera and clip (same key frames): *square* = camera square to the plane at the default "
        "height, 480 px; *turned* = turned 6–8° off square, 15% further, 15 cm higher, 720 px, phone noise; "
        "*faulted* / *clean* = clips with / without an injected fault.",
        "",
        "| measure | square camera | turned camera | faulted clips | clean clips |",
        "|---|---|---|---|---|",
    ]
    for name, m in summary["measures"].items():
        nd = 3 if m["unit"] == "ratio" else 2
        lines.append(
            f"| {name} | {_f(m['mae_square_camera'], nd)} | {_f(m['mae_turned_camera'], nd)} | "
            f"{_f(m['mae_faulted'], nd)} | {_f(m['mae_clean'], nd)} |"
        )
    lines += [
        "",
        "## Flags (one decision per clip and fault)",
        "",
        f"Truth *fault*: the true value passes the rule's mild threshold by ≥ {MARGIN['deg']:g}° "
        f"({MARGIN['ratio']:g} for ratios) in some rep; *clean*: every rep inside it by that margin. "
        "A per-side fault flagged only on the wrong side counts as missed and as a false alarm. "
        "*Not assessed*: clips where hipform said it could not judge the fault (e.g. no rep found). "
        "Target F1 ≥ 0.9.",
        "",
        "| fault | TP | FP | FN | TN | precision | recall | F1 | TP on one side only | not assessed |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for fault, s in summary["flags"].items():
        lines.append(
            f"| {fault} | {s['tp']} | {s['fp']} | {s['fn']} | {s['tn']} | {_f(s['precision'])} | "
            f"{_f(s['recall'])} | {_f(s['f1'])} | {s['side_correct']}/{s['tp']} | {s['not_assessed']} |"
        )
    lines += [
        "",
        f"Fault-free clips with any flag: {len(summary['clean_clips_flagged'])} of "
        f"{summary['clean_clips']}"
        + (f" ({', '.join(summary['clean_clips_flagged'])})" if summary["clean_clips_flagged"] else "")
        + ".",
    ]
    for fault, s in summary["flags"].items():
        if s["missed"]:
            lines.append(f"\nMissed {fault}: {', '.join(s['missed'])}.")
        if s["false_alarms"]:
            lines.append(f"\nFalse {fault} flags: {', '.join(s['false_alarms'])}.")
    return "\n".join(lines + _interval_lines(summary["reading_errors"])) + "\n\n" + FINDINGS


def _interval_lines(bands: dict) -> list[str]:
    """The section on the interval every flag carries: the shipped bands."""
    lines = [
        "",
        "## The interval on every flag",
        "",
        "Each flag carries where its true size lies (`interval` in the report; the app's *likely true "
        "size*): the reading less the 95th and the 5th percentile of the error of its measure's graded "
        "rep values in this grid (the report's value minus the truth read by the same rule in the same "
        "window), per camera; a front or rear view with the body turned "
        "more than 5°, or a turn not measured, takes the wider of the two. A band is stretched to "
        "hold zero error, so the interval always holds the reading: a bias seen on rendered bodies "
        "is not assumed of people. An angle this grid does not read takes ±1.645 × the published error "
        "of a 2D angle (FPPA SEM ~3°, Munro 2012); a ratio it does not read gets no interval (no one "
        "published figure fits hipform's ratios) and keeps its rule's severity. A flag is *marked* only when "
        "its whole interval is past the marked line. Shipped in `hipform/kinematics/reading_errors.json`, "
        "written by this benchmark (`hipform.kinematics.reading_error`).",
        "",
        "| rule measure | benchmark measure | square camera: 5th / 95th pct "
        "| turned camera: 5th / 95th pct | n |",
        "|---|---|---|---|---|",
    ]
    for measure, b in bands.items():
        sq, tu = b["cameras"]["square"], b["cameras"]["turned"]
        lines.append(
            f"| `{measure}` | {b['benchmark_measure']} | {sq['low']:+.2f} / {sq['high']:+.2f} | "
            f"{tu['low']:+.2f} / {tu['high']:+.2f} | {sq['n'] + tu['n']} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="a small grid (one variant, few magnitudes)")
    ap.add_argument("--workers", type=int, default=2, help="clips processed at once (default 2)")
    ap.add_argument("--only", help="only cases whose name contains this text")
    ap.add_argument("--no-doc", action="store_true", help="do not rewrite docs/accuracy.md")
    ap.add_argument(
        "--from-results", action="store_true", help="rewrite docs/accuracy.md from the stored results, no run"
    )
    args = ap.parse_args(argv)
    if args.from_results:
        stored = json.loads(RESULTS.read_text())
        stored["summary"] = summarise(stored["rows"])
        RESULTS.write_text(json.dumps(stored, indent=1, default=str, allow_nan=True))
        text = markdown(stored["summary"], stored["mode"], stored["wall_s"])
        DOC.write_text(keep_other_sections(DOC, text))
        write_reading_errors(stored["rows"])
        print(text)
        return 0
    cases = build_cases(args.quick)
    if args.only:
        cases = [c for c in cases if args.only in c.name]
    t0 = time.perf_counter()
    rows = []
    ctx = get_context("spawn")  # MediaPipe graphs do not survive fork
    with ctx.Pool(max(1, args.workers)) as pool:
        for row in pool.imap_unordered(_run_case_safe, cases):
            rows.append(row)
            flags = ", ".join(f"{k}:{'/'.join(map(str, v))}" for k, v in row["flags"].items()) or "none"
            print(
                f"[{len(rows)}/{len(cases)}] {row['name']:<48} det {100 * row['detection']:5.1f}%  "
                f"reps {row['reps_found']}/{row['reps_true']}  truth {row['truth_class']}  flags {flags}",
                flush=True,
            )
    wall = time.perf_counter() - t0
    rows.sort(key=lambda r: r["name"])
    summary = summarise(rows)
    mode = "quick" if args.quick else "full"
    results = RESULTS if mode == "full" and not args.only else RESULTS.with_name("accuracy_quick.json")
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(
        json.dumps(
            {"mode": mode, "wall_s": wall, "summary": summary, "rows": rows},
            indent=1,
            default=str,
            allow_nan=True,
        )
    )
    text = markdown(summary, mode, wall)
    print(text)
    if mode == "full" and not args.no_doc and not args.only:  # the doc always shows a full run
        DOC.write_text(keep_other_sections(DOC, text))
    if mode == "full" and not args.only:  # the shipped bands always come from a full run
        write_reading_errors(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
