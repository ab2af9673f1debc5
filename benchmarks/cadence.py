"""Running cadence against the truth: every strike counted (before issue 13) and the clean cadence.

Clips: the rendered runner's real MediaPipe landmarks (``tests/data``, truth in
``sample_videos/*.truth.json``), the synthetic runner filmed by a far camera at four cadences,
two frame rates and two views (truth: its simulated steps), and the two real running clips in
``../shared/clips`` (pose model run once, landmarks cached). The treadmill clip is slow motion:
its truth, in clip time, is its 9 foot strikes counted on the frames (one every 102.6 frames at
29.97 fps); the outdoor clip has no truth (48 frames, about 4 steps).

"before" is the raw strike rate the analysis reported before issue 13 (every strike found, gaps
rounded to whole steps: ``detect_steps(..., clean=False)``); "after" the reported cadence.
Printed, and written to ``benchmarks/results/cadence.json``.

Usage::

    python benchmarks/cadence.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "kinematics"))

from _common import CLIPS, save_results, table  # noqa: E402
from kin_helpers import film, simulate_motion  # noqa: E402

import hipform.kinematics.movements.running as running  # noqa: E402
from hipform.cache import estimate_pose_cached  # noqa: E402
from hipform.kinematics import analyse  # noqa: E402
from hipform.sequence import PoseSequence, load_sequence  # noqa: E402

#: The treadmill clip's step rate in clip time, from its foot strikes counted on the frames.
TREADMILL_SPM = 60.0 * 29.97 / 102.6


def before_and_after(seq: PoseSequence) -> tuple[float, float, int, int]:
    """(raw strike rate, reported cadence, strikes found, steps kept) of ``seq`` analysed as running."""
    seen = {}
    detect = running.detect_steps

    def keep(*args, **kwargs):
        seen["all"] = detect(*args, **{**kwargs, "clean": False})
        return detect(*args, **kwargs)

    running.detect_steps = keep
    try:
        report = analyse(seq, movement="running")
    finally:
        running.detect_steps = detect
    return seen["all"].cadence_spm, report.summary.steps.cadence_spm, len(seen["all"]), len(report.reps)


def cases():
    """(name, landmarks, true cadence or NaN) of every clip measured."""
    for name in ("running_rear_clean", "running_rear_pelvic_drop"):
        truth = json.loads((ROOT / "sample_videos" / f"{name}.truth.json").read_text())
        t = [r["t_start_s"] for r in truth["reps"]]
        yield (
            name,
            load_sequence(ROOT / "tests" / "data" / f"{name}.npz"),
            60.0 * (len(t) - 1) / (t[-1] - t[0]),
        )
    for spm in (150, 165, 180, 195):
        for fps in (30.0, 60.0):
            motion = simulate_motion("running", reps=8, tempo_s=120.0 / spm, fps=fps)
            t = [r.t_start_s for r in motion.reps]
            for view in ("rear", "right"):
                yield (
                    f"synthetic {spm} spm {fps:.0f} fps {view}",
                    film(motion, view),
                    60.0 * (len(t) - 1) / (t[-1] - t[0]),
                )
    for name, truth in (
        ("running_treadmill_side.mp4", TREADMILL_SPM),
        ("running_rear_outdoor.mp4", float("nan")),
    ):
        if (CLIPS / name).is_file():
            yield name, estimate_pose_cached(CLIPS / name).seq, truth


def error_pct(value: float, truth: float) -> float:
    return 100.0 * (value - truth) / truth if np.isfinite(value) and np.isfinite(truth) else float("nan")


def main() -> None:
    rows, out = [], []
    for name, seq, truth in cases():
        before, after, n_found, n_kept = before_and_after(seq)
        out.append(
            {
                "clip": name,
                "truth_spm": truth,
                "before_spm": before,
                "after_spm": after,
                "strikes_found": n_found,
                "steps_kept": n_kept,
            }
        )
        rows.append(
            [
                name,
                f"{truth:.2f}",
                f"{before:.2f}",
                f"{error_pct(before, truth):+.2f}%",
                f"{after:.2f}",
                f"{error_pct(after, truth):+.2f}%",
                f"{n_found} / {n_kept}",
            ]
        )
    print(table(["clip", "truth", "before", "error", "after", "error", "strikes found / kept"], rows))
    errs = [abs(error_pct(r["after_spm"], r["truth_spm"])) for r in out if np.isfinite(r["truth_spm"])]
    print(f"largest error after: {max(errs):.2f}% over {len(errs)} clips with a truth")
    save_results("cadence", {"clips": out})


if __name__ == "__main__":
    main()
