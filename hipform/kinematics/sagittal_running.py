"""Running filmed from the side: steps from the feet's fore-aft swing, and the sagittal measures of each step.

Side-on, the two feet overlap, the pose model's left/right labels swap, and it loses the swing
foot while it is high behind the body, so a heel's own lowest point finds spurious strikes. What a
side view shows well is how far the feet are ahead of or behind the pelvis while they are near the
floor: the front foot reaches furthest forward as it lands, the rear foot goes furthest back as it
leaves the ground, whichever label each carries (:func:`detect_side_steps`).

Measures read per step (docs/measures.md, "Running, side view", has the definitions, signs, phases,
reference values and sources): hip extension at toe-off, overstride (shank angle and heel ahead of
the pelvis at initial contact), knee flexion at initial contact and vertical oscillation of the
pelvis per stride. Trunk lean is the per-frame ``trunk_inclination_deg`` read at midstance.

Which leg a step is on is only said when the pose model's labels are consistent over the clip
(see :func:`step_sides`); otherwise steps are reported without a side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hipform.kinematics.cadence import Cadence, compute_cadence, compute_step_time, keep_regular_strikes
from hipform.kinematics.events import Steps, first_extreme
from hipform.kinematics.measures import compute_knee_flexion_deg
from hipform.landmarks import Landmark

L = Landmark

#: A contact (toe-off) is a peak of the front (rear) foot's lead over the pelvis standing out by this
#: fraction of leg length (the feet swing about a leg length fore and aft) [J].
MIN_SWING_PROMINENCE = 0.2
#: A foot is on the ground while its lowest point is within this fraction of leg length of its
#: ground level over the stance [J].
GROUND_TOLERANCE = 0.02
#: A foot further above the floor (the feet's lowest image level) than this fraction of leg length
#: is not at its furthest reach or furthest point back (swing, or lost by the pose model) [J].
NEAR_FLOOR = 0.15
#: Median filter of each foot's lead, in step times (longer than the pose model's losses of the
#: swing foot, shorter than a stance) [J].
MEDIAN_STEPS = 0.15
#: Shortest and longest stance, from the foot's reach to its furthest point back, in step times
#: (running stance is ~0.4-0.9 step, a slow jog's up to about one) [J].
MIN_STANCE_STEPS, MAX_STANCE_STEPS = 0.3, 1.5
#: How far contact and toe-off are looked for from the foot's furthest reach and furthest point
#: back, in step times [J].
SNAP_STEPS = 0.3
#: Share of steps whose stance labels must alternate, and of frames whose near leg (world depth)
#: must be the one the facing direction says, before steps are given a side [J].
MIN_LABEL_CONSISTENCY = 0.9


@dataclass(frozen=True)
class SagittalMeasure:
    """One per-step measure of side-on running: what it is, when it is read, and what is typical.

    Attributes
    ----------
    name : the value's name, unit last (report values and measures CSV).
    label : the measure in words.
    event : when in the step it is read: ``initial contact``, ``toe-off`` or ``stride``.
    unit : ``deg`` or ``ratio`` (leg lengths).
    sign : what a positive value means.
    reference : the reference value in words; reported, never flagged.
    source : where the reference comes from; ``[J]`` where no source gives a cut-off.
    """

    name: str
    label: str
    event: str
    unit: str
    sign: str
    reference: str
    source: str


_SOUZA = "Souza 2016 (Phys Med Rehabil Clin N Am 27:217) describes the measure and gives no cut-off"
_DINGENEN = "2D test-retest: Dingenen 2018 (Phys Ther Sport 33:40), mean of ≥ 7 steps"

SAGITTAL_MEASURES: tuple[SagittalMeasure, ...] = (
    SagittalMeasure(
        name="hip_extension_toe_off_deg",
        label="hip extension at toe-off (thigh behind vertical)",
        event="toe-off",
        unit="deg",
        sign="positive = knee behind the hip (thigh extended past vertical)",
        reference="less than 10° is little hip extension [J]",
        source=f"[J] {_SOUZA}; 2D hip angle between days ±9–11° (Damsted 2015, IJSPT 10:147)",
    ),
    SagittalMeasure(
        name="shank_angle_contact_deg",
        label="shank angle at initial contact (overstride)",
        event="initial contact",
        unit="deg",
        sign="positive = ankle ahead of the knee (shank reaching forward); 0 = vertical shank",
        reference="more than 6° forward is an overstride sign [J]; a vertical shank is the aim (Souza 2016)",
        source=f"[J] {_SOUZA}; tibia inclination ICC 0.73–0.92, SDD 2.2–4.8° ({_DINGENEN})",
    ),
    SagittalMeasure(
        name="foot_ahead_contact_ratio",
        label="heel ahead of the pelvis at initial contact (overstride)",
        event="initial contact",
        unit="ratio",
        sign="positive = heel ahead of the pelvis centre, in leg lengths (hip–knee + knee–ankle)",
        reference="more than 0.3 leg lengths is an overstride sign [J]",
        source=f"[J] {_SOUZA}",
    ),
    SagittalMeasure(
        name="knee_flexion_contact_deg",
        label="knee flexion at initial contact",
        event="initial contact",
        unit="deg",
        sign="positive = knee bent (0 = straight)",
        reference="less than 10° is a straight-knee landing [J]",
        source=f"[J] {_SOUZA}; 2D knee angle at foot strike between days ±9–14° (Damsted 2015, IJSPT 10:147)",
    ),
    SagittalMeasure(
        name="vertical_oscillation_ratio",
        label="vertical oscillation of the pelvis per stride",
        event="stride",
        unit="ratio",
        sign="pelvis-centre vertical range over the stride starting at this step, in leg lengths",
        reference="more than 0.1 leg lengths is a bouncy stride [J]",
        source=f"[J] {_SOUZA}",
    ),
)
#: Said when side-on steps carry no leg (:func:`step_sides`).
NO_SIDES_NOTE = (
    "Steps are not given a leg: side-on the pose model's left and right labels were not consistent "
    "in this clip (they swap as the legs cross), so left and right are not told apart."
)
#: Said for a running clip filmed from any view but the side.
NEEDS_SIDE_NOTE = (
    "Not assessed in this view: hip extension at toe-off, overstride (shank angle and heel ahead of the "
    "pelvis at initial contact), knee flexion at initial contact, trunk lean and vertical oscillation "
    "need a side view (film from the side, camera at hip height, square to the treadmill)."
)
#: Unit of each per-step sagittal value, by name.
SAGITTAL_UNITS: dict[str, str] = {m.name: m.unit for m in SAGITTAL_MEASURES}


@dataclass(frozen=True, eq=False)
class SideSteps:
    """Steps of a side-on running clip and their sagittal values.

    ``steps`` are the :class:`~hipform.kinematics.events.Steps` (``side`` -1 where the leg is not
    known); ``values`` maps each :data:`SAGITTAL_MEASURES` name to its (N,) per-step values;
    ``sides_known`` says whether the steps carry a side.
    """

    steps: Steps
    values: dict[str, np.ndarray]
    sides_known: bool


def _interp_nan(x: np.ndarray) -> np.ndarray:
    """``x`` (T,) with NaN runs filled linearly (all NaN stays NaN)."""
    ok = np.isfinite(x)
    if ok.all() or not ok.any():
        return x
    i = np.arange(x.shape[0])
    return np.interp(i, i[ok], x[ok])


def _envelope(lead: np.ndarray, largest: bool) -> np.ndarray:
    """(T,) the larger (or smaller) of the two feet's ``lead`` (T, 2) in each frame, gaps filled."""
    fill = -np.inf if largest else np.inf
    pick = (np.max if largest else np.min)(_finite_or(lead, fill), axis=1)
    return _interp_nan(np.where(np.isfinite(pick), pick, np.nan))


