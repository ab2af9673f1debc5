"""Draw the synthetic athlete: shaded solids that a pose model sees as a person.

The body is built from the 33 landmark positions alone: tapered capsules
("round cones") for the limbs, neck, shoulder girdle and feet, ellipsoids for
the chest, waist, pelvis, glutes, hands and head, and a face (eyes, brows,
mouth, nose, ears, hair) painted on the head in 3D so it reads from any view.
Every primitive is ray-cast per pixel against a z-buffer (so crossed and lying
limbs occlude correctly) and Lambert-shaded. A floor with perspective, a
wall and props (box, mat) form a background that is drawn once per camera.

Everything is numpy + OpenCV, vectorised per primitive over its screen
bounding box; a 720×1280 frame takes a few tens of milliseconds on one core.

Frames: world metres, z up, floor z = 0 (see :mod:`hipform.synth`). Camera
coordinates are (right, down, forward) as in :meth:`Camera.to_camera`; each
pixel ``(u, v)`` is the ray through its centre ``(u + 0.5, v + 0.5)``, which
matches :meth:`Camera.project` (a joint projected to ``x`` lies in pixel
column ``floor(x)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import cv2
import numpy as np

from hipform.landmarks import N_LANDMARKS, Landmark
from hipform.synth.camera import Camera

L = Landmark
RGB = tuple[float, float, float]

# ---------------------------------------------------------------------------
# Appearance
# ---------------------------------------------------------------------------

#: Skin tones (linear-ish RGB in [0, 1]) from light to dark.
SKIN_TONES: tuple[RGB, ...] = (
    (0.96, 0.80, 0.69),
    (0.92, 0.74, 0.60),
    (0.85, 0.65, 0.50),
    (0.76, 0.56, 0.40),
    (0.62, 0.43, 0.30),
    (0.48, 0.32, 0.22),
    (0.36, 0.24, 0.17),
)
HAIR_COLOURS: tuple[RGB, ...] = (
    (0.08, 0.06, 0.05),
    (0.20, 0.13, 0.08),
    (0.38, 0.25, 0.14),
    (0.62, 0.47, 0.28),
    (0.55, 0.25, 0.12),
    (0.45, 0.45, 0.45),
)
CLOTH_COLOURS: tuple[RGB, ...] = (
    (0.85, 0.15, 0.15),
    (0.15, 0.35, 0.80),
    (0.10, 0.55, 0.30),
    (0.95, 0.65, 0.10),
    (0.55, 0.20, 0.65),
    (0.92, 0.92, 0.92),
    (0.20, 0.20, 0.22),
    (0.05, 0.60, 0.70),
    (0.95, 0.45, 0.55),
    (0.45, 0.50, 0.55),
)
FLOOR_KINDS = ("wood", "tiles", "rubber", "carpet")
SLEEVES = ("short", "long", "none")
BOTTOMS = ("shorts", "leggings", "capris")
HAIR_STYLES = ("short", "long", "bun", "shaved")


@dataclass(frozen=True)
class Appearance:
    """How the athlete and the room look.

    Colours are RGB triples in [0, 1]. ``build`` scales limb and torso girth
    (1 = average). The light comes from ``light_azimuth_deg`` (0 = from +y,
    90 = from +x) at ``light_elevation_deg`` above the horizon.
    """

    skin_rgb: RGB = SKIN_TONES[2]
    hair_rgb: RGB = HAIR_COLOURS[1]
    hair_style: str = "short"
    shirt_rgb: RGB = CLOTH_COLOURS[1]
    sleeves: str = "short"
    bottoms_rgb: RGB = CLOTH_COLOURS[6]
    bottoms: str = "shorts"
    shoe_rgb: RGB = CLOTH_COLOURS[5]
    build: float = 1.0
    floor: str = "wood"
    floor_rgb: RGB = (0.62, 0.45, 0.30)
    wall_rgb: RGB = (0.86, 0.85, 0.80)
    wall_distance_m: float = 3.0
    light_azimuth_deg: float = 30.0
    light_elevation_deg: float = 50.0

    def __post_init__(self) -> None:
        for name, allowed in (
            ("hair_style", HAIR_STYLES),
            ("sleeves", SLEEVES),
            ("bottoms", BOTTOMS),
            ("floor", FLOOR_KINDS),
        ):
            if getattr(self, name) not in allowed:
                raise ValueError(f"Appearance.{name} must be one of {allowed}, got {getattr(self, name)!r}")
        if not 0.7 <= self.build <= 1.4:
            raise ValueError(f"Appearance.build must be in [0.7, 1.4], got {self.build}")

    @classmethod
    def from_seed(cls, seed: int) -> Appearance:
        """A random but reproducible look: the same seed gives the same look."""
        rng = np.random.default_rng([int(seed), 0xA77E])

        def pick(options):
            return options[int(rng.integers(len(options)))]

        def jitter(rgb: RGB, amount: float = 0.05) -> RGB:
            return tuple(float(np.clip(c + rng.uniform(-amount, amount), 0.0, 1.0)) for c in rgb)

        shirt = pick(CLOTH_COLOURS)
        bottoms = pick([c for c in CLOTH_COLOURS if c != shirt])
        floor = pick(FLOOR_KINDS)
        floor_base = {
            "wood": (0.62, 0.45, 0.30),
            "tiles": (0.78, 0.78, 0.76),
            "rubber": (0.22, 0.23, 0.25),
            "carpet": (0.35, 0.40, 0.50),
        }[floor]
        wall = pick(
            (
                (0.88, 0.87, 0.82),
                (0.75, 0.82, 0.88),
                (0.90, 0.84, 0.72),
                (0.70, 0.72, 0.70),
                (0.95, 0.95, 0.95),
            )
        )
        return cls(
            skin_rgb=jitter(pick(SKIN_TONES), 0.03),
            hair_rgb=jitter(pick(HAIR_COLOURS), 0.03),
            hair_style=pick(HAIR_STYLES),
            shirt_rgb=jitter(shirt),
            sleeves=pick(SLEEVES),
            bottoms_rgb=jitter(bottoms),
            bottoms=pick(BOTTOMS),
            shoe_rgb=jitter(pick(CLOTH_COLOURS)),
            build=float(rng.uniform(0.9, 1.15)),
            floor=floor,
            floor_rgb=jitter(floor_base, 0.06),
            wall_rgb=jitter(wall, 0.04),
            wall_distance_m=float(rng.uniform(2.0, 4.0)),
            light_azimuth_deg=float(rng.uniform(-60, 60)),
            light_elevation_deg=float(rng.uniform(35, 70)),
        )


@dataclass(frozen=True)
class Box:
    """An axis-aligned box prop (a step-up box, a mat, a bench) in world metres."""

    min_m: tuple[float, float, float]
    max_m: tuple[float, float, float]
    rgb: RGB = (0.55, 0.38, 0.22)

    def __post_init__(self) -> None:
        if np.any(np.asarray(self.max_m, float) <= np.asarray(self.min_m, float)):
            raise ValueError(f"Box.max_m must exceed min_m on every axis, got {self.min_m} .. {self.max_m}")


#: Colours of the props :func:`hipform.synth.athlete.simulate` asks for, by kind.
PROP_COLOURS: dict[str, tuple[RGB, ...]] = {
    "box": ((0.55, 0.38, 0.22), (0.20, 0.20, 0.22), (0.70, 0.55, 0.35)),
    "mat": ((0.25, 0.45, 0.65), (0.45, 0.25, 0.55), (0.20, 0.50, 0.35), (0.15, 0.15, 0.17)),
    "treadmill": ((0.16, 0.16, 0.18), (0.25, 0.25, 0.27)),
}


def boxes_from_props(props: Any, seed: int = 0) -> tuple[Box, ...]:
    """Boxes for scene objects that have ``kind``, ``centre_m`` and ``size_m`` (full extents, metres).

    This is the shape of :class:`hipform.synth.athlete.Prop`; ``seed`` picks
    the colour of each kind. A prop of zero height (a treadmill belt at
    ``centre_m`` z) becomes a deck from the floor up to that surface.
    """
    rng = np.random.default_rng([int(seed), 0xB0C5])
    out = []
    for prop in props:
        for name in ("kind", "centre_m", "size_m"):
            if not hasattr(prop, name):
                raise TypeError(
                    f"a prop needs kind, centre_m and size_m; {type(prop).__name__} has no {name}"
                )
        centre = np.asarray(prop.centre_m, float)
        half = 0.5 * np.asarray(prop.size_m, float)
        lo, hi = centre - half, centre + half
        if half[2] <= 0:  # a surface (e.g. a treadmill belt): draw it as a deck standing on the floor
            lo[2], hi[2] = 0.0, max(centre[2], 0.005)
        options = PROP_COLOURS.get(prop.kind, ((0.5, 0.5, 0.5),))
        rgb = options[int(rng.integers(len(options)))]
        out.append(Box(tuple(lo), tuple(hi), rgb))
    return tuple(out)


@dataclass(frozen=True)
class Degradation:
    """Optional camera faults applied after rendering.

    Attributes
    ----------
    noise_sigma : std of additive Gaussian sensor noise, in 8-bit levels.
    blur_sigma_px : std of a Gaussian defocus blur, pixels (0 = none).
    jpeg_quality : 1–100 to pass every frame through JPEG, ``None`` = off.
    """

    noise_sigma: float = 0.0
    blur_sigma_px: float = 0.0
    jpeg_quality: int | None = None

    def __post_init__(self) -> None:
        if self.noise_sigma < 0 or self.blur_sigma_px < 0:
            raise ValueError("Degradation.noise_sigma and blur_sigma_px must be ≥ 0")
        if self.jpeg_quality is not None and not 1 <= self.jpeg_quality <= 100:
            raise ValueError(f"Degradation.jpeg_quality must be in 1..100 or None, got {self.jpeg_quality}")


#: A phone camera indoors: mild noise and compression.
PHONE = Degradation(noise_sigma=3.0, blur_sigma_px=0.6, jpeg_quality=80)

# ---------------------------------------------------------------------------
# Primitives (in camera coordinates, ray origin at 0)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Material:
    """Albedo ``a`` where the primitive's coordinate < ``split`` else ``b``.

    The coordinate is the axial parameter in [0, 1] for cones and the local
    normalised z in [-1, 1] for ellipsoids. ``kind`` selects special painters.
    """

    a: RGB
    b: RGB | None = None
    split: float = 0.0
    kind: str = "plain"


@dataclass(frozen=True)
class _Cone:
    """Round cone: spheres of radius ra at pa and rb at pb, joined tangentially."""

    pa: np.ndarray
    pb: np.ndarray
    ra: float
    rb: float
    mat: _Material


@dataclass(frozen=True)
class _Ellipsoid:
    """Ellipsoid: centre, rows of ``axes`` = unit local x, y, z, ``radii`` semi-axes.

    ``keep`` optionally names a region test on the local unit-sphere hit point
    (hits outside it are discarded, e.g. a hair cap that spares the face).
    """

    centre: np.ndarray
    axes: np.ndarray
    radii: np.ndarray
    mat: _Material
    keep: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _normalise(v: np.ndarray, fallback: np.ndarray | None = None) -> np.ndarray:
    n = np.linalg.norm(v)
    if n < 1e-9:
        return np.array([1.0, 0.0, 0.0]) if fallback is None else fallback
    return v / n


def _orthonormal(primary: np.ndarray, secondary: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``primary`` normalised and ``secondary`` made perpendicular to it."""
    p = _normalise(primary)
    s = secondary - (secondary @ p) * p
    if np.linalg.norm(s) < 1e-6:
        s = np.cross(p, [0.0, 0.0, 1.0]) if abs(p[2]) < 0.9 else np.cross(p, [1.0, 0.0, 0.0])
    return p, _normalise(s)


