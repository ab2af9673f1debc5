"""The guided hip check: a fixed sequence of short tests, each judged "that worked" or "film again".

A runner asks "do my hips need attention, and what should I do about it?". The check answers
with eight short clips (:data:`TESTS`): a double-leg squat, a single-leg squat on each leg, a
30-second single-leg stance on each leg (a Trendelenburg-style hold), a step-up leading with each
leg and a glute bridge. Each clip is judged by :func:`judge_test` (the same analysis as every
clip, :func:`hipform.judge.judge`) and gets one of three outcomes:

* ``judged`` — the clip shows the right movement, from the right side, on the right leg, with
  enough reps; its findings come from the published criteria below;
* ``film_again`` — it could not be judged, and the reason says why (wrong view, another movement
  or hipform unsure which, body cut off, too few reps, too dark or nobody found); such a test is
  never counted as passed;
* ``not_done`` — no clip was given.

Criteria (docs/hip-check.md has them with their sources):

* Single-leg squat: the five criteria of Crossley et al. 2011 (Am J Sports Med 39:866), rated
  from what hipform measures — overall impression (from the parts measured), trunk (lateral lean
  toward the stance leg), pelvis "in space" (contralateral pelvic drop), hip (not assessed: hip
  adduction and internal rotation have no published 2D cut-off and rotation cannot be seen in 2D)
  and knee (frontal plane projection angle, Herrington 2014 thresholds).
* Single-leg stance: positive when the pelvis drops on the lifted-leg side or the trunk leans
  over the stance leg (compensated), as in the Trendelenburg test (Bird 2001, Arthritis Rheum
  44:2138: sensitivity ~73%, specificity ~77%); the time until the pelvis first drops is given.
* Every other test: its movement's fault rules (:mod:`hipform.kinematics.movements`).
* Left vs right, and a re-test against an earlier check: a difference counts only when it is
  larger than the measure's smallest detectable difference (2D FPPA ~8°, Munro 2012, J Sport
  Rehabil 21:7, SDD 7.5–8.9°; 2D pelvic drop ~2.8°, Dingenen 2018, Phys Ther Sport 33:40).

Recommendations are matched to what was found (:data:`PROGRAMMES`) with the dose runners are
usually given; the check is a screen, not a diagnosis (:data:`DISCLAIMER`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np

from hipform.errors import ClipTooShortError, HipformError, NoPersonError, VideoReadError
from hipform.kinematics.faults import FaultRule
from hipform.kinematics.movements import REGISTRY
from hipform.kinematics.reading_error import clears_marked
from hipform.kinematics.stability import compute_trunk_lean_deg
from hipform.landmarks import Landmark
from hipform.report import Report
from hipform.sequence import PoseSequence
from hipform.webapp.setup_help import ADVICE, _diagram

#: Version of the JSON written by :meth:`HipCheck.to_dict`.
CHECK_SCHEMA_VERSION = "1.0.0"
#: Video (and landmark file) suffixes a clip of the check may have.
CLIP_SUFFIXES = (".mp4", ".mov", ".m4v", ".webm", ".avi", ".mkv", ".gif", ".npz")

View = Literal["front", "rear", "side"]
Status = Literal["judged", "film_again", "not_done"]

CROSSLEY_2011 = (
    "Crossley KM et al. 2011, Am J Sports Med 39:866 (single-leg squat rated on overall impression, "
    "trunk, pelvis, hip and knee)"
)
BIRD_2001 = (
    "Bird PA et al. 2001, Arthritis Rheum 44:2138 (Trendelenburg test: sensitivity ~73%, specificity ~77%)"
)
#: Smallest detectable difference per graded measure: (value, unit, source). A left/right or
#: re-test difference within it is measurement noise.
SDD: dict[str, tuple[float, str]] = {
    "fppa_deg": (8.0, "2D knee FPPA: SDD 7.5–8.9° (Munro 2012, J Sport Rehabil 21:7)"),
    "pelvic_drop_deg": (2.8, "2D pelvic drop: SDD 2.7–2.8° (Dingenen 2018, Phys Ther Sport 33:40)"),
}
#: Lateral trunk lean toward the stance leg graded as a Trendelenburg-style compensation, degrees
#: from standing [J]: no published 2D cut-off; 5° is about twice the sagittal pose error of a
#: trunk segment seen square-on (biomechanics.md §3) and clearly visible to a rater.
TRUNK_LEAN_MILD_DEG = 5.0
TRUNK_LEAN_MARKED_DEG = 10.0
TRUNK_LEAN_SOURCE = (
    "[J] lateral trunk lean toward the stance leg ≥ 5° from standing (≥ 10° marked); Crossley 2011 rate "
    "trunk lean by eye, Bird 2001 count a trunk lean over the stance leg as a compensated Trendelenburg"
)
#: A stance hold shorter than this cannot be judged [J]: the test asks for 30 s; fatigue-related
#: drops come late, so a shorter hold is judged only on what it shows and says so.
MIN_HOLD_S = 5.0
#: The hold the stance test asks for, seconds (Trendelenburg-style, Bird 2001 held 30 s).
ASKED_HOLD_S = 30.0
#: The pelvis counts as dropped once the drop stays at or past the mild threshold this long [J].
DROP_SUSTAINED_S = 0.2
#: Share of the frames with a person in which a key landmark may be outside the picture [J].
MAX_CUT_OFF_SHARE = 0.25
#: Share of frames that must have a person found [J].
MIN_DETECTION = 0.5
#: Mean brightness (0–255) under which a clip with nobody found is called too dark [J].
DARK_LUMA = 45.0


@dataclass(frozen=True)
class CheckTest:
    """One test of the hip check.

    Attributes
    ----------
    key : its name and the file stem of its clip in a check folder (``single-leg-squat-left``).
    title : its name for a person.
    movement : the movement in :data:`hipform.kinematics.movements.REGISTRY`.
    side : the working (stance, lead) leg, or None for two-legged tests.
    view : where the camera stands: ``front``, ``rear`` or ``side``.
    how_to : what to do, step by step, in plain words.
    min_reps : fewest reps (holds) on ``side`` that are judged; the test asks for 5 reps.
    """

    key: str
    title: str
    movement: str
    side: str | None
    view: View
    how_to: tuple[str, ...]
    min_reps: int = 3

    @property
    def camera_steps(self) -> tuple[str, ...]:
        """How to set up the camera (the app's set-up advice for this view)."""
        steps = ADVICE["side" if self.view == "side" else "frontal"].steps
        if self.view == "rear":
            return ("Put the camera straight behind you, square on — not at an angle.", *steps[1:])
        if self.view == "front":
            return ("Put the camera straight in front of you, square on — not at an angle.", *steps[1:])
        return steps

    @property
    def picture_svg(self) -> str:
        """A top-down sketch of where the camera goes (the app's set-up diagrams)."""
        if self.view == "rear":
            return _diagram((150.0, 12.0), "camera behind you, square on")
        return ADVICE["side" if self.view == "side" else "frontal"].svg

    @property
    def views_accepted(self) -> tuple[str, ...]:
        """Views that judge it: either frontal view shows the frontal plane; the bridge needs the side."""
        return ("side",) if self.view == "side" else ("front", "rear")


def _leg(side: str) -> str:
    return "right" if side == "left" else "left"


def _single_leg_tests(side: str) -> tuple[CheckTest, CheckTest, CheckTest]:
    other = _leg(side)
    return (
        CheckTest(
            key=f"single-leg-squat-{side}",
            title=f"Single-leg squat, {side} leg",
            movement="single-leg-squat",
            side=side,
            view="front",
            how_to=(
                f"Stand on your {side} leg, arms crossed on the chest, the {other} foot just off the floor.",
                "Squat down as far as you comfortably can (about 60° at the knee) and stand up again.",
                "Do 5 in a row at an even pace, about 2 seconds each.",
            ),
        ),
        CheckTest(
            key=f"single-leg-stance-{side}",
            title=f"Single-leg stance 30 s, {side} leg",
            movement="single-leg-balance",
            side=side,
            view="rear",
            how_to=(
                "Start standing on both feet for a second, hands on the hips.",
                f"Lift the {other} foot behind you (knee bent) and stand on your {side} leg for 30 seconds.",
                "Keep looking ahead; put the foot down when the 30 seconds are up.",
            ),
            min_reps=1,
        ),
        CheckTest(
            key=f"step-up-{side}",
            title=f"Step-up, {side} leg",
            movement="step-up",
            side=side,
            view="front",
            how_to=(
                "Use a sturdy step or box 20–30 cm high, straight in front of the camera.",
                f"Step up with the {side} foot, stand tall on top, step down; lead with the {side} foot "
                "each time.",
                "Do 5 in a row at an even pace.",
            ),
        ),
    )


_LEFT = _single_leg_tests("left")
_RIGHT = _single_leg_tests("right")

#: The tests of the check, in the order they are filmed.
TESTS: tuple[CheckTest, ...] = (
    CheckTest(
        key="squat",
        title="Double-leg squat",
        movement="squat",
        side=None,
        view="front",
        how_to=(
            "Feet hip-width apart, toes slightly out, arms crossed on the chest.",
            "Squat as deep as is comfortable and stand up again.",
            "Do 5 in a row at an even pace.",
        ),
    ),
    _LEFT[0],
    _RIGHT[0],
    _LEFT[1],
    _RIGHT[1],
    _LEFT[2],
    _RIGHT[2],
    CheckTest(
        key="bridge",
        title="Glute bridge",
        movement="bridge",
        side=None,
        view="side",
        how_to=(
            "Lie on your back, knees bent, feet flat and hip-width apart, arms by your sides.",
            "Lift the hips until shoulders, hips and knees make a straight line; hold a second; lower.",
            "Do 5 in a row.",
        ),
    ),
)
#: key → test.
TESTS_BY_KEY: dict[str, CheckTest] = {t.key: t for t in TESTS}


def check_test_named(key: str) -> CheckTest:
    """The test called ``key``; ValueError naming the choices for an unknown one."""
    try:
        return TESTS_BY_KEY[key]
    except KeyError:
        raise ValueError(f"unknown test {key!r}; the tests are {', '.join(TESTS_BY_KEY)}") from None


# ------------------------------------------------------------------ results
@dataclass(frozen=True)
class KeyFigure:
    """One graded number of one test: a measure on one side against its threshold.

    Attributes
    ----------
    test : the test's key.
    fault : ``knee_collapse``, ``pelvic_drop``, ``back_arch`` or ``trunk_lean``.
    measure : the graded measure (``fppa_deg``, ``pelvic_drop_deg``, ``trunk_lean_deg``, …).
    label : the measure in words.
    side : the leg it was read on, or None (both legs / whole body).
    value : the mean over the judged reps (the hold's value for a stance test), in ``unit``.
    unit : ``deg`` or ``ratio``.
    threshold : the mild threshold; direction : ``above`` or ``below`` (which side is a fault).
    source : where the threshold comes from.
    reps_judged, reps_flagged : reps graded on this side, and how many passed the threshold.
    found : the fault counts as found in this test (a majority of the judged reps flagged).
    severity : ``mild`` or ``marked`` when found, else None.
    worst_frame : the frame of the worst rep (for a thumbnail), or -1.
    """

    test: str
    fault: str
    measure: str
    label: str
    side: str | None
    value: float
    unit: str
    threshold: float
    direction: str
    source: str
    reps_judged: int
    reps_flagged: int
    found: bool
    severity: str | None = None
    worst_frame: int = -1

    @property
    def margin(self) -> float:
        """How far past (> 0) or short of (< 0) the threshold the value is, relative to the threshold."""
        if not math.isfinite(self.value) or self.threshold == 0:
            return -math.inf
        sign = 1.0 if self.direction == "above" else -1.0
        return sign * (self.value - self.threshold) / abs(self.threshold)

    def describe(self) -> str:
        """``left knee FPPA 23.6° (threshold ≥ 10°)``."""
        side = f"{self.side} " if self.side else ""
        return f"{side}{self.label} {fmt(self.value, self.unit, self.measure)} ({threshold_text(self)})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "test": self.test,
            "fault": self.fault,
            "measure": self.measure,
            "label": self.label,
            "side": self.side,
            "value": _num(self.value),
            "unit": self.unit,
            "threshold": _num(self.threshold),
            "direction": self.direction,
            "source": self.source,
            "reps_judged": self.reps_judged,
            "reps_flagged": self.reps_flagged,
            "found": self.found,
            "severity": self.severity,
        }


