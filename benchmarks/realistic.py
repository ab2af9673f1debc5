"""MediaPipe on realistic rendered bodies beside the cartoon: landmark error and frontal readings vs truth.

Each case simulates one athlete motion with the proportions of a MakeHuman body
(:mod:`hipform.synth.realistic`) and films it twice, square on: as the realistic skinned body
(``render_clip(renderer="realistic")``) and as the cartoon (the default renderer). The real pose
model (MediaPipe through :func:`hipform.cache.estimate_pose_cached`) reads both clips.

What is measured
----------------
* **Landmark error**: per frame, the distance between MediaPipe's image landmark and the true
  joint centre projected by the same camera (truth JSON ``landmarks_px``: the mesh's joint
  helper cubes for the realistic body, the athlete's joints for the cartoon; the two agree for
  hips, knees and ankles), pixels and % of the true torso length (shoulder midpoint to hip
  midpoint in the image); the median over a clip's frames, averaged over clips.
* **Knee FPPA** (single-leg squat, front view, true FPPA 0/10/18/25° on the stance knee at the
  bottom) and **pelvic drop** (single-leg balance, rear and front view, true drop 0/6/10/14°):
  hipform's measure (:mod:`hipform.kinematics.measures`) on MediaPipe's landmarks, median over
  the key frame ± 2 frames, against the true value at the key frame (the truth JSON, computed
  from the drawn body's joints as the spec defines it). MAE, bias, and the slope of a
  least-squares line measured = a + slope × true (1 = follows the truth). *Ideal*: the same
  measure on perfect landmarks through the same camera.
* **Real-clip direction**: a deep two-leg squat with both knees swaying in (12°) vs clean,
  realistic body in loose trousers, front view, analysed as a squat: its knee FPPA and
  knee-inside-toes ratio at the bottom and the knee-collapse flag must move the same way as on the
  real pair in ``../shared/clips`` (``squat_front_knees_sway_in.mov`` vs ``squat_front_clean.mov``).

Usage::

    python benchmarks/realistic.py                  # 26 motions × 2 renderers (~30 min on 2 busy cores)
    python benchmarks/realistic.py --kinds squat    # only the squat pair again, other rows from the results
    python benchmarks/realistic.py --from-results   # print the tables from the stored results

Results: ``benchmarks/results/realistic.json``; the tables are printed as Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import zlib
from dataclasses import asdict, dataclass, replace
from multiprocessing import get_context
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import CLIPS, RESULTS, save_results, table  # noqa: E402

FPS = 15.0
#: A short standing lead-in (the standing baseline) and tail: each realistic frame takes ~0.5 s.
SHORT = {"standing_lead_in_s": 0.6, "tail_s": 0.2}
#: Single-leg balance rep length, s (its hold is half of it).
BALANCE_TEMPO_S = 3.0
KEY_HALF_WINDOW = 2
BODIES = ("female", "male-heavy")
FPPA_GRID_DEG = (0.0, 10.0, 18.0, 25.0)
DROP_GRID_DEG = (0.0, 6.0, 10.0, 14.0)
SWAY_IN_DEG = 12.0
SQUAT_DEPTH_DEG = 115.0
REAL_PAIR = ("squat_front_knees_sway_in.mov", "squat_front_clean.mov")
JOINT_GROUPS = {
    "shoulders": ("LEFT_SHOULDER", "RIGHT_SHOULDER"),
    "hips": ("LEFT_HIP", "RIGHT_HIP"),
    "knees": ("LEFT_KNEE", "RIGHT_KNEE"),
    "ankles": ("LEFT_ANKLE", "RIGHT_ANKLE"),
}
RENDERERS = ("realistic", "cartoon")


@dataclass(frozen=True)
class Case:
    """One motion of the grid, filmed by both renderers."""

    kind: str  # "fppa", "drop" or "squat"
    movement: str
    view: str
    body: str
    magnitude_deg: float

    @property
    def name(self) -> str:
        return f"{self.kind}_{self.view}_{self.body}_{self.magnitude_deg:g}"


def build_cases() -> list[Case]:
    cases = [Case("fppa", "single-leg-squat", "front", b, m) for b in BODIES for m in FPPA_GRID_DEG]
    cases += [
        Case("drop", "single-leg-balance", v, b, m)
        for v in ("rear", "front")
        for b in BODIES
        for m in DROP_GRID_DEG
    ]
    cases += [Case("squat", "squat", "front", "female", m) for m in (0.0, SWAY_IN_DEG)]
    return cases


def _motion(case: Case):
    from hipform.synth.athlete import Faults, MotionParams, simulate
    from hipform.synth.realistic.body import load_body

    body = load_body(case.body).proportions
    if case.kind == "squat":
        faults = Faults(knee_valgus_deg=case.magnitude_deg, side="both")
        params = MotionParams(reps=1, fps=FPS, faults=faults, body=body, depth=SQUAT_DEPTH_DEG, **SHORT)
    else:
        field = "knee_valgus_deg" if case.kind == "fppa" else "pelvic_drop_deg"
        faults = Faults(side="right", **{field: case.magnitude_deg})
        tempo = BALANCE_TEMPO_S if case.kind == "drop" else None
        params = MotionParams(
            reps=1, fps=FPS, faults=faults, body=body, stance_side="right", tempo_s=tempo, **SHORT
        )
    return simulate(case.movement, params, seed=0)


def _look(case: Case):
    from hipform.synth.realistic.scene import RealisticLook

    # one look per body and series, so the series differs only by the fault
    seed = zlib.crc32(f"{case.kind}{case.view}{case.body}".encode()) % 997
    look = RealisticLook.from_seed(seed, body_shape=case.body)
    if case.kind == "squat":  # as the real pair: loose trousers
        look = replace(look, bottoms="loose trousers", sleeves="short")
    return seed, look


def _at(x: np.ndarray, k: int, half: int = KEY_HALF_WINDOW) -> np.ndarray:
    lo, hi = max(0, k - half), min(x.shape[0], k + half + 1)
    with np.errstate(all="ignore"):
        return np.nanmedian(x[lo:hi], axis=0)


def _landmark_errors(seq, truth) -> dict[str, dict[str, float]]:
    """Per joint group: the clip's median error, px and % of the true torso length."""
    from hipform.landmarks import Landmark

    mp = seq.landmarks_px[..., :2].astype(float)
    true = truth.landmarks_px[..., :2]
    sh = true[:, [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]].mean(1)
    hp = true[:, [Landmark.LEFT_HIP, Landmark.RIGHT_HIP]].mean(1)
    torso = np.linalg.norm(sh - hp, axis=-1)
    out = {}
    for group, names in JOINT_GROUPS.items():
        idx = [Landmark[n] for n in names]
        err = np.linalg.norm(mp[:, idx] - true[:, idx], axis=-1)  # (T, 2)
        out[group] = {
            "px": float(np.nanmedian(err)),
            "pct_torso": float(np.nanmedian(100 * err / torso[:, None])),
        }
    return out