# ---------------------------------------------------------------------------
# Body model: landmarks → primitives (world frame)
# ---------------------------------------------------------------------------


def _body_primitives(j: np.ndarray, app: Appearance) -> list[_Cone | _Ellipsoid]:
    """Solids for one pose. ``j`` is (33, 3) world metres."""
    g = app.build
    skin, shirt, bottoms, shoe = app.skin_rgb, app.shirt_rgb, app.bottoms_rgb, app.shoe_rgb
    # Body scale from bone lengths that do not change with pose (1 ≈ 1.75 m adult).
    thigh = 0.5 * (
        np.linalg.norm(j[L.LEFT_HIP] - j[L.LEFT_KNEE]) + np.linalg.norm(j[L.RIGHT_HIP] - j[L.RIGHT_KNEE])
    )
    shank = 0.5 * (
        np.linalg.norm(j[L.LEFT_KNEE] - j[L.LEFT_ANKLE]) + np.linalg.norm(j[L.RIGHT_KNEE] - j[L.RIGHT_ANKLE])
    )
    s = float(np.clip((thigh + shank) / 0.83, 0.75, 1.3))
    w = s * g  # girth scale
    prims: list[_Cone | _Ellipsoid] = []

    def cone(a, b, ra, rb, mat):
        prims.append(_Cone(np.asarray(a, float), np.asarray(b, float), ra, rb, mat))

    def ell(c, axes, radii, mat, keep=None, **extra):
        prims.append(
            _Ellipsoid(
                np.asarray(c, float), np.asarray(axes, float), np.asarray(radii, float), mat, keep, extra
            )
        )

    # --- torso frames -------------------------------------------------------
    lh, rh, ls, rs = j[L.LEFT_HIP], j[L.RIGHT_HIP], j[L.LEFT_SHOULDER], j[L.RIGHT_SHOULDER]
    hip_mid, sh_mid = 0.5 * (lh + rh), 0.5 * (ls + rs)
    trunk = sh_mid - hip_mid
    hw = 0.5 * float(np.linalg.norm(rh - lh))
    sw = 0.5 * float(np.linalg.norm(rs - ls))
    xp, up_p = _orthonormal(rh - lh, trunk)
    fwd_p = np.cross(up_p, xp)
    xc, up_c = _orthonormal(rs - ls, trunk)
    fwd_c = np.cross(up_c, xc)
    xm, up_m = _orthonormal(xp + xc, up_p + up_c)
    fwd_m = np.cross(up_m, xm)

    sleeve_top = skin if app.sleeves == "none" else shirt
    shirt_mat = _Material(shirt)
    bottoms_mat = _Material(bottoms)
    skin_mat = _Material(skin)
    shoe_mat = _Material(shoe)

    # pelvis and glutes (shorts), waist and chest (shirt, waistband at the bottom)
    ell(
        hip_mid + 0.035 * s * up_p - 0.01 * s * fwd_p,
        [xp, fwd_p, up_p],
        [hw + 0.075 * w, 0.10 * w, 0.13 * s],
        bottoms_mat,
    )
    for side in (-1, 1):
        ell(
            hip_mid + side * 0.5 * hw * xp - 0.035 * s * fwd_p - 0.02 * s * up_p,
            [xp, fwd_p, up_p],
            [0.08 * w, 0.068 * w, 0.09 * s],
            bottoms_mat,
        )
    ell(
        hip_mid + 0.40 * trunk,
        [xm, fwd_m, up_m],
        [0.135 * w, 0.095 * w, 0.17 * s],
        _Material(bottoms, shirt, -0.55),
    )
    ell(
        hip_mid + 0.70 * trunk - 0.005 * fwd_c,
        [xc, fwd_c, up_c],
        [0.86 * sw * g, 0.11 * w, 0.21 * s],
        shirt_mat,
    )
    # shoulder girdle and deltoids
    cone(ls, rs, 0.055 * w, 0.055 * w, _Material(sleeve_top))
    for sh in (ls, rs):
        ell(sh - 0.01 * s * up_c, [xc, fwd_c, up_c], [0.058 * w, 0.06 * w, 0.06 * w], _Material(sleeve_top))

    # --- arms and hands ----------------------------------------------------
    for side in ("LEFT", "RIGHT"):
        sh, el, wr = j[L[f"{side}_SHOULDER"]], j[L[f"{side}_ELBOW"]], j[L[f"{side}_WRIST"]]
        if app.sleeves == "long":
            upper, fore = shirt_mat, _Material(shirt, skin, 0.92)
        elif app.sleeves == "short":
            upper, fore = _Material(shirt, skin, 0.42), skin_mat
        else:
            upper, fore = skin_mat, skin_mat
        cone(sh, el, 0.047 * w, 0.037 * w, upper)
        cone(el, wr, 0.037 * w, 0.027 * w, fore)
        idx, pky, thb = j[L[f"{side}_INDEX"]], j[L[f"{side}_PINKY"]], j[L[f"{side}_THUMB"]]
        knuckles = 0.5 * (idx + pky)
        along, across = _orthonormal(knuckles - wr, idx - pky)
        palm = np.cross(along, across)
        hand_len = float(np.clip(np.linalg.norm(knuckles - wr), 0.05 * s, 0.12 * s))
        ell(
            wr + 0.55 * hand_len * along,
            [across, palm, along],
            [0.036 * s, 0.017 * s, 0.6 * hand_len],
            skin_mat,
        )
        cone(wr + 0.01 * s * along, thb, 0.014 * s, 0.01 * s, skin_mat)

    # --- legs and feet -----------------------------------------------------
    if app.bottoms == "shorts":
        thigh_mat, shank_mat = _Material(bottoms, skin, 0.5), skin_mat
    elif app.bottoms == "capris":
        thigh_mat, shank_mat = bottoms_mat, _Material(bottoms, skin, 0.55)
    else:
        thigh_mat, shank_mat = bottoms_mat, _Material(bottoms, skin, 0.93)
    for side in ("LEFT", "RIGHT"):
        hp, kn, an = j[L[f"{side}_HIP"]], j[L[f"{side}_KNEE"]], j[L[f"{side}_ANKLE"]]
        he, to = j[L[f"{side}_HEEL"]], j[L[f"{side}_FOOT_INDEX"]]
        cone(hp, kn, 0.083 * w, 0.055 * w, thigh_mat)
        cone(kn, an, 0.052 * w, 0.034 * w, shank_mat)
        axis, fwd_leg = _orthonormal(an - kn, to - he)
        ell(
            kn + 0.32 * (an - kn) - 0.018 * w * fwd_leg,
            [np.cross(axis, fwd_leg), fwd_leg, axis],
            [0.05 * w, 0.052 * w, 0.12 * s],
            shank_mat
            if shank_mat.b is None
            else _Material(shank_mat.b if app.bottoms == "shorts" else bottoms),
        )
        # a low-cut shoe: its collar sits at ankle height, as on a real running shoe
        foot, up_f = _orthonormal(to - he, an - he)
        half_len = 0.5 * float(np.linalg.norm(to - he)) + 0.012 * s
        ell(
            0.5 * (he + to) + 0.018 * s * up_f,
            [np.cross(foot, up_f), foot, up_f],
            [0.046 * s, half_len, 0.042 * s],
            shoe_mat,
        )

    # --- neck and head -----------------------------------------------------
    le, re, nose = j[L.LEFT_EAR], j[L.RIGHT_EAR], j[L.NOSE]
    ear_mid = 0.5 * (le + re)
    xh, fwd_h = _orthonormal(re - le, nose - ear_mid)
    up_h = np.cross(xh, fwd_h)
    hs = float(np.clip(np.linalg.norm(re - le) / 0.15, 0.8, 1.2)) * s / max(s, 1e-6)
    head_c = ear_mid + 0.025 * hs * up_h + 0.0 * fwd_h
    head_axes = np.stack([xh, fwd_h, up_h])
    head_r = np.array([0.077, 0.098, 0.113]) * hs
    cone(
        sh_mid + 0.02 * s * up_c - 0.01 * s * fwd_c,
        ear_mid - 0.045 * hs * up_h - 0.01 * fwd_h,
        0.056 * w,
        0.048 * s,
        skin_mat,
    )
    face = {
        "eyes": [j[L.LEFT_EYE], j[L.RIGHT_EYE]],
        "brows": [(j[L.LEFT_EYE_INNER], j[L.LEFT_EYE_OUTER]), (j[L.RIGHT_EYE_INNER], j[L.RIGHT_EYE_OUTER])],
        "mouth": (j[L.MOUTH_LEFT], j[L.MOUTH_RIGHT]),
        "up": up_h,
        "hair": app.hair_rgb,
        "style": app.hair_style,
        "scale": hs,
    }
    ell(head_c, head_axes, head_r, _Material(skin, kind="head"), **face)
    # jaw and chin
    ell(
        ear_mid + 0.05 * hs * fwd_h - 0.045 * hs * up_h,
        head_axes,
        np.array([0.058, 0.06, 0.05]) * hs,
        _Material(skin, kind="head"),
        **face,
    )
    # ears
    for ear in (le, re):
        ell(ear + 0.006 * up_h, head_axes, np.array([0.012, 0.02, 0.03]) * hs, skin_mat)
    # nose: from inside the face out to (at least) a little beyond the surface
    nose_base = head_c + 0.06 * hs * fwd_h - 0.025 * hs * up_h
    tip = nose if (nose - head_c) @ fwd_h > 0.105 * hs else nose_base + 0.055 * hs * fwd_h
    cone(nose_base, tip, 0.014 * hs, 0.011 * hs, _Material(tuple(0.95 * c for c in skin)))
    # hair volume
    if app.hair_style != "shaved":
        ell(
            head_c + 0.006 * hs * up_h - 0.006 * hs * fwd_h,
            head_axes,
            head_r * 1.07,
            _Material(app.hair_rgb),
            keep="hair",
        )
    if app.hair_style == "long":
        ell(
            head_c - 0.075 * hs * fwd_h - 0.11 * hs * up_h,
            head_axes,
            np.array([0.07, 0.04, 0.12]) * hs,
            _Material(app.hair_rgb),
        )
    elif app.hair_style == "bun":
        ell(
            head_c - 0.08 * hs * fwd_h + 0.07 * hs * up_h,
            head_axes,
            np.array([0.04, 0.04, 0.04]) * hs,
            _Material(app.hair_rgb),
        )
    return prims


