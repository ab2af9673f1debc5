"""Helpers for the kinematics tests: the synthetic athlete filmed by a far camera."""

from __future__ import annotations

import numpy as np

from hipform.sequence import PoseSequence
from hipform.synth.athlete import Motion, MotionParams, simulate
from hipform.synth.camera import Camera, pose_sequence_from_joints

LYING = ("bridge", "single-leg-bridge", "kickback")


def far_camera(view: str, movement: str) -> Camera:
    """A camera 400 m away with a narrow lens: a near-orthographic view, as the synthetic truth assumes."""
    target = (0.0, 0.0, 0.3) if movement in LYING else (0.0, 0.0, 0.9)
    if movement == "single-leg-bridge" and view in ("front", "rear"):
        # at the feet, looking along the body (the athlete lies along y, feet towards +y)
        return Camera(
            (0.0, 400.0, 0.3),
            target,
            focal_px=0.5 * 1280 / np.tan(np.radians(0.25)),
            width_px=720,
            height_px=1280,
        )
    return Camera.around(view, distance_m=400.0, height_m=target[2], target_m=target, vertical_fov_deg=0.5)


def simulate_motion(movement: str, **params) -> Motion:
    """The synthetic athlete's motion with ``MotionParams(**params)``.

    Every movement is simulated: one that stops simulating raises, and the test fails (never skips).
    """
    return simulate(movement, MotionParams(**params))


def film(motion: Motion, view: str) -> PoseSequence:
    return pose_sequence_from_joints(
        motion.joints_m, motion.t_s, far_camera(view, motion.movement), motion.fps
    )
