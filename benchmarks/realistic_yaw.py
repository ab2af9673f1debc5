"""FPPA and pelvic drop on realistic rendered bodies filmed off square: how far can the body turn?

The frontal rules without a yaw correction (knee FPPA, :func:`hipform.kinematics.faults.fppa_rule`;
contralateral pelvic drop, :func:`hipform.kinematics.faults.cpd_rule`) were judged up to the view's
frontal limit (30°) though their error was only measured square-on and 6–8° off square. This
benchmark films the realistic skinned MakeHuman bodies (:mod:`hipform.synth.realistic`, motions as
in ``benchmarks/realistic.py``) with the samples' phone-like camera (:func:`hipform.synth.clip.camera_for`)
turned 0/5/10/20/30° about the body, one body turned toward its stance side and one away:

* single-leg squats on the right leg, clean and with the knee caving in 15° (true FPPA at the bottom);
* single-leg balance holds on the right leg, clean and with the left pelvis dropping 10°.

Each clip goes through the real pose model (:func:`hipform.cache.estimate_pose_cached`) and
:func:`hipform.kinematics.analyse` with its movement named, *with every yaw limit lifted* (the
benchmark must read the rules where the shipped code no longer judges them). Per rep and graded
measure (``fppa_deg``, ``pelvic_drop_deg`` on the working side: the graded value, standing baseline
removed) it records the truth (the truth JSON's value at the true key frame less its standing value),
the interval the shipped code puts on that reading (:func:`hipform.kinematics.reading_error.true_interval`
with the clip's :class:`~hipform.kinematics.view.ViewEstimate`, the rules as shipped) and whether the
truth lay inside it; per clip the body yaw hipform read against the camera's and the flags raised.

Per |yaw| and measure it then says whether (a) the body yaw was read within
:data:`YAW_ESTIMATE_TOLERANCE_DEG`, (b) no clean clip was flagged, (c) the interval held the truth
in ≥ 90% of readings; the largest tested yaw up to which all three hold is the measured limit
(``max_yaw_deg`` in :mod:`hipform.kinematics.faults` is set from it).

Usage::

    python benchmarks/realistic_yaw.py                 # 40 clips (~35 min on 2 busy cores)
    python benchmarks/realistic_yaw.py --from-results  # the tables again, and the docs section

Results: ``benchmarks/results/realistic_yaw.json``; section "FPPA and pelvic drop with the body
turned (realistic renders)" in ``docs/accuracy.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, ROOT, save_results, table, write_doc_section  # noqa: E402

NAME = "realistic_yaw"
DOC = ROOT / "docs" / "accuracy.md"
HEADING = "## FPPA and pelvic drop with the body turned (realistic renders)"
#: Camera yaws, deg; the first body is filmed at +yaw (camera toward its right, the stance side),
#: the second at −yaw.
YAWS_DEG = (0.0, 5.0, 10.0, 20.0, 30.0)
BODIES = (("female", 1.0), ("male-heavy", -1.0))
#: (kind of ``benchmarks/realistic.py``, movement, fault sizes): clean and faulty.
MOTIONS = (("fppa", "single-leg-squat", (0.0, 15.0)), ("drop", "single-leg-balance", (0.0, 10.0)))
MEASURES = ("fppa_deg", "pelvic_drop_deg")
#: (a): the body yaw hipform reads must be within this of the camera's [J: "a few degrees"].
YAW_ESTIMATE_TOLERANCE_DEG = 5.0
#: (c): share of readings whose truth must lie in the shipped interval (its stated coverage).
COVERAGE = 0.9
#: Frames of the clip's standing lead-in the truth's standing value is read from.
STANDING_FRAMES = slice(0, 3)


@dataclass(frozen=True)
class Case:
    """One clip: a motion of ``benchmarks/realistic.py`` filmed from ``yaw_deg``."""

    kind: str
    movement: str
    body: str
    magnitude_deg: float
    yaw_deg: float

    @property
    def name(self) -> str:
        return f"{self.kind}_{self.body}_{self.magnitude_deg:g}_y{self.yaw_deg:+g}"


def build_cases() -> list[Case]:
    """Every clip of the grid, in the order of the tables."""
    return [
        Case(kind, movement, body, m, sign * yaw)
        for kind, movement, sizes in MOTIONS
        for body, sign in BODIES
        for m in sizes
        for yaw in YAWS_DEG
    ]


def _judged_turned(rule, view) -> bool:
    """A frontal rule is read from any view but the side (an oblique one too), at any yaw."""
    return view.view not in ("side", "unknown") if rule.view == "frontal" else view.side


@contextlib.contextmanager
def yaw_limits_lifted():
    """Grade every frontal rule at any yaw, from an oblique view too: the pose model reads a turned
    realistic body wider-turned than it is (the width-based view yaw; 20° reads ~34°, oblique), and
    the benchmark must read the rules where another body, read as frontal, would be judged."""
    from hipform.kinematics import analysis

    shipped = analysis.view_ok
    analysis.view_ok = _judged_turned
    try:
        yield
    finally:
        analysis.view_ok = shipped


def as_frontal(view):
    """``view`` read as a front or rear view: the interval a frontal reading at its yaw would get."""
    from dataclasses import replace

    return view if view.frontal else replace(view, view="rear" if view.facing == "away" else "front")


def prepared_view(seq, movement: str):
    """The :class:`ViewEstimate` :func:`hipform.kinematics.analyse` judges ``seq`` with as ``movement``."""
    from hipform.kinematics.conditioning import condition_sequence, frame_rate_of, lowpass_conditioned
    from hipform.kinematics.config import AnalysisConfig
    from hipform.kinematics.movements import movement_named
    from hipform.kinematics.view import estimate_view

    prepared = lowpass_conditioned(
        condition_sequence(seq, AnalysisConfig()), frame_rate_of(seq), movement_named(movement).cutoff_hz
    )
    return estimate_view(prepared.px, prepared.world)


def _truth_series(truth, measure: str, side: str) -> np.ndarray:
    """The true ``measure`` of ``side`` per frame; the truth's pelvic drop is the motion's stance
    side's (+ = the other hip lower), read for the other side as its opposite."""
    if measure == "fppa_deg":
        return np.asarray(truth.measures[f"knee_fppa_{side}_deg"], float)
    sign = 1.0 if side == truth.reps[0]["side"] else -1.0
    return sign * np.asarray(truth.measures["pelvic_drop_deg"], float)


