"""Per-frame body measures: the angles and ratios behind every fault.

Every function takes landmark coordinates of shape ``(T, 33, D)`` (``D`` = 2
for image pixels, y pointing down; ``D`` = 3 for world metres) and returns a
``(T,)`` or ``(T, 2)`` array; column 0 of a ``(T, 2)`` array is the left side,
column 1 the right side. NaN in → NaN out; nothing here raises on missing
data. Definitions follow biomechanics.md (the section is named in each
docstring); angles are in degrees.

Frontal-plane measures (FPPA, hip adduction, pelvic drop, knee separation)
must be given image pixels, never normalised coordinates (which have
different x and y scales) and never world landmarks.
"""

from __future__ import annotations

import numpy as np

from hipform.landmarks import Landmark

L = Landmark
#: (hip, knee, ankle, shoulder, wrist, other hip) per side; index 0 = left, 1 = right.
_SIDES = (
    (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE, L.LEFT_SHOULDER, L.LEFT_WRIST, L.RIGHT_HIP),
    (L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE, L.RIGHT_SHOULDER, L.RIGHT_WRIST, L.LEFT_HIP),
)
SIDE_NAMES = ("left", "right")


def _side_points(pts: np.ndarray, k: int) -> np.ndarray:
    """(T, 2, D): landmark ``k`` of the _SIDES tuple for the left and right side."""
    return pts[:, [int(_SIDES[0][k]), int(_SIDES[1][k])]]


def _cross2(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]


def _dot(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Dot product over the last axis (2 or 3 components), component by component.

    Written out (docs/performance.md); the addition order is the one ``numpy.einsum`` uses, so
    results are the same as its.
    """
    if u.shape[-1] == 2:
        return u[..., 0] * v[..., 0] + u[..., 1] * v[..., 1]
    return (u[..., 0] * v[..., 0] + u[..., 2] * v[..., 2]) + u[..., 1] * v[..., 1]


def _norm(v: np.ndarray) -> np.ndarray:
    """Euclidean length over the last axis (2 or 3 components), as ``numpy.linalg.norm`` sums it."""
    if v.shape[-1] == 2:
        return np.sqrt(v[..., 0] * v[..., 0] + v[..., 1] * v[..., 1])
    return np.sqrt((v[..., 0] * v[..., 0] + v[..., 1] * v[..., 1]) + v[..., 2] * v[..., 2])


def _cross3(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Components of the 3D cross product u × v."""
    return (
        u[..., 1] * v[..., 2] - u[..., 2] * v[..., 1],
        u[..., 2] * v[..., 0] - u[..., 0] * v[..., 2],
        u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0],
    )


