"""Video reading and writing: formats, rotation, timestamps, damaged files."""

from __future__ import annotations

import av
import numpy as np
import pytest
from clipmaker import pattern_frames, shared_clip, write_clip

from hipform.errors import VideoReadError
from hipform.video import ReadStatus, VideoStream, VideoWriter, iter_frames, probe_video


@pytest.mark.parametrize(
    ("suffix", "codec", "pix_fmt"),
    [
        (".mp4", "libx264", "yuv420p"),  # phones, cameras, the web
        (".mov", "libx264", "yuv420p"),  # iPhone container
        (".mp4", "hevc", "yuv420p"),  # newer phones record HEVC
        (".webm", "libvpx-vp9", "yuv420p"),  # browsers' MediaRecorder
        (".avi", "mjpeg", "yuvj420p"),  # webcams and old cameras
        (".gif", "gif", "rgb8"),  # shared animations
    ],
)
def test_reads_common_formats(tmp_path, suffix, codec, pix_fmt):
    path = write_clip(tmp_path / f"clip{suffix}", pattern_frames(12), fps=15, codec=codec, pix_fmt=pix_fmt)
    info = probe_video(path)
    frames = list(iter_frames(path))
    assert (info.width_px, info.height_px) == (64, 48)
    assert len(frames) == 12
    assert frames[0].image.shape == (48, 64, 3) and frames[0].image.dtype == np.uint8
    times = np.array([f.t_s for f in frames])
    assert times[0] == 0 and np.all(np.diff(times) > 0)
    assert np.allclose(np.diff(times), 1 / 15, atol=0.011)


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_display_rotation_gives_upright_frames(tmp_path, rotation):
    upright = pattern_frames(3, width=64, height=48)
    # Store each frame turned clockwise by `rotation`; the display matrix turns it back.
    stored = [np.ascontiguousarray(np.rot90(f, k=-rotation // 90)) for f in upright]
    path = write_clip(tmp_path / "rot.mp4", stored, display_rotation_deg=rotation)
    info = probe_video(path)
    assert info.rotation_deg == rotation
    assert (info.width_px, info.height_px) == (64, 48)
    frames = list(iter_frames(path))
    assert frames[0].image.shape == (48, 64, 3)
    # lossy codec: compare coarse structure
    err = np.abs(frames[0].image.astype(int) - upright[0].astype(int)).mean()
    assert err < 12


def test_variable_frame_rate_keeps_real_timestamps(tmp_path):
    times = np.cumsum([0, 0.033, 0.05, 0.02, 0.1, 0.033, 0.066, 0.017])
    path = write_clip(tmp_path / "vfr.mp4", pattern_frames(len(times)), times_s=times)
    got = np.array([f.t_s for f in iter_frames(path)])
    assert np.allclose(got, times, atol=1e-3)


def test_scaling_down_keeps_aspect_and_reports_scale(tmp_path):
    path = write_clip(tmp_path / "big.mp4", pattern_frames(2, width=320, height=240))
    frame = next(iter(iter_frames(path, max_side=160)))
    assert frame.image.shape == (120, 160, 3)
    assert frame.scale == pytest.approx(0.5)


def test_streams_without_reading_everything(tmp_path):
    path = write_clip(tmp_path / "long.mp4", pattern_frames(60))
    it = iter_frames(path, prefetch=2)
    first = next(it)
    it.close()  # stops the decoding thread
    assert first.index == 0


def test_real_phone_clip_probe():
    info = probe_video(shared_clip("squat_front_clean.mov"))
    assert (info.width_px, info.height_px) == (1080, 1920)
    assert info.codec == "h264" and 29 < info.fps < 31


# ------------------------------------------------------------------ bad input
def _write_bytes(path, data):
    path.write_bytes(data)
    return path


def _audio_only(path):
    container = av.open(str(path), mode="w")
    stream = container.add_stream("aac", rate=16000)
    samples = np.zeros((1, 16000), np.float32)
    frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
    frame.sample_rate = 16000
    for packet in stream.encode(frame):
        container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return path


def _jpeg(path):
    import cv2

    ok, buf = cv2.imencode(".jpg", pattern_frames(1)[0])
    return _write_bytes(path, buf.tobytes())


def _truncated(path, tmp_path):
    full = write_clip(tmp_path / "full.mp4", pattern_frames(30))
    return _write_bytes(path, full.read_bytes()[: full.stat().st_size // 3])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p, t: p, "Could not find"),  # missing file
        (lambda p, t: _write_bytes(p, b""), "empty"),  # 0 bytes
        (lambda p, t: _write_bytes(p, b"just some notes\n" * 50), "could not be opened"),  # text renamed .mp4
        (lambda p, t: _jpeg(p), ""),  # a photo renamed .mp4: one frame at most, or refused
        (lambda p, t: _audio_only(p), "no video track"),  # audio only
        (lambda p, t: _truncated(p, t), ""),  # download cut short: refused, or the frames before the cut
        (lambda p, t: t, "folder"),  # a directory
    ],
)
def test_bad_files_raise_one_clear_error(tmp_path, make, message):
    path = make(tmp_path / "bad.mp4", tmp_path)
    status = ReadStatus()
    try:
        frames = list(iter_frames(path, status=status))
    except VideoReadError as exc:
        assert message.lower() in str(exc).lower()
        assert "\n" not in str(exc)
        return
    assert message == "", "this input must be refused"
    assert len(frames) >= 1


# ------------------------------------------------------------------ writing
def test_writer_makes_browser_playable_h264(tmp_path):
    out = tmp_path / "out.mp4"
    frames = pattern_frames(10, width=65, height=47)  # odd sizes get padded to even
    with VideoWriter(out, fps=25) as writer:
        for f in frames:
            writer.write(f)
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert (stream.width, stream.height) == (66, 48)
        assert sum(1 for _ in container.decode(stream)) == 10


@pytest.mark.parametrize(
    ("image", "error"),
    [
        (np.zeros((10, 10), np.uint8), "RGB"),  # grey image
        (np.zeros((10, 10, 3), np.float32), "uint8"),  # floats
    ],
)
def test_writer_rejects_wrong_images(tmp_path, image, error):
    with VideoWriter(tmp_path / "x.mp4", fps=30) as writer, pytest.raises(ValueError, match=error):
        writer.write(image)


@pytest.mark.parametrize("prefetch", [0, 4])
def test_video_stream_gives_header_and_frames_from_one_open(tmp_path, prefetch):
    path = write_clip(tmp_path / "clip.mp4", pattern_frames(10, width=128, height=96), fps=10)
    expected = [f.image for f in iter_frames(path, prefetch=0)]
    with VideoStream(path, max_side=None, prefetch=prefetch, share_cpu=True) as video:
        assert video.info == probe_video(path)
        got = [f.image for f in video]
        with pytest.raises(RuntimeError, match="only once"):
            iter(video)
    assert len(got) == len(expected) == 10
    assert all(np.array_equal(a, b) for a, b in zip(got, expected, strict=True))


def test_video_stream_closed_part_way_stops_its_thread(tmp_path):
    path = write_clip(tmp_path / "clip.mp4", pattern_frames(40), fps=10)
    video = VideoStream(path, prefetch=2)
    frames = iter(video)
    next(frames)
    frames.close()  # the caller stops reading after one frame
    video.close()
    assert video._worker is not None and not video._worker.is_alive()
    assert video.status.frames_read < 40
