"""PoseSequence: validation on construction, save/load, CSV, mirroring."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from hipform.landmarks import Landmark
from hipform.sequence import PoseSequence, csv_columns, load_sequence, save_sequence, save_sequence_csv


def make_seq(n=5, rng=None, **overrides):
    rng = rng or np.random.default_rng(0)
    kw = dict(
        landmarks_px=rng.uniform(0, 500, (n, 33, 3)),
        visibility=rng.uniform(0, 1, (n, 33)),
        world_m=rng.normal(0, 0.5, (n, 33, 3)),
        t_s=np.arange(n) / 30.0,
        width_px=640,
        height_px=480,
        fps=30.0,
        source="test.mp4",
    )
    kw.update(overrides)
    return PoseSequence(**kw)


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({}, None),  # valid
        ({"landmarks_px": np.zeros((5, 32, 3))}, "landmarks_px"),  # 32 landmarks
        ({"landmarks_px": np.zeros((5, 33))}, "landmarks_px"),  # missing axis
        ({"visibility": np.zeros((4, 33))}, "visibility"),  # frame count mismatch
        ({"world_m": np.zeros((5, 33, 2))}, "world_m"),  # 2-D world points
        ({"t_s": np.zeros(5)}, "increasing"),  # frozen clock
        ({"t_s": np.arange(4.0)}, "t_s"),  # wrong length
        ({"width_px": 0}, "frame size"),  # zero width
        ({"fps": float("nan")}, "fps"),  # unknown rate
        ({"fps": -1.0}, "fps"),  # negative rate
    ],
)
def test_validation(overrides, error):
    if error is None:
        seq = make_seq(**overrides)
        assert seq.n_frames == 5
        assert seq.landmarks_px.dtype == np.float32
    else:
        with pytest.raises(ValueError, match=error):
            make_seq(**overrides)


def test_arrays_are_read_only():
    seq = make_seq()
    with pytest.raises(ValueError):
        seq.landmarks_px[0, 0, 0] = 1


def test_missing_frames_are_nan_rows_not_dropped():
    seq = PoseSequence.empty(4, np.arange(4) / 30, 100, 100, 30.0)
    assert seq.n_frames == 4
    assert seq.detection_rate == 0.0
    assert np.isnan(seq.xy(Landmark.LEFT_KNEE)).all()


def test_npz_round_trip(tmp_path):
    seq = make_seq(meta={"codec": "h264"})
    seq = PoseSequence(
        **{
            **seq.__dict__,
            "landmarks_px": np.where(np.arange(5)[:, None, None] == 2, np.nan, seq.landmarks_px),
        }
    )
    path = save_sequence(seq, tmp_path / "s.npz")
    back = load_sequence(path)
    for name in ("landmarks_px", "visibility", "world_m", "t_s"):
        np.testing.assert_array_equal(getattr(back, name), getattr(seq, name))
    assert (back.width_px, back.height_px, back.fps, back.source, back.meta) == (
        640,
        480,
        30.0,
        "test.mp4",
        {"codec": "h264"},
    )


def test_load_rejects_other_files(tmp_path):
    other = tmp_path / "x.npz"
    np.savez(other, a=np.zeros(3))
    with pytest.raises(ValueError, match="not a hipform landmark file"):
        load_sequence(other)
    text = tmp_path / "y.npz"
    text.write_text("hello")
    with pytest.raises(ValueError, match="not a hipform landmark file"):
        load_sequence(text)


def test_csv_has_named_columns_and_empty_missing_cells(tmp_path):
    seq = make_seq(n=3)
    lm = seq.landmarks_px.copy()
    lm[1] = np.nan
    seq = PoseSequence(**{**seq.__dict__, "landmarks_px": lm})
    path = save_sequence_csv(seq, tmp_path / "s.csv")
    with path.open() as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0].keys()) == csv_columns()
    assert float(rows[0]["left_knee_x"]) == pytest.approx(
        seq.landmarks_px[0, Landmark.LEFT_KNEE, 0], rel=1e-4
    )
    assert rows[1]["left_knee_x"] == "" and rows[1]["detected"] == "0"
    import pandas as pd

    frame = pd.read_csv(path)
    assert frame["left_knee_x"].isna().sum() == 1


def test_mirroring_twice_is_identity_and_swaps_sides():
    seq = make_seq()
    m = seq.mirrored()
    np.testing.assert_allclose(
        m.xy(Landmark.RIGHT_KNEE)[:, 0], 640 - seq.xy(Landmark.LEFT_KNEE)[:, 0], rtol=1e-5
    )
    np.testing.assert_allclose(m.mirrored().landmarks_px, seq.landmarks_px, rtol=1e-5)
