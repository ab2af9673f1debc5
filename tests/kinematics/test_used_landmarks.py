"""The analysis reads only the landmarks it conditions and filters.

Rows of the other landmarks in the filtered (T, 33, D) arrays are never
written (:func:`hipform.kinematics.analysis._time_last_buffer`), so a measure,
view, rep or recognition rule that read one would read stale memory. Here the
unused rows are filled with NaN and then with random values: every result must
be the same.
"""

from __future__ import annotations

import numpy as np
import pytest
from kin_helpers import film, simulate_motion

from hipform.kinematics import analysis as A
from hipform.kinematics.exercise import recognise_exercise
from hipform.kinematics.faults import MOVEMENTS
from hipform.kinematics.view import estimate_view


def _fill_unused(arr: np.ndarray, used: tuple[int, ...], fill: str, rng: np.random.Generator) -> np.ndarray:
    out = np.array(arr, copy=True)
    unused = [lm for lm in range(out.shape[1]) if lm not in used]
    out[:, unused] = np.nan if fill == "nan" else rng.uniform(-1e3, 1e3, size=out[:, unused].shape)
    return out


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if hasattr(a, "__dataclass_fields__"):
        return type(a) is type(b) and all(_same(getattr(a, f), getattr(b, f)) for f in a.__dataclass_fields__)
    return a == b or (a != a and b != b)


@pytest.mark.parametrize("view", ["front", "right", "oblique"])
@pytest.mark.parametrize("movement", MOVEMENTS)
def test_nothing_reads_the_landmarks_the_analysis_leaves_unwritten(movement, view):
    seq = film(simulate_motion(movement, reps=2), view)
    config = A.AnalysisConfig()
    pre = A._filtered(A._condition_seq(seq, config), A._frame_rate(seq), 5.0)
    assert pre.world is not None
    rng = np.random.default_rng(0)
    results = []
    for fill in ("nan", "random"):
        px = _fill_unused(pre.px, A.USED_LANDMARKS, fill, rng)
        world = _fill_unused(pre.world, A.WORLD_LANDMARKS, fill, rng)
        v = estimate_view(px, world)
        m = A.compute_measures(px, world, v.facing_x, side_view=v.side)
        segments = A._segment(movement, px, world, m, seq.t_s, config, view_name=v.view)
        results.append((v, m, segments, recognise_exercise(px, world, seq.t_s)))
    assert _same(*results)
