"""From a pose sequence to a report: the batch analysis behind ``hipform analyze``.

Pipeline (all vectorised over frames): mask low-visibility landmarks → fill
short gaps → undo left/right label swaps → recognise the movement (unless
named) → zero-lag low-pass with the movement's cut-off → per-frame measures →
camera view → reps / steps → the fault table read rep by rep → report.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any, NamedTuple

import numpy as np

from hipform.kinematics import measures as M
from hipform.kinematics.events import Reps, Steps, detect_reps, detect_steps
from hipform.kinematics.exercise import recognise_exercise
from hipform.kinematics.faults import (
    CPD_ASYMMETRY_DEG,
    CPD_ASYMMETRY_SOURCE,
    FAULTS,
    MOVEMENTS,
    SETUP_HINTS,
    FaultRule,
    rules_for,
)
from hipform.kinematics.signals import (
    MAX_GAP_S,
    VISIBILITY_MIN,
    fill_short_gaps_rows,
    lowpass_rows,
    lowpass_sos,
)
from hipform.kinematics.view import _LEFT_LEG, _RIGHT_LEG, ViewEstimate, estimate_view, lr_swaps_of
from hipform.landmarks import Landmark
from hipform.report import Flag, NotAssessed, Report, RepResult
from hipform.sequence import PoseSequence

L = Landmark
SIDES = ("left", "right")

#: Low-pass cut-off per movement, Hz (biomechanics.md §6: 6–10 Hz running, 3–6 Hz slow exercises) [J].
CUTOFF_HZ = {
    "bridge": 4.0,
    "single-leg-bridge": 4.0,
    "kickback": 5.0,
    "step-up": 5.0,
    "squat": 5.0,
    "single-leg-squat": 5.0,
    "single-leg-balance": 4.0,
    "running": 10.0,
}
#: Typical measurement error used to scale flag confidence by the margin over the threshold:
#: 2D FPPA SEM ~3° (Munro 2012); a ratio error of 0.05 [J].
MEASUREMENT_ERROR = {"deg": 3.0, "ratio": 0.05}
#: Smallest hip drop (fraction of standing hip height, 5–95 percentile range) that counts as squat
#: reps [J]: a quarter squat (~45° knee flexion) lowers the hips by ~0.1 of their height.
MIN_HIP_DEPTH = 0.06
#: Smallest hip rise of a single-leg bridge (leg lengths in the image, 5–95 percentile range) that
#: counts as reps [J]; a bridge lifts the hips by about half a leg length side-on.
MIN_BRIDGE_RISE = 0.08
#: Running: steps per side wanted for a trustworthy mean (Dingenen 2018).
STEPS_PER_SIDE = 7


@dataclass(frozen=True)
class AnalysisConfig:
    """Settings of :func:`analyze`; defaults follow biomechanics.md.

    Attributes
    ----------
    min_visibility : landmarks below this visibility are masked, [0, 1].
    max_gap_s : gaps up to this long (seconds) are interpolated.
    cutoff_hz : low-pass cut-off override in Hz (None: per movement, :data:`CUTOFF_HZ`).
    rep_enter, rep_exit : hysteresis thresholds on the normalised rep signal, 0 ≤ exit < enter ≤ 1.
    fix_lr_swaps : undo frames where the pose model swapped the left and right leg.
    """

    min_visibility: float = VISIBILITY_MIN
    max_gap_s: float = MAX_GAP_S
    cutoff_hz: float | None = None
    rep_enter: float = 0.55
    rep_exit: float = 0.25
    fix_lr_swaps: bool = True

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_visibility <= 1.0:
            raise ValueError(f"min_visibility must be within [0, 1], got {self.min_visibility}")
        if self.max_gap_s < 0:
            raise ValueError(f"max_gap_s must be ≥ 0, got {self.max_gap_s}")
        if self.cutoff_hz is not None and not self.cutoff_hz > 0:
            raise ValueError(f"cutoff_hz must be positive, got {self.cutoff_hz}")
        if not 0.0 <= self.rep_exit < self.rep_enter <= 1.0:
            raise ValueError(f"need 0 ≤ rep_exit < rep_enter ≤ 1, got {self.rep_exit}, {self.rep_enter}")

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> AnalysisConfig:
        """Build from a mapping; unknown keys raise ValueError naming them."""
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown analysis setting(s) {sorted(unknown)}; known: {sorted(known)}")
        return cls(**values)


# ----------------------------------------------------------------------------- preparation
@dataclass(frozen=True, eq=False)
class Prepared:
    """Conditioned landmarks of a clip (internal).

    px : (T, 33, 2) pixels; world : (T, 33, 3) metres or None; swaps : (T,) bool frames whose
    leg labels were exchanged back. Both arrays are views over time-last (33, D, T) buffers
    (each landmark coordinate contiguous in time); only the landmarks the analysis reads
    (:data:`USED_LANDMARKS`, :data:`WORLD_LANDMARKS`) hold data, the others are never written.
    """

    px: np.ndarray
    world: np.ndarray | None
    swaps: np.ndarray


#: Landmarks the analysis reads; the others are never conditioned, filtered or written.
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


#: Frames gathered per block when reordering landmarks to time-last (keeps the copy in cache).
_BLOCK = 2048


def _time_last(arr: np.ndarray, lms: tuple[int, ...], dims: int) -> np.ndarray:
    """(K, D, T) float64 copy of ``arr[:, lms, :dims]`` for ``arr`` (T, 33, C)."""
    n, c = arr.shape[0], arr.shape[2]
    flat = arr.reshape(n, arr.shape[1] * c)  # not -1: a clip of 0 frames has no size to infer from
    cols = np.array([c * lm + d for lm in lms for d in range(dims)], dtype=np.intp)
    out = np.empty((cols.size, n))
    # the columns are gathered block by block into a small buffer of the source's type, which the
    # transposing copy then widens: a third faster than transposing a fancy-indexed block
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

    Same values as running those two functions on ``points[:, lms, :dims]``; the
    time-last layout lets every later step (gap runs, filtering) work on
    contiguous rows, all landmarks and coordinates in one call. ``vis`` (K, T) is the
    visibility of ``lms``. ``keep_raw`` receives a copy of the unmasked leg landmarks (hip,
    knee, ankle), (D, T) each.
    """
    rows = _time_last(points, lms, dims)
    if keep_raw is not None:
        for a, b in _LEG_SEGMENTS:
            for lm in (int(a), int(b)):
                if lm in lms and lm not in keep_raw:
                    keep_raw[lm] = rows[lms.index(lm)].copy()
    finite = np.isfinite(rows[:, 0])
    for d in range(1, dims):  # coordinate by coordinate: a reduction over a length-2/3 axis is slow
        finite &= np.isfinite(rows[:, d])
    bad = ~(vis >= config.min_visibility) | ~finite
    valid = ~bad
    if bad.any():
        np.copyto(rows, np.nan, where=bad[:, None, :])
        valid = fill_short_gaps_rows(rows, valid, t_s, config.max_gap_s)
    return _Rows(rows, valid, lms)


