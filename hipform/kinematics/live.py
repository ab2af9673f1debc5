"""Live (webcam) form checking: one frame at a time, causal, with a cue when each rep ends.

:class:`LiveAnalyzer` sees only the past: landmarks go through a One Euro
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

import numpy as np

from hipform.kinematics import measures as M
from hipform.kinematics.faults import FaultRule
from hipform.kinematics.frame_measures import compute_graded_series, compute_measures
from hipform.kinematics.grading import MAX_SEGMENT_CHANGE, MIN_STEADY_SEGMENTS
from hipform.kinematics.movements import LIVE_MOVEMENTS, movement_named
from hipform.kinematics.signals import VISIBILITY_MIN, OneEuroFilter
from hipform.kinematics.view import FRONTAL_MAX_YAW_DEG, SIDE_MIN_YAW_DEG, compute_view_yaw_deg
from hipform.landmarks import LEG_SEGMENTS, N_LANDMARKS, Landmark

L = Landmark
SIDES = ("left", "right")

#: Fewest frames of a rep for it to be judged: the steadiness test takes a median of frame-to-frame
#: changes, and the worst moment of a rep is missed when it is sampled more sparsely.
MIN_REP_FRAMES = 6
#: Fewest rest frames for a per-person baseline (standing FPPA, knee separation, level pelvis).
MIN_REST_FRAMES = 5


@dataclass(frozen=True)
class LiveCue:
    """A message for the person, given when a rep ends.

    Attributes
    ----------
    t_s : time of the frame that ended the rep, seconds.
    rep : 1-based rep number.
    fault : ``knee_collapse``, ``pelvic_drop``, ``back_arch``, or None for a clean rep or one
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


def _describe(rule: FaultRule, side: str | None, value: float) -> str:
    v = f"{value:.0f}°" if rule.unit == "deg" else f"{value:.2f}"
    if rule.fault == "knee_collapse":
        who = f"{side} knee" if side else "knees"
        return f"{who} collapsing — {v}"
    if rule.fault == "pelvic_drop":
        other = {"left": "right", "right": "left"}.get(side or "", "free")
        return f"pelvis dropping on the {other} side — {v}"
    return f"back arching — {v}"


