"""The command line as a user runs it: real processes, real files."""

from __future__ import annotations

import contextlib
import csv
import importlib.metadata
import importlib.util
import os
import pty
import signal
import subprocess
import sys
import threading
from pathlib import Path

import av
import numpy as np
import pytest
from clipmaker import pattern_frames, real_frames, write_clip

from hipform.sequence import load_sequence
from hipform.video import iter_frames

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_VIDEOS = ROOT / "sample_videos"
#: Real MediaPipe landmarks of a rendered squat (no pose model needed to analyse them).
LANDMARK_FILE = ROOT / "tests" / "data" / "squat_front_valgus.npz"
#: Longest the tests wait for a process to say something before calling it hung (a guard, not a speed check).
HANG_GUARD_S = 600


def run(*args, cwd=None, env=None, python_code=None):
    """``python -m hipform ARGS`` (or ``python -c CODE ARGS``) with extra environment variables."""
    start = ["-c", python_code] if python_code else ["-m", "hipform"]
    return subprocess.run(
        [sys.executable, *start, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )


def decoded_frame_count(path) -> int:
    return sum(1 for _ in iter_frames(path))


def hipform_lines(text: str) -> list[str]:
    """The lines starting with hipform's own messages, as a terminal shows them.

    A carriage return starts a line over (progress bars redraw that way), and ``ESC [K``
    erases the rest of it, so each line shows what follows its last carriage return.
    """
    shown = [line.rstrip("\r").rsplit("\r", 1)[-1].replace("\x1b[K", "") for line in text.split("\n")]
    return [line.strip() for line in shown if "hipform:" in line]


@pytest.fixture(scope="module")
def small_squat(tmp_path_factory):
    return write_clip(
        tmp_path_factory.mktemp("clips") / "squat.mp4", real_frames("squat_front_clean.mov", 480, 24)
    )


@pytest.mark.slow
def test_pose_writes_npz_and_csv(small_squat, tmp_path):
    res = run("pose", small_squat, "-o", tmp_path / "s.npz", "--csv", tmp_path / "s.csv")
    assert res.returncode == 0, res.stderr
    assert "24 frames" in res.stdout and "detected in 100% of frames" in res.stdout
    seq = load_sequence(tmp_path / "s.npz")
    assert seq.n_frames == 24
    assert (tmp_path / "s.csv").read_text().startswith("frame,t_s,detected,nose_x")


@pytest.mark.slow
def test_annotate_writes_h264_with_every_frame(small_squat, tmp_path):
    out = tmp_path / "annotated.mp4"
    res = run("annotate", small_squat, "-o", out)
    assert res.returncode == 0, res.stderr
    with av.open(str(out)) as c:
        stream = c.streams.video[0]
        assert stream.codec_context.name == "h264" and stream.codec_context.pix_fmt == "yuv420p"
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(stream)]
    assert len(frames) == 24
    original = real_frames("squat_front_clean.mov", 480, 1)[0]
    assert np.abs(frames[0].astype(int) - original.astype(int)).max() > 100  # something was drawn


def _file(path, data):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("make", "code", "words"),
    [
        (lambda d: d / "missing.mp4", 3, "Could not find"),  # typo in the name
        (lambda d: _file(d / "notes.mp4", b"hello"), 3, "could not be opened"),  # text file renamed
        (lambda d: _file(d / "empty.mp4", b""), 3, "empty"),  # 0 bytes
        (lambda d: write_clip(d / "room.mp4", pattern_frames(8, 160, 120)), 4, "No person"),  # nobody in view
    ],
)
def test_bad_input_exits_with_one_sentence_and_no_traceback(tmp_path, make, code, words):
    res = run("pose", make(tmp_path), "-o", tmp_path / "out.npz")
    assert res.returncode == code
    assert words in res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    assert not (tmp_path / "out.npz").exists()


def test_usage_error_exits_2():
    res = run("pose")
    assert res.returncode == 2 and "usage" in res.stderr.lower()


def test_help_lists_exit_codes():
    res = run("--help")
    assert res.returncode == 0 and "exit codes" in res.stdout


