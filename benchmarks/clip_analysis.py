"""Clip analysis speed: end-to-end vs pose alone vs the naive tutorial loop.

For each clip, three ways of getting a report, each run ``--runs`` times
(interleaved, medians reported):

* **pose only** — the frames are decoded and scaled beforehand (not timed);
  only ``PoseEstimator.process`` runs, frame after frame. This is the floor.
* **end-to-end** — what ``hipform`` does: ``estimate_pose`` (probe, model
  load, decode thread, scaling, pose, landmark arrays) then
  ``hipform.kinematics.analysis.analyse``. No landmark cache, no video written.
* **end-to-end, no decoding thread** — the same with frames decoded in the
  inference thread (``prefetch=0``): what the decoding thread buys.
* **pose beside a decoder** — pose only again, while another process
  decodes and scales the same clip exactly as the pipeline does, one frame
  per pose frame (paced at the pose-only rate). It measures what sharing the
  machine with the decoding work costs the model itself (memory bandwidth,
  shared cache, clock): the floor for end-to-end once decoding is included.
* **naive** — the loop most tutorials show: ``cv2.VideoCapture`` →
  ``cv2.cvtColor`` → ``mp.solutions.pose.Pose.process`` on the full frame,
  landmarks copied into Python lists, then the same ``analyse``.

All of these run the pose model in one process (``workers=1``). A second
table sets end-to-end with 1 and with 2 pose workers (``hipform.pose_workers``:
the clip cut into stretches, one process each) against the naive loop, on the
two clips above and on sample clips, interleaved:

* **2 workers, cold** — the fork server the workers come from is stopped
  before each run, so each run pays its start-up (a fresh interpreter
  importing MediaPipe), as a one-off ``hipform analyse`` does.
* **2 workers, warm** — the fork server is left running, as in the app or a
  batch run in one process: workers only fork and load the model.

Wall time only for these (the workers' CPU time is not this process's), with
each worker's peak resident memory.

Usage::

    python benchmarks/clip_analysis.py [--runs 3] [--seconds-1080p 10] [--workers-only]
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("GLOG_minloglevel", "2")

import numpy as np  # noqa: E402
from _common import CLIP_1080, ROOT, SIDE_CLIP, looped_clip, median, save_results, table  # noqa: E402

import hipform.pose  # noqa: E402
from hipform.landmarks import N_LANDMARKS  # noqa: E402
from hipform.pose import PoseEstimator, PoseOptions, estimate_pose, native_logs_silenced  # noqa: E402
from hipform.sequence import PoseSequence  # noqa: E402
from hipform.video import iter_frames, probe_video  # noqa: E402

EXERCISE = "squat"

#: Sample clips for the pose-workers table (rendered, 10-12 s each).
SAMPLE_CLIPS = [
    ROOT / "sample_videos" / "squat_front_valgus.mp4",
    ROOT / "sample_videos" / "bridge_side_arch.mp4",
]


def judge_squat(seq: PoseSequence):
    from hipform.kinematics.analysis import analyse

    return analyse(seq, movement=EXERCISE)


def timed(fn):
    """Run ``fn`` and return (wall s, CPU s of this process, all threads)."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


def pose_only(frames: list[np.ndarray], size: tuple[int, int]) -> tuple[float, float]:
    with PoseEstimator(PoseOptions()) as est:

        def run() -> None:
            for image in frames:
                est.process(image, size_px=size)

        return timed(run)


#: Decodes and scales a clip like the pipeline, one frame per ``period`` seconds, until killed.
_PACED_DECODER = """
import sys, time
from hipform.video import VideoStream
path, period = sys.argv[1], float(sys.argv[2])
print("ready", flush=True)
while True:
    t = time.perf_counter()
    with VideoStream(path, int(sys.argv[3]), prefetch=0, fast_decode=True, share_cpu=True) as video:
        for frame in video:
            t += period
            time.sleep(max(0.0, t - time.perf_counter()))
"""


def pose_beside_decoder(
    frames: list[np.ndarray], size: tuple[int, int], path: Path, period_s: float
) -> tuple[float, float]:
    """Pose only, while another process decodes ``path`` as the pipeline does, paced like pose."""
    import subprocess

    dec = subprocess.Popen(
        [sys.executable, "-c", _PACED_DECODER, str(path), str(period_s), str(PoseOptions().max_side_px)],
        stdout=subprocess.PIPE,
    )
    try:
        dec.stdout.readline()  # imports done: decoding starts now
        time.sleep(0.2)
        return pose_only(frames, size)
    finally:
        dec.kill()
        dec.wait()


def end_to_end(path: Path, prefetch: int | None = None) -> tuple[float, float]:
    def run() -> None:
        if prefetch is None:
            seq = estimate_pose(path, workers=1)
        else:  # the same pipeline with another read-ahead
            original = hipform.pose.VideoStream
            hipform.pose.VideoStream = functools.partial(original, prefetch=prefetch)
            try:
                seq = estimate_pose(path, workers=1)
            finally:
                hipform.pose.VideoStream = original
        judge_squat(seq)

    return timed(run)


