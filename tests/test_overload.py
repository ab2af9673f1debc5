"""Progressive overload: the rule as a table, then three real analysed sets at rising loads in History.

The real sets are MediaPipe landmarks of rendered single-leg squats (tests/data): the clean sample
(3 reps) twice at 20 kg, then nine reps whose right knee collapses more and more at 30 kg
(``tests/data/make_fatigue_fixtures.py``).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from training_sets import MONDAY, analysed, save_set

from hipform.history import History
from hipform.overload import SetRecord, suggest, training_sessions
from hipform.webapp.training_log import log_rows

KNEE_R = ("knee_collapse", "right")
KNEE_L = ("knee_collapse", "left")
DROP_L = ("pelvic_drop", "left")


def sets(*rows: tuple) -> list[SetRecord]:
    """One set per row (week, load, marked flags, mild flags); a load is kg (a number), a band colour or
    None."""
    out = []
    for i, (week, load, marked, mild) in enumerate(rows):
        kg = float(load) if isinstance(load, (int, float)) else None
        band = load if isinstance(load, str) else None
        when = MONDAY + timedelta(weeks=week, minutes=i)
        out.append(SetRecord(i + 1, when, "single-leg-squat", 8, kg, band, None, tuple(marked), tuple(mild)))
    return out


@pytest.mark.parametrize(
    ("rows", "kind", "words"),
    [
        # nothing with a load: nothing to suggest
        ([], "none", "Enter the load"),
        # one clean session at a load: repeat it once more
        ([(0, 20, [], [])], "repeat", "Form held at 20 kg: repeat"),
        # two clean sessions at 20 kg: add resistance
        ([(0, 20, [], []), (1, 20, [], [])], "add", "Form held for two sessions at 20 kg"),
        # the same mild flags twice still held
        ([(0, 20, [], [DROP_L]), (1, 20, [], [DROP_L])], "add", "add resistance"),
        # more mild flags than last time at this load: stay
        ([(0, 20, [], []), (1, 20, [], [DROP_L])], "repeat", "More mild flags than last time at 20 kg"),
        # a marked flag last time at this load: not two sessions held yet
        ([(0, 20, [KNEE_R], []), (1, 20, [], [])], "repeat", "Form held at 20 kg: repeat"),
        # form broke at a heavier load than one that held: say where, with the side and the fault
        (
            [(0, 20, [], []), (1, 20, [], []), (2, 30, [KNEE_L, KNEE_L], [])],
            "broke",
            "Form held at 20 kg; the left knee collapsed at 30 kg",
        ),
        # ... bands too, in their colour order
        (
            [(0, "red", [], []), (1, "blue", [DROP_L], [])],
            "broke",
            "Form held at the red band; the hips dropped",
        ),
        # broke with no lighter load that held: lighten it
        ([(0, 30, [KNEE_R], [])], "lighten", "Form broke at 30 kg: the right knee collapsed"),
        # broke at a lighter load than one that held is no "held at" sentence
        ([(0, 30, [], []), (1, 20, [KNEE_R], [])], "lighten", "Form broke at 20 kg"),
        # sets without a load are left out of the rule
        ([(0, 20, [], []), (1, 20, [], [])] + [(2, None, [KNEE_R], [])], "add", "two sessions at 20 kg"),
    ],
)
def test_the_overload_rule(rows, kind, words) -> None:
    got = suggest(sets(*rows))
    assert got.kind == kind and words in got.text, got


def test_a_day_s_sets_at_one_load_are_one_session() -> None:
    records = sets((0, 20, [], []), (0, 20, [], [DROP_L]), (0, 25, [], []))
    sessions = training_sessions(records)
    assert [(t.load, len(t.sets), t.worst_mild) for t in sessions] == [("20 kg", 2, 1), ("25 kg", 1, 0)]


def test_three_real_sets_at_rising_loads_say_add_then_where_form_broke(tmp_path) -> None:
    clean, collapsing = analysed("single_leg_squat_front_clean"), analysed("sls_fatigue_grows")
    assert not clean["flags"] and any(f["severity"] == "marked" for f in collapsing["flags"])
    said = []
    with History(tmp_path / "h.sqlite", tmp_path / "videos") as hist:
        for week, (report, kg, rpe) in enumerate([(clean, 20, 6), (clean, 20, 7), (collapsing, 30, 9)]):
            save_set(hist, report, week, MONDAY + timedelta(weeks=week), kg, rpe)
            said.append(suggest(hist.training_sets("single-leg-squat")))
        rows = log_rows(hist.training_sets("single-leg-squat"))
    assert [s.kind for s in said] == ["repeat", "add", "broke"]
    assert said[2].text.startswith("Form held at 20 kg; the right knee collapsed at 30 kg")
    assert [(r["Day"].split(" (")[1], r["Sets × reps"], r["Load"], r["Effort (RPE 1–10)"]) for r in rows] == [
        ("week 10)", "1 × 3", "20 kg", "6"),
        ("week 11)", "1 × 3", "20 kg", "7"),
        ("week 12)", "1 × 9", "30 kg", "9"),
    ]
    assert rows[0]["Form per set"] == "held"
    # marked: the reps past the marked line by more than the FPPA's error (their interval clear of it)
    assert rows[2]["Form per set"].startswith("1 marked (the right knee collapsed)")
