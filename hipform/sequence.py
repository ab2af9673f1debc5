"""The core type: a sequence of pose landmarks over time.

Everything downstream of the pose model (kinematics, reports, drawing) takes a
:class:`PoseSequence`. Frames where no person was detected are NaN rows,
never dropped, so frame ``i`` of the sequence is frame ``i`` of the video.
"""

from __future__ import annotations

import csv
import json
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

import numpy as np

from hipform.errors import HipformError, VideoReadError
from hipform.landmarks import MIRROR_ORDER, N_LANDMARKS, Landmark
from hipform.limits import Limits, require_regular_file
from hipform.people import PersonChecks

NPZ_FORMAT_VERSION = 1


class LandmarkFileError(VideoReadError, ValueError):
    """A file given as saved landmarks is not one hipform wrote, or is damaged (exit code 3).

    A :class:`ValueError` too, as :func:`load_sequence` raised before.
    """


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


#: Arrays with one row per frame → the shape of one row.
_PER_FRAME_ROWS: dict[str, tuple[int, ...]] = {
    "landmarks_px": (N_LANDMARKS, 3),
    "visibility": (N_LANDMARKS,),
    "world_m": (N_LANDMARKS, 3),
    "t_s": (),
}
#: The other arrays → their shape and the dtype kinds accepted (numpy's ``dtype.kind``).
_SINGLE_VALUES: dict[str, tuple[tuple[int, ...], str]] = {
    "format_version": ((), "iu"),
    "frame_size": ((2,), "iu"),
    "fps": ((), "fiu"),
    "source": ((), "U"),
    "meta": ((), "U"),
}
#: Longest text (the source name, the meta JSON) a landmark file may hold, bytes: the people
#: checks of a 10-minute clip are well under 1 MB.
_MAX_TEXT_BYTES = 16 * 2**20

_HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}


def _array_header(member: IO[bytes]) -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype from an ``.npy`` header; the array itself is not read."""
    version = np.lib.format.read_magic(member)
    read = _HEADER_READERS.get(version)
    if read is None:
        raise ValueError(f"array format {version[0]}.{version[1]} unknown")
    shape, _fortran_order, dtype = read(member)
    return tuple(shape), dtype


def _checked_header(zf: zipfile.ZipFile, key: str) -> tuple[int, ...]:
    """Shape of array ``key`` after checking its header against what :func:`save_sequence` writes."""
    with zf.open(f"{key}.npy") as member:
        shape, dtype = _array_header(member)
    if key in _PER_FRAME_ROWS:
        row, kinds = _PER_FRAME_ROWS[key], "fiu"
        fits = len(shape) == 1 + len(row) and shape[1:] == row
    else:
        expected, kinds = _SINGLE_VALUES[key]
        fits = shape == expected and dtype.itemsize <= _MAX_TEXT_BYTES
    if not fits or dtype.hasobject or dtype.kind not in kinds:
        raise ValueError(f"'{key}' holds a {shape} array of {dtype}")
    return shape


def _read(zf: zipfile.ZipFile, key: str) -> np.ndarray:
    with zf.open(f"{key}.npy") as member:
        return np.lib.format.read_array(member, allow_pickle=False)


def _read_checked(path: Path, limits: Limits) -> PoseSequence:
    """:func:`load_sequence`'s work: every array header is checked before any array is read."""
    name = path.name
    with zipfile.ZipFile(path) as zf:
        present = {n.removesuffix(".npy") for n in zf.namelist()}
        if "format_version" in present:  # a newer format may hold other arrays: say so first
            _checked_header(zf, "format_version")
            version = int(_read(zf, "format_version"))
            if version > NPZ_FORMAT_VERSION:
                raise LandmarkFileError(
                    f"{path} was written by a newer hipform (format {version}); please upgrade"
                )
        missing = sorted((set(_PER_FRAME_ROWS) | set(_SINGLE_VALUES)) - present)
        if missing:
            raise LandmarkFileError(f"{path} is not a hipform landmark file: missing {missing}")
        shapes = {key: _checked_header(zf, key) for key in (*_PER_FRAME_ROWS, *_SINGLE_VALUES)}
        frame_counts = {shapes[key][0] for key in _PER_FRAME_ROWS}
        if len(frame_counts) != 1:
            raise ValueError(f"the per-frame arrays disagree on the frame count ({sorted(frame_counts)})")
        # the count comes from the headers: a file claiming a billion frames is refused unread
        limits.check_frame_count(frame_counts.pop(), name)
        arrays = {key: _read(zf, key) for key in shapes}
    t_s = arrays["t_s"]
    if not np.all(np.isfinite(t_s)):
        raise ValueError("frame times are not all finite")
    meta = json.loads(str(arrays["meta"]))
    if not isinstance(meta, dict):
        raise ValueError("meta is not a JSON object")
    # what the judge reads back from meta: a damaged record fails here (exit 3), not in the judge (exit 1)
    PersonChecks.from_meta(meta)
    if not all(isinstance(f, int) for f in meta.get("shots", {}).get("cut_frames", [])):
        raise ValueError("the scene cuts are not frame numbers")
    width, height = (int(v) for v in arrays["frame_size"])
    seq = PoseSequence(
        landmarks_px=arrays["landmarks_px"],
        visibility=arrays["visibility"],
        world_m=arrays["world_m"],
        t_s=t_s,
        width_px=width,
        height_px=height,
        fps=float(arrays["fps"]),
        source=str(arrays["source"]),
        meta=meta,
    )
    limits.check_duration(seq.duration_s, name)
    return seq


def load_sequence(path: str | Path, limits: Limits | None = None) -> PoseSequence:
    """Read a sequence written by :func:`save_sequence`.

    The file is held to the same limits as a video (size, frames, length),
    the frame count checked from the array headers before any array is read,
    so a small file claiming a huge array costs nothing.

    Parameters
    ----------
    path : the ``.npz`` file.
    limits : the limits to hold it to; ``None``: :meth:`Limits.from_env`.

    Raises
    ------
    LandmarkFileError
        The file is not a hipform landmark file, is damaged, or is of a newer format.
    VideoReadError
        The path is a pipe, a socket or a device.
    InputLimitError
        The file is over the size, frame or length limit.
    """
    path = Path(path)
    limits = limits if limits is not None else Limits.from_env()
    require_regular_file(path)  # np.load on a pipe would wait for a writer for ever
    limits.check_file(path)
    try:
        return _read_checked(path, limits)
    except HipformError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a damaged or hand-made file trips on, it is not ours
        reason = str(exc) or type(exc).__name__
        raise LandmarkFileError(f"{path} is not a hipform landmark file (.npz): {reason}") from None


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