def stop_fork_server() -> None:
    """Stop the fork server pose workers come from: the next run starts it again, as a new process would."""
    from multiprocessing import forkserver

    forkserver._forkserver._stop()


def with_workers(path: Path, workers: int, cold: bool, memory: list[list[float]]) -> tuple[float, float]:
    """End-to-end with ``workers`` pose workers; each worker's peak RSS (MB) is appended to ``memory``."""
    if cold:
        stop_fork_server()

    def run() -> None:
        seq = estimate_pose(path, workers=workers)
        joined = seq.meta.get("pose_workers")
        memory.append(joined["peak_rss_mb"] if joined else [])
        judge_squat(seq)

    return timed(run)


def naive(path: Path) -> tuple[float, float]:
    return timed(lambda: naive_loop(path))


def naive_loop(path: Path) -> None:
    """The tutorial loop, written the usual way."""
    import cv2
    import mediapipe as mp

    cap = cv2.VideoCapture(str(path))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    rows, worlds, times = [], [], []
    with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1) as pose:
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            h, w = bgr.shape[:2]
            result = pose.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            times.append(cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0)
            if result.pose_landmarks:
                points = result.pose_landmarks.landmark
                rows.append([[p.x * w, p.y * h, p.z * w, p.visibility] for p in points])
                worlds.append([[p.x, p.y, p.z] for p in result.pose_world_landmarks.landmark])
            else:
                rows.append([[np.nan] * 4] * N_LANDMARKS)
                worlds.append([[np.nan] * 3] * N_LANDMARKS)
    cap.release()
    lm = np.array(rows, np.float32)
    t = np.arange(len(rows)) / fps  # tutorials rarely keep real timestamps
    seq = PoseSequence(
        landmarks_px=lm[:, :, :3],
        visibility=np.nan_to_num(lm[:, :, 3]),
        world_m=np.array(worlds, np.float32),
        t_s=t,
        width_px=w,
        height_px=h,
        fps=fps,
    )
    judge_squat(seq)


def bench_clip(path: Path, label: str, runs: int) -> dict:
    info = probe_video(path)
    frames = [f.image for f in iter_frames(path, max_side=PoseOptions().max_side_px, fast_decode=True)]
    n = len(frames)
    size = (info.width_px, info.height_px)
    end_to_end(path)  # warm-up: file cache, imports, model file
    period = pose_only(frames, size)[0] / n  # a first pose-only run sets the decoder's pace
    ways = {
        "pose_only": lambda: pose_only(frames, size),
        "end_to_end": lambda: end_to_end(path),
        "no_thread": lambda: end_to_end(path, prefetch=0),
        "naive": lambda: naive(path),
        "pose_beside_decoder": lambda: pose_beside_decoder(frames, size, path, period),
    }
    wall: dict[str, list[float]] = {k: [] for k in ways}
    cpu: dict[str, list[float]] = {k: [] for k in ways}
    for _ in range(runs):
        for k, fn in ways.items():  # interleaved: a busy spell hits every way alike
            w, c = fn()
            wall[k].append(w)
            cpu[k].append(c)
    frames.clear()
    med = {k: median(v) for k, v in wall.items()}
    out = {"clip": label, "frames": n, "size": f"{info.width_px}x{info.height_px}"}
    for k in ways:
        out[f"{k}_s"] = wall[k]
        out[f"{k}_cpu_s"] = cpu[k]
        out[f"{k}_fps"] = n / med[k]
        out[f"{k}_cpu_ms_per_frame"] = 1000 * median(cpu[k]) / n
    out["end_to_end_fps"] = n / med["end_to_end"]
    out["e2e_over_pose"] = med["end_to_end"] / med["pose_only"]
    out["e2e_over_naive"] = med["end_to_end"] / med["naive"]
    out["e2e_over_pose_beside_decoder"] = med["end_to_end"] / med["pose_beside_decoder"]
    out["pose_ms_per_frame"] = 1000 * med["pose_only"] / n
    out["e2e_ms_per_frame"] = 1000 * med["end_to_end"] / n
    return out


