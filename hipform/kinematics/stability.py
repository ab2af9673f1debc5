"""Wobble on one leg (fault ``instability``): pelvis sway, trunk lean over the stance leg, free-foot
touch-downs and the hold time until the first loss of balance.

Every measure is read from image landmarks in pixels (biomechanics.md §0) in a front or rear view,
and only while the athlete stands on one leg: the free ankle clearly higher in the image than the
stance ankle (:func:`compute_stance_side`). The pelvis centre is the midpoint of the hips (23/24);
its sideways (image x, mediolateral in a frontal view) path is normalised by the clip's leg length,
so the numbers do not depend on how far away the camera is. Fore-aft sway cannot be seen from the
front and is not measured; vertical pelvis motion is the squat itself and is left out too.

What is flagged is the sway speed (:func:`compute_sway_speed`) and the trunk's lean over the stance
leg (:func:`compute_trunk_lean_deg`); the other measures of a hold are reported with them
(:func:`compute_hold_measures`). Too short a time on one leg gives no number
("not assessed"), never a clean reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from hipform.kinematics.frame_measures import leg_length_px
from hipform.kinematics.recognition_features import RAISED_FOOT  # a foot is up: recognition's own test
from hipform.landmarks import Landmark

L = Landmark
SIDES = ("left", "right")
#: A raised foot counts as touching down again once its ankle is back within this many leg lengths
#: of the stance ankle's height: half of :data:`RAISED_FOOT`, a hysteresis band so that an ankle
#: jittering around one threshold does not count touch-downs [J].
TOUCHED_FOOT = 0.04
#: Sway speed is the mean speed over this span, centred on each frame, all of it on one leg: a
#: shorter time on one leg gives no sway number [J] (posturography reads sway over 10–30 s; half a
#: second holds one cycle of a 2 Hz wobble and fits the ~0.7 s knee drive of a step-up).
SWAY_SPAN_S = 0.5
#: Longest touch-down that keeps a single-leg hold going (the foot dabs the floor and lifts again);
#: a longer one ends the hold [J].
MAX_TOUCHDOWN_S = 1.5
#: Shortest single-leg hold, seconds [J] (as the single-leg balance's segmentation).
MIN_HOLD_S = 0.5


def compute_stance_side(ankle_y: np.ndarray, leg_px: float) -> np.ndarray:
    """Which leg the body stands on alone, per frame: (T,) int, 0 left, 1 right, -1 neither.

    Parameters
    ----------
    ankle_y : ndarray, shape (T, 2)
        Image y of the left and right ankle, pixels, y down
        (:func:`hipform.kinematics.conditioning.ankle_y_px`: a foot lifted behind the stance leg
        is hidden from a front camera, yet its estimated height still tells it is up).
    leg_px : float
        Leg length in the image (hip–knee + knee–ankle), pixels.

    Notes
    -----
    A foot is raised once its ankle is :data:`RAISED_FOOT` leg lengths above the other ankle and
    stays raised until it is back within :data:`TOUCHED_FOOT` (hysteresis); the other leg is then
    the stance leg. A hidden ankle ends the state (-1): nothing is assumed about unseen feet.
    """
    n = ankle_y.shape[0]
    if n == 0 or not np.isfinite(leg_px) or leg_px <= 0:
        return np.full(n, -1, dtype=np.int64)
    with np.errstate(invalid="ignore"):
        lower_left = (ankle_y[:, 0] - ankle_y[:, 1]) / leg_px  # > 0: left ankle lower
    state = np.full(n, np.nan)  # 0 / 1 stance side, -1 both feet down, NaN keep the last state
    with np.errstate(invalid="ignore"):
        state[lower_left > RAISED_FOOT] = 0
        state[lower_left < -RAISED_FOOT] = 1
        state[np.abs(lower_left) < TOUCHED_FOOT] = -1
    state[~np.isfinite(lower_left)] = -1
    state[0] = -1 if np.isnan(state[0]) else state[0]
    # carry each decided state forward over the frames in the hysteresis band
    idx = np.where(np.isfinite(state), np.arange(n), 0)
    np.maximum.accumulate(idx, out=idx)
    stance = state[idx].astype(np.int64)
    # a stance on the side whose ankle is now the higher one is over (the feet crossed in the band)
    with np.errstate(invalid="ignore"):
        crossed = ((stance == 0) & (lower_left < 0)) | ((stance == 1) & (lower_left > 0))
    stance[crossed] = -1
    return stance


def compute_pelvis_x(px: np.ndarray, leg_px: float) -> np.ndarray:
    """(T,) image x of the pelvis centre (hip midpoint), in leg lengths (NaN without a leg length)."""
    if not np.isfinite(leg_px) or leg_px <= 0:
        return np.full(px.shape[0], np.nan)
    return 0.5 * (px[:, int(L.LEFT_HIP), 0] + px[:, int(L.RIGHT_HIP), 0]) / leg_px


def compute_sway_speed(pelvis_x: np.ndarray, t_s: np.ndarray, stance: np.ndarray) -> np.ndarray:
    """Mediolateral sway speed of the pelvis centre on one leg, (T, 2) leg lengths per second.

    Parameters
    ----------
    pelvis_x : ndarray, shape (T,)
        Pelvis-centre image x in leg lengths (:func:`compute_pelvis_x`).
    t_s : ndarray, shape (T,)
        Frame times, seconds, increasing.
    stance : ndarray, shape (T,)
        Stance side per frame (:func:`compute_stance_side`).

    Returns
    -------
    ndarray, shape (T, 2)
        Column 0 while standing on the left leg, column 1 on the right; NaN elsewhere and wherever
        the :data:`SWAY_SPAN_S` centred on the frame is not all on that leg with the pelvis seen.

    Notes
    -----
    path(a, b) = Σ_{i=a}^{b-1} |x_{i+1} − x_i| (the sway path length between frames a and b);
    speed(k) = path(a, b) / (t_b − t_a) with a, b the frames :data:`SWAY_SPAN_S` / 2 before and
    after k. Always ≥ 0; it is 0 only for a pelvis that does not move sideways at all.
    """
    x = np.asarray(pelvis_x, dtype=np.float64)
    t = np.asarray(t_s, dtype=np.float64)
    n = x.shape[0]
    out = np.full((n, 2), np.nan)
    if n < 3:
        return out
    step = np.abs(np.diff(x))
    ok_step = np.isfinite(step)
    path = np.concatenate([[0.0], np.cumsum(np.where(ok_step, step, 0.0))])
    half = 0.5 * SWAY_SPAN_S
    # the last frame at or before t - half and the first at or after t + half: the span covers the
    # whole SWAY_SPAN_S (at least), or the frame has no sway number
    a = np.searchsorted(t, t - half + 1e-9, side="right") - 1
    b = np.searchsorted(t, t + half - 1e-9, side="left")
    full = (a >= 0) & (b < n)
    a, b = np.clip(a, 0, n - 1), np.clip(b, 0, n - 1)
    bad_steps = np.concatenate([[0], np.cumsum(~ok_step)])
    for side in (0, 1):
        on = (stance == side).astype(np.int64)
        on_count = np.concatenate([[0], np.cumsum(on)])
        all_on = (on_count[b + 1] - on_count[a]) == (b - a + 1)
        valid = full & all_on & (bad_steps[b] - bad_steps[a] == 0) & (b > a)
        with np.errstate(invalid="ignore", divide="ignore"):
            speed = (path[b] - path[a]) / (t[b] - t[a])
        out[:, side] = np.where(valid, speed, np.nan)
    return out


def compute_trunk_lean_deg(px: np.ndarray) -> np.ndarray:
    """Trunk lateral inclination toward each side, (T, 2) degrees (column 0 toward the left hip).

    The hip-mid → shoulder-mid line against the image vertical, positive when the shoulders lie
    over the column's hip (toward it along the hip–hip line), so a front and a rear view give the
    same sign. Read on the stance leg's column it is the compensated Trendelenburg lean: positive
    when the trunk leans over the stance leg (Bird 2001). Referenced to the image vertical: a
    camera rolled by r degrees adds ±r.
    """
    sh = 0.5 * (px[:, int(L.LEFT_SHOULDER)] + px[:, int(L.RIGHT_SHOULDER)])
    lh, rh = px[:, int(L.LEFT_HIP)], px[:, int(L.RIGHT_HIP)]
    hp = 0.5 * (lh + rh)
    d = sh - hp
    to_left_x = np.sign(lh[:, 0] - rh[:, 0])  # image direction of the left hip
    with np.errstate(invalid="ignore"):
        toward_left = np.degrees(np.arctan2(d[:, 0] * to_left_x, -d[:, 1]))
        toward_left = np.where(to_left_x == 0, np.nan, toward_left)
    return np.stack([toward_left, -toward_left], axis=1)


class Hold(NamedTuple):
    """One single-leg hold: frames ``start``..``end`` (inclusive) on ``side`` (0 left, 1 right), and the
    touch-downs inside it as (first, last) frame pairs."""

    start: int
    end: int
    side: int
    touchdowns: tuple[tuple[int, int], ...]


def find_holds(stance: np.ndarray, t_s: np.ndarray) -> list[Hold]:
    """Single-leg holds of a clip: runs on one leg, joined across touch-downs of at most
    :data:`MAX_TOUCHDOWN_S` (the free foot back down and up again on the same side), each at least
    :data:`MIN_HOLD_S` long from its first to its last frame on one leg."""
    n = stance.shape[0]
    if n == 0:
        return []
    edges = np.flatnonzero(np.diff(np.concatenate([[-9], stance, [-9]])) != 0)
    runs = [(int(a), int(b - 1), int(stance[a])) for a, b in zip(edges[:-1], edges[1:], strict=False)]
    holds: list[Hold] = []
    cur: list = []  # [start, end, side, touchdowns]
    for i, (a, b, s) in enumerate(runs):
        if s < 0:
            continue
        prev = runs[i - 1] if i > 0 else None
        joins = (
            cur
            and cur[2] == s
            and prev is not None
            and prev[2] == -1
            and prev[0] == cur[1] + 1
            and t_s[prev[1]] - t_s[prev[0]] <= MAX_TOUCHDOWN_S
        )
        if joins:
            cur[3].append((prev[0], prev[1]))
            cur[1] = b
            continue
        if cur:
            holds.append(Hold(cur[0], cur[1], cur[2], tuple(cur[3])))
        cur = [a, b, s, []]
    if cur:
        holds.append(Hold(cur[0], cur[1], cur[2], tuple(cur[3])))
    return [h for h in holds if t_s[h.end] - t_s[h.start] >= MIN_HOLD_S]


class HoldMeasures(NamedTuple):
    """The reported measures of each frame's hold, (T,) each, constant over a hold and NaN outside one."""

    sway_path: np.ndarray  # pelvis-centre mediolateral path over the hold's frames on one leg, leg lengths
    touchdowns: np.ndarray  # free-foot touch-downs in the hold
    until_loss_s: np.ndarray  # seconds from the hold's start to its first touch-down (or its end)


