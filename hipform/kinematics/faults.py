"""The fault table: what hipform checks for each movement, when, against which threshold, and why.

One row per (movement, fault, measure). Thresholds are defaults with their
sources (biomechanics.md); ``[J]`` marks a judgement call where the
literature gives no cut-off. The app shows these rows to the user as they
are, so every field is written for a person.
"""

from __future__ import annotations

from dataclasses import dataclass

MOVEMENTS = (
    "bridge",
    "single-leg-bridge",
    "kickback",
    "step-up",
    "squat",
    "single-leg-squat",
    "single-leg-balance",
    "running",
)
FAULTS = ("knee_collapse", "pelvic_drop", "back_arch")

#: Camera set-up that lets each view requirement be met, said to the user.
SETUP_HINTS = {
    "frontal": "film from straight in front or behind, camera at knee-to-pelvis height, whole body in frame",
    "frontal-feet": "film from the feet, camera low and looking along the body at the pelvis",
    "side": "film from the side, camera at hip height, square to the movement",
}


@dataclass(frozen=True)
class FaultRule:
    """One checked fault of one movement.

    Attributes
    ----------
    fault : ``knee_collapse``, ``pelvic_drop`` or ``back_arch``.
    measure : name of the per-rep value graded (see ``hipform.kinematics.analysis``):
        ``fppa_deg``, ``knee_separation_rel``, ``hip_adduction_deg``,
        ``pelvic_drop_deg``, ``bridge_hip_line_deg``, ``thigh_past_trunk_deg``,
        ``trunk_line_change_deg``.
    label : the measure in words.
    phase : when in the rep it is read: ``bottom`` (peak knee flexion),
        ``top`` (top hold), ``hold`` (whole single-leg hold), ``midstance``
        (running stance) or ``rep`` (worst over the rep).
    mild, marked : thresholds; the fault is ``mild`` when the value is beyond
        ``mild``, ``marked`` beyond ``marked``.
    direction : ``above`` (value ≥ threshold is a fault) or ``below``
        (value < threshold is a fault).
    unit : ``deg`` or ``ratio``.
    view : ``frontal`` or ``side``: the camera view the measure needs.
    per_side : the value is read per leg (stance leg for single-leg tasks).
    source : where the thresholds come from.
    cue : what to tell the person when it fires.
    confidence_scale : multiplies the flag confidence (< 1 for measures known
        to track the real joint motion poorly).
    setup : key of :data:`SETUP_HINTS` to suggest when the view is wrong.
    min_knee_flexion_deg : the rule only applies to reps at least this deep
        (mean knee flexion at the key frame); shallower reps are not graded by it.
    """

    fault: str
    measure: str
    label: str
    phase: str
    mild: float
    marked: float
    direction: str
    unit: str
    view: str
    per_side: bool
    source: str
    cue: str
    confidence_scale: float = 1.0
    setup: str = "frontal"
    min_knee_flexion_deg: float = 0.0

    def __post_init__(self) -> None:
        if self.fault not in FAULTS:
            raise ValueError(f"unknown fault {self.fault!r}")
        if self.direction not in ("above", "below"):
            raise ValueError(f"direction must be 'above' or 'below', got {self.direction!r}")
        worse = self.marked > self.mild if self.direction == "above" else self.marked < self.mild
        if not worse:
            raise ValueError(f"{self.fault}/{self.measure}: marked must be beyond mild")

    def severity(self, value: float) -> str | None:
        """``marked``, ``mild`` or None for a value (None also for NaN)."""
        if value != value:  # NaN
            return None
        if self.direction == "above":
            return "marked" if value >= self.marked else "mild" if value >= self.mild else None
        return "marked" if value < self.marked else "mild" if value < self.mild else None


# ---------------------------------------------------------------- shared rows
_SRC_FPPA = (
    "[J] mild ≥ 10°, marked ≥ 16°, anchored on Herrington 2014 (The Knee 21:514): single-leg squat FPPA "
    "8.4 ± 5.1° in controls vs 16.8 ± 5.4° with patellofemoral pain; 2D FPPA SDD 7.5–8.9° (Munro 2012)"
)
_SRC_CPD = (
    "[J] mild ≥ 5°, marked ≥ 8°, above the 2D SDD of 2.7–2.8° (Dingenen 2018, Phys Ther Sport 33:40); "
    "CPD discriminated injured runners (Bramah 2018, AJSM 46:3023)"
)
_CUE_KNEE = "push the knee out over the second toe"
_CUE_PELVIS = "keep the pelvis level: squeeze the standing-side glute"


def _fppa(phase: str) -> FaultRule:
    return FaultRule(
        "knee_collapse",
        "fppa_deg",
        "knee frontal plane projection angle (FPPA)",
        phase,
        10.0,
        16.0,
        "above",
        "deg",
        "frontal",
        True,
        _SRC_FPPA,
        _CUE_KNEE,
    )


def _cpd(phase: str, setup: str = "frontal") -> FaultRule:
    return FaultRule(
        "pelvic_drop",
        "pelvic_drop_deg",
        "contralateral pelvic drop",
        phase,
        5.0,
        8.0,
        "above",
        "deg",
        "frontal",
        True,
        _SRC_CPD,
        _CUE_PELVIS,
        setup=setup,
    )


