"""``hipform analyse`` on a saved landmark file."""

from __future__ import annotations

import json

import pytest
from kin_helpers import film, simulate_motion

from hipform.cli import main
from hipform.sequence import save_sequence
from hipform.synth.athlete import Faults


def test_analyse_cli_writes_json_and_csvs(tmp_path, capsys) -> None:
    motion = simulate_motion("single-leg-squat", reps=2, faults=Faults(knee_valgus_deg=18.0, side="left"))
    npz = save_sequence(film(motion, "front"), tmp_path / "clip.npz")
    out = tmp_path / "r.json"
    code = main(
        [
            "analyse",
            str(npz),
            "--exercise",
            "single-leg-squat",
            "--json",
            str(out),
            "--csv",
            str(tmp_path / "m.csv"),
            "--reps-csv",
            str(tmp_path / "reps.csv"),
            "-q",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "Single-leg squat" in printed and "Your left knee caved in" in printed
    data = json.loads(out.read_text())
    assert data["movement"]["name"] == "single-leg-squat" and len(data["reps"]) == 2
    assert {f["side"] for f in data["flags"] if f["fault"] == "knee_collapse"} == {"left"}
    assert (tmp_path / "m.csv").stat().st_size > 0 and (tmp_path / "reps.csv").stat().st_size > 0


def test_analyse_cli_rejects_unknown_exercise(tmp_path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["analyse", str(tmp_path / "x.npz"), "--exercise", "deadlift"])
    assert exc.value.code == 2