def _angle_between_deg(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Unsigned angle (deg, [0, 180]) between vectors on the last axis; NaN for zero-length vectors.

    Notes
    -----
    ``atan2(|u × v|, u · v)``; 2D vectors are taken in the z = 0 plane, so
    ``|u × v|`` is the absolute z component of their cross product.
    """
    if u.shape[-1] == 2 and v.shape[-1] == 2:
        c = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
        cr = np.sqrt(c * c)
        # (u0·v0 + 0) + u1·v1: the z = 0 component added first, as for 3D vectors
        dot = (u[..., 0] * v[..., 0] + 0.0) + u[..., 1] * v[..., 1]
    else:
        c0, c1, c2 = _cross3(u, v)
        cr = np.sqrt((c0 * c0 + c1 * c1) + c2 * c2)
        dot = _dot(u, v)
    ang = np.degrees(np.arctan2(cr, dot))
    zero = (_norm(u) < 1e-9) | (_norm(v) < 1e-9)
    return np.where(zero, np.nan, ang)


def _side_of_line(a: np.ndarray, b: np.ndarray, p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """+1 where p and q lie on the same side of the line a→b, -1 opposite, 0/NaN degenerate.

    Works in 2D and 3D (in 3D, "side" is taken within the plane through the
    line and q).
    """
    d = b - a
    if d.shape[-1] == 2:
        pa, qa = p - a, q - a
        cp = d[..., 0] * pa[..., 1] - d[..., 1] * pa[..., 0]
        cq = d[..., 0] * qa[..., 1] - d[..., 1] * qa[..., 0]
        return np.sign(cp * cq)
    p0, p1, p2 = _cross3(d, p - a)
    q0, q1, q2 = _cross3(d, q - a)
    return np.sign((p0 * q0 + p2 * q2) + p1 * q1)


# --------------------------------------------------------------------- frontal plane
def compute_fppa_deg(px: np.ndarray) -> np.ndarray:
    """Knee frontal plane projection angle per side (biomechanics.md §1).

    Parameters
    ----------
    px : ndarray, shape (T, 33, 2)
        Image landmarks in pixels.

    Returns
    -------
    ndarray, shape (T, 2)
        FPPA in degrees, [left, right]. Positive (valgus, knee collapse) when
        the knee lies medial to the hip–ankle line, negative (varus) when
        lateral. Medial is the direction toward the other hip, so the sign is
        the same from a front or a rear camera, and mirroring the image
        leaves it unchanged.

    Notes
    -----
    FPPA = 180° − interior hip–knee–ankle angle = the angle between thigh
    (hip→knee) and shank (knee→ankle): ``atan2(|u×v|, u·v)``, signed by the
    side of the hip–ankle line the knee is on relative to the other hip.
    """
    hip, knee, ankle, other = (_side_points(px, k) for k in (0, 1, 2, 5))
    u = knee - hip
    v = ankle - knee
    mag = np.degrees(np.arctan2(np.abs(_cross2(u, v)), _dot(u, v)))
    w = ankle - hip
    sign = np.sign(_cross2(u, w)) * np.sign(_cross2(other - hip, w))
    zero = (np.hypot(*np.moveaxis(u, -1, 0)) < 1e-9) | (np.hypot(*np.moveaxis(v, -1, 0)) < 1e-9)
    # a knee exactly on the line has sign 0 and magnitude 0: FPPA 0, which is right
    return np.where(zero, np.nan, mag * np.where(sign == 0, 1.0, sign))


def compute_knee_separation_ratio(px: np.ndarray) -> np.ndarray:
    """Knee width ÷ ankle width in the image (biomechanics.md §1, bilateral squat).

    Parameters
    ----------
    px : ndarray, shape (T, 33, 2), pixels.

    Returns
    -------
    ndarray, shape (T,)
        Distance between the knees divided by the distance between the
        ankles (dimensionless). Divide by the standing value to get the
        ratio the fault table grades; NaN when the ankles coincide.
    """
    kw = _norm(px[:, int(L.LEFT_KNEE)] - px[:, int(L.RIGHT_KNEE)])
    aw = _norm(px[:, int(L.LEFT_ANKLE)] - px[:, int(L.RIGHT_ANKLE)])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(aw > 1e-6, kw / aw, np.nan)


def compute_hip_adduction_deg(px: np.ndarray) -> np.ndarray:
    """2D hip adduction per side (biomechanics.md §1, running).

    Returns
    -------
    ndarray, shape (T, 2)
        Angle (deg) between the thigh (hip→knee) and the perpendicular to the
        hip–hip line, [left, right]; positive (adduction) when the knee is on
        the medial side (toward the other hip) of that perpendicular.

    Notes
    -----
    With ``m`` the unit vector from this hip to the other hip and ``p`` the
    unit perpendicular pointing to the thigh's side, adduction =
    ``atan2(u·m, u·p)``.
    """
    hip, knee, other = (_side_points(px, k) for k in (0, 1, 5))
    u = knee - hip
    m = other - hip
    mn = _norm(m)[..., None]
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.where(mn > 1e-9, m / mn, np.nan)
    p = np.stack([-m[..., 1], m[..., 0]], axis=-1)
    um = _dot(u, m)
    up = _dot(u, p)
    # the perpendicular that points along the thigh (down the leg)
    up = np.abs(up)
    ang = np.degrees(np.arctan2(um, up))
    zero = _norm(u) < 1e-9
    return np.where(zero, np.nan, ang)


def compute_pelvic_obliquity_deg(px: np.ndarray) -> np.ndarray:
    """Tilt of the hip–hip line against the image horizontal (biomechanics.md §2).

    Returns
    -------
    ndarray, shape (T,)
        Degrees, positive when the left hip is higher in the image than the
        right hip; computed with the horizontal hip distance taken as
        positive, so front and rear views give the same sign. Referenced to
        the image horizontal: subtract a standing value to cancel camera roll.
    """
    lh = px[:, int(L.LEFT_HIP)]
    rh = px[:, int(L.RIGHT_HIP)]
    dy = rh[:, 1] - lh[:, 1]  # image y points down: positive = left hip higher
    dx = np.abs(lh[:, 0] - rh[:, 0])
    out = np.degrees(np.arctan2(dy, dx))
    return np.where((dx < 1e-9) & (np.abs(dy) < 1e-9), np.nan, out)


def compute_pelvic_drop_deg(obliquity_deg: np.ndarray) -> np.ndarray:
    """Contralateral pelvic drop for each possible stance side (biomechanics.md §2).

    Parameters
    ----------
    obliquity_deg : ndarray, shape (T,)
        From :func:`compute_pelvic_obliquity_deg`, baseline already removed.

    Returns
    -------
    ndarray, shape (T, 2)
        Column 0: the drop if the *left* leg is the stance leg (the right hip
        lower is positive); column 1: the drop if the right leg is stance.
    """
    o = np.asarray(obliquity_deg, dtype=np.float64)
    return np.stack([o, -o], axis=-1)


# --------------------------------------------------------------------- sagittal / body angles
def _mid_shoulder_hip(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(T, 1, D) shoulder midpoint and hip midpoint, broadcastable against (T, 2, D) side arrays."""
    sh = 0.5 * (pts[:, int(L.LEFT_SHOULDER)] + pts[:, int(L.RIGHT_SHOULDER)])
    hp = 0.5 * (pts[:, int(L.LEFT_HIP)] + pts[:, int(L.RIGHT_HIP)])
    return sh[:, None, :], hp[:, None, :]


def compute_knee_flexion_deg(pts: np.ndarray) -> np.ndarray:
    """Knee flexion per side: 180° − interior hip–knee–ankle angle, unsigned, [left, right].

    Works on pixels (side view) or world metres (any view).
    """
    hip, knee, ankle = (_side_points(pts, k) for k in (0, 1, 2))
    return _angle_between_deg(knee - hip, ankle - knee)


def compute_hip_flexion_deg(pts: np.ndarray) -> np.ndarray:
    """Hip flexion per side, [left, right].

    Angle between the extended trunk line (shoulder midpoint → hip
    midpoint) and the thigh (hip → knee): 0 standing straight, 90 sitting;
    negative (extension) when the knee is behind the trunk line. Front is
    the way the face points (nose ahead of the ears); where that is not
    measurable the angle is unsigned.
    """
    hip, knee = (_side_points(pts, k) for k in (0, 1))
    sh, hp = _mid_shoulder_hip(pts)
    trunk = hp - sh  # (T, 1, D): broadcast against both sides
    thigh = knee - hip
    mag = _angle_between_deg(trunk, thigh)
    face = pts[:, int(L.NOSE)] - 0.5 * (pts[:, int(L.LEFT_EAR)] + pts[:, int(L.RIGHT_EAR)])
    tn = _norm(trunk)[..., None]
    with np.errstate(invalid="ignore", divide="ignore"):
        tu = trunk / tn
    perp = thigh - _dot(thigh, tu)[..., None] * tu
    sign = np.sign(_dot(perp, face[:, None, :]))
    return mag * np.where(np.isfinite(sign) & (sign != 0), sign, 1.0)


def compute_bridge_hip_line_deg(pts: np.ndarray) -> np.ndarray:
    """Glute-bridge hip-line angle per side (biomechanics.md §3).

    Returns
    -------
    ndarray, shape (T, 2)
        180° − shoulder–hip–knee angle with the shoulder and hip midpoints
        and this side's knee, [left, right]: 0 for a straight
        shoulder–hip–knee line, positive when the hip rises above that line
        (on the side away from this side's ankle, which rests on the floor),
        negative while the hips are still below it.
    """
    knee, ankle = (_side_points(pts, k) for k in (1, 2))
    sh, hip = _mid_shoulder_hip(pts)  # (T, 1, D): broadcast against both sides
    mag = _angle_between_deg(hip - sh, knee - hip)
    side = _side_of_line(sh, knee, hip, ankle)
    return mag * np.where(side == 0, 1.0, -side)


def compute_thigh_past_trunk_deg(pts: np.ndarray) -> np.ndarray:
    """Quadruped kickback: thigh extension past the trunk line (biomechanics.md §3).

    Returns
    -------
    ndarray, shape (T, 2)
        Angle (deg) between this side's hip→knee and the extended trunk line
        (shoulder midpoint → hip midpoint), [left, right]; positive when the
        knee is on the back side of the trunk line (away from the hands),
        negative while it is below the line.
    """
    hip, knee = (_side_points(pts, k) for k in (0, 1))
    sh, hp = _mid_shoulder_hip(pts)  # (T, 1, D): broadcast against both sides
    # the hands only say which side of the trunk line is "down": one visible wrist is enough (the far
    # wrist of a side view is often masked, which used to leave the whole clip without a value)
    lw, rw = pts[:, int(L.LEFT_WRIST)], pts[:, int(L.RIGHT_WRIST)]
    lok, rok = np.isfinite(lw).all(axis=-1, keepdims=True), np.isfinite(rw).all(axis=-1, keepdims=True)
    wrist = np.where(lok & rok, 0.5 * (lw + rw), np.where(lok, lw, rw))[:, None, :]
    mag = _angle_between_deg(hp - sh, knee - hip)
    side = _side_of_line(sh, hp, knee, wrist)
    return mag * np.where(side == 0, 1.0, -side)


def compute_trunk_line_deg(px: np.ndarray) -> np.ndarray:
    """Shoulder→hip line against the image horizontal, (T,) degrees, positive when the hip end is higher."""
    sh = px[:, [int(L.LEFT_SHOULDER), int(L.RIGHT_SHOULDER)]].mean(axis=1)
    hp = px[:, [int(L.LEFT_HIP), int(L.RIGHT_HIP)]].mean(axis=1)
    d = hp - sh
    return np.degrees(np.arctan2(-d[:, 1], np.abs(d[:, 0])))


def compute_trunk_inclination_deg(px: np.ndarray, facing_x: np.ndarray | None = None) -> np.ndarray:
    """Trunk inclination: hip-mid→shoulder-mid against the image vertical (biomechanics.md §3).

    Parameters
    ----------
    px : ndarray, shape (T, 33, 2), pixels.
    facing_x : ndarray, shape (T,), optional
        +1 when the person faces image right, -1 image left, 0/NaN unknown.

    Returns
    -------
    ndarray, shape (T,)
        Degrees; positive = forward lean where the facing direction is
        known, otherwise the unsigned lean.
    """
    sh = px[:, [int(L.LEFT_SHOULDER), int(L.RIGHT_SHOULDER)]].mean(axis=1)
    hp = px[:, [int(L.LEFT_HIP), int(L.RIGHT_HIP)]].mean(axis=1)
    d = sh - hp
    ang = np.degrees(np.arctan2(d[:, 0], -d[:, 1]))  # signed toward image right
    if facing_x is None:
        return np.abs(ang)
    f = np.asarray(facing_x, dtype=np.float64)
    known = np.isfinite(f) & (f != 0)
    return np.where(known, ang * np.sign(np.where(known, f, 1.0)), np.abs(ang))


def compute_leg_length(pts: np.ndarray) -> np.ndarray:
    """(T, 2) hip→knee + knee→ankle length per side, in the units of ``pts``."""
    hip, knee, ankle = (_side_points(pts, k) for k in (0, 1, 2))
    return _norm(knee - hip) + _norm(ankle - knee)


#: Window (seconds) over which the standing hip height is taken as the largest hip height:
#: longer than a slow rep, short enough to follow a camera that moves or a clip that cuts [J].
STANDING_WINDOW_S = 8.0


def compute_hip_depth(px: np.ndarray, fps: float, window_s: float = STANDING_WINDOW_S) -> np.ndarray:
    """How far the pelvis has sunk toward the feet, as a fraction of standing height (biomechanics.md §5).

    Parameters
    ----------
    px : ndarray, shape (T, 33, 2)
        Image landmarks, pixels, y down.
    fps : float
        Frame rate, frames per second (sets the standing window).
    window_s : float
        The standing hip height at a frame is the largest hip height within
        this window centred on it.

    Returns
    -------
    ndarray, shape (T,)
        ``1 − h / h_standing``, where ``h`` is the image height of the hip
        midpoint above the lower ankle (the stance foot): 0 standing tall,
        about 0.5 at the bottom of a 100° squat (the bottom of a squat is the
        largest value); NaN where the hips or both ankles are missing.
        Read in the image and relative to the person's own standing height,
        so it is the same in any view, at any distance, and does not depend
        on the pose model's 3D knee angle (which under-reads knee flexion
        seen from the front).
    """
    from scipy.ndimage import maximum_filter1d  # here: listing the movements must not load SciPy

    hip_y = 0.5 * (px[:, int(L.LEFT_HIP), 1] + px[:, int(L.RIGHT_HIP), 1])
    ank = px[:, [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)], 1]
    with np.errstate(invalid="ignore"):
        ground = np.where(
            np.isfinite(ank).any(axis=1), np.nanmax(np.where(np.isfinite(ank), ank, -np.inf), axis=1), np.nan
        )
        h = ground - hip_y
    ok = np.isfinite(h) & (h > 0)
    if not ok.any():
        return np.full(hip_y.shape, np.nan)
    size = max(3, int(round(window_s * (fps if np.isfinite(fps) and fps > 0 else 30.0))))
    stand = maximum_filter1d(np.where(ok, h, -np.inf), size=size, mode="nearest")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok & (stand > 0), 1.0 - h / stand, np.nan)


