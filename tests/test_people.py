"""Other people in view: who moves, who is the same person again, and what to mask (numpy only)."""

from pathlib import Path

import numpy as np
import pytest

from hipform.landmarks import N_LANDMARKS, Landmark
from hipform.people import (
    MIN_RELATIVE_SIZE,
    STILL_MOTION,
    PersonChecks,
    body_size_px,
    bystander_mask_box,
    compute_motion,
    is_other_person,
    person_box_px,
    tracked_is_bystander,
)
from hipform.sequence import load_sequence

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def squatter() -> np.ndarray:
    """(T, 33, 2) real MediaPipe landmarks of a rendered single-leg squat (3 reps), 270x480 frame."""
    return load_sequence(DATA / "squat_front_valgus.npz").landmarks_px[:, :, :2]


def standing(squatter: np.ndarray, n: int, rng: np.random.Generator, jitter_px: float = 0.5) -> np.ndarray:
    """The squatter's first (standing) frame, still, with the pose model's jitter."""
    return squatter[:1].repeat(n, axis=0) + rng.normal(0.0, jitter_px, (n, N_LANDMARKS, 2))


def shifted(lm: np.ndarray, dx: float, scale: float = 1.0) -> np.ndarray:
    return lm * scale + np.array([dx, 0.0])


def test_motion_tells_a_squat_from_standing_still(squatter, rng):
    moving = compute_motion(squatter[::15])
    still = compute_motion(standing(squatter, 21, rng))
    assert moving >= STILL_MOTION > still
    assert moving > 10 * still


def test_motion_ignores_where_the_person_is_and_how_big(squatter, rng):
    """Walking across the picture moves every landmark together: relative to the hips nothing moves."""
    still = standing(squatter, 21, rng, jitter_px=0.0)
    walking = still + np.linspace(0.0, 200.0, 21)[:, None, None] * np.array([1.0, 0.0])
    assert compute_motion(walking) == pytest.approx(0.0, abs=1e-9)
    assert compute_motion(shifted(squatter[::15], 300.0, scale=2.0)) == pytest.approx(
        compute_motion(squatter[::15]), rel=1e-6
    )


def test_motion_needs_three_moments_with_hips(squatter):
    assert np.isnan(compute_motion(squatter[:2]))
    no_hips = squatter[::15].copy()
    no_hips[:, [int(Landmark.LEFT_HIP), int(Landmark.RIGHT_HIP)]] = np.nan
    assert np.isnan(compute_motion(no_hips))
    with pytest.raises(ValueError, match=r"\(K, 33, 2\+\)"):
        compute_motion(squatter[0])


@pytest.mark.parametrize(
    ("tracked", "other", "n_found", "bystander"),
    [
        (0.001, 0.036, 21, True),  # rendered: a still bystander followed, a single-leg squat beside
        (0.036, 0.001, 21, False),  # the exerciser followed
        (0.079, 0.075, 7, False),  # real clip: a walker and a jumping person, both move
        (0.001, 0.036, 3, False),  # too few sightings to swap people
        (0.005, 0.012, 21, False),  # the other moves more, but not enough to be exercising
        (np.nan, 0.036, 21, False),  # nothing to compare
    ],
)
def test_tracked_is_bystander(tracked, other, n_found, bystander):
    assert tracked_is_bystander(tracked, other, n_found) is bystander


def test_other_person_is_not_the_tracked_one_again_nor_a_phantom(squatter):
    me = squatter[0]
    beside = shifted(me, 150.0)
    assert is_other_person(me, beside)
    assert not is_other_person(me, shifted(me, 5.0))  # an arm the mask missed: the same hips
    # the single-image model's phantoms in gym clutter: a quarter of the tracked person's size
    phantom = shifted(me, 150.0, scale=0.25)
    assert body_size_px(phantom) < MIN_RELATIVE_SIZE * body_size_px(me)
    assert not is_other_person(me, phantom)


def test_person_box_is_padded_more_above_for_the_head(squatter):
    x0, y0, x1, y1 = person_box_px(squatter[0], pad=0.0)
    px0, py0, px1, py1 = person_box_px(squatter[0])
    side = x0 - px0
    assert side > 0 and y0 - py0 == pytest.approx(1.5 * side) and py1 - y1 == pytest.approx(side)
    assert person_box_px(np.full((N_LANDMARKS, 2), np.nan)) is None


def test_mask_box_covers_a_still_bystander_and_spares_the_mover(squatter, rng):
    bystander = shifted(standing(squatter, 60, rng), 300.0)
    mover = squatter[::15]
    box = bystander_mask_box(bystander, mover, 600, 480)
    assert box is not None
    bx0, _, bx1, _ = person_box_px(bystander[0], pad=0.0)
    assert box[0] < bx0 and box[2] > bx1  # the whole bystander is hidden
    assert box[0] > np.nanmax(mover[..., 0])  # and nothing of the mover


def test_no_mask_box_for_a_bystander_in_front_of_the_mover_or_walking_about(squatter, rng):
    mover = squatter[::15]
    in_front = shifted(standing(squatter, 60, rng), 20.0)
    assert bystander_mask_box(in_front, mover, 600, 480) is None
    walking = shifted(standing(squatter, 60, rng), 250.0) + np.linspace(0, 300, 60)[:, None, None] * [
        1.0,
        0.0,
    ]
    assert bystander_mask_box(walking, mover, 900, 480) is None


def test_checks_survive_the_sequence_meta(squatter):
    checks = PersonChecks(
        2.0,
        (0, 15, 30, 45),
        (15, 45),
        squatter[[15, 45]],
        tracked="mover",
        tracked_motion=0.001,
        other_motion=0.036,
        mask_box_px=(300.0, 40.0, 500.0, 450.0),
    )
    import json

    back = PersonChecks.from_meta({"people": json.loads(json.dumps(checks.to_meta()))})
    assert (back.frames_checked, back.frames, back.tracked, back.mask_box_px) == (
        (0, 15, 30, 45),
        (15, 45),
        "mover",
        (300.0, 40.0, 500.0, 450.0),
    )
    np.testing.assert_allclose(back.landmarks_px, squatter[[15, 45]], atol=0.05)
    assert back.tracked_motion == 0.001 and back.other_motion == 0.036
    assert PersonChecks.from_meta({"codec": "h264"}) is None  # a sequence saved before the checks existed
