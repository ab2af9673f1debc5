"""Wobble (fault ``instability``): the sway measure's noise floor on still rendered figures, and injected
sway against its truth, through the real pose model.

    python benchmarks/wobble.py                 # prints the table (renders into /tmp/hipform-bench)
    python benchmarks/wobble.py --save-fixtures # also writes the test fixtures tests/data/wobble_*.npz

Each case renders the synthetic athlete (``hipform.synth``) from the front at the sample size
(480 px high), runs MediaPipe on it (``hipform pose``'s estimator) and analyses the landmarks as the
named movement. "truth" is the same analysis of the exact projected landmarks of the same motion (no
pose model): the sway speed a perfect tracker would give. A still figure (no injected sway) gives the
noise floor; the fault rule's thresholds (``hipform.kinematics.faults.SWAY_MILD``/``SWAY_MARKED``)
must sit above it. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import CLIPS, ROOT, SCRATCH  # noqa: E402

from hipform.kinematics import analyse  # noqa: E402
from hipform.kinematics.faults import SWAY_MARKED, SWAY_MILD  # noqa: E402
from hipform.pose import estimate_pose  # noqa: E402
from hipform.report import Report  # noqa: E402
from hipform.synth.athlete import Faults, MotionParams, simulate  # noqa: E402
from hipform.synth.clip import camera_for, pose_sequence_from_joints, render_clip  # noqa: E402
from hipform.synth.movements.common import SWAY_HZ  # noqa: E402

HEIGHT_PX = 480
MEASURE = "pelvis_sway_speed_ratio"
#: (name, movement, stance side, injected sway amplitude cm, reps)
CASES = (
    ("balance_still", "single-leg-balance", "right", 0.0, 2),
    ("balance_sway1", "single-leg-balance", "right", 1.0, 2),
    ("balance_sway2", "single-leg-balance", "right", 2.0, 2),
    ("balance_sway4", "single-leg-balance", "right", 4.0, 2),
    ("balance_left_still", "single-leg-balance", "left", 0.0, 1),
    ("step_up_still", "step-up", "right", 0.0, 2),
    ("step_up_sway4", "step-up", "right", 4.0, 2),
    ("single_leg_squat_still", "single-leg-squat", "right", 0.0, 2),
    ("single_leg_squat_sway4", "single-leg-squat", "right", 4.0, 2),
)
#: Real people balancing on one leg (../shared/clips, four cameras of one lab trial; cam01 is oblique).
REAL = tuple(CLIPS / f"single_leg_balance_cam0{i}.mp4" for i in range(1, 5))
#: Cases kept as test fixtures (tests/kinematics/test_instability.py).
FIXTURES = ("balance_still", "balance_sway4")


def sway_values(report: Report) -> list[float]:
    """The graded sway speed of each rep or hold (NaN where not assessed)."""
    return [v.value for r in report.reps for v in r.values if v.measure == MEASURE]


def flagged(report: Report) -> str:
    sides = sorted({f.side or "both" for f in report.flags if f.fault == "instability"})
    return ",".join(sides) or "-"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--save-fixtures", action="store_true", help="write tests/data/wobble_*.npz")
    args = ap.parse_args(argv)
    out = SCRATCH / "wobble"
    out.mkdir(parents=True, exist_ok=True)
    print(f"sway speed (leg lengths/s), front view, {HEIGHT_PX} px, injected sway at {SWAY_HZ} Hz")
    print(f"thresholds: mild {SWAY_MILD}, marked {SWAY_MARKED}")
    print(f"{'case':<26}{'inj cm':>7}{'truth':>9}{'MediaPipe':>11}{'error':>9}{'flagged':>9}")
    still: list[float] = []
    for name, movement, side, sway_cm, reps in CASES:
        params = MotionParams(reps=reps, stance_side=side, faults=Faults(side=side, pelvis_sway_cm=sway_cm))
        motion = simulate(movement, params)
        base = camera_for(movement, "front")
        width = 2 * round(base.width_px * HEIGHT_PX / base.height_px / 2)
        camera = camera_for(movement, "front", width_px=width, height_px=HEIGHT_PX)
        clip = out / f"{name}.mp4"
        render_clip(motion, camera, clip, view="front")
        seq = estimate_pose(clip)
        if args.save_fixtures and name in FIXTURES:
            from make_fixture import compact  # tests/data/make_fixture.py

            from hipform.sequence import save_sequence

            save_sequence(compact(seq), ROOT / "tests" / "data" / f"wobble_{name}.npz")
        measured = analyse(seq, movement)
        exact = analyse(pose_sequence_from_joints(motion.joints_m, motion.t_s, camera, motion.fps), movement)
        m, t = np.array(sway_values(measured)), np.array(sway_values(exact))
        mm, tm = float(np.nanmean(m)) if np.isfinite(m).any() else np.nan, float(np.nanmean(t))
        if sway_cm == 0:
            still.extend(m[np.isfinite(m)].tolist())
        print(f"{name:<26}{sway_cm:>7.1f}{tm:>9.3f}{mm:>11.3f}{mm - tm:>9.3f}{flagged(measured):>9}")
    print("real clips (no truth: a person balancing in a lab; view as hipform reads it)")
    for clip in REAL:
        if not clip.exists():
            print(f"{clip.name}: missing")
            continue
        report = analyse(estimate_pose(clip), "single-leg-balance")
        values = ", ".join(f"{v:.3f}" if np.isfinite(v) else "not assessed" for v in sway_values(report))
        holds = f"{len(report.reps)} hold(s): {values or '-'}"
        print(f"{clip.name:<28}{report.view:<9}{holds}  flagged {flagged(report)}")
    if still:
        print(
            f"noise floor (still figures, {len(still)} holds/reps): mean {np.mean(still):.3f}, "
            f"max {np.max(still):.3f} leg lengths/s; mild threshold {SWAY_MILD} = "
            f"{SWAY_MILD / max(np.max(still), 1e-9):.1f} × the largest"
        )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "tests" / "data"))
    main()
