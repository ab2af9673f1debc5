"""Grading: each fault rule read in each rep window, turned into values, flags and reasons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from hipform.kinematics.faults import SETUP_HINTS, FaultRule
from hipform.kinematics.frame_measures import FROM_REP_START, KEY_LANDMARKS, SIDES, nanmean_cols
from hipform.kinematics.movements import Window
from hipform.kinematics.reading_error import MEASUREMENT_ERROR, Interval, clears_marked, true_interval
from hipform.kinematics.rep_values import ValueColumn, values_by_window
from hipform.kinematics.side_lying import along_body_reason
from hipform.kinematics.tracking import MIN_TRACKED_SHARE, nearest_frames, skeleton_frames, ungraded_windows
from hipform.kinematics.view import ViewEstimate
from hipform.kinematics.yaw_limits import turned_too_far, yaw_error_factor, yaw_reason
from hipform.landmarks import LEG_SEGMENTS
from hipform.report import Flag, MeasureValue, NotAssessed

#: Running: steps per side wanted for a trustworthy mean (Dingenen 2018).
STEPS_PER_SIDE = 7

#: A rep is graded only when the tracked body moves like a body over it: from one
#: frame to the next, the image length of a leg segment (hip-knee, knee-ankle)
#: changes by a few percent in real tracking, even while it foreshortens, but by
#: half or more when the landmarks are random or jumping. At least
#: :data:`MIN_STEADY_SEGMENTS` leg segments must change by at most this fraction
#: (median over at least 9 frames around the rep, 6 changes measured). [J]
MAX_SEGMENT_CHANGE = 0.12
MIN_STEADY_SEGMENTS = 2

#: A flag less sure than this share of the most its rule can be (its ``confidence_scale``) is no
#: flag: the rep is "not judged" for that rule, with the reason (a value near the threshold,
#: half-hidden landmarks and an unclear view together). Relative, so that a rule known to be rough
#: (the FPPA in running, at most 40% sure) can still flag a clear reading, and never says only
#: "clean". [J]
MIN_FLAG_CONFIDENCE = 0.3


def steady_windows(
    raw_legs: dict[int, np.ndarray], start: np.ndarray, end: np.ndarray, min_frames: int = 9
) -> np.ndarray:
    """True per window when enough leg segments keep a steady, non-zero image length: (W,) bool.

    Read on the unfiltered landmarks (filtering would smooth random points into a
    steady-looking body), over at least ``min_frames`` frames around the window:
    a segment is steady when the median of its frame-to-frame relative length
    change is at most :data:`MAX_SEGMENT_CHANGE`, and a window needs
    :data:`MIN_STEADY_SEGMENTS` steady segments. The loop-per-window definition
    is ``body_steady_reference`` in ``tests/kinematics/test_window_reads.py``.

    ``raw_legs`` maps each leg landmark of :data:`LEG_SEGMENTS` to its raw
    (unmasked, unfiltered) image x and y, (2, T) float64. Each segment's
    frame-to-frame length change is computed once for the clip; a window's
    median test becomes a count of its finite changes at or below the limit
    (prefix sums), with :func:`numpy.median` itself deciding the rare windows
    whose two middle values straddle the limit.
    """
    w = start.size
    if w == 0:
        return np.zeros(0, bool)
    n = raw_legs[int(LEG_SEGMENTS[0][0])].shape[-1]
    pad = np.maximum(0, min_frames - (end - start + 1) + 1) // 2
    lo = np.maximum(start - pad, 0)
    hi = np.minimum(end + 1 + pad, n)  # exclusive; changes lo .. hi-2
    c_lo = lo
    c_hi = np.maximum(hi - 1, lo)
    need = min_frames - 3
    steady = np.zeros(w, dtype=np.int64)
    for a, b in LEG_SEGMENTS:
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            pa = raw_legs[int(a)]
            pb = raw_legs[int(b)]
            d = np.hypot(pa[0] - pb[0], pa[1] - pb[1])
            change = np.abs(np.diff(d)) / (0.5 * (d[1:] + d[:-1]))
            fin = np.isfinite(change)
            low = fin & (change <= MAX_SEGMENT_CHANGE)
        cf = np.concatenate([[0], np.cumsum(fin)])
        cl = np.concatenate([[0], np.cumsum(low)])
        n_fin = cf[c_hi] - cf[c_lo]
        n_low = cl[c_hi] - cl[c_lo]
        # median <= limit: more than half the values are (odd count: at least (F+1)/2)
        ok = n_low * 2 > n_fin
        # even count with exactly half at or below the limit: the median is the mean of the two middle values
        tie = (n_fin % 2 == 0) & (n_low * 2 == n_fin) & (n_fin > 0)
        for i in np.flatnonzero(tie & (n_fin >= need)):
            seg = change[c_lo[i] : c_hi[i]]
            ok[i] = bool(np.median(seg[np.isfinite(seg)]) <= MAX_SEGMENT_CHANGE)
        steady += (n_fin >= need) & ok
    return steady >= MIN_STEADY_SEGMENTS


def read_windows(
    rule: FaultRule, x: np.ndarray, start: np.ndarray, key: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One side's series ``x`` (T,) read in W rep windows: (value, worst frame, fraction measurable).

    ``bottom``/``top`` rules read the key frame; ``midstance``/``rep`` rules the worst frame in
    the window; ``hold`` rules the median over the window (worst frame reported).
    The loop-per-window definition is ``read_reference`` in
    ``tests/kinematics/test_window_reads.py``.
    """
    x = np.asarray(x, dtype=np.float64)
    from_start = rule.measure in FROM_REP_START  # its change since the rep's start is read
    x0 = x[start] if from_start else None
    if rule.phase in ("bottom", "top"):
        v = x[key]
        if from_start:
            with np.errstate(invalid="ignore"):
                v = np.where(np.isfinite(x0), np.abs(v - x0), np.nan)
        return v, key.copy(), np.isfinite(v).astype(np.float64)
    w = start.size
    value = np.full(w, np.nan)
    worst = key.copy()
    frac = np.zeros(w)
    length = np.maximum(end - start + 1, 0)
    has = length > 0
    if not has.any():
        return value, worst, frac
    st, ln = start[has], length[has]
    first = np.cumsum(ln) - ln
    run = np.repeat(np.arange(st.size), ln)
    pos = np.arange(run.size) - first[run] + st[run]
    seg = x[pos]
    if from_start:
        base = x0[has][run]
        with np.errstate(invalid="ignore"):
            seg = np.where(np.isfinite(base), np.abs(seg - base), np.nan)
    ok = np.isfinite(seg)
    cnt = np.add.reduceat(ok.astype(np.int64), first)
    above = rule.direction == "above"
    filled = np.where(ok, seg, -np.inf if above else np.inf)
    best = (np.maximum if above else np.minimum).reduceat(filled, first)
    at_best = np.where(filled == best[run], np.arange(run.size), run.size)
    off = np.minimum.reduceat(at_best, first) - first
    some = cnt > 0
    fr = cnt / ln
    wf = st + off
    if rule.phase == "hold":
        # median of the measurable values of each window (NaN sort last within a window)
        order = np.lexsort((np.where(ok, seg, np.inf), run))
        srt = np.where(ok, seg, np.inf)[order]
        c = np.maximum(cnt, 1)
        v = (srt[first + (c - 1) // 2] + srt[first + c // 2]) / 2.0
    else:
        v = seg[first + off]
    idx = np.flatnonzero(has)[some]
    value[idx] = v[some]
    worst[idx] = wf[some]
    frac[idx] = fr[some]
    return value, worst, frac


@dataclass(frozen=True)
class Graded:
    """The values a rule graded, one per (rep, side), in rep then side order."""

    rep: np.ndarray  # 1-based rep numbers
    side: np.ndarray  # 0 left, 1 right, -1 whole body
    value: np.ndarray
    worst: np.ndarray  # frame the value was read at

    @staticmethod
    def empty() -> Graded:
        return Graded(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64))


@dataclass(frozen=True)
class Slot:
    """The windows a rule reads from one side's column, and the side its values and flags name."""

    side: int  # column of the graded series: 0 left, 1 right, -1 the mean of both
    side_name: str | None
    windows: np.ndarray  # window indices, ascending


def rule_slots(rule: FaultRule, w_side: np.ndarray) -> list[Slot]:
    """How ``rule`` reads each window: a per-side rule reads both sides of a two-legged rep
    and the working side of a one-legged one; a whole-body rule reads the mean of both sides
    (naming no side) unless the rep has a working side."""
    two_legged = np.flatnonzero(w_side < 0)
    slots = []
    for side in (-1, 0, 1):
        one_side = np.flatnonzero(w_side == side) if side >= 0 else two_legged[:0]
        if rule.per_side and side >= 0:
            slots.append(Slot(side, SIDES[side], two_legged))
        elif side < 0 and not rule.per_side:
            slots.append(Slot(-1, None, two_legged))
        if side >= 0:
            slots.append(Slot(side, SIDES[side], one_side))
    return [sl for sl in slots if sl.windows.size]


def severity_codes(rule: FaultRule, value: np.ndarray) -> np.ndarray:
    """:meth:`FaultRule.severity` of each value as 0 (none or NaN), 1 (mild) or 2 (marked)."""
    with np.errstate(invalid="ignore"):
        if rule.direction == "above":
            return (value >= rule.mild).astype(np.int64) + (value >= rule.marked)
        return (value < rule.mild).astype(np.int64) + (value < rule.marked)


def flag_confidence(
    rule: FaultRule,
    value: np.ndarray,
    threshold: np.ndarray,
    vis: np.ndarray,
    side: int,
    frame: np.ndarray,
    view: ViewEstimate,
    has_baseline: bool,
) -> np.ndarray:
    """0-1 confidence of each flag of one rule and side (value, threshold and worst frame per flag):
    visibility of the measure's key landmarks at the worst frame × the margin over the threshold
    (in units of the measurement error) × how clear the view is × whether a standing baseline exists."""
    lms = KEY_LANDMARKS.get(rule.measure, ((), ()))[side]
    v = np.clip(vis[np.ix_(frame, lms)].astype(np.float64).mean(axis=1), 0.0, 1.0) if lms else 1.0
    err = MEASUREMENT_ERROR[rule.unit] * yaw_error_factor(rule, view)
    margin = 0.6 + 0.4 * np.clip(np.abs(value - threshold) / err, 0.0, 1.0)
    view_f = min(max(float(view.confidence), 0.3), 1.0)
    base_f = 1.0 if has_baseline else 0.85
    return np.clip(rule.confidence_scale * v * margin * view_f * base_f, 0.0, 1.0)


def view_ok(rule: FaultRule, view: ViewEstimate) -> bool:
    """The camera view lets ``rule`` be judged (a rule with a yaw limit: the body turned no further;
    a rule read along a side-lying body: the body seen along its length); a withheld rule is judged
    from no view."""
    if rule.withheld or (rule.along_body and view.along_body != 1.0):
        return False
    return view.frontal and not turned_too_far(rule, view) if rule.view == "frontal" else view.side


def view_reason(rule: FaultRule, view: ViewEstimate) -> str:
    """Why ``rule`` could not be judged from this view, in words."""
    if rule.withheld:
        return f"{rule.label}: {rule.withheld}"
    if rule.along_body and view.along_body != 1.0:
        return along_body_reason(rule.label, view.along_body)
    if view.frontal and turned_too_far(rule, view):
        return yaw_reason(rule, view)
    need = "a front or rear view" if rule.view == "frontal" else "a side view"
    seen = {"side": "side-on", "oblique": "turned at an angle (oblique)", "unknown": "not measurable"}.get(
        view.view, f"filmed from the {view.view}"
    )
    return f"{rule.label} needs {need}; this clip looks {seen}"


def implausible_reason(rule: FaultRule, value: float) -> str:
    """Why a value past ``rule.max_plausible`` is not judged, in words (after "rep 2")."""
    size = f"{abs(value):.0f}°" if rule.unit == "deg" else f"{abs(value):.2f}"
    limit = f"{rule.max_plausible:g}°" if rule.unit == "deg" else f"{rule.max_plausible:g}"
    return f"read {size}, past the most this movement can show ({limit}): a misread pose, not judged"


class WindowArrays(NamedTuple):
    """Rep windows as arrays (W,): start, key and end frames, and the working side (-1: both legs)."""

    start: np.ndarray
    key: np.ndarray
    end: np.ndarray
    side: np.ndarray

    @classmethod
    def of(cls, windows: list[Window]) -> WindowArrays:
        return cls(
            np.array([w.start for w in windows], dtype=np.int64),
            np.array([w.key for w in windows], dtype=np.int64),
            np.array([w.end for w in windows], dtype=np.int64),
            np.array([-1 if w.side is None else w.side for w in windows], dtype=np.int64),
        )


@dataclass(frozen=True, eq=False)
class GradingInputs:
    """What grading reads, besides the rules and their series.

    windows : the rep windows; w : the same as arrays; coherent : (W,) bool windows whose body
    was tracked steadily; depth : (W,) hip depth at each key frame (:func:`~.measures.compute_hip_depth`);
    blocked : per rule, the view does not let it be judged; has_base : per graded measure,
    a per-person baseline exists; visibility : (T, 33) of the sequence; view : the view
    estimate; t_s : (T,) seconds; detected : (T, 33) bool landmarks the pose model saw
    (:func:`hipform.kinematics.tracking.detected_landmarks`; None: all of them).
    """

    windows: list[Window]
    w: WindowArrays
    coherent: np.ndarray
    depth: np.ndarray
    blocked: list[bool]
    has_base: dict[str, bool]
    visibility: np.ndarray
    view: ViewEstimate
    t_s: np.ndarray
    detected: np.ndarray | None = None


class Grades(NamedTuple):
    """The outcome of grading: flags and reasons in rep order, each rule's graded values, what
    each rule read on each side (``read``, in rule then side order), and the windows no rule
    could be graded in (unsteady tracking, a timestamp freeze), with the longest freeze."""

    flags: list[Flag]
    not_assessed: list[NotAssessed]
    graded: list[Graded]
    read: list[ValueColumn]
    ungraded: np.ndarray
    frozen_s: np.ndarray

    @property
    def values(self) -> list[tuple[MeasureValue, ...]]:
        """The values each rule read in each window (``values[w]``, in rule then side order)."""
        return values_by_window(self.read, self.ungraded.size)


def grade_rules(rules: tuple[FaultRule, ...], series: list[np.ndarray], g: GradingInputs) -> Grades:
    """Read every rule in every window: values, flags (with confidence) and not-assessed reasons."""
    flag_items: list[tuple[tuple[int, int, int], Flag]] = []
    na_items: list[tuple[tuple[int, int, int], NotAssessed]] = []
    read: list[ValueColumn] = []
    graded = [Graded.empty() for _ in rules]
    faults = list(dict.fromkeys(r.fault for r in rules))
    ungraded, frozen_s, reasons = ungraded_windows(g.windows, g.coherent, g.t_s)
    # (window, rule, side) sort keys keep flags and reasons in rep order, as a per-rep loop would
    for wi, reason in reasons:
        na_items.extend(
            ((wi, -1, k), NotAssessed(fault, reason, rep=wi + 1)) for k, fault in enumerate(faults)
        )
    for ri, (rule, x2) in enumerate(zip(rules, series, strict=True)):
        parts = [
            _grade_slot(ri, rule, slot, x2, g, ~ungraded, read, flag_items, na_items)
            for slot in rule_slots(rule, g.w.side)
        ]
        if parts:
            rep_i, side_i, val, wf = (np.concatenate(p) for p in zip(*parts, strict=True))
            order = np.lexsort((side_i, rep_i))
            graded[ri] = Graded(rep_i[order], side_i[order], val[order], wf[order])
    flag_items.sort(key=lambda item: item[0])
    na_items.sort(key=lambda item: item[0])
    return Grades([f for _, f in flag_items], [na for _, na in na_items], graded, read, ungraded, frozen_s)


def _read_tracked(
    rule: FaultRule, col: np.ndarray, side: int, idx: np.ndarray, g: GradingInputs
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`read_windows` of windows ``idx`` on the frames where the rule's key landmarks were
    detected: (value, worst frame, share of the window's frames with them). A rule read at one
    moment is read at the nearest such frame (:func:`nearest_frames`)."""
    start, key, end = g.w.start[idx], g.w.key[idx], g.w.end[idx]
    if g.detected is None:
        value, worst, frac = read_windows(rule, col, start, key, end)
        return value, worst, frac
    skel = skeleton_frames(rule.measure, side, g.detected)
    seen = np.where(skel, col, np.nan)
    if rule.phase in ("bottom", "top"):
        key = nearest_frames(key, start, end, np.isfinite(seen), g.t_s)
    value, worst, _ = read_windows(rule, seen, start, key, end)
    counts = np.concatenate([[0], np.cumsum(skel)])
    tracked = (counts[end + 1] - counts[start]) / np.maximum(end - start + 1, 1)
    return value, worst, tracked


def _grade_slot(
    ri: int,
    rule: FaultRule,
    slot: Slot,
    x2: np.ndarray,
    g: GradingInputs,
    gradable: np.ndarray,
    read: list[ValueColumn],
    flag_items: list[tuple[tuple[int, int, int], Flag]],
    na_items: list[tuple[tuple[int, int, int], NotAssessed]],
) -> tuple[np.ndarray, ...]:
    """Grade one rule on one side's windows; returns its (rep, side, value, worst frame) arrays.

    ``gradable`` (W,) are the windows a rule may be graded in at all. A value is graded only when
    the rule's key landmarks were tracked through enough of the rep (:data:`MIN_TRACKED_SHARE`);
    a flag needs :data:`MIN_FLAG_CONFIDENCE` of the rule's best, else the rep is not judged by this
    rule. A value not graded is reported as NaN (``null``): what was not judged shows no number.
    """
    idx = slot.windows
    if rule.min_hip_depth > 0:  # the rule only applies to deep enough reps
        with np.errstate(invalid="ignore"):
            idx = idx[g.depth[idx] >= rule.min_hip_depth]
    col = x2[:, slot.side] if slot.side >= 0 else nanmean_cols(x2)
    value, worst, frac = _read_tracked(rule, col, slot.side, idx, g)
    active = gradable[idx] & (not g.blocked[ri])
    unreadable = active & ~(np.isfinite(value) & (frac >= MIN_TRACKED_SHARE))
    ok = active & ~unreadable
    with np.errstate(invalid="ignore"):  # a size no body can show: a misread pose, not a reading
        implausible = ok & (np.abs(value) > rule.plausible_limit)
    ok &= ~implausible
    sev = severity_codes(rule, value) * ok
    interval = true_interval(rule, value, g.view)  # (W,) bounds; None: the measure's error is unknown
    if interval is not None:
        with np.errstate(invalid="ignore"):  # marked only when all of it is past the line
            sev[(sev == 2) & ~clears_marked(rule, interval)] = 1
    thr = np.where(sev == 2, rule.marked, rule.mild)
    sure = g.has_base.get(rule.measure, True)
    conf = flag_confidence(rule, value, thr, g.visibility, max(slot.side, 0), worst, g.view, sure)
    unsure = (sev > 0) & (conf < MIN_FLAG_CONFIDENCE * rule.confidence_scale)
    ok &= ~unsure
    sev *= ok
    na_side = slot.side_name if rule.per_side else None
    read.append(ValueColumn(rule.measure, slot.side_name, rule.unit, idx, np.where(ok, value, np.nan), ok))
    with_base = g.has_base.get(rule.measure, True)
    missing = "key landmarks not visible" if with_base else "no standing position to compare with"
    for wi in idx[unreadable].tolist():
        reason = f"{rule.label}: {missing} in {g.windows[wi].kind} {wi + 1}"
        na_items.append(((wi, ri, slot.side), NotAssessed(rule.fault, reason, side=na_side, rep=wi + 1)))
    for wi, v in zip(idx[implausible].tolist(), value[implausible].tolist(), strict=True):
        reason = f"{rule.label}: {g.windows[wi].kind} {wi + 1} {implausible_reason(rule, v)}"
        na_items.append(((wi, ri, slot.side), NotAssessed(rule.fault, reason, side=na_side, rep=wi + 1)))
    for wi, c in zip(idx[unsure].tolist(), conf[unsure].tolist(), strict=True):
        reason = (
            f"{rule.label}: too unsure to judge {g.windows[wi].kind} {wi + 1} ({c:.0%} sure: "
            "near the threshold, landmarks half hidden or the view unclear)"
        )
        na_items.append(((wi, ri, slot.side), NotAssessed(rule.fault, reason, side=na_side, rep=wi + 1)))
    hit = sev > 0
    unknown = Interval(np.full(value.shape, np.nan), np.full(value.shape, np.nan), "")
    bounds = unknown if interval is None else interval
    found = (
        idx[hit],
        value[hit],
        worst[hit],
        sev[hit],
        thr[hit],
        conf[hit],
        bounds.low[hit],
        bounds.high[hit],
    )
    for wi, flag in _flags(rule, slot, g, bounds.source, found):
        flag_items.append(((wi, ri, slot.side), flag))
    return idx[ok] + 1, np.full(int(ok.sum()), slot.side), value[ok], worst[ok]


def _flags(
    rule: FaultRule, slot: Slot, g: GradingInputs, interval_source: str, found: tuple[np.ndarray, ...]
) -> list[tuple[int, Flag]]:
    """(window, flag) of each rep ``rule`` flagged on ``slot``'s side; ``found`` holds, per flagged
    window: its index, value, worst frame, severity code (2: marked), threshold passed, confidence
    and the bounds of the true size's interval (``interval_source`` "": no interval)."""
    t = g.t_s
    out = []
    for wi, v, wf, code, threshold, confidence, low, high in zip(*(a.tolist() for a in found), strict=True):
        flag = Flag(
            fault=rule.fault,
            side=slot.side_name,
            severity="marked" if code == 2 else "mild",
            measure=rule.measure,
            label=rule.label,
            value=v,
            unit=rule.unit,
            threshold=threshold,
            threshold_mild=rule.mild,
            threshold_marked=rule.marked,
            threshold_source=rule.source,
            rep=wi + 1,
            t_start_s=float(t[g.windows[wi].start]),
            t_end_s=float(t[g.windows[wi].end]),
            worst_frame=wf,
            confidence=confidence,
            cue=rule.cue,
            interval=Interval(low, high, interval_source) if interval_source else None,
        )
        out.append((wi, flag))
    return out


def whole_clip_reasons(
    rules: tuple[FaultRule, ...], blocked: list[bool], view: ViewEstimate, found: str | None
) -> list[NotAssessed]:
    """Faults no window can show: nothing found (``found`` says what was looked for), or a view
    that none of a fault's rules can be judged from (with the set-up that would allow it)."""
    faults = dict.fromkeys(r.fault for r in rules)
    if found is not None:
        reason = f"{found} found in the clip (need the whole body visible from start to finish)"
        return [NotAssessed(fault, reason) for fault in faults]
    out = []
    for fault in faults:
        fr = [r for r, b in zip(rules, blocked, strict=True) if r.fault == fault and b]
        if len(fr) == sum(r.fault == fault for r in rules):
            setup = "" if fr[0].withheld else SETUP_HINTS[fr[0].setup]  # withheld: no set-up helps
            out.append(NotAssessed(fault, view_reason(fr[0], view), setup=setup))
    return out