def _finite_or(x: np.ndarray, fill: float) -> np.ndarray:
    """``x`` with its NaN replaced by ``fill``."""
    return np.where(np.isfinite(x), x, fill)


def facing_sign(px: np.ndarray) -> float:
    """+1 when the runner faces image right over the clip, -1 image left, 0 unknown."""
    from hipform.kinematics.view import compute_facing_x

    f = compute_facing_x(px)
    f = f[np.isfinite(f) & (f != 0)]
    return float(np.sign(np.median(f))) if f.size else 0.0


def _leg_xy(px: np.ndarray, lm_left: Landmark, lm_right: Landmark) -> np.ndarray:
    """(T, 2 legs, 2 coords) of one landmark of each leg."""
    return px[:, [int(lm_left), int(lm_right)], :]


def foot_lead(px: np.ndarray, forward: float, leg_px: float) -> np.ndarray:
    """(T, 2) how far each heel is ahead of the pelvis centre, leg lengths (ankle where no heel).

    Positive ahead of the pelvis in the running direction (``forward`` +1 image right, -1 left).
    """
    heel = _leg_xy(px, L.LEFT_HEEL, L.RIGHT_HEEL)[..., 0]
    ankle = _leg_xy(px, L.LEFT_ANKLE, L.RIGHT_ANKLE)[..., 0]
    foot_x = np.where(np.isfinite(heel), heel, ankle)
    pelvis_x = 0.5 * (px[:, int(L.LEFT_HIP), 0] + px[:, int(L.RIGHT_HIP), 0])
    return forward * (foot_x - pelvis_x[:, None]) / leg_px


