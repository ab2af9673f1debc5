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

from collections import deque
from dataclasses import dataclass

import numpy as np

from hipform.kinematics import measures as M
from hipform.kinematics.analysis import MAX_SEGMENT_CHANGE, MIN_STEADY_SEGMENTS
from hipform.kinematics.faults import FaultRule, rules_for
from hipform.kinematics.signals import VISIBILITY_MIN, OneEuroFilter
from hipform.kinematics.view import FRONTAL_MAX_YAW_DEG, SIDE_MIN_YAW_DEG, compute_view_yaw_deg
from hipform.landmarks import N_LANDMARKS, Landmark

L = Landmark
SIDES = ("left", "right")
_LEG_SEGMENTS = (
    (L.LEFT_HIP, L.LEFT_KNEE),
    (L.LEFT_KNEE, L.LEFT_ANKLE),
    (L.RIGHT_HIP, L.RIGHT_KNEE),
    (L.RIGHT_KNEE, L.RIGHT_ANKLE),
)

#: Fewest frames of a rep for it to be judged: the steadiness test takes a median of frame-to-frame
#: changes, and the worst moment of a rep is missed when it is sampled more sparsely.
MIN_REP_FRAMES = 6

#: Movements the live checker counts reps for.
LIVE_MOVEMENTS = ("squat", "single-leg-squat", "step-up", "bridge", "single-leg-bridge", "kickback")

