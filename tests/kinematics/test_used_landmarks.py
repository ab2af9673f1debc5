"""The analysis reads only the landmarks it conditions and filters.

Rows of the other landmarks in the filtered (T, 33, D) arrays stay NaN
(:mod:`hipform.kinematics.conditioning`), so a measure, view, rep or
recognition rule that read one would silently get nothing. Here the unused
rows are filled with NaN and then with random values: every result must be
the same.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest
from kin_helpers import film, simulate_motion

from hipform.kinematics import conditioning as C
from hipform.kinematics.config import AnalysisConfig
from hipform.kinematics.frame_measures import compute_measures, leg_length_px
from hipform.kinematics.movements import MOVEMENTS, REGISTRY, SegmentContext
from hipform.kinematics.recognition import recognise_movement
from hipform.kinematics.view import estimate_view


def _fill_unused(arr: np.ndarray, used: tuple[int, ...], fill: str, rng: np.random.Generator) -> np.ndarray:
    out = np.array(arr, copy=True)
    unused = [lm for lm in range(out.shape[1]) if lm not in used]
    out[:, unused] = np.nan if fill == "nan" else rng.uniform(-1e3, 1e3, size=out[:, unused].shape)
    return out


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, Mapping):  # the measures compute each series when read: all are read here
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
    config = AnalysisConfig()
    conditioned = C.condition_sequence(seq, config)
    pre = C.lowpass_conditioned(conditioned, C.frame_rate_of(seq), 5.0)
    assert pre.world is not None
    unused = [lm for lm in range(pre.px.shape[1]) if lm not in C.USED_LANDMARKS]
    assert np.isnan(pre.px[:, unused]).all()  # never garbage for code that reads them
    rng = np.random.default_rng(0)
    results = []
    for fill in ("nan", "random"):
        px = _fill_unused(pre.px, C.USED_LANDMARKS, fill, rng)
        world = _fill_unused(pre.world, C.WORLD_LANDMARKS, fill, rng)
        v = estimate_view(px, world)
        m = compute_measures(px, world, v.facing_x, side_view=v.side)
        ctx = SegmentContext(
            px=px,
            world=world,
            src=world,
            measures=m,
            t_s=seq.t_s,
            fps=seq.fps,
            ankle_y=C.ankle_y_px(px, conditioned),
            view=v.view,
            leg_px=leg_length_px(px),
            rep_enter=config.rep_enter,
            rep_exit=config.rep_exit,
        )
        segments = REGISTRY[movement].segment(ctx)
        results.append((v, m, segments, recognise_movement(px, world, seq.t_s)))
    assert _same(*results)
