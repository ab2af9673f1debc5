"""Film a :class:`~hipform.synth.athlete.Motion` as a realistic body: clothes, skin, hair, shoes, room, light.

:func:`render_realistic_clip` is what :func:`hipform.synth.clip.render_clip` calls with
``renderer="realistic"``: the same MP4 and truth JSON as the cartoon's, but the truth's
``joints_m``, ``landmarks_px`` and ``measures`` come from the posed mesh's joint helpers
(:mod:`.body`), and the JSON says ``"renderer": "realistic"`` and which body was drawn.

The look (:class:`RealisticLook`): a body shape (:data:`~.body.BODY_SHAPES`), a skin tone, a
shirt (short, long or no sleeves), shorts, tights or loose trousers, shoes, short or long hair,
each as a colour on the skin's own vertices pushed out along the surface normal by a cloth
thickness (loose trousers stand off the shin more towards the hem). The room (floor, wall,
light, props) is the cartoon renderer's, so both renderers film the same room.

Each frame is drawn at :data:`SUPERSAMPLE` × the frame size and averaged down (anti-aliasing).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from hipform.landmarks import N_LANDMARKS, Landmark
from hipform.synth.athlete import compute_truth
from hipform.synth.camera import Camera
from hipform.synth.realistic.body import (
    BODY_SHAPES,
    MeshBody,
    load_body,
    pose_from_landmarks,
    posed_landmarks,
    skin,
)
from hipform.synth.realistic.raster import lambert, rasterise, vertex_normals
from hipform.synth.render import (
    CLOTH_COLOURS,
    HAIR_COLOURS,
    SKIN_TONES,
    Appearance,
    Degradation,
    Renderer,
    boxes_from_props,
)

RGB = tuple[float, float, float]
#: Frames are drawn this many times larger in each direction and averaged down.
SUPERSAMPLE = 2
SLEEVES = ("short", "long", "none")
BOTTOMS = ("shorts", "tights", "loose trousers")
HAIR = ("short", "long")
#: Cloth thickness pushed out along the skin's normal, metres.
CLOTH_OFFSET_M = {"shirt": 0.006, "shorts": 0.010, "tights": 0.002, "shoes": 0.008, "hair": 0.010}
#: Loose trousers: their offset grows from the hip to the hem.
LOOSE_OFFSET_M = (0.012, 0.040)
#: A landmark counts as hidden when a surface lies this much nearer than it (joint centres sit inside
#: the limb, ~5–10 cm behind its own skin), metres.
OCCLUSION_MARGIN_M = 0.12


@dataclass(frozen=True)
class RealisticLook:
    """How the realistic athlete and the room look.

    Attributes
    ----------
    body_shape : a key of :data:`~hipform.synth.realistic.body.BODY_SHAPES`.
    skin_rgb, hair_rgb, shirt_rgb, bottoms_rgb, shoe_rgb : colours, RGB in [0, 1].
    hair : "short" or "long".
    sleeves : "short", "long" or "none".
    bottoms : "shorts", "tights" or "loose trousers".
    room : the floor, wall and light (the cartoon renderer's :class:`~hipform.synth.render.Appearance`;
        its athlete fields are not used).
    """

    body_shape: str = "female"
    skin_rgb: RGB = SKIN_TONES[2]
    hair_rgb: RGB = HAIR_COLOURS[1]
    hair: str = "short"
    shirt_rgb: RGB = CLOTH_COLOURS[1]
    sleeves: str = "short"
    bottoms: str = "shorts"
    bottoms_rgb: RGB = CLOTH_COLOURS[6]
    shoe_rgb: RGB = CLOTH_COLOURS[5]
    room: Appearance = field(default_factory=Appearance)

    def __post_init__(self) -> None:
        for name, allowed in (
            ("body_shape", tuple(BODY_SHAPES)),
            ("hair", HAIR),
            ("sleeves", SLEEVES),
            ("bottoms", BOTTOMS),
        ):
            if getattr(self, name) not in allowed:
                raise ValueError(
                    f"RealisticLook.{name} must be one of {allowed}, got {getattr(self, name)!r}"
                )

    @classmethod
    def from_seed(cls, seed: int, body_shape: str | None = None) -> RealisticLook:
        """A reproducible look for ``seed`` (the room as the cartoon's :meth:`Appearance.from_seed`)."""
        rng = np.random.default_rng([int(seed), 0x5EA1])
        room = Appearance.from_seed(seed)

        def pick(options: Any) -> Any:
            return options[int(rng.integers(len(options)))]

        shirt = pick(CLOTH_COLOURS)
        return cls(
            body_shape=body_shape or pick(tuple(BODY_SHAPES)),
            skin_rgb=pick(SKIN_TONES),
            hair_rgb=pick(HAIR_COLOURS),
            hair=pick(HAIR),
            shirt_rgb=shirt,
            sleeves=pick(SLEEVES),
            bottoms=pick(BOTTOMS),
            bottoms_rgb=pick([c for c in CLOTH_COLOURS if c != shirt]),
            shoe_rgb=pick(CLOTH_COLOURS),
            room=room,
        )


# ----------------------------------------------------------------------------------------------- dressing


@dataclass(frozen=True, eq=False)
class DressedBody:
    """A body in one look, ready to draw: its rest vertices with cloth offsets, triangles and colours.

    Attributes
    ----------
    body : the mesh.
    rest_m : (N, 3) rest vertices with the cloth pushed out.
    triangles : (M, 3) what is drawn: the skin, the eyes and, for long hair, MakeHuman's hair shell.
    albedo : (N, 3) float32 colour of each vertex.
    """

    body: MeshBody
    rest_m: np.ndarray
    triangles: np.ndarray
    albedo: np.ndarray


def _split_quads(quads: np.ndarray) -> np.ndarray:
    return np.concatenate([quads[:, [0, 1, 2]], quads[:, [0, 2, 3]]])


def dress(body: MeshBody, look: RealisticLook) -> DressedBody:
    """Colour the skin's vertices by garment and push the cloth out by its thickness.

    Garments are chosen on the rest mesh from each vertex's strongest bone and its place along
    the limb: the shirt on the trunk above the waist (and the upper arm or the whole arm),
    the bottoms below the waist and down the thigh (shorts: its upper 45 %; tights and trousers:
    to just above the ankle), shoes on the feet, hair on the scalp above the hairline.
    """
    rest = body.rest_m
    lm = body.rest_landmarks()
    L = Landmark
    names = body.strongest_driver().astype(str)
    z, y = rest[:, 2], rest[:, 1]
    hip_z = 0.5 * (lm[L.LEFT_HIP, 2] + lm[L.RIGHT_HIP, 2])
    waist_z = hip_z + 0.22 * body.proportions.trunk_m
    trunk = np.isin(names, ["root", "spine04", "spine03", "spine02"])
    head = np.isin(names, ["head", "neck03", "neck02"])
    part = np.full(len(rest), "skin", dtype=object)
    along: dict[str, np.ndarray] = {}
    for side, s in (("LEFT", "L"), ("RIGHT", "R")):
        for bone, a, b in (
            (f"upperleg01.{s}", "HIP", "KNEE"),
            (f"lowerleg01.{s}", "KNEE", "ANKLE"),
            (f"upperarm01.{s}", "SHOULDER", "ELBOW"),
            (f"lowerarm01.{s}", "ELBOW", "WRIST"),
        ):
            p0, p1 = lm[L[f"{side}_{a}"]], lm[L[f"{side}_{b}"]]
            mine = names == bone
            t = (rest[mine] - p0) @ (p1 - p0) / np.dot(p1 - p0, p1 - p0)
            along.setdefault(bone.split(".")[0], np.zeros(len(rest)))[mine] = t
    is_thigh, is_shank, is_foot = (np.char.startswith(names, b) for b in ("upperleg01", "lowerleg01", "foot"))
    is_uarm, is_farm = (np.char.startswith(names, b) for b in ("upperarm01", "lowerarm01"))
    ankle_z = 0.5 * (lm[L.LEFT_ANKLE, 2] + lm[L.RIGHT_ANKLE, 2])

    part[trunk & (z > waist_z)] = "shirt"
    if look.sleeves == "short":
        part[is_uarm & (along["upperarm01"] < 0.5)] = "shirt"
    elif look.sleeves == "long":
        part[is_uarm | (is_farm & (along["lowerarm01"] < 0.93))] = "shirt"
    bottoms = (trunk & (z <= waist_z)) | (is_thigh & (along["upperleg01"] < 0.45))
    if look.bottoms != "shorts":
        bottoms |= is_thigh | (is_shank & (z > ankle_z + 0.03))
    part[bottoms] = "bottoms"
    part[is_foot | (is_shank & (z <= ankle_z + 0.025))] = "shoes"
    eye_z = 0.5 * (lm[L.LEFT_EYE, 2] + lm[L.RIGHT_EYE, 2])
    ear_y = 0.5 * (lm[L.LEFT_EAR, 1] + lm[L.RIGHT_EAR, 1])
    part[head & ((z > eye_z + 0.05) | ((y < ear_y - 0.015) & (z > eye_z - 0.06)))] = "hair"

    colour = {
        "skin": look.skin_rgb,
        "shirt": look.shirt_rgb,
        "bottoms": look.bottoms_rgb,
        "shoes": look.shoe_rgb,
        "hair": look.hair_rgb,
    }
    albedo = np.array([colour[p] for p in part], np.float32)
    # eyebrows and lips: a face the pose model's face-led detector can read
    eye_x = abs(lm[L.LEFT_EYE, 0])
    brows = head & (z > eye_z + 0.013) & (z < eye_z + 0.024) & (np.abs(np.abs(rest[:, 0]) - eye_x) < 0.022)
    albedo[brows & (y > ear_y + 0.06)] = np.asarray(look.hair_rgb, np.float32) * 0.8
    mouth_z = 0.5 * (lm[L.MOUTH_LEFT, 2] + lm[L.MOUTH_RIGHT, 2])
    lips = head & (np.abs(z - mouth_z) < 0.006) & (np.abs(rest[:, 0]) < 0.024) & (y > ear_y + 0.08)
    albedo[lips] = np.asarray(look.skin_rgb, np.float32) * np.array([0.85, 0.55, 0.55], np.float32)

    skin_tris = _split_quads(body.body_quads)
    normals = vertex_normals(rest, skin_tris)
    offset = np.zeros(len(rest))
    for name in ("shirt", "shoes", "hair"):
        offset[part == name] = CLOTH_OFFSET_M[name]
    if look.bottoms == "loose trousers":
        down = np.clip((hip_z - z) / max(hip_z - ankle_z, 1e-6), 0, 1)
        lo, hi = LOOSE_OFFSET_M
        offset[part == "bottoms"] = (lo + (hi - lo) * down)[part == "bottoms"]
    else:
        offset[part == "bottoms"] = CLOTH_OFFSET_M[look.bottoms]
    dressed = rest + offset[:, None] * normals

    eyes = _split_quads(body.eye_quads)
    eye_v = np.unique(eyes)
    for side in ("LEFT", "RIGHT"):
        centre = lm[L[f"{side}_EYE"]]
        mine = eye_v[np.abs(rest[eye_v, 0] - centre[0]) < 0.03]
        albedo[mine] = (0.92, 0.90, 0.86)
        iris = mine[rest[mine, 1] > centre[1] + 0.009]
        albedo[iris] = (0.18, 0.11, 0.07)
    triangles = [skin_tris, eyes]
    if look.hair == "long":
        shell = _split_quads(body.hair_quads)
        albedo[np.unique(shell)] = look.hair_rgb
        triangles += [shell, shell[:, ::-1]]  # both sides: it is a thin shell
    return DressedBody(body, dressed, np.concatenate(triangles), albedo)


# ----------------------------------------------------------------------------------------------- drawing


def supersampled(camera: Camera, factor: int = SUPERSAMPLE) -> Camera:
    """The same camera with ``factor`` × the pixels in each direction."""
    return dataclasses.replace(
        camera,
        focal_px=camera.focal_px * factor,
        width_px=camera.width_px * factor,
        height_px=camera.height_px * factor,
    )


class RealisticRenderer:
    """Draws poses of one dressed body filmed by one camera in one room.

    Parameters
    ----------
    camera : the output camera (frame size).
    look : the athlete and the room.
    props : boxes standing in the room (a step-up box, a mat).
    degradation : optional phone noise, blur and JPEG.
    seed : seeds the noise.

    Notes
    -----
    The room, its depth, the contact shadow and the phone degradation are the cartoon
    :class:`~hipform.synth.render.Renderer`'s, used through its internals: both renderers film
    the same room, and that code exists once.
    """

    def __init__(
        self,
        camera: Camera,
        look: RealisticLook | None = None,
        props: tuple[Any, ...] = (),
        degradation: Degradation | None = None,
        seed: int = 0,
    ) -> None:
        self.camera = camera
        self.look = look or RealisticLook()
        self.dressed = dress(load_body(self.look.body_shape), self.look)
        self.big = supersampled(camera)
        # the cartoon renderer's room, at the supersampled size: floor, wall, props, contact shadow
        self._room = Renderer(self.big, self.look.room, props=props)
        self._finish = Renderer(camera, self.look.room, degradation=degradation, seed=seed)
        self._axes = self.big.axes()
        az, el = np.radians(self.look.room.light_azimuth_deg), np.radians(self.look.room.light_elevation_deg)
        light = np.array([np.sin(az) * np.cos(el), np.cos(az) * np.cos(el), np.sin(el)])
        self._to_light = self._axes @ light
        self._up = self._axes @ np.array([0.0, 0.0, 1.0])
        w, h = self.big.width_px, self.big.height_px
        u = (np.arange(w) + 0.5 - w / 2) / self.big.focal_px
        v = (np.arange(h) + 0.5 - h / 2) / self.big.focal_px
        # forward depth Z → distance along the pixel's ray (what the room's depth buffer holds)
        self._ray_len = np.sqrt(1 + u[None, :] ** 2 + v[:, None] ** 2).astype(np.float32)

    def render(self, athlete_joints_m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Draw one frame of the athlete.

        Parameters
        ----------
        athlete_joints_m : (33, 3) the athlete's landmarks (the pose to copy), world metres.

        Returns
        -------
        image : (H, W, 3) uint8 RGB.
        truth_m : (33, 3) the drawn body's landmarks (joint helper centroids), world metres.
        occluded : (33,) bool, a surface lies clearly in front of the landmark, or it is out of frame.
        """
        d = self.dressed
        pose = pose_from_landmarks(d.body, athlete_joints_m)
        truth = posed_landmarks(d.body, pose)
        verts = skin(d.body, pose, rest_m=d.rest_m)
        cam = self.big.to_camera(verts)
        normals = vertex_normals(cam, d.triangles)
        r = rasterise(
            cam, d.triangles, self.big.focal_px, self.big.width_px, self.big.height_px, cull_back_faces=True
        )
        out = self._room.background
        self._room._apply_shadow(out, truth)  # the cartoon's contact shadow, from the same joints
        win = r.window
        dist = r.depth_m * self._ray_len[win]
        body = r.covered & (dist < self._room._bg_depth[win])
        tri = d.triangles[r.triangle[body]]
        w = r.barycentric[body]

        def at_pixels(per_vertex: np.ndarray) -> np.ndarray:
            return np.einsum("pk,pkc->pc", w, per_vertex[tri])

        n = at_pixels(normals.astype(np.float32))
        n /= np.maximum(np.linalg.norm(n, axis=-1, keepdims=True), 1e-9)
        point = at_pixels(cam.astype(np.float32))
        to_cam = -point / np.linalg.norm(point, axis=-1, keepdims=True)
        colour = lambert(n, at_pixels(d.albedo), self._to_light, self._up, to_cam)
        out[win][body] = np.clip(colour * 255.0 + 0.5, 0, 255).astype(np.uint8)
        body_dist = np.full(out.shape[:2], np.inf, np.float32)
        body_dist[win] = np.where(body, dist, np.inf)
        small = cv2.resize(out, (self.camera.width_px, self.camera.height_px), interpolation=cv2.INTER_AREA)
        return self._finish._degrade(small), truth, self._occlusion(truth, body_dist)

    def _occlusion(self, truth_m: np.ndarray, body_dist: np.ndarray) -> np.ndarray:
        xy, depth = self.big.project(truth_m)
        cam = self.big.to_camera(truth_m)
        h, w = body_dist.shape
        with np.errstate(invalid="ignore"):
            inside = (depth > 0) & (xy[:, 0] >= 0) & (xy[:, 0] < w) & (xy[:, 1] >= 0) & (xy[:, 1] < h)
        occluded = ~inside
        for i in np.flatnonzero(inside):
            row, col = int(xy[i, 1]), int(xy[i, 0])
            surface = min(float(body_dist[row, col]), float(self._room._bg_depth[row, col]))
            occluded[i] = surface < float(np.linalg.norm(cam[i])) - OCCLUSION_MARGIN_M
        return occluded


# ----------------------------------------------------------------------------------------------- clips


def work_side_and_rep_start(motion: Any) -> tuple[np.ndarray, np.ndarray]:
    """(T,) working leg and (T,) frame where the current rep started, as the generators gave them.

    A motion keeps only its stance per frame; the working leg of a one-legged movement is its reps'
    side (the same for every rep), else the stance. Used to recompute the truth on other joints.
    """
    n = motion.n_frames
    sides = {r.side for r in motion.reps}
    work = (
        np.full(n, sides.pop(), dtype="<U5") if len(sides) == 1 and None not in sides else motion.stance_side
    )
    start = np.zeros(n, int)
    for r in motion.reps:
        start[r.start_frame :] = r.start_frame
    return np.asarray(work), start


def truth_measures(motion: Any, joints_m: np.ndarray) -> dict[str, np.ndarray]:
    """Every true measure of ``motion`` recomputed on other joints (the drawn body's), as
    :func:`hipform.synth.athlete.compute_truth` defines them."""
    work, start = work_side_and_rep_start(motion)
    return compute_truth(joints_m, motion.movement, motion.stance_side, work, start)


def render_realistic_clip(
    motion: Any,
    camera: Camera,
    path: str | Path,
    appearance_seed: int = 0,
    noise: Degradation | None = None,
    look: RealisticLook | None = None,
    view: str | float | None = None,
    crf: int = 23,
    progress: Callable[[int, int], None] | None = None,
) -> Any:
    """Render ``motion`` as a realistic body into an H.264 MP4 and write its truth JSON beside it.

    Parameters as :func:`hipform.synth.clip.render_clip`; ``look`` replaces ``appearance``
    (default: :meth:`RealisticLook.from_seed` of ``appearance_seed``; pass
    ``RealisticLook.from_seed(seed, body_shape=...)`` to choose the body).

    Returns
    -------
    hipform.synth.clip.ClipInfo
        As the cartoon's; the truth is the drawn body's (see the module docstring).
    """
    from hipform.synth.clip import build_truth, checked_clip_request, finished_clip
    from hipform.video import VideoWriter

    path, joints = checked_clip_request(path, motion)
    chosen = look if look is not None else RealisticLook.from_seed(appearance_seed)
    renderer = RealisticRenderer(
        camera,
        chosen,
        props=boxes_from_props(getattr(motion, "props", ()), appearance_seed),
        degradation=noise,
        seed=appearance_seed,
    )
    n = joints.shape[0]
    truth_joints = np.empty_like(joints)
    occluded = np.zeros((n, N_LANDMARKS), bool)
    times = []
    with VideoWriter(path, fps=float(motion.fps), crf=crf) as writer:
        for i in range(n):
            t0 = time.perf_counter()
            image, truth_joints[i], occluded[i] = renderer.render(joints[i])
            times.append(time.perf_counter() - t0)
            writer.write(image)
            if progress is not None:
                progress(i + 1, n)
    drawn = dataclasses.replace(motion, joints_m=truth_joints, truth=truth_measures(motion, truth_joints))
    truth = build_truth(
        drawn, camera, occluded, path.name, chosen, appearance_seed if look is None else None, noise, view
    )
    truth["renderer"] = "realistic"
    return finished_clip(path, truth, camera, truth_joints, float(motion.fps), times)
