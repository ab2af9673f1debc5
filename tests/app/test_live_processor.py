"""The live webcam path without a browser: frames in, overlay and cues out, recording, ICE settings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from hipform.annotate import LEFT_RGB
from hipform.kinematics.live_checker import LIVE_MOVEMENTS, STEADY_MIN_RATE, LiveCue, min_frame_rate_hz
from hipform.landmarks import Landmark
from hipform.pose import FramePose
from hipform.video import probe_video
from hipform.webcam import (
    LiveProcessor,
    SaidCue,
    cue_text,
    processed_rate,
    rtc_configuration,
    said_cue,
    too_slow_message,
)


class FakeEstimator:
    """Finds a standing stick figure in every frame whose top-left pixel is not black."""

    def __init__(self) -> None:
        self.calls = 0

    def process(self, image, size_px=None):
        self.calls += 1
        if not image[0, 0].any():
            return None
        w, h = size_px or (image.shape[1], image.shape[0])
        px = np.zeros((33, 3), np.float32)
        for lm in Landmark:
            side = -1 if lm.name.startswith("LEFT") else 1 if lm.name.startswith("RIGHT") else 0
            px[lm] = (w / 2 - side * w * 0.1, h * (0.1 + 0.8 * int(lm) / 32), 0)
        return FramePose(px, np.ones(33, np.float32), np.zeros((33, 3), np.float32))


@dataclass
class Cue:
    text: str


class FakeAnalyser:
    def __init__(self) -> None:
        self.times = []

    def update(self, landmarks_px, visibility, t_s):
        assert landmarks_px.shape == (33, 3) and visibility.shape == (33,)
        self.times.append(t_s)
        n = len(self.times)
        return [Cue(f"rep {n // 10}: left knee collapsing — 14°")] if n % 10 == 0 else []


def frame(value: int = 90) -> np.ndarray:
    return np.full((240, 320, 3), value, np.uint8)


def test_each_frame_gets_the_skeleton_and_cues_reach_the_queue():
    proc = LiveProcessor(estimator_factory=FakeEstimator, analyser=FakeAnalyser())
    for i in range(20):
        out = proc.process(frame(), i / 30)
    assert out.shape == (240, 320, 3) and out.dtype == np.uint8
    assert (np.abs(out.astype(int) - LEFT_RGB).sum(axis=2) < 30).sum() > 50  # left side drawn in blue
    results = proc.drain()
    assert len(results) == 20 and proc.drain() == []
    cues = [c for r in results for c in r.cues]
    assert cues == ["rep 1: left knee collapsing — 14°", "rep 2: left knee collapsing — 14°"]
    assert all(r.detected for r in results) and results[-1].frames_processed == 20


def test_nobody_in_view_gives_no_skeleton_and_no_cues():
    analyser = FakeAnalyser()
    proc = LiveProcessor(estimator_factory=FakeEstimator, analyser=analyser)
    out = proc.process(frame(0), 0.0)
    [result] = proc.drain()
    assert not result.detected and result.cues == () and analyser.times == []
    assert out[100:, :].max() == 0  # nothing drawn on the body area


def test_only_the_newest_frame_is_processed_when_behind():
    est = FakeEstimator()
    proc = LiveProcessor(estimator_factory=lambda: est)
    proc.process_batch([(frame(), 0.0), (frame(), 0.033), (frame(), 0.066)])
    assert est.calls == 1
    [r] = proc.drain()
    assert r.frames_seen == 3 and r.frames_dropped == 2 and r.t_s == pytest.approx(0.066)


def test_result_queue_never_blocks_the_worker():
    proc = LiveProcessor(estimator_factory=FakeEstimator, results_maxsize=4)
    for i in range(50):
        proc.process(frame(), i / 30)
    results = proc.drain()
    assert [r.frames_processed for r in results] == [47, 48, 49, 50]  # oldest discarded


def test_pose_sees_a_scaled_down_frame_but_landmarks_use_full_size():
    seen = []

    class Spy(FakeEstimator):
        def process(self, image, size_px=None):
            seen.append((image.shape, size_px))
            return super().process(image, size_px)

    proc = LiveProcessor(estimator_factory=Spy, max_side_px=160)
    proc.process(np.full((480, 640, 3), 50, np.uint8), 0.0)
    assert seen == [((120, 160, 3), (640, 480))]


def test_recording_keeps_every_frame_with_its_time(tmp_path):
    proc = LiveProcessor(estimator_factory=FakeEstimator)
    proc.process(frame(), 0.0)  # before recording: not kept
    proc.start_recording(tmp_path / "rec.mp4")
    assert proc.recording
    with pytest.raises(RuntimeError):
        proc.start_recording(tmp_path / "other.mp4")
    for i in range(1, 31, 2):
        proc.process_batch([(frame(60 + i), 10 + i / 30), (frame(61 + i), 10 + (i + 1) / 30)])
    path, n = proc.stop_recording()
    assert n == 30 and not proc.recording and proc.stop_recording() is None
    info = probe_video(path)
    assert (info.width_px, info.height_px) == (320, 240)
    assert info.duration_s == pytest.approx(1.0, abs=0.1)  # camera time, from the first recorded frame
    proc.close()


def test_frame_rate_is_measured():
    clock = [0.0]
    proc = LiveProcessor(estimator_factory=FakeEstimator, clock=lambda: clock[0])
    for i in range(31):
        clock[0] = i / 20
        proc.process(frame(), i / 20)
    assert proc.drain()[-1].fps == pytest.approx(20.0, rel=0.05)


def test_bad_frames_are_refused():
    proc = LiveProcessor(estimator_factory=FakeEstimator)
    with pytest.raises(ValueError, match="uint8"):
        proc.process(np.zeros((10, 10), np.uint8), 0.0)
    with pytest.raises(ValueError, match="at least one"):
        proc.process_batch([])


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, {"iceServers": []}),  # default: no server contacted at all
        ("", {"iceServers": []}),
        (
            '[{"urls": ["stun:stun.example.org:3478"]}]',
            {"iceServers": [{"urls": ["stun:stun.example.org:3478"]}]},
        ),
        ("not json", ValueError),
        ('{"urls": "stun:x"}', ValueError),  # must be a list
        ('[{"url": "stun:x"}]', ValueError),  # each needs "urls"
    ],
)
def test_ice_servers_from_the_environment(value, expected):
    env = {} if value is None else {"HIPFORM_ICE_SERVERS": value}
    if expected is ValueError:
        with pytest.raises(ValueError, match="HIPFORM_ICE_SERVERS"):
            rtc_configuration(env)
    else:
        assert rtc_configuration(env) == expected


def test_cue_text():
    assert cue_text(Cue("rep 1: hips level")) == "rep 1: hips level"
    assert cue_text("plain") == "plain"


def test_cues_of_discarded_results_reach_the_script():
    """Nobody drains for a while (a busy script thread): old results go, their cues do not."""
    proc = LiveProcessor(estimator_factory=FakeEstimator, analyser=FakeAnalyser(), results_maxsize=4)
    for i in range(50):
        proc.process(frame(), i / 30)
    results = proc.drain()
    assert [r.frames_processed for r in results] == [47, 48, 49, 50]
    cues = [c for r in results for c in r.cues]
    assert cues == [f"rep {n}: left knee collapsing — 14°" for n in range(1, 6)]  # every rep, in order


@pytest.mark.slow
def test_real_pose_finds_the_person_and_the_newest_frame_wins(sample_clip):
    """MediaPipe on the rendered clip: the person is found on its frames, and of frames that
    arrived together only the newest is processed (how fast does not matter here: see
    benchmarks/live_latency.py for the rate)."""
    from hipform.video import iter_frames

    frames = [f.image for f in iter_frames(sample_clip)][:60]
    nobody = np.zeros_like(frames[0])
    proc = LiveProcessor()
    try:
        for i, image in enumerate(frames):
            proc.process(image, i / 30)
        results = proc.drain()
        assert len(results) == len(frames) and proc.frames_dropped == 0  # each one, in its turn
        assert sum(r.detected for r in results) >= 0.95 * len(frames)
        proc.process_batch([(frames[0], 3.0), (nobody, 3.1)])  # the older one has the person
        proc.process_batch([(nobody, 3.2), (frames[1], 3.3)])  # the newer one has
        older_person, newer_person = proc.drain()
        assert (older_person.t_s, older_person.detected) == (pytest.approx(3.1), False)
        assert (newer_person.t_s, newer_person.detected) == (pytest.approx(3.3), True)
        assert newer_person.frames_dropped == 2 and newer_person.frames_processed == len(frames) + 2
    finally:
        proc.close()


def steady(rate_hz: float, seconds: float, start: float = 0.0) -> list[float]:
    """Times of frames processed ``rate_hz`` a second for ``seconds``."""
    return [start + i / rate_hz for i in range(int(seconds * rate_hz) + 1)]


def test_each_live_movement_needs_the_steadiness_rate_and_twice_its_cut_off():
    from hipform.kinematics.movements import movement_named

    for name in LIVE_MOVEMENTS:
        need = min_frame_rate_hz(name)
        assert need >= STEADY_MIN_RATE and need >= 2 * movement_named(name).cutoff_hz
    assert min_frame_rate_hz("single-leg-squat") == 10.0  # cut-off 5 Hz


@pytest.mark.parametrize(
    "times, expected",
    [
        (steady(5, 4), "(5 frames/s; live cues need 10)"),  # a slow computer: said, with the rate
        (steady(6, 10), "(6 frames/s; live cues need 10)"),
        (steady(15, 4), None),  # fast enough
        (steady(10, 4), None),  # just enough
        (steady(3, 1.5), None),  # not yet two seconds: not known yet
        ([0.0] + steady(20, 3, start=4.0), None),  # the slow first frame (model loading) is forgotten
        (steady(20, 3) + steady(4, 3, start=3.25), "(4 frames/s"),  # the computer got busy: said
        (steady(4, 3) + steady(20, 3, start=3.05), None),  # and no more once it keeps up again
        ([], None),
    ],
)
def test_too_slow_is_said_from_the_processed_frame_times(times, expected):
    message = too_slow_message(times, need_hz=10.0)
    if expected is None:
        assert message is None, message
    else:
        assert message is not None and expected in message, message
        assert message.startswith("This computer is too slow for live judging (")
        assert "record and analyse instead" in message


def test_processed_rate_reads_the_last_two_seconds():
    assert processed_rate(steady(20, 3) + steady(5, 4, start=3.2)) == pytest.approx(5.0)
    assert processed_rate([1.0]) == 0.0 and processed_rate([1.0, 1.0]) == 0.0


def test_the_processor_warns_with_the_rate_it_shows():
    """The figure in the warning is the processor's measured rate (an injected clock: 4 frames a second)."""
    clock = [0.0]
    proc = LiveProcessor(estimator_factory=FakeEstimator, analyser=LiveAnalyserStub(), clock=lambda: clock[0])
    assert proc.min_rate_hz == 10.0  # from the analyser's movement
    for i in range(17):
        clock[0] = i / 4
        proc.process(frame(), i / 30)  # camera time does not matter: the processed rate does
    last = proc.drain()[-1]
    assert last.fps == pytest.approx(4.0) and "(4 frames/s; live cues need 10)" in last.too_slow
    fast = LiveProcessor(estimator_factory=FakeEstimator, analyser=LiveAnalyserStub(), clock=lambda: clock[0])
    for i in range(61):
        clock[0] = i / 20
        fast.process(frame(), i / 30)
    assert fast.drain()[-1].too_slow is None
    assert LiveProcessor(estimator_factory=FakeEstimator).min_rate_hz is None  # no analyser: no warning


