import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

sys.path.insert(0, str(Path(__file__).parent))

from clipmaker import SHARED_CLIPS  # noqa: E402
from external import in_ci  # noqa: E402

# In CI every property test draws the same examples on every run (derandomize: the seed comes
# from the test itself), so a failure in CI is a failure on any machine. The failing example
# is printed, and print_blob adds a ``@reproduce_failure(...)`` line. To reproduce locally, run
# the same test with the same profile (``CI=true`` selects it too):
#     python -m pytest tests/path/test_x.py::test_name --hypothesis-profile=ci -p no:cacheprovider
# or paste the printed ``@reproduce_failure`` decorator above the test. No deadline: how long
# an example takes depends on the machine, not on the code.
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None, database=None)
if in_ci():
    settings.load_profile("ci")

# The landmark cache of the test run lives in a folder of its own (inherited by
# the CLI and app processes the tests start), never in the user's cache.
_CACHE_DIR = tempfile.mkdtemp(prefix="hipform-test-cache-")
os.environ["HIPFORM_CACHE_DIR"] = _CACHE_DIR
# Likewise hipform's home (history, kept videos, scratch) for tests that do not set their own.
_HOME_DIR = tempfile.mkdtemp(prefix="hipform-test-home-")
os.environ["HIPFORM_HOME"] = _HOME_DIR


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_CACHE_DIR, ignore_errors=True)
    shutil.rmtree(_HOME_DIR, ignore_errors=True)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


def pytest_report_header(config):
    return [
        f"shared clips: {SHARED_CLIPS} ({'present' if SHARED_CLIPS.is_dir() else 'MISSING'})",
        f"CI: {'yes (missing requirements fail; hypothesis profile ci)' if in_ci() else 'no'}",
    ]
