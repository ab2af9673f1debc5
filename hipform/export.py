"""The files biomechanics tools read: OpenSim marker trajectories (``.trc``), motion (``.mot``) and C3D.

- :func:`trc_text` / :func:`save_trc`: MediaPipe's 33 world landmarks as OpenSim markers, in metres.
- :func:`mot_text` / :func:`save_mot`: the report's per-frame measures (angles, ratios) as an
  OpenSim motion/storage table, to plot beside a model's own coordinates.
- :func:`c3d_bytes` / :func:`save_c3d`: the same markers as a C3D file, through the optional
  ``ezc3d`` library (``pip install "hipform[export]"``).

Axes
----
MediaPipe's world landmarks are in metres with the origin at the midpoint of the hips, x to the
image's right, y **down** and z away from the camera. OpenSim's ground frame has y **up**, so
every exported marker is turned 180° about x: ``(x, y, z) → (x, −y, −z)``: x to the image's
right, y up, z towards the camera. A rotation, not a mirror: the left knee stays the left knee.
OpenSim's own x (forward) and z (the subject's right) depend on where the person faces, which a
single camera does not fix; rotate about y when placing the markers on a model.

The origin moves with the hips in every frame, so the markers describe posture, not travel across
the room. Details and the reasons for each choice of the formats: ``docs/export.md``.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from hipform.errors import HipformError
from hipform.landmarks import Landmark
from hipform.report import Report
from hipform.safe_write import write_whole
from hipform.sequence import PoseSequence

#: The formats hipform exports, by file name ending.
EXPORT_FORMATS = ("trc", "mot", "c3d")

#: Media types for downloads.
MIME_TYPES = {"trc": "text/plain", "mot": "text/plain", "c3d": "application/octet-stream"}

#: Marker names in the ``.trc`` and ``.c3d`` files, in landmark order: ``nose``, ``left_eye_inner``, …
MARKER_NAMES = tuple(lm.column for lm in Landmark)

#: Units of the marker coordinates (``Units`` of the TRC header, ``POINT:UNITS`` of the C3D).
MARKER_UNITS = "m"

#: How a ``.mot`` cell says "not measured in this frame". OpenSim reads each cell with
#: ``std::stod``, which reads ``NaN`` as not-a-number and fails on an empty cell.
MOT_MISSING = "NaN"

#: MediaPipe world axes → OpenSim axes (x kept, y and z negated: a 180° turn about x).
_TO_OPENSIM = np.array([1.0, -1.0, -1.0])


class C3DUnavailableError(HipformError):
    """C3D export was asked for but the ``ezc3d`` library is not installed (exit 2, a set-up to fix)."""

    exit_code = 2


def c3d_available() -> bool:
    """The optional C3D library (``ezc3d``) can be imported."""
    try:
        import ezc3d  # noqa: F401
    except ImportError:
        return False
    return True


def require_c3d() -> None:
    """Raise :class:`C3DUnavailableError` unless C3D files can be written.

    Raises
    ------
    C3DUnavailableError
        ``ezc3d`` is not installed; the message says how to install it.
    """
    if not c3d_available():
        raise C3DUnavailableError(
            "Writing .c3d files needs the ezc3d library: pip install 'hipform[export]' (or ezc3d itself)."
        )


def world_to_opensim_m(world_m: np.ndarray) -> np.ndarray:
    """MediaPipe world landmarks in OpenSim's axes (y up), metres.

    Parameters
    ----------
    world_m : ndarray, shape (..., 3)
        MediaPipe world coordinates in metres: origin at the hip midpoint, x to the image's
        right, y down, z away from the camera. NaN stays NaN.

    Returns
    -------
    ndarray, shape (..., 3), float64
        x to the image's right, y up, z towards the camera (a 180° turn about x).
    """
    world = np.asarray(world_m, dtype=np.float64)
    if world.shape[-1:] != (3,):
        raise ValueError(f"world landmarks must end in an axis of 3 (x, y, z), got shape {world.shape}")
    return world * _TO_OPENSIM


def _require_frames(seq: PoseSequence) -> None:
    if seq.n_frames == 0:
        raise ValueError("the sequence has no frames to export")


def _number(value: float, fmt: str) -> str:
    return format(value, fmt) if math.isfinite(value) else ""


def trc_text(seq: PoseSequence, file_name: str = "") -> str:
    """The world landmarks of ``seq`` as an OpenSim marker file (``.trc``), tab-separated.

    Parameters
    ----------
    seq : the landmarks; its world landmarks (metres) are exported, turned into OpenSim's axes
        (:func:`world_to_opensim_m`).
    file_name : the name written on the first line (OpenSim ignores it); default the source's.

    Returns
    -------
    str
        Five header lines (``PathFileType``; the eight keys ``DataRate`` … ``OrigNumFrames``; their
        values; ``Frame#``, ``Time`` and the marker names; ``X1 Y1 Z1 …``), a blank line, then one
        row per video frame: its number (from 1), its time in seconds and x, y, z of each marker
        (micrometres, ``%.6f``). A marker not tracked in a frame is three empty cells, which
        OpenSim reads as a missing marker.

    Notes
    -----
    ``DataRate`` is the clip's nominal frame rate; ``Time`` is each frame's own presentation time
    (what OpenSim uses), so a clip with a variable frame rate keeps its true timing. Every cell
    ends with a tab, as OpenSim's own writer does: OpenSim splits rows at each tab and drops the
    last cell when it is empty, so without the closing tab a row whose last marker is missing
    would come up three cells short.
    """
    _require_frames(seq)
    markers = world_to_opensim_m(seq.world_m)
    n_frames, n_markers = markers.shape[:2]
    rate = f"{seq.fps:.6g}"
    name = file_name or Path(seq.source).name or "hipform.trc"
    lines = [
        f"PathFileType\t4\t(X/Y/Z)\t{name}",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
        f"{rate}\t{rate}\t{n_frames}\t{n_markers}\t{MARKER_UNITS}\t{rate}\t1\t{n_frames}",
        "Frame#\tTime\t" + "".join(f"{m}\t\t\t" for m in MARKER_NAMES),
        "\t\t" + "".join(f"X{i}\tY{i}\tZ{i}\t" for i in range(1, n_markers + 1)),
        "",
    ]
    tracked = np.isfinite(markers).all(axis=2)  # (T, 33): a marker with any NaN coordinate is missing
    for i in range(n_frames):
        cells = [str(i + 1), f"{seq.t_s[i]:.6f}"]
        for xyz, ok in zip(markers[i], tracked[i], strict=True):
            cells += [f"{v:.6f}" for v in xyz] if ok else ["", "", ""]
        lines.append("".join(c + "\t" for c in cells))
    return "\n".join(lines) + "\n"


def mot_columns(report: Report) -> list[str]:
    """The data columns of :func:`mot_text` after ``time``: the report's per-frame series, sorted."""
    return sorted(report.measures)


def mot_text(report: Report, name: str = "hipform_measures") -> str:
    """The per-frame measures of ``report`` as an OpenSim motion file (``.mot``), tab-separated.

    Parameters
    ----------
    report : its ``t_s`` and per-frame ``measures`` (the series of the measures CSV; names carry
        their unit: ``_deg`` for degrees, ``_ratio`` and ``_rel`` without unit).
    name : the first line (OpenSim shows it as the data's name).

    Returns
    -------
    str
        The header ``name``, ``version=1``, ``nRows``, ``nColumns`` (time included),
        ``inDegrees=yes``, a comment and ``endheader``; the column labels ``time`` and
        :func:`mot_columns`; one row per frame. A measure not assessed in a frame is ``NaN``
        (:data:`MOT_MISSING`), never an empty cell, which OpenSim cannot read.
    """
    columns = mot_columns(report)
    values = [np.asarray(report.measures[c], dtype=np.float64) for c in columns]
    times = np.asarray(report.t_s, dtype=np.float64)
    name = " ".join(name.replace("=", "-").split()) or "hipform_measures"  # '=' would make it a key
    lines = [
        name,
        "version=1",
        f"nRows={times.size}",
        f"nColumns={len(columns) + 1}",
        "inDegrees=yes",
        "",
        "Columns ending _deg are angles in degrees; the others are ratios without a unit.",
        "NaN marks a frame where the measure was not assessed.",
        "endheader",
        "\t".join(["time", *columns]),
    ]
    for i, t in enumerate(times):
        cells = [f"{t:.6f}"] + [f"{v[i]:.6g}" if math.isfinite(v[i]) else MOT_MISSING for v in values]
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def c3d_bytes(seq: PoseSequence) -> bytes:
    """The world landmarks of ``seq`` as a C3D file (markers only, no analog channels).

    Markers as in :func:`trc_text`: names :data:`MARKER_NAMES`, metres (``POINT:UNITS`` ``m``),
    OpenSim's axes (y up, declared as ``POINT:X_SCREEN`` ``+X`` and ``POINT:Y_SCREEN`` ``+Y``),
    ``POINT:RATE`` the clip's nominal frame rate. A marker not tracked in a frame is written as
    invalid (residual −1), which C3D readers return as missing (ezc3d: NaN). C3D has no per-frame
    times: frame ``i`` is at ``i / rate`` after the first.

    Raises
    ------
    C3DUnavailableError
        ``ezc3d`` is not installed.
    ValueError
        The sequence has no frames.
    """
    require_c3d()
    _require_frames(seq)
    import ezc3d

    markers = world_to_opensim_m(seq.world_m)  # (T, 33, 3)
    points = np.ones((4, markers.shape[1], markers.shape[0]))  # (x y z 1, marker, frame)
    points[:3] = markers.transpose(2, 1, 0)
    points[:3, ~np.isfinite(markers).all(axis=2).T] = np.nan  # a partly known marker is missing
    c3d = ezc3d.c3d()
    c3d["parameters"]["POINT"]["RATE"]["value"] = [seq.fps]
    c3d["parameters"]["POINT"]["LABELS"]["value"] = MARKER_NAMES
    c3d.add_parameter("POINT", "UNITS", MARKER_UNITS)
    c3d.add_parameter("POINT", "DESCRIPTIONS", ["MediaPipe BlazePose world landmark"] * len(MARKER_NAMES))
    c3d.add_parameter("POINT", "X_SCREEN", "+X")
    c3d.add_parameter("POINT", "Y_SCREEN", "+Y")
    c3d["data"]["points"] = points
    with tempfile.TemporaryDirectory(prefix="hipform-c3d-") as folder:
        path = os.path.join(folder, "markers.c3d")  # ezc3d writes only to a path
        c3d.write(path)
        return Path(path).read_bytes()


def export_bytes(fmt: str, seq: PoseSequence, report: Report, file_name: str = "") -> bytes:
    """The file of format ``fmt`` (one of :data:`EXPORT_FORMATS`) for a clip, as bytes (UTF-8 text).

    ``file_name`` is the name the file will have (the TRC header names it).
    """
    if fmt == "trc":
        return trc_text(seq, file_name).encode("utf-8")
    if fmt == "mot":
        return mot_text(report).encode("utf-8")
    if fmt == "c3d":
        return c3d_bytes(seq)
    raise ValueError(f"unknown export format {fmt!r}; choose from {', '.join(EXPORT_FORMATS)}")


def _write(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole or not at all (:mod:`hipform.safe_write`; a failure is exit 9)."""
    return write_whole(path, lambda partial: partial.write_bytes(data))


def save_trc(seq: PoseSequence, path: str | Path) -> Path:
    """Write :func:`trc_text` of ``seq`` to ``path``; returns the path."""
    return _write(path, trc_text(seq, Path(path).name).encode("utf-8"))


def save_mot(report: Report, path: str | Path) -> Path:
    """Write :func:`mot_text` of ``report`` to ``path``; returns the path."""
    return _write(path, mot_text(report).encode("utf-8"))


def save_c3d(seq: PoseSequence, path: str | Path) -> Path:
    """Write :func:`c3d_bytes` of ``seq`` to ``path``; returns the path (raises as :func:`c3d_bytes`)."""
    return _write(path, c3d_bytes(seq))


def save_exports(seq: PoseSequence, report: Report, stem: str | Path, formats: Sequence[str]) -> list[Path]:
    """Write ``<stem>.<format>`` for each of ``formats`` (e.g. ``clip.mp4.trc``); returns their paths."""
    paths = [Path(f"{stem}.{fmt}") for fmt in formats]
    return [_write(p, export_bytes(fmt, seq, report, p.name)) for fmt, p in zip(formats, paths, strict=True)]