# --------------------------------------------------------------------- side-lying, seen along the body
def compute_top_leg(px: np.ndarray) -> np.ndarray:
    """(T,) the upper leg of a body lying on its side: 0 left, 1 right, -1 unknown.

    The leg whose hip is higher in the image, whatever the pose model's left/right labels; for a
    clamshell filmed from the feet this is the working leg. Read on the hips alone: the bottom
    knee and ankle are often hidden behind the top leg.
    """
    y = px[:, [int(L.LEFT_HIP), int(L.RIGHT_HIP)], 1]
    with np.errstate(invalid="ignore"):
        top = np.where(y[:, 1] < y[:, 0], 1, 0)
    return np.where(np.isfinite(y).all(axis=1), top, -1)


def compute_knee_spread_deg(px: np.ndarray) -> np.ndarray:
    """How far the top knee is raised, seen along a side-lying body (clamshell), (T,) degrees.

    Returns
    -------
    ndarray, shape (T,)
        Elevation of the top leg's knee offset above the image horizontal, positive towards image
        up, measured from the way the knee points (so the same whichever way the person faces);
        the knee offset is the knee minus the midpoint of its hip and ankle, the top leg
        :func:`compute_top_leg`. NaN where that leg's hip, knee or ankle is missing.

    Notes
    -----
    With the knee bent about 90° and thigh and shank of equal length, the knee offset is the
    radius of the circle the knee turns on as the hip rotates about the hip–ankle line, so from
    the feet (or the head) it turns by the knee's opening whatever the hip flexion; the thighs
    themselves point at the camera and foreshorten. Only the change since the start of a rep
    means something (the bottom leg lies still; the start position is not 0).
    """
    top = compute_top_leg(px)
    hip, knee, ankle = (_side_points(px, k)[..., :2] for k in (0, 1, 2))
    offset = (knee - 0.5 * (hip + ankle))[np.arange(px.shape[0]), np.clip(top, 0, 1)]
    out = np.degrees(np.arctan2(-offset[:, 1], np.abs(offset[:, 0])))  # image y points down
    return np.where(top >= 0, out, np.nan)