def segment_angle_deg(top: np.ndarray, bottom: np.ndarray, forward: float) -> np.ndarray:
    """Angle of the segment top→bottom against the image vertical, degrees.

    Positive when ``bottom`` lies ahead of ``top`` in the running direction (image y points down).
    """
    d = bottom - top
    return np.degrees(np.arctan2(forward * d[..., 0], d[..., 1]))


def detect_side_steps(
    px: np.ndarray, world: np.ndarray | None, t_s: np.ndarray, leg_px: float
) -> SideSteps | None:
    """Contacts, midstance and toe-offs of a side-on running clip, its cadence, and each step's
    sagittal values.

    Parameters
    ----------
    px : ndarray, shape (T, 33, 2)
        Filtered image landmarks, pixels (y down).
    world : ndarray, shape (T, 33, 3), or None
        World landmarks (only their depth order is read, to tell the near leg).
    t_s : ndarray, shape (T,)
        Frame times, seconds.
    leg_px : float
        Typical leg length in the image, pixels.

    Returns
    -------
    SideSteps or None
        None when the facing direction or the leg length cannot be told, or fewer than two steps
        are seen (no sagittal reading).

    Notes
    -----
    Each foot's lead over the pelvis (:func:`foot_lead`) is kept only while the foot is within
    :data:`NEAR_FLOOR` of the floor (the pose model loses the swing foot high behind the body and
    throws it anywhere); the front-most and the rear-most foot in each frame, whichever label it
    carries, are median-filtered over :data:`MEDIAN_STEPS` step times (the pelvis' rhythm,
    :func:`~hipform.kinematics.cadence.compute_step_time`): a median drops the pose model's brief
    jumps where a low-pass filter smears them. The front foot's furthest reach marks each contact
    and the rear foot's furthest point back each toe-off (Zeni 2008). Each is then moved to when
    the foot really meets or leaves the ground (:func:`_snap_to_ground`: each foot its own ground
    level, side-on the far foot stands higher in the image).
    Steps off the pelvis' rhythm are dropped and the cadence counted from the contacts as for
    every view (:mod:`hipform.kinematics.cadence`). Midstance is the lowest pelvis point between
    contact and toe-off.
    """
    t = np.asarray(t_s, dtype=np.float64)
    n = t.shape[0]
    forward = facing_sign(px)
    if n < 5 or forward == 0 or not np.isfinite(leg_px) or leg_px <= 0:
        return None
    fps = (n - 1) / (t[-1] - t[0]) if t[-1] > t[0] else 30.0
    hip_y = _interp_nan(0.5 * (px[:, int(L.LEFT_HIP), 1] + px[:, int(L.RIGHT_HIP), 1]))
    lead = foot_lead(px, forward, leg_px)
    if not np.isfinite(hip_y).all() or not np.isfinite(lead).any(axis=0).all():
        return None
    rhythm = compute_step_time(hip_y, fps, np.zeros(0))
    low = np.fmax(
        _leg_xy(px, L.LEFT_HEEL, L.RIGHT_HEEL)[..., 1],
        _leg_xy(px, L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX)[..., 1],
    )  # each foot's lowest point (y down)
    found = _reach_and_back(lead, low, leg_px, rhythm * fps)
    if found is None:
        return None
    reach, furthest, stance, rear = found
    tol = GROUND_TOLERANCE * leg_px
    reach_span = max(1, int(round(SNAP_STEPS * rhythm * fps)))
    strike = _snap_to_ground(low[:, 0], low[:, 1], reach, furthest, stance, tol, reach_span, landing=True)
    toe_off = _snap_to_ground(low[:, 0], low[:, 1], reach, furthest, rear, tol, reach_span, landing=False)
    # a step cut by the clip (its contact or toe-off not seen) is not a step
    whole = (strike > 0) & (toe_off < n - 1) & (toe_off > strike)
    strike, toe_off, stance, rear = strike[whole], toe_off[whole], stance[whole], rear[whole]
    if strike.size < 2:
        return None
    step_s = compute_step_time(hip_y, fps, t[strike])
    kept = keep_regular_strikes(t[strike], step_s)
    cadence: Cadence = compute_cadence(t[strike[kept]], step_s, n_dropped=strike.size - kept.size)
    strike, toe_off, stance, rear = strike[kept], toe_off[kept], stance[kept], rear[kept]
    # midstance lies before the next contact too (a slow runner's toe-off may come after it)
    before_next = np.append(strike[1:], n)
    off, some = first_extreme(hip_y, strike, np.minimum(toe_off + 1, before_next), largest=True)
    midstance = np.where(some, strike + off, strike).astype(np.int64)
    sides, known = step_sides(stance, rear, world, forward)
    steps = Steps(sides, strike.astype(np.int64), midstance, toe_off.astype(np.int64), cadence)
    values = step_values(px, lead, forward, leg_px, strike, stance, toe_off, rear, hip_y)
    return SideSteps(steps, values, known)


