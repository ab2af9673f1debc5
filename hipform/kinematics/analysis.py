"""From a pose sequence to a report: the batch analysis behind ``hipform analyse``.

Pipeline (all vectorised over frames): condition the landmarks (mask low
visibility, fill short gaps, undo left/right label swaps) → recognise the
movement (unless named) → zero-lag low-pass with the movement's cut-off →
per-frame measures → camera view → the movement's reps / steps / holds → its
fault rules read window by window → summary → report.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from hipform.kinematics import measures as M
from hipform.kinematics.asymmetry import pelvic_drop_asymmetry_flags, sway_asymmetry_flags
from hipform.kinematics.conditioning import (
    Conditioned,
    Prepared,
    ankle_y_px,
    condition_sequence,
    for_recognition,
    frame_rate_of,
    lowpass_conditioned,
    without,
)
from hipform.kinematics.config import AnalysisConfig
from hipform.kinematics.fatigue import detect_drift
from hipform.kinematics.faults import FaultRule
from hipform.kinematics.frame_measures import (
    compute_graded_series,
    compute_measures,
    flatten_measures,
    leg_length_px,
    nanmedian,
    view_shows,
    world_usable,
)
from hipform.kinematics.grading import (  # noqa: F401  (MAX_SEGMENT_CHANGE, MIN_STEADY_SEGMENTS: temporary)
    MAX_SEGMENT_CHANGE,
    MIN_STEADY_SEGMENTS,
    Grades,
    GradingInputs,
    WindowArrays,
    grade_rules,
    steady_windows,
    view_ok,
    whole_clip_reasons,
)
from hipform.kinematics.lazy_series import LazySeries
from hipform.kinematics.movements import (
    MOVEMENTS,
    Movement,
    Segmentation,
    SegmentContext,
    Window,
    movement_named,
)
from hipform.kinematics.recognition import recognise_movement
from hipform.kinematics.rep_values import Reported, RepTable, rep_results
from hipform.kinematics.sagittal_running import SAGITTAL_UNITS
from hipform.kinematics.shown import blank_unjudged, graded_series
from hipform.kinematics.stability import compute_stability_measures
from hipform.kinematics.summary import dedupe, summarise
from hipform.kinematics.tracking import detected_landmarks
from hipform.kinematics.view import ViewEstimate, estimate_view
from hipform.kinematics.yaw_limits import turned_reasons, yaw_notes
from hipform.landmarks import Landmark
from hipform.plain import FAULT_NAMES
from hipform.report import Flag, MovementChoice, NotAssessed, Report
from hipform.sequence import PoseSequence

L = Landmark

#: Cut-off used while the movement is still unknown (recognition), Hz.
RECOGNITION_CUTOFF_HZ = 5.0

__all__ = ["AnalysisConfig", "analyse"]


def analyse(seq: PoseSequence, movement: str = "auto", config: AnalysisConfig | None = None) -> Report:
    """Judge a clip rep by rep: knee collapse, pelvic drop and back arching.

    Parameters
    ----------
    seq : PoseSequence
        Landmarks of the clip (pixels, visibility, optional world landmarks).
    movement : str
        A movement name (:data:`hipform.kinematics.movements.MOVEMENTS`), or ``auto``
        (default) to recognise it from the landmarks.
    config : AnalysisConfig, optional
        Signal and rep-detection settings.

    Returns
    -------
    Report
        Never raises for poor data: what cannot be judged is listed in
        ``Report.not_assessed`` with the reason.

    Raises
    ------
    TypeError
        ``seq`` is not a PoseSequence or ``config`` not an AnalysisConfig.
    ValueError
        ``movement`` is not a known movement name.
    """
    if not isinstance(seq, PoseSequence):
        raise TypeError(f"seq must be a PoseSequence, got {type(seq).__name__}")
    if config is None:
        config = AnalysisConfig()
    elif not isinstance(config, AnalysisConfig):
        raise TypeError(f"config must be an AnalysisConfig, got {type(config).__name__}")
    if not isinstance(movement, str) or (movement != "auto" and movement not in MOVEMENTS):
        raise ValueError(f"unknown movement {movement!r}; choose auto or one of {', '.join(MOVEMENTS)}")
    t = np.asarray(seq.t_s, dtype=np.float64)
    notes: list[str] = []
    conditioned = condition_sequence(seq, config)
    which = _which_movement(conditioned, movement, config, frame_rate_of(seq), t)
    n_swaps = int(np.count_nonzero(np.diff(which.prepared.swaps.astype(np.int8)))) if seq.n_frames > 1 else 0
    if n_swaps:
        notes.append(
            f"The pose model swapped the left and right leg {n_swaps} time(s); hipform swapped them back."
        )
    return _judge(seq, which, conditioned, config, t, notes)


class _Which(NamedTuple):
    """The movement judged, how it was chosen, and the landmarks filtered for it."""

    movement: Movement
    choice: MovementChoice
    prepared: Prepared


def _which_movement(
    c: Conditioned, movement: str, config: AnalysisConfig, fs: float, t: np.ndarray
) -> _Which:
    """The named movement, or the recognised one; the landmarks low-passed with its cut-off."""
    if movement != "auto":
        mv = movement_named(movement)
        choice = MovementChoice(mv.name, "named", 1.0)
        return _Which(mv, choice, lowpass_conditioned(c, fs, config.cutoff_hz or mv.cutoff_hz))
    rec_c = for_recognition(c)
    rec_cutoff = config.cutoff_hz or RECOGNITION_CUTOFF_HZ
    rec = lowpass_conditioned(rec_c, fs, rec_cutoff)
    choice = recognise_movement(rec.px, rec.world, t, ankle_y_px=ankle_y_px(rec.px, c))
    mv = movement_named(choice.name)
    # masking, gap filling and swap repair are shared; with the same cut-off only the landmarks
    # recognition did not need are filtered now, else all of them again
    if (config.cutoff_hz or mv.cutoff_hz) == rec_cutoff:
        prepared = lowpass_conditioned(without(c, rec_c), fs, rec_cutoff, into=rec)
    else:
        prepared = lowpass_conditioned(c, fs, mv.cutoff_hz)
    return _Which(mv, choice, prepared)


def _why_not_judged(choice: MovementChoice) -> str:
    """The sentence a not-judged clip gets: what hipform saw and how to have it judged."""
    if choice.status == "other":
        return (
            "this does not look like a movement hipform checks (" + ", ".join(MOVEMENTS) + "); if it is one, "
            "name it (--exercise) or film the whole body from the set-up the movement asks for"
        )
    if len(choice.candidates) < 2:
        return (
            f"hipform is not sure this is a {choice.name} ({choice.confidence:.0%} sure); name the movement "
            f"(--exercise {choice.name}, or another) to have it judged"
        )
    first, second = choice.candidates[:2]
    return (
        f"hipform is not sure which movement this is: {first} or {second} "
        f"({choice.confidence:.0%} sure of {first}); name it (--exercise {first} or --exercise {second}) "
        "to have it judged"
    )


def _baselines(
    mv: Movement, m: dict[str, np.ndarray], rest: np.ndarray, px: np.ndarray, leg_px: float
) -> dict[str, Any]:
    """Per-person baselines (biomechanics.md §0, §2) from the frames at rest: NaN without any."""
    ank_y = px[:, [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)], 1]
    with np.errstate(invalid="ignore"):
        level = np.abs(ank_y[:, 0] - ank_y[:, 1]) < 0.05 * leg_px
    standing = rest & mv.standing_baseline

    def at_rest(x: np.ndarray, frames: np.ndarray) -> float:
        return nanmedian(x[frames]) if frames.sum() >= 3 else float("nan")

    return {
        "fppa_deg": np.array([at_rest(m["fppa_deg"][:, s], standing) for s in (0, 1)]),
        "knee_separation_ratio": at_rest(m["knee_separation_ratio"], standing),
        "knee_medial_offset_ratio": np.array(
            [at_rest(m["knee_medial_offset_ratio"][:, s], standing) for s in (0, 1)]
        ),
        "pelvic_obliquity_deg": at_rest(
            m["pelvic_obliquity_deg"], rest if mv.pelvis_level_at_rest else standing & level
        ),
    }


def _frame_rate(t: np.ndarray) -> float:
    """Frames per second from the median frame interval (30 without one): a freeze of the recording
    inside the clip must not make every rep look slow."""
    dt = np.diff(t)
    dt = dt[dt > 0]
    return 1.0 / float(np.median(dt)) if dt.size else 30.0


def _segment(
    which: _Which,
    c: Conditioned,
    config: AnalysisConfig,
    view: str,
    m: dict[str, np.ndarray],
    leg_px: float,
    t: np.ndarray,
) -> Segmentation:
    """The movement's windows; none for a clip whose movement is not known for sure (not judged)."""
    px, world = which.prepared.px, which.prepared.world
    n = px.shape[0]
    if not which.choice.judged:
        return Segmentation([], np.zeros(n, bool), np.full(n, np.nan))
    ctx = SegmentContext(
        px=px,
        world=world,
        src=world if world_usable(world) else px,
        measures=m,
        t_s=t,
        fps=_frame_rate(t),
        ankle_y=ankle_y_px(px, c),
        view=view,
        leg_px=leg_px,
        rep_enter=config.rep_enter,
        rep_exit=config.rep_exit,
    )
    return which.movement.segment(ctx)