def bench_workers(path: Path, label: str, runs: int) -> dict:
    """End-to-end with 1 and 2 pose workers (cold and warm) against the naive loop, interleaved."""
    n = probe_video(path).estimated_frames
    memory: list[list[float]] = []
    ways = {
        "one_worker": lambda: end_to_end(path),
        "two_workers_cold": lambda: with_workers(path, 2, True, memory),
        "two_workers_warm": lambda: with_workers(path, 2, False, memory),
        "naive": lambda: naive(path),
    }
    with_workers(path, 2, False, [])  # warm-up: file cache, model file, the fork server's imports
    wall: dict[str, list[float]] = {k: [] for k in ways}
    loads = []
    for _ in range(runs):
        for k, fn in ways.items():  # interleaved: a busy spell hits every way alike
            wall[k].append(fn()[0])
        loads.append(os.getloadavg()[0])
    med = {k: median(v) for k, v in wall.items()}
    out = {"clip": label, "frames": n, "load_1min_during": loads}
    for k in ways:
        out[f"{k}_s"] = wall[k]
        out[f"{k}_fps"] = n / med[k]
        out[f"naive_over_{k}"] = med["naive"] / med[k]  # throughput ratio: > 1 is faster than naive
    # run[0] is this process (the first stretch); an empty run: this process tracked the whole clip
    per_worker = [mb for run in memory for mb in run[1:]]
    here = [run[0] for run in memory if run]
    out["worker_peak_rss_mb"] = median(per_worker) if per_worker else None
    out["this_process_peak_rss_mb"] = median(here) if here else None
    out["workers_used"] = [len(run) or 1 for run in memory]  # per 2-worker run
    return out


def workers_table(rows: list[dict]) -> str:
    """The pose-workers rows as a table (this script's output and docs/performance.md)."""
    headers = [
        "clip",
        "frames",
        "workers used, each 2-worker run",
        "naive fps",
        "1 worker fps",
        "2 workers cold fps",
        "2 workers warm fps",
        "× naive: 1 · 2 cold · 2 warm",
        "peak RSS MB: this process · each worker",
        "load during",
    ]
    table_rows = [
        [
            r["clip"],
            r["frames"],
            "/".join(map(str, r["workers_used"])),
            r["naive_fps"],
            r["one_worker_fps"],
            r["two_workers_cold_fps"],
            r["two_workers_warm_fps"],
            " · ".join(
                f"{r[f'naive_over_{k}']:.2f}" for k in ("one_worker", "two_workers_cold", "two_workers_warm")
            ),
            f"{r['this_process_peak_rss_mb'] or 0:.0f} · {r['worker_peak_rss_mb'] or 0:.0f}",
            f"{min(r['load_1min_during']):.1f}–{max(r['load_1min_during']):.1f}",
        ]
        for r in rows
    ]
    return table(headers, table_rows)


def print_workers(rows: list[dict], runs: int) -> None:
    print(
        f"\nPose workers, end-to-end throughput, medians of {runs} interleaved runs "
        f"(target on 2 cores: 2 workers ≥ 1.7 × naive); load average now {os.getloadavg()[0]:.2f}\n"
    )
    print(workers_table(rows))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds-1080p", type=float, default=10.0)
    ap.add_argument("--workers-only", action="store_true", help="only the pose-workers table")
    ap.add_argument(
        "--workers-clips",
        nargs="+",
        metavar="NAME",
        help="the pose-workers table on these clips only (names as in the table's first column)",
    )
    args = ap.parse_args()
    clips = [
        (SIDE_CLIP, SIDE_CLIP.name),
        (looped_clip(CLIP_1080, args.seconds_1080p), f"{CLIP_1080.name} looped (1080p)"),
    ]
    results, workers = [], []
    with native_logs_silenced() as console:
        for path, label in clips + [(p, p.name) for p in SAMPLE_CLIPS]:
            if args.workers_clips and label not in args.workers_clips:
                continue
            print(f"… {label}: pose workers", file=console)
            workers.append(bench_workers(path, label, args.runs))
        if not args.workers_only:
            for path, label in clips:
                print(f"… {label}", file=console)
                results.append(bench_clip(path, label, args.runs))
    print_workers(workers, args.runs)
    if args.workers_only:
        print(f"\nsaved {save_results('clip_analysis_workers', {'runs': args.runs, 'workers': workers})}")
        return
    headers = [
        "clip",
        "frames",
        "pose only fps",
        "pose beside decoder fps",
        "end-to-end fps",
        "e2e no thread fps",
        "naive fps",
        "e2e ÷ pose-only",
        "e2e ÷ pose beside decoder",
        "e2e ÷ naive",
        "CPU ms/frame pose · e2e · naive",
    ]
    rows = [
        [
            r["clip"],
            r["frames"],
            r["pose_only_fps"],
            r["pose_beside_decoder_fps"],
            r["end_to_end_fps"],
            r["no_thread_fps"],
            r["naive_fps"],
            r["e2e_over_pose"],
            r["e2e_over_pose_beside_decoder"],
            r["e2e_over_naive"],
            " · ".join(f"{r[k + '_cpu_ms_per_frame']:.1f}" for k in ("pose_only", "end_to_end", "naive")),
        ]
        for r in results
    ]
    print(
        f"\nClip analysis, medians of {args.runs} runs (lower ratio is better; targets: "
        "e2e ÷ pose-only ≤ 1.10, e2e ÷ naive < 1)\n"
    )
    print(table(headers, rows))
    saved = save_results("clip_analysis", {"runs": args.runs, "results": results, "workers": workers})
    print(f"\nsaved {saved}")


if __name__ == "__main__":
    main()
