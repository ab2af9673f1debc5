"""Wobble (fault ``instability``): the sway and trunk-lean measures' noise floor on still rendered figures,
and injected sway and lean against their truth, through the real pose model.

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
from hipform.kinematics.faults import sway_rule, trunk_lean_rule  # noqa: E402
from hipform.pose import estimate_pose  # noqa: E402
from hipform.report import Report  # noqa: E402
from hipform.synth.athlete import Faults, MotionParams, simulate  # noqa: E402
from hipform.synth.clip import camera_for, pose_sequence_from_joints, render_clip  # noqa: E402
from hipform.synth.movements.common import SWAY_HZ  # noqa: E402

HEIGHT_PX = 480
MEASURE = "pelvis_sway_speed_ratio"
LEAN = "trunk_lean_stance_deg"
#: (name, movement, stance side, injected sway amplitude cm, injected trunk lean deg, reps)
CASES = (
    ("balance_still", "single-leg-balance", "right", 0.0, 0.0, 2),
    ("balance_sway1", "single-leg-balance", "right", 1.0, 0.0, 2),
    ("balance_sway2", "single-leg-balance", "right", 2.0, 0.0, 2),
    ("balance_sway4", "single-leg-balance", "right", 4.0, 0.0, 2),
    ("balance_lean12", "single-leg-balance", "right", 0.0, 12.0, 2),
    ("balance_left_still", "single-leg-balance", "left", 0.0, 0.0, 1),
    ("step_up_still", "step-up", "right", 0.0, 0.0, 2),
    ("step_up_sway4", "step-up", "right", 4.0, 0.0, 2),
    ("single_leg_squat_still", "single-leg-squat", "right", 0.0, 0.0, 2),
    ("single_leg_squat_sway4", "single-leg-squat", "right", 4.0, 0.0, 2),
    ("single_leg_squat_lean12", "single-leg-squat", "right", 0.0, 12.0, 2),
)
#: Real people balancing on one leg (../shared/clips, four cameras of one lab trial; cam01 is oblique).
REAL = tuple(CLIPS / f"single_leg_balance_cam0{i}.mp4" for i in range(1, 5))
#: Cases kept as test fixtures (tests/kinematics/test_instability.py).
FIXTURES = ("balance_still", "balance_sway4", "balance_lean12")


def sway_values(report: Report, measure: str = MEASURE) -> list[float]:
    """The graded value of ``measure`` in each rep or hold (NaN where not assessed)."""
    return [v.value for r in report.reps for v in r.values if v.measure == measure]


def _mean(values: list[float]) -> float:
    a = np.array(values, dtype=np.float64)
    return float(np.nanmean(a)) if np.isfinite(a).any() else float("nan")


def flagged(report: Report) -> str:
    sides = sorted({f.side or "both" for f in report.flags if f.fault == "instability"})
    return ",".join(sides) or "-"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--save-fixtures", action="store_true", help="write tests/data/wobble_*.npz")
    args = ap.parse_args(argv)
    out = SCRATCH / "wobble"
    out.mkdir(parents=True, exist_ok=True)
    sway, lean = sway_rule(), trunk_lean_rule()
    print(f"front view, {HEIGHT_PX} px, injected sway at {SWAY_HZ} Hz; mean over the reps or holds")
    print(f"sway speed (leg lengths/s): mild {sway.mild}, marked {sway.marked}")
    print(f"trunk lean over the stance leg (deg): mild {lean.mild}, marked {lean.marked}")
    head = f"{'case':<25}{'inj':>9}{'sway truth':>11}{'MediaPipe':>10}{'lean truth':>11}{'MediaPipe':>10}"
    print(f"{head}{'flagged':>9}")
    still: list[float] = []
    still_lean: list[float] = []
    for name, movement, side, sway_cm, lean_deg, reps in CASES:
        faults = Faults(side=side, pelvis_sway_cm=sway_cm, trunk_lean_deg=lean_deg)
        params = MotionParams(reps=reps, stance_side=side, faults=faults)
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
        m, ml = sway_values(measured), sway_values(measured, LEAN)
        if sway_cm == 0 and lean_deg == 0:
            still.extend(v for v in m if np.isfinite(v))
            still_lean.extend(v for v in ml if np.isfinite(v))
        inj = f"{sway_cm:g}cm" if sway_cm else f"{lean_deg:g}°" if lean_deg else "-"
        sway_cols = f"{_mean(sway_values(exact)):>11.3f}{_mean(m):>10.3f}"
        lean_cols = f"{_mean(sway_values(exact, LEAN)):>11.1f}{_mean(ml):>10.1f}"
        print(f"{name:<25}{inj:>9}{sway_cols}{lean_cols}{flagged(measured):>9}")
    print("real clips (no truth: a person balancing in a lab; view as hipform reads it)")
    for clip in REAL:
        if not clip.exists():
            print(f"{clip.name}: missing")
            continue
        report = analyse(estimate_pose(clip), "single-leg-balance")
        values = ", ".join(f"{v:.3f}" if np.isfinite(v) else "not assessed" for v in sway_values(report))
        leans = ", ".join(f"{v:.1f}°" for v in sway_values(report, LEAN) if np.isfinite(v))
        holds = f"{len(report.reps)} hold(s): {values or '-'}"
        print(f"{clip.name:<28}{report.view:<9}{holds}  trunk lean {leans or '-'}  flagged {flagged(report)}")
    if still:
        print(
            f"noise floor (still figures, {len(still)} holds/reps): sway mean {np.mean(still):.3f}, "
            f"max {np.max(still):.3f} leg lengths/s (mild threshold {sway.mild}); trunk lean mean "
            f"{np.mean(still_lean):.1f}°, largest |lean| {np.max(np.abs(still_lean)):.1f}° "
            f"(mild {lean.mild}°)"
        )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "tests" / "data"))
    main()
