"""Odd and broken clips for the bad-input matrix, made on the fly from the shared real clips.

Every maker writes into a folder it is given (a pytest tmp dir) and returns the
path; nothing here is ever written into the project. Real frames are scaled to
at most 480 px and cut to a few dozen frames so MediaPipe stays quick.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import av
import cv2
import numpy as np
from clipmaker import pattern_frames, real_frames, write_clip

MAX_SIDE = 480


@lru_cache(maxsize=8)
def _frames(name: str, limit: int, every: int = 1) -> tuple[np.ndarray, ...]:
    frames = real_frames(name, max_side=MAX_SIDE, limit=limit * every)
    return tuple(frames[::every])


def frames(name: str, limit: int = 48, every: int = 1) -> list[np.ndarray]:
    """Upright RGB frames (≤ 480 px) of a shared clip, every ``every``-th one, at most ``limit``."""
    return [f.copy() for f in _frames(name, limit, every)]


FRONT = "squat_front_knees_sway_in.mov"
FRONT_CLEAN = "squat_front_clean.mov"
SIDE = "squat_side_clean.mov"
TWO_PEOPLE = "two_people_walk_and_jumping_jacks.mp4"


# ------------------------------------------------------------------ broken files
def empty(d: Path) -> Path:
    p = d / "empty.mp4"
    p.write_bytes(b"")
    return p


def _cut(whole: Path, name: str, fraction: float) -> Path:
    """The first ``fraction`` of ``whole``'s bytes as ``name`` beside it (``whole`` is removed)."""
    data = whole.read_bytes()
    whole.unlink()
    p = whole.parent / name
    p.write_bytes(data[: int(len(data) * fraction)])
    return p


def truncated_mp4(d: Path) -> Path:
    """The first 40% of an MP4 whose index (moov) is written at the end: the index is lost."""
    return _cut(write_clip(d / "whole.mp4", frames(FRONT, 24)), "truncated.mp4", 0.4)


def truncated_faststart(d: Path) -> Path:
    """The first 70% of a 'faststart' MP4 (index first): the frames before the cut are readable."""
    whole = write_clip(
        d / "whole_fs.mp4", frames(FRONT, 36, every=2), fps=15, container_options={"movflags": "+faststart"}
    )
    return _cut(whole, "truncated_faststart.mp4", 0.7)


def text_as_mp4(d: Path) -> Path:
    p = d / "notes.mp4"
    p.write_text("Squat session notes: 3 sets of 10, knees felt OK.\n" * 40)
    return p


def jpeg_as_mp4(d: Path) -> Path:
    """A real photo of a person (one squat frame) saved as JPEG and renamed .mp4."""
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(frames(FRONT, 1)[0], cv2.COLOR_RGB2BGR))
    assert ok
    p = d / "photo.mp4"
    p.write_bytes(buf.tobytes())
    return p


def audio_only(d: Path) -> Path:
    """An MP4 holding one second of AAC audio and no video track."""
    p = d / "voice_memo.mp4"
    container = av.open(str(p), mode="w")
    stream = container.add_stream("aac", rate=44100)
    stream.layout = "mono"
    t = np.arange(1024) / 44100
    for i in range(44):
        samples = (0.2 * np.sin(2 * np.pi * 440 * (t + i * 1024 / 44100))).astype(np.float32)[None, :]
        frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
        frame.sample_rate = 44100
        frame.pts = i * 1024
        for pkt in stream.encode(frame):
            container.mux(pkt)
    for pkt in stream.encode():
        container.mux(pkt)
    container.close()
    return p


def zero_frames(d: Path) -> Path:
    """An MP4 with a video track that holds no frame."""
    p = d / "zero_frames.mp4"
    container = av.open(str(p), mode="w")
    stream = container.add_stream("libx264", rate=30)
    stream.width, stream.height = 320, 240
    stream.pix_fmt = "yuv420p"
    container.start_encoding()  # header and index written, no frame
    container.close()
    return p


def one_frame(d: Path) -> Path:
    return write_clip(d / "one_frame.mp4", frames(FRONT, 1))


# ------------------------------------------------------------------ odd but valid clips
def normal(d: Path) -> Path:
    """The reference: a real front-view squat (knees sway in), 480 px, every other frame (15 fps)."""
    return write_clip(d / "squat_front.mp4", frames(FRONT, 36, every=2), fps=15)


def animated_gif(d: Path) -> Path:
    """The reference squat as an animated GIF (256 colours, centisecond frame times)."""
    return write_clip(d / "squat.gif", frames(FRONT, 36, every=2), fps=15, codec="gif", pix_fmt="rgb8")