def readings(case: Case, seq, truth) -> dict:
    """The clip's view, flags and per-rep graded readings against the truth and their intervals."""
    from hipform.kinematics import analyse
    from hipform.kinematics.grading import view_ok
    from hipform.kinematics.movements import movement_named
    from hipform.kinematics.reading_error import true_interval

    view = prepared_view(seq, case.movement)
    frontal = as_frontal(view)
    with yaw_limits_lifted():
        report = analyse(seq, movement=case.movement)
    rules = {r.measure: r for r in movement_named(case.movement).rules}
    k = int(truth.reps[0]["key_frame"])
    rows = []
    for rep in report.reps:
        side = rep.side or "right"
        for measure in MEASURES:
            v = rep.value_of(measure, side)
            series = _truth_series(truth, measure, side)
            with np.errstate(all="ignore"):  # the drop is not defined standing on both legs: 0
                standing = np.nan_to_num(np.nanmedian(series[STANDING_FRAMES]))
            true = float(series[k] - standing)
            value = float(v.value) if v is not None else float("nan")
            iv = true_interval(rules[measure], value, frontal)
            rows.append(
                {
                    "rep": rep.index,
                    "side": side,
                    "measure": measure,
                    "value": round(value, 2),
                    "true": round(true, 2),
                    "interval": [round(float(iv.low), 2), round(float(iv.high), 2)],
                    "inside": bool(iv.low <= true <= iv.high),
                    "judged_as_shipped": view_ok(rules[measure], view),
                }
            )
    return {
        "view": view.view,
        "facing": view.facing,
        "body_yaw_deg": round(float(view.body_yaw_deg), 2),
        "view_yaw_deg": round(float(report.view_yaw_deg), 2),
        "flags": sorted({(f.measure, f.side or "both", f.severity) for f in report.flags}),
        "readings": rows,
    }


