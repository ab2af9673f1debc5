"""The synthetic renderer: images, depth order, determinism, clips with truth, MediaPipe tracking."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from hipform.landmarks import N_LANDMARKS, Landmark
from hipform.synth.camera import Camera
from hipform.synth.clip import SCHEMA_VERSION, camera_for, load_truth, render_clip, truth_path_for
from hipform.synth.render import Appearance, Box, Degradation, Renderer, boxes_from_props, render_frame

L = Landmark
SKIN = (0.90, 0.72, 0.60)
SHIRT = (0.10, 0.20, 0.90)  # blue: easy to tell from skin


def standing_pose(wrist_r: tuple[float, float, float] | None = None) -> np.ndarray:
    """A hand-made (33, 3) standing person facing +y, right = +x, metres.

    ``wrist_r`` moves the right forearm: the elbow stays at the side and the
    hand goes to ``wrist_r``.
    """
    j = np.zeros((N_LANDMARKS, 3))
    for side, sx in (("LEFT", -1.0), ("RIGHT", 1.0)):
        j[L[f"{side}_HIP"]] = (0.09 * sx, 0.0, 0.90)
        j[L[f"{side}_KNEE"]] = (0.10 * sx, 0.01, 0.48)
        j[L[f"{side}_ANKLE"]] = (0.10 * sx, 0.0, 0.07)
        j[L[f"{side}_HEEL"]] = (0.10 * sx, -0.05, 0.02)
        j[L[f"{side}_FOOT_INDEX"]] = (0.12 * sx, 0.16, 0.02)
        j[L[f"{side}_SHOULDER"]] = (0.19 * sx, 0.0, 1.40)
        j[L[f"{side}_ELBOW"]] = (0.22 * sx, 0.0, 1.11)
        j[L[f"{side}_WRIST"]] = (0.23 * sx, 0.03, 0.86)
        j[L[f"{side}_EAR"]] = (0.075 * sx, 0.0, 1.60)
        j[L[f"{side}_EYE_INNER"]] = (0.016 * sx, 0.088, 1.612)
        j[L[f"{side}_EYE"]] = (0.032 * sx, 0.085, 1.613)
        j[L[f"{side}_EYE_OUTER"]] = (0.047 * sx, 0.078, 1.612)
        j[L[f"MOUTH_{side}"]] = (0.025 * sx, 0.09, 1.545)
    j[L.NOSE] = (0.0, 0.105, 1.58)
    if wrist_r is not None:
        j[L.RIGHT_ELBOW] = (0.22, 0.0, 1.11)
        j[L.RIGHT_WRIST] = wrist_r
    for side, sx in (("LEFT", -1.0), ("RIGHT", 1.0)):
        wr = j[L[f"{side}_WRIST"]]
        fore = wr - j[L[f"{side}_ELBOW"]]
        fore /= np.linalg.norm(fore)
        j[L[f"{side}_INDEX"]] = wr + 0.08 * fore + (0.0, 0.01, 0.0)
        j[L[f"{side}_PINKY"]] = wr + 0.07 * fore + (0.015 * sx, -0.01, 0.0)
        j[L[f"{side}_THUMB"]] = wr + 0.04 * fore + (-0.01 * sx, 0.025, 0.0)
    return j


@pytest.fixture(scope="module")
def front_camera() -> Camera:
    return Camera.around(
        "front", distance_m=3.0, height_m=1.0, target_m=(0.0, 0.0, 0.9), width_px=360, height_px=640
    )


def plain_look(**kw) -> Appearance:
    base = dict(
        skin_rgb=SKIN, shirt_rgb=SHIRT, sleeves="short", bottoms_rgb=(0.2, 0.2, 0.2), hair_style="short"
    )
    base.update(kw)
    return Appearance(**base)


def test_image_shape_dtype_and_body_drawn(front_camera):
    r = Renderer(front_camera, plain_look())
    img = r.render(standing_pose())
    assert img.shape == (640, 360, 3) and img.dtype == np.uint8
    changed = np.any(img.astype(int) != r.background.astype(int), axis=-1)
    assert changed.mean() > 0.03  # a person covers a good part of the frame


def test_figure_inside_frame_and_around_the_joints(front_camera):
    pose = standing_pose()
    r = Renderer(front_camera, plain_look())
    img = r.render(pose)
    body = np.any(np.abs(img.astype(int) - r.background.astype(int)) > 40, axis=-1)
    rows, cols = np.nonzero(body)
    xy, _ = front_camera.project(pose)
    key = [L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE, L.NOSE]
    # every key joint lies on a drawn body pixel, and the silhouette spans head to feet
    for lm in key:
        x, y = xy[lm].astype(int)
        assert body[y - 2 : y + 3, x - 2 : x + 3].any(), lm.name
    assert rows.min() < xy[L.NOSE, 1] - 10  # hair above the nose
    assert rows.max() > xy[L.LEFT_ANKLE, 1]  # shoes below the ankles
    assert 0 < cols.min() and cols.max() < 359 and 0 < rows.min() and rows.max() < 639


def _blue_dominates(rgb: np.ndarray) -> bool:
    r, g, b = rgb.astype(float)
    return b > r + 30


def test_near_limb_occludes_far_one(front_camera):
    """A forearm held in front of the chest hides the shirt; held behind the back it is hidden."""
    look = plain_look()
    r = Renderer(front_camera, look)
    in_front = standing_pose(wrist_r=(-0.05, 0.30, 1.15))
    behind = standing_pose(wrist_r=(-0.05, -0.30, 1.15))
    # a point on the forearm, 2/3 of the way to the wrist, projects onto the chest in both poses
    for pose, expect_arm in ((in_front, True), (behind, False)):
        el, wr = pose[L.RIGHT_ELBOW], pose[L.RIGHT_WRIST]
        probe = el + 0.75 * (wr - el)
        (x, y), _ = front_camera.project(probe)
        img, occluded = r.render_with_occlusion(pose)
        assert _blue_dominates(img[int(y), int(x)]) != expect_arm
        assert bool(occluded[L.RIGHT_WRIST]) != expect_arm
    # the torso never hides the near shoulder in a front view
    assert not r.render_with_occlusion(in_front)[1][L.LEFT_SHOULDER]


def test_box_prop_in_front_hides_the_legs(front_camera):
    pose = standing_pose()
    box = Box((-0.4, 0.3, 0.0), (0.4, 0.7, 0.6), (0.9, 0.9, 0.1))
    img, occluded = Renderer(front_camera, plain_look(), props=[box]).render_with_occlusion(pose)
    (x, y), _ = front_camera.project(pose[L.LEFT_KNEE])
    r_, g, b = img[int(y), int(x)].astype(int)
    assert r_ > 100 and g > 100 and b < 80  # yellow box, not the leg
    assert occluded[L.LEFT_KNEE] and occluded[L.RIGHT_ANKLE] and not occluded[L.LEFT_SHOULDER]


def test_deterministic_for_a_seed(front_camera):
    pose = standing_pose()
    assert Appearance.from_seed(7) == Appearance.from_seed(7)
    a = render_frame(pose, front_camera, Appearance.from_seed(7), degradation=Degradation(3.0, 0.5, 80))
    b = render_frame(pose, front_camera, Appearance.from_seed(7), degradation=Degradation(3.0, 0.5, 80))
    c = render_frame(pose, front_camera, Appearance.from_seed(8))
    np.testing.assert_array_equal(a, b)
    assert np.abs(a.astype(int) - c.astype(int)).mean() > 5


def test_seeds_vary_the_look():
    looks = [Appearance.from_seed(s) for s in range(12)]
    assert len({lk.skin_rgb for lk in looks}) >= 6
    assert len({lk.floor for lk in looks}) >= 3
    assert len({lk.shirt_rgb for lk in looks}) >= 6


@pytest.mark.parametrize(
    "kwargs, error",
    [
        (dict(hair_style="mohawk"), ValueError),  # unknown style
        (dict(build=2.0), ValueError),  # outside 0.7–1.4
        (dict(floor="lava"), ValueError),
    ],
)
def test_appearance_rejects_bad_values(kwargs, error):
    with pytest.raises(error):
        Appearance(**kwargs)


def test_render_rejects_bad_input(front_camera):
    r = Renderer(front_camera)
    with pytest.raises(ValueError, match="shape"):
        r.render(np.zeros((17, 3)))
    bad = standing_pose()
    bad[3, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        r.render(bad)
    with pytest.raises(TypeError):
        Renderer("front")  # type: ignore[arg-type]


def test_lying_pose_renders_on_the_floor():
    """A supine body (head towards -y, face up) is drawn and its hips are visible from the side."""
    j = standing_pose()
    lying = np.stack(
        [j[:, 0], -(j[:, 2] - 0.9), j[:, 1] + 0.1], axis=1
    )  # rotate about x: up → -y, forward → up
    for side, sx in (("LEFT", -1.0), ("RIGHT", 1.0)):  # arms overhead, so they do not hide the hips
        lying[L[f"{side}_ELBOW"]] = (0.22 * sx, -0.78, 0.1)
        lying[L[f"{side}_WRIST"]] = (0.24 * sx, -1.03, 0.1)
        for part, dy in (("INDEX", -0.08), ("PINKY", -0.07), ("THUMB", -0.04)):
            lying[L[f"{side}_{part}"]] = (0.24 * sx, -1.03 + dy, 0.1)
    cam = camera_for("bridge", "right", width_px=640, height_px=360)
    img, occluded = Renderer(cam, plain_look()).render_with_occlusion(lying)
    assert not occluded[L.RIGHT_HIP] and not occluded[L.RIGHT_KNEE]
    (x, y), _ = cam.project(lying[L.RIGHT_HIP])
    assert (
        np.abs(img[int(y), int(x)].astype(int) - Renderer(cam, plain_look()).background[int(y), int(x)]).max()
        > 20
    )


def test_boxes_from_props():
    prop = SimpleNamespace(kind="box", centre_m=(0.0, 0.4, 0.15), size_m=(0.5, 0.4, 0.3))
    (box,) = boxes_from_props([prop])
    np.testing.assert_allclose(box.min_m, (-0.25, 0.2, 0.0))
    np.testing.assert_allclose(box.max_m, (0.25, 0.6, 0.3))
    belt = SimpleNamespace(kind="treadmill", centre_m=(0.0, -0.1, 0.09), size_m=(0.8, 1.9, 0.0))
    (deck,) = boxes_from_props([belt])  # a zero-height surface becomes a deck standing on the floor
    assert deck.min_m[2] == 0.0 and deck.max_m[2] == pytest.approx(0.09)
    with pytest.raises(TypeError):
        boxes_from_props([object()])


def _short_motion(n: int = 6) -> SimpleNamespace:
    base = standing_pose()
    joints = np.stack([base + (0.0, 0.0, -0.01 * i) for i in range(n)])
    return SimpleNamespace(
        movement="squat",
        t_s=np.arange(n) / 30.0,
        fps=30.0,
        joints_m=joints,
        truth={"knee_fppa_left_deg": np.linspace(0, 5, n), "pelvic_drop_deg": np.full(n, np.nan)},
        reps=(),
        props=(),
        stance_side=np.array([""] * n),
        params=None,
    )


def test_render_clip_writes_video_and_truth(tmp_path):
    from hipform.video import iter_frames

    motion = _short_motion()
    cam = Camera.around(
        "front", distance_m=3.0, target_m=(0.0, 0.0, 0.9), width_px=241, height_px=320
    )  # odd width
    info = render_clip(motion, cam, tmp_path / "c.mp4", appearance_seed=2, view="front")
    assert info.video_path.exists() and info.truth_path == truth_path_for(tmp_path / "c.mp4")
    assert info.n_frames == 6 and info.detection_hint == 1.0
    frames = list(iter_frames(info.video_path))
    assert len(frames) == 6 and frames[0].image.shape[:2] == (320, 242)  # padded to even width
    raw = json.loads(info.truth_path.read_text())
    assert raw["schema_version"] == SCHEMA_VERSION and raw["camera"]["view"] == "front"
    assert "pelvic_drop_deg" not in raw["measures"]  # no value in any frame: left out, read back as NaN
    truth = load_truth(info.video_path)
    assert truth.landmarks_px.shape == (6, 33, 3) and truth.occluded.shape == (6, 33)
    xy, _ = cam.project(motion.joints_m)
    np.testing.assert_allclose(truth.landmarks_px[..., :2], xy, atol=0.01)
    np.testing.assert_allclose(truth.joints_m, motion.joints_m, atol=1e-4)
    assert np.isnan(truth.measures["pelvic_drop_deg"]).all()
    seq = truth.pose_sequence()
    assert (
        seq.landmarks_px.shape == (6, 33, 3) and seq.visibility[0, L.LEFT_HEEL] == 0
    )  # heel hidden from the front


def test_load_truth_rejects_foreign_files(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_truth(tmp_path / "missing.mp4")
    p = tmp_path / "x.truth.json"
    p.write_text(json.dumps({"generator": "hipform.synth", "schema_version": 99}))
    with pytest.raises(ValueError, match="schema version"):
        load_truth(p)
    p.write_text("[1, 2]")
    with pytest.raises(ValueError, match="not a hipform"):
        load_truth(p)


def test_render_clip_rejects_non_mp4(tmp_path):
    with pytest.raises(ValueError, match="mp4"):
        render_clip(_short_motion(2), camera_for("squat"), tmp_path / "c.avi")


@pytest.mark.slow
def test_mediapipe_tracks_a_rendered_squat_from_the_front(tmp_path):
    """Real BlazePose on a 1.5 s rendered squat: found in ≥ 95 % of frames, joints within tolerance.

    Tolerance: mean 2D error of hips, knees and ankles below 12 % of the
    (unforeshortened) thigh length in the image — about 23 px for a 190 px
    thigh. Measured: hips ≈ 6 %, knees ≈ 3 %, ankles ≈ 7 %; much of that is
    BlazePose's own bias (it puts hips and ankles a little high).
    """
    from hipform.pose import estimate_pose
    from hipform.synth.athlete import MotionParams, simulate

    motion = simulate("squat", MotionParams(reps=1, standing_lead_in_s=0.2, tail_s=0.0, tempo_s=1.3), seed=0)
    cam = camera_for("squat", "front")
    info = render_clip(motion, cam, tmp_path / "squat.mp4", appearance_seed=1)
    truth = load_truth(info.video_path)
    seq = estimate_pose(info.video_path)
    found = np.isfinite(seq.landmarks_px[:, L.LEFT_HIP, 0])
    assert found.mean() >= 0.95
    thigh_m = np.linalg.norm(truth.joints_m[:, L.LEFT_HIP] - truth.joints_m[:, L.LEFT_KNEE], axis=-1)
    _, depth = cam.project(truth.joints_m[:, L.LEFT_HIP])
    thigh_px = cam.focal_px * thigh_m / depth
    err = np.linalg.norm(seq.landmarks_px[..., :2] - truth.landmarks_px[..., :2], axis=-1)
    for a, b in ((L.LEFT_HIP, L.RIGHT_HIP), (L.LEFT_KNEE, L.RIGHT_KNEE), (L.LEFT_ANKLE, L.RIGHT_ANKLE)):
        rel = np.nanmean(err[found][:, [a, b]] / thigh_px[found, None])
        assert rel < 0.12, f"{a.name}: {rel:.3f} of thigh length"
