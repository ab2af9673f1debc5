"""Every movement in the registry has every part hipform needs (docs/adding-a-movement.md).

A movement added without one of them fails here, naming the part.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from kin_helpers import film, simulate_motion

from hipform.kinematics import analyse
from hipform.kinematics.faults import FAULTS, SETUP_HINTS
from hipform.kinematics.frame_measures import KEY_LANDMARKS
from hipform.kinematics.movements import (
    LIVE_MOVEMENTS,
    MOVEMENTS,
    REGISTRY,
    Cues,
    LiveCounter,
    movement_named,
)

KINEMATICS = Path(__file__).resolve().parents[2] / "hipform" / "kinematics"

#: Measures the grading knows how to read (hipform.kinematics.frame_measures.compute_graded_series).
GRADED_MEASURES = set(KEY_LANDMARKS)

#: The view a movement's sample is filmed from in these checks.
VIEW = {"bridge": "right", "single-leg-bridge": "right", "kickback": "right", "running": "rear"}


@pytest.mark.parametrize("name", MOVEMENTS)
def test_each_movement_has_every_part(name: str) -> None:
    mv = movement_named(name)
    assert mv.name == name
    assert mv.title and mv.title[0].isupper(), "a display name"
    assert mv.setup.strip(), "a camera set-up sentence"
    assert mv.rules, "fault rules"
    for rule in mv.rules:
        assert rule.fault in FAULTS and rule.setup in SETUP_HINTS
        assert rule.measure in GRADED_MEASURES, f"{rule.measure}: the grading cannot read it"
        assert rule.source and rule.cue and rule.label
    assert callable(mv.segment) and callable(mv.recognise)
    assert mv.live is None or isinstance(mv.live, LiveCounter)
    assert (mv.live is not None) == (name in LIVE_MOVEMENTS)
    neutral = Cues(*([0.5] * len(Cues._fields)))
    assert 0.0 <= mv.recognise(neutral) <= 1.0


@pytest.mark.parametrize("name", MOVEMENTS)
def test_each_movement_is_simulated_segmented_and_judged(name: str) -> None:
    """The synthetic athlete does it, its segmentation finds the reps, and the analysis grades them."""
    motion = simulate_motion(name, reps=2)
    report = analyse(film(motion, VIEW.get(name, "front")), movement=name)
    assert len(report.reps) >= 2, report.summary_lines()
    kinds = {r.kind for r in report.reps}
    assert kinds == {REGISTRY[name].rep_kind}
    assert any(report.is_assessed(f) for f in REGISTRY[name].faults)


def test_names_and_titles_are_unique() -> None:
    titles = [m.title for m in REGISTRY.values()]
    assert len(set(titles)) == len(titles)
    assert tuple(REGISTRY) == MOVEMENTS


def test_unknown_movement_names_the_choices() -> None:
    with pytest.raises(ValueError, match="choose one of bridge"):
        movement_named("cartwheel")


def test_no_movement_name_is_compared_outside_its_module() -> None:
    """Facts about one movement live in its module: no ``movement == "squat"`` chains elsewhere."""
    offenders = []
    for path in KINEMATICS.rglob("*.py"):
        if path.parent.name == "movements":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare):
                consts = [c for c in (node.left, *node.comparators) if isinstance(c, ast.Constant)]
                tuples = [c for c in node.comparators if isinstance(c, ast.Tuple)]
                names = {c.value for c in consts} | {
                    e.value for t in tuples for e in t.elts if isinstance(e, ast.Constant)
                }
                if names & set(MOVEMENTS):
                    offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders, offenders


def test_kinematics_modules_and_functions_stay_small() -> None:
    """One idea per module and per function: no module over ~500 lines, no function over ~80."""
    too_long = []
    for path in KINEMATICS.rglob("*.py"):
        text = path.read_text()
        if text.count("\n") > 500:
            too_long.append(f"{path.name}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > 80:
                    too_long.append(f"{path.name}:{node.name}: {length} lines")
    assert not too_long, too_long


def test_rest_rows_are_nan_not_garbage() -> None:
    """A landmark the analysis does not condition (an elbow) reads as NaN in the filtered rows."""
    from hipform.kinematics import conditioning as C
    from hipform.kinematics.config import AnalysisConfig
    from hipform.landmarks import Landmark

    seq = film(simulate_motion("squat", reps=1), "front")
    pre = C.lowpass_conditioned(C.condition_sequence(seq, AnalysisConfig()), seq.fps, 5.0)
    assert np.isnan(pre.px[:, int(Landmark.LEFT_ELBOW)]).all()
