"""Landmark rows made ready for measuring: masked, gap-filled, un-swapped and low-pass filtered.

All steps work on time-last rows (each landmark coordinate contiguous in time), only on the
landmarks the analysis reads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hipform.kinematics.config import AnalysisConfig
from hipform.kinematics.signals import fill_short_gaps_rows, lowpass_rows, lowpass_sos
from hipform.kinematics.view import _LEFT_LEG, _RIGHT_LEG, lr_swaps_of
from hipform.landmarks import LEG_SEGMENTS, Landmark
from hipform.sequence import PoseSequence

L = Landmark


@dataclass(frozen=True, eq=False)
class Prepared:
    """Conditioned landmarks of a clip (internal).

    px : (T, 33, 2) pixels; world : (T, 33, 3) metres or None; swaps : (T,) bool frames whose
    leg labels were exchanged back. Both arrays are views over time-last (33, D, T) buffers
    (each landmark coordinate contiguous in time); only the landmarks the analysis reads
    (:data:`USED_LANDMARKS`, :data:`WORLD_LANDMARKS`) hold data, the others are NaN.
    """

    px: np.ndarray
    world: np.ndarray | None
    swaps: np.ndarray


#: Landmarks the analysis reads; the others are never conditioned or filtered (they stay NaN).
USED_LANDMARKS = tuple(
    int(lm)
    for lm in (
        L.NOSE,
        L.LEFT_EAR,
        L.RIGHT_EAR,
        L.LEFT_SHOULDER,
        L.RIGHT_SHOULDER,
        L.LEFT_WRIST,
        L.RIGHT_WRIST,
        L.LEFT_HIP,
        L.RIGHT_HIP,
        L.LEFT_KNEE,
        L.RIGHT_KNEE,
        L.LEFT_ANKLE,
        L.RIGHT_ANKLE,
        L.LEFT_HEEL,
        L.RIGHT_HEEL,
        L.LEFT_FOOT_INDEX,
        L.RIGHT_FOOT_INDEX,
    )
)


#: World landmarks the analysis reads (flexion, view, recognition, bridge and kickback reps):
#: the feet are only ever read in pixels, so their world rows are left NaN and not filtered.
WORLD_LANDMARKS = tuple(
    lm for lm in USED_LANDMARKS if lm not in {int(x) for x in _LEFT_LEG[3:] + _RIGHT_LEG[3:]}
)


@dataclass(frozen=True, eq=False)
class _Rows:
    """Masked, gap-filled (and un-swapped) landmarks laid out time-last.

    rows : (K, D, T) float64 for the K landmarks ``lms``; valid : (K, T) bool, shared by the D
    coordinates of a landmark (masking and gap filling treat them together).
    """

    rows: np.ndarray
    valid: np.ndarray
    lms: tuple[int, ...]


#: Frames gathered per block when reordering landmarks to time-last (docs/performance.md).
_BLOCK = 2048


def _time_last(arr: np.ndarray, lms: tuple[int, ...], dims: int) -> np.ndarray:
    """(K, D, T) float64 copy of ``arr[:, lms, :dims]`` for ``arr`` (T, 33, C)."""
    n, c = arr.shape[0], arr.shape[2]
    flat = arr.reshape(n, arr.shape[1] * c)  # not -1: a clip of 0 frames has no size to infer from
    cols = np.array([c * lm + d for lm in lms for d in range(dims)], dtype=np.intp)
    out = np.empty((cols.size, n))
    # the columns are gathered block by block into a small buffer of the source's type, which the
    # transposing copy then widens (docs/performance.md)
    block = np.empty((min(_BLOCK, n), cols.size), dtype=flat.dtype)
    for s in range(0, n, _BLOCK):
        e = min(s + _BLOCK, n)
        np.take(flat[s:e], cols, axis=1, out=block[: e - s])
        out[:, s:e] = block[: e - s].T
    return out.reshape(len(lms), dims, n)


def _condition_rows(
    points: np.ndarray,
    lms: tuple[int, ...],
    dims: int,
    vis: np.ndarray,
    t_s: np.ndarray,
    config: AnalysisConfig,
    keep_raw: dict[int, np.ndarray] | None = None,
) -> _Rows:
    """:func:`compute_masked` then :func:`compute_gap_filled` of landmarks ``lms``, laid out time-last.

    Same values as running those two functions on ``points[:, lms, :dims]``, each landmark
    coordinate a row with time along it. ``vis`` (K, T) is the
    visibility of ``lms``. ``keep_raw`` receives a copy of the unmasked leg landmarks (hip,
    knee, ankle), (D, T) each.
    """
    rows = _time_last(points, lms, dims)
    if keep_raw is not None:
        for a, b in LEG_SEGMENTS:
            for lm in (int(a), int(b)):
                if lm in lms and lm not in keep_raw:
                    keep_raw[lm] = rows[lms.index(lm)].copy()
    finite = np.isfinite(rows[:, 0])
    for d in range(1, dims):  # coordinate by coordinate (docs/performance.md)
        finite &= np.isfinite(rows[:, d])
    bad = ~(vis >= config.min_visibility) | ~finite
    valid = ~bad
    if bad.any():
        np.copyto(rows, np.nan, where=bad[:, None, :])
        valid = fill_short_gaps_rows(rows, valid, t_s, config.max_gap_s)
    return _Rows(rows, valid, lms)


def _time_last_buffer(dims: int, n: int, lms: tuple[int, ...]) -> np.ndarray:
    """(33, D, T) buffer for conditioned landmarks, to be filled with the rows of ``lms`` (the
    landmarks the analysis reads); every other landmark is NaN (never garbage for code that reads
    it; rows filled later into the same buffer overwrite their NaN)."""
    out = np.empty((len(Landmark), dims, n))
    out[[lm for lm in range(len(Landmark)) if lm not in lms]] = np.nan
    return out


def _swap_rows(r: _Rows, frames: np.ndarray) -> None:
    """In place: exchange the left and right leg landmarks of ``r`` in ``frames``."""
    pos = {lm: i for i, lm in enumerate(r.lms)}
    for a, b in zip(_LEFT_LEG, _RIGHT_LEG, strict=True):
        if a in pos and b in pos:
            ia, ib = pos[a], pos[b]
            for arr in (r.rows, r.valid):
                tmp = arr[ia][..., frames]
                arr[ia][..., frames] = arr[ib][..., frames]
                arr[ib][..., frames] = tmp


@dataclass(frozen=True, eq=False)
class Conditioned:
    """Landmarks ready for the low-pass filter, plus the raw leg landmarks (lm → (2, T) pixels)."""

    px: _Rows
    world: _Rows | None
    swaps: np.ndarray
    raw_legs: dict[int, np.ndarray]


def condition_sequence(
    seq: PoseSequence, config: AnalysisConfig, world_lms: tuple[int, ...] = WORLD_LANDMARKS
) -> Conditioned:
    """Mask, gap-fill and undo leg swaps (everything before the low-pass filter)."""
    has_world = bool(seq.n_frames and np.isfinite(seq.world_m[:, int(L.LEFT_HIP), 0]).any())
    raw_legs: dict[int, np.ndarray] = {}
    vis = _time_last(seq.visibility[:, :, None], USED_LANDMARKS, 1)[:, 0]  # (K, T), read once
    px = _condition_rows(seq.landmarks_px, USED_LANDMARKS, 2, vis, seq.t_s, config, keep_raw=raw_legs)
    world = None
    if has_world:
        world_vis = vis[[USED_LANDMARKS.index(lm) for lm in world_lms]]
        world = _condition_rows(seq.world_m, world_lms, 3, world_vis, seq.t_s, config)
    if config.fix_lr_swaps:
        pos = {lm: i for i, lm in enumerate(px.lms)}
        swaps = lr_swaps_of(lambda lm: px.rows[pos[lm]].T, seq.n_frames)
    else:
        swaps = np.zeros(seq.n_frames, bool)
    if swaps.any():
        _swap_rows(px, swaps)
        if world is not None:
            _swap_rows(world, swaps)
    return Conditioned(px, world, swaps, raw_legs)


#: Landmarks recognition (:mod:`hipform.kinematics.recognition`) reads: image legs and feet; world
#: (or, without usable world landmarks, image) shoulders, wrists and legs. Only these are filtered
#: for recognition.
_RECOGNITION_PX = tuple(
    int(lm)
    for lm in (
        L.LEFT_HIP,
        L.RIGHT_HIP,
        L.LEFT_KNEE,
        L.RIGHT_KNEE,
        L.LEFT_ANKLE,
        L.RIGHT_ANKLE,
        L.LEFT_HEEL,
        L.RIGHT_HEEL,
        L.LEFT_SHOULDER,  # image shoulder width: how far the body is turned from the camera
        L.RIGHT_SHOULDER,
    )
)
_RECOGNITION_BODY = tuple(int(lm) for lm in (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_WRIST, L.RIGHT_WRIST))


def _subset(r: _Rows, lms: tuple[int, ...]) -> _Rows:
    keep = [i for i, lm in enumerate(r.lms) if lm in lms]
    return _Rows(r.rows[keep], r.valid[keep], tuple(r.lms[i] for i in keep))


def for_recognition(c: Conditioned) -> Conditioned:
    """The conditioned landmarks recognition reads (filtering rows is independent of other rows)."""
    world = c.world
    usable = world is not None and bool(world.valid[world.lms.index(int(L.LEFT_HIP))].mean() > 0.5)
    px_lms = _RECOGNITION_PX if usable else tuple(dict.fromkeys(_RECOGNITION_PX + _RECOGNITION_BODY))
    if world is not None:
        world = _subset(world, _RECOGNITION_PX[:6] + _RECOGNITION_BODY)
    return Conditioned(_subset(c.px, px_lms), world, c.swaps, c.raw_legs)


def without(c: Conditioned, done: Conditioned) -> Conditioned:
    """The landmarks of ``c`` not in ``done``."""
    world = None
    if c.world is not None and done.world is not None:
        world = _subset(c.world, tuple(lm for lm in c.world.lms if lm not in done.world.lms))
    px = _subset(c.px, tuple(lm for lm in c.px.lms if lm not in done.px.lms))
    return Conditioned(px, world, c.swaps, c.raw_legs)


def lowpass_conditioned(
    c: Conditioned, fs: float, cutoff_hz: float, into: Prepared | None = None
) -> Prepared:
    """Low-pass the conditioned landmarks with :func:`lowpass_rows`, straight into (T, 33, D) results.

    With ``into``, the filtered rows are written into its arrays (which already
    hold other landmarks filtered the same way) and ``into`` is returned.
    """
    sos = lowpass_sos(fs, cutoff_hz)

    def run(r: _Rows, buf: np.ndarray | None) -> np.ndarray:
        # filtered straight into the (T, 33, D) result, laid out (33, D, T) underneath
        dims, n = r.rows.shape[1], r.rows.shape[-1]
        full = _time_last_buffer(dims, n, r.lms) if buf is None else buf.transpose(1, 2, 0)
        lowpass_rows(r.rows, r.valid, sos, out=full, out_rows=r.lms)
        return full.transpose(2, 0, 1)

    px = run(c.px, into.px if into is not None else None)
    world = None
    if c.world is not None:
        world = run(c.world, into.world if into is not None else None)
    return Prepared(px, world, c.swaps)


def frame_rate_of(seq: PoseSequence) -> float:
    if seq.n_frames > 2:
        dt = float(np.median(np.diff(seq.t_s)))
        if dt > 0:
            return 1.0 / dt
    return float(seq.fps)


def ankle_y_px(px: np.ndarray, c: Conditioned) -> np.ndarray:
    """(T, 2) image y of the left and right ankle, pixels, for telling which foot is on the floor.

    The filtered ankle where it passed the visibility mask; elsewhere the pose model's raw estimate.
    Deviation from biomechanics.md §0 (mask visibility < 0.5), on purpose and only here: a foot
    lifted behind the stance leg is hidden from a front camera, so its visibility drops to ~0.1,
    yet its estimated position still says "high above the floor". This array only decides which
    foot is planted and when a single-leg hold starts; no fault is ever measured on it.
    """
    out = px[:, [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)], 1].copy()
    raw = [c.raw_legs.get(int(lm)) for lm in (L.LEFT_ANKLE, L.RIGHT_ANKLE)]
    if any(r is None for r in raw) or out.shape[0] == 0:
        return out
    ry = np.stack([raw[0][1], raw[1][1]], axis=1)
    if c.swaps.any():
        ry[c.swaps] = ry[c.swaps][:, ::-1]
    return np.where(np.isfinite(out), out, ry)