def run_case(case: Case) -> dict:
    """Render ``case`` (realistic body), run MediaPipe and the analysis, read."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    from realistic import Case as RealisticCase
    from realistic import _look, _motion

    from hipform.cache import estimate_pose_cached
    from hipform.synth.clip import camera_for, load_truth, render_clip

    motion_case = RealisticCase(case.kind, case.movement, "front", case.body, case.magnitude_deg)
    seed, look = _look(motion_case)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{case.name}.mp4"
        camera = camera_for(case.movement, case.yaw_deg)
        render_clip(
            _motion(motion_case),
            camera,
            path,
            appearance_seed=seed,
            appearance=look,
            view=case.yaw_deg,
            renderer="realistic",
        )
        seq = estimate_pose_cached(path, require_person=False).seq
        row = {"case": asdict(case), "name": case.name, "detection": float(seq.detection_rate)}
        row.update(readings(case, seq, load_truth(path)))
    row["seconds"] = round(time.perf_counter() - t0, 1)
    got = " ".join(f"{r['measure'][:4]} {r['value']:6.1f}/{r['true']:5.1f}" for r in row["readings"])
    print(f"{case.name:34} yaw read {row['body_yaw_deg']:+6.1f} {got} flags {row['flags']}", flush=True)
    return row


CASE_ORDER = {c.name: i for i, c in enumerate(build_cases())}

# ----------------------------------------------------------------------------------------------- summary


def _stored_view(row: dict):
    """The :class:`ViewEstimate` a stored clip was judged with (what the interval and the yaw limit read)."""
    from hipform.kinematics.view import ViewEstimate

    none = np.zeros(0)
    facing = row.get("facing", "camera")
    return ViewEstimate(row["view"], 1.0, row["view_yaw_deg"], facing, none, none, none, row["body_yaw_deg"])


def reassess(rows: list[dict]) -> None:
    """Each reading's interval and whether the rule judges it, as the code reads them now (rows
    measured before a change of the bands or limits are judged by the shipped code)."""
    from hipform.kinematics.grading import view_ok
    from hipform.kinematics.movements import movement_named
    from hipform.kinematics.reading_error import true_interval

    for row in rows:
        view = _stored_view(row)
        rules = {r.measure: r for r in movement_named(row["case"]["movement"]).rules}
        for x in row["readings"]:
            rule = rules[x["measure"]]
            iv = true_interval(rule, x["value"], as_frontal(view))
            x["interval"] = [round(float(iv.low), 2), round(float(iv.high), 2)]
            x["inside"] = bool(iv.low <= x["true"] <= iv.high)
            x["judged_as_shipped"] = bool(view_ok(rule, view))


def _criteria(at: list[dict], measure: str) -> dict:
    """One group's readings at one |yaw|: the body-yaw error, the error, the coverage, clean flags."""
    yaw_err = [abs(r["body_yaw_deg"] - r["case"]["yaw_deg"]) for r in at]
    rd = [x for r in at for x in r["readings"] if x["measure"] == measure and np.isfinite(x["value"])]
    err = np.array([x["value"] - x["true"] for x in rd])
    clean = [f for r in at if r["case"]["magnitude_deg"] == 0 for f in r["flags"] if f[0] == measure]
    out = {
        "yaw_error_worst_deg": round(float(np.nanmax(yaw_err)), 1),
        "views": sorted({r["view"] for r in at}),
        "n": len(rd),
        "error_mean": None,
        "error_p5": None,
        "error_p95": None,
        "inside": None,
        "clean_flags": len(clean),
    }
    if rd:
        out.update(
            error_mean=round(float(err.mean()), 2),
            error_p5=round(float(np.percentile(err, 5)), 2),
            error_p95=round(float(np.percentile(err, 95)), 2),
            inside=round(float(np.mean([x["inside"] for x in rd])), 2),
        )
    out["ok"] = bool(
        out["yaw_error_worst_deg"] <= YAW_ESTIMATE_TOLERANCE_DEG
        and out["clean_flags"] == 0
        and out["inside"] is not None
        and out["inside"] >= COVERAGE
    )
    return out


def summarise(rows: list[dict]) -> dict:
    """Per movement, measure and |yaw|: the three criteria; per movement and measure the measured
    limit, the largest tested yaw up to which all three hold at every tested turn (0: at none)."""
    reassess(rows)
    out: dict = {}
    for movement, measure in ((mv, m) for _, mv, _ in MOTIONS for m in MEASURES):  # one rule each
        per_yaw = {}
        for yaw in YAWS_DEG:
            at = [r for r in rows if r["case"]["movement"] == movement and abs(r["case"]["yaw_deg"]) == yaw]
            if at:
                per_yaw[f"{yaw:g}"] = _criteria(at, measure)
        # the square camera's coverage is benchmarks/accuracy.py's to judge: from the first turn on
        kept, rejected = 0.0, None
        for yaw, c in per_yaw.items():
            if float(yaw) > 0 and not c["ok"]:
                rejected = float(yaw)
                break
            kept = float(yaw)
        mine = [r for r in rows if r["case"]["movement"] == movement]
        out[f"{movement} {measure}"] = {
            "per_yaw": per_yaw,
            "kept_camera_yaw_deg": kept,
            "limit_deg": read_yaw_limit(mine, kept, rejected),
        }
    return out


def read_yaw_limit(rows: list[dict], kept: float, rejected: float | None) -> float:
    """The limit on the body yaw hipform *reads* (what the rule compares): the largest kept camera
    yaw, raised to the next whole degree that holds every clip filmed at a kept yaw (the yaw is read
    a few degrees off), provided no clip of the first rejected yaw is read within it."""

    def read(camera_yaws) -> list[float]:
        return [abs(r["body_yaw_deg"]) for r in rows if abs(r["case"]["yaw_deg"]) in camera_yaws]

    limit = max(kept, float(np.ceil(max(read([y for y in YAWS_DEG if y <= kept])))))
    if rejected is not None and limit >= min(read([rejected])):
        return kept
    return limit


