"""Plain words for what hipform measures: a sentence per flag, units, signs and a glossary.

Reports keep their technical names and keys (the JSON schema does not change); everything a
runner reads — the app, the CLI summary — goes through this module, so the words live in one
place. The technical terms stay available for physios in :data:`GLOSSARY` (the app's glossary
expander and ``docs/glossary.md``, which :func:`glossary_markdown` writes).

The words for each graded measure are data (:data:`MEASURE_WORDS`, one row per measure a
:class:`hipform.kinematics.faults.FaultRule` or a clip-level flag uses); :func:`flag_sentence`
fills a row's sentence with a flag's measured value, threshold, side and phase.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # the report module imports the kinematics, which need none of this
    from hipform.kinematics.faults import FaultRule
    from hipform.report import Drift, Flag, Report

#: Faults in words (the report's ``fault`` keys stay as they are).
FAULT_NAMES = {
    "knee_collapse": "Knee collapse",
    "pelvic_drop": "Pelvic drop",
    "back_arch": "Back arching",
    "pelvic_roll": "Pelvis rolling back",
    "feet_apart": "Feet coming apart",
    "small_range": "Knee opening too small",
    "instability": "Wobble on one leg",
    "hinge_line": "Back and free leg out of line",
    "depth_lost": "Standing up out of the squat",
    "feet_together": "Feet coming together",
    "leg_forward": "Leg drifting forward",
    "hip_hike": "Hip hiking",
}

#: What a ``[J]`` in a threshold source means, said to a person.
JUDGEMENT = "no published cut-off; hipform's judgement"

#: When in a rep each phase of :class:`~hipform.kinematics.faults.FaultRule` is read.
PHASE_WORDS = {
    "bottom": "at the bottom",
    "top": "at the top",
    "hold": "while balancing on it",
    "midstance": "as your weight passed over the foot",
    "rep": "during the rep",
}

#: How a status of ``summary.faults`` reads.
STATUS_WORDS = {
    "flagged": "flagged",
    "not_flagged": "not seen",
    "not_assessed": "could not be judged",
    "not_checked": "not checked for this movement",
}

#: Camera views of a report, in words.
VIEW_WORDS = {
    "front": "filmed from the front",
    "rear": "filmed from behind",
    "side": "filmed from the side",
    "oblique": "filmed at an angle",
    "unknown": "camera view unclear",
}

UnitKind = Literal["deg", "percent", "times", "shoulder_widths"]


@dataclass(frozen=True)
class MeasureWords:
    """How one graded measure is said to a runner.

    Attributes
    ----------
    name : the measure in a few plain words (table columns, plot titles).
    sentence : what was seen, with ``{value}`` (the measured value with its unit), ``{leg}``
        (``"left "``, ``"right "`` or ``""``), ``{other}`` (the other leg: ``"right"``,
        ``"left"`` or ``"other"``), ``{stance}`` (``"Standing on your left leg, "`` or ``""``)
        and ``{when}`` (the phase in words, :data:`PHASE_WORDS`).
    advice : what to aim for, as the sentence's last clause.
    unit : how the value is shown: ``deg`` (degrees), ``percent`` (a ratio × 100),
        ``times`` (a ratio as "2.1 times") or ``shoulder_widths``.
    better : which way is better, for trend plots ("lower is better").
    context : what a bare value is a part of, for tables and summaries (" of your leg length").
    term : the technical term physios know it by (a :data:`GLOSSARY` entry), or "".
    negative : what a negative value means, with ``{other}`` and ``{value}`` (its size), or ""
        when a negative value needs no words.
    """

    name: str
    sentence: str
    advice: str
    unit: UnitKind
    better: str
    context: str = ""
    term: str = ""
    negative: str = ""


MEASURE_WORDS: dict[str, MeasureWords] = {
    "fppa_deg": MeasureWords(
        "knee angle in",
        "Your {leg}knee caved in by {value} {when}",
        "push the knee out so it stays over your second toe",
        "deg",
        "lower is better",
        term="FPPA",
        negative="the knee bowed out by {value}, the opposite of caving in",
    ),
    "hip_adduction_deg": MeasureWords(
        "thigh angled in",
        "Your {leg}thigh angled in across your body by {value} {when}",
        "land with the knee under the hip; a slightly quicker step rate helps",
        "deg",
        "lower is better",
        term="hip adduction",
        negative="the thigh angled out by {value}",
    ),
    "knee_separation_rel": MeasureWords(
        "knee width",
        "Your knees came in to {value} of their standing width {when}",
        "push both knees out over your second toes",
        "percent",
        "higher is better (100% = as wide as standing)",
        context=" of standing width",
        term="knee separation ratio",
    ),
    "knee_medial_shift_rel": MeasureWords(
        "knee moved in over the foot",
        "Your {leg}knee moved in over its foot by {value} of your leg length {when}",
        "aim to keep it over your second toe",
        "percent",
        "lower is better",
        context=" of leg length",
        term="medial",
        negative="the knee moved out by {value} of your leg length",
    ),
    "knee_toe_ratio": MeasureWords(
        "knee over the toes",
        "Your {leg}knee sat inside your toes {when}: {value} of the way out to them "
        "(100% is straight over the toes)",
        "push the knee out over your second toe",
        "percent",
        "higher is better (100% = over the toes)",
        context=" of the way out to the toes",
        term="knee over toes ratio",
    ),
    "pelvic_drop_deg": MeasureWords(
        "hip drop",
        "{stance}your {other} hip dropped {value} {when}",
        "keep your hips level by squeezing the glute of the leg you stand on",
        "deg",
        "lower is better (0° = level)",
        term="contralateral pelvic drop",
        negative="the {other} hip rose {value} instead of dropping",
    ),
    "pelvic_drop_asymmetry_deg": MeasureWords(
        "hip drop, left vs right",
        "Your hips dropped {value} more when standing on your {leg}leg than on the other",
        "give that side's glutes extra strength work",
        "deg",
        "lower is better",
        term="contralateral pelvic drop",
    ),
    "bridge_hip_line_deg": MeasureWords(
        "hips above the line",
        "Your hips rose {value} above the straight shoulder–knee line {when}: the extra lift "
        "comes from arching your lower back",
        "stop the lift when your ribs start to flare, with shoulders, hips and knees in one line",
        "deg",
        "lower is better",
        term="lumbar extension proxy",
        negative="the hips stayed {value} below the straight line",
    ),
    "thigh_past_trunk_deg": MeasureWords(
        "leg lifted past the back",
        "Your {leg}thigh went {value} past the line of your back {when}",
        "lift the leg only as high as the hip allows, before the lower back arches",
        "deg",
        "lower is better",
        term="lumbar extension proxy",
    ),
    "trunk_line_change_deg": MeasureWords(
        "back tilting",
        "Your back tilted {value} from where it started {when}",
        "keep your back still like a table top while the leg moves",
        "deg",
        "lower is better",
        term="lumbar extension proxy",
    ),
    "trunk_roll_deg": MeasureWords(
        "upper body rolling back",
        "Your upper body rolled back {value} {when} as the knee opened",
        "keep your hips stacked and open the knee only as far as the pelvis stays still",
        "deg",
        "lower is better",
    ),
    "feet_apart_ratio": MeasureWords(
        "heels coming apart",
        "Your heels came apart by {value} {when}",
        "keep your heels together as the knee opens",
        "shoulder_widths",
        "lower is better",
    ),
    "knee_opening_deg": MeasureWords(
        "knee opening",
        "Your knee opened only {value} {when}",
        "open the knee further, as far as the pelvis stays stacked",
        "deg",
        "higher is better",
    ),
    "pelvis_sway_speed_ratio": MeasureWords(
        "hip sway",
        "{stance}your hips swayed sideways at {value} of your leg length per second {when}",
        "steady the standing hip: squeeze that glute, fix your eyes on one point and slow down",
        "percent",
        "lower is better",
        context=" of leg length per second",
        term="sway speed",
    ),
    "pelvis_sway_asymmetry_ratio": MeasureWords(
        "hip sway, left vs right",
        "You swayed {value} as much standing on your {leg}leg as on the other",
        "give that side extra balance work",
        "times",
        "lower is better (1 time = even)",
        term="sway speed",
    ),
    "trunk_lean_stance_deg": MeasureWords(
        "leaning over the standing leg",
        "{stance}your upper body leaned {value} over it {when}",
        "keep your shoulders over your hips and level the pelvis with the glute, not by leaning",
        "deg",
        "lower is better",
        term="compensated Trendelenburg",
        negative="the upper body leaned {value} away from the standing leg",
    ),
    "pelvis_opening_deg": MeasureWords(
        "hips opening",
        "{stance}your free-side hip rose {value} {when}, opening the pelvis",
        "keep your hips square to the floor: point the free foot's toes down",
        "deg",
        "lower is better",
    ),
    "hinge_line_deg": MeasureWords(
        "back and leg out of line",
        "{stance}your back and free leg were {value} out of one straight line {when}",
        "move like a see-saw: back flat and the free leg in line with it",
        "deg",
        "lower is better",
    ),
    "free_foot_clearance_ratio": MeasureWords(
        "free foot off the floor",
        "{stance}your free foot came down to {value} of your leg length above the floor {when}",
        "slow down and keep the free foot up until you are upright again",
        "percent",
        "higher is better",
        context=" of leg length",
    ),
    # band walk
    "knee_separation_ratio": MeasureWords(
        "knee width against the band",
        "Your knees came in to {value} of your ankle width {when}",
        "push both knees out over your second toes against the band",
        "percent",
        "higher is better (100% = knees over the ankles)",
        context=" of ankle width",
        term="knee separation ratio",
    ),
    "knee_width_set_rel": MeasureWords(
        "knee width vs the first steps",
        "Your knees came in to {value} of their width in your first steps {when}",
        "push both knees out over your second toes against the band",
        "percent",
        "higher is better (100% = as wide as in the first steps)",
        context=" of the first steps' width",
        term="knee separation ratio",
    ),
    "trunk_sway_range_deg": MeasureWords(
        "upper body swaying",
        "Your upper body swayed {value} from side to side {when}",
        "keep your shoulders level over your hips and step with the hips",
        "deg",
        "lower is better",
    ),
    "hip_rise_set_ratio": MeasureWords(
        "hips rising out of the squat",
        "Your hips rose {value} of your leg length above your first steps' squat {when}",
        "stay low: keep the half squat for every step",
        "percent",
        "lower is better",
        context=" of leg length",
    ),
    "leg_forward_deg": MeasureWords(
        "leg drifting forward",
        "Your {leg}leg drifted {value} forward of your body's line {when}",
        "lift the leg straight up in line with your body, not ahead of you",
        "deg",
        "lower is better",
    ),
    "hip_hike_deg": MeasureWords(
        "hip hiking",
        "Your top hip pulled {value} up toward your ribs {when}",
        "keep your waist long and lift from the hip",
        "deg",
        "lower is better",
    ),
    "step_width_ratio": MeasureWords(
        "feet apart",
        "Your feet came to {value} your hip width apart {when}",
        "let the trailing foot follow only as far as the band stays tight",
        "times",
        "higher is better",
    ),
}

#: Technical terms the app and reports still use, for physios and the curious.
GLOSSARY: dict[str, str] = {
    "FPPA": "Frontal plane projection angle: the angle at the knee between the thigh (hip to knee) "
    "and the shin (knee to ankle), seen from the front or behind. Positive when the knee falls "
    "inside the hip–ankle line (knee valgus, 'caving in'), negative when it bows out (varus). "
    "hipform's figure is a 2D screening measure: it agrees only loosely with 3D motion capture.",
    "knee valgus": "The knee falling inwards, towards the other leg; 'knee collapse' in hipform.",
    "hip adduction": "The thigh angling in across the body, measured from the line square to the "
    "hips. In running it tracks knee collapse better than the knee angle does.",
    "knee separation ratio": "Knee width divided by ankle width at the bottom of a squat, relative "
    "to the same ratio standing: 100% means the knees stayed as wide as standing.",
    "knee over toes ratio": "Where a knee sits across the toes at the bottom of a deep squat: "
    "100% is straight over the toes, less is inside them.",
    "medial": "Towards the middle of the body (the other leg). Lateral is away from it.",
    "contralateral pelvic drop": "The hip of the lifted (swing) leg dropping below the hip of the "
    "standing leg. hipform gives it in degrees of the hip-to-hip line against level; positive "
    "means the lifted side dropped, negative that it rose instead (a hip hike).",
    "stance leg": "The leg you stand on; the other one is the swing or lifted leg.",
    "compensated Trendelenburg": "Leaning the upper body over the standing leg to keep the pelvis "
    "level, a sign the standing hip's glutes are working hard (Trendelenburg test).",
    "sway speed": "How fast the middle of the pelvis moves sideways while you stand on one leg, in "
    "leg lengths per second (a leg length is hip to knee plus knee to ankle in the picture).",
    "lumbar extension proxy": "hipform sees no spine: it cannot measure the lower back's arch "
    "directly. It measures something that goes with it — the hips rising above the "
    "shoulder–knee line in a bridge, the thigh lifting past the back's line in a kickback — "
    "and calls that back arching.",
    "midstance": "The moment in a running step when your weight passes over the foot on the "
    "ground: hipform reads hip drop and knee angles there.",
    "mild / marked": "Two lines per measure: past the first the fault is mild, past the second "
    "marked. Each line's source is given; where research gives no cut-off the line is "
    f"hipform's judgement ({JUDGEMENT}).",
    "smallest detectable difference (SDD)": "The smallest change between two measurements that is "
    "more than measurement noise: about 8–9° for the 2D knee angle, about 3° for pelvic drop. "
    "Smaller differences between sessions or legs may be noise.",
    "% sure": "hipform's confidence in a flag: lower when landmarks are half hidden, the view is "
    "unclear or the value is near the line.",
}


def judgement_words(text: str) -> str:
    """A threshold source or note with its ``[J]`` marks said in words.

    A leading mark opens the text ("No published cut-off; hipform's judgement: mild ≥ 10°…"),
    any other is put in brackets ("… a straight-knee landing (no published cut-off; …).").
    """
    text = text.strip()
    if text.startswith("[J]"):
        text = f"{JUDGEMENT[:1].upper()}{JUDGEMENT[1:]}:{text[3:]}"
    return text.replace(" [J]", f" ({JUDGEMENT})").replace("[J]", f"({JUDGEMENT})")


def measure_words(measure: str) -> MeasureWords | None:
    """The words for a graded measure, or None for one this module does not know."""
    return MEASURE_WORDS.get(measure)


def measure_name(measure: str, label: str = "") -> str:
    """A measure in a few plain words; the technical label (or the key in words) for an unknown one."""
    words = MEASURE_WORDS.get(measure)
    return words.name if words else (label or measure.replace("_", " "))


def _unit_kind(measure: str, unit: str) -> UnitKind:
    words = MEASURE_WORDS.get(measure)
    return words.unit if words else ("deg" if unit == "deg" else "times")


def format_amount(
    measure: str, value: float | None, unit: str = "deg", precise: bool = True, context: bool = False
) -> str:
    """A value of ``measure`` with its unit: ``23.1°``, ``74%``, ``2.1 times``, ``0.40 shoulder widths``.

    ``precise=False`` gives a threshold's short form (``16°``); ``context=True`` says what a
    percentage is of (``74% of standing width``), for a value shown on its own; a missing value is ``–``.
    """
    if value is None or not math.isfinite(float(value)):
        return "–"
    v = float(value)
    kind = _unit_kind(measure, unit)
    if kind == "deg":
        return f"{v:.1f}°" if precise else f"{v:g}°"
    if kind == "percent":
        words = MEASURE_WORDS.get(measure)
        pct = 100 * v
        shown = f"{pct:.1f}%" if abs(pct) < 10 else f"{pct:.0f}%"  # 0.4%, not a flat "0%"
        return shown + (words.context if context and words else "")
    if kind == "times":
        return f"{v:.1f} times" if precise else f"{v:g} times"
    return f"{v:.2f} shoulder widths" if precise else f"{v:g} shoulder widths"


def _other(side: str | None) -> str:
    return {"left": "right", "right": "left"}.get(side or "", "other")


def _fill(template: str, side: str | None, value: str, when: str) -> str:
    stance = f"Standing on your {side} leg, " if side in ("left", "right") else ""
    text = template.format(
        leg=f"{side} " if side in ("left", "right") else "",
        other=_other(side),
        stance=stance,
        value=value,
        when=when,
    )
    text = " ".join(text.split())  # an empty {when} or {leg} leaves double spaces
    return text[:1].upper() + text[1:]


def describe_value(measure: str, value: float | None, side: str | None = None, unit: str = "deg") -> str:
    """A value with its unit, and its sign said in words where a negative value means something.

    e.g. ``-4.9°`` of pelvic drop on the right leg → ``−4.9° (the left hip rose 4.9° instead of
    dropping)``.
    """
    shown = format_amount(measure, value, unit, context=True)
    words = MEASURE_WORDS.get(measure)
    if shown == "–" or words is None or not words.negative or float(value) >= 0:  # type: ignore[arg-type]
        return shown
    size = format_amount(measure, abs(float(value)), unit)  # type: ignore[arg-type]
    return f"{shown.replace('-', '−')} ({words.negative.format(other=_other(side), value=size)})"


def phase_of(movement: str | None, measure: str) -> str | None:
    """The phase a movement reads ``measure`` in (None: no rule of that movement grades it)."""
    from hipform.kinematics.movements import REGISTRY

    spec = REGISTRY.get(movement or "")
    return next((r.phase for r in spec.rules if r.measure == measure), None) if spec else None


def _line_phrase(flag: Flag) -> str:
    """How far past its lines a flag's value is, e.g. ``well past the 16° line (marked)``."""
    above = flag.threshold_marked >= flag.threshold_mild
    mild = format_amount(flag.measure, flag.threshold_mild, flag.unit, precise=False)
    marked = format_amount(flag.measure, flag.threshold_marked, flag.unit, precise=False)
    past = "past" if above else "under"
    if flag.severity == "marked":
        return f"well {past} the {marked} line for a marked fault"
    beyond_marked = flag.value >= flag.threshold_marked if above else flag.value < flag.threshold_marked
    if beyond_marked and flag.interval is not None:  # past the line, but not by more than the error
        near = flag.interval.low if above else flag.interval.high
        return (
            f"{past} the {marked} line for a marked fault, but this reading can be that far off "
            f"(the true size may be {format_amount(flag.measure, near, flag.unit)}), so it counts as mild"
        )
    return f"{past} the {mild} line for a mild fault (marked {'from' if above else 'under'} {marked})"


