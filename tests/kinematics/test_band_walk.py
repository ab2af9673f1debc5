"""The band walk on landmarks MediaPipe found in rendered clips (``tests/data/band_walk_*.npz``, made
by ``tests/data/make_band_walk_fixtures.py``): steps counted per leading side, each injected fault
flagged on the steps it was injected in and nowhere else, the clean clip flagged nowhere, and the
movement recognised from its own landmarks."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import pytest
from kin_helpers import film
from test_recognition import FIXTURES as RECOGNITION_FIXTURES

from hipform.kinematics import analyse
from hipform.kinematics.live_checker import LiveAnalyser
from hipform.report import Report
from hipform.sequence import load_sequence

DATA = Path(__file__).resolve().parents[1] / "data"
sys.path.insert(0, str(DATA))
import make_band_walk_fixtures as fixtures  # noqa: E402

#: Fixture → the fault it shows on steps 4 and 5.
FAULTED = {
    "knees_cave": "knee_collapse",
    "trunk_sway": "instability",
    "depth_lost": "depth_lost",
    "feet_together": "feet_together",
}
FAULTS = ("knee_collapse", "instability", "depth_lost", "feet_together")


@cache
def _report(name: str) -> Report:
    return analyse(load_sequence(DATA / f"band_walk_{name}.npz"), movement="band-walk")


@pytest.mark.parametrize("name", ["clean", *FAULTED])
def test_steps_are_counted_per_leading_side(name: str) -> None:
    truth = fixtures.motion_for(name).reps
    report = _report(name)
    assert [r.kind for r in report.reps] == ["step"] * len(truth)
    assert [r.side for r in report.reps] == [r.side for r in truth]  # three to the right, three back
    # the key frame is where the trailing foot has landed, the start of the synthetic key hold
    assert all(abs(r.key_frame - t.key_frame) <= 5 for r, t in zip(report.reps, truth, strict=True))


def test_a_clean_band_walk_is_flagged_nowhere_and_every_fault_is_assessed() -> None:
    report = _report("clean")
    assert report.flags == ()
    assert all(report.is_assessed(f) for f in FAULTS)


@pytest.mark.parametrize(("name", "fault"), list(FAULTED.items()))
def test_each_injected_fault_is_flagged_on_its_steps_only(name: str, fault: str) -> None:
    report = _report(name)
    assert {f.rep for f in report.flags_for(fault)} == {4, 5}
    assert {f.fault for f in report.flags} == {fault}  # no other fault on the faulted steps


@pytest.mark.parametrize("name", ["clean", "knees_cave"])
def test_the_band_walk_is_recognised_from_its_landmarks(name: str) -> None:
    choice = analyse(load_sequence(DATA / f"band_walk_{name}.npz")).movement
    assert (choice.name, choice.status) == ("band-walk", "sure")


@pytest.mark.parametrize("name", [n for n, m in RECOGNITION_FIXTURES.items() if m != "band-walk"])
def test_no_other_movement_looks_like_a_band_walk(name: str) -> None:
    # the band walk is told by sideways steps (docs/adding-a-movement.md §4): every other movement's
    # recognition fixture scores it nil, not just lower than its own movement
    assert analyse(load_sequence(DATA / f"{name}.npz")).movement.scores["band-walk"] < 0.05


def test_from_the_side_every_fault_is_not_assessed_with_the_set_up_that_would() -> None:
    report = analyse(film(fixtures.motion_for("clean"), "right"), movement="band-walk")
    missing = {n.fault: n.setup for n in report.not_assessed if n.rep is None}
    assert set(missing) == set(FAULTS)
    assert all("front" in setup for setup in missing.values())
    assert report.flags == ()


def test_live_counts_the_steps_and_cues_the_caving_knees() -> None:
    seq = load_sequence(DATA / "band_walk_knees_cave.npz")
    live = LiveAnalyser("band-walk")
    cues = [
        c
        for i in range(seq.n_frames)
        for c in live.update(seq.landmarks_px[i], seq.visibility[i], seq.t_s[i])
    ]
    assert live.reps == 6
    assert {c.rep for c in cues if c.fault == "knee_collapse"} == {4, 5}