@dataclass(frozen=True)
class Criterion:
    """One criterion of a published rating (Crossley 2011's single-leg squat).

    Attributes
    ----------
    name : the criterion (``overall impression``, ``trunk``, ``pelvis``, ``hip``, ``knee``).
    rating : ``good``, ``poor`` or ``not_assessed``.
    detail : what it was rated on, or why it was not assessed.
    """

    name: str
    rating: Literal["good", "poor", "not_assessed"]
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "rating": self.rating, "detail": self.detail}


@dataclass(frozen=True)
class CheckResult:
    """What one test came to.

    Attributes
    ----------
    test : the test.
    status : ``judged``, ``film_again`` or ``not_done``.
    reason : why it must be filmed again, or was not done ("" when judged).
    source : the clip's file name ("" when not done).
    figures : its graded numbers (empty unless judged).
    criteria : the published rating's criteria (single-leg squat), else empty.
    not_assessed : parts of the test hipform could not judge, each with the reason.
    notes : other plain-language remarks (a short hold, the other leg's reps left out).
    hold_s : stance tests: how long the hold lasted; drop_after_s : when the pelvis first dropped
        (None: it stayed level).
    report : the clip's full analysis (None when it could not be analysed).
    thumbnails : worst-frame JPEG per found figure, in the order of :attr:`findings`.
    """

    test: CheckTest
    status: Status
    reason: str = ""
    source: str = ""
    figures: tuple[KeyFigure, ...] = ()
    criteria: tuple[Criterion, ...] = ()
    not_assessed: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    hold_s: float | None = None
    drop_after_s: float | None = None
    report: Report | None = field(default=None, compare=False, repr=False)
    thumbnails: tuple[bytes | None, ...] = field(default=(), compare=False, repr=False)

    @property
    def judged(self) -> bool:
        return self.status == "judged"

    @property
    def findings(self) -> tuple[KeyFigure, ...]:
        """The figures that count as found."""
        return tuple(f for f in self.figures if f.found)

    @property
    def key_figure(self) -> KeyFigure | None:
        """The one number to show: the worst found figure, else the one nearest its threshold."""
        pool = self.findings or self.figures
        return max(pool, key=lambda f: f.margin) if pool else None

    def headline(self) -> str:
        """One plain sentence: the result of the test."""
        if self.status == "not_done":
            return "not done"
        if self.status == "film_again":
            return f"film again: {self.reason}"
        if not self.findings:
            return "no sign of weak hips"
        parts = [f"{fault_words(f.fault)}{f' ({f.side})' if f.side else ''}" for f in self.findings]
        return "found: " + ", ".join(dict.fromkeys(parts))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "test": self.test.key,
            "title": self.test.title,
            "movement": self.test.movement,
            "side": self.test.side,
            "view": self.test.view,
            "status": self.status,
            "result": self.headline(),
            "reason": self.reason,
            "source": self.source,
            "key_figures": [f.to_dict() for f in self.figures],
            "criteria": [c.to_dict() for c in self.criteria],
            "not_assessed": list(self.not_assessed),
            "notes": list(self.notes),
        }
        if self.hold_s is not None:
            out["hold_s"] = _num(self.hold_s, 1)
            out["pelvis_dropped_after_s"] = _num(self.drop_after_s, 1)
        return out


