"""The live webcam path keeps going whatever the camera sends: odd timestamps, garbage poses, odd frames.

A browser's camera can repeat a timestamp, jump back (a new stream), send
frames without one, or change size mid-stream; the pose model can return
garbage. The frame callback runs on the WebRTC worker thread: an exception
there ends the user's video, so none may escape for such input.
"""

from __future__ import annotations

import numpy as np
import pytest

from hipform.kinematics.live_checker import LiveAnalyser
from hipform.pose import FramePose
from hipform.webcam import LiveProcessor


class GarbageEstimator:
    """Stands in for MediaPipe: a random, a collapsed or no skeleton, in turn."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)
        self.n = 0

    def process(self, image, size_px=None):
        self.n += 1
        w, h = size_px or (image.shape[1], image.shape[0])
        kind = self.n % 3
        if kind == 0:
            return None
        px = np.zeros((33, 3), np.float32)
        if kind == 1:
            px[:, 0] = self.rng.uniform(0, w, 33)
            px[:, 1] = self.rng.uniform(0, h, 33)
        else:
            px[:, :2] = (w / 2, h / 2)  # every landmark on one point
        return FramePose(px, np.ones(33, np.float32), np.zeros((33, 3), np.float32))


@pytest.mark.parametrize("movement", ["squat", "single-leg-squat", "step-up", "bridge", "kickback"])
def test_odd_timestamps_and_garbage_never_stop_the_stream(movement):
    proc = LiveProcessor(estimator_factory=GarbageEstimator, analyser=LiveAnalyser(movement))
    frame = np.zeros((240, 320, 3), np.uint8)
    times = [0.0, 0.033, 0.033, 0.066, 0.05, 0.1, 1e9, 0.2, -5.0] + [0.3 + i / 30 for i in range(120)]
    for t in times:
        out = proc.process(frame, t)  # repeated, backwards, huge and negative times included
        assert out.shape == frame.shape and out.dtype == np.uint8
    texts = [c for r in proc.drain() for c in r.cues]
    assert not any("collaps" in t or "drop" in t or t.endswith("good") for t in texts), texts
    assert proc.frames_processed == len(times)


def test_frames_of_changing_size_are_processed():
    proc = LiveProcessor(estimator_factory=GarbageEstimator, analyser=LiveAnalyser("squat"))
    for i, (h, w) in enumerate([(480, 640), (640, 480), (2, 2), (1080, 1920), (480, 640)]):
        out = proc.process(np.zeros((h, w, 3), np.uint8), i / 30)
        assert out.shape == (h, w, 3)