# ---------------------------------------------------------------- exit 1: a bug
#: Runs the real ``python -m hipform`` after replacing the kinematics with a function that fails
#: the way a bug would (hipform's own code untouched; only this process is changed).
WITH_A_BUG = """
import runpy
import hipform.kinematics

def analyse_with_a_bug(*args, **kwargs):
    return [1.0, 2.0][2]

hipform.kinematics.analyse = analyse_with_a_bug
runpy.run_module("hipform", run_name="__main__", alter_sys=True)
"""


def test_a_bug_exits_1_asking_for_a_report_without_a_traceback(tmp_path):
    report = tmp_path / "report.json"
    res = run("analyse", LANDMARK_FILE, "--json", report, "-q", python_code=WITH_A_BUG)
    assert res.returncode == 1
    assert hipform_lines(res.stderr) == [
        "hipform: internal error (IndexError: list index out of range). "
        "Please report it; run again with HIPFORM_DEBUG=1 for details."
    ]
    assert "Traceback" not in res.stderr + res.stdout
    assert not report.exists()
    debug = run("analyse", LANDMARK_FILE, "-q", python_code=WITH_A_BUG, env={"HIPFORM_DEBUG": "1"})
    assert debug.returncode == 1
    assert "Traceback" in debug.stderr and "analyse_with_a_bug" in debug.stderr  # the details on request


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (lambda d: ["batch", d / "no_such_folder"], 2, "Could not find the folder"),  # typo in the folder
        (lambda d: ["batch", d], 2, "No video files"),  # the wrong folder
        (lambda d: ["analyse", d / "missing.npz"], 3, "not a hipform landmark file"),  # typo in the name
        (lambda d: ["analyse", _file(d / "x.npz", b"hi")], 3, "not a hipform landmark file"),  # text as .npz
        (lambda d: ["analyse", LANDMARK_FILE, "--video", d / "out.mp4"], 2, "needs the original video"),
    ],
)
def test_a_mistake_of_the_user_never_exits_1(tmp_path, args, code, words):
    """Exit 1 says "a bug, please report it": a wrong argument or file must not look like one."""
    res = run(*args(tmp_path), "-q")
    assert res.returncode == code, res.stderr
    (line,) = hipform_lines(res.stderr)
    assert words in line and "internal error" not in line
    assert "Traceback" not in res.stderr + res.stdout
    assert not (tmp_path / "out.mp4").exists()


# ---------------------------------------------------------------- exit 5: no pose model
@pytest.fixture
def mediapipe_without_the_model(tmp_path):
    """Environment for a process that finds a mediapipe installation missing the bundled pose model.

    A mirror of the installed package (symbolic links, nothing copied) with the model file left
    out, put first on ``PYTHONPATH``: what a damaged or trimmed installation looks like.
    """
    package = Path(importlib.util.find_spec("mediapipe").origin).parent
    model = package / "modules" / "pose_landmark" / "pose_landmark_full.tflite"
    assert model.is_file()  # the real installation has it: the mirror's lack of it is the only change

    def mirror(source: Path, target: Path) -> None:
        target.mkdir()
        for entry in source.iterdir():
            if entry == model or entry.name == "__pycache__":
                continue
            if model.is_relative_to(entry):
                mirror(entry, target / entry.name)
            else:
                (target / entry.name).symlink_to(entry)

    site = tmp_path / "site"
    site.mkdir()
    mirror(package, site / "mediapipe")
    return {
        "PYTHONPATH": str(site),
        "PYTHONDONTWRITEBYTECODE": "1",  # nothing written into the real installation's caches
        "HIPFORM_CACHE_DIR": str(tmp_path / "cache"),  # no landmarks cached: the model is needed
    }


@pytest.mark.parametrize("command", ["analyse", "batch"])
def test_a_missing_pose_model_exits_5_saying_how_to_reinstall(tmp_path, mediapipe_without_the_model, command):
    clip = SAMPLE_VIDEOS / "squat_front_clean.mp4"
    target = clip if command == "analyse" else SAMPLE_VIDEOS
    res = run(command, target, "-q", env=mediapipe_without_the_model)
    assert res.returncode == 5, res.stderr
    (line,) = hipform_lines(res.stderr)
    assert "pose_landmark_full.tflite is missing from this mediapipe installation" in line
    pinned = f"mediapipe=={importlib.metadata.version('mediapipe')}"
    assert f"pip install --force-reinstall --no-deps {pinned}" in line
    assert "Traceback" not in res.stderr + res.stdout