def compute_shoulder_tilt_deg(px: np.ndarray) -> np.ndarray:
    """Tilt of the shoulder line from the image vertical, (T,) degrees in [-90, 90].

    Positive when the upper shoulder is to the image right of the lower one; the line has no
    direction, so the pose model's left/right labels do not matter. Meant for a body lying on its
    side seen from the feet (the line near vertical: a roll of the trunk about its long axis turns
    it); an upright body's near-horizontal line jumps between ±90°. NaN where a shoulder is missing.
    """
    d = px[:, int(L.RIGHT_SHOULDER), :2] - px[:, int(L.LEFT_SHOULDER), :2]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.degrees(np.arctan(-d[:, 0] / d[:, 1]))


def compute_heel_gap_ratio(px: np.ndarray) -> np.ndarray:
    """Heel-to-heel distance ÷ shoulder width in the image, (T,) unitless.

    The shoulder width scales it to the person's size at their distance from the camera (for a
    side-lying body seen from the feet it is seen nearly whole); NaN where a point is missing or
    the shoulders coincide.
    """
    heels = _norm(px[:, int(L.LEFT_HEEL), :2] - px[:, int(L.RIGHT_HEEL), :2])
    shoulders = _norm(px[:, int(L.LEFT_SHOULDER), :2] - px[:, int(L.RIGHT_SHOULDER), :2])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(shoulders > 1e-9, heels / shoulders, np.nan)