class LiveAnalyserStub(FakeAnalyser):
    """Gives live-checker cues: rep n ends every 10th frame, odd reps collapse, even reps are good;
    counts reps and can be reset like the live checker."""

    movement = "single-leg-squat"

    def __init__(self) -> None:
        super().__init__()
        self.resets = 0

    @property
    def reps(self) -> int:
        return len(self.times) // 10

    def reset(self) -> None:
        self.resets += 1
        self.times = []

    def update(self, landmarks_px, visibility, t_s):
        self.times.append(t_s)
        if len(self.times) % 10:
            return []
        n = self.reps
        if n % 2:
            return [
                LiveCue(
                    t_s,
                    n,
                    "knee_collapse",
                    "left",
                    "mild",
                    14.0,
                    "deg",
                    f"rep {n}: left knee collapsing — 14°",
                )
            ]
        return [LiveCue(t_s, n, None, None, None, None, None, f"rep {n}: good")]


def test_cues_come_with_their_rep_and_kind_and_the_rep_count():
    proc = LiveProcessor(estimator_factory=FakeEstimator, analyser=LiveAnalyserStub())
    for i in range(25):
        proc.process(frame(), i / 30)
    results = proc.drain()
    assert [c for r in results for c in r.said] == [
        SaidCue("rep 1: left knee collapsing — 14°", 1, "fault"),
        SaidCue("rep 2: good", 2, "good"),
    ]
    assert [r.reps for r in results][8:12] == [0, 1, 1, 1] and results[-1].reps == 2
    unjudged = LiveCue(0.0, 3, None, None, None, None, None, "rep 3: not judged (x)", judged=False)
    assert said_cue(unjudged) == SaidCue("rep 3: not judged (x)", 3, "not_judged")
    assert said_cue("plain") == SaidCue("plain", None, "good")


def test_a_recording_starts_a_new_set(tmp_path):
    """The analyser is reset by the worker, on the first frame after "Start recording": reps count from 0."""
    analyser = LiveAnalyserStub()
    proc = LiveProcessor(estimator_factory=FakeEstimator, analyser=analyser)
    for i in range(25):
        proc.process(frame(), i / 30)
    proc.start_recording(tmp_path / "set.mp4")
    assert analyser.resets == 0  # not from the script thread
    for i in range(25, 40):
        proc.process(frame(), i / 30)
    results = proc.drain()
    assert analyser.resets == 1 and results[-1].reps == 1
    assert [c.text for r in results for c in r.said][-1] == "rep 1: left knee collapsing — 14°"
    proc.stop_recording()
    proc.close()


def test_kinds_of_discarded_results_reach_the_script():
    proc = LiveProcessor(estimator_factory=FakeEstimator, analyser=LiveAnalyserStub(), results_maxsize=4)
    for i in range(50):
        proc.process(frame(), i / 30)
    said = [c for r in proc.drain() for c in r.said]
    assert [(c.rep, c.kind) for c in said] == [(n, "fault" if n % 2 else "good") for n in range(1, 6)]
