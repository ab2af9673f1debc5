"""Live path latency at 640×480: what the webcam callback costs per frame.

Frames of a real clip (``squat_side_barbell.mp4``, letterboxed to 640×480
like a webcam picture of a person squatting) are turned into
``av.VideoFrame`` objects in yuv420p, as WebRTC delivers them, and passed
one at a time to the very callback the app registers with streamlit-webrtc
(``hipform.webcam.make_queued_callback`` around a ``LiveProcessor`` with the
live analyser). Latency is the wall time of each
callback: YUV→RGB, scaling, pose, live analysis, drawing, RGB→frame. The
first frame (model loading) is left out. A second row times the bare
``PoseEstimator.process`` + ``draw_pose`` on the same frames.

The rate the live view keeps up with is printed too: processed frames per
second when every frame is processed in turn (frames ÷ total callback time),
against a target of 15 frames/s. (This used to be a test; a rate depends on
the machine and how busy it is, so it is measured here and the tests check
behaviour only.)

Usage::

    python benchmarks/live_latency.py [--runs 3] [--frames 300]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("GLOG_minloglevel", "2")

from fractions import Fraction  # noqa: E402

import av  # noqa: E402
import numpy as np  # noqa: E402
from _common import CLIPS, median, save_results, table  # noqa: E402

from hipform.pose import native_logs_silenced  # noqa: E402
from hipform.video import iter_frames  # noqa: E402

CLIP = CLIPS / "squat_side_barbell.mp4"
SIZE = (640, 480)
TARGET_P95_MS = 40.0
#: Processed frames per second the live view should keep up with (slower: more frames dropped).
TARGET_FPS = 15.0


def camera_frames(n: int) -> list[av.VideoFrame]:
    out = []
    w, h = SIZE
    for f in iter_frames(CLIP, max_side=h):
        rgb = np.zeros((h, w, 3), np.uint8)
        fh, fw = f.image.shape[:2]
        x0 = (w - fw) // 2
        rgb[:fh, x0 : x0 + fw] = f.image
        vf = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
        vf.pts, vf.time_base = f.index, Fraction(1, 30)
        out.append(vf)
        if len(out) >= n:
            break
    return out


def live_run(frames: list[av.VideoFrame]) -> list[float]:
    from hipform.webcam import LiveProcessor, default_analyser, make_queued_callback

    processor = LiveProcessor(analyser=default_analyser("squat"))
    callback = make_queued_callback(processor)
    loop = asyncio.new_event_loop()
    lat, cpu = [], []
    try:
        for vf in frames:
            t0, c0 = time.perf_counter(), time.process_time()
            loop.run_until_complete(callback([vf]))
            lat.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    finally:
        loop.close()
        processor.close()
    return lat[1:], cpu[1:]


def bare_run(frames: list[np.ndarray]) -> list[float]:
    from hipform.annotate import draw_pose
    from hipform.pose import PoseEstimator

    lat, cpu = [], []
    with PoseEstimator() as est:
        for rgb in frames:
            t0, c0 = time.perf_counter(), time.process_time()
            found = est.process(rgb)
            if found is not None:
                draw_pose(rgb, found.landmarks_px, found.visibility)
            lat.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    return lat[1:], cpu[1:]


def summarise(name: str, runs: list[tuple[list[float], list[float]]]) -> dict:
    cpu = [float(np.median(c)) for _, c in runs]
    runs = [lat for lat, _ in runs]
    p50 = [float(np.percentile(r, 50)) for r in runs]
    p95 = [float(np.percentile(r, 95)) for r in runs]
    mx = [float(np.max(r)) for r in runs]
    fps = [1000.0 * len(r) / float(np.sum(r)) for r in runs]
    return {
        "path": name,
        "frames_per_run": len(runs[0]),
        "p50_ms": median(p50),
        "p95_ms": median(p95),
        "max_ms": median(mx),
        "p95_per_run": p95,
        "cpu_ms_median": median(cpu),
        "frames_per_s": median(fps),
        "meets_target": median(p95) <= TARGET_P95_MS,
        "meets_fps_target": median(fps) >= TARGET_FPS,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--frames", type=int, default=300)
    args = ap.parse_args()
    frames = camera_frames(args.frames + 1)
    rgb = [f.to_ndarray(format="rgb24") for f in frames]
    live, bare = [], []
    with native_logs_silenced():
        for _ in range(args.runs):
            live.append(live_run(frames))
            bare.append(bare_run(rgb))
    results = [
        summarise("live callback (LiveProcessor + analyser + overlay)", live),
        summarise("PoseEstimator.process + draw_pose", bare),
    ]
    print(
        f"\nLive latency at {SIZE[0]}×{SIZE[1]}, {args.frames} frames, medians of {args.runs} runs; "
        f"target p95 ≤ {TARGET_P95_MS:.0f} ms and ≥ {TARGET_FPS:.0f} frames/s\n"
    )
    print(
        table(
            ["path", "p50 ms", "p95 ms", "max ms", "CPU ms/frame", "≤ target", "frames/s", "≥ target"],
            [
                [
                    r["path"],
                    r["p50_ms"],
                    r["p95_ms"],
                    r["max_ms"],
                    r["cpu_ms_median"],
                    "yes" if r["meets_target"] else "NO",
                    r["frames_per_s"],
                    "yes" if r["meets_fps_target"] else "NO",
                ]
                for r in results
            ],
        )
    )
    saved = save_results("live_latency", {"runs": args.runs, "size": list(SIZE), "results": results})
    print(f"\nsaved {saved}")


if __name__ == "__main__":
    main()