def _reach_and_back(
    lead: np.ndarray, low: np.ndarray, leg_px: float, step_frames: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """Each step's furthest reach and furthest point back (frames) and the foot at each (0, 1).

    ``lead`` (T, 2) is each foot's lead over the pelvis, ``low`` (T, 2) each foot's lowest image
    point, ``step_frames`` the step time in frames. See :func:`detect_side_steps`. None when
    fewer than two steps are seen.
    """
    from scipy.ndimage import median_filter  # here: listing the movements must not load SciPy
    from scipy.signal import find_peaks

    if not np.isfinite(low).any():
        return None
    # only a foot near the floor can be at its furthest reach or furthest back: a foot the pose model
    # throws up the body (it loses the swing foot high behind) is left out
    floor = float(np.nanpercentile(low, 95))
    with np.errstate(invalid="ignore"):
        low_lead = np.where(low >= floor - NEAR_FLOOR * leg_px, lead, np.nan)
    width = max(3, int(round(MEDIAN_STEPS * step_frames)) | 1)
    # the front-most and rear-most foot, whichever label each carries, then the median (the labels
    # swap side-on: a median of each label's own trace would mix the two feet)
    front = median_filter(_envelope(low_lead, largest=True), size=width, mode="nearest")
    rear_most = median_filter(_envelope(low_lead, largest=False), size=width, mode="nearest")
    if not (np.isfinite(front).all() and np.isfinite(rear_most).all()):
        return None
    apart = max(1, int(round(0.6 * step_frames)))
    reach, _ = find_peaks(front, distance=apart, prominence=MIN_SWING_PROMINENCE)
    back, _ = find_peaks(-rear_most, distance=apart, prominence=MIN_SWING_PROMINENCE)
    # a step: a reach and the first furthest-back point at least a short stance after it (side-on
    # a slow runner's toe-off can come after the other foot's reach: no flight)
    nxt = np.searchsorted(back, reach + MIN_STANCE_STEPS * step_frames, side="left")
    has_back = nxt < back.size
    reach, furthest = reach[has_back], back[nxt[has_back]]
    short = (furthest - reach) <= MAX_STANCE_STEPS * step_frames
    reach, furthest = reach[short], furthest[short]
    if reach.size < 2:
        return None
    # the foot at each event: the one nearest the filtered envelope there
    stance = np.argmin(np.abs(_finite_or(lead[reach], np.inf) - front[reach, None]), axis=1)
    rear = np.argmin(np.abs(_finite_or(lead[furthest], np.inf) - rear_most[furthest, None]), axis=1)
    return reach, furthest, stance, rear


def _snap_to_ground(
    low_left: np.ndarray,
    low_right: np.ndarray,
    reach: np.ndarray,
    furthest: np.ndarray,
    foot: np.ndarray,
    tol_px: float,
    span: int,
    landing: bool,
) -> np.ndarray:
    """Contact (``landing``) or toe-off frame of each step, from its reach or furthest-back frame.

    The foot's ground level is the median of its lowest point over the stance (reach to furthest
    back); on the ground is within ``tol_px`` of it. The foot reaches furthest forward just before
    it lands and goes furthest back just after it leaves the ground, so contact is the first frame
    from the reach on with the foot down, toe-off the last one up to the furthest point back; at
    most ``span`` frames away (else the event frame itself).
    """
    n = low_left.shape[0]
    low = np.stack([low_left, low_right], axis=1)
    event = reach if landing else furthest
    lens = np.maximum(furthest - reach + 1, 1)
    first = np.cumsum(lens) - lens
    frames = np.repeat(reach, lens) + np.arange(int(lens.sum())) - np.repeat(first, lens)
    legs = np.repeat(foot, lens)
    vals = low[np.minimum(frames, n - 1), legs]
    order = np.lexsort((np.where(np.isfinite(vals), vals, np.inf), np.repeat(np.arange(reach.size), lens)))
    srt = np.where(np.isfinite(vals), vals, np.inf)[order]
    cnt = np.add.reduceat(np.isfinite(vals).astype(np.int64), first)
    c = np.maximum(cnt, 1)
    level = np.where(cnt > 0, 0.5 * (srt[first + (c - 1) // 2] + srt[first + c // 2]), np.nan)

    def down(k: np.ndarray) -> np.ndarray:
        kk = np.clip(k, 0, n - 1)
        with np.errstate(invalid="ignore"):
            return (k >= 0) & (k <= n - 1) & (low[kk, foot] >= level - tol_px)

    # from the event inward (on in time for contact, back for toe-off) to the first frame down
    inward = 1 if landing else -1
    at = event.copy()
    found = down(at)
    for _ in range(span):
        live = ~found
        if not live.any():
            break
        at = np.where(live, at + inward, at)
        found |= live & down(at)
    at = np.where(found, at, event)  # the foot never seen down: keep the event frame
    return np.clip(at, 0, n - 1).astype(np.int64)


def step_sides(
    stance: np.ndarray, rear: np.ndarray, world: np.ndarray | None, forward: float
) -> tuple[np.ndarray, bool]:
    """Each step's leg (0 left, 1 right) when the labels can be trusted, else -1 for every step.

    Side-on, the pose model's left/right labels swap when the legs cross, and nothing in 2D
    landmarks proves which physical leg a label follows. The labels are used only when they are
    consistent three ways: consecutive steps land on alternate labels, the foot that leaves the
    ground at toe-off carries the label of the foot that landed, and the labelled leg nearer the
    camera (world depth) is the one the facing direction says is near (a runner facing image right
    shows the camera the right side) in :data:`MIN_LABEL_CONSISTENCY` of the frames.
    """
    unknown = np.full(stance.shape[0], -1, dtype=np.int64)
    if stance.size < 3 or world is None:
        return unknown, False
    alternate = float(np.mean(stance[1:] != stance[:-1]))
    same_foot = float(np.mean(stance == rear))
    legs = [(L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE), (L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE)]
    depth = np.stack([np.nanmean(world[:, [int(p) for p in leg], 2], axis=1) for leg in legs], axis=1)
    ok = np.isfinite(depth).all(axis=1)
    if not ok.any():
        return unknown, False
    near_right = depth[ok, 1] < depth[ok, 0]  # smaller depth = nearer the camera
    expected_right = forward > 0
    near_ok = float(np.mean(near_right == expected_right))
    known = min(alternate, same_foot, near_ok) >= MIN_LABEL_CONSISTENCY
    return (stance.astype(np.int64) if known else unknown), known


def step_values(
    px: np.ndarray,
    lead: np.ndarray,
    forward: float,
    leg_px: float,
    strike: np.ndarray,
    stance: np.ndarray,
    toe_off: np.ndarray,
    rear: np.ndarray,
    hip_y: np.ndarray,
) -> dict[str, np.ndarray]:
    """The :data:`SAGITTAL_MEASURES` of every step, (N,) each (NaN where a landmark was not seen)."""
    hip = _leg_xy(px, L.LEFT_HIP, L.RIGHT_HIP)
    knee = _leg_xy(px, L.LEFT_KNEE, L.RIGHT_KNEE)
    ankle = _leg_xy(px, L.LEFT_ANKLE, L.RIGHT_ANKLE)
    thigh = segment_angle_deg(hip[toe_off, rear], knee[toe_off, rear], forward)
    shank = segment_angle_deg(knee[strike, stance], ankle[strike, stance], forward)
    knee_flex = compute_knee_flexion_deg(px[strike])[np.arange(strike.size), stance]
    # a stride is two steps: from this contact to the one after next (the last ones: to the clip's end)
    stride_end = np.append(strike[2:], [px.shape[0]] * min(2, strike.size))[: strike.size]
    hi, some_hi = first_extreme(hip_y, strike, stride_end, largest=True)
    lo, some_lo = first_extreme(hip_y, strike, stride_end, largest=False)
    full = np.arange(strike.size) < strike.size - 2  # the last two steps start no whole stride
    with np.errstate(invalid="ignore"):
        osc = (hip_y[strike + hi] - hip_y[strike + lo]) / leg_px
    osc = np.where(some_hi & some_lo & full, osc, np.nan)
    return {
        "hip_extension_toe_off_deg": -thigh,  # knee behind the hip is extension
        "shank_angle_contact_deg": shank,
        "foot_ahead_contact_ratio": lead[strike, stance],
        "knee_flexion_contact_deg": knee_flex,
        "vertical_oscillation_ratio": osc,
    }


def held_series(n: int, strike: np.ndarray, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per-frame series holding each step's value from its contact to the next contact (NaN
    before the first), so the value of a step is read at any of its frames (its midstance)."""
    if strike.size == 0:
        return {name: np.full(n, np.nan) for name in values}
    which = np.searchsorted(strike, np.arange(n), side="right") - 1
    inside = which >= 0
    return {
        name: np.where(inside, np.asarray(v, dtype=np.float64)[np.maximum(which, 0)], np.nan)
        for name, v in values.items()
    }


def sagittal_notes(values: dict[str, np.ndarray], sides: np.ndarray) -> list[str]:
    """One sentence per measure: its mean over the steps (and per leg where the legs are known)."""
    out = []
    for m in SAGITTAL_MEASURES:
        v = np.asarray(values.get(m.name, np.zeros(0)), dtype=np.float64)
        ok = np.isfinite(v)
        if not ok.any():
            continue
        fmt = (lambda x: f"{x:.1f}°") if m.unit == "deg" else (lambda x: f"{x:.2f} leg lengths")
        per_leg = ""
        if (sides >= 0).any():
            legs = [
                f"{name} {fmt(float(np.mean(v[ok & (sides == s)])))}"
                for s, name in ((0, "left"), (1, "right"))
                if (ok & (sides == s)).any()
            ]
            per_leg = f" ({', '.join(legs)})"
        out.append(
            f"{m.label[0].upper()}{m.label[1:]}: {fmt(float(np.mean(v[ok])))} mean of {int(ok.sum())} "
            f"steps{per_leg}; reference: {m.reference}."
        )
    return out