FAULT_WORDS = {
    "knee_collapse": "knee collapse",
    "pelvic_drop": "pelvic drop",
    "back_arch": "back arching",
    "trunk_lean": "trunk lean over the stance leg",
    "instability": "wobble (pelvis sway)",
}


def fault_words(fault: str) -> str:
    """A fault in plain words."""
    return FAULT_WORDS.get(fault, fault.replace("_", " "))


def fmt(value: float, unit: str, measure: str = "") -> str:
    """A value for a person: ``23.6°``, or a ratio in its measure's own unit (``82%``, ``0.40
    shoulder widths``: :func:`hipform.plain.format_amount`); ``–`` when not measurable."""
    if not math.isfinite(value):
        return "–"
    if unit == "deg" or not measure:
        return f"{value:.1f}°" if unit == "deg" else f"{value:.2f}"
    from hipform.plain import format_amount

    return format_amount(measure, value, unit)


def threshold_text(fig: KeyFigure) -> str:
    """``threshold ≥ 10°`` or ``threshold < 0.9``."""
    op = "≥" if fig.direction == "above" else "<"
    return f"threshold {op} {fmt(fig.threshold, fig.unit, fig.measure)}"


def _num(x: float | None, nd: int = 3) -> float | None:
    if x is None or not math.isfinite(float(x)):
        return None
    return round(float(x), nd)


# ------------------------------------------------------------------ judging one clip
def film_again(test: CheckTest, reason: str, source: str = "", report: Report | None = None) -> CheckResult:
    """A test that could not be judged: never passed, with the reason and the way to fix it."""
    return CheckResult(test=test, status="film_again", reason=reason, source=source, report=report)


def _key_points() -> list[int]:
    return [
        int(lm)
        for lm in (
            Landmark.LEFT_SHOULDER,
            Landmark.RIGHT_SHOULDER,
            Landmark.LEFT_HIP,
            Landmark.RIGHT_HIP,
            Landmark.LEFT_KNEE,
            Landmark.RIGHT_KNEE,
            Landmark.LEFT_ANKLE,
            Landmark.RIGHT_ANKLE,
        )
    ]


def cut_off_share(seq: PoseSequence) -> float:
    """Share of the frames with a person in which a shoulder, hip, knee or ankle lies outside the picture."""
    xy = seq.landmarks_px[:, _key_points(), :2]
    seen = np.isfinite(xy).all(axis=-1).any(axis=1)
    if not seen.any():
        return 0.0
    with np.errstate(invalid="ignore"):
        outside = (
            (xy[..., 0] < 0) | (xy[..., 0] >= seq.width_px) | (xy[..., 1] < 0) | (xy[..., 1] >= seq.height_px)
        )
    return float(outside.any(axis=1)[seen].mean())


