"""The speed-ups in video reading and pose conversion give the same results as the plain paths."""

from __future__ import annotations

import numpy as np
import pytest
from clipmaker import pattern_frames, write_clip

from hipform.landmarks import N_LANDMARKS
from hipform.pose import FramePose, _landmark_array, _Rows
from hipform.video import iter_frames


def landmark_list(rng, presence: bool = False, skip_visibility: bool = False):
    from mediapipe.framework.formats import landmark_pb2

    msg = landmark_pb2.NormalizedLandmarkList()
    values = rng.uniform(-1, 2, (N_LANDMARKS, 4)).astype(np.float32)
    for x, y, z, v in values:
        p = msg.landmark.add(x=float(x), y=float(y), z=float(z))
        if not skip_visibility:
            p.visibility = float(v)
        if presence:
            p.presence = 0.5
    if skip_visibility:
        values[:, 3] = 0.0
    return msg, values


@pytest.mark.parametrize(
    "kwargs",
    [
        {},  # what BlazePose sends: read from the bytes
        {"presence": True},  # an extra field: the general path
        {"skip_visibility": True},  # a missing field: the general path
    ],
)
def test_landmark_bytes_give_the_same_numbers(rng, kwargs):
    msg, values = landmark_list(rng, **kwargs)
    got = _landmark_array(msg)
    assert got.dtype == np.float32 and got.shape == (N_LANDMARKS, 4)
    np.testing.assert_array_equal(got, values)


def test_rows_grow_and_keep_missing_frames_empty(rng):
    rows = _Rows(4)
    expected = []
    for i in range(50):
        if i % 7 == 3:
            rows.add(None, i / 30)
            expected.append(None)
        else:
            fp = FramePose(
                landmarks_px=rng.normal(size=(N_LANDMARKS, 3)).astype(np.float32),
                visibility=rng.uniform(size=N_LANDMARKS).astype(np.float32),
                world_m=rng.normal(size=(N_LANDMARKS, 3)).astype(np.float32),
            )
            rows.add(fp, i / 30)
            expected.append(fp)
    lm, vis, world, t = rows.arrays()
    assert lm.shape == (50, N_LANDMARKS, 3) and vis.shape == (50, N_LANDMARKS) and t.shape == (50,)
    np.testing.assert_allclose(t, np.arange(50) / 30)
    for i, fp in enumerate(expected):
        if fp is None:
            assert np.isnan(lm[i]).all() and np.isnan(world[i]).all() and (vis[i] == 0).all()
        else:
            np.testing.assert_array_equal(lm[i], fp.landmarks_px)
            np.testing.assert_array_equal(world[i], fp.world_m)


@pytest.mark.parametrize("rotation", [0, 90])
def test_fast_decode_gives_nearly_the_same_frames(tmp_path, rotation):
    frames = pattern_frames(20, 640, 360)
    path = write_clip(tmp_path / "clip.mp4", frames, display_rotation_deg=rotation or None)
    plain = list(iter_frames(path, max_side=160))
    fast = list(iter_frames(path, max_side=160, fast_decode=True))
    assert len(plain) == len(fast) == 20
    for a, b in zip(plain, fast, strict=True):
        assert a.image.shape == b.image.shape == ((90, 160, 3) if rotation == 0 else (160, 90, 3))
        assert a.t_s == b.t_s and a.scale == b.scale
        assert np.abs(a.image.astype(int) - b.image.astype(int)).mean() < 3.0  # grey levels of 255
