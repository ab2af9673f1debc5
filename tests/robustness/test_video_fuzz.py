"""Fuzzing the video reader with mutated real files: only VideoReadError may escape."""

from __future__ import annotations

import pytest
from clipmaker import real_frames, write_clip
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipform.errors import VideoReadError
from hipform.video import ReadStatus, iter_frames, probe_video


@pytest.fixture(scope="module")
def seed_clips(tmp_path_factory):
    d = tmp_path_factory.mktemp("seeds")
    frames = real_frames("squat_front_clean.mov", max_side=160, limit=12)
    return {
        "mp4": write_clip(d / "s.mp4", frames).read_bytes(),
        "webm": write_clip(d / "s.webm", frames, codec="libvpx-vp9").read_bytes(),
        "avi": write_clip(d / "s.avi", frames, codec="mjpeg", pix_fmt="yuvj420p").read_bytes(),
    }


mutation = st.tuples(
    st.sampled_from(["flip", "truncate", "zero_run", "splice"]),
    st.floats(0.0, 1.0),
    st.integers(1, 4096),
    st.integers(0, 255),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["mp4", "webm", "avi"]), mutations=st.lists(mutation, min_size=1, max_size=4))
def test_mutated_clips_give_frames_or_a_clear_error(tmp_path, seed_clips, kind, mutations):
    data = bytearray(seed_clips[kind])
    for op, where, length, value in mutations:
        pos = int(where * max(len(data) - 1, 0))
        if op == "flip" and data:
            data[pos] ^= value or 1
        elif op == "truncate":
            del data[pos:]
        elif op == "zero_run":
            data[pos : pos + length] = bytes(min(length, len(data) - pos))
        elif op == "splice":
            data[pos:pos] = bytes([value]) * length
    path = tmp_path / f"mutant.{kind}"
    path.write_bytes(bytes(data))
    try:
        info = probe_video(path)
        status = ReadStatus()
        frames = list(iter_frames(path, max_side=128, status=status))
    except VideoReadError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert info.width_px > 0 and info.height_px > 0
    assert len(frames) >= 1
    assert all(b.t_s > a.t_s for a, b in zip(frames, frames[1:], strict=False))
