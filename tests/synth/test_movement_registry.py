"""The synth registry mirrors the kinematics registry: every movement has a generator, and back.

What synth knows about a movement comes from its generator module or from the
movement's kinematics record (posture, one leg or two, the set-up its fault
rules ask for), never from a list of movement names.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from hipform.kinematics.faults import SETUP_HINTS
from hipform.kinematics.movements import REGISTRY as KINEMATICS
from hipform.synth.athlete import TRUTH_KEYS, Faults, Motion, MotionParams, simulate
from hipform.synth.clip import camera_for
from hipform.synth.movements import (
    INJECTABLE_FAULTS,
    KINEMATIC_FAULT,
    REGISTRY,
    SETUP_VIEWS,
    MovementGenerator,
)

SYNTH = Path(__file__).resolve().parents[2] / "hipform" / "synth"
NAMES = tuple(KINEMATICS)
#: Frontal knee measures: defined for an upright athlete only.
FRONTAL_KNEE = (
    "knee_fppa_left_deg",
    "knee_fppa_right_deg",
    "knee_separation_ratio",
    "hip_adduction_left_deg",
    "hip_adduction_right_deg",
)


def test_every_kinematics_movement_has_a_generator_and_back() -> None:
    assert list(REGISTRY) == list(KINEMATICS)  # same names, same order
    for name, generator in REGISTRY.items():
        assert isinstance(generator, MovementGenerator) and generator.name == name


@pytest.mark.parametrize("name", NAMES)
def test_each_generator_injects_the_faults_its_rules_check(name: str) -> None:
    generator = REGISTRY[name]
    assert {KINEMATIC_FAULT[f] for f in generator.faults} == set(KINEMATICS[name].faults)
    for fault in generator.faults:
        assert generator.views_for(fault), f"no camera view sees {fault} in {name}"


def test_every_rule_set_up_has_camera_views() -> None:
    assert set(SETUP_VIEWS) == set(SETUP_HINTS)


def _rep_field(fault: str) -> str:
    """The :class:`RepTruth` field of a fault on the right leg."""
    return "knee_valgus_right_deg" if fault == "knee_valgus_deg" else fault


def _shows(clip: Motion, clean: Motion, key_frame: int, magnitude: float) -> bool:
    """Some truth measure at ``key_frame`` moved off the clean clip's to ``magnitude`` or by it (either way:
    a free foot lowered by it lowers its height)."""
    for key in TRUTH_KEYS:
        v, c = clip.truth[key][key_frame], clean.truth[key][key_frame]
        if np.isfinite(v) and abs(v - c) > 1 and min(abs(v - magnitude), abs(abs(v - c) - magnitude)) < 0.1:
            return True
    return False


@pytest.mark.parametrize("name", NAMES)
def test_a_movement_shows_exactly_the_faults_its_generator_names(name: str) -> None:
    """A fault it names is in the truth at every key frame it is injected in; any other is refused."""
    clean = simulate(name, MotionParams(reps=2, stance_side="right"))
    for fault in INJECTABLE_FAULTS:
        params = MotionParams(reps=2, faults=Faults(side="right", **{fault: 10.0}))
        if fault not in REGISTRY[name].faults:
            with pytest.raises(ValueError, match=f"{fault} cannot be injected in {name}"):
                simulate(name, params)
            continue
        clip = simulate(name, params)
        injected = [r for r in clip.reps if getattr(r, _rep_field(fault))]
        assert injected, f"{fault} injected in no rep of {name}"
        for r in injected:
            assert _shows(clip, clean, r.key_frame, 10.0), (fault, r)


@pytest.mark.parametrize("name", NAMES)
def test_legs_take_turns_exactly_where_the_generator_says(name: str) -> None:
    """Its reps alternate legs iff ``alternating_legs``; a fault off the working leg is shown or refused."""
    generator = REGISTRY[name]
    sides = {r.side for r in simulate(name, MotionParams(reps=2)).reps}
    assert (sides == {"left", "right"}) == generator.alternating_legs, sides
    fault = generator.faults[0]
    params = MotionParams(reps=2, stance_side="left", faults=Faults(side="right", **{fault: 10.0}))
    if KINEMATICS[name].unilateral and not generator.alternating_legs:
        with pytest.raises(ValueError, match="working leg"):
            simulate(name, params)
    else:  # the right leg shows it although the left leg works (or leads)
        reps = simulate(name, params).reps
        assert any(r.side in ("right", None) and getattr(r, _rep_field(fault)) for r in reps)


@pytest.mark.parametrize("name", NAMES)
def test_frontal_knee_truth_and_framing_follow_the_posture(name: str) -> None:
    upright = KINEMATICS[name].posture == "upright"
    m = simulate(name, MotionParams(reps=1))
    for key in FRONTAL_KNEE:
        assert np.isfinite(m.truth[key]).all() == upright, key
        assert np.isnan(m.truth[key]).all() != upright, key
    side_view = camera_for(name, "left")
    assert (side_view.width_px > side_view.height_px) != upright  # a lying body gets a landscape frame


def test_a_generator_names_known_faults() -> None:
    with pytest.raises(ValueError, match="faults must be some of"):
        MovementGenerator(name="squat", generate=REGISTRY["squat"].generate, faults=("limp_deg",))
    with pytest.raises(ValueError, match="faults must be some of"):
        MovementGenerator(name="squat", generate=REGISTRY["squat"].generate, faults=())


def test_no_movement_is_named_in_synth_outside_its_generator() -> None:
    """No hand-kept list or ``movement == "squat"`` test: a movement's name appears in its module only.

    ``samples.py`` is exempt: its sample table says which movement each clip shows.
    """
    offenders = []
    for path in SYNTH.rglob("*.py"):
        if path.name == "samples.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in KINEMATICS:
                if path.parent.name != "movements" or path.stem != node.value.replace("-", "_"):
                    offenders.append(f"{path.relative_to(SYNTH)}:{node.lineno} {node.value!r}")
    assert not offenders, offenders