def compute_hold_measures(
    holds: list[Hold], pelvis_x: np.ndarray, stance: np.ndarray, t_s: np.ndarray
) -> HoldMeasures:
    """Each hold's sway path length, touch-downs and time until the first loss, spread over the hold's
    frames (so a hold's key frame reads them)."""
    n = stance.shape[0]
    path, count, until = (np.full(n, np.nan) for _ in range(3))
    step = np.abs(np.diff(np.asarray(pelvis_x, dtype=np.float64)))
    for h in holds:
        frames = slice(h.start, h.end + 1)
        on = stance[h.start : h.end + 1] == h.side
        both_on = on[1:] & on[:-1]  # steps between two frames on one leg (not across a touch-down)
        steps = step[h.start : h.end][both_on]
        path[frames] = float(np.sum(steps)) if steps.size and np.isfinite(steps).all() else np.nan
        count[frames] = len(h.touchdowns)
        lost_at = h.touchdowns[0][0] if h.touchdowns else h.end
        until[frames] = float(t_s[lost_at] - t_s[h.start])
    return HoldMeasures(path, count, until)


def compute_stability_measures(
    px: np.ndarray,
    ankle_y: np.ndarray,
    t_s: np.ndarray,
    leg_px: float,
    on_one_leg: list[tuple[int, int, int]] = (),  # type: ignore[assignment]
) -> dict[str, np.ndarray]:
    """The per-frame wobble measures of a clip (batch analysis and the live checker alike): ``px``
    (T, 33, 2) filtered landmarks, ``ankle_y`` (T, 2) as :func:`compute_stance_side` reads it;
    ``on_one_leg`` (first frame, last frame, stance side) are reps known to be done on one leg
    throughout (:attr:`hipform.kinematics.movements.Movement.whole_rep_on_one_leg`).

    Returns ``pelvis_sway_speed_ratio`` (T, 2) (:func:`compute_sway_speed`, the graded measure),
    ``trunk_lean_stance_deg`` (T, 2) (:func:`compute_trunk_lean_deg` while on that leg, NaN
    otherwise, a graded measure too), and the hold measures (:class:`HoldMeasures`) ``sway_path_ratio``,
    ``free_foot_touchdowns_count`` and ``hold_until_loss_s``, (T,) each.
    """
    stance = compute_stance_side(ankle_y, leg_px)
    for start, end, side in on_one_leg:
        stance[start : end + 1] = side
    x = compute_pelvis_x(px, leg_px)
    lean = compute_trunk_lean_deg(px)
    hm = compute_hold_measures(find_holds(stance, t_s), x, stance, t_s)
    on = np.stack([stance == 0, stance == 1], axis=1)
    return {
        "pelvis_sway_speed_ratio": compute_sway_speed(x, t_s, stance),
        "trunk_lean_stance_deg": np.where(on, lean, np.nan),
        "sway_path_ratio": hm.sway_path,
        "free_foot_touchdowns_count": hm.touchdowns,
        "hold_until_loss_s": hm.until_loss_s,
    }


def compute_rep_stability_measures(
    frames: Sequence[Any], start: int, stance: int | None, whole_rep_on_one_leg: bool
) -> dict[str, np.ndarray]:
    """:func:`compute_stability_measures` of one rep as the live checker keeps it: ``frames`` each with
    ``px`` (33, 2) filtered landmarks and ``t`` seconds (looked back from ``start``, the rep's first),
    ``stance`` its working leg (None: unknown); a movement done on one leg throughout counts the rep
    from ``start`` as on that leg."""
    px, t_s = np.stack([f.px for f in frames]), np.array([f.t for f in frames], dtype=np.float64)
    held = [(start, px.shape[0] - 1, stance)] if whole_rep_on_one_leg and stance is not None else []
    ankle_y = px[:, [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)], 1]
    return compute_stability_measures(px, ankle_y, t_s, leg_length_px(px), held)
