"""What the tests need from outside the project: a skip on a developer machine, a failure in CI.

Debian's Chromium, the real clips in ``../shared/clips`` and the labelled landmark tables
beside them are not part of the project. A developer without them may run the rest of the
suite: the tests that need them skip, saying what is missing. In CI (the environment variable
``CI`` set, as CI services do: ``CI=true``) the same absence fails the test, so a broken CI
machine can never pass as a row of green skips.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

CHROMIUM = Path("/usr/bin/chromium")


def in_ci() -> bool:
    """Whether the tests run in CI: ``CI`` is set to anything but empty, ``0``, ``false`` or ``no``."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_or_skip(available: bool, missing: str, *, module_level: bool = False) -> None:
    """Skip the test (or module) when ``available`` is false; in CI, fail instead.

    Parameters
    ----------
    available : whether the outside thing the test needs is there.
    missing : what is missing and how to get it (the skip or failure message).
    module_level : called at import time of a test module (skips the whole module).
    """
    if available:
        return
    if in_ci():
        pytest.fail(f"{missing} (CI is set: a missing requirement fails, it does not skip)", pytrace=False)
    pytest.skip(missing, allow_module_level=module_level)


def playwright_with_chromium() -> ModuleType:
    """``playwright.sync_api``, once Debian's Chromium and Playwright are both installed.

    For the top of a browser test module: skips the module on a developer machine without
    them, fails it in CI.
    """
    require_or_skip(
        CHROMIUM.exists(), "Debian's chromium is not installed (apt-get install chromium)", module_level=True
    )
    require_or_skip(
        importlib.util.find_spec("playwright") is not None,
        "playwright is not installed (pip install -e '.[test]')",
        module_level=True,
    )
    import playwright.sync_api

    return playwright.sync_api