def interval_words(flag: Flag) -> str:
    """Where a flag's true size likely lies (9 readings in 10), e.g. ``15.9° to 29.0°``; ``–`` for a
    flag without an interval (a left/right difference)."""
    if flag.interval is None:
        return "–"
    low = format_amount(flag.measure, flag.interval.low, flag.unit)
    return f"{low} to {format_amount(flag.measure, flag.interval.high, flag.unit)}"


def flag_sentence(flag: Flag, movement: str | None = None) -> str:
    """One sentence a runner understands for a flag: what was seen, how far past the line, what to aim for.

    Parameters
    ----------
    flag : a report's flag (its measured value, thresholds, side, severity and rep).
    movement : the report's movement, for the phase its rule reads the measure in.

    Returns
    -------
    str
        e.g. "Your right knee caved in by 23.1° at the bottom — well past the 16° line for a marked
        fault; aim to keep it over your second toe." A measure this module has no words for falls
        back on the flag's own label and cue.
    """
    words = MEASURE_WORDS.get(flag.measure)
    value = format_amount(flag.measure, flag.value, flag.unit)
    phase = phase_of(movement, flag.measure) if flag.rep is not None else None
    when = PHASE_WORDS.get(phase or "", "")
    if words is None:
        side = f"{flag.side} " if flag.side else ""
        what = f"{FAULT_NAMES.get(flag.fault, flag.fault)} ({side}{flag.label}): {value}"
        advice = flag.cue
    else:
        what = _fill(words.sentence, flag.side, value, when)
        advice = words.advice
    return f"{what} — {_line_phrase(flag)}; {advice}."


