"""Two people in view and edited clips, end to end with real MediaPipe on rendered and real clips.

The rendered clips are made from the bundled samples: two rendered athletes side by side
(one exercising, one standing still), and a squat spliced between a title card and a
close-up of another squat's legs.
"""

from pathlib import Path

import cv2
import numpy as np
import pytest
from clipmaker import shared_clip, write_clip

from hipform.judge import judge
from hipform.kinematics import analyse
from hipform.people import PersonChecks
from hipform.pose import estimate_pose
from hipform.sequence import load_sequence
from hipform.shots import split_shots
from hipform.video import iter_frames

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_videos"
EXERCISER = "squat_front_valgus"  # single-leg squat, 3 reps, right knee collapse 25°
BYSTANDER = "single_leg_squat_front_clean"  # another look; its first frame stands still

pytestmark = pytest.mark.slow


def frames_of(name: str) -> list[np.ndarray]:
    return [f.image for f in iter_frames(SAMPLES / f"{name}.mp4")]


def rep_flags(report) -> list[tuple[int, str, str]]:
    return sorted((f.rep, f.fault, f.side) for f in report.flags if f.rep is not None)


# ------------------------------------------------------------------ two people
@pytest.fixture(scope="module")
def alone():
    """The exerciser filmed alone: landmarks of the same sample clip (tests/data), judged."""
    report = analyse(load_sequence(ROOT / "tests" / "data" / f"{EXERCISER}.npz"), "single-leg-squat")
    assert len(report.reps) == 3 and rep_flags(report) == [(r, "knee_collapse", "right") for r in (1, 2, 3)]
    return report


def side_by_side(path: Path, bystander_side: str) -> tuple[Path, int]:
    """The exerciser with a rendered athlete standing still beside them; returns the clip and
    the x where the exerciser's half of the picture starts."""
    exerciser = frames_of(EXERCISER)
    still = next(iter(iter_frames(SAMPLES / f"{BYSTANDER}.mp4"))).image
    width = exerciser[0].shape[1]
    if bystander_side == "left":
        frames, start = [np.concatenate([still, e], axis=1) for e in exerciser], width
    else:
        frames, start = [np.concatenate([e, still], axis=1) for e in exerciser], 0
    return write_clip(path, frames), start


@pytest.mark.parametrize(
    ("bystander_side", "followed"),
    [
        ("left", "tracked"),  # the pose model follows the exerciser from the start
        ("right", "mover"),  # it follows the bystander: tracked again with the bystander masked out
    ],
)
def test_two_athletes_side_by_side_the_exerciser_is_judged(tmp_path, alone, bystander_side, followed):
    clip, start = side_by_side(tmp_path / f"two_{bystander_side}.mp4", bystander_side)
    seq = estimate_pose(clip)
    checks = PersonChecks.from_meta(seq.meta)
    assert checks.tracked == followed
    hips_x = np.nanmean(seq.landmarks_px[:, [23, 24], 0], axis=1)
    assert seq.detected.all() and (hips_x >= start).all() and (hips_x < start + 270).all()
    report = judge(seq, "single-leg-squat")
    assert len(report.reps) == len(alone.reps) and rep_flags(report) == rep_flags(alone)
    (note,) = [n for n in report.notes if n.startswith("Another person is in view")]
    assert "from 0.0 s to 10.0 s" in note


def test_real_clip_with_two_people_says_another_person_is_in_view():
    seq = estimate_pose(shared_clip("two_people_walk_and_jumping_jacks.mp4"))
    checks = PersonChecks.from_meta(seq.meta)
    assert len(checks.frames) >= 4 and checks.tracked == "tracked"  # both move: the followed one stays
    report = judge(seq)
    assert any(n.startswith("Another person is in view (from ") for n in report.notes)


def test_a_gym_full_of_clutter_has_nobody_else_and_no_cut():
    """The single-image model sees small phantom people in the dumbbells; they are no one."""
    seq = estimate_pose(shared_clip("squat_side_barbell.mp4"))
    assert PersonChecks.from_meta(seq.meta).frames == ()
    assert seq.meta["shots"]["cut_frames"] == [] and len(split_shots(seq)) == 1


# ------------------------------------------------------------------ cuts
def title_card(like: np.ndarray) -> np.ndarray:
    card = np.empty_like(like)
    card[:] = (30, 60, 120)
    cv2.putText(card, "SQUAT", (40, 200), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (255, 255, 255), 3)
    cv2.putText(card, "tutorial", (60, 260), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (255, 255, 255), 2)
    return card


def legs_close_up(image: np.ndarray, top_px: int = 190) -> np.ndarray:
    """The picture from the waist down, upscaled to the full frame (aspect kept)."""
    h, w = image.shape[:2]
    crop_w = round((h - top_px) * w / h)
    x0 = (w - crop_w) // 2
    return cv2.resize(image[top_px:, x0 : x0 + crop_w], (w, h), interpolation=cv2.INTER_CUBIC)


def test_spliced_clip_counts_only_the_whole_body_reps(tmp_path):
    squat = frames_of("squat_front_clean")  # 3 reps, no fault
    close_up = [legs_close_up(f) for f in frames_of("squat_front_valgus_both")]  # 3 reps, both knees collapse
    card = title_card(squat[0])
    frames = [card] * 45 + squat + [card] * 20 + close_up
    seq = estimate_pose(write_clip(tmp_path / "tutorial.mp4", frames))
    assert seq.meta["shots"]["cut_frames"] == [45, 45 + len(squat), 65 + len(squat)]
    report = judge(seq, "squat")
    t_start, t_end = seq.t_s[45], seq.t_s[45 + len(squat)]
    assert len(report.reps) == 3
    assert all(t_start <= r.t_start_s and r.t_end_s <= t_end for r in report.reps)
    assert report.flags_for("knee_collapse") == []  # the collapsing knees were in the close-up
    (note,) = [n for n in report.notes if n.startswith("The clip is edited")]
    assert "4 shots" in note and "(the whole body is not in view)" in note
