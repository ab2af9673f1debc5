"""judge: the person who moves, in one whole-body shot, with notes on what was left out.

Real MediaPipe landmarks of a rendered single-leg squat (3 reps, right knee collapse), edited
into clips with a bystander's checks or cuts in ``meta``; the pose model itself is not run.
"""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from hipform.errors import NoPersonError
from hipform.judge import judge, only_frames, person_notes
from hipform.kinematics import analyse
from hipform.people import PersonChecks
from hipform.sequence import PoseSequence, load_sequence

DATA = Path(__file__).parent / "data"
EXERCISE = "single-leg-squat"


@pytest.fixture(scope="module")
def squat() -> PoseSequence:
    return load_sequence(DATA / "squat_front_valgus.npz")


def checks_meta(squat: PoseSequence, tracked: str, frames=(30, 45, 60, 75, 90), **kw) -> dict:
    other = squat.landmarks_px[list(frames), :, :2] + [150.0, 0.0]
    return PersonChecks(2.0, tuple(range(0, 300, 15)), tuple(frames), other, tracked=tracked, **kw).to_meta()


def spliced_close_up(squat: PoseSequence, cut: int = 200) -> PoseSequence:
    """Frames from ``cut`` on show the same squat zoomed on the legs: face and hips above the picture."""
    lm = squat.landmarks_px.copy()
    lm[cut:] = (lm[cut:] - [135.0, 400.0, 0.0]) * 2.5 + [135.0, 400.0, 0.0]
    return replace(squat, landmarks_px=lm, meta={**squat.meta, "shots": {"cut_frames": [cut]}})


def test_a_single_take_alone_is_judged_as_analyse_judges_it(squat):
    alone = replace(squat, meta={**squat.meta, "people": checks_meta(squat, "tracked", frames=())})
    expected, got = analyse(squat, EXERCISE), judge(alone, EXERCISE)
    assert got.notes == expected.notes
    assert [(r.start_frame, r.end_frame) for r in got.reps] == [
        (r.start_frame, r.end_frame) for r in expected.reps
    ]


def test_reps_inside_a_spliced_close_up_are_not_counted(squat):
    clip = spliced_close_up(squat)
    cut_s = squat.t_s[200]
    as_one_take = analyse(clip, EXERCISE)
    assert any(
        r.t_end_s > cut_s for r in as_one_take.reps
    )  # the old way: a rep found across or after the cut
    report = judge(clip, EXERCISE)
    assert report.reps and all(r.t_end_s <= cut_s for r in report.reps)
    assert all(f.t_end_s <= cut_s for f in report.flags)
    assert report.n_frames == squat.n_frames  # frame numbers still those of the video
    (note,) = [n for n in report.notes if n.startswith("The clip is edited")]
    assert (
        "2 shots" in note and f"{cut_s:.1f}–{squat.duration_s:.1f} s (the whole body is not in view)" in note
    )


def test_an_edited_clip_with_no_whole_body_shot_is_refused(squat):
    lm = squat.landmarks_px.copy()
    lm[:100] = np.nan  # a title card, then a close-up
    clip = spliced_close_up(replace(squat, landmarks_px=lm), cut=100)
    with pytest.raises(NoPersonError, match=r"'my squat\.mp4' is an edited clip of 2 shots and none shows"):
        judge(clip, EXERCISE, source_name="my squat.mp4")


def test_a_bystander_that_could_not_be_separated_is_never_judged(squat):
    clip = replace(squat, meta={**squat.meta, "people": checks_meta(squat, "bystander")})
    with pytest.raises(
        NoPersonError, match="tracked the one standing still; crop the clip to the person exercising"
    ):
        judge(clip, EXERCISE, source_name="gym.mp4")


@pytest.mark.parametrize(
    ("tracked", "motion", "frames", "says"),
    [
        (
            "tracked",
            (0.036, 0.001),
            (30, 45, 60, 75, 90),
            "from 1.0 s to 3.0 s), standing still; hipform judged the one moving.",
        ),
        (
            "mover",
            (0.001, 0.036),
            (30, 45, 60, 75, 90),
            "hipform first followed the one standing still, and judged the one",
        ),
        (
            "tracked",
            (0.079, 0.075),
            (30, 45, 60, 75, 90),
            "and moving too; hipform judged the person it followed",
        ),
        ("tracked", (0.036, 0.001), (30, 45), "too briefly to tell who exercises"),
    ],
)
def test_another_person_is_always_mentioned(squat, tracked, motion, frames, says):
    meta = checks_meta(squat, tracked, frames=frames, tracked_motion=motion[0], other_motion=motion[1])
    clip = replace(squat, meta={**squat.meta, "people": meta})
    (note,) = person_notes(PersonChecks.from_meta(clip.meta), clip)
    assert note.startswith("Another person is in view (from ") and says in note
    assert note in judge(clip, EXERCISE).notes


def test_only_frames_keeps_the_video_frame_numbers(squat):
    part = only_frames(squat, 100, 200)
    assert part.n_frames == squat.n_frames
    assert part.detected.tolist() == [100 <= i < 200 for i in range(squat.n_frames)]
    np.testing.assert_array_equal(part.landmarks_px[100:200], squat.landmarks_px[100:200])
    assert (part.visibility[:100] == 0).all()