#: What was seen when a fault broke form, for the training log ("the right knee collapsed at 30 kg"):
#: ``{leg}`` is ``"left "``, ``"right "`` or ``""``; ``{on}`` is ``" on the left leg"`` or ``""``.
FAULT_SEEN = {
    "knee_collapse": "the {leg}knee collapsed",
    "pelvic_drop": "the hips dropped{on}",
    "back_arch": "the back arched",
    "pelvic_roll": "the pelvis rolled back",
    "feet_apart": "the heels came apart",
    "small_range": "the knee opened too little",
    "instability": "you wobbled{on}",
    "hinge_line": "the back and free leg went out of line",
    "depth_lost": "the hips rose out of the squat",
    "feet_together": "the feet came together",
    "leg_forward": "the {leg}leg drifted forward",
    "hip_hike": "the hip hiked",
}


def fault_seen(fault: str, side: str | None) -> str:
    """A fault as something seen, e.g. ``the left knee collapsed`` (:data:`FAULT_SEEN`)."""
    leg = f"{side} " if side in ("left", "right") else ""
    on = f" on the {side} leg" if side in ("left", "right") else ""
    template = FAULT_SEEN.get(fault)
    if template is None:
        return f"{FAULT_NAMES.get(fault, fault).lower()}{on}"
    return template.format(leg=leg, on=on)