# ---------------------------------------------------------------- exit 130: Ctrl-C
class TerminalProcess:
    """``python -m hipform ARGS`` with its standard error on a pseudo-terminal, as in a shell.

    hipform draws progress bars only on a terminal; they tell the test which phase the
    process is in. A thread reads the terminal all along, so the process never blocks on it.
    """

    def __init__(self, args, env):
        self._controller, terminal = pty.openpty()
        with _ctrl_c_not_ignored():
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "hipform", *map(str, args)],
                stdout=subprocess.PIPE,
                stderr=terminal,
                env={**os.environ, **env},
            )
        os.close(terminal)
        self._text = ""
        self._closed = False
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        while True:
            try:
                chunk = os.read(self._controller, 4096)
            except OSError:  # the process closed the terminal
                chunk = b""
            with self._changed:
                self._text += chunk.decode(errors="replace")
                self._closed = not chunk
                self._changed.notify_all()
            if not chunk:
                return

    def wait_for(self, words: str) -> None:
        """Block until ``words`` appear on the terminal (fails if the process ends first)."""
        with self._changed:
            seen = self._changed.wait_for(lambda: words in self._text or self._closed, timeout=HANG_GUARD_S)
            assert seen and words in self._text, f"never printed {words!r}: {self._text[-500:]!r}"

    def finish(self) -> tuple[int, str, str]:
        """Exit code, standard output and everything the terminal showed."""
        stdout, _ = self.proc.communicate(timeout=HANG_GUARD_S)
        self._reader.join(timeout=HANG_GUARD_S)
        os.close(self._controller)
        return self.proc.returncode, stdout.decode(), self._text


@contextlib.contextmanager
def _ctrl_c_not_ignored():
    """Start children with Ctrl-C's default action, as a terminal does.

    A shell running the suite as a background job ignores SIGINT and its children inherit that;
    a handler set here is reset to the default in the child when it starts.
    """
    previous = signal.getsignal(signal.SIGINT)
    if previous == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    """A rendered sample analysed with ``--video``, its landmarks left in a cache of its own."""
    folder = tmp_path_factory.mktemp("analysed")
    clip = SAMPLE_VIDEOS / "squat_front_valgus.mp4"
    env = {"HIPFORM_CACHE_DIR": str(folder / "cache")}
    res = run("analyse", clip, "--video", folder / "annotated.mp4", "-q", env=env)
    return clip, folder, env, res


@pytest.mark.slow
def test_ctrl_c_during_pose_exits_130_and_leaves_nothing(tmp_path):
    cache = tmp_path / "cache"
    out = tmp_path / "out"
    out.mkdir()
    clip = SAMPLE_VIDEOS / "squat_front_clean.mp4"
    proc = TerminalProcess(
        ["analyse", clip, "--json", out / "r.json", "--csv", out / "m.csv", "--video", out / "a.mp4"],
        env={"HIPFORM_CACHE_DIR": str(cache)},
    )
    proc.wait_for(f"pose {clip.name}")  # the pose model is running
    proc.proc.send_signal(signal.SIGINT)
    code, stdout, terminal = proc.finish()
    assert code == 130
    assert hipform_lines(terminal) == ["hipform: stopped."]
    assert "Traceback" not in terminal + stdout and stdout == ""
    assert list(out.iterdir()) == []
    assert not cache.exists() or not any(cache.rglob("*.npz"))  # no half-done landmarks kept for later


