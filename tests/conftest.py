import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from clipmaker import SHARED_CLIPS  # noqa: E402


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


def pytest_report_header(config):
    return f"shared clips: {SHARED_CLIPS} ({'present' if SHARED_CLIPS.is_dir() else 'MISSING'})"