def _judge(
    seq: PoseSequence, which: _Which, c: Conditioned, config: AnalysisConfig, t: np.ndarray, notes: list[str]
) -> Report:
    """Measure, segment and grade the clip as ``which.movement``."""
    mv, px, world = which.movement, which.prepared.px, which.prepared.world
    fs = frame_rate_of(seq)
    legs = M.compute_leg_length(px)  # read by the view, the measures and the leg length
    view = estimate_view(px, world, leg_lengths=legs)
    # the view estimate read the body's turn, unless it found no view at all
    yaw = view.body_yaw_deg if view.view != "unknown" else None
    m = compute_measures(px, world, view.facing_x, side_view=view.side, body_yaw_deg=yaw, leg_lengths=legs)
    leg_px = leg_length_px(px, legs)
    seg = _segment(which, c, config, view.view, m, leg_px, t)
    m.update(seg.series or {})  # what the segmentation measured (side-on running: each step's values)
    if any(r.fault == "instability" for r in mv.rules):  # wobble on one leg reads the frame times
        held = [(w.start, w.end, w.side) for w in seg.windows if w.side is not None]
        held = held if mv.whole_rep_on_one_leg else []
        m.update(compute_stability_measures(px, ankle_y_px(px, c), t, leg_px, held))
    base = _baselines(mv, m, seg.rest, px, leg_px)
    rules = mv.rules
    blocked = [not view_ok(r, view) for r in rules]
    w = WindowArrays.of(seg.windows)
    inputs = GradingInputs(
        windows=seg.windows,
        w=w,
        coherent=steady_windows(c.raw_legs, w.start, w.end),
        depth=M.compute_hip_depth(px, fs)[w.key],
        blocked=blocked,
        has_base={
            "fppa_deg": bool(np.isfinite(base["fppa_deg"]).all()),
            "knee_separation_rel": bool(np.isfinite(base["knee_separation_ratio"])),
            "knee_medial_shift_rel": bool(np.isfinite(base["knee_medial_offset_ratio"]).all()),
            "pelvic_drop_deg": bool(np.isfinite(base["pelvic_obliquity_deg"])),
            **{name: True for name in mv.sure_without_baseline},
        },
        visibility=seq.visibility,
        view=view,
        t_s=t,
        detected=detected_landmarks(seq, which.prepared.swaps, config.min_visibility),
    )
    series = [compute_graded_series(r, m, base) for r in rules]
    grades = grade_rules(rules, series, inputs)
    _note_freezes(grades.frozen_s, seg.windows, notes)
    notes.extend(yaw_notes(rules, view) if seg.windows else [])
    drift, drift_notes = detect_drift(rules, grades.graded, seg.windows[0].kind) if seg.windows else ([], [])
    notes.extend(drift_notes)
    if which.choice.judged:
        found = None if seg.windows else mv.no_windows
        not_assessed = whole_clip_reasons(rules, blocked, view, found) + grades.not_assessed
        not_assessed += turned_reasons(rules, blocked, view) if seg.windows else []
    else:
        not_assessed = [NotAssessed(fault, _why_not_judged(which.choice)) for fault in mv.faults]
    flags = [*grades.flags, *pelvic_drop_asymmetry_flags(rules, grades.graded, seg.windows, t, view)]
    flags += sway_asymmetry_flags(rules, grades.graded, t, view.confidence) if seg.windows else []
    summary = summarise(rules, blocked, grades.graded, flags, seg.windows, seg.steps, m, t, fs, notes, view)
    _note_missing_baseline(inputs.has_base, rules, seg.windows, notes)
    _note_weak_readings(rules, blocked, grades.graded, flags, notes)
    return Report(
        movement=which.choice,
        view=view.view,
        view_confidence=float(view.confidence),
        facing=view.facing,
        view_yaw_deg=float(view.yaw_deg),
        source=seq.source,
        n_frames=seq.n_frames,
        fps=float(seq.fps),
        duration_s=float(seq.duration_s),
        reps=_rep_results(mv, seg, m, base, grades, t, view),
        flags=tuple(flags),
        not_assessed=tuple(dedupe(not_assessed)),
        summary=summary,
        notes=tuple(notes),
        t_s=t,
        measures=_series(rules, series, seg, m, base, grades, view),
        drift=tuple(drift),
    )