# ---------------------------------------------------------------------------
# Ray casting
# ---------------------------------------------------------------------------


def _cone_t(rd: np.ndarray, c: _Cone) -> tuple[np.ndarray, np.ndarray]:
    """Ray/round-cone intersection for rays from the origin.

    Returns ``t`` (distance along the unit ray, inf on a miss) and which part
    was hit (0 = conical side, 1 = sphere at ``pa``, 2 = sphere at ``pb``).

    Notes
    -----
    Closed form after I. Quilez ("rounded cone - intersection"): the conical
    side is tested first (the solid is convex, so a side hit in range is the
    entry point), else the nearer of the two end spheres.
    """
    pa, pb, ra, rb = c.pa, c.pb, c.ra, c.rb
    ba = pb - pa
    oa = -pa
    ob = -pb
    rr = ra - rb
    m0 = float(ba @ ba)
    m1 = float(ba @ oa)
    m5 = float(oa @ oa)
    m7 = float(ob @ ob)
    m2 = rd @ ba.astype(np.float32)
    m3 = rd @ oa.astype(np.float32)
    m6 = rd @ ob.astype(np.float32)
    d2 = m0 - rr * rr
    k2 = d2 - m2 * m2
    k1 = d2 * m3 - m1 * m2 + m2 * rr * ra
    k0 = d2 * m5 - m1 * m1 + m1 * rr * ra * 2.0 - m0 * ra * ra
    h = k1 * k1 - k0 * k2
    with np.errstate(invalid="ignore", divide="ignore"):
        t_side = (-np.sqrt(h) - k1) / k2
        y = m1 - ra * rr + t_side * m2
        side_ok = (y > 0) & (y < d2) & (t_side > 0)  # NaN (h < 0) compares False
        h1 = m3 * m3 - (m5 - ra * ra)
        h2 = m6 * m6 - (m7 - rb * rb)
        t1 = np.where(h1 >= 0, -m3 - np.sqrt(h1), np.inf)
        t2 = np.where(h2 >= 0, -m6 - np.sqrt(h2), np.inf)
    cap_a = t1 <= t2
    t = np.where(side_ok, t_side, np.where(cap_a, t1, t2))
    t = np.where(t > 0, t, np.inf).astype(np.float32)
    part = np.where(side_ok, 0, np.where(cap_a, 1, 2)).astype(np.int8)
    return t, part