def _recognition_problem(test: CheckTest, auto: Report) -> str | None:
    """Why the clip is not the test's movement, or None when it is (or may be)."""
    want = REGISTRY[test.movement].title.lower()
    mv = auto.movement
    if mv.status == "other":
        return f"hipform could not see a {want} in it (no movement it checks fits); {test.how_to[-1].lower()}"
    if mv.status == "sure" and mv.name != test.movement:
        return f"it looks like a {REGISTRY[mv.name].title.lower()}, not a {want}"
    if mv.status == "unsure" and test.movement not in mv.candidates:
        names = " or ".join(REGISTRY[c].title.lower() for c in mv.candidates)
        return f"hipform is not sure what movement it is (maybe {names}), and not a {want}"
    return None


def judge_test(
    test: CheckTest, seq: PoseSequence, source_name: str = "", video_path: str | Path | None = None
) -> CheckResult:
    """Judge one clip for one test: "that worked" (``judged``) or "film again because …".

    Parameters
    ----------
    test : the test the clip was filmed for.
    seq : the clip's landmarks.
    source_name : the clip's name for messages.
    video_path : the clip itself, for the worst-frame thumbnails (None: a skeleton on a blank
        picture, e.g. for a landmark file).

    Returns
    -------
    CheckResult
        ``judged`` with the test's figures, or ``film_again`` with the reason: too dark or no
        person, body cut off, another movement (or hipform unsure), the wrong view, the wrong
        leg, or too few reps (too short a hold).
    """
    from hipform.judge import judge

    name = source_name or seq.source or test.key
    if seq.detection_rate < MIN_DETECTION:
        return film_again(
            test,
            f"a person was found in only {seq.detection_rate:.0%} of the frames: film in good light, "
            "one person in view, head to feet in the picture",
            name,
        )
    share = cut_off_share(seq)
    if share > MAX_CUT_OFF_SHARE:
        return film_again(
            test,
            f"the body is cut off (hips, knees or feet outside the picture) in {share:.0%} of the frames: "
            "step back or move the camera so you are in the picture head to feet",
            name,
        )
    try:
        auto = judge(seq, movement="auto", source_name=name)
    except NoPersonError as exc:
        return film_again(test, str(exc), name)
    problem = _recognition_problem(test, auto)
    if problem:
        return film_again(test, f"{problem}. Film the {test.title.lower()} as shown", name, auto)
    report = auto if auto.movement.name == test.movement and auto.movement.judged else None
    report = report or judge(seq, movement=test.movement, source_name=name)
    if report.view not in test.views_accepted:
        where = {"front": "in front of you", "rear": "behind you", "side": "at your side"}[test.view]
        return film_again(
            test,
            f"wrong view: the camera saw you {_view_words(report.view)}; put it {where}, square on, "
            "at knee-to-hip height",
            name,
            report,
        )
    return _score(test, report, seq, name, video_path)


def _view_words(view: str) -> str:
    return {
        "front": "from the front",
        "rear": "from behind",
        "side": "from the side",
        "oblique": "at an angle",
    }.get(view, "from a direction it could not tell")


def _score(
    test: CheckTest, report: Report, seq: PoseSequence, name: str, video_path: str | Path | None
) -> CheckResult:
    """Grade a clip of the right movement and view (or say why it still cannot be judged)."""
    reps = [r for r in report.reps if test.side is None or r.side == test.side]
    other = [r for r in report.reps if test.side is not None and r.side not in (test.side, None)]
    kind = "holds" if test.movement == "single-leg-balance" else "reps"
    if not reps and other:
        return film_again(
            test,
            f"all {len(other)} {kind} were on the {_leg(test.side)} leg; this test is the {test.side} leg",
            name,
            report,
        )
    notes: list[str] = []
    if other:
        notes.append(
            f"{len(other)} {kind} on the {_leg(test.side)} leg were left out "
            f"(this test is the {test.side} leg)."
        )
    hold_s = drop_after_s = None
    if test.movement == "single-leg-balance":
        hold = max(reps, key=lambda r: r.t_end_s - r.t_start_s, default=None)
        hold_s = 0.0 if hold is None else hold.t_end_s - hold.t_start_s
        if hold is None or hold_s < MIN_HOLD_S:
            return film_again(
                test,
                f"the hold lasted {hold_s:.0f} s; stand on the {test.side} leg for {ASKED_HOLD_S:.0f} s "
                f"(at least {MIN_HOLD_S:.0f})",
                name,
                report,
            )
        reps = [hold]
        if hold_s < ASKED_HOLD_S - 1.0:
            notes.append(f"Held {hold_s:.0f} s of the {ASKED_HOLD_S:.0f} s asked: judged on what it shows.")
    elif len(reps) < test.min_reps:
        return film_again(
            test,
            f"only {len(reps)} complete {kind} found; do 5 (at least {test.min_reps}) at an even pace",
            name,
            report,
        )
    movement = REGISTRY[test.movement]
    for rule in movement.rules:
        if not report.is_assessed(rule.fault):
            na = next(
                n for n in report.not_assessed if n.fault == rule.fault and n.rep is None and n.side is None
            )
            return film_again(
                test,
                f"{fault_words(rule.fault)} could not be judged: {na.reason}",
                name,
                report,
            )
    sides = [test.side] if test.side else ["left", "right"]
    figures = [
        fig
        for rule in movement.rules
        for side in (sides if rule.per_side else [None])
        if (fig := rule_figure(test, rule, report, reps, side)) is not None
    ]
    not_assessed = [
        f"{rule.label}{f' ({side})' if side else ''}: no rep could be graded"
        for rule in movement.rules
        for side in (sides if rule.per_side else [None])
        if not any(f.measure == rule.measure and f.side == side for f in figures)
    ]
    criteria: tuple[Criterion, ...] = ()
    if test.movement in ("single-leg-squat", "single-leg-balance"):
        lean = trunk_lean_figure(test, report, seq, reps)
        if lean is not None:
            figures.append(lean)
        else:
            not_assessed.append("trunk lean: the shoulders or hips were not seen well enough")
    if test.movement == "single-leg-balance":
        drop_after_s = time_to_first_drop(report, reps[0], test.side)
    if test.movement == "single-leg-squat":
        criteria = crossley_criteria(figures)
        not_assessed += [f"{c.name}: {c.detail}" for c in criteria if c.rating == "not_assessed"]
    result = CheckResult(
        test=test,
        status="judged",
        source=name,
        figures=tuple(figures),
        criteria=criteria,
        not_assessed=tuple(not_assessed),
        notes=tuple(notes),
        hold_s=hold_s,
        drop_after_s=drop_after_s,
        report=report,
    )
    return replace(result, thumbnails=thumbnails(result, seq, video_path))


