"""Scene cuts, body-size jumps and whole-body shots (numpy and OpenCV only, no pose model)."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from hipform.landmarks import Landmark
from hipform.sequence import PoseSequence, load_sequence
from hipform.shots import (
    MIN_HEADROOM,
    CutDetector,
    body_scale_px,
    find_cuts,
    full_body_frames,
    scale_jumps,
    split_shots,
)

DATA = Path(__file__).parent / "data"
FACE = slice(0, int(Landmark.MOUTH_RIGHT) + 1)


@pytest.fixture(scope="module")
def squat() -> PoseSequence:
    """Real MediaPipe landmarks of a rendered single-leg squat: 305 frames, 270x480, whole body in view."""
    return load_sequence(DATA / "squat_front_valgus.npz")


def with_landmarks(seq: PoseSequence, lm: np.ndarray, **meta) -> PoseSequence:
    return replace(seq, landmarks_px=lm.copy(), meta={**seq.meta, **meta})


# ------------------------------------------------------------------ cuts
def changes(n: int = 60, usual: float = 0.005) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pixel = np.full(n, usual)
    return pixel, pixel * 3, pixel * 1.5


@pytest.mark.parametrize(
    ("edit", "cuts"),
    [
        ("none", []),  # a steady take
        ("cut", [30]),  # a new picture from frame 30 on
        ("flash", []),  # frame 30 unlike both neighbours, frame 31 like frame 29 again
        ("shaky", []),  # a shaking camera: every frame changes a lot, frame 30 a bit more
        ("light", [30]),  # the picture's brightness jumps (histogram) with little pixel change
    ],
)
def test_find_cuts(edit, cuts):
    pixel, hist, skip_one = changes()
    if edit in ("cut", "flash"):
        pixel[30], hist[30], skip_one[30] = 0.25, 0.9, 0.25
        skip_one[31] = 0.25 if edit == "cut" else 0.006
    elif edit == "shaky":
        pixel[:], hist[:], skip_one[:] = 0.06, 0.15, 0.09
        pixel[30], hist[30], skip_one[31] = 0.09, 0.2, 0.1
    elif edit == "light":
        pixel[30], hist[30], skip_one[31] = 0.07, 0.4, 0.07
    assert [f for f, _ in find_cuts(pixel, hist, skip_one)] == cuts


def scene(kind: str, i: int) -> np.ndarray:
    """A 120x160 picture: a room (``a``) or a close-up (``b``), with a square moving across it."""
    y, x = np.mgrid[0:120, 0:160]
    if kind == "a":
        img = np.dstack([x, y * 2, np.full_like(x, 90)]).astype(np.uint8)
    else:
        img = np.dstack([np.full_like(x, 200), 255 - y * 2, x // 2]).astype(np.uint8)
    img[40:60, 10 + 2 * i : 30 + 2 * i] = 255
    return img


def test_cut_detector_finds_the_first_frame_of_each_new_shot():
    detector = CutDetector()
    frames = (
        [scene("a", i) for i in range(25)]
        + [scene("b", i) for i in range(25)]
        + [scene("a", i) for i in range(10)]
    )
    for image in frames:
        detector.add(image)
    assert [f for f, _ in detector.cuts()] == [25, 50]
    assert len(detector.pixel_change) == len(frames)


# ------------------------------------------------------------------ body size
def test_scale_jump_must_last():
    scale = np.full(200, 70.0)
    scale[120:] = 130.0  # a zoom cut
    scale[50] = 140.0  # a one-frame glitch of the pose model
    scale[80:83] = np.nan  # frames with nobody found do not break the run
    assert scale_jumps(scale) == [120]
    assert scale_jumps(np.full(10, np.nan)) == []


def test_body_scale_is_the_median_segment(squat):
    scale = body_scale_px(squat)
    assert np.isfinite(scale).all() and 55 < np.median(scale) < 85  # thigh/shank/trunk of a 300-px figure
    doubled = with_landmarks(squat, squat.landmarks_px * 2.0)
    np.testing.assert_allclose(body_scale_px(doubled), 2.0 * scale, rtol=1e-5)


# ------------------------------------------------------------------ whole body
def test_whole_body_in_a_whole_body_clip(squat):
    assert full_body_frames(squat).all()


def test_face_squeezed_against_the_top_is_no_whole_body(squat):
    """On a close-up of the legs the pose model still places a body, with the face at the top edge."""
    lm = squat.landmarks_px.copy()
    face_top = np.nanmin(lm[:, FACE, 1], axis=1)
    lm[..., 1] -= (face_top - 0.5 * MIN_HEADROOM * body_scale_px(squat))[:, None]
    assert not full_body_frames(with_landmarks(squat, lm)).any()
    lm[..., 1] += MIN_HEADROOM * body_scale_px(squat)[:, None]  # the same body with room for the head
    assert full_body_frames(with_landmarks(squat, lm)).all()


def test_knees_out_of_the_picture_is_no_whole_body(squat):
    lm = squat.landmarks_px.copy()
    lm[:, int(Landmark.LEFT_ANKLE), 1] = squat.height_px + 5
    assert not full_body_frames(with_landmarks(squat, lm)).any()


# ------------------------------------------------------------------ shots
def test_a_single_take_is_one_judgeable_shot(squat):
    (shot,) = split_shots(squat)
    assert (shot.start, shot.stop, shot.judgeable, shot.why_not) == (0, squat.n_frames, True, "")
    assert shot.duration_s == pytest.approx(squat.duration_s)


def test_a_change_of_light_the_body_continues_across_is_no_new_shot(squat):
    lit = with_landmarks(squat, squat.landmarks_px, shots={"cut_frames": [150]})
    assert len(split_shots(lit)) == 1


def test_a_cut_the_body_jumps_across_splits_the_clip(squat):
    lm = squat.landmarks_px.copy()
    lm[150:, :, 0] -= 60.0  # the second take stands elsewhere
    first, second = split_shots(with_landmarks(squat, lm, shots={"cut_frames": [150]}))
    assert (first.start, first.stop, second.start, second.stop) == (0, 150, 150, squat.n_frames)
    assert second.t_start_s == pytest.approx(squat.t_s[150]) and first.t_end_s == second.t_start_s


def test_a_zoom_is_a_new_shot_even_without_a_picture_cut(squat):
    lm = squat.landmarks_px.copy()
    lm[200:] = (lm[200:] - [135.0, 480.0, 0.0]) * 2.2 + [135.0, 480.0, 0.0]  # zoom on the feet
    shots = split_shots(with_landmarks(squat, lm))
    assert [(s.start, s.stop) for s in shots] == [(0, 200), (200, squat.n_frames)]
    assert shots[0].judgeable and not shots[1].judgeable
    assert shots[1].why_not == "the whole body is not in view"


def test_a_title_card_has_no_person(squat):
    lm = squat.landmarks_px.copy()
    lm[:40] = np.nan
    card, take = split_shots(with_landmarks(squat, lm, shots={"cut_frames": [40]}))
    assert (card.person_share, card.judgeable, card.why_not) == (0.0, False, "no person found in it")
    assert take.judgeable
