"""Hostile inputs (issue 14): limits that cannot be bypassed, files that are not files, strings from files.

Each test is the regression test of one probe in docs/robustness.md ("Inputs"). The
command-line probes run a real ``python -m hipform`` process; the hostile files are made
here with PyAV and numpy (:mod:`badclips`), all a few kilobytes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import av
import numpy as np
import pytest
from badclips import (
    dev_zero_as_mp4,
    fifo,
    grows_part_way,
    npz_claiming,
    raw_h264,
    squat_that_changes_size,
    two_video_tracks,
)
from clipmaker import pattern_frames

from hipform.annotate import annotate_video
from hipform.errors import InputLimitError
from hipform.limits import Limits
from hipform.sequence import LandmarkFileError, PoseSequence, load_sequence, save_sequence
from hipform.video import iter_frames, probe_video

#: Real MediaPipe landmarks of a rendered squat (305 frames at 30 fps, 10.2 s).
LANDMARK_FILE = Path(__file__).resolve().parents[1] / "data" / "squat_front_valgus.npz"
#: Longest a process may take before it counts as hung (a guard against blocking for ever, not a speed check).
HANG_GUARD_S = 300


def hipform(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``python -m hipform ARGS`` in a real process; a hang fails the test instead of blocking it."""
    return subprocess.run(
        [sys.executable, "-m", "hipform", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=HANG_GUARD_S,
    )


def refused(res: subprocess.CompletedProcess, code: int, *words: str) -> str:
    """The one-sentence refusal of ``res``, after checking its exit code and words."""
    assert res.returncode == code, (res.returncode, res.stdout, res.stderr)
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("hipform: "), res.stderr
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr
    for word in words:
        assert word in lines[0]
    return lines[0]


# ------------------------------------------------------------------ 5a: landmark files pass the limits
def test_a_landmark_file_claiming_a_trillion_frames_is_refused_unread(tmp_path):
    """1.6 kB whose headers claim 10^12 frames: refused from the headers (before: MemoryError, exit 1)."""
    claims = npz_claiming(tmp_path, 10**12)
    assert claims.stat().st_size < 4000
    refused(hipform("analyse", claims), 7, "1,000,000,000,000 frames", "HIPFORM_MAX_FRAMES")


@pytest.mark.parametrize(
    ("limits", "words"),
    [
        (Limits(max_frames=300), "305 frames, over this installation's limit of 300"),
        (Limits(max_clip_s=9), "lasts 10 s, over this installation's limit of 9 s"),  # 10.2 s
        (Limits(max_upload_mb=0.01), "MB, over this installation's limit of 0.01 MB"),
    ],
)
def test_a_landmark_file_is_held_to_the_frame_length_and_size_limits(limits, words):
    with pytest.raises(InputLimitError, match=words):
        load_sequence(LANDMARK_FILE, limits)
    assert load_sequence(LANDMARK_FILE, Limits()).n_frames == 305  # within the defaults: read


def _saved(tmp_path: Path, **arrays: object) -> Path:
    """The real landmark file with some arrays replaced (``None`` leaves one out)."""
    with np.load(LANDMARK_FILE) as data:
        contents = {key: data[key] for key in data.files}
    contents.update(arrays)
    path = tmp_path / "hand_made.npz"
    np.savez(path, **{k: v for k, v in contents.items() if v is not None})
    return path


#: Damaged or hand-made landmark files, and what each raised before it was caught (exit 1, "a bug").
DAMAGED = {
    "visibility left out (KeyError)": {"visibility": None},
    "format version as three numbers (TypeError)": {"format_version": np.array([1, 2, 3])},
    "visibility of the wrong shape (ValueError in the sequence)": {"visibility": np.zeros((305, 3))},
    "frame times not a number": {"t_s": np.full(305, np.nan)},
    "fps as text": {"fps": np.array("thirty")},
    "meta not a JSON object": {"meta": np.array("[1, 2]")},
    "people check damaged (KeyError in the judge)": {"meta": np.array('{"people": {"frames": [1]}}')},
    "scene cuts not frame numbers": {"meta": np.array('{"shots": {"cut_frames": ["a"]}}')},
    "per-frame arrays of different lengths": {"t_s": np.arange(10) / 30},
    "frame size of three numbers": {"frame_size": np.array([1, 2, 3])},
}


@pytest.mark.parametrize("damage", DAMAGED.values(), ids=DAMAGED.keys())
def test_a_damaged_landmark_file_is_not_readable_exit_3(tmp_path, damage):
    with pytest.raises(LandmarkFileError, match="not a hipform landmark file") as exc:
        load_sequence(_saved(tmp_path, **damage))
    assert exc.value.exit_code == 3 and isinstance(exc.value, ValueError)


def test_a_damaged_landmark_file_exits_3_not_1(tmp_path):
    """The CLI: a landmark file missing an array said 'internal error' (exit 1) before."""
    damaged = _saved(tmp_path, visibility=None)
    refused(hipform("analyse", damaged), 3, "not a hipform landmark file", "missing ['visibility']")


# ------------------------------------------------------------------ 5b: every frame's size is checked
def test_a_clip_that_grows_past_the_side_limit_is_refused(tmp_path):
    """256² frames, then 640² ones: the header shows only the first (before: decoded whole)."""
    clip = grows_part_way(tmp_path, 256, 640)
    res = hipform("analyse", clip, env={"HIPFORM_MAX_SIDE_PX": "400"})
    refused(res, 7, "'grows.h264' is 640x640 pixels from frame 6", "HIPFORM_MAX_SIDE_PX")


def test_frames_come_out_the_size_of_the_first(tmp_path):
    """A clip that changes size part-way: every frame is scaled to the first frame's size."""
    clip = grows_part_way(tmp_path, 96, 160)
    frames = list(iter_frames(clip))
    assert len(frames) == 8
    assert {f.image.shape for f in frames} == {(96, 96, 3)} and {f.scale for f in frames} == {1.0}
    big = np.concatenate([f.image for f in frames[5:]])
    assert big.std() > 10  # the later frames are scaled pictures, not blank padding
    # and the annotated video takes them (before: "all frames must be 96x96, got 160x160")
    seq = PoseSequence.empty(8, np.arange(8) / 25, 96, 96, 25.0)
    out = annotate_video(clip, seq, tmp_path / "annotated.mp4")
    assert probe_video(out).width_px == 96 and sum(1 for _ in iter_frames(out)) == 8


@pytest.mark.slow
def test_a_clip_that_changes_size_is_analysed_and_annotated(tmp_path):
    """The real squat, its second half larger: ``--video`` writes every frame at one size."""
    clip = squat_that_changes_size(tmp_path)
    out = tmp_path / "annotated.mp4"
    res = hipform("analyse", clip, "--exercise", "squat", "--video", out, "-q")
    assert res.returncode == 0, res.stderr
    assert "annotated video saved" in res.stdout and "person" not in res.stderr
    info = probe_video(out)
    assert (info.width_px, info.height_px) == (probe_video(clip).width_px, probe_video(clip).height_px)
    assert sum(1 for _ in iter_frames(out)) == 36


# ------------------------------------------------------------------ 5c: a header with no length
def test_a_raw_stream_with_no_length_is_held_to_the_length_limit(tmp_path):
    """Raw H.264 states no duration: the decoded time stops it (before: the guard got no time, exit 4)."""
    clip = raw_h264(tmp_path, [pattern_frames(40, 64, 48)])  # 1.6 s at the stream's nominal 25 fps
    info = probe_video(clip)
    assert info.duration_s == 0 and info.n_frames == 0  # the header is silent
    refused(hipform("analyse", clip, env={"HIPFORM_MAX_CLIP_S": "1"}), 7, "lasts longer than 1 s")


# ------------------------------------------------------------------ 9: not a regular file
@pytest.mark.parametrize(
    ("make", "command"),
    [
        (lambda d: fifo(d, "pipe.npz"), "analyse"),  # hung for ever before
        (lambda d: fifo(d, "pipe.mp4"), "analyse"),  # "is empty (0 bytes)" before
        (dev_zero_as_mp4, "analyse"),  # "is empty (0 bytes)" before
        (lambda d: fifo(d, "pipe.mp4"), "annotate"),
    ],
    ids=["fifo.npz", "fifo.mp4", "dev-zero.mp4", "fifo.mp4-annotate"],
)
def test_a_pipe_or_device_is_refused_before_opening(tmp_path, make, command):
    path = make(tmp_path)
    args = ("-o", tmp_path / "out.mp4") if command == "annotate" else ()
    line = refused(hipform(command, path, *args), 3, f"'{path.name}' is not a regular file")
    assert ("a pipe" if "pipe" in path.name else "a device") in line
    assert not (tmp_path / "out.mp4").exists()


def test_strings_from_files_reach_the_terminal_escaped(tmp_path):
    """A stored source name with ANSI escapes and a newline is printed escaped, on one line."""
    evil = "\x1b]0;owned\x07\x1b[2J\x1b[31mred\nhipform: all good, no fault"
    seq = replace(load_sequence(LANDMARK_FILE), source=evil)
    res = hipform("pose", save_sequence(seq, tmp_path / "evil.npz"), "-o", tmp_path / "out.npz")
    assert res.returncode == 0, res.stderr
    assert "\x1b" not in res.stdout and "\x07" not in res.stdout
    assert not any(line.startswith("hipform: all good") for line in res.stdout.splitlines())
    assert "\\x1b[31mred\\nhipform: all good" in res.stdout.splitlines()[0]
    # a file name typed on the command line goes through the same sentence
    missing = tmp_path / "clip\x1b[2J\nname.mp4"
    line = refused(hipform("analyse", missing), 3, "Could not find")
    assert "\x1b" not in line and "clip\\x1b[2J\\nname.mp4" in line


# ------------------------------------------------------------------ 10a: the default video track
def test_the_track_marked_default_is_read(tmp_path):
    """Two video tracks, the second marked default: that one is read (before: the first, a proxy)."""
    clip = two_video_tracks(tmp_path)
    with av.open(str(clip)) as container:  # the file really holds both, the first not default
        assert [
            (s.width, bool(s.disposition & av.stream.Disposition.default)) for s in container.streams.video
        ] == [
            (64, False),
            (96, True),
        ]
    info = probe_video(clip)
    assert (info.width_px, info.height_px) == (96, 64)
    frames = list(iter_frames(clip))
    assert len(frames) == 9 and frames[0].image.shape == (64, 96, 3)
