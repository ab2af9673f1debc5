"""The live (webcam) analyser: causal, counts reps, cues when a rep ends."""

from __future__ import annotations

import numpy as np
import pytest
from kin_helpers import film, simulate_motion

from hipform.kinematics.live_checker import LiveAnalyser, LiveCue
from hipform.synth.athlete import Faults


def _run(live: LiveAnalyser, seq) -> list[LiveCue]:
    cues: list[LiveCue] = []
    for i in range(seq.n_frames):
        cues += live.update(seq.landmarks_px[i], seq.visibility[i], float(seq.t_s[i]))
    return cues


def test_live_counts_reps_and_cues_knee_collapse() -> None:
    motion = simulate_motion("single-leg-squat", reps=3, faults=Faults(knee_valgus_deg=18.0, side="right"))
    live = LiveAnalyser("single-leg-squat")
    cues = _run(live, film(motion, "front"))
    assert live.reps == 3
    knee = [c for c in cues if c.fault == "knee_collapse"]
    assert [c.rep for c in knee] == [1, 2, 3]
    assert all(c.side == "right" and c.text.startswith(f"rep {c.rep}: right knee collapsing") for c in knee)
    assert all(c.value == pytest.approx(18.0, abs=3.0) for c in knee)


def test_live_clean_reps_are_good() -> None:
    motion = simulate_motion("squat", reps=2)
    live = LiveAnalyser("squat")
    cues = _run(live, film(motion, "front"))
    assert live.reps == 2
    assert [c.text for c in cues] == ["rep 1: good", "rep 2: good"]


def test_live_survives_missing_frames_and_rejects_misuse() -> None:
    live = LiveAnalyser("squat")
    assert live.update(np.full((33, 3), np.nan), np.zeros(33), 0.0) == []
    with pytest.raises(ValueError, match="increase"):
        live.update(np.full((33, 3), np.nan), np.zeros(33), 0.0)
    with pytest.raises(ValueError, match="expected"):
        live.update(np.zeros((32, 3)), np.zeros(33), 1.0)
    with pytest.raises(ValueError, match="recorded clip"):
        LiveAnalyser("running")


def test_a_rep_across_a_stalled_video_is_not_judged() -> None:
    """The webcam stalls for 5 s at the bottom of rep 2 (issue 13: a freeze was graded as one long rep):
    rep 2 says so; reps 1 and 3 are judged as before."""
    import dataclasses

    motion = simulate_motion("single-leg-squat", reps=3, faults=Faults(knee_valgus_deg=18.0, side="right"))
    seq = film(motion, "front")
    rep2 = motion.reps[1]
    t = seq.t_s.copy()
    t[rep2.key_frame :] += 5.0  # at the bottom
    live = LiveAnalyser("single-leg-squat")
    cues = _run(live, dataclasses.replace(seq, t_s=t))
    by_rep = {c.rep: c for c in cues}
    assert live.reps == 3 and sorted(by_rep) == [1, 2, 3], [c.text for c in cues]
    assert (
        not by_rep[2].judged and by_rep[2].text == "rep 2: not judged (the video stalled for 5.0 s during it)"
    )
    assert by_rep[1].fault == by_rep[3].fault == "knee_collapse"