@pytest.mark.slow
def test_ctrl_c_while_drawing_exits_130_and_leaves_no_partial_video(analysed, tmp_path):
    clip, _folder, env, first = analysed
    assert first.returncode == 0, first.stderr  # the landmarks are cached: drawing starts at once
    video = tmp_path / "annotated.mp4"
    proc = TerminalProcess(["analyse", clip, "--video", video], env=env)
    proc.wait_for("drawing")
    proc.proc.send_signal(signal.SIGINT)
    code, stdout, terminal = proc.finish()
    assert code == 130
    assert hipform_lines(terminal) == ["hipform: stopped."]
    assert "Traceback" not in terminal + stdout and "annotated video saved" not in stdout
    assert list(tmp_path.iterdir()) == []  # neither the video nor a hidden partial file


# ---------------------------------------------------------------- what the commands write
@pytest.mark.slow
def test_analyse_video_writes_playable_h264_with_every_frame(analysed):
    clip, folder, _env, res = analysed
    assert res.returncode == 0, res.stderr
    video = folder / "annotated.mp4"
    assert f"annotated video saved to {video}" in res.stdout
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264" and stream.codec_context.pix_fmt == "yuv420p"
        drawn = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    originals = [f.image for f in iter_frames(clip)]
    assert len(drawn) == len(originals) == 305
    assert drawn[0].shape == originals[0].shape
    assert np.abs(drawn[60].astype(int) - originals[60].astype(int)).max() > 100  # the skeleton is drawn


def test_batch_where_every_clip_fails_exits_non_zero_saying_why_per_clip(tmp_path):
    folder = tmp_path / "clips"
    folder.mkdir()
    (folder / "a_notes.mp4").write_text("shopping list")  # a text file renamed
    (folder / "b_empty.mp4").write_bytes(b"")  # an upload that never finished
    cut_after_the_header = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
    (folder / "c_header_only.mov").write_bytes(cut_after_the_header)
    out = tmp_path / "out"
    res = run("batch", folder, "--workers", "1", "--out", out, "-q")
    assert res.returncode == 3, res.stdout + res.stderr  # the first clip's code: not a readable video
    assert "Traceback" not in res.stderr + res.stdout
    rows = {line.split()[0]: line for line in res.stdout.splitlines()[1:4]}
    assert "FAILED" in rows["a_notes.mp4"] and "could not be opened as a video" in rows["a_notes.mp4"]
    assert "FAILED" in rows["b_empty.mp4"] and "is empty (0 bytes)" in rows["b_empty.mp4"]
    assert "FAILED" in rows["c_header_only.mov"] and "could not be opened" in rows["c_header_only.mov"]
    assert "0 of 3 clips analysed" in res.stdout
    summary = list(csv.DictReader((out / "batch_summary.csv").open()))
    assert [(r["clip"], r["status"]) for r in summary] == [
        ("a_notes.mp4", "failed"),
        ("b_empty.mp4", "failed"),
        ("c_header_only.mov", "failed"),
    ]
    assert all(r["reason"] and r["reason"] in res.stdout for r in summary)


@pytest.mark.slow
def test_samples_regenerates_a_sample_as_committed(tmp_path):
    name = "single_leg_balance_front_clean"
    res = run("samples", "--only", name, "--out", tmp_path, "-q")
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{name}.mp4", f"{name}.truth.json"]
    committed = SAMPLE_VIDEOS / name
    assert (tmp_path / f"{name}.truth.json").read_bytes() == committed.with_suffix(".truth.json").read_bytes()
    assert decoded_frame_count(tmp_path / f"{name}.mp4") == decoded_frame_count(committed.with_suffix(".mp4"))
    assert f"1 clips with ground truth saved in {tmp_path}" in res.stdout


def test_public_api_loads_scipy_and_mediapipe_only_when_used() -> None:
    """``import hipform`` and listing the movements stay light; the public names work."""
    code = (
        "import sys, hipform, hipform.kinematics.movements as m\n"
        "assert 'scipy' not in sys.modules and 'mediapipe' not in sys.modules, sorted(sys.modules)\n"
        "assert hipform.MOVEMENTS == m.MOVEMENTS and callable(hipform.analyse)\n"
        "assert 'scipy' in sys.modules and 'mediapipe' not in sys.modules\n"
        "assert hipform.Report.__name__ == 'Report' and callable(hipform.estimate_pose)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
