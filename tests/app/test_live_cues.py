"""What the live cues say, on real pose: MediaPipe → LiveProcessor → LiveAnalyser on rendered clips.

Frames go in one batch at a time and :meth:`LiveProcessor.process_batch` returns only once the
batch's newest frame is analysed, so the next batch waits for it: which frames are analysed is
decided by the test (every one, or the newest of each batch, as when the computer falls behind),
never by how fast this machine is. The assertions are about content: a rep that collapses names
the fault and the side, a clean rep is "good", and a rep seen in too few frames is "not judged".

The clips are the bundled samples, each with its ground truth beside it (``NAME.truth.json``):
the right knee collapses 25° at the bottom of every rep of ``squat_front_valgus.mp4`` (MediaPipe
reads about 15°, above the 10° threshold), and not at all in ``single_leg_squat_front_clean.mp4``.

Why a busy computer once got "good" on collapsing reps: the browser's live view on a loaded
2-core machine processes about 6 frames a second, and MediaPipe, seeing one frame in five, can
misplace the standing ankle at the bottom of a rep. The single-leg squat's standing leg was
chosen from the ankle heights of that one deepest frame (a few pixels apart from the front), so
the lifted leg's knee was graded instead. It is now chosen from the whole rep (last test).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hipform.kinematics.live_checker import LiveAnalyser, LiveCue
from hipform.landmarks import Landmark
from hipform.synth.clip import load_truth
from hipform.video import iter_frames
from hipform.webcam import LiveProcessor

SAMPLES = Path(__file__).resolve().parents[2] / "sample_videos"
FAULTED = SAMPLES / "squat_front_valgus.mp4"
CLEAN = SAMPLES / "single_leg_squat_front_clean.mp4"


class KeepingAnalyser(LiveAnalyser):
    """The live analyser, keeping every cue it gives (the processor passes on their text only)."""

    def __init__(self, movement: str) -> None:
        self.given: list[LiveCue] = []
        super().__init__(movement)

    def update(self, landmarks_px, visibility, t_s):
        cues = super().update(landmarks_px, visibility, t_s)
        self.given += cues
        return cues


def truth(clip: Path) -> dict:
    return load_truth(clip).data


def expected_per_rep(clip: Path) -> dict[int, set[tuple[str, str]]]:
    """Rep number → the knee collapses injected in it, as (fault, side); an empty set is a clean rep."""
    return {
        rep["index"]: {
            ("knee_collapse", side) for side in ("left", "right") if rep[f"knee_valgus_{side}_deg"] > 0
        }
        for rep in truth(clip)["reps"]
    }


def live_cues(clip: Path, frames_per_batch: int = 1) -> list[LiveCue]:
    """Feed ``clip`` to a LiveProcessor with the live analyser, ``frames_per_batch`` frames at a time.

    Only the newest frame of each batch is analysed (the rest count as dropped); the cue texts
    that reach the script thread must be the analyser's, in order.
    """
    frames = [(f.image, f.t_s) for f in iter_frames(clip)]
    analyser = KeepingAnalyser(truth(clip)["movement"])
    proc = LiveProcessor(analyser=analyser)
    texts: list[str] = []
    try:
        for start in range(0, len(frames), frames_per_batch):
            proc.process_batch(frames[start : start + frames_per_batch])
            texts += [c for r in proc.drain() for c in r.cues]
    finally:
        proc.close()
    assert texts == [c.text for c in analyser.given]
    return analyser.given


def said_per_rep(cues: list[LiveCue]) -> dict[int, set[tuple[str | None, str | None]]]:
    out: dict[int, set] = {}
    for c in cues:
        out.setdefault(c.rep, set()).add((c.fault, c.side))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("clip", [FAULTED, CLEAN], ids=lambda p: p.stem)
@pytest.mark.parametrize(
    "frames_per_batch", [1, 3, 5], ids=["every-frame", "2-of-3-dropped", "4-of-5-dropped"]
)
def test_each_rep_says_its_fault_and_side_or_good(clip, frames_per_batch):
    expected = expected_per_rep(clip)
    cues = live_cues(clip, frames_per_batch)
    assert all(c.judged for c in cues), [c.text for c in cues]
    said = said_per_rep(cues)
    assert said == {rep: faults or {(None, None)} for rep, faults in expected.items()}, [c.text for c in cues]
    for c in cues:  # and the sentence the person reads says the same
        if c.fault == "knee_collapse":
            assert c.text.startswith(f"rep {c.rep}: {c.side} knee collapsing — "), c.text
        else:
            assert c.text == f"rep {c.rep}: good"


@pytest.mark.slow
@pytest.mark.parametrize("clip", [FAULTED, CLEAN], ids=lambda p: p.stem)
def test_a_computer_far_too_slow_gets_not_judged_never_good(clip):
    """Only the newest of every 15 frames analysed (2 a second): too few per rep to judge it."""
    cues = live_cues(clip, frames_per_batch=15)
    assert {c.rep for c in cues} == set(expected_per_rep(clip)), [c.text for c in cues]  # reps still counted
    for c in cues:
        assert not c.judged and c.fault is None, c.text
        assert c.text.startswith(f"rep {c.rep}: not judged (only "), c.text
        assert "the computer may be too slow" in c.text, c.text


def test_the_standing_leg_comes_from_the_whole_rep_not_its_deepest_frame():
    """Synthetic landmarks of a left single-leg squat, left knee collapsing 20°, where around the
    bottom of each rep the standing (left) ankle reads above the lifted one: the left knee is
    still the one graded, not the lifted leg's (which would make the rep "good")."""
    from hipform.synth.athlete import Faults, MotionParams, simulate
    from hipform.synth.camera import Camera, pose_sequence_from_joints

    motion = simulate(
        "single-leg-squat", MotionParams(reps=2, faults=Faults(knee_valgus_deg=20, side="left")), seed=1
    )
    assert {str(motion.stance_side[r.key_frame]) for r in motion.reps} == {"left"}
    seq = pose_sequence_from_joints(motion.joints_m, motion.t_s, Camera.around("front"), motion.fps)
    landmarks = seq.landmarks_px.copy()
    left, right = int(Landmark.LEFT_ANKLE), int(Landmark.RIGHT_ANKLE)
    for rep in motion.reps:
        bottom = slice(rep.key_frame - 4, rep.key_frame + 5)
        landmarks[bottom, left, 1] = landmarks[bottom, right, 1] - 3.0  # image y grows downward
    live = LiveAnalyser("single-leg-squat")
    cues = [c for i in range(seq.n_frames) for c in live.update(landmarks[i], seq.visibility[i], seq.t_s[i])]
    assert [(c.rep, c.fault, c.side) for c in cues] == [
        (1, "knee_collapse", "left"),
        (2, "knee_collapse", "left"),
    ]