def _readings(case: Case, seq, truth) -> dict:
    from hipform.kinematics import analyse
    from hipform.kinematics import measures as M

    px = seq.landmarks_px[..., :2]
    ideal_px = truth.pose_sequence().landmarks_px[..., :2]
    k = int(truth.reps[0]["key_frame"])
    out: dict = {"key_frame": k}
    if case.kind == "fppa":
        out["true"] = float(truth.measures["knee_fppa_right_deg"][k])
        out["measured"] = float(_at(M.compute_fppa_deg(px), k)[1])
        out["ideal"] = float(M.compute_fppa_deg(ideal_px)[k, 1])
        out["standing"] = float(_at(M.compute_fppa_deg(px), 2)[1])
    elif case.kind == "drop":
        out["true"] = float(truth.measures["pelvic_drop_deg"][k])
        out["measured"] = -float(_at(M.compute_pelvic_obliquity_deg(px), k))  # stance right: + = left drops
        out["ideal"] = -float(M.compute_pelvic_obliquity_deg(ideal_px)[k])
        out["standing"] = -float(_at(M.compute_pelvic_obliquity_deg(px), 2))
    else:
        out.update(_squat_reading(analyse(seq, movement="squat"), seq))
        out["true"] = float(np.mean([truth.measures[f"knee_fppa_{s}_deg"][k] for s in ("left", "right")]))
    return out


