"""Input limits: defaults, environment overrides, clear refusals before decoding."""

from __future__ import annotations

import dataclasses

import pytest
from clipmaker import pattern_frames, write_clip

from hipform.errors import HipformError, InputLimitError, VideoReadError
from hipform.limits import ENV_VARS, Limits, LimitSettingError, check_clip
from hipform.video import VideoInfo


def info(**kw) -> VideoInfo:
    base = dict(
        path="x.mp4",
        width_px=1080,
        height_px=1920,
        rotation_deg=0,
        fps=30.0,
        n_frames=300,
        duration_s=10.0,
        codec="h264",
        container="mov,mp4",
        size_bytes=5_000_000,
    )
    return VideoInfo(**{**base, **kw})


@pytest.mark.parametrize(
    "env, field, expected",
    [
        ({}, "max_upload_mb", 500.0),  # defaults
        ({}, "max_clip_s", 600.0),
        ({}, "max_side_px", 8192),
        ({}, "max_frames", 144_000),
        ({"HIPFORM_MAX_UPLOAD_MB": "20"}, "max_upload_mb", 20.0),  # each variable overrides its field
        ({"HIPFORM_MAX_UPLOAD_MB": " 0.5 "}, "max_upload_mb", 0.5),  # spaces and fractions fine
        ({"HIPFORM_MAX_CLIP_S": "1200"}, "max_clip_s", 1200.0),
        ({"HIPFORM_MAX_SIDE_PX": "3840"}, "max_side_px", 3840),
        ({"HIPFORM_MAX_FRAMES": "1e5"}, "max_frames", 100_000),  # a whole number written as float
        ({"HIPFORM_MAX_CLIP_S": ""}, "max_clip_s", 600.0),  # empty = unset
    ],
)
def test_limits_from_env(env, field, expected):
    limits = Limits.from_env(env)
    assert getattr(limits, field) == expected
    assert type(getattr(limits, field)) is type(expected)


@pytest.mark.parametrize(
    "name, value",
    [
        ("HIPFORM_MAX_UPLOAD_MB", "big"),  # not a number
        ("HIPFORM_MAX_UPLOAD_MB", "0"),  # zero
        ("HIPFORM_MAX_UPLOAD_MB", "-5"),  # negative
        ("HIPFORM_MAX_CLIP_S", "nan"),  # NaN
        ("HIPFORM_MAX_CLIP_S", "inf"),  # infinite
        ("HIPFORM_MAX_CLIP_S", "10 min"),  # unit written in
        ("HIPFORM_MAX_SIDE_PX", "1920.5"),  # pixels must be whole
        ("HIPFORM_MAX_FRAMES", "0.5"),  # frames must be whole
    ],
)
def test_invalid_env_values_name_the_variable(name, value):
    with pytest.raises(LimitSettingError, match=name) as exc:
        Limits.from_env({name: value})
    assert isinstance(exc.value, ValueError) and isinstance(exc.value, HipformError)
    assert exc.value.exit_code == 2 and "\n" not in str(exc.value)


def test_limits_are_frozen_and_overrides_make_new_instances():
    base = Limits()
    with pytest.raises(dataclasses.FrozenInstanceError):
        base.max_clip_s = 5  # type: ignore[misc]
    small = base.with_overrides(max_clip_s=30)
    assert small.max_clip_s == 30 and base.max_clip_s == 600
    with pytest.raises(ValueError, match="unknown limit"):
        base.with_overrides(max_fps=30)
    with pytest.raises(ValueError, match="positive"):
        Limits(max_clip_s=-1)
    assert set(ENV_VARS) == {f.name for f in dataclasses.fields(Limits)}


@pytest.mark.parametrize(
    "limits, clip, message",
    [
        (Limits(), info(), None),  # a normal phone clip: accepted
        (Limits(), info(width_px=3840, height_px=2160, fps=120, n_frames=600, duration_s=5), None),  # 4K 120
        (Limits(), info(duration_s=600.0, n_frames=18_000), None),  # exactly at the length limit
        (Limits(max_upload_mb=1), info(), "5 MB, over this installation's limit of 1 MB"),
        (Limits(max_clip_s=60), info(duration_s=61), "lasts 61 s, over this installation's limit of 60 s"),
        (Limits(), info(duration_s=1800, n_frames=54_000), "lasts 30.0 min"),
        (Limits(max_clip_s=60), info(duration_s=0, n_frames=3000, fps=30), "lasts 100 s"),  # no duration
        (Limits(), info(width_px=15360, height_px=8640), "15360x8640 pixels"),  # 16K
        (Limits(max_frames=100), info(), "300 frames"),
    ],
)
def test_check_video(limits, clip, message):
    if message is None:
        limits.check_video(clip, "clip.mp4")
        return
    with pytest.raises(InputLimitError) as exc:
        limits.check_video(clip, "clip.mp4")
    text = str(exc.value)
    assert message in text and "clip.mp4" in text
    assert "HIPFORM_MAX_" in text and ("trim" in text or "lower resolution" in text)  # what to do
    assert exc.value.exit_code == 7 and "\n" not in text


def test_frame_guard_stops_a_clip_whose_header_hides_its_length():
    guard = Limits(max_frames=50, max_clip_s=10).frame_guard("lying.mp4")
    guard(50, 9.9)
    guard(10)
    with pytest.raises(InputLimitError, match="more than 50 frames"):
        guard(51)
    with pytest.raises(InputLimitError, match="longer than 10 s"):
        guard(5, 10.5)


def test_check_clip_refuses_before_opening(tmp_path):
    big = tmp_path / "big.mp4"
    big.write_bytes(b"\0" * 2_100_000)  # not even a video: the size check comes first
    with pytest.raises(InputLimitError, match="2.1 MB, over this installation's limit of 1 MB"):
        check_clip(big, Limits(max_upload_mb=1))
    with pytest.raises(VideoReadError):
        check_clip(big, Limits())
    clip = write_clip(tmp_path / "ok.mp4", pattern_frames(10))
    got = check_clip(clip, Limits())
    assert got.width_px == 64 and got.height_px == 48
    long_clip = write_clip(tmp_path / "long.mp4", pattern_frames(20), fps=2.0)  # 10 s
    with pytest.raises(InputLimitError, match="lasts 10 s"):
        check_clip(long_clip, Limits(max_clip_s=5))


def test_frames_never_allocate_by_stated_count():
    """A header may state any frame count; the pose rows are capped (no giant allocation)."""
    from hipform import pose

    assert pose._MAX_PREALLOCATED_FRAMES * 33 * 3 * 4 * 2 < 64e6
    rows = pose._Rows(min(10**9, pose._MAX_PREALLOCATED_FRAMES))
    assert rows.lm.nbytes < 16e6
