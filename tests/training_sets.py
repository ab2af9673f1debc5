"""Analysed sets saved to History with a load and an effort, as the training-log tests need them."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from hipform.history import History
from hipform.kinematics import analyse
from hipform.sequence import load_sequence

DATA = Path(__file__).resolve().parent / "data"
#: The first training week of the tests' logs.
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def analysed(name: str) -> dict:
    """The report (as JSON data) of the single-leg squat landmark file ``tests/data/NAME.npz``."""
    return json.loads(json.dumps(analyse(load_sequence(DATA / f"{name}.npz"), "single-leg-squat").to_dict()))


def save_set(hist: History, report: dict, number: int, created_at: datetime, load_kg: float, rpe: int) -> int:
    """Save ``report`` as set ``number`` (its clip name and file hash) with its load and effort."""
    return hist.save(
        report,
        source_name=f"week{number}.mp4",
        file_sha256=f"{number:064x}",
        width_px=360,
        height_px=640,
        created_at=created_at,
        load_kg=load_kg,
        rpe=rpe,
    )