def _cone_surface(p: np.ndarray, part: np.ndarray, c: _Cone) -> tuple[np.ndarray, np.ndarray]:
    """Unit normals and axial coordinate in [0, 1] at hit points ``p`` (N, 3)."""
    ba = c.pb - c.pa
    m0 = float(ba @ ba)
    rr = c.ra - c.rb
    d2 = m0 - rr * rr
    pa_rel = p - c.pa.astype(np.float32)
    along = pa_rel @ ba.astype(np.float32)
    # side normal: d2·(p − pa) − ba·y with y the axial coordinate of the tangent circle
    y = along - c.ra * rr
    n = d2 * pa_rel - y[:, None] * ba.astype(np.float32)
    cap_b = part == 2
    n = np.where((part == 1)[:, None], pa_rel, n)
    n = np.where(cap_b[:, None], p - c.pb.astype(np.float32), n)
    n /= np.maximum(np.linalg.norm(n, axis=-1, keepdims=True), 1e-9)
    coord = np.clip(along / max(m0, 1e-12), 0.0, 1.0)
    return n.astype(np.float32), coord.astype(np.float32)


def _ellipsoid_t(rd: np.ndarray, e: _Ellipsoid) -> np.ndarray:
    """Ray/ellipsoid intersection for rays from the origin: ``t`` (inf on a miss)."""
    scale = (e.axes / e.radii[:, None]).astype(np.float32)  # world → unit-sphere local (row per local axis)
    ro = (scale @ (-e.centre)).astype(np.float32)
    rdl = rd @ scale.T
    a = np.einsum("...i,...i->...", rdl, rdl)
    b = rdl @ ro
    cc = float(ro @ ro) - 1.0
    h = b * b - a * cc
    with np.errstate(invalid="ignore"):
        t = (-b - np.sqrt(h)) / a
    return np.where(t > 0, t, np.inf).astype(np.float32)  # NaN (h < 0) → inf