def _squat_reading(report, seq) -> dict:
    """A squat's knee readings at the bottom (means over the knees and reps) and its knee-collapse flag.

    hipform judges a squat's knees by the knee-inside-toes ratio (lower = knees further inside the
    toes), the knee's medial shift over the foot since standing (leg lengths, + = inward) and the
    knee separation relative to standing; the landmark FPPA at the rep's key frame is added
    (not judged in squats: the knees bend past 100°).
    """
    from hipform.kinematics import measures as M

    names = ("knee_toe_ratio", "knee_medial_shift_rel", "knee_separation_rel")
    vals: dict[str, list[float]] = {n: [] for n in names}
    fppa = M.compute_fppa_deg(seq.landmarks_px[..., :2])
    for rep in report.reps:
        for v in rep.values:
            if v.measure in vals and np.isfinite(v.value):
                vals[v.measure].append(v.value)
        vals.setdefault("fppa_deg", []).extend(_at(fppa, rep.key_frame).tolist())
    out = {n: float(np.mean(v)) if v else float("nan") for n, v in vals.items()}
    out["knee_collapse_flagged"] = bool(report.flags_for("knee_collapse"))
    out["reps"] = len(report.reps)
    return out


def run_case(case: Case) -> dict:
    """Film ``case`` with both renderers, run MediaPipe, measure."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    from hipform.cache import estimate_pose_cached
    from hipform.synth.clip import camera_for, load_truth, render_clip

    motion = _motion(case)
    seed, look = _look(case)
    camera = camera_for(case.movement, case.view)
    row: dict = {"case": asdict(case), "name": case.name}
    with tempfile.TemporaryDirectory() as tmp:
        for renderer in RENDERERS:
            t0 = time.perf_counter()
            path = Path(tmp) / f"{case.name}_{renderer}.mp4"
            kw = {"appearance": look} if renderer == "realistic" else {}
            render_clip(motion, camera, path, appearance_seed=seed, view=case.view, renderer=renderer, **kw)
            t_render = time.perf_counter() - t0
            seq = estimate_pose_cached(path, require_person=False).seq
            truth = load_truth(path)
            row[renderer] = {
                "detection": float(seq.detection_rate),
                "landmark_error": _landmark_errors(seq, truth),
                "reading": _readings(case, seq, truth),
                "seconds": {"render": t_render, "total": time.perf_counter() - t0},
            }
    print(f"{case.name:32} " + "  ".join(_brief(row[r]) for r in RENDERERS), flush=True)
    return row


def _brief(r: dict) -> str:
    rd = r["reading"]
    got = rd.get("measured", rd.get("fppa_deg"))
    return f"det {r['detection']:.2f} true {rd['true']:6.2f} read {got:6.2f}"


def real_pair() -> dict:
    """The real front squats (sway-in vs clean) read as the rendered pair is."""
    from hipform.cache import estimate_pose_cached
    from hipform.kinematics import analyse

    out = {}
    for name in REAL_PAIR:
        seq = estimate_pose_cached(CLIPS / name).seq
        out[name] = _squat_reading(analyse(seq, movement="squat"), seq)
    return out


# ----------------------------------------------------------------------------------------------- summary


def _fit(true: list[float], got: list[float]) -> dict:
    t, g = np.asarray(true, float), np.asarray(got, float)
    ok = np.isfinite(t) & np.isfinite(g)
    t, g = t[ok], g[ok]
    slope, intercept = np.polyfit(t, g, 1) if len(t) >= 2 else (float("nan"), float("nan"))
    return {
        "n": int(len(t)),
        "mae": float(np.mean(np.abs(g - t))),
        "bias": float(np.mean(g - t)),
        "slope": float(slope),
        "intercept": float(intercept),
    }


def summarise(rows: list[dict], real: dict) -> dict:
    summary: dict = {"landmarks": {}, "fppa": {}, "drop": {}, "squat": {}}
    grid = [r for r in rows if r["case"]["kind"] != "squat"]
    for renderer in RENDERERS:
        summary["landmarks"][renderer] = {
            g: {
                unit: float(np.mean([r[renderer]["landmark_error"][g][unit] for r in grid]))
                for unit in ("px", "pct_torso")
            }
            for g in JOINT_GROUPS
        }
        summary["landmarks"][renderer]["detection"] = float(np.mean([r[renderer]["detection"] for r in rows]))
        for kind, groups in (
            ("fppa", [("front", b) for b in BODIES]),
            ("drop", [(v, b) for v in ("rear", "front") for b in BODIES]),
        ):
            for view, body in [*groups, ("all", "all")]:
                sel = [
                    r
                    for r in rows
                    if r["case"]["kind"] == kind
                    and view in ("all", r["case"]["view"])
                    and body in ("all", r["case"]["body"])
                ]
                rd = [r[renderer]["reading"] for r in sel]
                fit = _fit([x["true"] for x in rd], [x["measured"] for x in rd])
                fit["ideal_mae"] = _fit([x["true"] for x in rd], [x["ideal"] for x in rd])["mae"]
                fit["readings"] = [(round(x["true"], 2), round(x["measured"], 2)) for x in rd]
                summary[kind].setdefault(renderer, {})[f"{view}/{body}"] = fit
    squat = {
        r["case"]["magnitude_deg"]: r["realistic"]["reading"] for r in rows if r["case"]["kind"] == "squat"
    }
    summary["squat"] = {"rendered": {f"{k:g}": v for k, v in squat.items()}, "real": real}
    return summary


def markdown(summary: dict) -> str:
    lm = summary["landmarks"]
    out = ["Landmark error (median per clip over frames, mean over the grid's clips):", ""]
    rows = []
    for renderer in RENDERERS:
        rows.append(
            [renderer, f"{lm[renderer]['detection']:.0%}"]
            + [f"{lm[renderer][g]['px']:.1f} px / {lm[renderer][g]['pct_torso']:.1f} %" for g in JOINT_GROUPS]
        )
    out += [table(["renderer", "frames with a person", *JOINT_GROUPS], rows), ""]
    for kind, title in (
        ("fppa", "Knee FPPA, single-leg squat, front"),
        ("drop", "Pelvic drop, single-leg balance"),
    ):
        out += [f"{title} (deg; measured = hipform's measure on MediaPipe's landmarks):", ""]
        rows = []
        for renderer in RENDERERS:
            for key, f in summary[kind][renderer].items():
                readings = ", ".join(f"{t + 0.0:g}→{g:.1f}" for t, g in f["readings"])
                rows.append(
                    [
                        renderer,
                        key,
                        readings,
                        f"{f['mae']:.2f}",
                        f"{f['bias']:+.2f}",
                        f"{f['slope']:.2f}",
                        f"{f['ideal_mae']:.2f}",
                    ]
                )
        out += [
            table(["renderer", "view/body", "true→measured", "MAE", "bias", "slope", "ideal MAE"], rows),
            "",
        ]
    sq = summary["squat"]
    out += ["Deep two-leg squat, knees sway in vs clean (analysed as a squat; mean of knees and reps):", ""]
    rows = []
    for label, data in (("rendered (realistic)", sq["rendered"]), ("real clips", sq["real"])):
        for key, v in data.items():
            rows.append(
                [label, key]
                + [f"{v[n]:.3f}" for n in ("knee_toe_ratio", "knee_medial_shift_rel", "knee_separation_rel")]
                + [f"{v['fppa_deg']:.1f}", "yes" if v["knee_collapse_flagged"] else "no"]
            )
    heads = ["clip", "which", "knee-toe ratio", "medial shift (leg lengths)", "knee separation (rel.)"]
    out += [table([*heads, "landmark FPPA at the bottom", "knee collapse flagged"], rows)]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--from-results", action="store_true", help="print the tables of the stored results")
    ap.add_argument("--workers", type=int, default=2, help="clips rendered at once (default 2)")
    ap.add_argument(
        "--kinds",
        nargs="+",
        choices=("fppa", "drop", "squat"),
        help="render only these parts of the grid again; the other rows come from the stored results",
    )
    args = ap.parse_args(argv)
    path = RESULTS / "realistic.json"
    if args.from_results:
        print(markdown(json.loads(path.read_text())["summary"]))
        return 0
    t0 = time.perf_counter()
    cases = [c for c in build_cases() if not args.kinds or c.kind in args.kinds]
    with get_context("spawn").Pool(args.workers) as pool:
        rows = pool.map(run_case, cases, chunksize=1)
    if args.kinds:
        redone = {r["name"] for r in rows}
        rows += [r for r in json.loads(path.read_text())["rows"] if r["name"] not in redone]
    summary = summarise(rows, real_pair())
    run = {"wall_s": time.perf_counter() - t0, "kinds": args.kinds or ["fppa", "drop", "squat"]}
    save_results("realistic", {**run, "summary": summary, "rows": rows})
    print(markdown(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