#: The rendered samples a live session and a recording of it are compared on (issue 13): the step-up
#: read its standing leg at the top of the step (the trailing leg, lifted, bent the most there) and
#: never flagged, while the recording flagged 2 of 3 reps (its own key frame missed the third).
AGREEING = [FAULTED, CLEAN, SAMPLES / "step_up_front_valgus.mp4"]


def recorded_faults(clip: Path) -> dict[int, set[tuple[str, str | None]]]:
    """Rep number → (fault, side) of each flag the recorded analysis gives (MediaPipe on the clip)."""
    from hipform.cache import estimate_pose_cached
    from hipform.kinematics import analyse

    report = analyse(estimate_pose_cached(clip).seq, movement=truth(clip)["movement"])
    assert len(report.reps) == len(expected_per_rep(clip)), report.summary_lines()
    out: dict[int, set] = {r.index: set() for r in report.reps}
    for f in report.flags:
        if f.rep is not None:
            out[f.rep].add((f.fault, f.side))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("clip", AGREEING, ids=lambda p: p.stem)
@pytest.mark.parametrize("frames_per_batch", [1, 3], ids=["every-frame", "2-of-3-dropped"])
def test_live_and_recorded_name_the_same_faulted_reps(clip, frames_per_batch):
    """The same clip live and recorded: the same reps flagged for the same fault and side, and those
    are the reps the clip was rendered with (every rep of the step-up collapses)."""
    recorded = recorded_faults(clip)
    assert recorded == expected_per_rep(clip), recorded
    cues = live_cues(clip, frames_per_batch)
    assert all(c.judged for c in cues), [c.text for c in cues]
    live = {rep: {f for f in said if f[0] is not None} for rep, said in said_per_rep(cues).items()}
    assert live == recorded, [c.text for c in cues]


@pytest.mark.slow
@pytest.mark.parametrize("clip", AGREEING, ids=lambda p: p.stem)
def test_a_busy_computer_never_says_good_where_the_recording_flags(clip):
    """4 of 5 frames dropped (about 6 analysed a second): a rep may be "not judged", saying the frame
    rate, but a rep the recording flags is never "good", and live flags nothing the recording does not."""
    recorded = recorded_faults(clip)
    cues = live_cues(clip, frames_per_batch=5)
    for rep, said in said_per_rep(cues).items():
        texts = [c.text for c in cues if c.rep == rep]
        if not all(c.judged for c in cues if c.rep == rep):
            assert texts == [texts[0]] and "frames" in texts[0] and "too slow" in texts[0], texts
            continue
        assert {f for f in said if f[0] is not None} == recorded[rep], texts
