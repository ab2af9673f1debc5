"""How often movement recognition is right, and whether its stated confidence means what it says.

Clips: the bundled samples, the real clips in ``../shared/clips`` (labelled below), and a grid of
rendered clips (every movement × four camera views × clean and faulted, other looks and seeds than
the samples). Each clip goes through the real pose model (landmarks cached by
:func:`hipform.cache.estimate_pose_cached`) and :func:`hipform.kinematics.analyse` with
``movement="auto"``.

Printed and written to ``benchmarks/results/recognition.json``: every clip's truth, answer,
status (sure / unsure / other) and confidence, and a reliability table: stated confidence (in
bins) against how often the answer was right. ``--doc`` rewrites the recognition section of
``docs/accuracy.md`` from the results.

Usage::

    python benchmarks/recognition.py            # render the grid once (~15 min on 2 cores), then seconds
    python benchmarks/recognition.py --doc      # also rewrite the section in docs/accuracy.md
    python benchmarks/recognition.py --only single-leg-deadlift --only squat   # a new movement and
                                                # the ones it could be confused with
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_doc_section  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "recognition.json"
DOC = ROOT / "docs" / "accuracy.md"
SHARED = ROOT.parent / "shared" / "clips"
GRID_DIR = Path.home() / ".cache" / "hipform-bench" / "recognition-grid"

#: What each real clip shows ("other": no movement hipform checks).
REAL_LABELS = {
    "squat_front_knees_sway_in.mov": "squat",
    "squat_front_clean.mov": "squat",
    "squat_side_knees_sway_in.mov": "squat",
    "squat_side_clean.mov": "squat",
    "squat_side_barbell.mp4": "squat",
    "single_leg_balance_cam01.mp4": "single-leg-balance",
    "single_leg_balance_cam02.mp4": "single-leg-balance",
    "single_leg_balance_cam03.mp4": "single-leg-balance",
    "single_leg_balance_cam04.mp4": "single-leg-balance",
    "running_rear_outdoor.mp4": "running",
    "running_treadmill_side.mp4": "running",
    "two_people_walk_and_jumping_jacks.mp4": "other",
}

#: Camera views of the grid, per posture.
GRID_VIEWS = {"upright": ("front", "rear", "right", 30.0), "floor": ("right", "left", "front", 60.0)}
#: The fault each grid movement is also rendered with.
GRID_FAULTS = {
    "squat": {"knee_valgus_deg": 20.0, "side": "both"},
    "single-leg-squat": {"knee_valgus_deg": 18.0, "side": "right"},
    "step-up": {"knee_valgus_deg": 18.0, "side": "right"},
    "single-leg-balance": {"pelvic_drop_deg": 8.0, "side": "right"},
    "running": {"pelvic_drop_deg": 8.0, "side": "right"},
    "bridge": {"back_arch_deg": 15.0},
    "single-leg-bridge": {"back_arch_deg": 15.0, "side": "right"},
    "kickback": {"back_arch_deg": 15.0, "side": "right"},
    "clamshell": {"pelvic_roll_deg": 20.0, "side": "right"},
    "side-lying-leg-lift": {"leg_forward_deg": 25.0, "side": "right"},
    "single-leg-deadlift": {"pelvic_roll_deg": 14.0, "side": "right"},
    "band-walk": {"knee_valgus_deg": 15.0, "side": "both"},
}
BINS = (0.0, 0.5, 0.7, 0.8, 0.9, 1.0001)


@dataclass(frozen=True)
class Case:
    name: str
    path: Path
    truth: str
    kind: str  # sample / real / grid


def grid_cases(height_px: int = 480, only: tuple[str, ...] = ()) -> list[Case]:
    """Render the grid clips that are missing (kept under :data:`GRID_DIR`) and list them all (those of
    the movements in ``only`` when given)."""
    from hipform.kinematics.movements import REGISTRY
    from hipform.synth.athlete import Faults, MotionParams, simulate
    from hipform.synth.clip import camera_for, render_clip

    GRID_DIR.mkdir(parents=True, exist_ok=True)
    cases = []
    for i, (name, mv) in enumerate(REGISTRY.items()):
        if only and name not in only:
            continue
        views = GRID_VIEWS["upright" if mv.posture == "upright" else "floor"]
        for j, view in enumerate(views):
            for faulted in (False, True):
                label = f"{name}_{view}_{'fault' if faulted else 'clean'}".replace(".0", "")
                path = GRID_DIR / f"{label}.mp4"
                if not path.exists():
                    faults = Faults(**GRID_FAULTS[name]) if faulted else Faults()
                    motion = simulate(name, MotionParams(reps=3, faults=faults), seed=100 + 10 * i + j)
                    # the default framing of each view, scaled down to height_px
                    full = camera_for(name, view)
                    scale = height_px / full.height_px
                    cam = camera_for(name, view, width_px=round(full.width_px * scale), height_px=height_px)
                    render_clip(
                        motion, cam, path, appearance_seed=200 + 7 * i + 3 * j + faulted, view=str(view)
                    )
                    print(f"rendered {path.name}", flush=True)
                cases.append(Case(label, path, name, "grid"))
    return cases


def all_cases(with_grid: bool, only: tuple[str, ...] = ()) -> list[Case]:
    from hipform.synth.samples import SAMPLES

    cases = [Case(s.name, ROOT / "sample_videos" / f"{s.name}.mp4", s.movement, "sample") for s in SAMPLES]
    cases += [Case(n, SHARED / n, truth, "real") for n, truth in REAL_LABELS.items() if (SHARED / n).exists()]
    cases = [c for c in cases if not only or c.truth in only]
    return cases + (grid_cases(only=only) if with_grid else [])


def judge(case: Case) -> dict:
    from hipform.cache import estimate_pose_cached
    from hipform.kinematics import analyse

    seq = estimate_pose_cached(case.path).seq
    report = analyse(seq)
    rec = report.movement
    answer = rec.name if rec.status != "other" else "other"
    return {
        "clip": case.name,
        "kind": case.kind,
        "truth": case.truth,
        "answer": answer,
        "status": rec.status,
        "confidence": round(rec.confidence, 3),
        "candidates": list(rec.candidates),
        "right": answer == case.truth,
    }


def reliability(rows: list[dict]) -> list[dict]:
    """Per confidence bin: clips, how many were right, and the mean stated confidence."""
    out = []
    for lo, hi in zip(BINS[:-1], BINS[1:], strict=True):
        inside = [r for r in rows if lo <= r["confidence"] < hi]
        if inside:
            out.append(
                {
                    "bin": f"{lo:.1f}–{min(hi, 1.0):.1f}",
                    "clips": len(inside),
                    "right": sum(r["right"] for r in inside),
                    "mean_confidence": sum(r["confidence"] for r in inside) / len(inside),
                }
            )
    return out


def markdown(rows: list[dict]) -> str:
    sure = [r for r in rows if r["status"] == "sure"]
    lines = [
        "## Movement recognition: stated confidence vs how often it is right",
        "",
        "Written by `python benchmarks/recognition.py --doc`: the bundled samples, the real clips in",
        "`../shared/clips` and a grid of rendered clips (every movement × four views × clean and",
        'faulted), real MediaPipe, `analyse(movement="auto")`. hipform names a movement only when',
        "it is *sure*; when *unsure* it names the two candidates and judges nothing; *other* means no",
        "movement it checks.",
        "",
        "| stated confidence | clips | right | accuracy | mean stated |",
        "|---|---|---|---|---|",
    ]
    for b in reliability(rows):
        acc = b["right"] / b["clips"]
        lines.append(f"| {b['bin']} | {b['clips']} | {b['right']} | {acc:.0%} | {b['mean_confidence']:.2f} |")
    wrong_sure = [r for r in sure if not r["right"]]
    lines += [
        "",
        f"Sure answers: {len(sure)} of {len(rows)} clips, {len(sure) - len(wrong_sure)} right"
        f" ({len(wrong_sure)} wrong). By set:",
        "",
        "| set | clips | sure and right | sure and wrong | unsure | other |",
        "|---|---|---|---|---|---|",
    ]
    for kind in ("sample", "real", "grid"):
        rs = [r for r in rows if r["kind"] == kind]
        if rs:
            sr = sum(r["status"] == "sure" and r["right"] for r in rs)
            sw = sum(r["status"] == "sure" and not r["right"] for r in rs)
            un = sum(r["status"] == "unsure" for r in rs)
            ot = sum(r["status"] == "other" for r in rs)
            lines.append(f"| {kind} | {len(rs)} | {sr} | {sw} | {un} | {ot} |")
    misses = [r for r in rows if not r["right"]]
    if misses:
        lines += ["", "Not right (what hipform said instead):", ""]
        lines += [
            f"- `{r['clip']}` ({r['truth']}): {r['status']}, {r['answer']} {r['confidence']:.0%}"
            + (f" (candidates: {', '.join(r['candidates'])})" if r["candidates"] else "")
            for r in misses
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-grid", action="store_true", help="samples and real clips only")
    ap.add_argument("--doc", action="store_true", help="rewrite the section of docs/accuracy.md")
    ap.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="MOVEMENT",
        help="only the clips of this movement (repeatable; a new movement and the ones it could be "
        "confused with); results are printed, not written",
    )
    args = ap.parse_args(argv)
    rows = []
    for case in all_cases(not args.no_grid, tuple(args.only)):
        row = judge(case)
        rows.append(row)
        mark = "ok " if row["right"] else "BAD"
        print(
            f"{mark} {row['kind']:6} {row['clip']:45} {row['truth']:20} -> {row['status']:6} "
            f"{row['answer']:20} {row['confidence']:.2f}",
            flush=True,
        )
    if args.only:  # a part of the set: the full results and the doc stay as they are
        print(markdown(rows))
        return 0
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"rows": rows, "reliability": reliability(rows)}, indent=1))
    section = markdown(rows)
    print(section)
    if args.doc:
        write_doc_section(DOC, section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
