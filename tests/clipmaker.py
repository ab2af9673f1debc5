"""Make small test videos on the fly: synthetic frames or re-encoded real clips."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

SHARED_CLIPS = Path(__file__).resolve().parents[1].parent / "shared" / "clips"


def shared_clip(name: str) -> Path:
    """Path of a real clip in ../shared/clips (used in place, never copied into the project)."""
    return SHARED_CLIPS / name


def pattern_frames(n: int, width: int = 64, height: int = 48) -> list[np.ndarray]:
    """Moving gradient frames with no person in them."""
    y, x = np.mgrid[0:height, 0:width]
    return [
        np.dstack([(x * 4 + i * 8) % 256, (y * 5) % 256, np.full_like(x, 128)]).astype(np.uint8)
        for i in range(n)
    ]


def write_clip(
    path: Path,
    frames: Iterable[np.ndarray],
    fps: float = 30.0,
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    times_s: Sequence[float] | None = None,
    display_rotation_deg: float | None = None,
    container_options: dict[str, str] | None = None,
    codec_options: dict[str, str] | None = None,
) -> Path:
    """Encode RGB frames with any codec PyAV has (H.264, VP9, MJPEG, GIF…).

    ``times_s`` gives each frame's presentation time (variable frame rate);
    ``display_rotation_deg`` stores a counter-clockwise display rotation;
    ``container_options`` go to the muxer (e.g. ``{"movflags": "+faststart"}``),
    ``codec_options`` to the encoder (e.g. ``{"preset": "ultrafast"}`` for big clips).
    """
    container = av.open(str(path), mode="w", options=container_options or {})
    stream = None
    time_base = Fraction(1, 1000)
    for i, image in enumerate(frames):
        if stream is None:
            stream = container.add_stream(codec, rate=Fraction(fps).limit_denominator(1001))
            stream.height, stream.width = image.shape[:2]
            stream.pix_fmt = pix_fmt
            if codec_options:
                stream.options = codec_options
            if times_s is not None:
                stream.time_base = time_base
                stream.codec_context.time_base = time_base
            if display_rotation_deg is not None:
                stream.set_display_rotation(display_rotation_deg)
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
        if times_s is not None:
            frame.pts = int(round(times_s[i] * 1000))
            frame.time_base = time_base
        for packet in stream.encode(frame):
            container.mux(packet)
    if stream is not None:
        for packet in stream.encode():
            container.mux(packet)
    container.close()
    return path


def real_frames(name: str, max_side: int = 480, limit: int | None = None) -> list[np.ndarray]:
    """Upright RGB frames of a shared clip, scaled down (for re-encoding tests)."""
    from hipform.video import iter_frames

    out = []
    for frame in iter_frames(shared_clip(name), max_side=max_side):
        out.append(frame.image)
        if limit and len(out) >= limit:
            break
    return out