READING_HEADS = ("interval", "truth inside", "judged")


def markdown(result: dict) -> str:
    rows, limits = [], []
    for key, g in result["summary"].items():
        for yaw, c in g["per_yaw"].items():
            err = f"{c['error_mean']:+.1f} [{c['error_p5']:+.1f}, {c['error_p95']:+.1f}]" if c["n"] else "-"
            inside = f"{c['inside']:.0%}" if c["n"] else "-"
            rows.append(
                [key, yaw, f"{c['yaw_error_worst_deg']:.1f}", str(c["n"]), err, inside, str(c["clean_flags"])]
            )
        limits.append(f"{key} {g['limit_deg']:g}°")
    heads = [
        "movement and measure",
        "camera yaw (deg)",
        "worst body-yaw error (deg)",
        "readings",
        "error read − true: mean [5th, 95th] (deg)",
        "truth inside the interval",
        "flags on clean clips",
    ]
    readings = []
    for r in result["rows"]:
        for x in r["readings"]:
            readings.append(
                [
                    r["name"],
                    f"{r['body_yaw_deg']:+.1f}",
                    r["view"],
                    f"{x['measure']} ({x['side']})",
                    f"{x['value']:.1f}",
                    f"{x['true']:.1f}",
                    f"[{x['interval'][0]:.1f}, {x['interval'][1]:.1f}]",
                    "yes" if x["inside"] else "**no**",
                    "yes" if x["judged_as_shipped"] else "no",
                ]
            )
    return "\n".join(
        [
            HEADING,
            "",
            "Realistic skinned MakeHuman bodies (female turned toward the stance side, male-heavy away "
            "from it) filmed by the phone-like camera turned about them; single-leg squats (clean, knee "
            "caving in 15°) and single-leg balance holds (clean, pelvis dropping 10°) on the right leg, one "
            "rep each; real MediaPipe, `analyse` with the movement named and the yaw limits and the frontal "
            "view lifted (a turned realistic body reads oblique from 20°); the interval is the one the "
            "shipped code puts on each reading read as frontal (the true value less its standing value, as "
            "the graded value has its standing baseline removed). `python benchmarks/realistic_yaw.py` "
            f"({result['wall_s'] / 60:.0f} min; `--from-results` judges the stored readings again).",
            "",
            table(heads, rows),
            "",
            f"The limit on the body yaw hipform reads (`max_yaw_deg`): the largest tested yaw up to which "
            f"every tested turn has the body yaw read within {YAW_ESTIMATE_TOLERANCE_DEG:g}°, no clean clip "
            f"flagged and ≥ {COVERAGE:.0%} of truths inside the interval, raised to the whole degree that "
            "keeps every clip filmed there judged while no clip of the next tested yaw is read within it: "
            f"{'; '.join(limits)}. "
            "Running's hip adduction was not measured here.",
            "",
            "Every reading (judged: as shipped, with the yaw limits):",
            "",
            table(["clip", "body yaw read", "view", "measure", "read", "true", *READING_HEADS], readings),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--from-results", action="store_true", help="recompute the summary of the stored rows")
    ap.add_argument("--workers", type=int, default=2, help="clips rendered at once (default 2)")
    ap.add_argument(
        "--only",
        nargs="+",
        help="render only the cases whose name has one of these; other rows come from the stored results",
    )
    args = ap.parse_args(argv)
    path = RESULTS / f"{NAME}.json"
    if args.from_results:
        result = json.loads(path.read_text())
        result["summary"] = summarise(result["rows"])
    else:
        t0 = time.perf_counter()
        cases = [c for c in build_cases() if not args.only or any(p in c.name for p in args.only)]
        with get_context("spawn").Pool(args.workers) as pool:
            rows = pool.map(run_case, cases, chunksize=1)
        wall_s = time.perf_counter() - t0
        if args.only:
            stored = json.loads(path.read_text())
            redone = {r["name"] for r in rows}
            rows = [r for r in stored["rows"] if r["name"] not in redone] + rows
            wall_s = stored["wall_s"]
        rows.sort(key=lambda r: CASE_ORDER.get(r["name"], len(CASE_ORDER)))
        result = {"wall_s": wall_s, "summary": summarise(rows), "rows": rows}
    save_results(NAME, result)
    text = markdown(result)
    write_doc_section(DOC, text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