def _hip_line() -> FaultRule:
    return FaultRule(
        "back_arch",
        "bridge_hip_line_deg",
        "hips above the shoulder–knee line (lumbar extension proxy)",
        "top",
        10.0,
        20.0,
        "above",
        "deg",
        "side",
        False,
        "[J] mild > 10°, marked > 20°: hip extension range is only ~10–20° (Roach 2015), more with bent "
        "knees comes from the lumbar spine",
        "stop the lift when the ribs start to flare: keep a straight shoulder–hip–knee line",
        setup="side",
    )


#: The fault table: movement → rows checked for it.
FAULT_TABLE: dict[str, tuple[FaultRule, ...]] = {
    "bridge": (_hip_line(),),
    "single-leg-bridge": (_cpd("top", setup="frontal-feet"), _hip_line()),
    "kickback": (
        FaultRule(
            "back_arch",
            "thigh_past_trunk_deg",
            "thigh extended past the trunk line",
            "rep",
            15.0,
            25.0,
            "above",
            "deg",
            "side",
            True,
            "[J] mild > 15°, marked > 25°; some lumbar extension is normal (Arab 2017)",
            "lift the leg only as high as the hip allows: stop before the lower back arches",
            setup="side",
        ),
        FaultRule(
            "back_arch",
            "trunk_line_change_deg",
            "change of the shoulder–hip line from the start of the rep",
            "rep",
            5.0,
            10.0,
            "above",
            "deg",
            "side",
            False,
            "[J] > 5° change from the start position (biomechanics.md §3); marked at 10° [J]",
            "keep the back still like a table top while the leg moves",
            setup="side",
        ),
    ),
    "step-up": (_fppa("bottom"), _cpd("bottom")),
    "squat": (
        FaultRule(
            "knee_collapse",
            "knee_separation_rel",
            "knee width ÷ ankle width at the bottom, relative to standing",
            "bottom",
            0.9,
            0.75,
            "below",
            "ratio",
            "frontal",
            False,
            "[J] mild < 0.9, marked < 0.75 of the standing ratio (after Noyes 2005's normalised knee "
            "separation); knees normally track outside the ankles at depth",
            _CUE_KNEE.replace("the knee", "the knees").replace("toe", "toes"),
        ),
        # Deviation from biomechanics.md §1, which grades the bilateral squat on the knee-separation
        # ratio relative to standing only. That ratio alone did not flag the real "knees sway in"
        # clip: in a deep squat the knees normally travel outward with depth, so a knee that stays
        # inside the toes at the bottom can still be wider than at standing (ratio > 1). This rule is
        # a judgement call [J], not a published measure: no study gives a cut-off for where the knee
        # sits across the feet in a deep bilateral squat. "Knee over the second toe" is a coaching
        # convention; the 110° depth gate is ours; mild 0.9 / marked 0.75 are borrowed from the
        # knee-separation rule (a different quantity), and the rule has only been checked against
        # the real clips in ../shared/clips (sway-in flagged, clean not).
        FaultRule(
            "knee_collapse",
            "knee_toe_ratio",
            "knee inside the toes at the bottom of a deep squat",
            "bottom",
            0.9,
            0.75,
            "below",
            "ratio",
            "frontal",
            True,
            "[J] no published cut-off: at ≥ 110° knee flexion the knee should be over the second toe "
            "(coaching convention); mild < 0.9, marked < 0.75 borrowed from the knee-separation rule "
            "(1 = knee over the toes). Ageberg 2010 rated 'knee medial to foot' by eye in a single-leg "
            "mini squat; it gives no threshold for this ratio",
            _CUE_KNEE,
            min_knee_flexion_deg=110.0,
        ),
    ),
    "single-leg-squat": (_fppa("bottom"), _cpd("bottom")),
    "single-leg-balance": (_fppa("hold"), _cpd("hold")),
    "running": (
        FaultRule(
            "knee_collapse",
            "hip_adduction_deg",
            "2D hip adduction at midstance",
            "midstance",
            10.0,
            15.0,
            "above",
            "deg",
            "frontal",
            True,
            "[J] no published 2D cut-off; 2D hip adduction tracks 3D knee abduction in running where 2D FPPA "
            "does not (biomechanics.md §1)",
            "land with the knee under the hip: try a slightly higher step rate",
            confidence_scale=0.8,
        ),
        FaultRule(
            "knee_collapse",
            "fppa_deg",
            "knee FPPA at midstance (low confidence in running)",
            "midstance",
            10.0,
            16.0,
            "above",
            "deg",
            "frontal",
            True,
            _SRC_FPPA + "; in running 2D FPPA does not track 3D knee abduction: low confidence",
            "land with the knee under the hip: try a slightly higher step rate",
            confidence_scale=0.4,
        ),
        _cpd("midstance"),
    ),
}

#: Left/right difference of mean pelvic drop that is flagged [J] (biomechanics.md §2).
CPD_ASYMMETRY_DEG = 3.0
CPD_ASYMMETRY_SOURCE = "[J] left/right difference ≥ 3°, above the 2D SDD of ~2.8° (Dingenen 2018)"

#: Measures reported but never flagged (biomechanics.md §3: no threshold exists).
REPORTED_ONLY = {"running": ("trunk_inclination_deg",)}


def rules_for(movement: str) -> tuple[FaultRule, ...]:
    """The rows checked for ``movement``; ValueError for an unknown name."""
    if movement not in FAULT_TABLE:
        raise ValueError(f"unknown movement {movement!r}; choose one of {', '.join(MOVEMENTS)}")
    return FAULT_TABLE[movement]