def _note_missing_baseline(
    has_base: dict[str, bool], rules: tuple[FaultRule, ...], windows: list[Window], notes: list[str]
) -> None:
    """Say that knee separation is not relative to standing when no standing position came first."""
    graded = any(r.measure == "knee_separation_rel" for r in rules)
    if graded and windows and not has_base["knee_separation_rel"]:
        notes.append(
            "No standing position before the first rep: knee separation is not relative to standing."
        )


def _note_weak_readings(
    rules: tuple[FaultRule, ...], blocked: list[bool], graded: list, flags: list[Flag], notes: list[str]
) -> None:
    """Say that a fault the pose model under-reads was not seen, not that it is absent."""
    flagged = {f.measure for f in flags}
    for rule, b, g in zip(rules, blocked, graded, strict=True):
        if rule.weak_reading and not b and g.rep.size and rule.measure not in flagged:
            fault = FAULT_NAMES.get(rule.fault, rule.fault).lower()
            notes.append(f"No {fault} was flagged, but that does not rule one out: {rule.weak_reading}.")


def _note_freezes(frozen_s: np.ndarray, windows: list[Window], notes: list[str]) -> None:
    """Say which reps were not graded because the clip's frame times jump across them."""
    if not frozen_s.any():
        return
    which = ", ".join(str(i + 1) for i in np.flatnonzero(frozen_s).tolist())
    notes.append(
        f"The clip's frame times jump by up to {float(frozen_s.max()):.1f} s (the recording froze or "
        f"skipped frames): {windows[0].kind}(s) {which} across a jump were not graded."
    )


