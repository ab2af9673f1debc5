"""Kinematics + flags speed: ``analyse`` on a long synthetic sequence.

A synthetic athlete (``hipform.synth.athlete``: squats with both knees
collapsing, flagged every rep, or running with pelvic drop) filmed by a
camera model is repeated end to end until the sequence has at least
``--frames`` frames; ``hipform.kinematics.analyse`` then runs on it
``--runs`` times. Frames per CPU-second (the computation is
single-threaded) is what an idle core would give when the machine is busy;
the target is judged on it, and the load average at the start and end is
printed beside the table (docs/performance.md, "Reading the figures").
``--profile`` adds a cProfile listing of where the time goes.

Usage::

    python benchmarks/kinematics_speed.py [--frames 100000] [--runs 5] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import numpy as np  # noqa: E402
from _common import START_LOAD, median, save_results, table  # noqa: E402

from hipform.sequence import PoseSequence  # noqa: E402

TARGET_FPS = 500_000


def long_sequence(movement: str, view: str, n_frames: int) -> PoseSequence:
    from hipform.synth import athlete
    from hipform.synth.camera import Camera, pose_sequence_from_joints

    if movement == "squat":
        faults = athlete.Faults(knee_valgus_deg=12.0, side="both")  # both knees: a flag every rep
    else:
        faults = athlete.Faults(pelvic_drop_deg=6.0, side="right")
    motion = athlete.simulate(movement, athlete.MotionParams(reps=100, faults=faults))
    camera = Camera.around(view, distance_m=4.0, height_m=0.9, target_m=(0.0, 0.0, 0.9))
    base = pose_sequence_from_joints(motion.joints_m, motion.t_s, camera, motion.fps)
    k = -(-n_frames // base.n_frames)
    period = base.t_s[-1] - base.t_s[0] + 1.0 / base.fps
    t = np.concatenate([base.t_s + i * period for i in range(k)])
    tile = lambda a: np.concatenate([a] * k)  # noqa: E731
    return PoseSequence(
        landmarks_px=tile(base.landmarks_px),
        visibility=tile(base.visibility),
        world_m=tile(base.world_m),
        t_s=t,
        width_px=base.width_px,
        height_px=base.height_px,
        fps=base.fps,
        source=f"synthetic {movement}",
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--frames", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--profile", action="store_true", help="print where the time goes (cProfile)")
    args = ap.parse_args()
    from hipform.kinematics import analyse

    cases = [("squat", "front", "squat"), ("squat", "front", "auto"), ("running", "rear", "running")]
    rows, results = [], []
    for movement, view, named in cases:
        try:
            seq = long_sequence(movement, view, args.frames)
        except ValueError as exc:  # a movement the synthetic athlete does not do yet
            print(f"skipped {movement}: {exc}")
            continue
        analyse(seq.slice(0, 2000), movement=named)  # warm-up (imports, caches)
        times, cpu = [], []
        for _ in range(args.runs):
            t0, c0 = time.perf_counter(), time.process_time()
            report = analyse(seq, movement=named)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        t = median(times)
        r = {
            "movement": movement,
            "view": view,
            "named": named,
            "frames": seq.n_frames,
            "seconds": times,
            "cpu_seconds": cpu,
            "frames_per_s": seq.n_frames / t,
            "frames_per_cpu_s": seq.n_frames / median(cpu),
            "reps": len(report.reps),
            "flags": len(report.flags),
            "meets_target": seq.n_frames / t >= TARGET_FPS,
            "meets_target_cpu": seq.n_frames / median(cpu) >= TARGET_FPS,
        }
        results.append(r)
        rows.append(
            [
                f"{movement} ({view}), named {named}",
                seq.n_frames,
                t * 1000,
                median(cpu) * 1000,
                r["frames_per_s"],
                r["frames_per_cpu_s"],
                r["reps"],
                r["flags"],
                "yes" if r["meets_target"] else "NO",
                "yes" if r["meets_target_cpu"] else "NO",
            ]
        )
        if args.profile:
            prof = cProfile.Profile()
            prof.enable()
            analyse(seq, movement=movement)
            prof.disable()
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(25)
            print(out.getvalue())
    print(
        f"\nKinematics + flags (hipform.kinematics.analyse), medians of {args.runs} runs; "
        f"target ≥ {TARGET_FPS:,} frames/s; load average {START_LOAD} at the start, "
        f"{os.getloadavg()[0]:.2f} at the end\n"
    )
    print(
        table(
            [
                "sequence",
                "frames",
                "wall ms",
                "CPU ms",
                "frames/s (wall)",
                "frames per CPU-s",
                "reps",
                "flags",
                "≥ target (wall)",
                "≥ target (CPU)",
            ],
            rows,
        )
    )
    print(f"\nsaved {save_results('kinematics_speed', {'runs': args.runs, 'results': results})}")


if __name__ == "__main__":
    main()
