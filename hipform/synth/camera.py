"""A pinhole camera that films the synthetic athlete.

World frame: metres, z up, floor at z = 0, athlete at the origin facing +y
(athlete's right is +x). Image frame: pixels, origin top left, y down.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hipform.landmarks import Landmark
from hipform.sequence import PoseSequence

#: Camera yaw (deg) around the athlete for each named view. 0 = in front of
#: the athlete looking back at them; 90 = on the athlete's right side.
VIEW_YAW_DEG = {"front": 0.0, "rear": 180.0, "right": 90.0, "left": -90.0, "oblique": 45.0}


@dataclass(frozen=True)
class Camera:
    """Pinhole camera with square pixels and no lens distortion.

    Attributes
    ----------
    position_m : (3,) camera centre in world metres.
    target_m : (3,) point the optical axis passes through.
    focal_px : focal length in pixels.
    width_px, height_px : image size; the principal point is the centre.
    roll_deg : rotation of the image about the optical axis (positive turns
        the picture clockwise as seen on screen).
    """

    position_m: tuple[float, float, float]
    target_m: tuple[float, float, float]
    focal_px: float
    width_px: int
    height_px: int
    roll_deg: float = 0.0

    @classmethod
    def around(
        cls,
        view: str | float = "front",
        distance_m: float = 4.0,
        height_m: float = 0.9,
        target_m: tuple[float, float, float] = (0.0, 0.0, 0.9),
        width_px: int = 720,
        height_px: int = 1280,
        vertical_fov_deg: float = 50.0,
        roll_deg: float = 0.0,
    ) -> Camera:
        """A camera on a circle around ``target_m``, at ``height_m`` above the floor.

        ``view`` is a name from :data:`VIEW_YAW_DEG` or a yaw in degrees.
        """
        yaw = np.radians(VIEW_YAW_DEG[view] if isinstance(view, str) else float(view))
        tx, ty, _ = target_m
        position = (tx + distance_m * np.sin(yaw), ty + distance_m * np.cos(yaw), height_m)
        focal = 0.5 * height_px / np.tan(np.radians(vertical_fov_deg) / 2)
        return cls(
            tuple(map(float, position)),
            tuple(map(float, target_m)),
            float(focal),
            width_px,
            height_px,
            roll_deg,
        )

    def axes(self) -> np.ndarray:
        """(3, 3) rows: the camera's right, down and forward unit vectors in world."""
        forward = np.subtract(self.target_m, self.position_m).astype(float)
        forward /= np.linalg.norm(forward)
        up = np.array([0.0, 0.0, 1.0])
        if abs(forward @ up) > 0.999:  # looking straight down or up
            up = np.array([0.0, 1.0, 0.0])
        right = np.cross(forward, up)
        right /= np.linalg.norm(right)
        down = np.cross(forward, right)
        r = np.radians(self.roll_deg)
        right, down = np.cos(r) * right + np.sin(r) * down, -np.sin(r) * right + np.cos(r) * down
        return np.stack([right, down, forward])

    def to_camera(self, points_m: np.ndarray) -> np.ndarray:
        """(..., 3) world points → (..., 3) camera coordinates (right, down, forward) in metres."""
        return (np.asarray(points_m, float) - np.asarray(self.position_m)) @ self.axes().T

    def project(self, points_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Project world points into the image.

        Returns
        -------
        xy_px : (..., 2) pixel coordinates (origin top left, y down).
        depth_m : (...,) distance along the optical axis; ≤ 0 means behind the camera.
        """
        c = self.to_camera(points_m)
        depth = c[..., 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            x = self.focal_px * c[..., 0] / depth + self.width_px / 2
            y = self.focal_px * c[..., 1] / depth + self.height_px / 2
        return np.stack([x, y], axis=-1), depth


def pose_sequence_from_joints(
    joints_m: np.ndarray,
    t_s: np.ndarray,
    camera: Camera,
    fps: float,
    visibility: np.ndarray | None = None,
    source: str = "synthetic",
) -> PoseSequence:
    """What a perfect pose model would report for ``joints_m`` filmed by ``camera``.

    Parameters
    ----------
    joints_m : (T, 33, 3) world positions of the 33 landmarks, metres.
    t_s : (T,) frame times in seconds.
    visibility : (T, 33) optional; 1 everywhere when omitted.

    Notes
    -----
    Image z is depth relative to the hip midpoint scaled like x (pixels), as
    MediaPipe reports it; world landmarks are camera-aligned (x right, y down,
    z away from the camera) with the origin at the hip midpoint, as
    MediaPipe's world landmarks are.
    """
    joints_m = np.asarray(joints_m, float)
    xy, depth = camera.project(joints_m)
    hips = [int(Landmark.LEFT_HIP), int(Landmark.RIGHT_HIP)]
    cam = camera.to_camera(joints_m)
    hip_mid = cam[:, hips].mean(axis=1, keepdims=True)
    scale_px = camera.focal_px / np.maximum(hip_mid[..., 2], 1e-6)
    z_px = (depth - hip_mid[..., 2]) * scale_px
    if visibility is None:
        visibility = np.ones(joints_m.shape[:2], np.float32)
    return PoseSequence(
        landmarks_px=np.concatenate([xy, z_px[..., None]], axis=-1),
        visibility=visibility,
        world_m=cam - hip_mid,
        t_s=t_s,
        width_px=camera.width_px,
        height_px=camera.height_px,
        fps=fps,
        source=source,
    )