def _time_last_buffer(dims: int, n: int) -> np.ndarray:
    """(33, D, T) buffer for conditioned landmarks; only the rows of the landmarks the analysis reads
    are ever written. The others stay untouched (a long clip's buffer is mostly never paged in:
    ~15 ms of a 100,000-frame analysis), hold no data and must not be read:
    ``tests/kinematics/test_used_landmarks.py`` checks that nothing reads them."""
    return np.empty((len(Landmark), dims, n))


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
class _Conditioned:
    """Landmarks ready for the low-pass filter, plus the raw leg landmarks (lm → (2, T) pixels)."""

    px: _Rows
    world: _Rows | None
    swaps: np.ndarray
    raw_legs: dict[int, np.ndarray]


def _condition_seq(
    seq: PoseSequence, config: AnalysisConfig, world_lms: tuple[int, ...] = WORLD_LANDMARKS
) -> _Conditioned:
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
    return _Conditioned(px, world, swaps, raw_legs)


#: Landmarks :func:`recognise_exercise` reads: image legs and feet; world (or, without usable world
#: landmarks, image) shoulders, wrists and legs. Only these are filtered for recognition.
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
    )
)
_RECOGNITION_BODY = tuple(int(lm) for lm in (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_WRIST, L.RIGHT_WRIST))


def _subset(r: _Rows, lms: tuple[int, ...]) -> _Rows:
    keep = [i for i, lm in enumerate(r.lms) if lm in lms]
    return _Rows(r.rows[keep], r.valid[keep], tuple(r.lms[i] for i in keep))


def _for_recognition(c: _Conditioned) -> _Conditioned:
    """The conditioned landmarks :func:`recognise_exercise` reads (filtering rows is independent)."""
    world = c.world
    usable = world is not None and bool(world.valid[world.lms.index(int(L.LEFT_HIP))].mean() > 0.5)
    px_lms = _RECOGNITION_PX if usable else _RECOGNITION_PX + _RECOGNITION_BODY
    if world is not None:
        world = _subset(world, _RECOGNITION_PX[:6] + _RECOGNITION_BODY)
    return _Conditioned(_subset(c.px, px_lms), world, c.swaps, c.raw_legs)


def _without(c: _Conditioned, done: _Conditioned) -> _Conditioned:
    """The landmarks of ``c`` not in ``done``."""
    world = None
    if c.world is not None and done.world is not None:
        world = _subset(c.world, tuple(lm for lm in c.world.lms if lm not in done.world.lms))
    px = _subset(c.px, tuple(lm for lm in c.px.lms if lm not in done.px.lms))
    return _Conditioned(px, world, c.swaps, c.raw_legs)


def _filtered(c: _Conditioned, fs: float, cutoff_hz: float, into: Prepared | None = None) -> Prepared:
    """Low-pass the conditioned landmarks with :func:`lowpass_rows`, straight into (T, 33, D) results.

    With ``into``, the filtered rows are written into its arrays (which already
    hold other landmarks filtered the same way) and ``into`` is returned. The
    pixel and world filters could run on two threads (scipy's loop releases
    the GIL), but on 2 cores that made analysis slower, even on an idle machine.
    """
    sos = lowpass_sos(fs, cutoff_hz)

    def run(r: _Rows, buf: np.ndarray | None) -> np.ndarray:
        # filtered straight into the (T, 33, D) result, laid out (33, D, T) underneath
        dims, n = r.rows.shape[1], r.rows.shape[-1]
        full = _time_last_buffer(dims, n) if buf is None else buf.transpose(1, 2, 0)
        lowpass_rows(r.rows, r.valid, sos, out=full, out_rows=r.lms)
        return full.transpose(2, 0, 1)

    px = run(c.px, into.px if into is not None else None)
    world = None
    if c.world is not None:
        world = run(c.world, into.world if into is not None else None)
    return Prepared(px, world, c.swaps)


def _frame_rate(seq: PoseSequence) -> float:
    if seq.n_frames > 2:
        dt = float(np.median(np.diff(seq.t_s)))
        if dt > 0:
            return 1.0 / dt
    return float(seq.fps)


def _world_usable(world: np.ndarray | None) -> bool:
    return (
        world is not None
        and world.shape[0] > 0
        and float(np.isfinite(world[:, int(L.LEFT_HIP), 0]).mean()) > 0.5
    )


def _nanmedian(x: np.ndarray) -> float:
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else float("nan")


def _nanmean_cols(a: np.ndarray) -> np.ndarray:
    ok = np.isfinite(a)
    cnt = ok.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 0, np.where(ok, a, 0.0).sum(axis=-1) / np.maximum(cnt, 1), np.nan)


# ----------------------------------------------------------------------------- measures
def compute_measures(
    px: np.ndarray, world: np.ndarray | None, facing_x: np.ndarray | None = None, side_view: bool = False
) -> dict[str, np.ndarray]:
    """All per-frame measures of a conditioned clip.

    Returns a dict of arrays: ``(T, 2)`` [left, right] for per-side measures,
    ``(T,)`` otherwise. Frontal-plane measures come from pixels; knee and
    hip flexion from pixels in a side view (the sagittal plane is the image),
    otherwise from world landmarks when available (any view), else pixels.
    """
    flex_src = world if (_world_usable(world) and not side_view) else px
    obl = M.compute_pelvic_obliquity_deg(px)
    return {
        "fppa_deg": M.compute_fppa_deg(px),
        "knee_separation_ratio": M.compute_knee_separation_ratio(px),
        "knee_toe_ratio": M.compute_knee_toe_ratio(px),
        "hip_adduction_deg": M.compute_hip_adduction_deg(px),
        "pelvic_obliquity_deg": obl,
        "bridge_hip_line_deg": M.compute_bridge_hip_line_deg(px),
        "thigh_past_trunk_deg": M.compute_thigh_past_trunk_deg(px),
        "trunk_line_deg": M.compute_trunk_line_deg(px),
        "trunk_inclination_deg": M.compute_trunk_inclination_deg(px, facing_x),
        "knee_flexion_deg": M.compute_knee_flexion_deg(flex_src),
        "hip_flexion_deg": M.compute_hip_flexion_deg(flex_src),
    }


