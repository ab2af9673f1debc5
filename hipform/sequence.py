"""The core type: a sequence of pose landmarks over time.

Everything downstream of the pose model (kinematics, reports, drawing) takes a
:class:`PoseSequence`. Frames where no person was detected are NaN rows,
never dropped, so frame ``i`` of the sequence is frame ``i`` of the video.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from hipform.landmarks import MIRROR_ORDER, N_LANDMARKS, Landmark

NPZ_FORMAT_VERSION = 1


@dataclass(frozen=True, eq=False)
class PoseSequence:
    """Pose landmarks of one person over ``T`` frames.

    Attributes
    ----------
    landmarks_px : ndarray, shape (T, 33, 3), float32
        Image landmarks of the upright frame: x and y in pixels (origin top
        left, y pointing down), z is MediaPipe's relative depth scaled like x
        (pixels; smaller is nearer the camera, origin at the hip midpoint).
        NaN where nothing was detected.
    visibility : ndarray, shape (T, 33), float32
        MediaPipe's visibility score in [0, 1]; 0 where nothing was detected.
    world_m : ndarray, shape (T, 33, 3), float32
        World landmarks in metres, origin at the hip midpoint, y pointing
        down. NaN where nothing was detected.
    t_s : ndarray, shape (T,), float64
        Presentation time of each frame in seconds from the clip's start,
        strictly increasing.
    width_px, height_px : int
        Size of the upright frame the landmarks refer to.
    fps : float
        Nominal frame rate of the source (frames per second).
    source : str
        Where the sequence came from (a file name), for reports.
    meta : dict
        Free-form, JSON-serialisable facts about the source (codec, rotation…).
    """

    landmarks_px: np.ndarray
    visibility: np.ndarray
    world_m: np.ndarray
    t_s: np.ndarray
    width_px: int
    height_px: int
    fps: float
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        lm = np.asarray(self.landmarks_px, dtype=np.float32)
        if lm.ndim != 3 or lm.shape[1:] != (N_LANDMARKS, 3):
            raise ValueError(f"landmarks_px must have shape (T, {N_LANDMARKS}, 3), got {lm.shape}")
        n = lm.shape[0]
        vis = np.asarray(self.visibility, dtype=np.float32)
        if vis.shape != (n, N_LANDMARKS):
            raise ValueError(f"visibility must have shape ({n}, {N_LANDMARKS}), got {vis.shape}")
        world = np.asarray(self.world_m, dtype=np.float32)
        if world.shape != (n, N_LANDMARKS, 3):
            raise ValueError(f"world_m must have shape ({n}, {N_LANDMARKS}, 3), got {world.shape}")
        t = np.asarray(self.t_s, dtype=np.float64)
        if t.shape != (n,):
            raise ValueError(f"t_s must have shape ({n},), got {t.shape}")
        if n > 1 and not np.all(np.diff(t) > 0):
            raise ValueError("t_s must be strictly increasing")
        if int(self.width_px) <= 0 or int(self.height_px) <= 0:
            raise ValueError(f"frame size must be positive, got {self.width_px}x{self.height_px}")
        if not np.isfinite(self.fps) or self.fps <= 0:
            raise ValueError(f"fps must be a positive number, got {self.fps}")
        for name, arr in (("landmarks_px", lm), ("visibility", vis), ("world_m", world), ("t_s", t)):
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "width_px", int(self.width_px))
        object.__setattr__(self, "height_px", int(self.height_px))
        object.__setattr__(self, "fps", float(self.fps))

    # ------------------------------------------------------------------ views
    @property
    def n_frames(self) -> int:
        return int(self.t_s.shape[0])

    @property
    def duration_s(self) -> float:
        """Time from the first to the last frame plus one nominal frame."""
        if self.n_frames == 0:
            return 0.0
        return float(self.t_s[-1] - self.t_s[0] + 1.0 / self.fps)

    @property
    def detected(self) -> np.ndarray:
        """(T,) bool: a person was detected in the frame."""
        return np.isfinite(self.landmarks_px[:, :, 0]).any(axis=1)

    @property
    def detection_rate(self) -> float:
        """Fraction of frames with a detection, in [0, 1] (0 for no frames)."""
        return float(self.detected.mean()) if self.n_frames else 0.0

    def xy(self, landmark: Landmark) -> np.ndarray:
        """(T, 2) pixel coordinates of one landmark (NaN where not detected)."""
        return self.landmarks_px[:, int(landmark), :2]

    def slice(self, start: int, stop: int) -> PoseSequence:
        """Frames ``start:stop`` as a new sequence (times are kept as they are)."""
        return replace(
            self,
            landmarks_px=self.landmarks_px[start:stop],
            visibility=self.visibility[start:stop],
            world_m=self.world_m[start:stop],
            t_s=self.t_s[start:stop],
        )

    def mirrored(self) -> PoseSequence:
        """The sequence as seen in a horizontally flipped video.

        x becomes ``width - x`` and every left landmark trades places with its
        right twin, exactly what MediaPipe reports on a mirrored clip.
        """
        order = list(MIRROR_ORDER)
        lm = self.landmarks_px[:, order].copy()
        lm[..., 0] = self.width_px - lm[..., 0]
        world = self.world_m[:, order].copy()
        world[..., 0] = -world[..., 0]
        return replace(self, landmarks_px=lm, visibility=self.visibility[:, order], world_m=world)

    @classmethod
    def empty(
        cls, n_frames: int, t_s: np.ndarray, width_px: int, height_px: int, fps: float, **kw: Any
    ) -> PoseSequence:
        """A sequence of ``n_frames`` frames with no detection at all."""
        return cls(
            landmarks_px=np.full((n_frames, N_LANDMARKS, 3), np.nan, np.float32),
            visibility=np.zeros((n_frames, N_LANDMARKS), np.float32),
            world_m=np.full((n_frames, N_LANDMARKS, 3), np.nan, np.float32),
            t_s=t_s,
            width_px=width_px,
            height_px=height_px,
            fps=fps,
            **kw,
        )


def save_sequence(seq: PoseSequence, path: str | Path) -> Path:
    """Write ``seq`` to a compressed ``.npz`` file and return its path."""
    path = Path(path)
    np.savez_compressed(
        path,
        format_version=np.int32(NPZ_FORMAT_VERSION),
        landmarks_px=seq.landmarks_px,
        visibility=seq.visibility,
        world_m=seq.world_m,
        t_s=seq.t_s,
        frame_size=np.array([seq.width_px, seq.height_px], np.int32),
        fps=np.float64(seq.fps),
        source=np.array(seq.source),
        meta=np.array(json.dumps(seq.meta)),
    )
    # numpy appends .npz when the name lacks it
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def load_sequence(path: str | Path) -> PoseSequence:
    """Read a sequence written by :func:`save_sequence`.

    Raises
    ------
    ValueError
        If the file is not a hipform landmark file or of a newer format.
    """
    try:
        data = np.load(Path(path), allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path} is not a hipform landmark file (.npz): {exc}") from None
    with data:
        missing = {"format_version", "landmarks_px", "t_s"} - set(data.files)
        if missing:
            raise ValueError(f"{path} is not a hipform landmark file: missing {sorted(missing)}")
        version = int(data["format_version"])
        if version > NPZ_FORMAT_VERSION:
            raise ValueError(f"{path} was written by a newer hipform (format {version}); please upgrade")
        width, height = (int(v) for v in data["frame_size"])
        return PoseSequence(
            landmarks_px=data["landmarks_px"],
            visibility=data["visibility"],
            world_m=data["world_m"],
            t_s=data["t_s"],
            width_px=width,
            height_px=height,
            fps=float(data["fps"]),
            source=str(data["source"]),
            meta=json.loads(str(data["meta"])),
        )


def csv_columns() -> list[str]:
    """Column names of :func:`save_sequence_csv`, in order."""
    cols = ["frame", "t_s", "detected"]
    for lm in Landmark:
        c = lm.column
        cols += [f"{c}_x", f"{c}_y", f"{c}_z", f"{c}_visibility"]
    for lm in Landmark:
        c = lm.column
        cols += [f"{c}_world_x_m", f"{c}_world_y_m", f"{c}_world_z_m"]
    return cols


def save_sequence_csv(seq: PoseSequence, path: str | Path) -> Path:
    """Write one row per frame with named columns (``left_knee_x`` … in pixels).

    Missing values are empty cells, which spreadsheets and pandas read as
    missing.
    """
    path = Path(path)
    n = seq.n_frames
    img = np.concatenate([seq.landmarks_px, seq.visibility[..., None]], axis=2).reshape(n, -1)
    table = np.concatenate(
        [
            np.arange(n)[:, None],
            seq.t_s[:, None],
            seq.detected[:, None].astype(float),
            img,
            seq.world_m.reshape(n, -1),
        ],
        axis=1,
    )
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(csv_columns())
        for i, row in enumerate(table):
            cells = [str(i), f"{row[1]:.6f}", str(int(row[2]))]
            cells += ["" if not np.isfinite(v) else f"{v:.5g}" for v in row[3:]]
            writer.writerow(cells)
    return path