def rule_figure(
    test: CheckTest, rule: FaultRule, report: Report, reps: Sequence[Any], side: str | None
) -> KeyFigure | None:
    """A rule's figure on one side over the judged reps (None when no rep could be graded).

    A fault counts as found when at least half the graded reps are flagged [J]: one rep of five
    past the threshold is within the measure's rep-to-rep noise (biomechanics.md §0: average reps).
    """
    values = [v for r in reps if (v := r.value_of(rule.measure, side)) is not None and v.assessed]
    values = [v for v in values if math.isfinite(v.value)]
    if not values:
        return None
    indices = {r.index for r in reps}
    flags = [
        f
        for f in report.flags
        if f.measure == rule.measure and f.side == side and f.rep is not None and f.rep in indices
    ]
    mean = float(np.mean([v.value for v in values]))
    found = 2 * len(flags) >= len(values) and bool(flags)
    worst = max(flags, key=lambda f: f.value if rule.direction == "above" else -f.value, default=None)
    severity = (rule.severity(mean) or "mild") if found else None
    if severity == "marked" and worst.interval is not None:  # the mean's interval must clear it too
        severity = "marked" if clears_marked(rule, worst.interval.shifted(mean - worst.value)) else "mild"
    return KeyFigure(
        test=test.key,
        fault=rule.fault,
        measure=rule.measure,
        label=rule.label,
        side=side,
        value=mean,
        unit=rule.unit,
        threshold=rule.mild,
        direction=rule.direction,
        source=rule.source,
        reps_judged=len(values),
        reps_flagged=len(flags),
        found=found,
        severity=severity,
        worst_frame=worst.worst_frame if worst else -1,
    )


# ------------------------------------------------------------------ trunk lean and the hold
def trunk_lean_figure(
    test: CheckTest, report: Report, seq: PoseSequence, reps: Sequence[Any]
) -> KeyFigure | None:
    """Trunk lean toward the stance leg, from standing (the frames before the first rep).

    Single-leg squat: the median within 0.1 s of each rep's bottom, averaged over the reps.
    Stance: the 90th percentile over the hold (a lean that comes late, as the hip tires, counts).
    """
    side = test.side or "right"
    lean = compute_trunk_lean_deg(seq.landmarks_px)[:, 0 if side == "left" else 1]  # toward the stance hip
    t = seq.t_s
    first = min(r.start_frame for r in reps)
    standing = lean[: max(first, 0)]
    base = float(np.nanmedian(standing)) if np.isfinite(standing).sum() >= 5 else 0.0
    per_rep = []
    for r in reps:
        if test.movement == "single-leg-balance":
            w = lean[r.start_frame : r.end_frame + 1]
            per_rep.append(float(np.nanpercentile(w, 90)) if np.isfinite(w).any() else math.nan)
        else:
            near = np.abs(t - r.t_key_s) <= 0.1
            w = lean[near]
            per_rep.append(float(np.nanmedian(w)) if np.isfinite(w).any() else math.nan)
    values = np.array(per_rep) - base
    values = values[np.isfinite(values)]
    if values.size == 0:
        return None
    flagged = int((values >= TRUNK_LEAN_MILD_DEG).sum())
    found = flagged > 0 and 2 * flagged >= values.size
    mean = float(values.mean())
    worst = max(reps, key=lambda r: r.key_frame)
    return KeyFigure(
        test=test.key,
        fault="trunk_lean",
        measure="trunk_lean_deg",
        label="trunk lean over the stance leg",
        side=side,
        value=mean,
        unit="deg",
        threshold=TRUNK_LEAN_MILD_DEG,
        direction="above",
        source=TRUNK_LEAN_SOURCE,
        reps_judged=int(values.size),
        reps_flagged=flagged,
        found=found,
        severity=("marked" if mean >= TRUNK_LEAN_MARKED_DEG else "mild") if found else None,
        worst_frame=int(worst.key_frame),
    )


def time_to_first_drop(report: Report, hold: Any, side: str | None) -> float | None:
    """Seconds from the start of the hold until the pelvis first drops past the mild threshold
    and stays there :data:`DROP_SUSTAINED_S`; None when it stays level."""
    rule = next(r for r in REGISTRY["single-leg-balance"].rules if r.fault == "pelvic_drop")
    series = report.measures.get(f"pelvic_drop_{side}_deg")
    if series is None:
        return None
    t = report.t_s[hold.start_frame : hold.end_frame + 1]
    with np.errstate(invalid="ignore"):
        dropped = np.asarray(series[hold.start_frame : hold.end_frame + 1]) >= rule.mild
    for i in np.flatnonzero(dropped):
        j = i
        while j + 1 < dropped.size and dropped[j + 1]:
            j += 1
        if t[j] - t[i] >= DROP_SUSTAINED_S:
            return float(t[i] - t[0])
    return None


