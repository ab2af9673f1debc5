"""Agreement with the labelled landmark tables in ../shared/clips/labelled/ (an outside check)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "labelled_agreement.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("labelled_agreement", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not module.STAGE_CSV.exists() or not module.RATIO_CSV.exists():
        pytest.skip("labelled tables not found")
    return module


def test_squat_stage_agreement_floor(bench) -> None:
    st = bench.stage_agreement()
    assert st["frame_agreement"] >= 0.65
    assert abs(st["reps_found"] - st["down_phases_labelled"]) <= 1


def test_correct_squats_rarely_flagged_by_knee_separation(bench) -> None:
    ra = bench.ratio_false_alarms()
    assert ra["false_alarm_rate"] <= 0.05
    # knees move out at the bottom of a correct squat: the ratio to standing rises
    assert ra["rel_ratio_median"] > 1.0
