"""Plain words: a sentence per flag for every fault rule, signs and units in words, the glossary,
and the CLI summary as a user runs it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from hipform import plain
from hipform.kinematics.faults import FAULTS
from hipform.kinematics.movements import REGISTRY
from hipform.report import Flag

ROOT = Path(__file__).resolve().parents[1]

#: Every (movement, rule) of the registry: each fault rule hipform grades.
RULES = [(name, rule) for name, spec in REGISTRY.items() for rule in spec.rules]

#: Internal names a person must never read: measure keys, fault keys, status keys.
INTERNAL = sorted(
    {r.measure for _, r in RULES}
    | {"pelvic_drop_asymmetry_deg", "pelvis_sway_asymmetry_ratio"}
    | set(FAULTS)
    | {"not_assessed", "not_flagged", "not_checked"}
)

#: A decimal number not followed by a unit (°, %, times, shoulder widths, seconds, steps/min).
BARE_NUMBER = re.compile(r"(?<![\w.])-?\d+\.\d+(?![\d°%]| times| shoulder widths| s\b| steps/min)")


def make_flag(rule, side: str | None, severity: str, rep: int | None = 2) -> Flag:
    """A flag of ``rule`` just past its mild or marked line."""
    line = rule.marked if severity == "marked" else rule.mild
    step = abs(rule.marked - rule.mild) * 0.2
    value = line + step if rule.direction == "above" else line - step
    return Flag(
        fault=rule.fault,
        side=side,
        severity=severity,
        measure=rule.measure,
        label=rule.label,
        value=value,
        unit=rule.unit,
        threshold=line,
        threshold_mild=rule.mild,
        threshold_marked=rule.marked,
        threshold_source=rule.source,
        rep=rep,
        t_start_s=0.0,
        t_end_s=1.0,
        worst_frame=10,
        confidence=0.9,
        cue=rule.cue,
    )


def assert_plain(text: str) -> None:
    """No measure or status key, no [J], no bare number without its unit."""
    assert "[J]" not in text, text
    for key in INTERNAL:
        assert key not in text, (key, text)
    assert not BARE_NUMBER.search(text), (BARE_NUMBER.search(text).group(), text)


@pytest.mark.parametrize("severity", ["mild", "marked"])
@pytest.mark.parametrize(("movement", "rule"), RULES, ids=[f"{m}-{r.measure}" for m, r in RULES])
def test_every_rule_has_a_plain_sentence(movement, rule, severity):
    assert rule.measure in plain.MEASURE_WORDS  # no rule falls back on its technical label
    for side in ("left", "right") if rule.per_side else (None,):
        flag = make_flag(rule, side, severity)
        text = plain.flag_sentence(flag, movement)
        assert_plain(text)
        assert text[0].isupper() and text.endswith(".")
        # the measured value with its unit, and the line it passed (the marked one when marked)
        assert plain.format_amount(rule.measure, flag.value, rule.unit) in text, text
        line = rule.marked if severity == "marked" else rule.mild
        assert f"the {plain.format_amount(rule.measure, line, rule.unit, precise=False)} line" in text, text
        assert ("well " in text) == (severity == "marked"), text
        assert plain.PHASE_WORDS[rule.phase] in text, text  # when in the rep it was read
        assert plain.MEASURE_WORDS[rule.measure].advice in text
        if side is not None:
            other = "right" if side == "left" else "left"
            assert f"{side} leg" in text or f"{side} knee" in text or f"{side} thigh" in text, text
            if rule.measure == "pelvic_drop_deg":  # the hip that drops is the lifted leg's
                assert f"Standing on your {side} leg, your {other} hip dropped" in text, text


@pytest.mark.parametrize(
    ("measure", "unit", "value", "expected"),
    [
        (
            "pelvic_drop_asymmetry_deg",
            "deg",
            4.2,
            "Your hips dropped 4.2° more when standing on your left leg",
        ),
        (
            "pelvis_sway_asymmetry_ratio",
            "ratio",
            2.14,
            "You swayed 2.1 times as much standing on your left leg",
        ),
    ],
)
def test_clip_level_flags_read_plainly(measure, unit, value, expected):
    flag = Flag(
        "pelvic_drop",
        "left",
        "mild",
        measure,
        "left/right difference",
        value,
        unit,
        1.5,
        1.5,
        3.0,
        "[J] left/right difference",
        None,
        0.0,
        5.0,
        3,
        0.8,
        "cue",
    )
    text = plain.flag_sentence(flag, "running")
    assert text.startswith(expected), text
    assert_plain(text)


def test_signs_are_said_in_words():
    # standing on the right leg, a negative drop: the lifted (left) hip rose
    assert plain.describe_value("pelvic_drop_deg", -4.9, "right") == (
        "−4.9° (the left hip rose 4.9° instead of dropping)"
    )
    assert plain.describe_value("pelvic_drop_deg", 6.0, "left") == "6.0°"
    assert "bowed out by 1.1°" in plain.describe_value("fppa_deg", -1.1, "left")
    assert plain.describe_value("knee_separation_rel", 0.74, None, "ratio") == "74% of standing width"
    assert plain.describe_value("fppa_deg", float("nan")) == "–"


def test_judgement_marks_are_said_in_words():
    for _, rule in RULES:
        text = plain.judgement_words(rule.source)
        assert "[J]" not in text
        assert rule.source.startswith("[J]") == text.startswith("No published cut-off; hipform's judgement:")
    assert plain.judgement_words("less than 10° is little [J].") == (
        "less than 10° is little (no published cut-off; hipform's judgement)."
    )


def test_glossary_explains_every_term_and_the_doc_is_current():
    for words in plain.MEASURE_WORDS.values():
        assert not words.term or words.term in plain.GLOSSARY, words.term
    for term in ("FPPA", "contralateral pelvic drop", "lumbar extension proxy"):
        assert term in plain.GLOSSARY
    assert (ROOT / "docs" / "glossary.md").read_text("utf-8") == plain.glossary_markdown(), (
        "docs/glossary.md is out of date: write it with hipform.plain.glossary_markdown()"
    )
    app_text = plain.glossary_markdown(with_keys=False)
    assert not any(key in app_text for key in INTERNAL)  # the app's glossary names no report key


def test_plural():
    assert plain.plural(1, "rep") == "1 rep" and plain.plural(3, "step") == "3 steps"


def run_analyse(landmarks: str) -> str:
    res = subprocess.run(
        [sys.executable, "-m", "hipform", "analyse", str(ROOT / "tests" / "data" / landmarks), "-q"],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    return res.stdout


def test_cli_summary_speaks_plainly():
    """`hipform analyse` on real MediaPipe landmarks of a left knee caving in: the same words as the app."""
    out = run_analyse("app_single_leg_squat_left_valgus.npz")
    lines = out.splitlines()
    assert lines[1] == "3 reps", out
    assert "Your left knee caved in by 12" in out and "past the 10° line for a mild fault" in out
    assert "Knee collapse: flagged in 2 of 3 reps — knee angle in, average: left 12." in out
    # a negative pelvic drop is said in words
    assert "(the right hip rose" in out and "instead of dropping)" in out
    judged = [line for line in lines if "Note:" not in line]  # notes are the analysis's own sentences
    assert_plain("\n".join(judged))


def test_cli_summary_of_side_on_running_says_why_and_no_judgement_mark():
    out = run_analyse("running_treadmill_side_every3.npz")
    assert "[J]" not in out and "(no published cut-off; hipform's judgement)" in out
    assert "Could not judge knee collapse: Thigh angled in needs a front or rear view" in out
    assert "not_assessed" not in out and "knee_collapse" not in out