#: (enter, exit) thresholds of the live rep counter per movement [J]: squats on the hip–ankle
#: distance lost (fraction of standing), step-up on hip rise (leg lengths), bridges and kickback on
#: the angle gained over the lowest value seen (degrees).
LIVE_THRESHOLDS = {
    "squat": (0.15, 0.07),
    "single-leg-squat": (0.10, 0.05),
    "step-up": (0.12, 0.05),
    "bridge": (25.0, 12.0),
    "single-leg-bridge": (25.0, 12.0),
    "kickback": (50.0, 30.0),
}


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
        self.rules = rules_for(exercise)
        self.min_visibility = float(min_visibility)
        self._filter = OneEuroFilter(min_cutoff_hz, beta)
        self._enter, self._exit = LIVE_THRESHOLDS[exercise]
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
        self._best_depth = -np.inf
        self._at_peak: dict[str, np.ndarray] = {}
        self._worst: dict[str, np.ndarray] = {}
        self._prev_seg = np.full(len(_LEG_SEGMENTS), np.nan)
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
            seg = np.array([np.hypot(*(xy[int(a)] - xy[int(b)])) for a, b in _LEG_SEGMENTS])
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
                return []
        self._track(m, depth)
        self._seg_changes.append(change)
        self._ankle_y_diff.append(float(m["ankle_y"][0] - m["ankle_y"][1]))
        if depth < self._exit:
            self._in_rep = False
            self._reps += 1
            return self._grade(float(t_s))
        return []

    # ------------------------------------------------------------------ internals
    def _measures(self, px: np.ndarray) -> dict[str, np.ndarray]:
        obl = M.compute_pelvic_obliquity_deg(px)
        return {
            "fppa_deg": M.compute_fppa_deg(px)[0],
            "knee_separation_ratio": M.compute_knee_separation_ratio(px)[0:1].repeat(2),
            "knee_toe_ratio": M.compute_knee_toe_ratio(px)[0],
            "pelvic_obliquity_deg": np.repeat(obl, 2),
            "bridge_hip_line_deg": M.compute_bridge_hip_line_deg(px)[0],
            "thigh_past_trunk_deg": M.compute_thigh_past_trunk_deg(px)[0],
            "trunk_line_deg": np.repeat(M.compute_trunk_line_deg(px), 2),
            "knee_flexion_deg": M.compute_knee_flexion_deg(px)[0],
            "ankle_y": px[0, [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)], 1],
        }

    def _depth(self, px: np.ndarray, m: dict[str, np.ndarray]) -> float:
        """The rep signal, larger = deeper into the rep, in the units of :data:`LIVE_THRESHOLDS`."""
        ex = self.exercise
        leg = (
            float(np.nanmax(M.compute_leg_length(px)[0]))
            if np.isfinite(M.compute_leg_length(px)).any()
            else np.nan
        )
        if np.isfinite(leg):
            self._leg = leg if not np.isfinite(self._leg) else max(self._leg * 0.999, leg)
        if ex in ("squat", "single-leg-squat"):
            hip = px[0, [int(L.LEFT_HIP), int(L.RIGHT_HIP)]]
            ank = px[0, [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)]]
            d = np.linalg.norm(hip - ank, axis=-1)
            if not np.isfinite(d).any():
                return np.nan
            if ex == "squat":
                dist = float(np.mean(d[np.isfinite(d)]))
            else:  # the stance leg: the lower ankle
                dist = float(d[int(np.argmax(np.where(np.isfinite(d), ank[:, 1], -np.inf)))])
            if not (np.isfinite(dist) and dist > 0):  # a collapsed skeleton (all on one point) has no depth
                return np.nan
            self._ref = dist if not np.isfinite(self._ref) else max(self._ref, dist)
            return 1.0 - dist / self._ref
        if ex == "step-up":
            hip_y = float(np.mean(px[0, [int(L.LEFT_HIP), int(L.RIGHT_HIP)], 1]))
            if not (np.isfinite(hip_y) and self._leg > 0):  # NaN or a zero-length leg: no depth
                return np.nan
            self._ref = hip_y if not np.isfinite(self._ref) else max(self._ref, hip_y)  # lowest hips (y down)
            return (self._ref - hip_y) / self._leg
        key = "bridge_hip_line_deg" if ex in ("bridge", "single-leg-bridge") else "thigh_past_trunk_deg"
        v = m[key]
        if ex == "single-leg-bridge":
            kf = m["knee_flexion_deg"]
            val = float(v[int(np.nanargmax(kf))]) if np.isfinite(kf).any() else np.nan
        else:
            val = float(np.max(v[np.isfinite(v)])) if np.isfinite(v).any() else np.nan
        if not np.isfinite(val):
            return np.nan
        self._ref = val if not np.isfinite(self._ref) else min(self._ref, val)
        return val - self._ref

    def _baseline(self, name: str) -> np.ndarray:
        vals = [r[name] for r in self._rest if name in r]
        if len(vals) < 5:
            return np.full(2, np.nan)
        arr = np.asarray(vals)
        out = np.full(2, np.nan)
        for s in (0, 1):
            col = arr[:, s][np.isfinite(arr[:, s])]
            out[s] = np.median(col) if col.size else np.nan
        return out

    def _graded(self, rule: FaultRule, m: dict[str, np.ndarray]) -> np.ndarray:
        name = rule.measure
        if name == "fppa_deg":
            return m["fppa_deg"] - np.nan_to_num(self._baseline("fppa_deg"))
        if name == "knee_separation_rel":
            b = self._baseline("knee_separation_ratio")[0]
            return m["knee_separation_ratio"] / (b if np.isfinite(b) and b > 0 else 1.0)
        if name == "pelvic_drop_deg":
            o = m["pelvic_obliquity_deg"][0] - np.nan_to_num(self._baseline("pelvic_obliquity_deg")[0])
            return np.array([o, -o])
        if name == "trunk_line_change_deg":
            start = self._worst.get("_trunk_start")
            cur = m["trunk_line_deg"]
            return np.abs(cur - start) if start is not None else np.full(2, np.nan)
        return np.asarray(m[name], dtype=np.float64)

    def _track(self, m: dict[str, np.ndarray], depth: float) -> None:
        if "_trunk_start" not in self._worst:
            self._worst["_trunk_start"] = m["trunk_line_deg"].copy()
        if depth > self._best_depth:
            self._best_depth = depth
            self._at_peak = {r.measure: self._graded(r, m) for r in self.rules}
            self._at_peak["knee_flexion_deg"] = m["knee_flexion_deg"]
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
        if self.exercise == "single-leg-squat" and ankle_y_diff.size:
            # the stance foot is the lower one through the rep: from the front the lifted foot is only
            # a few pixels higher, and the deepest frame alone picked the wrong leg when pose saw one
            # frame in five (a busy computer) and misplaced the standing ankle
            stance = 0 if np.median(ankle_y_diff) >= 0 else 1
        elif self.exercise in ("single-leg-bridge", "step-up") and np.isfinite(kf).any():
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