def webm_vp9(d: Path) -> Path:
    """The reference squat as WebM/VP9 (what browsers record)."""
    return write_clip(d / "squat.webm", frames(FRONT, 36, every=2), fps=15, codec="libvpx-vp9")


def uhd_120fps(d: Path) -> Path:
    """3840x2160 at 120 fps, 12 frames (0.1 s) of a real squat, upscaled and letterboxed."""
    out = []
    for img in frames(FRONT, 12):
        canvas = np.zeros((2160, 3840, 3), np.uint8)
        tall = cv2.resize(img, (img.shape[1] * 2160 // img.shape[0] // 2 * 2, 2160))
        x0 = (3840 - tall.shape[1]) // 2
        canvas[:, x0 : x0 + tall.shape[1]] = tall
        out.append(canvas)
    return write_clip(d / "uhd_120fps.mp4", out, fps=120, codec_options={"preset": "ultrafast"})


def ten_minutes(d: Path) -> Path:
    """A 10-minute clip at 1 fps, 160 px tall: a real squatter (looped) filling the frame."""
    loop = [cv2.resize(f, (f.shape[1] * 160 // f.shape[0] // 2 * 2, 160)) for f in frames(FRONT, 36, every=2)]
    seq = [loop[i % len(loop)] for i in range(600)]
    return write_clip(d / "ten_minutes.mp4", seq, fps=1.0)


def extreme_aspect(d: Path) -> Path:
    """A 12:1 panorama strip (1920x160) with the squatter small at one end."""
    out = []
    for img in frames(FRONT, 24):
        small = cv2.resize(img, (img.shape[1] * 160 // img.shape[0] // 2 * 2, 160))
        canvas = np.full((160, 1920, 3), 90, np.uint8)
        canvas[:, 100 : 100 + small.shape[1]] = small
        out.append(canvas)
    return write_clip(d / "panorama.mp4", out)


def rotated_phone(d: Path) -> Path:
    """A portrait phone clip stored landscape with a 90° display rotation (as iPhones record)."""
    stored = [np.ascontiguousarray(np.rot90(f, k=-1)) for f in frames(FRONT, 36, every=2)]
    return write_clip(d / "rotated_phone.mp4", stored, fps=15, display_rotation_deg=90)


def variable_frame_rate(d: Path) -> Path:
    """Frame times jitter between 1/60 s and 1/10 s apart (phones drop to low rates in dim light)."""
    imgs = frames(FRONT, 36, every=2)
    gaps = np.random.default_rng(7).uniform(1 / 60, 1 / 10, len(imgs))
    times = np.concatenate([[0.0], np.cumsum(gaps[:-1])])
    return write_clip(d / "vfr.mp4", imgs, fps=15, times_s=times)


def no_person(d: Path) -> Path:
    return write_clip(d / "empty_room.mp4", pattern_frames(30, 320, 240))


def legs_only(d: Path) -> Path:
    """The bottom 40% of a front-view squat: knees and feet, no hips or trunk."""
    out = []
    for img in frames(FRONT, 36, every=2):
        h = img.shape[0]
        crop = img[int(h * 0.6) :]
        out.append(np.ascontiguousarray(crop[: crop.shape[0] // 2 * 2, : crop.shape[1] // 2 * 2]))
    return write_clip(d / "legs_only.mp4", out, fps=15)


def two_people(d: Path) -> Path:
    return write_clip(d / "two_people.mp4", frames(TWO_PEOPLE, 45, every=2), fps=15)


def walks_out(d: Path) -> Path:
    """A front-view squat whose second half is blank (the person walked out of view)."""
    imgs = frames(FRONT, 36, every=2)
    background = np.full_like(imgs[0], 128)
    out = imgs[: len(imgs) // 2] + [background] * (len(imgs) - len(imgs) // 2)
    return write_clip(d / "walks_out.mp4", out, fps=15)


def very_dark(d: Path) -> Path:
    """A front-view squat at 6% brightness (a dim room at night)."""
    out = [(f.astype(np.float32) * 0.06).astype(np.uint8) for f in frames(FRONT, 36, every=2)]
    return write_clip(d / "dark.mp4", out, fps=15)


def side_view(d: Path) -> Path:
    """A side-view squat (to be analysed as a squat: knee collapse needs a front view)."""
    return write_clip(d / "squat_side.mp4", frames(SIDE, 36, every=2), fps=15)


# ------------------------------------------------------------------ hostile inputs (issue 14)
# Not in MAKERS: each is a probe of one defence (tests/robustness/test_inputs.py), not a matrix row.
def raw_h264(d: Path, parts: Sequence[Sequence[np.ndarray]], name: str = "stream.h264") -> Path:
    """A raw H.264 stream (no container): no duration, no frame count, no timestamps in the header.

    Each part is encoded on its own and the streams are joined, so the frame
    size changes where a part starts, as in a spliced or MPEG-TS recording.
    """
    data = b""
    for images in parts:
        buf = io.BytesIO()
        container = av.open(buf, mode="w", format="h264")
        stream = container.add_stream("libx264", rate=25)
        stream.height, stream.width = images[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "ultrafast"}
        for image in images:
            for packet in stream.encode(
                av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
            ):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
        container.close()
        data += buf.getvalue()
    p = d / name
    p.write_bytes(data)
    return p


def grows_part_way(d: Path, first_side: int, later_side: int, n_first: int = 5, n_later: int = 3) -> Path:
    """A raw H.264 stream of square pattern frames: ``first_side`` pixels, then ``later_side``."""
    return raw_h264(
        d,
        [pattern_frames(n_first, first_side, first_side), pattern_frames(n_later, later_side, later_side)],
        name="grows.h264",
    )


def squat_that_changes_size(d: Path) -> Path:
    """The reference squat as raw H.264: its first half at 2/3 of the size, its second half full size."""
    imgs = frames(FRONT, 36, every=2)
    h, w = imgs[0].shape[:2]
    small = (w * 2 // 3 // 2 * 2, h * 2 // 3 // 2 * 2)
    half = len(imgs) // 2
    return raw_h264(
        d, [[cv2.resize(f, small, interpolation=cv2.INTER_AREA) for f in imgs[:half]], imgs[half:]]
    )


def two_video_tracks(d: Path) -> Path:
    """A Matroska file with two video tracks, the second marked default (the first is a 64x48 proxy)."""
    p = d / "two_tracks.mkv"
    container = av.open(str(p), mode="w")
    proxy, main = pattern_frames(6, 64, 48), pattern_frames(9, 96, 64)
    streams = []
    for images, disposition in ((proxy, av.stream.Disposition(0)), (main, av.stream.Disposition.default)):
        stream = container.add_stream("libx264", rate=10)
        stream.height, stream.width = images[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        stream.disposition = disposition
        streams.append((stream, images))
    for stream, images in streams:
        for i, image in enumerate(images):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    container.close()
    return p


def npz_claiming(d: Path, n_frames: int, name: str = "claims.npz") -> Path:
    """A landmark file of a few hundred bytes whose array headers claim ``n_frames`` frames.

    Only the ``.npy`` headers are written, no data: loading it would try to
    allocate ``n_frames`` x 33 x 3 floats (10^12 frames: 396 TiB).
    """
    from hipform.landmarks import N_LANDMARKS

    def header(shape: tuple[int, ...], dtype: str) -> bytes:
        out = io.BytesIO()
        np.lib.format.write_array_header_1_0(
            out, {"descr": np.dtype(dtype).str, "fortran_order": False, "shape": shape}
        )
        return out.getvalue()  # the magic string and the header, no data

    def whole(value: np.ndarray) -> bytes:
        out = io.BytesIO()
        np.save(out, value)
        return out.getvalue()

    p = d / name
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("format_version.npy", whole(np.int32(1)))
        zf.writestr("landmarks_px.npy", header((n_frames, N_LANDMARKS, 3), "<f4"))
        zf.writestr("visibility.npy", header((n_frames, N_LANDMARKS), "<f4"))
        zf.writestr("world_m.npy", header((n_frames, N_LANDMARKS, 3), "<f4"))
        zf.writestr("t_s.npy", header((n_frames,), "<f8"))
        zf.writestr("frame_size.npy", whole(np.array([640, 480], np.int32)))
        zf.writestr("fps.npy", whole(np.float64(30)))
        zf.writestr("source.npy", whole(np.array("claims.mp4")))
        zf.writestr("meta.npy", whole(np.array("{}")))
    return p


def fifo(d: Path, name: str) -> Path:
    """A named pipe with no writer: opening it for reading waits for ever."""
    p = d / name
    os.mkfifo(p)
    return p


def dev_zero_as_mp4(d: Path) -> Path:
    """``/dev/zero`` under a video's name (a link): a device that reads zeros for ever."""
    p = d / "zero.mp4"
    p.symlink_to("/dev/zero")
    return p


MAKERS: dict[str, Callable[[Path], Path]] = {
    f.__name__: f
    for f in (
        empty,
        truncated_mp4,
        truncated_faststart,
        text_as_mp4,
        jpeg_as_mp4,
        audio_only,
        zero_frames,
        one_frame,
        normal,
        animated_gif,
        webm_vp9,
        uhd_120fps,
        ten_minutes,
        extreme_aspect,
        rotated_phone,
        variable_frame_rate,
        no_person,
        legs_only,
        two_people,
        walks_out,
        very_dark,
        side_view,
    )
}