# ------------------------------------------------------------------ Crossley 2011
def crossley_criteria(figures: Sequence[KeyFigure]) -> tuple[Criterion, ...]:
    """The single-leg squat rated on Crossley et al. 2011's five criteria, from what hipform measures.

    Crossley's raters judge each criterion by eye as good or poor over 5 reps; hipform rates a
    criterion ``poor`` when its measure counts as found (a majority of reps past the threshold),
    ``good`` when it was measured and not found, and ``not_assessed`` for what a single 2D camera
    cannot show.
    """

    def rate(fault: str, what: str) -> Criterion:
        figs = [f for f in figures if f.fault == fault]
        name = {"trunk_lean": "trunk", "pelvic_drop": "pelvis", "knee_collapse": "knee"}[fault]
        if not figs:
            return Criterion(name, "not_assessed", f"{what} could not be measured")
        f = max(figs, key=lambda g: g.margin)
        return Criterion(
            name,
            "poor" if f.found else "good",
            f"{what}: {fmt(f.value, f.unit, f.measure)} ({threshold_text(f)})",
        )

    trunk = rate(
        "trunk_lean", "lateral trunk lean over the stance leg (rotation and forward lean not assessed)"
    )
    pelvis = rate("pelvic_drop", "pelvic drop on the free-leg side (pelvic shift and rotation not assessed)")
    knee = rate("knee_collapse", "knee frontal plane projection angle (knee medial to the foot)")
    hip = Criterion(
        "hip",
        "not_assessed",
        "hip adduction and internal rotation: no published 2D cut-off, and rotation cannot be seen in 2D",
    )
    parts = (trunk, pelvis, knee)
    rated = [c for c in parts if c.rating != "not_assessed"]
    if not rated:
        overall = Criterion("overall impression", "not_assessed", "nothing could be measured")
    else:
        poor = [c.name for c in rated if c.rating == "poor"]
        overall = Criterion(
            "overall impression",
            "poor" if poor else "good",
            ("poor " + ", ".join(poor) if poor else "trunk, pelvis and knee all good")
            + " (from the measured parts only; smoothness and balance are not rated)",
        )
    return (overall, trunk, pelvis, hip, knee)


# ------------------------------------------------------------------ thumbnails
#: Longer side of a worst-frame thumbnail, pixels (it is cropped to the body first).
THUMBNAIL_PX = 320


def thumbnails(
    result: CheckResult, seq: PoseSequence, video_path: str | Path | None
) -> tuple[bytes | None, ...]:
    """A worst-frame JPEG per finding, cropped to the body, its joints and measurement lines drawn.

    From the clip's own frame when there is a video, else (a landmark file) the skeleton on a
    plain picture.
    """
    findings = result.findings
    if not findings:
        return ()
    frames = {f.worst_frame for f in findings if 0 <= f.worst_frame < seq.n_frames}
    images: dict[int, tuple[np.ndarray, float]] = {}
    if frames and video_path is not None and Path(video_path).suffix.lower() != ".npz":
        from hipform.video import iter_frames

        try:
            for frame in iter_frames(video_path, max_side=960):
                if frame.index in frames:
                    images[frame.index] = (frame.image, frame.scale)
                if frame.index >= max(frames):
                    break
        except HipformError:
            images = {}  # a still is a nicety: a clip that decoded once and not now gets the skeleton
    out = []
    for fig in findings:
        i = fig.worst_frame
        if not 0 <= i < seq.n_frames:
            out.append(None)
            continue
        image, scale = images.get(i) or (np.full((seq.height_px, seq.width_px, 3), 235, np.uint8), 1.0)
        out.append(_still(image, scale, seq, i, _flag_for(result, fig)))
    return tuple(out)


def _still(image: np.ndarray, scale: float, seq: PoseSequence, i: int, flag) -> bytes | None:
    """``image`` (frame ``i``) with the flag's joints drawn, cropped to the body, as a small JPEG."""
    import cv2

    from hipform.analysis_job import flag_marks
    from hipform.annotate import FLAG_RGB, Highlight, draw_pose

    xy = seq.landmarks_px[i, :, :2] * scale
    joints, lines = flag_marks(flag)
    hl = Highlight(0.0, 0.0, joints, "", FLAG_RGB.get(flag.severity, FLAG_RGB["marked"]), lines)
    drawn = draw_pose(image, xy, seq.visibility[i], [hl])
    seen = xy[np.isfinite(xy).all(axis=1)]
    if seen.size:
        (x0, y0), (x1, y1) = seen.min(axis=0), seen.max(axis=0)
        pad = 0.12 * max(x1 - x0, y1 - y0)
        h, w = drawn.shape[:2]
        x0, y0 = int(max(0, x0 - pad)), int(max(0, y0 - pad))
        x1, y1 = int(min(w, x1 + pad)), int(min(h, y1 + pad))
        if x1 - x0 > 8 and y1 - y0 > 8:
            drawn = drawn[y0:y1, x0:x1]
    factor = THUMBNAIL_PX / max(drawn.shape[:2])
    if factor < 1:
        drawn = cv2.resize(drawn, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(drawn, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 82])
    return buf.tobytes() if ok else None


def _flag_for(result: CheckResult, fig: KeyFigure):
    """The report flag of the figure's worst rep; a stand-in for the trunk lean (it has no rule):
    the hips and shoulders are what it is measured on."""
    from hipform.report import Flag

    report = result.report
    match = next(
        (
            f
            for f in (report.flags if report else ())
            if f.measure == fig.measure and f.worst_frame == fig.worst_frame
        ),
        None,
    )
    if match is not None:
        return match
    return Flag(
        fault=fig.fault,
        side=fig.side,
        severity=fig.severity or "mild",
        measure="trunk_line_change_deg" if fig.fault == "trunk_lean" else fig.measure,
        label=fig.label,
        value=fig.value,
        unit=fig.unit,
        threshold=fig.threshold,
        threshold_mild=fig.threshold,
        threshold_marked=fig.threshold,
        threshold_source=fig.source,
        rep=None,
        t_start_s=0.0,
        t_end_s=0.0,
        worst_frame=max(fig.worst_frame, 0),
        confidence=1.0,
        cue="",
    )


# ------------------------------------------------------------------ a clip from a file
def load_test_clip(path: str | Path, progress=None) -> PoseSequence:
    """The landmarks of a clip: a saved ``.npz`` as it is, a video through the pose model (cached).

    Raises
    ------
    VideoReadError, NoPersonError, ClipTooShortError, InputLimitError, ModelUnavailableError
    """
    from hipform.limits import check_long_enough

    path = Path(path)
    if path.suffix.lower() == ".npz":
        from hipform.sequence import load_sequence

        try:
            seq = load_sequence(path)
        except ValueError as exc:
            raise VideoReadError(f"{exc}. Give a video or a file saved by 'hipform pose'.") from None
    else:
        from hipform.cache import estimate_pose_cached
        from hipform.limits import Limits, check_clip

        limits = Limits.from_env()
        check_clip(path, limits)
        seq = estimate_pose_cached(path, progress=progress).seq
    check_long_enough(seq.n_frames, seq.duration_s, path.name)
    return seq


