"""How well hipform agrees with the labelled landmark tables in ../shared/clips/labelled/.

Two outside checks (labels by NgoQuocBao1010/Exercise-Correction, MIT):

1. Squat stage: ``exercise_correction_squat_stage_test.csv`` labels every frame
   ``up`` or ``down``. hipform segments reps from the landmarks alone; a frame
   counts as ``down`` while the rep state machine is inside a rep (past the
   enter threshold, not yet back below the exit threshold). Reported: frame
   agreement and the number of down phases found vs labelled.
2. Knee separation: ``exercise_correction_squat_knee_feet_ratios.csv`` holds
   knee and foot widths of *correct* front-view squats. hipform grades the
   bilateral squat on knee separation at the bottom relative to standing
   (mild < 0.9): every ``down`` frame of a correct squat that would be graded
   a fault is a false alarm. (Their widths use the feet, hipform's the
   ankles; both are knee width over a lower-leg width at the same stance.)

Run: ``python benchmarks/labelled_agreement.py`` (prints the figures).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from hipform.kinematics import AnalysisConfig, analyse
from hipform.kinematics.events import compute_normalised, compute_rep_state
from hipform.kinematics.movements import REGISTRY
from hipform.landmarks import Landmark
from hipform.sequence import PoseSequence

LABELLED = Path(__file__).resolve().parents[1].parent / "shared" / "clips" / "labelled"
STAGE_CSV = LABELLED / "exercise_correction_squat_stage_test.csv"
RATIO_CSV = LABELLED / "exercise_correction_squat_knee_feet_ratios.csv"
#: The table's landmarks are normalised to the frame; a portrait phone frame is assumed for pixels.
FRAME_PX = (720, 1280)


def load_stage_table(path: Path = STAGE_CSV) -> tuple[PoseSequence, np.ndarray]:
    """The stage table as a PoseSequence (30 fps assumed) and the (T,) labels (True = down)."""
    with path.open() as fh:
        rows = list(csv.DictReader(fh))
    n = len(rows)
    lm = np.full((n, 33, 3), np.nan, np.float32)
    vis = np.zeros((n, 33), np.float32)
    for lmk in Landmark:
        c = lmk.column
        if f"{c}_x" not in rows[0]:
            continue
        for i, r in enumerate(rows):
            lm[i, int(lmk)] = (float(r[f"{c}_x"]) * FRAME_PX[0], float(r[f"{c}_y"]) * FRAME_PX[1], 0.0)
            vis[i, int(lmk)] = float(r[f"{c}_v"])
    labels = np.array([r["label"] == "down" for r in rows])
    seq = PoseSequence(
        lm,
        vis,
        np.full((n, 33, 3), np.nan, np.float32),
        np.arange(n) / 30.0,
        *FRAME_PX,
        30.0,
        source=path.name,
    )
    return seq, labels


def stage_agreement() -> dict[str, float]:
    """Frame agreement of hipform's rep state with the up/down labels."""
    seq, down = load_stage_table()
    report = analyse(seq, movement="squat")
    cfg = AnalysisConfig()
    s, _ = compute_normalised(report.measures["rep_signal"])
    state = compute_rep_state(s, cfg.rep_enter, cfg.rep_exit)
    n_label = int(np.count_nonzero(np.diff(down.astype(int)) == 1) + int(down[0]))
    return {
        "frames": float(down.size),
        "frame_agreement": float(np.mean(state == down)),
        "down_phases_labelled": float(n_label),
        "reps_found": float(len(report.reps)),
        "knee_collapse_flags": float(len(report.flags_for("knee_collapse"))),
    }


def ratio_false_alarms() -> dict[str, float]:
    """Share of correct squats' bottom frames that hipform's knee-separation rule would flag."""
    with RATIO_CSV.open() as fh:
        rows = list(csv.DictReader(fh))
    rule = next(r for r in REGISTRY["squat"].rules if r.measure == "knee_separation_rel")
    flagged, total, rel_all = 0, 0, []
    for video in sorted({r["video"] for r in rows}):
        ratio = {
            st: np.array(
                [
                    float(r["knee_width"]) / float(r["feet_width"])
                    for r in rows
                    if r["video"] == video and r["stage"] == st
                ]
            )
            for st in ("up", "down")
        }
        standing = float(np.median(ratio["up"]))
        rel = ratio["down"] / standing
        rel_all.append(rel)
        flagged += int(np.count_nonzero([rule.severity(v) is not None for v in rel]))
        total += rel.size
    rel_cat = np.concatenate(rel_all)
    return {
        "videos": float(len(rel_all)),
        "down_frames": float(total),
        "false_alarm_rate": flagged / total if total else float("nan"),
        "rel_ratio_p5": float(np.percentile(rel_cat, 5)),
        "rel_ratio_median": float(np.median(rel_cat)),
    }


def main() -> None:
    st = stage_agreement()
    print(
        f"squat stage ({STAGE_CSV.name}): {st['frames']:.0f} frames, frame agreement "
        f"{st['frame_agreement']:.1%}; down phases labelled {st['down_phases_labelled']:.0f}, "
        f"reps found {st['reps_found']:.0f}; knee-collapse flags {st['knee_collapse_flags']:.0f}"
    )
    ra = ratio_false_alarms()
    print(
        f"knee separation on correct squats ({RATIO_CSV.name}): {ra['down_frames']:.0f} bottom frames in "
        f"{ra['videos']:.0f} videos, false alarms {ra['false_alarm_rate']:.1%}; ratio to standing median "
        f"{ra['rel_ratio_median']:.2f}, 5th percentile {ra['rel_ratio_p5']:.2f}"
    )


if __name__ == "__main__":
    main()
