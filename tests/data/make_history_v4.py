"""Make ``tests/data/history-v4.sqlite``: a history written by the last hipform without athletes.

    python tests/data/make_history_v4.py [COMMIT]

Loads ``hipform/history.py`` as it was at ``COMMIT`` (default b32f737, history schema 4) with
``git show`` and fills a new history through that code's own ``History.save`` and
``History.delete``: two single-leg squats (left knee collapse, then less) and a squat, a fourth
session saved and deleted again (so the id counter is ahead of the highest id), the first
with a kept annotated video (its path is absolute on the machine that made the file;
tests point it at their own folder). The tests read what it held with plain SQL before
migrating it.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hipform.kinematics import analyse
from hipform.synth.athlete import Faults, MotionParams, simulate
from hipform.synth.camera import Camera, pose_sequence_from_joints

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def released_history_module(commit: str):
    """``hipform.history`` as it was at ``commit``."""
    source = subprocess.run(
        ["git", "show", f"{commit}:hipform/history.py"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    spec = importlib.util.spec_from_loader(f"history_at_{commit}", loader=None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (dataclasses look their module up there)
    exec(compile(source, f"{commit}:hipform/history.py", "exec"), module.__dict__)
    return module


def report(movement: str, valgus_deg: float, seed: int) -> dict:
    faults = Faults(knee_valgus_deg=valgus_deg, side="left")
    motion = simulate(movement, MotionParams(reps=3, faults=faults), seed=seed)
    seq = pose_sequence_from_joints(motion.joints_m, motion.t_s, Camera.around("front"), motion.fps)
    return json.loads(json.dumps(analyse(seq, movement=movement).to_dict()))


def main(commit: str = "b32f737") -> None:
    old = released_history_module(commit)
    assert old.SCHEMA_VERSION == 4, old.SCHEMA_VERSION
    out = HERE / "history-v4.sqlite"
    out.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="hipform-v4-") as tmp:
        video = Path(tmp) / "annotated.mp4"
        video.write_bytes(b"an annotated video, as far as History is concerned" * 20)
        with old.History(out, video_dir=Path(tmp) / "videos") as hist:

            def save(rep: dict, day: int, **kw) -> int:
                args = {"source_name": f"day {day}.mp4", "file_sha256": f"{day:064x}"}
                args |= {"width_px": 720, "height_px": 1280, "settings": {"exercise": "auto"}}
                return hist.save(rep, created_at=T0 + timedelta(days=day), **(args | kw))

            save(report("single-leg-squat", 20, seed=2), 0, annotated_video=video)
            save(report("squat", 0, seed=3), 3, origin="sample")
            save(report("single-leg-squat", 4, seed=5), 7)
            hist.delete(save(report("squat", 0, seed=4), 9))  # the id counter is now ahead of the ids
            assert hist.schema_version == 4
    print(f"wrote {out} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main(*sys.argv[1:])