def mean_brightness(path: str | Path, frames: int = 10) -> float | None:
    """Mean luma (0–255) of the first few frames of a video, or None when it cannot be read."""
    from hipform.video import iter_frames

    try:
        values = []
        for frame in iter_frames(path, max_side=160):
            values.append(float(frame.image.mean()))
            if len(values) >= frames:
                break
        return float(np.mean(values)) if values else None
    except HipformError:
        return None


def check_clip(test: CheckTest, path: str | Path, progress=None) -> CheckResult:
    """Judge the clip at ``path`` for ``test``; a clip that cannot be read or has nobody in it is
    "film again" with the reason (too dark, too short, not a video), never an error."""
    path = Path(path)
    try:
        seq = load_test_clip(path, progress)
    except NoPersonError:
        luma = mean_brightness(path) if path.suffix.lower() != ".npz" else None
        why = "it is too dark" if luma is not None and luma < DARK_LUMA else "nobody was found in it"
        return film_again(
            test, f"{why}: film in good light, one person in view, head to feet in the picture", path.name
        )
    except ClipTooShortError as exc:
        return film_again(test, f"too short ({exc})", path.name)
    except HipformError as exc:  # unreadable, over the limits, no model: the user's clip to redo
        return film_again(test, str(exc), path.name)
    return judge_test(test, seq, path.name, path)


# ------------------------------------------------------------------ the check
@dataclass(frozen=True)
class Programme:
    """Exercises for one kind of finding."""

    key: str
    title: str
    why: str
    exercises: tuple[str, ...]


#: What to do, matched to what was found (biomechanics.md §7; docs/hip-check.md).
PROGRAMMES: dict[str, Programme] = {
    "knee": Programme(
        "knee",
        "Knees caving in: strengthen the hip muscles that hold the knee out",
        "knee collapse",
        ("clamshells", "side-lying leg lifts", "band walks (a band round the knees, steps sideways)"),
    ),
    "pelvis": Programme(
        "pelvis",
        "Pelvis dropping or wobbling: single-leg strength and control",
        "pelvic drop or trunk lean",
        ("single-leg bridges", "single-leg deadlifts", "step-ups (slow, the knee over the foot)"),
    ),
    "back": Programme(
        "back",
        "Back arching: bridge and kickback technique",
        "back arching",
        (
            "bridges lifting only until shoulders, hips and knees line up, ribs down",
            "kickbacks on all fours with the back still, the leg only to hip height",
        ),
    ),
}
#: Finding → programme; any other fault found on one leg (pelvic drop, trunk lean, a wobble) is a
#: single-leg control problem.
PROGRAMME_FOR_FAULT = {"knee_collapse": "knee", "back_arch": "back"}
DOSE = (
    "2–3 sessions a week, 15–20 minutes each, 2–3 sets of 10–15 slow reps; add resistance (a band or "
    "a weight) once the form holds for every rep."
)
RETEST = "Re-test in 4–6 weeks with the same camera set-up."
DISCLAIMER = (
    "This is a movement screen from video, not a diagnosis. hipform's knee figure is a 2D screening "
    "measure. If you have pain, see a physiotherapist or doctor."
)


@dataclass(frozen=True)
class Change:
    """One figure in a re-test against an earlier check."""

    test: str
    label: str
    side: str | None
    before: float
    after: float
    unit: str
    sdd: float | None
    verdict: Literal["better", "worse", "no real change", "not compared"]

    def describe(self) -> str:
        side = f", {self.side}" if self.side and self.side not in self.test else ""
        delta = self.after - self.before
        sign = "+" if delta >= 0 else "−"
        body = (
            f"{self.test}{side}, {self.label}: {fmt(self.before, self.unit)} → {fmt(self.after, self.unit)} "
            f"({sign}{fmt(abs(delta), self.unit)})"
        )
        if self.verdict == "not compared":
            return f"{body}: no known smallest detectable difference, not called"
        if self.verdict == "no real change":
            return f"{body}: no real change (within the SDD of {fmt(self.sdd or 0.0, self.unit)})"
        return f"{body}: {self.verdict} (beyond the SDD of {fmt(self.sdd or 0.0, self.unit)})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "test": self.test,
            "label": self.label,
            "side": self.side,
            "before": _num(self.before),
            "after": _num(self.after),
            "unit": self.unit,
            "sdd": self.sdd,
            "verdict": self.verdict,
        }


def compare_checks(before: dict[str, Any], after: dict[str, Any]) -> tuple[Change, ...]:
    """What changed between two checks of the same person (their :meth:`HipCheck.to_dict`).

    A change counts as real (``better``/``worse``) only when it is larger than the measure's
    smallest detectable difference (:data:`SDD`); a measure with no known SDD is listed but not
    called.
    """
    old = {
        (f["test"], f["measure"], f["side"]): f
        for t in before.get("tests", [])
        for f in t.get("key_figures", [])
        if f.get("value") is not None
    }
    out = []
    for t in after.get("tests", []):
        for f in t.get("key_figures", []):
            prev = old.get((f["test"], f["measure"], f["side"]))
            if prev is None or f.get("value") is None:
                continue
            a, b = float(prev["value"]), float(f["value"])
            sdd = SDD.get(f["measure"], (None, ""))[0]
            if sdd is None:
                verdict = "not compared"
            elif abs(b - a) <= sdd:
                verdict = "no real change"
            else:
                worse = (b > a) == (f["direction"] == "above")
                verdict = "worse" if worse else "better"
            out.append(
                Change(t.get("title", f["test"]), f["label"], f["side"], a, b, f["unit"], sdd, verdict)
            )
    order = ("worse", "better", "no real change", "not compared")
    return tuple(sorted(out, key=lambda c: order.index(c.verdict)))


