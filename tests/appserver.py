"""Start the real app (`streamlit run app.py`) on a free localhost port for browser and server tests."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(log_path: Path, **env_overrides: str) -> Iterator[str]:
    """Yield the app's base URL once its health check answers; stop it afterwards.

    ``env_overrides`` are set in the app's environment (e.g. ``HIPFORM_HOME``);
    ``HIPFORM_DB`` is removed unless given there, so the app uses its own home.
    """
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "HIPFORM_DB"}
    env.update(env_overrides)
    args = ["--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1"]
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", *args],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 300  # a busy machine starts a server slowly: bounded, not timed
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start; see {log_path}")
                time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
