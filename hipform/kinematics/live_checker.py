"""Live (webcam) form checking: one frame at a time, causal, with a cue when each rep ends.

:class:`LiveAnalyser` sees only the past: landmarks go through a One Euro
filter (biomechanics.md §6: filtfilt needs the future), a rep counter with
hysteresis follows a depth signal, and when a rep ends the worst value of each
fault rule during that rep is graded with the same fault table as the batch
analysis. Frontal-plane rules are only graded while the camera sees the person
square-on, back-arch rules only side-on; what cannot be judged is skipped, and
a rep where nothing could be judged (wrong angle, too few frames because the
computer could not keep up, or landmarks that jump about instead of moving like
a body) gets a "not judged" cue, never "good".
"""

from __future__ import annotations

import warnings
from collections import deque
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from hipform.kinematics import measures as M
from hipform.kinematics.faults import FaultRule
from hipform.kinematics.frame_measures import FROM_REP_START, compute_graded_series, compute_measures
from hipform.kinematics.grading import (
    MAX_SEGMENT_CHANGE,
    MIN_FLAG_CONFIDENCE,
    MIN_STEADY_SEGMENTS,
    flag_confidence,
)
from hipform.kinematics.movements import LIVE_MOVEMENTS, movement_named
from hipform.kinematics.reading_error import judged_severity
from hipform.kinematics.side_lying import seen_along_body
from hipform.kinematics.signals import VISIBILITY_MIN, OneEuroFilter
from hipform.kinematics.stability import compute_rep_stability_measures
from hipform.kinematics.tracking import MAX_KEY_SHIFT_S, MIN_TRACKED_SHARE, freeze_limit_s, skeleton_frames
from hipform.kinematics.view import (
    FRONTAL_MAX_YAW_DEG,
    SIDE_MIN_YAW_DEG,
    ViewEstimate,
    compute_view_yaw_deg,
)
from hipform.landmarks import LEG_SEGMENTS, N_LANDMARKS, Landmark
from hipform.plain import live_cue

L = Landmark
SIDES = ("left", "right")

#: Fewest frames of a rep for it to be judged: the steadiness test takes a median of frame-to-frame
#: changes, and the worst moment of a rep is missed when it is sampled more sparsely.
MIN_REP_FRAMES = 6
#: Fewest rest frames for a per-person baseline (standing FPPA, knee separation, level pelvis).
MIN_REST_FRAMES = 5
#: Below this many analysed frames a second, leg segments change too much between frames for the
#: steadiness test to tell tracking from jumping landmarks: an unsteady rep says the frame rate. [J]
STEADY_MIN_RATE = 10.0


def min_frame_rate_hz(movement: str) -> float:
    """Fewest analysed frames a second for live cues on ``movement`` to be judged.

    The larger of :data:`STEADY_MIN_RATE` (the steadiness test) and twice the movement's
    low-pass cut-off (sampled more sparsely, the motion the batch analysis keeps is aliased:
    Nyquist). Below it, reps come out "not judged" and the person should record instead.
    """
    return max(STEADY_MIN_RATE, 2.0 * movement_named(movement).cutoff_hz)


#: How far before a rep starts the live checker keeps frames: the batch looks back as far for the
#: key moment of a step-up (the lead knee loaded on the step before the hips rise).
LOOKBACK_S = 1.5
#: A value read at one moment (the bottom) is the median over the frames this close to it (at least
#: the frame and its neighbours): the batch reads a low-pass filtered series there, and one noisy
#: frame near the threshold decided "good" or "collapsing" at a few frames a second.
KEY_SPAN_S = 0.1


class _Frame(NamedTuple):
    """What the live checker keeps of one frame while it may belong to a rep."""

    t: float
    depth: float
    m: dict[str, np.ndarray]  # the per-frame measures, (1, ...) each
    px: np.ndarray  # (33, 2) filtered pixels
    seen: np.ndarray  # (33,) bool: the pose model saw the landmark (visible enough, placed)
    vis: np.ndarray  # (33,)
    yaw: float
    change: np.ndarray  # (4,) relative change of each leg segment's length since the last frame


@dataclass(frozen=True)
class LiveCue:
    """A message for the person, given when a rep ends.

    Attributes
    ----------
    t_s : time of the frame that ended the rep, seconds.
    rep : 1-based rep number.
    fault : one of :data:`hipform.kinematics.faults.FAULTS`, or None for a clean rep or one
        that could not be judged (``judged`` tells them apart).
    side : ``left``/``right`` or None.
    severity : ``mild``/``marked`` or None.
    value : the graded value (``unit``) or None.
    unit : ``deg`` or ``ratio`` or None.
    text : the cue, e.g. ``"rep 3: left knee collapsing — 14°"``.
    """

    t_s: float
    rep: int
    fault: str | None
    side: str | None
    severity: str | None
    value: float | None
    unit: str | None
    text: str
    judged: bool = True


