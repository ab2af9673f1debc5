"""Peak memory analysing long 1080p clips: it must not grow with clip length.

1-, 5- and 10-minute 1080p clips are made in ``$HIPFORM_BENCH_TMP`` (default
/tmp/hipform-bench) by repeating ``squat_front_clean.mov`` end to end
without re-encoding. Each is analysed by the real command,
``hipform analyse CLIP --exercise squat --json REPORT``, in its own process;
its resident memory (VmRSS) is sampled every 0.2 s, and the peak is the
kernel's high-water mark for that process (``ru_maxrss``).

Usage::

    python benchmarks/memory.py [--minutes 1 5 10]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import CLIP_1080, RESULTS, SCRATCH, looped_clip, save_results, table  # noqa: E402

from hipform.video import probe_video  # noqa: E402

TARGET_MB = 600.0
RESULT = RESULTS / "memory.json"


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except (OSError, ValueError):
        return None
    return None


def measure(clip: Path) -> dict:
    report = SCRATCH / f"{clip.stem}.report.json"
    # no cache (the pose model must run); size and length limits raised to let a 10-minute 1080p clip in
    env = {
        **os.environ,
        "HIPFORM_NO_CACHE": "1",
        "HIPFORM_MAX_UPLOAD_MB": "100000",
        "HIPFORM_MAX_CLIP_S": "100000",
    }
    hwm = SCRATCH / f"{clip.stem}.maxrss"
    argv = ["analyse", str(clip), "--exercise", "squat", "--json", str(report), "-q"]
    # `hipform analyse` itself, followed by the kernel's high-water mark for its process
    code = (
        "import resource, sys; from hipform.cli import main; rc = main(sys.argv[1:]); "
        f"open({str(hwm)!r}, 'w').write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)); "
        "sys.exit(rc)"
    )
    cmd = [sys.executable, "-c", code, *argv]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    samples: list[tuple[float, float]] = []
    while proc.poll() is None:
        value = rss_mb(proc.pid)
        if value is not None:
            samples.append((time.perf_counter() - t0, value))
        time.sleep(0.2)
    wall = time.perf_counter() - t0
    status = proc.returncode
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if status != 0:
        raise RuntimeError(f"hipform analyse failed ({status}): {err[-500:]}")
    peak = int(hwm.read_text()) / 1024.0
    sampled_peak = max(v for _, v in samples)
    # RSS at 25 / 50 / 75 / 95 % of the run: flat when nothing grows with length
    marks = {}
    for q in (0.25, 0.5, 0.75, 0.95):
        t = q * wall
        marks[f"rss_at_{int(q * 100)}pct_mb"] = min(samples, key=lambda s: abs(s[0] - t))[1]
    return {"wall_s": wall, "peak_rss_mb": peak, "sampled_peak_rss_mb": sampled_peak, **marks}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, nargs="+", default=[1, 5, 10])
    args = ap.parse_args()
    # figures for other lengths measured earlier are kept (each length is one long run)
    previous = json.loads(RESULT.read_text())["results"] if RESULT.exists() else []
    results = [r for r in previous if r["minutes"] not in args.minutes]
    for minutes in args.minutes:
        clip = looped_clip(CLIP_1080, minutes * 60, name=f"front_1080p_{minutes:g}min.mp4")
        info = probe_video(clip)
        print(f"… {clip.name}: {info.width_px}x{info.height_px}, {info.duration_s / 60:.1f} min", flush=True)
        r = {
            "minutes": minutes,
            "clip": clip.name,
            "frames": info.n_frames,
            "duration_s": info.duration_s,
            **measure(clip),
        }
        results.append(r)
        results.sort(key=lambda r: r["minutes"])
        save_results("memory", {"results": results})
        print(f"  peak {r['peak_rss_mb']:.0f} MB in {r['wall_s']:.0f} s", flush=True)
    print(f"\nPeak resident memory of `hipform analyse` on 1080p clips; target ≤ {TARGET_MB:.0f} MB\n")
    print(
        table(
            ["clip length", "frames", "peak RSS MB", "RSS at 25%", "50%", "75%", "95%", "wall s", "≤ target"],
            [
                [
                    f"{r['minutes']:g} min",
                    r["frames"],
                    r["peak_rss_mb"],
                    r["rss_at_25pct_mb"],
                    r["rss_at_50pct_mb"],
                    r["rss_at_75pct_mb"],
                    r["rss_at_95pct_mb"],
                    r["wall_s"],
                    "yes" if r["peak_rss_mb"] <= TARGET_MB else "NO",
                ]
                for r in results
            ],
        )
    )
    print(f"\nsaved {save_results('memory', {'results': results})}")


if __name__ == "__main__":
    main()
