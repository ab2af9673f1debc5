"""What a rep's grading stands on: the landmarks the pose model really saw, and the frame times.

A flag needs substance: the key landmarks of its measure detected at the frame it was read on
(never a frame the gap filling or the filter made up), a rep tracked through most of its frames,
and no freeze of the recording inside the rep (a clip whose timestamps jump by a minute is not
one long rep). What fails here is "not judged", with the reason, never a value.
"""

from __future__ import annotations

import numpy as np

from hipform.kinematics.frame_measures import KEY_LANDMARKS
from hipform.kinematics.movements import Window
from hipform.kinematics.view import _LEFT_LEG, _RIGHT_LEG
from hipform.sequence import PoseSequence

#: A rep is graded only where the key landmarks of a rule were detected (visible, not filled in)
#: in at least this share of its frames; less is a tracking gap. [J]
MIN_TRACKED_SHARE = 0.5
#: A rule read at one moment (bottom, top) whose key landmarks were not detected at that frame
#: is read at the nearest frame that has them, at most this far away; else the rep is not judged
#: (further away, the value is no longer the bottom's). [J]
MAX_KEY_SHIFT_S = 0.2
#: A gap between two frame times longer than this many median frame intervals, or than
#: :data:`FREEZE_MAX_S` seconds, is a freeze (the recording stalled or skipped): a rep spanning
#: one is not graded. [J]
FREEZE_INTERVALS = 10.0
FREEZE_MAX_S = 1.0


def freeze_limit_s(t_s: np.ndarray) -> float:
    """The longest gap between two frame times that is not a freeze, seconds (:data:`FREEZE_INTERVALS`
    median intervals, at most :data:`FREEZE_MAX_S`)."""
    dt = np.diff(np.asarray(t_s, dtype=np.float64))
    dt = dt[np.isfinite(dt) & (dt > 0)]
    return min(FREEZE_MAX_S, FREEZE_INTERVALS * float(np.median(dt))) if dt.size else FREEZE_MAX_S


def longest_gaps_s(t_s: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """(W,) the longest gap between consecutive frame times inside each window [start, end], seconds."""
    out = np.zeros(start.size)
    has = end > start
    if not has.any():
        return out
    dt = np.diff(np.asarray(t_s, dtype=np.float64))
    st, ln = start[has], (end - start)[has]  # window i spans the gaps dt[start : end]
    first = np.cumsum(ln) - ln
    run = np.repeat(np.arange(st.size), ln)
    out[has] = np.maximum.reduceat(dt[np.arange(run.size) - first[run] + st[run]], first)
    return out


def detected_landmarks(seq: PoseSequence, swaps: np.ndarray, min_visibility: float) -> np.ndarray:
    """(T, 33) bool: the pose model saw the landmark in that frame (visible enough and placed), with the
    leg labels exchanged where the analysis undid a left/right swap. Gap-filled frames are not detected."""
    lp = seq.landmarks_px
    # x and y tested apart (docs/performance.md)
    det = (np.asarray(seq.visibility) >= min_visibility) & np.isfinite(lp[..., 0]) & np.isfinite(lp[..., 1])
    if swaps.any():
        left, right = list(_LEFT_LEG), list(_RIGHT_LEG)
        rows = np.flatnonzero(swaps)[:, None]
        det[rows, left + right] = det[rows, right + left]
    return det


def skeleton_frames(measure: str, side: int, detected: np.ndarray) -> np.ndarray:
    """(T,) bool: the key landmarks of ``measure`` (:data:`KEY_LANDMARKS`) on ``side`` were detected;
    for a whole-body read (``side`` -1, the mean of both sides) those of either side."""
    sets = KEY_LANDMARKS.get(measure)
    if sets is None:
        return np.ones(detected.shape[0], bool)

    def has(lms: tuple) -> np.ndarray:
        return detected[:, [int(lm) for lm in lms]].all(axis=1)

    return has(sets[0]) | has(sets[1]) if side < 0 else has(sets[side])


def nearest_frames(
    key: np.ndarray, start: np.ndarray, end: np.ndarray, ok: np.ndarray, t_s: np.ndarray
) -> np.ndarray:
    """(W,) for each window the frame nearest its ``key`` where ``ok`` holds, inside [start, end] and at
    most :data:`MAX_KEY_SHIFT_S` from the key; the key itself where none is (it then reads NaN)."""
    n = ok.size
    idx = np.arange(n)
    prev = np.maximum.accumulate(np.where(ok, idx, -1))
    nxt = np.minimum.accumulate(np.where(ok, idx, n)[::-1])[::-1]
    if key.size == 0:
        return key.copy()
    p, q = prev[key], nxt[key]
    t = np.asarray(t_s, dtype=np.float64)
    tk = t[key]
    with np.errstate(invalid="ignore"):
        dp = np.where(p >= start, tk - t[np.maximum(p, 0)], np.inf)
        dq = np.where(q <= end, t[np.minimum(q, n - 1)] - tk, np.inf)
    pick = np.where(dp <= dq, p, q)
    near = np.minimum(dp, dq) <= MAX_KEY_SHIFT_S + 1e-9
    return np.where(near, pick, key)


def ungraded_windows(
    windows: list[Window], coherent: np.ndarray, t_s: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, str]]]:
    """Windows no rule may grade: (W,) bool, (W,) each one's freeze in seconds (0: none), and the
    reason of each such window as (window index, sentence).

    ``coherent`` (W,) are the windows whose body was tracked steadily
    (:func:`hipform.kinematics.grading.steady_windows`); a window spanning a freeze
    (:func:`freeze_limit_s`) is not graded either.
    """
    start = np.array([w.start for w in windows], dtype=np.int64)
    end = np.array([w.end for w in windows], dtype=np.int64)
    gaps = longest_gaps_s(t_s, start, end)
    frozen = gaps > freeze_limit_s(t_s)
    reasons = []
    for wi in np.flatnonzero(frozen | ~coherent).tolist():
        what = f"{windows[wi].kind} {wi + 1}"
        if frozen[wi]:
            why = f"{what} spans a {gaps[wi]:.1f} s gap between frames (the recording froze or skipped)"
        else:
            why = f"the body was not tracked steadily in {what}"
        reasons.append((wi, why))
    return frozen | ~coherent, np.where(frozen, gaps, 0.0), reasons