class LiveAnalyser:
    """Causal rep counter and form checker for a webcam stream.

    Parameters
    ----------
    movement : one of :data:`LIVE_MOVEMENTS`.
    min_visibility : landmarks below this visibility are ignored.
    min_cutoff_hz, beta : One Euro filter settings (see :class:`OneEuroFilter`); ``beta``
        is per pixel/s of landmark speed.

    Examples
    --------
    >>> live = LiveAnalyser("squat")
    >>> for landmarks_px, visibility, t in frames:          # doctest: +SKIP
    ...     for cue in live.update(landmarks_px, visibility, t):
    ...         print(cue.text)
    """

    def __init__(
        self,
        movement: str = "squat",
        min_visibility: float = VISIBILITY_MIN,
        min_cutoff_hz: float = 1.5,
        beta: float = 0.02,
    ) -> None:
        if movement not in LIVE_MOVEMENTS:
            raise ValueError(
                f"live checking supports {', '.join(LIVE_MOVEMENTS)}, got {movement!r}; "
                "analyse a recorded clip for running and single-leg balance"
            )
        self.movement = movement
        spec = movement_named(movement)
        self.rules = spec.rules
        self._one_leg_throughout = spec.whole_rep_on_one_leg
        self.counter = spec.live
        self.min_visibility = float(min_visibility)
        self._filter = OneEuroFilter(min_cutoff_hz, beta)
        self._enter, self._exit = self.counter.enter, self.counter.exit
        self.reset()

    # ------------------------------------------------------------------ state
    def reset(self) -> None:
        """Forget everything (new set)."""
        self._filter.reset()
        self._in_rep = False
        self._reps = 0
        self._last_t: float | None = None
        self._ref = np.nan  # standing hip–ankle distance / lowest hip line etc.
        self._leg = np.nan
        self._yaw: deque[float] = deque(maxlen=15)
        self._rest: deque[dict[str, np.ndarray]] = deque(maxlen=90)
        self._base: dict[str, np.ndarray | float] | None = None
        self._prev_seg = np.full(len(LEG_SEGMENTS), np.nan)
        self._before: deque[_Frame] = deque()  # frames before the current rep, LOOKBACK_S at most
        self._frames: list[_Frame] = []  # frames of the current rep

    @property
    def reps(self) -> int:
        """Completed reps so far."""
        return self._reps

    # ------------------------------------------------------------------ per frame
    def update(self, landmarks_px: np.ndarray, visibility: np.ndarray, t_s: float) -> list[LiveCue]:
        """Feed one frame; returns the cues of a rep that ended on this frame (usually none).

        Parameters
        ----------
        landmarks_px : (33, 3) image landmarks in pixels (NaN when no person).
        visibility : (33,) in [0, 1].
        t_s : frame time in seconds, increasing.

        Raises
        ------
        ValueError
            Wrong shapes, or a timestamp that does not increase.
        """
        lm = np.asarray(landmarks_px, dtype=np.float64)
        vis = np.asarray(visibility, dtype=np.float64)
        if lm.shape != (N_LANDMARKS, 3) or vis.shape != (N_LANDMARKS,):
            raise ValueError(
                f"expected landmarks (33, 3) and visibility (33,), got {lm.shape} and {vis.shape}"
            )
        if self._last_t is not None and not float(t_s) > self._last_t:
            raise ValueError(f"timestamps must increase, got {t_s} after {self._last_t}")
        self._last_t = float(t_s)
        xy = lm[:, :2].copy()
        xy[~(vis >= self.min_visibility)] = np.nan
        # leg segment lengths before filtering: does the body move like a body? (see _steady)
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            seg = np.array([np.hypot(*(xy[int(a)] - xy[int(b)])) for a, b in LEG_SEGMENTS])
            change = np.abs(seg - self._prev_seg) / (0.5 * (seg + self._prev_seg))
        self._prev_seg = seg
        px = self._filter(xy, float(t_s))[None]
        m = self._measures(px)
        depth = self._depth(px, m)
        yaw = float(compute_view_yaw_deg(px)[0])
        if np.isfinite(yaw):
            self._yaw.append(yaw)
        if not np.isfinite(depth):
            return []
        seen = (vis >= self.min_visibility) & np.isfinite(lm[:, :2]).all(axis=1)
        frame = _Frame(float(t_s), depth, m, px[0], seen, vis, yaw, change)
        if not self._in_rep:
            if depth > self._enter:
                self._in_rep = True
                self._frames = []
            else:
                if depth < self._exit:
                    self._rest.append(m)
                    self._base = None  # recomputed from the new rest frames when next needed
                self._before.append(frame)
                while self._before and frame.t - self._before[0].t > LOOKBACK_S:
                    self._before.popleft()
                return []
        self._frames.append(frame)
        if depth < self._exit:
            self._in_rep = False
            self._reps += 1
            cues = self._grade(float(t_s))
            self._before = deque([frame])  # the next rep looks back no further than this one's end
            return cues
        return []

    # ------------------------------------------------------------------ internals
    def _measures(self, px: np.ndarray) -> dict[str, np.ndarray]:
        """The batch analysis' per-frame measures of one frame ``px`` (1, 33, 2), plus the ankles' y."""
        m = compute_measures(px, None)
        m["ankle_y"] = px[:, [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)], 1]
        return m

    def _depth(self, px: np.ndarray, m: dict[str, np.ndarray]) -> float:
        """The rep signal of the movement's :class:`~hipform.kinematics.movements.LiveCounter`,
        larger = deeper into the rep."""
        lengths = M.compute_leg_length(px)
        if np.isfinite(lengths).any():
            leg = float(np.nanmax(lengths[0]))
            self._leg = leg if not np.isfinite(self._leg) else max(self._leg * 0.999, leg)
        c = self.counter
        if c.signal == "hip_ankle_lost":
            hip = px[0, [int(L.LEFT_HIP), int(L.RIGHT_HIP)]]
            ank = px[0, [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)]]
            d = np.linalg.norm(hip - ank, axis=-1)
            if not np.isfinite(d).any():
                return np.nan
            if c.leg == "both":
                dist = float(np.mean(d[np.isfinite(d)]))
            else:  # the planted leg: the lower ankle
                dist = float(d[int(np.argmax(np.where(np.isfinite(d), ank[:, 1], -np.inf)))])
            if not (np.isfinite(dist) and dist > 0):  # a collapsed skeleton (all on one point) has no depth
                return np.nan
            self._ref = dist if not np.isfinite(self._ref) else max(self._ref, dist)
            return 1.0 - dist / self._ref
        if c.signal == "hip_rise":
            hip_y = float(np.mean(px[0, [int(L.LEFT_HIP), int(L.RIGHT_HIP)], 1]))
            if not (np.isfinite(hip_y) and self._leg > 0):  # NaN or a zero-length leg: no depth
                return np.nan
            self._ref = hip_y if not np.isfinite(self._ref) else max(self._ref, hip_y)  # lowest hips (y down)
            return (self._ref - hip_y) / self._leg
        v = m[c.measure][0]
        if c.leg == "bent":
            kf = m["knee_flexion_deg"][0]
            val = float(v[int(np.nanargmax(kf))]) if np.isfinite(kf).any() else np.nan
        else:
            val = float(np.max(v[np.isfinite(v)])) if np.isfinite(v).any() else np.nan
        if not np.isfinite(val):
            return np.nan
        self._ref = val if not np.isfinite(self._ref) else min(self._ref, val)
        return val - self._ref

    def _baselines(self) -> dict[str, np.ndarray | float]:
        """Per-person baselines from the rest frames, as the batch analysis reads them (NaN without)."""
        if self._base is None:
            enough = len(self._rest) >= MIN_REST_FRAMES

            def median(name: str) -> np.ndarray:
                arr = np.concatenate([r[name] for r in self._rest]) if enough else np.full((1, 2), np.nan)
                arr = arr.reshape(arr.shape[0], -1)
                with np.errstate(invalid="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column is NaN
                    return np.nanmedian(arr, axis=0)

            self._base = {
                "fppa_deg": median("fppa_deg"),
                "knee_separation_ratio": float(median("knee_separation_ratio")[0]),
                "pelvic_obliquity_deg": float(median("pelvic_obliquity_deg")[0]),
            }
        return self._base

    def _view_ok(self, rule: FaultRule, along: float) -> bool:
        """The view lets ``rule`` be judged; ``along`` is :func:`seen_along_body` of the rep's frames
        (a rule read along a side-lying body needs it seen along its length, as the batch does)."""
        if rule.withheld or not self._yaw or (rule.along_body and along != 1.0):
            return False
        yaw = float(np.median(self._yaw))
        return yaw < FRONTAL_MAX_YAW_DEG if rule.view == "frontal" else yaw > SIDE_MIN_YAW_DEG

    def _steady(self) -> bool:
        """The rep's landmarks moved like a body (same test as the batch analysis).

        From one frame to the next the image length of a leg segment changes by a
        few percent in real tracking; at least :data:`MIN_STEADY_SEGMENTS` segments
        must change by at most :data:`MAX_SEGMENT_CHANGE` (median over the rep, at
        least :data:`MIN_REP_FRAMES` frames measured).
        """
        if not self._frames:
            return False
        changes = np.array([f.change for f in self._frames])
        steady = 0
        for col in changes.T:
            col = col[np.isfinite(col)]
            steady += bool(col.size >= MIN_REP_FRAMES and np.median(col) <= MAX_SEGMENT_CHANGE)
        return steady >= MIN_STEADY_SEGMENTS

    def _not_judged(self, t_s: float) -> LiveCue | None:
        """The cue of a rep that cannot be judged at all (too few frames, unsteady, a freeze), or None."""
        rep, frames = self._reps, self._frames
        why = None
        if len(frames) < MIN_REP_FRAMES:  # frames were dropped to keep up: say so rather than blame tracking
            why = f"only {len(frames)} frames analysed; the computer may be too slow"
        elif not self._steady():
            rate = 1.0 / float(np.median(np.diff([f.t for f in frames])))
            why = "the body was not tracked steadily"
            if rate < STEADY_MIN_RATE:  # the steadiness test needs frames close together: say why
                why = f"only {rate:.0f} frames a second analysed; the computer may be too slow"
        else:
            times = np.array([f.t for f in (*self._before, *frames)])
            gap = float(np.max(np.diff([f.t for f in frames]))) if len(frames) > 1 else 0.0
            if gap > freeze_limit_s(times):
                why = f"the video stalled for {gap:.1f} s during it"
        if why is None:
            return None
        return LiveCue(t_s, rep, None, None, None, None, None, f"rep {rep}: not judged ({why})", judged=False)

    def _key(self, window: list[_Frame], start: int) -> tuple[int, int | None]:
        """The rep's key frame in ``window`` (lookback then rep frames; the rep from ``start``) and its
        working leg (None: both legs), as the batch segmentation picks them."""
        depth = np.array([f.depth for f in window])
        top = start + int(np.argmax(depth[start:]))
        kf = np.concatenate([f.m["knee_flexion_deg"] for f in window])
        c = self.counter
        if c.key_frame is not None:
            px = np.stack([f.px for f in window])
            dt = np.diff([f.t for f in window])
            fps = 1.0 / float(np.median(dt)) if dt.size else 30.0
            return c.key_frame(px, kf, float(self._leg), fps, start, top, 0)
        if c.stance == "planted":
            # the stance foot is the lower one through the rep: from the front the lifted foot is only
            # a few pixels higher, and the deepest frame alone picked the wrong leg when pose saw one
            # frame in five (a busy computer) and misplaced the standing ankle
            ank = np.concatenate([f.m["ankle_y"] for f in window[start:]])
            diff = ank[:, 0] - ank[:, 1]
            diff = diff[np.isfinite(diff)]
            return top, (0 if np.median(diff) >= 0 else 1) if diff.size else None
        if c.stance == "bent" and np.isfinite(kf[top]).any():
            return top, int(np.nanargmax(kf[top]))
        return top, None

    def _read(
        self, rule: FaultRule, x: np.ndarray, side: int, window: list[_Frame], start: int, key: int
    ) -> tuple[float, int]:
        """(value, frame) of ``rule`` on ``side`` (-1: the mean of both) read as the batch reads it:
        only frames where its key landmarks were seen, through at least :data:`MIN_TRACKED_SHARE` of
        the rep; at the key moment the median of the frames within :data:`KEY_SPAN_S` (the nearest
        seen one, at most :data:`MAX_KEY_SHIFT_S` away), else the worst (or, held, the median) over
        the rep. NaN when it cannot be read."""
        skel = skeleton_frames(rule.measure, side, np.stack([f.seen for f in window]))
        col = x[:, side] if side >= 0 else np.nanmean(np.where(np.isfinite(x), x, np.nan), axis=1)
        ok = skel & np.isfinite(col)
        if ok[start:].mean() < MIN_TRACKED_SHARE:
            return float("nan"), key
        t = np.array([f.t for f in window])
        if rule.phase in ("bottom", "top"):
            dt = np.abs(t - t[key])
            near = ok & (dt <= max(KEY_SPAN_S, np.sort(dt)[min(2, dt.size - 1)]))
            if not near.any():
                cand = np.flatnonzero(ok & (dt <= MAX_KEY_SHIFT_S))
                if not cand.size:
                    return float("nan"), key
                near = np.zeros_like(ok)
                near[cand[np.argmin(dt[cand])]] = True
            return float(np.median(col[near])), int(np.flatnonzero(near)[np.argmin(dt[near])])
        idx = start + np.flatnonzero(ok[start:])
        vals = col[idx]
        if rule.phase == "hold":
            return float(np.median(vals)), int(idx[len(idx) // 2])
        at = int(np.argmax(vals) if rule.direction == "above" else np.argmin(vals))
        return float(vals[at]), int(idx[at])

    def _view(self, rule: FaultRule, window: list[_Frame]) -> ViewEstimate:
        """The view as flag confidence reads it: the share of the window's frames whose yaw agrees."""
        yaw = np.array([f.yaw for f in window])
        agree = yaw < FRONTAL_MAX_YAW_DEG if rule.view == "frontal" else yaw > SIDE_MIN_YAW_DEG
        n = len(window)
        return ViewEstimate(
            "front" if rule.view == "frontal" else "side",
            float(np.mean(agree)),
            float(np.nanmedian(yaw)) if np.isfinite(yaw).any() else float("nan"),
            "unknown",
            yaw,
            np.zeros(n, np.int64),
            np.zeros(n),
        )

    def _has_base(self, rule: FaultRule) -> bool:
        base = self._baselines()
        name = {"fppa_deg": "fppa_deg", "knee_separation_rel": "knee_separation_ratio"}.get(rule.measure)
        name = "pelvic_obliquity_deg" if rule.measure == "pelvic_drop_deg" else name
        return name is None or bool(np.isfinite(base[name]).all())

    def _grade(self, t_s: float) -> list[LiveCue]:
        """The cues of the rep that just ended: each rule read as the batch reads it (same key moment,
        same leg, only frames with the skeleton seen, the same confidence floor)."""
        rep = self._reps
        not_judged = self._not_judged(t_s)
        if not_judged is not None:
            return [not_judged]
        window = [*self._before, *self._frames]
        start = len(self._before)
        key, stance = self._key(window, start)
        m = {name: np.concatenate([f.m[name] for f in window]) for name in window[0].m}
        if any(r.fault == "instability" for r in self.rules):  # wobble reads the rep's frame times
            m.update(compute_rep_stability_measures(window, start, stance, self._one_leg_throughout))
        vis = np.stack([f.vis for f in window])
        along = float(seen_along_body(np.stack([f.px for f in window]))[0])
        cues: list[LiveCue] = []
        graded = 0
        for rule in self.rules:
            if not self._view_ok(rule, along):
                continue
            if rule.min_hip_depth > 0:
                # live depth is relative to the deepest frame seen so far, not to a standing height
                # the rule can trust yet: skip rules that apply from a given depth only
                continue
            x = compute_graded_series(rule, m, self._baselines())
            if not np.isfinite(x).any():  # a measure only the batch segmentation makes (band walk)
                continue
            if rule.measure in FROM_REP_START:  # relative to the start of the rep
                x = np.abs(x - x[start])
            sides = [stance] if stance is not None and rule.per_side else ([0, 1] if rule.per_side else [-1])
            for s in sides:
                v, at = self._read(rule, x, s, window, start, key)
                if not np.isfinite(v) or abs(v) > rule.plausible_limit:  # unread, or a misread pose
                    continue
                sev = judged_severity(rule, v, self._view(rule, window))
                graded += 1
                if sev is None:
                    continue
                thr = np.array([rule.marked if sev == "marked" else rule.mild])
                conf = flag_confidence(
                    rule,
                    np.array([v]),
                    thr,
                    vis,
                    max(s, 0),
                    np.array([at]),
                    self._view(rule, window),
                    self._has_base(rule),
                )[0]
                if conf < MIN_FLAG_CONFIDENCE * rule.confidence_scale:
                    graded -= 1  # too unsure: this rule did not judge the rep
                    continue
                side = SIDES[s] if s >= 0 else None
                text = f"rep {rep}: {live_cue(rule, side, v)}"
                cues.append(LiveCue(t_s, rep, rule.fault, side, sev, v, rule.unit, text))
        if not cues and not graded:  # no rule could judge it (camera angle, landmarks hidden): never "good"
            text = f"rep {rep}: not judged from this camera angle"
            if any(self._view_ok(r, along) for r in self.rules):
                text = f"rep {rep}: not judged (the body was not seen well enough)"
            cues.append(LiveCue(t_s, rep, None, None, None, None, None, text, judged=False))
        elif not cues:
            cues.append(LiveCue(t_s, rep, None, None, None, None, None, f"rep {rep}: good"))
        return cues
