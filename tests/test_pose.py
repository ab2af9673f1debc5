"""Real MediaPipe on real clips and on re-encoded copies of them."""

from __future__ import annotations

import numpy as np
import pytest
from clipmaker import pattern_frames, real_frames, shared_clip, write_clip

from hipform.errors import ModelUnavailableError, NoPersonError
from hipform.landmarks import Landmark as L
from hipform.pose import PoseOptions, check_model_available, estimate_pose

pytestmark = pytest.mark.slow

SQUAT_CLIPS = [
    "squat_front_clean.mov",
    "squat_front_knees_sway_in.mov",
    "squat_side_clean.mov",
    "squat_side_knees_sway_in.mov",
]


@pytest.fixture(scope="module")
def squat_sequences():
    return {name: estimate_pose(shared_clip(name)) for name in SQUAT_CLIPS}


@pytest.mark.parametrize("name", SQUAT_CLIPS)
def test_detects_the_person_in_nearly_every_frame(squat_sequences, name):
    seq = squat_sequences[name]
    assert seq.detection_rate >= 0.95
    assert (seq.width_px, seq.height_px) == (1080, 1920)
    assert np.all(np.diff(seq.t_s) > 0)


@pytest.mark.parametrize("name", SQUAT_CLIPS)
def test_standing_frames_have_plausible_anatomy(squat_sequences, name):
    seq = squat_sequences[name]
    standing = slice(0, 5)  # every clip starts standing
    for side in ("LEFT", "RIGHT"):
        hip_y = seq.xy(L[f"{side}_HIP"])[standing, 1]
        knee_y = seq.xy(L[f"{side}_KNEE"])[standing, 1]
        ankle_y = seq.xy(L[f"{side}_ANKLE"])[standing, 1]
        shoulder_y = seq.xy(L[f"{side}_SHOULDER"])[standing, 1]
        assert np.all(shoulder_y < hip_y) and np.all(hip_y < knee_y) and np.all(knee_y < ankle_y)
    leg = np.nanmedian(seq.xy(L.LEFT_ANKLE)[standing, 1] - seq.xy(L.LEFT_HIP)[standing, 1])
    assert 0.2 * seq.height_px < leg < 0.7 * seq.height_px


def test_rotated_phone_clip_gives_the_same_upright_landmarks(tmp_path):
    upright = real_frames("squat_front_clean.mov", max_side=480, limit=20)
    upright_path = write_clip(tmp_path / "upright.mp4", upright)
    stored = [np.ascontiguousarray(np.rot90(f, k=-1)) for f in upright]  # stored landscape
    rotated_path = write_clip(tmp_path / "rotated.mp4", stored, display_rotation_deg=90)
    a = estimate_pose(upright_path)
    b = estimate_pose(rotated_path)
    assert (b.width_px, b.height_px) == (a.width_px, a.height_px) == (270, 480)
    body = [lm for lm in L if lm >= L.LEFT_SHOULDER]
    diff = np.abs(a.landmarks_px[:, body, :2] - b.landmarks_px[:, body, :2])
    assert np.nanmedian(diff) < 3.0  # pixels, on a 480-pixel-tall frame


def test_variable_frame_rate_clip_keeps_true_timestamps(tmp_path):
    frames = real_frames("squat_front_clean.mov", max_side=480, limit=16)
    times = np.cumsum(np.r_[0, np.tile([0.02, 0.05, 0.033], 5)])
    path = write_clip(tmp_path / "vfr.mp4", frames, times_s=times)
    seq = estimate_pose(path)
    np.testing.assert_allclose(seq.t_s, times, atol=1e-3)
    assert seq.detection_rate >= 0.95


def test_no_person_in_view(tmp_path):
    path = write_clip(tmp_path / "empty_room.mp4", pattern_frames(10, 160, 120))
    with pytest.raises(NoPersonError, match="No person"):
        estimate_pose(path)
    seq = estimate_pose(path, require_person=False)
    assert seq.n_frames == 10 and seq.detection_rate == 0


@pytest.mark.parametrize("model", ["lite", "heavy"])
def test_models_needing_a_download_are_refused_at_once(model):
    with pytest.raises(ModelUnavailableError, match="not available offline"):
        check_model_available(model)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"model": "huge"}, "model"),  # unknown model
        ({"min_detection_confidence": 1.5}, "min_detection_confidence"),  # out of range
        ({"max_side_px": 10}, "max_side_px"),  # too small to find anyone
    ],
)
def test_pose_options_validated(kwargs, error):
    with pytest.raises(ValueError, match=error):
        PoseOptions(**kwargs)