class LiveAnalyzer:
    """Causal rep counter and form checker for a webcam stream.

    Parameters
    ----------
    exercise : one of :data:`LIVE_MOVEMENTS`.
    min_visibility : landmarks below this visibility are ignored.
    min_cutoff_hz, beta : One Euro filter settings (see :class:`OneEuroFilter`); ``beta``
        is per pixel/s of landmark speed.

    Examples
    --------
    >>> live = LiveAnalyzer("squat")
    >>> for landmarks_px, visibility, t in frames:          # doctest: +SKIP
    ...     for cue in live.update(landmarks_px, visibility, t):
    ...         print(cue.text)
    """

    def __init__(
        self,
        exercise: str = "squat",
        min_visibility: float = VISIBILITY_MIN,
        min_cutoff_hz: float = 1.5,
        beta: float = 0.02,
    ) -> None:
        if exercise not in LIVE_MOVEMENTS:
            raise ValueError(
                f"live checking supports {', '.join(LIVE_MOVEMENTS)}, got {exercise!r}; "
                "analyse a recorded clip for running and single-leg balance"
            )
        self.exercise = exercise
        movement = movement_named(exercise)
        self.rules = movement.rules
        self.counter = movement.live
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
        self._best_depth = -np.inf
        self._at_peak: dict[str, np.ndarray] = {}
        self._worst: dict[str, np.ndarray] = {}
        self._prev_seg = np.full(len(LEG_SEGMENTS), np.nan)
        self._seg_changes: list[np.ndarray] = []  # per frame of the current rep, (4,) relative change
        self._ankle_y_diff: list[float] = []  # per frame of the current rep: left ankle y − right (px)

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
        if not self._in_rep:
            if depth > self._enter:
                self._in_rep = True
                self._best_depth = -np.inf
                self._worst = {}
                self._seg_changes = []
                self._ankle_y_diff = []
            else:
                if depth < self._exit:
                    self._rest.append(m)
                    self._base = None  # recomputed from the new rest frames when next needed
                return []
        self._track(m, depth)
        self._seg_changes.append(change)
        self._ankle_y_diff.append(float(m["ankle_y"][0, 0] - m["ankle_y"][0, 1]))
        if depth < self._exit:
            self._in_rep = False
            self._reps += 1
            return self._grade(float(t_s))
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

    def _graded(self, rule: FaultRule, m: dict[str, np.ndarray]) -> np.ndarray:
        """(2,) [left, right] value of ``rule``'s graded series on this frame (the batch's series)."""
        x = compute_graded_series(rule, m, self._baselines())[0]
        if rule.measure == "trunk_line_change_deg":  # relative to the start of the rep
            start = self._worst.get("_trunk_start")
            return np.abs(x - start) if start is not None else np.full(2, np.nan)
        return np.asarray(x, dtype=np.float64)

    def _track(self, m: dict[str, np.ndarray], depth: float) -> None:
        if "_trunk_start" not in self._worst:
            self._worst["_trunk_start"] = np.repeat(m["trunk_line_deg"][0], 2)
        if depth > self._best_depth:
            self._best_depth = depth
            self._at_peak = {r.measure: self._graded(r, m) for r in self.rules}
            self._at_peak["knee_flexion_deg"] = m["knee_flexion_deg"][0]
        for r in self.rules:
            if r.phase in ("bottom", "top"):
                continue
            g = self._graded(r, m)
            prev = self._worst.get(r.measure)
            pick = np.fmax if r.direction == "above" else np.fmin
            self._worst[r.measure] = g if prev is None else pick(prev, g)

    def _view_ok(self, rule: FaultRule) -> bool:
        if not self._yaw:
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
        if not self._seg_changes:
            return False
        changes = np.array(self._seg_changes)
        steady = 0
        for col in changes.T:
            col = col[np.isfinite(col)]
            steady += bool(col.size >= MIN_REP_FRAMES and np.median(col) <= MAX_SEGMENT_CHANGE)
        return steady >= MIN_STEADY_SEGMENTS

    def _grade(self, t_s: float) -> list[LiveCue]:
        cues: list[LiveCue] = []
        rep = self._reps
        n_frames = len(self._seg_changes)
        if n_frames < MIN_REP_FRAMES:  # frames were dropped to keep up: say so rather than blame the tracking
            text = f"rep {rep}: not judged (only {n_frames} frames analysed; the computer may be too slow)"
            return [LiveCue(t_s, rep, None, None, None, None, None, text, judged=False)]
        if not self._steady():
            text = f"rep {rep}: not judged (the body was not tracked steadily)"
            return [LiveCue(t_s, rep, None, None, None, None, None, text, judged=False)]
        graded = 0
        kf = self._at_peak.get("knee_flexion_deg", np.full(2, np.nan))
        stance: int | None = None
        ankle_y_diff = np.array(self._ankle_y_diff)
        ankle_y_diff = ankle_y_diff[np.isfinite(ankle_y_diff)]
        if self.counter.stance == "planted" and ankle_y_diff.size:
            # the stance foot is the lower one through the rep: from the front the lifted foot is only
            # a few pixels higher, and the deepest frame alone picked the wrong leg when pose saw one
            # frame in five (a busy computer) and misplaced the standing ankle
            stance = 0 if np.median(ankle_y_diff) >= 0 else 1
        elif self.counter.stance == "bent" and np.isfinite(kf).any():
            stance = int(np.nanargmax(kf))
        for rule in self.rules:
            if not self._view_ok(rule):
                continue
            if rule.min_knee_flexion_deg > 0:
                # live depth comes from 2D angles, too rough to decide "deep enough": skip such rules
                continue
            vals = (
                self._at_peak.get(rule.measure)
                if rule.phase in ("bottom", "top")
                else self._worst.get(rule.measure)
            )
            if vals is None:
                continue
            graded += 1
            sides = (
                [stance] if stance is not None and rule.per_side else ([0, 1] if rule.per_side else [None])
            )
            for s in sides:
                if s is not None:
                    v = float(vals[s])
                else:
                    v = float(np.mean(vals[np.isfinite(vals)])) if np.isfinite(vals).any() else np.nan
                sev = rule.severity(v)
                if sev is None:
                    continue
                side = SIDES[s] if s is not None else None
                cues.append(
                    LiveCue(
                        t_s,
                        rep,
                        rule.fault,
                        side,
                        sev,
                        v,
                        rule.unit,
                        f"rep {rep}: {_describe(rule, side, v)}",
                    )
                )
        if not cues and not graded:  # every rule needs another camera angle: never "good"
            text = f"rep {rep}: not judged from this camera angle"
            cues.append(LiveCue(t_s, rep, None, None, None, None, None, text, judged=False))
        elif not cues:
            cues.append(LiveCue(t_s, rep, None, None, None, None, None, f"rep {rep}: good"))
        return cues