#: Landmarks a graded measure needs, per side (visibility of these sets the flag confidence).
_KEY_LANDMARKS: dict[str, tuple[tuple[Landmark, ...], tuple[Landmark, ...]]] = {
    "fppa_deg": (
        (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE, L.RIGHT_HIP),
        (L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE, L.LEFT_HIP),
    ),
    "hip_adduction_deg": ((L.LEFT_HIP, L.LEFT_KNEE, L.RIGHT_HIP), (L.RIGHT_HIP, L.RIGHT_KNEE, L.LEFT_HIP)),
    "pelvic_drop_deg": ((L.LEFT_HIP, L.RIGHT_HIP),) * 2,
    "knee_toe_ratio": (
        (L.LEFT_KNEE, L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX),
        (L.RIGHT_KNEE, L.RIGHT_FOOT_INDEX, L.LEFT_FOOT_INDEX),
    ),
    "knee_separation_rel": ((L.LEFT_KNEE, L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE),) * 2,
    "bridge_hip_line_deg": (
        (L.LEFT_SHOULDER, L.LEFT_HIP, L.LEFT_KNEE),
        (L.RIGHT_SHOULDER, L.RIGHT_HIP, L.RIGHT_KNEE),
    ),
    "thigh_past_trunk_deg": (
        (L.LEFT_SHOULDER, L.LEFT_HIP, L.LEFT_KNEE),
        (L.RIGHT_SHOULDER, L.RIGHT_HIP, L.RIGHT_KNEE),
    ),
    "trunk_line_change_deg": ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP),) * 2,
}


# ----------------------------------------------------------------------------- windows
class _Window(NamedTuple):  # a tuple: a long running clip makes ten thousand of them
    start: int
    key: int
    end: int
    side: int | None  # stance / working leg, None for two-legged
    kind: str


def _rest_baseline(x: np.ndarray, rest: np.ndarray) -> float:
    if rest.sum() < 3:
        return float("nan")
    return _nanmedian(x[rest])


def _leg_length_px(px: np.ndarray) -> float:
    return _nanmedian(M.compute_leg_length(px).ravel())


def _bent_leg(kf: np.ndarray) -> int:
    """0/1: the leg with the larger median knee flexion (the stance leg of a single-leg bridge)."""
    med = [_nanmedian(kf[:, 0]), _nanmedian(kf[:, 1])]
    return 1 if (np.nan_to_num(med[1], nan=-1.0) > np.nan_to_num(med[0], nan=-1.0)) else 0


def _step_up_key(
    px: np.ndarray, kf: np.ndarray, start: int, top: int, lo: int, leg_px: float, fps: float
) -> tuple[int, int]:
    """(key frame, lead side) of a step-up rep.

    The lead foot is the one on the step (the higher ankle as the body starts
    to rise). The moment that matters is its loaded peak knee flexion: the
    last local maximum while that foot stands still on the step, not the
    flexion of lifting it through the air onto the step.
    """
    ank = px[:, [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)]]
    y0 = ank[start, :, 1]
    side = int(np.nanargmin(y0)) if np.isfinite(y0).any() else 0
    other = 1 - side
    seg = slice(lo, top + 1)
    a = ank[seg, side]
    speed = np.full(a.shape[0], np.inf)
    if a.shape[0] > 2:
        speed[1:-1] = np.linalg.norm(a[2:] - a[:-2], axis=-1) * fps / 2.0
    with np.errstate(invalid="ignore"):
        still = speed < 0.5 * leg_px
        # on the step: where the foot will stand at the top, and above the other foot
        on_step = np.abs(ank[seg, side, 1] - ank[top, side, 1]) < 0.03 * leg_px
        raised = on_step & (ank[seg, side, 1] < ank[seg, other, 1] - 0.05 * leg_px)
    flex = kf[seg, side]
    cand = np.flatnonzero(still & raised & np.isfinite(flex))
    if cand.size == 0:
        cand = np.flatnonzero(np.isfinite(flex))
    if cand.size == 0:
        return top, side
    # the loaded peak: the last local maximum of flexion with the foot on the step (the flexion left
    # over from lifting the foot onto the step decreases from the first such frame)
    f = np.where(np.isfinite(flex), flex, -np.inf)
    peaks = [int(i) for i in cand[1:] if 0 < i < f.size - 1 and f[i] >= f[i - 1] and f[i] >= f[i + 1]]
    best = peaks[-1] if peaks else int(cand[np.argmax(flex[cand])])
    return lo + best, side


def _ankle_y_px(px: np.ndarray, c: _Conditioned) -> np.ndarray:
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