def _series(
    rules: tuple[FaultRule, ...],
    series: list[np.ndarray],
    seg: Segmentation,
    m: dict[str, np.ndarray],
    base: dict[str, Any],
    grades: Grades,
    view: ViewEstimate,
) -> LazySeries:
    """The report's per-frame series: the measures the view shows, each rule's graded series under
    its values' name, and no line inside a rep a rule could not grade."""
    out = flatten_measures(m, base, seg.signal, view)  # each series computed when first read
    out.update(graded_series(rules, series, seg.windows, view))
    return blank_unjudged(out, seg.windows, grades.read)


#: Unit of each whole-body per-frame measure a movement may report at its windows' key frames
#: (:attr:`Movement.reported_only`); a graded value has its rule's unit.
REPORTED_UNITS = {
    "trunk_inclination_deg": "deg",
    "trunk_line_deg": "deg",
    "pelvic_obliquity_deg": "deg",
    "knee_separation_ratio": "ratio",
    **SAGITTAL_UNITS,  # side-on running, each step's sagittal values (hipform.kinematics.sagittal_running)
    # a single-leg hold's wobble (hipform.kinematics.stability)
    "sway_path_ratio": "ratio",
    "free_foot_touchdowns_count": "count",
    "hold_until_loss_s": "s",
}


def _rep_results(
    mv: Movement,
    seg: Segmentation,
    m: dict[str, np.ndarray],
    base: dict[str, Any],
    grades: Grades,
    t: np.ndarray,
    view: ViewEstimate,
) -> RepTable:
    """Each window with its values: knee and hip flexion of each leg at the key frame, what each rule
    read, the measures the movement reports without grading, and the working leg's FPPA (its peak
    and its standing baseline) where a rule grades the FPPA of a one-legged rep
    (:func:`~hipform.kinematics.rep_values.rep_results`).

    What was not judged has no number (NaN): every value of a rep no rule could grade (unsteady
    tracking, a timestamp freeze), a reported measure the camera view does not show, and the FPPA
    peak and standing baseline of a rep whose FPPA was not graded.
    """
    shown = [name for name in mv.reported_only if view_shows(name, view) and name in m]
    reported = [Reported(name, REPORTED_UNITS[name], m[name]) for name in shown]
    reported += [Reported(name, REPORTED_UNITS[name], None) for name in mv.reported_only if name not in shown]
    fppa = base["fppa_deg"] if any(r.measure == "fppa_deg" for r in mv.rules) else None
    return rep_results(seg.windows, m, reported, grades.read, fppa, grades.ungraded, t)
