import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from clipmaker import SHARED_CLIPS  # noqa: E402

# The landmark cache of the test run lives in a folder of its own (inherited by
# the CLI and app processes the tests start), never in the user's cache.
_CACHE_DIR = tempfile.mkdtemp(prefix="hipform-test-cache-")
os.environ["HIPFORM_CACHE_DIR"] = _CACHE_DIR


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_CACHE_DIR, ignore_errors=True)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


def pytest_report_header(config):
    return f"shared clips: {SHARED_CLIPS} ({'present' if SHARED_CLIPS.is_dir() else 'MISSING'})"