#: How a measure that got worse over the set is said, with ``{value}`` the amount (templates as
#: :attr:`MeasureWords.sentence`); a measure not listed is said with its plain name.
DRIFT_WORDS = {
    "fppa_deg": "your {leg}knee caved in {value} more",
    "hip_adduction_deg": "your {leg}thigh angled in {value} more",
    "knee_separation_rel": "your knees came in by {value} more of their standing width",
    "pelvic_drop_deg": "{stance}your {other} hip dropped {value} more",
    "trunk_lean_stance_deg": "{stance}your upper body leaned {value} more over it",
    "bridge_hip_line_deg": "your hips rose {value} further above the shoulder–knee line",
    "pelvis_sway_speed_ratio": "{stance}your hips swayed faster, by {value} of your leg length per second",
}


def _reps_words(reps: tuple[int, ...], kind: str) -> str:
    """``reps 1–3`` for consecutive reps, else ``reps 1, 3 and 5``."""
    if len(reps) == 1:
        return f"{kind} {reps[0]}"
    if all(b - a == 1 for a, b in zip(reps, reps[1:], strict=False)):
        return f"{kind}s {reps[0]}–{reps[-1]}"
    return f"{kind}s {', '.join(map(str, reps[:-1]))} and {reps[-1]}"


def drift_sentence(drift: Drift, rep_kind: str = "rep") -> str:
    """One sentence for form that got worse over the set.

    e.g. "Reps 7–9: your right knee caved in 21.3° more than in reps 1–3 (0.7° → 22.0° on average) —
    more than the 8.9° two readings can differ by chance; your form tires over the set: end the set
    when it starts, or rest longer between sets."
    """
    amount = format_amount(drift.measure, drift.difference, drift.unit)
    template = DRIFT_WORDS.get(drift.measure)
    if template is None:
        side = f" on the {drift.side} leg" if drift.side else ""
        what = f"{measure_name(drift.measure, drift.label)}{side} was {amount} worse"
    else:
        what = _fill(template, drift.side, amount, "")
        what = what[:1].lower() + what[1:]
    late = _reps_words(drift.late_reps, rep_kind)
    early = _reps_words(drift.early_reps, rep_kind)
    early_mean, late_mean = (
        format_amount(drift.measure, v, drift.unit).replace("-", "−")
        for v in (drift.early_mean, drift.late_mean)
    )
    means = f"{early_mean} → {late_mean} on average"
    sdd = format_amount(drift.measure, drift.sdd, drift.unit)
    return (
        f"{late[:1].upper()}{late[1:]}: {what} than in {early} ({means}) — more than the {sdd} two readings "
        "can differ by chance; your form tires over the set: end the set when it starts, or rest longer "
        "between sets."
    )