@dataclass(frozen=True)
class LeftRight:
    """One measure of one test on both legs."""

    test: str
    label: str
    measure: str
    left: float
    right: float
    unit: str
    sdd: float | None

    @property
    def verdict(self) -> str:
        if not (math.isfinite(self.left) and math.isfinite(self.right)):
            return "one side not measured"
        if self.sdd is None:
            return "no known smallest detectable difference: not compared"
        diff = self.left - self.right
        if abs(diff) <= self.sdd:
            return f"no real difference (within the SDD of {fmt(self.sdd, self.unit, self.measure)})"
        sdd = fmt(self.sdd, self.unit, self.measure)
        return f"larger on the {'left' if diff > 0 else 'right'} (beyond the SDD of {sdd})"

    @property
    def asymmetric(self) -> bool:
        return self.verdict.startswith("larger")

    def to_dict(self) -> dict[str, Any]:
        return {
            "test": self.test,
            "label": self.label,
            "measure": self.measure,
            "left": _num(self.left),
            "right": _num(self.right),
            "unit": self.unit,
            "sdd": self.sdd,
            "verdict": self.verdict,
        }


@dataclass(frozen=True)
class HipCheck:
    """A whole check of one person: every test's result, what to do, and the re-test comparison.

    Attributes
    ----------
    who : name or initials ("" when not given).
    when : when the check was made.
    results : one per test of :data:`TESTS`, in order.
    changes : the re-test comparison with an earlier check (empty without one).
    """

    who: str
    when: datetime
    results: tuple[CheckResult, ...]
    changes: tuple[Change, ...] = ()

    @property
    def judged(self) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if r.judged)

    @property
    def findings(self) -> tuple[KeyFigure, ...]:
        return tuple(f for r in self.results for f in r.findings)

    def summary(self) -> str:
        """The check in one or two plain sentences."""
        n, total = len(self.judged), len(self.results)
        if n == 0:
            return "No test could be judged: film them again as shown."
        missing = total - n
        tail = (
            f" {missing} of {total} tests could not be judged: film them again to complete the check."
            if missing
            else ""
        )
        if not self.findings:
            return f"No sign of weak hips in the {n} tests that could be judged.{tail}"
        found = list(
            dict.fromkeys(f"{fault_words(f.fault)}{f' ({f.side})' if f.side else ''}" for f in self.findings)
        )
        return f"Signs of weak hips in {n} judged tests: {', '.join(found)}.{tail}"

    def programmes(self) -> tuple[Programme, ...]:
        """The exercise blocks matched to the findings, in a fixed order."""
        keys = {PROGRAMME_FOR_FAULT.get(f.fault, "pelvis") for f in self.findings}
        return tuple(p for k, p in PROGRAMMES.items() if k in keys)

    def left_right(self) -> tuple[LeftRight, ...]:
        """Each single-leg measure on both legs, with the verdict against its SDD."""
        rows = []
        for left, right in zip(_LEFT, _RIGHT, strict=True):
            rl = next(r for r in self.results if r.test.key == left.key)
            rr = next(r for r in self.results if r.test.key == right.key)
            if not (rl.judged or rr.judged):
                continue
            measures = dict.fromkeys(f.measure for f in (*rl.figures, *rr.figures))
            for m in measures:
                fl = next((f for f in rl.figures if f.measure == m), None)
                fr = next((f for f in rr.figures if f.measure == m), None)
                ref = fl or fr
                rows.append(
                    LeftRight(
                        test=left.title.rsplit(",", 1)[0],
                        label=ref.label,
                        measure=m,
                        left=fl.value if fl else math.nan,
                        right=fr.value if fr else math.nan,
                        unit=ref.unit,
                        sdd=SDD.get(m, (None, ""))[0],
                    )
                )
        return tuple(rows)

    def not_assessed(self) -> tuple[str, ...]:
        """What was not assessed and why, one line each (tests not judged first)."""
        lines = [f"{r.test.title}: {r.headline()}" for r in self.results if not r.judged]
        for r in self.judged:
            lines += [f"{r.test.title}: {line}" for line in r.not_assessed]
        return tuple(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": CHECK_SCHEMA_VERSION,
            "kind": "hipform hip check",
            "who": self.who,
            "when": self.when.isoformat(timespec="seconds"),
            "summary": self.summary(),
            "tests": [r.to_dict() for r in self.results],
            "left_right": [row.to_dict() for row in self.left_right()],
            "recommendations": {
                "programmes": [
                    {"for": p.why, "title": p.title, "exercises": list(p.exercises)}
                    for p in self.programmes()
                ],
                "dose": DOSE,
                "retest": RETEST,
            },
            "changes": [c.to_dict() for c in self.changes],
            "criteria_sources": [CROSSLEY_2011, BIRD_2001, *(s for _, s in SDD.values())],
            "disclaimer": DISCLAIMER,
        }


def run_check(
    clips: dict[str, str | Path],
    who: str = "",
    when: datetime | None = None,
    previous: dict[str, Any] | None = None,
    progress=None,
) -> HipCheck:
    """Judge a check: ``clips`` maps test keys to clip files (a missing test is "not done").

    Parameters
    ----------
    clips : test key → clip path (video or ``.npz`` landmark file).
    who : name or initials for the report.
    when : the time of the check (default: now).
    previous : an earlier check of the same person (:meth:`HipCheck.to_dict`), for the re-test.
    progress : called as ``(test key, frames done, frames total)`` while a clip goes through the
        pose model.

    Raises
    ------
    ValueError
        A key in ``clips`` that is not a test.
    """
    for key in clips:
        check_test_named(key)
    results = []
    for test in TESTS:
        path = clips.get(test.key)
        if path is None:
            results.append(CheckResult(test=test, status="not_done", reason="no clip given"))
            continue
        cb = None if progress is None else (lambda done, total, k=test.key: progress(k, done, total))
        results.append(check_clip(test, path, cb))
    check = HipCheck(who=who, when=when or datetime.now().astimezone(), results=tuple(results))
    if previous is not None:
        check = replace(check, changes=compare_checks(previous, check.to_dict()))
    return check


def clips_in_folder(folder: str | Path) -> dict[str, Path]:
    """The check's clips in ``folder``: files named after a test key (``squat.mp4``,
    ``single-leg-squat-left.mov``, …; case ignored); other files are left alone.

    Raises
    ------
    ValueError
        ``folder`` is not a folder, or two files name one test.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder")
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        key = path.stem.lower()
        if path.suffix.lower() in CLIP_SUFFIXES and key in TESTS_BY_KEY and path.is_file():
            if key in found:
                raise ValueError(
                    f"two clips for the test {key!r}: {found[key].name} and {path.name}; keep one"
                )
            found[key] = path
    return found
