"""Batch throughput vs worker processes, and a cached re-run.

A folder of real clips (symbolic links in ``$HIPFORM_BENCH_TMP/batch``, the
clips themselves stay in ../shared/clips) is analysed by
``hipform.batch.run_batch`` — the code behind ``hipform batch DIR`` — with 1
and 2 worker processes, the landmark cache off, ``--runs`` times each. A last
row analyses the folder again with another movement and the cache on (after
one run that fills it): the pose model does not run at all. When Ray is installed
(``hipform[cluster]``), one more setting runs the folder as ``hipform batch DIR
--ray`` does on this machine (``hipform.cluster.run_batch_on_ray``): a local Ray
of 2 CPUs started for each run, its start-up included.

Usage::

    python benchmarks/batch.py [--runs 3] [--workers 1 2] [--no-ray]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("GLOG_minloglevel", "2")

from _common import CLIPS, SCRATCH, median, save_results, table  # noqa: E402

from hipform.batch import BatchSettings, find_clips, run_batch  # noqa: E402
from hipform.pose import native_logs_silenced  # noqa: E402

CLIP_NAMES = [
    "squat_front_clean.mov",
    "squat_front_knees_sway_in.mov",
    "squat_side_clean.mov",
    "squat_side_knees_sway_in.mov",
    "squat_side_barbell.mp4",
    "running_treadmill_side.mp4",
]


def clip_folder() -> Path:
    folder = SCRATCH / "batch"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name in CLIP_NAMES:
        (folder / name).symlink_to(CLIPS / name)
    return folder


#: The Ray setting's key in ``walls``: 2 actors on a local Ray of 2 CPUs.
RAY = "ray"


def run(clips: list[Path], workers: int | str, settings: BatchSettings) -> tuple[float, int, int]:
    t0 = time.perf_counter()
    if workers == RAY:
        import ray

        from hipform.cluster import run_batch_on_ray

        ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
        try:
            results = run_batch_on_ray(clips, settings)
        finally:
            ray.shutdown()
    else:
        results = run_batch(clips, settings, workers=workers)
    wall = time.perf_counter() - t0
    return wall, sum(r.n_frames for r in results if r.ok), sum(not r.ok for r in results)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--no-ray", action="store_true", help="leave out the Ray setting")
    args = ap.parse_args()
    with_ray = not args.no_ray and importlib.util.find_spec("ray") is not None
    settings_timed = [*args.workers, *([RAY] if with_ray else [])]
    clips = find_clips(clip_folder())
    results, rows = [], []
    with native_logs_silenced() as console:
        uncached = BatchSettings(movement="squat", use_cache=False)
        walls: dict[int | str, list[float]] = {w: [] for w in settings_timed}
        frames = failed = 0
        for _ in range(args.runs):
            for w in settings_timed:  # interleaved, so a busy spell hits every setting alike
                wall, frames, failed = run(clips, w, uncached)
                walls[w].append(wall)
                print(f"… {w} worker(s): {wall:.1f} s", file=console)
        for w in settings_timed:
            t = median(walls[w])
            results.append(
                {
                    "workers": 2 if w == RAY else w,
                    "ray": w == RAY,
                    "cache": False,
                    "clips": len(clips),
                    "frames": frames,
                    "failed": failed,
                    "wall_s": walls[w],
                    "frames_per_s": frames / t,
                }
            )
            rows.append(
                [
                    "Ray, 2 local CPUs, start-up included, cache off"
                    if w == RAY
                    else f"{w} worker{'s' * (w > 1)}, cache off",
                    len(clips),
                    frames,
                    t,
                    frames / t,
                    frames / t / results[0]["frames_per_s"],
                ]
            )
        cache_dir = SCRATCH / "batch-cache"
        shutil.rmtree(cache_dir, ignore_errors=True)
        run(clips, 1, BatchSettings(movement="squat", cache_dir=cache_dir))  # fills the cache
        again = [
            run(clips, 1, BatchSettings(movement="single-leg-squat", cache_dir=cache_dir))[0]
            for _ in range(args.runs)
        ]
        t = median(again)
        results.append(
            {
                "workers": 1,
                "cache": True,
                "clips": len(clips),
                "frames": frames,
                "wall_s": again,
                "frames_per_s": frames / t,
            }
        )
        rows.append(
            [
                "1 worker, landmarks cached, other movement",
                len(clips),
                frames,
                t,
                frames / t,
                frames / t / results[0]["frames_per_s"],
            ]
        )
    print(f"\nBatch analysis of {len(clips)} real clips, medians of {args.runs} runs\n")
    print(table(["setting", "clips", "frames", "wall s", "frames/s", "× 1 worker"], rows))
    print(f"\nsaved {save_results('batch', {'runs': args.runs, 'clips': CLIP_NAMES, 'results': results})}")


if __name__ == "__main__":
    main()