def plural(n: int, word: str) -> str:
    """``1 rep``, ``3 reps``."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def reason_words(reason: str, movement: str | None) -> str:
    """A not-assessed reason with a leading rule label (e.g. "knee frontal plane projection angle
    (FPPA): …") said in plain words."""
    from hipform.kinematics.movements import REGISTRY

    spec = REGISTRY.get(movement or "")
    for rule in spec.rules if spec else ():
        if reason.startswith(rule.label):
            name = measure_name(rule.measure, rule.label)
            return name[:1].upper() + name[1:] + reason[len(rule.label) :]
    return reason


#: A live cue's words for a measure, said aloud mid-set: ``{v}`` is the value, ``{leg}`` the leg
#: ("the left leg", "the standing leg"). Measures not listed are said by their fault
#: (:data:`LIVE_FAULT_WORDS`), else by their rule's label.
LIVE_MEASURE_WORDS = {
    "pelvis_opening_deg": "pelvis opening — {v}",
    "hinge_line_deg": "back and free leg out of line — {v}",
    "free_foot_clearance_ratio": "free foot touching down — {v} leg lengths up",
    "trunk_lean_stance_deg": "trunk leaning over {leg} — {v}",
    "pelvis_sway_speed_ratio": "wobbling on {leg} — pelvis sways {v} leg lengths/s",
    "feet_apart_ratio": "feet coming apart — {v} shoulder widths",
    "knee_opening_deg": "knee opening only {v}",
}
#: A live cue's words for a fault: ``{knee}`` is "left knee" (or "knees"), ``{other}`` the free side.
LIVE_FAULT_WORDS = {
    "knee_collapse": "{knee} collapsing — {v}",
    "pelvic_drop": "pelvis dropping on the {other} side — {v}",
    "pelvic_roll": "pelvis rolling back — {v}",
    "back_arch": "back arching — {v}",
}


def live_cue(rule: FaultRule, side: str | None, value: float) -> str:
    """The words of a live cue for a flagged rep: what went wrong, on which side, and how much
    (whole degrees, ratios to two decimals: it is heard, not read)."""
    v = f"{value:.0f}°" if rule.unit == "deg" else f"{value:.2f}"
    fallback = f"{rule.label.split(' (')[0]} — {{v}}"
    words = LIVE_MEASURE_WORDS.get(rule.measure) or LIVE_FAULT_WORDS.get(rule.fault) or fallback
    return words.format(
        v=v,
        leg=f"the {side or 'standing'} leg",
        knee=f"{side} knee" if side else "knees",
        other={"left": "right", "right": "left"}.get(side or "", "free"),
    )


#: The faults every movement's summary names, even when that movement does not check them (the
#: signs of weak hips); the other movements' own faults are named only where they are checked.
MAIN_FAULTS = ("knee_collapse", "pelvic_drop", "back_arch")


def summary_lines(report: Report) -> list[str]:
    """The clip's summary in plain words, for a terminal (``hipform analyse``).

    One line for the clip, one for the reps, one per fault (status and mean per side, with units
    and signs in words), one sentence per flag, then what could not be judged and the notes.
    """
    mv = report.movement
    view = VIEW_WORDS.get(report.view, f"{report.view} view")
    clip = f"{view} ({report.view_confidence:.0%} sure), {plural(report.n_frames, 'frame')}, "
    clip += f"{report.duration_s:.1f} s"
    source = report.source or "clip"
    notes = [f"  Note: {judgement_words(note)}" for note in report.notes]
    if not mv.judged:
        reason = report.not_assessed[0].reason if report.not_assessed else "no movement recognised"
        return [f"{source}: {clip}", f"  Not judged: {reason}", *notes]
    from hipform.kinematics.movements import REGISTRY

    title = REGISTRY[mv.name].title if mv.name in REGISTRY else mv.name
    how = "as you named it" if mv.status == "named" else f"recognised, {mv.confidence:.0%} sure"
    lines = [f"{source}: {title} ({how}), {clip}"]
    kind = report.summary.rep_kind
    count = plural(len(report.reps), kind)
    steps = report.summary.steps
    if steps is not None and math.isfinite(steps.cadence_spm):
        lo, hi = steps.cadence_ci_spm
        clock = " of clip time (slow motion)" if steps.slow_motion else ""
        count += f", cadence {steps.cadence_spm:.0f} steps/min{clock} (95% range {lo:.0f}–{hi:.0f})"
    lines.append(count)
    not_checked = [f for f in report.summary.faults if f.status == "not_checked" and f.fault in MAIN_FAULTS]
    for fs in report.summary.faults:
        if fs.status == "not_checked":
            continue
        status = STATUS_WORDS.get(fs.status, fs.status.replace("_", " "))
        if fs.status == "flagged":
            status = f"flagged in {fs.reps_flagged} of {plural(fs.reps_assessed, kind)}"
        elif fs.status == "not_flagged":
            status = f"not seen in {plural(fs.reps_assessed, kind)}"
        line = f"{FAULT_NAMES.get(fs.fault, fs.fault)}: {status}"
        ms = report.summary.measure(fs.measure) if fs.measure else None
        if fs.sides and fs.measure:
            unit = ms.unit if ms is not None else "deg"
            means = "; ".join(
                f"{s.side or 'both legs'} {describe_value(fs.measure, s.mean, s.side, unit)}"
                for s in fs.sides
            )
            line += f" — {measure_name(fs.measure)}, average: {means}"
        lines.append(line)
    if not_checked:
        names = ", ".join(FAULT_NAMES.get(fs.fault, fs.fault).lower() for fs in not_checked)
        lines.append(f"Not checked for this movement: {names}")
    if report.flags:
        lines.append("What hipform saw:")
    for f in report.flags:
        where = f"{kind.capitalize()} {f.rep}" if f.rep is not None else "Whole clip"
        likely = f"; true size likely {interval_words(f)}" if f.interval is not None else ""
        lines.append(f"  {where}: {flag_sentence(f, mv.name)} ({f.confidence:.0%} sure{likely})")
    if report.drift:
        lines.append("Form over the set:")
    for d in report.drift:
        lines.append(f"  {drift_sentence(d, kind)}")
    for na in report.not_assessed:
        if na.rep is None:
            name = FAULT_NAMES.get(na.fault, na.fault)
            lines.append(f"  Could not judge {name.lower()}: {reason_words(na.reason, mv.name)}")
    return lines + notes


def glossary_markdown(with_keys: bool = True) -> str:
    """The glossary as Markdown: ``docs/glossary.md`` (``with_keys``: a heading and the table of
    report keys) or, without them, the app's expander (which names no report key)."""
    lines = [f"- **{term}**: {text}" for term, text in GLOSSARY.items()]
    if not with_keys:
        return "\n".join(lines) + "\n"
    intro = (
        "The technical terms behind hipform's plain words, for physios and the curious. "
        "This file is written by `hipform.plain.glossary_markdown()`; a test keeps the two the same."
    )
    lines = ["# Glossary", "", intro, "", *lines, "", "## The measures in plain words", ""]
    lines += ["| measure key (in reports) | in plain words | technical term | better |", "|---|---|---|---|"]
    lines += [f"| `{key}` | {w.name} | {w.term or '–'} | {w.better} |" for key, w in MEASURE_WORDS.items()]
    return "\n".join(lines) + "\n"
