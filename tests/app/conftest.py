"""Fixtures for the app tests: a rendered clip with known faults, and a private HIPFORM_HOME."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

#: The rendered test clip: single-leg squat, left knee collapsing 22° at the bottom of every rep.
CLIP_NAME = "single_leg_squat_left_valgus.mp4"
CLIP_TRUTH = {"movement": "single-leg-squat", "view": "front", "faults": {"knee_collapse": "left"}}


def render_clip(path: Path, width: int = 360, height: int = 640) -> Path:
    """Render the test clip with hipform's synthetic athlete (about 5 s on one core)."""
    from hipform.synth.athlete import Faults, MotionParams, simulate
    from hipform.synth.camera import Camera
    from hipform.synth.render import Renderer
    from hipform.video import VideoWriter

    motion = simulate(
        "single-leg-squat", MotionParams(reps=3, faults=Faults(knee_valgus_deg=22, side="left")), seed=1
    )
    renderer = Renderer(Camera.around("front", width_px=width, height_px=height))
    with VideoWriter(path, fps=motion.fps) as writer:
        for joints in motion.joints_m:
            writer.write(renderer.render(joints))
    path.with_suffix(".truth.json").write_text(
        json.dumps({"title": "Single-leg squat, left knee collapse", **CLIP_TRUTH})
    )
    return path


@pytest.fixture(scope="session")
def samples_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("samples")
    render_clip(folder / CLIP_NAME)
    return folder


@pytest.fixture(scope="session")
def sample_clip(samples_dir: Path) -> Path:
    return samples_dir / CLIP_NAME


@pytest.fixture
def hipform_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, samples_dir: Path) -> Path:
    home = tmp_path / "hipform-home"
    monkeypatch.setenv("HIPFORM_HOME", str(home))
    monkeypatch.delenv("HIPFORM_DB", raising=False)
    monkeypatch.setenv("HIPFORM_SAMPLES", str(samples_dir))
    return home


@pytest.fixture(scope="session")
def synthetic_report():
    """A Report with left knee-collapse flags, straight from synthetic landmarks (no video, no MediaPipe)."""
    from hipform.kinematics.analysis import analyse
    from hipform.synth.athlete import Faults, MotionParams, simulate
    from hipform.synth.camera import Camera, pose_sequence_from_joints

    motion = simulate(
        "single-leg-squat", MotionParams(reps=3, faults=Faults(knee_valgus_deg=26, side="left")), seed=2
    )
    seq = pose_sequence_from_joints(motion.joints_m, motion.t_s, Camera.around("front"), motion.fps)
    report = analyse(seq, movement="single-leg-squat")
    assert np.isfinite(report.t_s).all()
    return report
