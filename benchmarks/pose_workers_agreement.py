"""Whether the judgement depends on the number of pose workers: every sample and shared real clip, 1 vs 2.

Each clip (the bundled samples and the real clips in ``../shared/clips``, the same list as
``benchmarks/recognition.py``) goes through :func:`hipform.pose.estimate_pose` with ``workers=1``
and with ``workers=2`` (no landmark cache), then :func:`hipform.judge.judge` with ``movement="auto"``.
Compared: the movement (name, sure / unsure / other, candidates), the view, every flag (fault, side,
severity, rep) and every rep (index, kind, side). Measured at each seam: how far apart the two
workers' landmarks are there (mean over the 33, pixels), and after it, per frame, the mean over the 33
and the single landmark furthest from the single worker's.

Clips under about 6.5 s are tracked by one worker either way (``hipform.pose_workers.plan_stretches``);
a clip whose later worker found someone else (seam over ``SEAM_AGREEMENT``) is tracked on by the first:
both are listed as such. About 10 minutes on 2 cores.

Usage::

    python benchmarks/pose_workers_agreement.py        # print; results/pose_workers_agreement.json
    python benchmarks/pose_workers_agreement.py --doc  # also rewrite its section of docs/performance.md
    python benchmarks/pose_workers_agreement.py --from-results --doc   # the section from the saved results
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("GLOG_minloglevel", "2")

import numpy as np  # noqa: E402
from _common import RESULTS, ROOT, save_results, write_doc_section  # noqa: E402
from recognition import all_cases  # noqa: E402

DOC = ROOT / "docs" / "performance.md"


def judgement(seq) -> dict:
    """What the report judges (or the error the clip raises), as plain values to compare."""
    from hipform.errors import HipformError
    from hipform.judge import judge

    try:
        report = judge(seq)
    except HipformError as err:
        return {"error": str(err)}
    m = report.movement
    return {
        "movement": [m.name, m.status, list(m.candidates)],
        "confidence": round(float(m.confidence), 3),
        "view": report.view,
        "flags": [[f.fault, f.side, f.severity, f.rep] for f in report.flags],
        "reps": [[r.index, r.kind, r.side] for r in report.reps],
    }


def seam_distances(one, two) -> dict:
    """How far the 2-worker landmarks are from the 1-worker ones at and after each seam (pixels)."""
    joined = two.meta.get("pose_workers")
    if joined is None:
        return {"seams": [], "seam_px": [], "same_before_seam": True}
    first = joined["seam_frames"][0]
    per_landmark = np.linalg.norm(one.landmarks_px[:, :, :2] - two.landmarks_px[:, :, :2], axis=2)
    mean = np.nanmean(np.where(np.isfinite(per_landmark), per_landmark, np.nan), axis=1)
    after = mean[first:]
    return {
        "seams": joined["seam_frames"],
        "seam_px": joined["seam_disagreement_px"],
        "same_before_seam": bool(
            np.array_equal(one.landmarks_px[:first], two.landmarks_px[:first], equal_nan=True)
        ),
        "after_median_px": round(float(np.nanmedian(after)), 2) if np.isfinite(after).any() else None,
        "after_max_px": round(float(np.nanmax(after)), 2) if np.isfinite(after).any() else None,
        "after_max_landmark_px": round(float(np.nanmax(per_landmark[first:])), 1)
        if np.isfinite(per_landmark[first:]).any()
        else None,
    }


def compare(path: Path, name: str, kind: str) -> dict:
    from hipform.pose import estimate_pose

    one = estimate_pose(path, workers=1)
    two = estimate_pose(path, workers=2)
    a, b = judgement(one), judgement(two)
    split = two.meta.get("pose_workers") is not None
    same = {key: a.get(key) == b.get(key) for key in ("movement", "view", "flags", "reps", "error")}
    return {
        "clip": name,
        "kind": kind,
        "frames": int(one.n_frames),
        "split": split,
        "one": a,
        "two": b,
        "same": same,
        "identical": all(same.values()),
        **seam_distances(one, two),
    }


def differences(one: dict, two: dict) -> list[str]:
    """What differs between the 1-worker and 2-worker judgements, in words (flags one by one)."""
    out = []
    for key in ("movement", "view", "reps", "error"):
        if one.get(key) != two.get(key):
            out.append(f"{key} {one.get(key)} vs {two.get(key)}")
    if one.get("flags") != two.get("flags"):
        only_one = [f for f in one.get("flags", []) if f not in two.get("flags", [])]
        only_two = [f for f in two.get("flags", []) if f not in one.get("flags", [])]
        out.append(f"flags {only_one} vs {only_two} (fault, side, severity, rep)")
    return out


def markdown(rows: list[dict]) -> str:
    split = [r for r in rows if r["split"]]
    same = {k: sum(r["same"][k] for r in rows) for k in ("movement", "view", "flags", "reps")}
    worst = max(split, key=lambda r: max(r["seam_px"])) if split else None
    lines = [
        "## Pose workers: the same judgement with 1 and 2 workers",
        "",
        "Written by `python benchmarks/pose_workers_agreement.py --doc`: every sample clip and every",
        "real clip in `../shared/clips`, `estimate_pose(clip, workers=1)` and `workers=2` (no cache),",
        '`judge(movement="auto")`. *Movement* compares name, sure / unsure / other and candidates;',
        "*flags* fault, side, severity and rep; *reps* index, kind and side. *Seam*: the mean distance",
        "over the 33 landmarks where the later worker takes over; *after*: per frame after the first",
        "seam, the median and the largest mean distance, and the single landmark furthest apart.",
        "",
        f"{len(rows)} clips ({sum(r['kind'] == 'sample' for r in rows)} samples, "
        f"{sum(r['kind'] == 'real' for r in rows)} real), {len(split)} of them cut in two (the others "
        "are under ~6.5 s, or the later worker found someone else and the first tracked on). Identical: "
        f"movement {same['movement']}/{len(rows)}, view {same['view']}/{len(rows)}, flags "
        f"{same['flags']}/{len(rows)}, reps {same['reps']}/{len(rows)}; all of these "
        f"{sum(r['identical'] for r in rows)}/{len(rows)}.",
    ]
    if worst is not None:
        lines += [
            f"Largest disagreement at a seam: {max(worst['seam_px']):.2f} px (`{worst['clip']}`).",
        ]
    differ = [r for r in rows if not r["identical"]]
    if differ:
        lines += [
            "",
            f"**The judgement depends on the number of workers on {len(differ)} of {len(rows)} clips**, so "
            "one worker stays the default (`hipform.settings.pose_workers`). The two trackers agree within "
            "a few pixels at the seam, but the later one then follows its own path: on hard frames (a leg "
            "crossing the other, a foot held up) one of them loses or swaps a leg a few frames after the "
            "seam and the two stay tens of pixels apart for over a second; and a value lying on a severity "
            "limit moves across it on a sub-pixel difference. Neither a longer overlap nor another seam "
            "brings them together: trackers started 1–4 s later on the barbell set-up (lossless, the same "
            "pixels) were still 1–12 px from the one that started first after 30–90 frames (median 2.4–8.2 "
            "px), no closer than after 20 (2026-11-29).",
        ]
    else:
        lines += ["", "**The judgement is identical on every clip.**"]
    lines += [
        "",
        "| clip | frames | 2 workers | seam px | after: median · largest mean · largest landmark px | "
        "movement (1 worker) | identical |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        mv = r["one"].get("movement")
        said = (
            r["one"]["error"][:40]
            if not mv
            else "other"
            if mv[1] == "other"
            else f"{mv[1]} {mv[0]} {r['one']['confidence']:.0%}"
        )
        seam = ", ".join(f"{p:.2f}" for p in r["seam_px"]) if r["split"] else "–"
        after = (
            f"{r['after_median_px']} · {r['after_max_px']} · {r['after_max_landmark_px']}"
            if r["split"]
            else "–"
        )
        worked = "cut at " + ", ".join(str(s) for s in r["seams"]) if r["split"] else "one stretch"
        ident = "yes" if r["identical"] else "**no**: " + "; ".join(differences(r["one"], r["two"]))
        lines.append(f"| `{r['clip']}` | {r['frames']} | {worked} | {seam} | {after} | {said} | {ident} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--doc", action="store_true", help="rewrite this benchmark's section of docs/performance.md"
    )
    ap.add_argument(
        "--from-results", action="store_true", help="write the section from the saved results, run nothing"
    )
    args = ap.parse_args(argv)
    if args.from_results:
        rows = json.loads((RESULTS / "pose_workers_agreement.json").read_text())["rows"]
        print(markdown(rows))
        if args.doc:
            write_doc_section(DOC, markdown(rows))
        return 0
    rows = []
    for case in all_cases(with_grid=False):
        row = compare(case.path, case.name, case.kind)
        rows.append(row)
        print(
            f"{'same' if row['identical'] else 'DIFF'} {row['kind']:6} {row['clip']:42} "
            f"split={row['split']!s:5} seam={row['seam_px']} after={row.get('after_max_px')} "
            f"{row['one'].get('movement')} | {row['two'].get('movement')}",
            flush=True,
        )
    save_results("pose_workers_agreement", {"rows": rows})
    section = markdown(rows)
    print(section)
    if args.doc:
        write_doc_section(DOC, section)
    return 0


if __name__ == "__main__":  # the pose workers' fork server re-imports this file
    raise SystemExit(main())
