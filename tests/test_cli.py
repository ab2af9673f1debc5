"""The command line as a user runs it: real processes, real files."""

from __future__ import annotations

import subprocess
import sys

import av
import numpy as np
import pytest
from clipmaker import pattern_frames, real_frames, write_clip

from hipform.sequence import load_sequence


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "hipform", *map(str, args)], capture_output=True, text=True, cwd=cwd
    )


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
