"""Agreement with the labelled landmark tables in ../shared/clips/labelled/ (an outside check)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from external import require_or_skip

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "labelled_agreement.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("labelled_agreement", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    require_or_skip(
        module.STAGE_CSV.exists() and module.RATIO_CSV.exists(),
        f"labelled tables not found ({module.STAGE_CSV}, {module.RATIO_CSV})",
    )
    return module


def _complete_down_phases(down: np.ndarray, fps: float = 30.0, min_up_s: float = 0.3) -> int:
    """Labelled down phases that end before the clip does, after merging "up" gaps under ``min_up_s``.

    The table labels 3 frames (0.1 s) "up" in the middle of one bottom hold, and its last down phase
    runs to the end of the table: neither is a rep that can be counted from the landmarks.
    """
    d = down.astype(bool).copy()
    edges = np.flatnonzero(np.diff(np.concatenate([[1], d.astype(int), [1]])))
    for a, b in zip(edges[::2], edges[1::2], strict=False):  # up runs [a, b)
        if 0 < a and b < d.size and (b - a) / fps < min_up_s:
            d[a:b] = True
    starts = np.flatnonzero(np.diff(np.concatenate([[0], d.astype(int)])) == 1)
    ends = np.flatnonzero(np.diff(np.concatenate([d.astype(int), [0]])) == -1)
    return int(np.count_nonzero(ends[: starts.size] < d.size - 1))


def test_squat_stage_agreement_floor(bench) -> None:
    st = bench.stage_agreement()
    assert st["frame_agreement"] >= 0.95
    _, down = bench.load_stage_table()
    assert st["reps_found"] == _complete_down_phases(down)
    assert abs(st["reps_found"] - st["down_phases_labelled"]) <= 2


def test_correct_squats_rarely_flagged_by_knee_separation(bench) -> None:
    ra = bench.ratio_false_alarms()
    assert ra["false_alarm_rate"] <= 0.05
    # knees move out at the bottom of a correct squat: the ratio to standing rises
    assert ra["rel_ratio_median"] > 1.0