def _segment(
    movement: str,
    px: np.ndarray,
    world: np.ndarray | None,
    m: dict[str, np.ndarray],
    t: np.ndarray,
    cfg: AnalysisConfig,
    ank_y: np.ndarray | None = None,
    view_name: str = "front",
    leg_px: float | None = None,
) -> tuple[list[_Window], np.ndarray, np.ndarray, Steps | None]:
    """Rep / step / hold windows, the rest mask and the rep signal (T,).

    ``ank_y`` : (T, 2) ankle image y used to tell the planted foot (default: from ``px``).
    ``view_name`` : the camera view (:class:`ViewEstimate` ``view``); sets how running steps are timed.
    ``leg_px`` : the leg length in the image (default: from ``px``).
    """
    n = px.shape[0]
    src = world if _world_usable(world) else px
    kf = m["knee_flexion_deg"]
    if leg_px is None:
        leg_px = _leg_length_px(px)
    fps = (n - 1) / (t[-1] - t[0]) if n > 1 and t[-1] > t[0] else 30.0
    if ank_y is None:
        ank_y = px[:, [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)], 1]
    no_rest = np.zeros(n, bool)
    windows: list[_Window] = []

    def reps_from(sig: np.ndarray, min_range: float) -> Reps:
        return detect_reps(sig, t, min_range=min_range, enter=cfg.rep_enter, exit_=cfg.rep_exit)

    if movement == "running":
        heel = px[:, [int(L.LEFT_HEEL), int(L.RIGHT_HEEL)], 1]
        heel = np.where(np.isfinite(heel), heel, ank_y)
        hip_y = 0.5 * (px[:, int(L.LEFT_HIP), 1] + px[:, int(L.RIGHT_HIP), 1])
        # filmed from behind, the planted foot is the lower one in the image (the heel's own lowest
        # point comes late in stance there: the foot travels toward the camera). From the front the
        # swing foot reaching toward the camera looks lower before it lands, and side-on the feet
        # overlap: there the heel's lowest image point marks the strike
        how = "lower-foot" if view_name == "rear" else "heel-peak"
        steps = detect_steps(heel, hip_y, kf, t, leg_px, stance_from=how)
        ends = np.maximum(steps.toe_off, steps.midstance)
        cols = (steps.strike, steps.midstance, ends, steps.side)
        for st, mid, end, sd in zip(*(c.tolist() for c in cols), strict=True):
            windows.append(_Window(int(st), int(mid), int(end), int(sd), "step"))
        return windows, no_rest, heel.mean(axis=1) if n else np.zeros(0), steps

    if movement == "single-leg-balance":
        with np.errstate(invalid="ignore"):
            diff = ank_y[:, 0] - ank_y[:, 1]  # > 0: left ankle lower (stance left)
            raised = np.abs(diff) > 0.08 * leg_px
        stance = np.where(diff > 0, 0, 1)
        code = np.where(raised, stance + 1, 0)
        edges = np.flatnonzero(np.diff(np.concatenate([[0], code, [0]])) != 0)
        for a, b in zip(edges[:-1], edges[1:], strict=False):
            if code[a] == 0 or t[b - 1] - t[a] < 0.5:
                continue
            windows.append(_Window(int(a), int((a + b - 1) // 2), int(b - 1), int(code[a] - 1), "hold"))
        return windows, ~raised & np.isfinite(diff), np.abs(np.nan_to_num(diff)), None

    if movement == "squat":
        # biomechanics.md §5: the bottom is the lowest hip point in the image. Not the pose model's
        # 3D knee flexion, which from the front reads about half the true flexion (less once the
        # knees cave in), so deep reps were missed
        sig = M.compute_hip_depth(px, fps)
        reps = reps_from(sig, MIN_HIP_DEPTH)
        sides = [None] * len(reps)
    elif movement == "single-leg-squat":
        with np.errstate(invalid="ignore"):
            stance_clip = 0 if _nanmedian(ank_y[:, 0] - ank_y[:, 1]) >= 0 else 1
        sig = M.compute_hip_depth(px, fps)
        reps = reps_from(sig, MIN_HIP_DEPTH)
        sides = []
        for k in reps.peak:
            d = ank_y[k, 0] - ank_y[k, 1]
            sides.append(int(0 if d >= 0 else 1) if np.isfinite(d) else stance_clip)
    elif movement == "step-up":
        hip_y = 0.5 * (px[:, int(L.LEFT_HIP), 1] + px[:, int(L.RIGHT_HIP), 1])
        sig = -hip_y / leg_px if np.isfinite(leg_px) and leg_px > 0 else -hip_y
        reps = reps_from(sig, 0.08)
        sides = [None] * len(reps)
    elif movement in ("bridge", "single-leg-bridge"):
        hl = M.compute_bridge_hip_line_deg(src)
        if movement == "single-leg-bridge":
            # the stance leg is the bent one with its foot on the floor
            stance_clip = _bent_leg(kf)
            # reps from the hip height in the image (biomechanics.md §5), which the pose model's
            # left/right leg labels do not affect: lying side-on, they swap between reps, and the
            # hip-line angle of the wrong leg made extra reps; from the feet, the 3D hip line is
            # meaningless
            hip_y = 0.5 * (px[:, int(L.LEFT_HIP), 1] + px[:, int(L.RIGHT_HIP), 1])
            sig = -hip_y / leg_px if np.isfinite(leg_px) and leg_px > 0 else -hip_y
            reps = reps_from(sig, MIN_BRIDGE_RISE)
            sides = [stance_clip] * len(reps)
        else:
            sig = _nanmean_cols(hl)
            reps = reps_from(sig, 15.0)
            sides = [None] * len(reps)
    elif movement == "kickback":
        tpt = M.compute_thigh_past_trunk_deg(src)
        sig = np.nanmax(np.where(np.isfinite(tpt), tpt, -np.inf), axis=1)
        sig = np.where(np.isfinite(sig), sig, np.nan)
        reps = reps_from(sig, 25.0)
        sides = [int(np.nanargmax(np.nan_to_num(tpt[k], nan=-np.inf))) for k in reps.peak]
    else:  # pragma: no cover - guarded by rules_for
        raise ValueError(movement)

    prev_end = 0
    for i in range(len(reps)):
        s, k, e = int(reps.start[i]), int(reps.peak[i]), int(reps.end[i])
        side = sides[i]
        if movement == "step-up":
            k, side = _step_up_key(px, kf, s, k, max(prev_end, s - int(round(1.5 * fps))), leg_px, fps)
            s = min(s, k)
        windows.append(_Window(s, k, e, side, "rep"))
        prev_end = e
    return windows, reps.rest, sig, None


#: A rep is graded only when the tracked body moves like a body over it: from one
#: frame to the next, the image length of a leg segment (hip-knee, knee-ankle)
#: changes by a few percent in real tracking, even while it foreshortens, but by
#: half or more when the landmarks are random or jumping. At least
#: :data:`MIN_STEADY_SEGMENTS` leg segments must change by at most this fraction
#: (median over at least 9 frames around the rep, 6 changes measured). [J]
MAX_SEGMENT_CHANGE = 0.12
MIN_STEADY_SEGMENTS = 2
_LEG_SEGMENTS = (
    (L.LEFT_HIP, L.LEFT_KNEE),
    (L.LEFT_KNEE, L.LEFT_ANKLE),
    (L.RIGHT_HIP, L.RIGHT_KNEE),
    (L.RIGHT_KNEE, L.RIGHT_ANKLE),
)


def _steady_windows(
    raw_legs: dict[int, np.ndarray], start: np.ndarray, end: np.ndarray, min_frames: int = 9
) -> np.ndarray:
    """True per window when enough leg segments keep a steady, non-zero image length: (W,) bool.

    Read on the unfiltered landmarks (filtering would smooth random points into a
    steady-looking body), over at least ``min_frames`` frames around the window:
    a segment is steady when the median of its frame-to-frame relative length
    change is at most :data:`MAX_SEGMENT_CHANGE`, and a window needs
    :data:`MIN_STEADY_SEGMENTS` steady segments. The loop-per-window definition
    is ``body_steady_reference`` in ``tests/kinematics/test_window_reads.py``.

    ``raw_legs`` maps each leg landmark of :data:`_LEG_SEGMENTS` to its raw
    (unmasked, unfiltered) image x and y, (2, T) float64. Each segment's
    frame-to-frame length change is computed once for the clip; a window's
    median test becomes a count of its finite changes at or below the limit
    (prefix sums), with :func:`numpy.median` itself deciding the rare windows
    whose two middle values straddle the limit.
    """
    w = start.size
    if w == 0:
        return np.zeros(0, bool)
    n = raw_legs[int(_LEG_SEGMENTS[0][0])].shape[-1]
    pad = np.maximum(0, min_frames - (end - start + 1) + 1) // 2
    lo = np.maximum(start - pad, 0)
    hi = np.minimum(end + 1 + pad, n)  # exclusive; changes lo .. hi-2
    c_lo = lo
    c_hi = np.maximum(hi - 1, lo)
    need = min_frames - 3
    steady = np.zeros(w, dtype=np.int64)
    for a, b in _LEG_SEGMENTS:
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


# ----------------------------------------------------------------------------- grading
def _graded_series(rule: FaultRule, m: dict[str, np.ndarray], base: dict[str, Any]) -> np.ndarray:
    """(T, 2) series graded by ``rule`` (per-side columns; non-side measures repeated)."""
    name = rule.measure
    if name == "fppa_deg":
        x = m["fppa_deg"] - np.nan_to_num(base["fppa_deg"])[None, :]
    elif name == "knee_separation_rel":
        b = base["knee_separation_ratio"]
        x = m["knee_separation_ratio"] / (b if np.isfinite(b) and b > 0 else 1.0)
        x = np.stack([x, x], axis=1)
    elif name == "pelvic_drop_deg":
        x = M.compute_pelvic_drop_deg(m["pelvic_obliquity_deg"] - np.nan_to_num(base["pelvic_obliquity_deg"]))
    elif name == "trunk_line_change_deg":
        x = np.stack([m["trunk_line_deg"]] * 2, axis=1)  # made relative per rep below
    else:
        x = m[name]
    return x


def _read_windows(
    rule: FaultRule, x: np.ndarray, start: np.ndarray, key: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One side's series ``x`` (T,) read in W rep windows: (value, worst frame, fraction measurable).

    ``bottom``/``top`` rules read the key frame; ``midstance``/``rep`` rules the worst frame in
    the window; ``hold`` rules the median over the window (worst frame reported).
    The loop-per-window definition is ``read_reference`` in
    ``tests/kinematics/test_window_reads.py``.
    """
    x = np.asarray(x, dtype=np.float64)
    trunk = rule.measure == "trunk_line_change_deg"
    x0 = x[start] if trunk else None
    if rule.phase in ("bottom", "top"):
        v = x[key]
        if trunk:
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
    if trunk:
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
class _Graded:
    """The values a rule graded, one per (rep, side), in rep then side order."""

    rep: np.ndarray  # 1-based rep numbers
    side: np.ndarray  # 0 left, 1 right, -1 whole body
    value: np.ndarray
    worst: np.ndarray  # frame the value was read at

    @staticmethod
    def empty() -> _Graded:
        return _Graded(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64))


@dataclass(frozen=True)
class _Slot:
    """The windows a rule reads from one side's column, and the name the value goes by."""

    side: int  # column of the graded series: 0 left, 1 right, -1 the mean of both
    key: str  # name of the value in the rep's ``values``
    side_name: str | None
    windows: np.ndarray  # window indices, ascending


def _rule_slots(rule: FaultRule, w_side: np.ndarray) -> list[_Slot]:
    """How ``rule`` reads each window: a per-side rule reads both sides of a two-legged rep
    (``fppa_left_deg``, ``fppa_right_deg``) and the working side of a one-legged one; a
    whole-body rule reads the mean of both sides unless the rep has a working side."""
    two_legged = np.flatnonzero(w_side < 0)
    slots = []
    for side in (-1, 0, 1):
        one_side = np.flatnonzero(w_side == side) if side >= 0 else two_legged[:0]
        if rule.per_side and side >= 0:
            slots.append(_Slot(side, _side_key(rule.measure, SIDES[side]), SIDES[side], two_legged))
        elif side < 0 and not rule.per_side:
            slots.append(_Slot(-1, rule.measure, None, two_legged))
        if side >= 0:
            slots.append(_Slot(side, rule.measure, SIDES[side], one_side))
    return [sl for sl in slots if sl.windows.size]


def _severity_codes(rule: FaultRule, value: np.ndarray) -> np.ndarray:
    """:meth:`FaultRule.severity` of each value as 0 (none or NaN), 1 (mild) or 2 (marked)."""
    with np.errstate(invalid="ignore"):
        if rule.direction == "above":
            return (value >= rule.mild).astype(np.int64) + (value >= rule.marked)
        return (value < rule.mild).astype(np.int64) + (value < rule.marked)


def _confidence(
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
    lms = _KEY_LANDMARKS.get(rule.measure, ((), ()))[side]
    v = np.clip(vis[np.ix_(frame, lms)].astype(np.float64).mean(axis=1), 0.0, 1.0) if lms else 1.0
    err = MEASUREMENT_ERROR[rule.unit]
    margin = 0.6 + 0.4 * np.clip(np.abs(value - threshold) / err, 0.0, 1.0)
    view_f = min(max(float(view.confidence), 0.3), 1.0)
    base_f = 1.0 if has_baseline else 0.85
    return np.clip(rule.confidence_scale * v * margin * view_f * base_f, 0.0, 1.0)


def _view_ok(rule: FaultRule, view: ViewEstimate) -> bool:
    return view.frontal if rule.view == "frontal" else view.side


def _view_reason(rule: FaultRule, view: ViewEstimate) -> str:
    need = "a front or rear view" if rule.view == "frontal" else "a side view"
    seen = {"side": "side-on", "oblique": "turned at an angle (oblique)", "unknown": "not measurable"}.get(
        view.view, f"filmed from the {view.view}"
    )
    return f"{rule.label} needs {need}; this clip looks {seen}"


def analyze(seq: PoseSequence, exercise: str = "auto", config: AnalysisConfig | None = None) -> Report:
    """Judge a clip rep by rep: knee collapse, pelvic drop and back arching.

    Parameters
    ----------
    seq : PoseSequence
        Landmarks of the clip (pixels, visibility, optional world landmarks).
    exercise : str
        One of ``bridge``, ``single-leg-bridge``, ``kickback``, ``step-up``,
        ``squat``, ``single-leg-squat``, ``single-leg-balance``, ``running``,
        or ``auto`` (default) to recognise it from the landmarks.
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
        ``exercise`` is not a known movement name.
    """
    if not isinstance(seq, PoseSequence):
        raise TypeError(f"seq must be a PoseSequence, got {type(seq).__name__}")
    if config is None:
        config = AnalysisConfig()
    elif not isinstance(config, AnalysisConfig):
        raise TypeError(f"config must be an AnalysisConfig, got {type(config).__name__}")
    if not isinstance(exercise, str) or (exercise != "auto" and exercise not in MOVEMENTS):
        raise ValueError(f"unknown exercise {exercise!r}; choose auto or one of {', '.join(MOVEMENTS)}")
    with _gc_paused():
        return _analyze(seq, exercise, config)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector: a long running clip makes tens of thousands
    of small objects (rep values, flags), none of them cyclic garbage, and the collector
    walked them again and again (~10% of the analysis of a 100,000-frame clip)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _analyze(seq: PoseSequence, exercise: str, config: AnalysisConfig) -> Report:
    n = seq.n_frames
    t = np.asarray(seq.t_s, dtype=np.float64)
    notes: list[str] = []
    fs = _frame_rate(seq)

    # world wrists are read only to find kickback reps and to recognise the movement
    world_lms = WORLD_LANDMARKS
    if exercise not in ("auto", "kickback"):
        world_lms = tuple(lm for lm in WORLD_LANDMARKS if lm not in (int(L.LEFT_WRIST), int(L.RIGHT_WRIST)))
    conditioned = _condition_seq(seq, config, world_lms)
    if exercise == "auto":
        rec_c = _for_recognition(conditioned)
        rec = _filtered(rec_c, fs, config.cutoff_hz or 5.0)
        movement, ex_conf, scores = recognise_exercise(
            rec.px, rec.world, t, ankle_y_px=_ankle_y_px(rec.px, conditioned)
        )
        source = "auto"
        if ex_conf < 0.5:
            notes.append(
                f"Not sure this is a {movement} ({ex_conf:.0%}); name the movement to be certain "
                f"(--exercise)."
            )
        # masking, gap filling and swap repair are shared; with the same cut-off only the
        # landmarks recognition did not need are filtered now, else all of them again
        if (config.cutoff_hz or CUTOFF_HZ[movement]) == (config.cutoff_hz or 5.0):
            pre = _filtered(_without(conditioned, rec_c), fs, config.cutoff_hz or 5.0, into=rec)
        else:
            pre = _filtered(conditioned, fs, CUTOFF_HZ[movement])
    else:
        movement, ex_conf, scores, source = exercise, 1.0, {}, "user"
        pre = _filtered(conditioned, fs, config.cutoff_hz or CUTOFF_HZ[movement])
    px, world = pre.px, pre.world
    n_swaps = int(np.count_nonzero(np.diff(pre.swaps.astype(np.int8)))) if n > 1 else 0
    if n_swaps:
        notes.append(
            f"The pose model swapped the left and right leg {n_swaps} time(s); hipform swapped them back."
        )

    view = estimate_view(px, world)
    m = compute_measures(px, world, view.facing_x, side_view=view.side)
    feet_y = _ankle_y_px(px, conditioned)
    leg_px = _leg_length_px(px)
    windows, rest, rep_signal, steps = _segment(movement, px, world, m, t, config, feet_y, view.view, leg_px)

    # per-person standing baseline (biomechanics.md §0, §2)
    ank_y = px[:, [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)], 1]
    with np.errstate(invalid="ignore"):
        level = np.abs(ank_y[:, 0] - ank_y[:, 1]) < 0.05 * leg_px
    standing = rest & (movement not in ("running", "bridge", "single-leg-bridge", "kickback"))
    base = {
        "fppa_deg": np.array([_rest_baseline(m["fppa_deg"][:, s], standing) for s in (0, 1)]),
        "knee_separation_ratio": _rest_baseline(m["knee_separation_ratio"], standing),
        # a single-leg bridge starts with the pelvis resting on the floor: that is its level
        # position (one foot is off the floor throughout, so the level-ankles test cannot apply)
        "pelvic_obliquity_deg": _rest_baseline(
            m["pelvic_obliquity_deg"], rest if movement == "single-leg-bridge" else standing & level
        ),
    }
    rules = rules_for(movement)

    reps_out: list[RepResult] = []
    flags: list[Flag] = []
    not_assessed: list[NotAssessed] = []
    graded_by_rule = [_Graded.empty() for _ in rules]

    # whole-clip reasons first
    view_blocked = [not _view_ok(r, view) for r in rules]
    if not windows:
        what = {"running": "no running steps", "single-leg-balance": "no single-leg hold"}.get(
            movement, "no complete rep"
        )
        reason = f"{what} found in the clip (need the whole body visible from start to finish)"
        for fault in dict.fromkeys(r.fault for r in rules):
            not_assessed.append(NotAssessed(fault, reason))
    else:
        for fault in dict.fromkeys(r.fault for r in rules):
            fr = [r for r, b in zip(rules, view_blocked, strict=False) if r.fault == fault]
            if all(not _view_ok(r, view) for r in fr):
                not_assessed.append(
                    NotAssessed(fault, _view_reason(fr[0], view), setup=SETUP_HINTS[fr[0].setup])
                )

    series = [_graded_series(r, m, base) for r in rules]
    has_base = {
        "fppa_deg": bool(np.isfinite(base["fppa_deg"]).all()),
        "knee_separation_rel": bool(np.isfinite(base["knee_separation_ratio"])),
        "pelvic_drop_deg": bool(np.isfinite(base["pelvic_obliquity_deg"])) or movement == "running",
    }
    vis = seq.visibility  # float32; read at a flag's worst frame only

    # everything read per window is computed for all windows at once; the loops only assemble
    w_start = np.array([w.start for w in windows], dtype=np.int64)
    w_key = np.array([w.key for w in windows], dtype=np.int64)
    w_end = np.array([w.end for w in windows], dtype=np.int64)
    w_side = np.array([-1 if w.side is None else w.side for w in windows], dtype=np.int64)
    coherent = _steady_windows(conditioned.raw_legs, w_start, w_end)
    kf_key = m["knee_flexion_deg"][w_key]
    hf_key = m["hip_flexion_deg"][w_key]
    t_start = t[w_start].tolist()
    t_key_l = t[w_key].tolist()
    t_end = t[w_end].tolist()
    base_cols = {
        "knee_flexion_left_deg": kf_key[:, 0],
        "hip_flexion_left_deg": hf_key[:, 0],
        "knee_flexion_right_deg": kf_key[:, 1],
        "hip_flexion_right_deg": hf_key[:, 1],
    }
    if movement == "running":
        base_cols["trunk_inclination_deg"] = m["trunk_inclination_deg"][w_key]
    rows = zip(*(c.tolist() for c in base_cols.values()), strict=True)
    values_of = [dict(zip(base_cols, row, strict=True)) for row in rows]

    # (window, rule, side) sort keys keep flags and reasons in rep order, as a per-rep loop would
    flag_items: list[tuple[tuple[int, int, int], Flag]] = []
    na_items: list[tuple[tuple[int, int, int], NotAssessed]] = []
    faults_in_rules = list(dict.fromkeys(r.fault for r in rules))
    for wi in np.flatnonzero(~coherent).tolist():
        kind = windows[wi].kind
        for k, fault in enumerate(faults_in_rules):
            reason = f"the body was not tracked steadily in {kind} {wi + 1}"
            na_items.append(((wi, -1, k), NotAssessed(fault, reason, rep=wi + 1)))
    depth_key = _nanmean_cols(kf_key)
    for ri, (rule, x2) in enumerate(zip(rules, series, strict=True)):
        graded: list[tuple[np.ndarray, ...]] = []
        for slot in _rule_slots(rule, w_side):
            idx = slot.windows
            if rule.min_knee_flexion_deg > 0:  # the rule only applies to deep enough reps
                with np.errstate(invalid="ignore"):
                    idx = idx[depth_key[idx] >= rule.min_knee_flexion_deg]
            col = x2[:, slot.side] if slot.side >= 0 else _nanmean_cols(x2)
            value, worst, frac = _read_windows(rule, col, w_start[idx], w_key[idx], w_end[idx])
            for wi, v in zip(idx.tolist(), value.tolist(), strict=True):
                values_of[wi][slot.key] = v
            active = coherent[idx] & (not view_blocked[ri])
            unreadable = active & ~(np.isfinite(value) & (frac >= 0.5))
            ok = active & ~unreadable
            na_side = slot.side_name if rule.per_side else None
            for wi in idx[unreadable].tolist():
                reason = f"{rule.label}: key landmarks not visible in {windows[wi].kind} {wi + 1}"
                na = NotAssessed(rule.fault, reason, side=na_side, rep=wi + 1)
                na_items.append(((wi, ri, slot.side), na))
            graded.append((idx[ok] + 1, np.full(int(ok.sum()), slot.side), value[ok], worst[ok]))
            sev = _severity_codes(rule, value) * ok
            hit = sev > 0
            thr = np.where(sev[hit] == 2, rule.marked, rule.mild)
            sure = has_base.get(rule.measure, True)
            conf = _confidence(rule, value[hit], thr, vis, max(slot.side, 0), worst[hit], view, sure)
            columns = (idx[hit], value[hit], worst[hit], sev[hit], thr, conf)
            for wi, v, wf, code, threshold, confidence in zip(*(a.tolist() for a in columns), strict=True):
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
                    t_start_s=t_start[wi],
                    t_end_s=t_end[wi],
                    worst_frame=wf,
                    confidence=confidence,
                    cue=rule.cue,
                )
                flag_items.append(((wi, ri, slot.side), flag))
        if graded:
            rep_i, side_i, val, wf = (np.concatenate(parts) for parts in zip(*graded, strict=True))
            order = np.lexsort((side_i, rep_i))
            graded_by_rule[ri] = _Graded(rep_i[order], side_i[order], val[order], wf[order])
    flag_items.sort(key=lambda item: item[0])
    na_items.sort(key=lambda item: item[0])
    flags.extend(f for _, f in flag_items)
    not_assessed.extend(na for _, na in na_items)

    reads_fppa = any(r.measure == "fppa_deg" for r in rules)
    leg = np.maximum(w_side, 0)  # one-legged reps: the FPPA of the working leg
    fppa_peak = m["fppa_deg"][w_key, leg].tolist()
    fppa_standing = np.asarray(base["fppa_deg"])[leg].tolist()
    for wi, w in enumerate(windows):
        values = values_of[wi]
        if w.side is not None and reads_fppa:
            values["fppa_peak_deg"] = fppa_peak[wi]
            values["fppa_standing_deg"] = fppa_standing[wi]
        reps_out.append(
            RepResult(
                index=wi + 1,
                kind=w.kind,
                side=SIDES[w.side] if w.side is not None else None,
                start_frame=w.start,
                key_frame=w.key,
                end_frame=w.end,
                t_start_s=t_start[wi],
                t_key_s=t_key_l[wi],
                t_end_s=t_end[wi],
                values=values,
            )
        )

    summary = _summarise(
        movement, rules, view_blocked, graded_by_rule, flags, windows, steps, m, t, fs, notes
    )
    flags.extend(_asymmetry_flags(movement, rules, graded_by_rule, windows, t, view, vis))
    if any(f.rep is None for f in flags):
        summary["faults"]["pelvic_drop"]["status"] = "flagged"

    if (
        not has_base["knee_separation_rel"]
        and any(r.measure == "knee_separation_rel" for r in rules)
        and windows
    ):
        notes.append(
            "No standing position before the first rep: knee separation is not relative to standing."
        )

    measures_out = _flatten_measures(m, base, rep_signal, view, movement)
    return Report(
        exercise=movement,
        exercise_confidence=float(ex_conf),
        exercise_source=source,
        exercise_scores=scores,
        view=view.view,
        view_confidence=float(view.confidence),
        facing=view.facing,
        view_yaw_deg=float(view.yaw_deg),
        source=seq.source,
        n_frames=n,
        fps=float(seq.fps),
        duration_s=float(seq.duration_s),
        reps=tuple(reps_out),
        flags=tuple(flags),
        not_assessed=tuple(_dedupe(not_assessed)),
        summary=summary,
        notes=tuple(notes),
        t_s=t,
        measures=measures_out,
    )


def _side_key(measure: str, side: str) -> str:
    """``fppa_deg`` → ``fppa_left_deg``; ``knee_toe_ratio`` → ``knee_toe_ratio_left``."""
    return measure[:-4] + f"_{side}_deg" if measure.endswith("_deg") else f"{measure}_{side}"


def _dedupe(items: list[NotAssessed]) -> list[NotAssessed]:
    seen: dict[tuple[Any, ...], NotAssessed] = {}
    for it in items:
        seen.setdefault((it.fault, it.reason, it.side, it.rep), it)
    return list(seen.values())


def _asymmetry_flags(
    movement: str,
    rules: tuple[FaultRule, ...],
    graded: list[_Graded],
    windows: list[_Window],
    t: np.ndarray,
    view: ViewEstimate,
    vis: np.ndarray,
) -> list[Flag]:
    """Left/right difference of mean pelvic drop ≥ 3° (biomechanics.md §2): single-leg tasks, running."""
    out: list[Flag] = []
    for rule, g in zip(rules, graded, strict=False):
        if rule.measure != "pelvic_drop_deg" or not g.rep.size:
            continue
        by_side = {s: g.value[g.side == s] for s in (0, 1)}
        if min(len(by_side[0]), len(by_side[1])) < 2:
            continue
        means = [float(np.mean(by_side[s])) for s in (0, 1)]
        diff = abs(means[0] - means[1])
        if diff < CPD_ASYMMETRY_DEG:
            continue
        worse = int(np.argmax(means))
        on_worse = np.flatnonzero(g.side == worse)
        worst = int(g.worst[on_worse[np.argmax(g.value[on_worse])]])
        n_min = min(len(by_side[0]), len(by_side[1]))
        conf = float(
            np.clip(view.confidence, 0.3, 1.0)
            * min(1.0, n_min / STEPS_PER_SIDE)
            * (0.6 + 0.4 * min(1.0, (diff - CPD_ASYMMETRY_DEG) / 3.0))
        )
        out.append(
            Flag(
                fault="pelvic_drop",
                side=SIDES[worse],
                severity="mild",
                measure="pelvic_drop_asymmetry_deg",
                label="left/right difference of mean pelvic drop",
                value=diff,
                unit="deg",
                threshold=CPD_ASYMMETRY_DEG,
                threshold_mild=CPD_ASYMMETRY_DEG,
                threshold_marked=2 * CPD_ASYMMETRY_DEG,
                threshold_source=CPD_ASYMMETRY_SOURCE,
                rep=None,
                t_start_s=float(t[windows[0].start]),
                t_end_s=float(t[windows[-1].end]),
                worst_frame=worst,
                confidence=conf,
                cue=(
                    f"the pelvis drops more when standing on the {SIDES[worse]} leg: "
                    "strengthen that side's glutes"
                ),
            )
        )
    return out


def _summarise(
    movement: str,
    rules: tuple[FaultRule, ...],
    view_blocked: list[bool],
    graded: list[_Graded],
    flags: list[Flag],
    windows: list[_Window],
    steps: Steps | None,
    m: dict[str, np.ndarray],
    t: np.ndarray,
    fs: float,
    notes: list[str],
) -> dict[str, Any]:
    """Per-clip summary: reps averaged per side for each graded measure, and each fault's status."""
    measures: dict[str, Any] = {}
    faults: dict[str, Any] = {}
    for rule, blocked, g in zip(rules, view_blocked, graded, strict=False):
        # left / right where the rule or the reps have sides, else "both"; in order of first appearance
        named = rule.per_side or (bool(windows) and windows[0].side is not None)
        key = np.where((g.side >= 0) & named, g.side, 2)
        present, first = np.unique(key, return_index=True)
        by_side = {(*SIDES, "both")[k]: g.value[key == k] for k in present[np.argsort(first)].tolist()}
        entry = {
            "fault": rule.fault,
            "label": rule.label,
            "unit": rule.unit,
            "phase": rule.phase,
            "assessed": not blocked and bool(g.rep.size),
            "n_by_side": {k: len(v) for k, v in by_side.items()},
            "mean_by_side": {k: float(np.mean(v)) for k, v in by_side.items()},
            "sd_by_side": {k: float(np.std(v, ddof=1)) if len(v) > 1 else None for k, v in by_side.items()},
            "severity_of_mean": {k: rule.severity(float(np.mean(v))) for k, v in by_side.items()},
            "thresholds": {"mild": rule.mild, "marked": rule.marked, "direction": rule.direction},
            "threshold_source": rule.source,
        }
        measures.setdefault(rule.measure, entry)
        f = faults.setdefault(
            rule.fault,
            {
                "status": "not_assessed",
                "measure": rule.measure,
                "reps_assessed": 0,
                "reps_flagged": 0,
                "mean_by_side": {},
            },
        )
        if entry["assessed"]:
            if f["status"] == "not_assessed":
                f["status"] = "not_flagged"
                f["measure"] = rule.measure
                f["mean_by_side"] = entry["mean_by_side"]
            f["reps_assessed"] = max(f["reps_assessed"], int(np.unique(g.rep).size))
    for fault, f in faults.items():
        reps_flagged = {fl.rep for fl in flags if fl.fault == fault and fl.rep is not None}
        f["reps_flagged"] = len(reps_flagged)
        if reps_flagged:
            f["status"] = "flagged"
    for fault in FAULTS:
        faults.setdefault(
            fault,
            {
                "status": "not_checked",
                "measure": None,
                "reps_assessed": 0,
                "reps_flagged": 0,
                "mean_by_side": {},
            },
        )
    out: dict[str, Any] = {
        "n_reps": len(windows),
        "rep_kind": windows[0].kind if windows else ("step" if movement == "running" else "rep"),
        "faults": faults,
        "measures": measures,
    }
    if movement == "running":
        cad = steps.cadence_spm if steps is not None else float("nan")
        out["cadence_spm"] = float(cad)
        out["steps_by_side"] = {
            "left": int(np.sum(steps.side == 0)) if steps is not None else 0,
            "right": int(np.sum(steps.side == 1)) if steps is not None else 0,
        }
        if len(windows) >= 4:
            dts = np.diff(t[[w.start for w in windows]])
            cv = float(np.std(dts) / np.mean(dts)) if np.mean(dts) > 0 else float("inf")
            out["step_time_cv"] = cv
            if cv > 0.35:
                notes.append(
                    "Step timing is irregular: the pose model may be mixing up the legs (common side-on or "
                    "with a small runner); steps and cadence are approximate."
                )
        ti = m["trunk_inclination_deg"][np.array([w.key for w in windows], dtype=np.int64)]
        ti = ti[np.isfinite(ti)]
        out["trunk_inclination_deg"] = {
            "mean_at_midstance": float(np.mean(ti)) if ti.size else None,
            "note": "reported, not flagged: no threshold exists (biomechanics.md §3)",
        }
        if fs < 60:
            notes.append(
                f"Filmed at {fs:.0f} fps; 60 fps or more is recommended for running (step timing is "
                "less precise, peak angles are little affected)."
            )
        n_min = min(out["steps_by_side"].values())
        if windows and n_min < STEPS_PER_SIDE:
            notes.append(
                f"Only {n_min} step(s) on one side; {STEPS_PER_SIDE} or more per side give a "
                "trustworthy average."
            )
    return out


def _flatten_measures(
    m: dict[str, np.ndarray], base: dict[str, Any], rep_signal: np.ndarray, view: ViewEstimate, movement: str
) -> dict[str, np.ndarray]:
    """Per-frame series for plotting and CSV: one (T,) array per name, units in the name.

    Raw measures keep their names (``fppa_left_deg``, ``pelvic_obliquity_deg``, …). The series the
    flags are graded on, where they differ from the raw ones, are added beside them so a plot of
    them agrees with the flags:

    - ``fppa_graded_left_deg`` / ``fppa_graded_right_deg``: FPPA minus that knee's standing
      baseline (the raw FPPA where the clip has no standing position);
    - ``knee_separation_rel``: knee-separation ratio ÷ its standing value;
    - ``pelvic_drop_stance_left_deg`` / ``pelvic_drop_stance_right_deg``: pelvic drop for a
      left / right stance leg, from the obliquity minus its standing (or resting) baseline.
    """
    out: dict[str, np.ndarray] = {}
    for name, arr in m.items():
        if arr.ndim == 2:
            for s, sname in enumerate(SIDES):
                out[_side_key(name, sname)] = np.asarray(arr[:, s], dtype=np.float64)
        else:
            out[name] = np.asarray(arr, dtype=np.float64)
    fppa = m["fppa_deg"] - np.nan_to_num(base["fppa_deg"])[None, :]
    out["fppa_graded_left_deg"] = np.asarray(fppa[:, 0], dtype=np.float64)
    out["fppa_graded_right_deg"] = np.asarray(fppa[:, 1], dtype=np.float64)
    b = base["knee_separation_ratio"]
    out["knee_separation_rel"] = m["knee_separation_ratio"] / (b if np.isfinite(b) and b > 0 else 1.0)
    obl = m["pelvic_obliquity_deg"] - np.nan_to_num(base["pelvic_obliquity_deg"])
    drop = M.compute_pelvic_drop_deg(obl)
    out["pelvic_drop_stance_left_deg"] = drop[:, 0]
    out["pelvic_drop_stance_right_deg"] = drop[:, 1]
    out["rep_signal"] = np.asarray(rep_signal, dtype=np.float64)
    out["view_yaw_deg"] = np.asarray(view.per_frame_yaw_deg, dtype=np.float64)
    return out