def _ellipsoid_surface(p: np.ndarray, e: _Ellipsoid) -> tuple[np.ndarray, np.ndarray]:
    """Local unit-sphere coordinates and unit normals at hit points ``p`` (N, 3)."""
    local = ((p - e.centre) @ e.axes.T) / e.radii
    n = (local / e.radii) @ e.axes
    n /= np.maximum(np.linalg.norm(n, axis=-1, keepdims=True), 1e-9)
    return local.astype(np.float32), n.astype(np.float32)


def _keep_hair(local: np.ndarray, style: str = "short") -> np.ndarray:
    """Hair covers the top and back of the head and leaves the face bare."""
    fy, uz = local[..., 1], local[..., 2]
    hairline = np.where(fy > 0, 0.30 + 0.30 * fy, 0.30 + 0.95 * fy)
    return uz > hairline


def _seg_dist(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ab = b - a
    t = np.clip(((p - a) @ ab) / max(float(ab @ ab), 1e-12), 0, 1)
    return np.linalg.norm(p - a - t[..., None] * ab, axis=-1)


def _paint_head(p: np.ndarray, local: np.ndarray, e: _Ellipsoid, base: np.ndarray) -> np.ndarray:
    """Albedo of head pixels: skin with eyes, brows and mouth, hair where it grows.

    ``p`` are the hit points (N, 3) in the same frame as the landmarks in
    ``e.extra`` (camera coordinates at render time).
    """
    x = e.extra
    hs = x["scale"]
    out = np.broadcast_to(base, p.shape).copy()
    for eye in x["eyes"]:
        d = np.linalg.norm(p - eye, axis=-1)
        out[d < 0.012 * hs] = (0.97, 0.97, 0.95)
        out[d < 0.0065 * hs] = (0.18, 0.12, 0.08)
        out[d < 0.0035 * hs] = (0.02, 0.02, 0.02)
    brow = np.asarray(x["hair"]) * 0.8
    for inner, outer in x["brows"]:
        lift = 0.016 * hs * x["up"]
        d = _seg_dist(p, inner + lift, outer + 1.15 * lift)
        out[d < 0.004 * hs] = brow
    ml, mr = x["mouth"]
    d = _seg_dist(p, ml, mr)
    out[d < 0.0035 * hs] = (0.70, 0.36, 0.36)
    if x["style"] != "shaved":
        out[_keep_hair(local)] = x["hair"]
    return out


# ---------------------------------------------------------------------------
# Background: floor, wall, props
# ---------------------------------------------------------------------------


def _hash2(ix: np.ndarray, iy: np.ndarray) -> np.ndarray:
    """Cheap deterministic hash of integer grid cells → [0, 1)."""
    h = (ix.astype(np.int64) * 73856093) ^ (iy.astype(np.int64) * 19349663)
    h = (h ^ (h >> 13)) * 1274126177
    return ((h & 0xFFFF) / 65536.0).astype(np.float32)


def _floor_albedo(x: np.ndarray, y: np.ndarray, app: Appearance) -> np.ndarray:
    base = np.asarray(app.floor_rgb, np.float32)
    if app.floor == "wood":
        plank_w, plank_l = 0.14, 1.2
        row = np.floor(x / plank_w)
        col = np.floor((y + 0.37 * row) / plank_l)
        tone = 0.85 + 0.3 * _hash2(row, col)
        grain = 1 + 0.05 * np.sin(y * 40 + 3 * np.sin(x * 9 + row))
        gap = (np.abs(x / plank_w - np.round(x / plank_w)) < 0.03) | (
            np.abs((y + 0.37 * row) / plank_l - np.round((y + 0.37 * row) / plank_l)) < 0.004
        )
        f = tone * grain * np.where(gap, 0.6, 1.0)
    elif app.floor == "tiles":
        size = 0.4
        gx, gy = x / size, y / size
        grout = (np.abs(gx - np.round(gx)) < 0.02) | (np.abs(gy - np.round(gy)) < 0.02)
        f = (0.93 + 0.12 * _hash2(np.floor(gx), np.floor(gy))) * np.where(grout, 0.7, 1.0)
    elif app.floor == "rubber":
        f = 0.9 + 0.25 * _hash2(np.floor(x * 120), np.floor(y * 120))
        line = (np.abs(x / 1.0 - np.round(x / 1.0)) < 0.006) | (np.abs(y / 1.0 - np.round(y / 1.0)) < 0.006)
        f = f * np.where(line, 1.6, 1.0)
    else:  # carpet
        f = (
            0.85
            + 0.3 * _hash2(np.floor(x * 60), np.floor(y * 60)) * 0.6
            + 0.08 * np.sin(x * 3) * np.sin(y * 2.3)
        )
    return f[..., None].astype(np.float32) * base


def _box_hit(ro: np.ndarray, rd: np.ndarray, box: Box) -> tuple[np.ndarray, np.ndarray]:
    """Ray/axis-aligned box in world coordinates; returns ``t`` and the hit face normals."""
    lo, hi = np.asarray(box.min_m, np.float32), np.asarray(box.max_m, np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = 1.0 / rd
        t0 = (lo - ro) * inv
        t1 = (hi - ro) * inv
    tmin = np.minimum(t0, t1)
    tmax = np.maximum(t0, t1)
    tmin = np.nan_to_num(tmin, nan=-np.inf)
    tmax = np.nan_to_num(tmax, nan=np.inf)
    t_near = tmin.max(axis=-1)
    t_far = tmax.min(axis=-1)
    hit = (t_near <= t_far) & (t_near > 0)
    axis = tmin.argmax(axis=-1)
    n = np.zeros(rd.shape, np.float32)
    np.put_along_axis(n, axis[..., None], -np.sign(np.take_along_axis(rd, axis[..., None], -1)), -1)
    return np.where(hit, t_near, np.inf).astype(np.float32), n


# ---------------------------------------------------------------------------
# Renderer
# ---------------------------------------------------------------------------


class Renderer:
    """Renders poses filmed by one camera in one room.

    The background (floor, wall, props) and the per-pixel rays are computed
    once at construction; :meth:`render` then draws one pose.

    Parameters
    ----------
    camera : the camera; its ``width_px``/``height_px`` give the image size.
    appearance : the athlete's and the room's look (default: a fixed look).
    props : boxes (a step-up box, a mat) standing in the room.
    degradation : optional noise, blur and JPEG applied to every frame.
    seed : seeds the sensor noise.
    """

    def __init__(
        self,
        camera: Camera,
        appearance: Appearance | None = None,
        props: tuple[Box, ...] | list[Box] = (),
        degradation: Degradation | None = None,
        seed: int = 0,
    ) -> None:
        if not isinstance(camera, Camera):
            raise TypeError(f"camera must be a hipform.synth.camera.Camera, got {type(camera).__name__}")
        self.camera = camera
        self.appearance = appearance if appearance is not None else Appearance()
        self.props = tuple(props)
        self.degradation = degradation
        self._rng = np.random.default_rng([int(seed), 0x0DE5])
        w, h = camera.width_px, camera.height_px
        u = (np.arange(w, dtype=np.float32) + 0.5 - w / 2) / camera.focal_px
        v = (np.arange(h, dtype=np.float32) + 0.5 - h / 2) / camera.focal_px
        rays = np.empty((h, w, 3), np.float32)
        rays[..., 0] = u[None, :]
        rays[..., 1] = v[:, None]
        rays[..., 2] = 1.0
        rays /= np.linalg.norm(rays, axis=-1, keepdims=True)
        self._rays = rays
        self._axes = camera.axes()
        self._pos = np.asarray(camera.position_m, float)
        az, el = (
            np.radians(self.appearance.light_azimuth_deg),
            np.radians(self.appearance.light_elevation_deg),
        )
        light_world = np.array([np.sin(az) * np.cos(el), np.cos(az) * np.cos(el), np.sin(el)])
        self._light = (self._axes @ light_world).astype(np.float32)  # towards the light, camera coords
        self._up = (self._axes @ np.array([0.0, 0.0, 1.0])).astype(np.float32)
        self._build_background()

    @property
    def background(self) -> np.ndarray:
        """(H, W, 3) uint8 RGB: the empty room (floor, wall, props), without shadow or noise."""
        return self._bg_u8.copy()

    # -- background ----------------------------------------------------------
    def _build_background(self) -> None:
        app = self.appearance
        h, w = self.camera.height_px, self.camera.width_px
        d_world = self._rays @ self._axes.astype(np.float32)  # (H, W, 3) world ray directions
        ro = self._pos.astype(np.float32)
        img = np.empty((h, w, 3), np.float32)
        depth = np.full((h, w), np.inf, np.float32)
        # wall: vertical plane facing the camera, beyond the target
        fwd = np.asarray(self.camera.target_m, float) - self._pos
        fwd[2] = 0.0
        fwd = _normalise(fwd, np.array([0.0, 1.0, 0.0]))
        wall_p = np.asarray(self.camera.target_m, float) + fwd * app.wall_distance_m
        with np.errstate(divide="ignore", invalid="ignore"):
            t_wall = ((wall_p - ro) @ fwd) / (d_world @ fwd.astype(np.float32))
            t_floor = -ro[2] / d_world[..., 2]
        t_wall = np.where(t_wall > 0, t_wall, np.inf)
        t_floor = np.where(t_floor > 0, t_floor, np.inf)
        is_floor = t_floor < t_wall
        # wall colour: gently lit gradient, skirting board, a door-like panel
        pw = ro + d_world * np.where(np.isfinite(t_wall), t_wall, 0)[..., None]
        side = np.cross(fwd, [0.0, 0.0, 1.0]).astype(np.float32)
        wall_s = pw @ side
        wall_z = pw[..., 2]
        wall = np.asarray(app.wall_rgb, np.float32) * (0.85 + 0.1 * np.clip(wall_z / 3, 0, 1))[..., None]
        panel_x = (app.light_azimuth_deg % 7) - 3.5
        panel = (np.abs(wall_s - panel_x) < 0.45) & (wall_z < 2.05)
        wall = np.where(panel[..., None], wall * 0.82, wall)
        wall = np.where((wall_z < 0.1)[..., None], np.float32(0.35) * wall + 0.15, wall)
        pf = ro + d_world * np.where(np.isfinite(t_floor), t_floor, 0)[..., None]
        floor = _floor_albedo(pf[..., 0], pf[..., 1], app)
        dist = np.where(np.isfinite(t_floor), t_floor, 50.0)
        floor *= (1.0 / (1.0 + 0.04 * dist))[..., None] * 1.05
        img[:] = np.where(is_floor[..., None], floor, wall)
        finite_wall = np.isfinite(t_wall)
        img[~is_floor & ~finite_wall] = wall[~is_floor & ~finite_wall]
        depth[:] = np.minimum(t_floor, t_wall)
        self._floor_xy = np.where(is_floor[..., None], pf[..., :2], np.nan).astype(np.float32)
        # props
        for box in self.props:
            t_box, n_box = _box_hit(ro, d_world, box)
            m = t_box < depth
            if not m.any():
                continue
            lw = self._axes.T @ self._light  # light in world
            shade = 0.55 + 0.45 * np.clip(n_box @ lw.astype(np.float32), 0, 1)
            col = np.asarray(box.rgb, np.float32) * shade[..., None]
            # darker edges make the box read as a box
            ph = ro + d_world * np.where(np.isfinite(t_box), t_box, 0)[..., None]
            lo, hi = np.asarray(box.min_m), np.asarray(box.max_m)
            near_edge = (np.minimum(ph - lo, hi - ph) < 0.012).sum(axis=-1) >= 2
            col = np.where(near_edge[..., None], col * 0.7, col)
            img[m] = col[m]
            depth[m] = t_box[m]
            self._floor_xy[m] = np.nan
        # depth along the ray → camera forward distance is not needed: body t is also along unit rays
        self._bg_u8 = np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8)
        self._bg_depth = depth
        self._shadow_step = 8
        small = self._floor_xy[:: self._shadow_step, :: self._shadow_step]
        self._floor_xy_small = small if np.isfinite(small[..., 0]).any() else None

    # -- body ----------------------------------------------------------------
    def _apply_shadow(self, out: np.ndarray, j: np.ndarray) -> None:
        """Darken the floor under the body (soft contact shadow from joint heights), in place."""
        small = self._floor_xy_small
        if small is None:
            return
        pts = np.concatenate(
            [
                j,
                0.5
                * (
                    j[[L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE]]
                    + j[[L.LEFT_KNEE, L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE]]
                ),
            ]
        )
        hgt = np.maximum(pts[:, 2], 0.0)
        sig = 0.06 + 0.3 * hgt
        wgt = 0.10 / (1 + 4 * hgt)
        acc = np.zeros(small.shape[:2], np.float32)
        for p, sg, wg in zip(pts, sig, wgt, strict=True):
            d2 = (small[..., 0] - p[0]) ** 2 + (small[..., 1] - p[1]) ** 2
            acc += np.exp(-d2 / (2 * sg * sg)) * wg
        mult = 1.0 - np.clip(np.nan_to_num(acc), 0, 0.5)
        rows, cols = np.nonzero(mult < 0.995)
        if rows.size == 0:
            return
        k = self._shadow_step
        y0, y1 = rows.min() * k, min((rows.max() + 1) * k, out.shape[0])
        x0, x1 = cols.min() * k, min((cols.max() + 1) * k, out.shape[1])
        full = cv2.resize(mult, (mult.shape[1] * k, mult.shape[0] * k), interpolation=cv2.INTER_LINEAR)
        region = out[y0:y1, x0:x1]
        region[:] = (region * full[y0:y1, x0:x1, None] + 0.5).astype(np.uint8)

    def render(self, joints_m: np.ndarray) -> np.ndarray:
        """Draw one pose.

        Parameters
        ----------
        joints_m : (33, 3) world positions of the landmarks, metres.

        Returns
        -------
        (H, W, 3) uint8 RGB image.
        """
        j = np.asarray(joints_m, float)
        if j.shape != (N_LANDMARKS, 3):
            raise ValueError(f"joints_m must have shape ({N_LANDMARKS}, 3), got {j.shape}")
        if not np.all(np.isfinite(j)):
            raise ValueError("joints_m contains NaN or infinite values")
        return self.render_with_occlusion(j)[0]

    def render_with_occlusion(self, joints_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Draw one pose and say which landmarks are hidden.

        Returns
        -------
        image : (H, W, 3) uint8 RGB.
        occluded : (33,) bool, True where something (another body part or a
            prop) lies in front of the landmark by more than the local body
            radius, or the landmark is outside the frame or behind the camera.
        """
        j = np.asarray(joints_m, float)
        if j.shape != (N_LANDMARKS, 3):
            raise ValueError(f"joints_m must have shape ({N_LANDMARKS}, 3), got {j.shape}")
        if not np.all(np.isfinite(j)):
            raise ValueError("joints_m contains NaN or infinite values")
        out = self._bg_u8.copy()
        self._apply_shadow(out, j)
        prims = [self._to_camera(p) for p in _body_primitives(j, self.appearance)]
        zbuf, origin = self._draw_body(out, prims)
        return self._degrade(out), self._occlusion(j, zbuf, origin)

    def _occlusion(self, j: np.ndarray, zbuf: np.ndarray | None, origin: tuple[int, int]) -> np.ndarray:
        cam = self._cam(j)
        dist = np.linalg.norm(cam, axis=-1)
        xy, depth = self.camera.project(j)
        h, w = self.camera.height_px, self.camera.width_px
        with np.errstate(invalid="ignore"):
            inside = (depth > 0) & (xy[:, 0] >= 0) & (xy[:, 0] < w) & (xy[:, 1] >= 0) & (xy[:, 1] < h)
        occluded = ~inside
        # a landmark sits inside its limb: only count occluders clearly nearer than the limb surface
        margin = 0.12 * self.appearance.build
        for i in np.flatnonzero(inside):
            u, v = int(xy[i, 0]), int(xy[i, 1])
            surface = float(self._bg_depth[v, u])
            if zbuf is not None:
                r, c = v - origin[0], u - origin[1]
                if 0 <= r < zbuf.shape[0] and 0 <= c < zbuf.shape[1]:
                    surface = float(zbuf[r, c])
            occluded[i] = surface < dist[i] - margin
        return occluded

    def _cam(self, pts: np.ndarray) -> np.ndarray:
        """World points → camera coordinates (as :meth:`Camera.to_camera`, with cached axes)."""
        return (np.asarray(pts, float) - self._pos) @ self._axes.T

    def _to_camera(self, p: _Cone | _Ellipsoid) -> _Cone | _Ellipsoid:
        cam = self._cam
        if isinstance(p, _Cone):
            return replace(p, pa=cam(p.pa), pb=cam(p.pb))
        extra = dict(p.extra)
        if extra:
            extra["eyes"] = [cam(e) for e in extra["eyes"]]
            extra["brows"] = [(cam(a), cam(b)) for a, b in extra["brows"]]
            extra["mouth"] = tuple(cam(m) for m in extra["mouth"])
            extra["up"] = self._axes @ extra["up"]
        return replace(p, centre=cam(p.centre), axes=p.axes @ self._axes.T, extra=extra)

    def _bbox(self, p: _Cone | _Ellipsoid) -> tuple[int, int, int, int] | None:
        if isinstance(p, _Cone):
            lo = np.minimum(p.pa - p.ra, p.pb - p.rb)
            hi = np.maximum(p.pa + p.ra, p.pb + p.rb)
        else:
            r = float(p.radii.max())
            lo, hi = p.centre - r, p.centre + r
        if hi[2] <= 0.01:
            return None
        corners = np.array(
            [[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])]
        )
        corners[:, 2] = np.maximum(corners[:, 2], 0.01)
        f = self.camera.focal_px
        xs = f * corners[:, 0] / corners[:, 2] + self.camera.width_px / 2
        ys = f * corners[:, 1] / corners[:, 2] + self.camera.height_px / 2
        x0, x1 = int(np.floor(xs.min())) - 1, int(np.ceil(xs.max())) + 1
        y0, y1 = int(np.floor(ys.min())) - 1, int(np.ceil(ys.max())) + 1
        x0, y0 = max(x0, 0), max(y0, 0)
        x1, y1 = min(x1, self.camera.width_px), min(y1, self.camera.height_px)
        if x1 <= x0 or y1 <= y0:
            return None
        return y0, y1, x0, x1

    def _draw_body(
        self, out: np.ndarray, prims: list[_Cone | _Ellipsoid]
    ) -> tuple[np.ndarray | None, tuple[int, int]]:
        """Ray-cast ``prims`` into ``out`` in place; returns the z-buffer crop and its (row, col) origin."""
        boxes = [self._bbox(p) for p in prims]
        live = [(p, b) for p, b in zip(prims, boxes, strict=True) if b is not None]
        if not live:
            return None, (0, 0)
        Y0 = min(b[0] for _, b in live)
        Y1 = max(b[1] for _, b in live)
        X0 = min(b[2] for _, b in live)
        X1 = max(b[3] for _, b in live)
        hh, ww = Y1 - Y0, X1 - X0
        zbuf = self._bg_depth[Y0:Y1, X0:X1].copy()
        col = np.zeros((hh, ww, 3), np.float32)
        pid = np.full((hh, ww), -1, np.int16)
        for k, (p, (y0, y1, x0, x1)) in enumerate(live):
            rd = self._rays[y0:y1, x0:x1]
            sl = (slice(y0 - Y0, y1 - Y0), slice(x0 - X0, x1 - X0))
            zb = zbuf[sl]
            if isinstance(p, _Cone):
                t, part = _cone_t(rd, p)
                m = t < zb
                if not m.any():
                    continue
                th = t[m]
                pts = rd[m] * th[:, None]
                n, coord = _cone_surface(pts, part[m], p)
            else:
                t = _ellipsoid_t(rd, p)
                m = t < zb
                if not m.any():
                    continue
                th = t[m]
                pts = rd[m] * th[:, None]
                local, n = _ellipsoid_surface(pts, p)
                if p.keep == "hair":
                    keep = _keep_hair(local)
                    if not keep.all():
                        m[m] = keep
                        th, pts, local, n = th[keep], pts[keep], local[keep], n[keep]
                        if th.size == 0:
                            continue
                coord = local[:, 2]
            mat = p.mat
            if mat.kind == "head":
                alb = _paint_head(pts, local, p, np.asarray(mat.a, np.float32))
            elif mat.b is None:
                alb = np.asarray(mat.a, np.float32)
            else:
                alb = np.where((coord < mat.split)[:, None], np.float32(mat.a), np.float32(mat.b))
            ndl = np.clip(n @ self._light, 0, 1)
            sky = 0.5 + 0.5 * (n @ self._up)
            # facing term: silhouettes a little darker, which helps limbs read as round
            facing = np.clip(-n[:, 2], 0, 1)
            shade = 0.30 + 0.55 * ndl + 0.18 * sky + 0.08 * facing
            zb[m] = th
            col[sl][m] = alb * shade[:, None]
            pid[sl][m] = k
        body = pid >= 0
        if not body.any():
            return zbuf, (Y0, X0)
        region = out[Y0:Y1, X0:X1]
        body_u8 = np.clip(col * 255.0 + 0.5, 0, 255).astype(np.uint8)
        np.copyto(region, body_u8, where=body[..., None])
        # cheap anti-aliasing: soften pixels where the primitive id changes
        diff_v = pid[1:, :] != pid[:-1, :]
        diff_h = pid[:, 1:] != pid[:, :-1]
        edge = np.zeros_like(body)
        edge[1:, :] |= diff_v
        edge[:-1, :] |= diff_v
        edge[:, 1:] |= diff_h
        edge[:, :-1] |= diff_h
        soft = cv2.blur(region, (3, 3))
        np.copyto(region, soft, where=edge[..., None])
        return zbuf, (Y0, X0)

    def _degrade(self, img: np.ndarray) -> np.ndarray:
        d = self.degradation
        if d is None:
            return img
        if d.blur_sigma_px > 0:
            img = cv2.GaussianBlur(img, (0, 0), d.blur_sigma_px)
        if d.noise_sigma > 0:
            noise = self._rng.normal(0.0, d.noise_sigma, img.shape).astype(np.float32)
            img = np.clip(img.astype(np.float32) + noise, 0, 255).astype(np.uint8)
        if d.jpeg_quality is not None:
            ok, buf = cv2.imencode(
                ".jpg", cv2.cvtColor(img, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, d.jpeg_quality]
            )
            if ok:
                img = cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
        return img


def render_frame(
    joints_m: np.ndarray,
    camera: Camera,
    appearance: Appearance | None = None,
    props: tuple[Box, ...] | list[Box] = (),
    degradation: Degradation | None = None,
) -> np.ndarray:
    """One-off render of a single pose; see :class:`Renderer` for clips (it caches the background)."""
    return Renderer(camera, appearance, props, degradation).render(joints_m)
