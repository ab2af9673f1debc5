"""The whole pipeline on rendered athletes, and the sample set.

Fast tests: every committed sample clip has a truth file that validates
against ``sample_videos/truth.schema.json``; the set covers every movement
with and without a fault, in the view the fault needs, within 18 MB (12
movements; the per-frame truth JSON is most of it); a sample regenerates
from its seeds with a byte-identical truth JSON and the same frames
(compared by PSNR: pixels differ slightly across patch releases of OpenCV,
NumPy and x264, but not like a changed scene).

Slow tests (MediaPipe): short rendered clips of each movement go through the
real pose model and the real analysis; injected faults must be flagged on the
right side and clean clips must have no flags. Cases that fail because of a
known limitation are ``xfail(strict=True)`` with the measured reason, so they
show up as soon as the limitation is fixed.
"""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from hipform.synth.athlete import MOVEMENTS, Faults
from hipform.synth.clip import load_truth
from hipform.synth.movements import INJECTABLE_FAULTS, REGISTRY
from hipform.synth.samples import SAMPLES, Sample, render_sample, sample_named

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIR = ROOT / "sample_videos"
SCHEMA = SAMPLE_DIR / "truth.schema.json"
#: A regenerated sample must look like the committed one frame by frame: every frame's PSNR at
#: least this (dB). Measured: a fresh install with other patch releases of OpenCV/NumPy/x264 gives
#: 39.7 dB at worst (a few anti-aliased edge pixels differ by up to 120 levels, so a maximum
#: difference is no measure); the same sample with its appearance seed changed gives 13.4 dB.
FRAME_PSNR_MIN_DB = 32.0


def _frames(path: Path) -> np.ndarray:
    from hipform.video import iter_frames

    return np.stack([f.image for f in iter_frames(path)])


# ------------------------------------------------------------------------------------ sample set


def test_sample_set_covers_every_movement_with_and_without_faults() -> None:
    names = [s.name for s in SAMPLES]
    assert len(names) == len(set(names))
    for movement in MOVEMENTS:
        mine = [s for s in SAMPLES if s.movement == movement]
        assert any(not s.faults.any for s in mine), f"no clean {movement} sample"
        assert any(s.faults.any for s in mine), f"no {movement} sample with a fault"
    for s in SAMPLES:  # each fault filmed from a view its rules accept (the feet for a bridge's pelvis)
        for fault in INJECTABLE_FAULTS:
            if getattr(s.faults, fault):
                assert s.view in REGISTRY[s.movement].views_for(fault), (s.name, fault)


def test_sample_files_exist_fit_in_18_mb_and_are_listed_in_the_readme() -> None:
    readme = (SAMPLE_DIR / "README.md").read_text()
    total = 0
    for s in SAMPLES:
        clip, truth = SAMPLE_DIR / f"{s.name}.mp4", SAMPLE_DIR / f"{s.name}.truth.json"
        assert clip.exists() and truth.exists(), s.name
        total += clip.stat().st_size + truth.stat().st_size
        assert f"{s.name}.mp4" in readme
    total += sum(
        p.stat().st_size for p in SAMPLE_DIR.iterdir() if p.suffix in (".md",) or p.name == SCHEMA.name
    )
    assert total <= 18e6, f"sample set is {total / 1e6:.1f} MB"


PER_FRAME = ("t_s", "landmarks_px", "occluded", "joints_m", "stance_side")


def _trimmed(data: dict, keep: int = 3) -> dict:
    """``data`` with every per-frame array cut to its first and last ``keep`` frames (fast to validate)."""

    def cut(x: list) -> list:
        return x[:keep] + x[-keep:]

    out = dict(data)
    for k in PER_FRAME:
        out[k] = cut(data[k])
    out["measures"] = {k: cut(v) for k, v in data["measures"].items()}
    return out


def test_a_whole_truth_file_validates_against_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validate(json.loads((SAMPLE_DIR / "kickback_side_arch.truth.json").read_text()), schema)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.name)
def test_sample_truth_validates_against_the_schema(sample: Sample) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text())
    data = json.loads((SAMPLE_DIR / f"{sample.name}.truth.json").read_text())
    jsonschema.validate(_trimmed(data), schema)  # structure and types
    n = data["n_frames"]  # shapes of the whole arrays
    assert np.array(data["landmarks_px"], float).shape == (n, 33, 3)
    assert np.array(data["joints_m"], float).shape == (n, 33, 3)
    assert np.array(data["occluded"], bool).shape == (n, 33)
    assert len(data["t_s"]) == len(data["stance_side"]) == n
    assert all(len(v) == n for v in data["measures"].values())
    assert np.all(np.diff(np.array(data["t_s"], float)) > 0)
    assert data["movement"] == sample.movement and data["video"] == f"{sample.name}.mp4"
    # only the faults this movement's generator can inject are written; an absent one is 0
    own = set(REGISTRY[sample.movement].faults)
    f = data["params"]["faults"]
    assert set(f) == own | {"side", "reps"}
    injected = {k: v for k, v in dataclasses.asdict(sample.faults).items() if k not in ("side", "reps")}
    assert {k: f.get(k, 0.0) for k in injected} == injected
    assert data["height_px"] == 480 and data["camera"]["view"] == sample.view


def test_schema_rejects_a_broken_truth_file() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text())
    data = json.loads((SAMPLE_DIR / "squat_front_clean.truth.json").read_text())
    data["landmarks_px"][0] = data["landmarks_px"][0][:32]  # a frame with 32 landmarks
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)
    del data["measures"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_sample_named_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="no sample called"):
        sample_named("nope")
    with pytest.raises(ValueError, match="unknown movement"):
        Sample("x", "cartwheel", "front")


def _worst_frame_psnr_db(a: Path, b: Path) -> float:
    """Lowest per-frame PSNR between two clips' decoded frames (dB); -inf when the frame counts differ."""
    new, old = _frames(a), _frames(b)
    if new.shape != old.shape:
        return float("-inf")
    mse = ((new.astype(np.float64) - old) ** 2).mean(axis=(1, 2, 3))
    return float((10 * np.log10(255.0**2 / np.maximum(mse, 1e-12))).min())


def test_a_sample_regenerates_from_its_seeds(tmp_path: Path) -> None:
    sample = sample_named("squat_front_clean")
    info = render_sample(sample, tmp_path)
    committed = SAMPLE_DIR / f"{sample.name}.mp4"
    # the truth is pure numpy + JSON: byte for byte
    assert info.truth_path.read_bytes() == committed.with_suffix(".truth.json").read_bytes()
    # pixels survive a codec or library patch release, not a change of the scene
    assert _worst_frame_psnr_db(info.video_path, committed) >= FRAME_PSNR_MIN_DB


def test_a_sample_with_another_seed_does_not_pass_as_regenerated(tmp_path: Path) -> None:
    """The regeneration check can fail: the same sample with its appearance seed changed."""
    sample = sample_named("squat_front_clean")
    info = render_sample(dataclasses.replace(sample, appearance_seed=sample.appearance_seed + 1), tmp_path)
    assert _worst_frame_psnr_db(info.video_path, SAMPLE_DIR / f"{sample.name}.mp4") < FRAME_PSNR_MIN_DB


def test_synth_cli_writes_clip_and_truth(tmp_path: Path) -> None:
    from hipform.cli import main

    out = tmp_path / "c.mp4"
    argv = [
        "synth",
        "single-leg-balance",
        "--fault",
        "pelvic_drop=6",
        "--side",
        "left",
        "--view",
        "rear",
        "--reps",
        "1",
        "--fps",
        "15",
        "--height",
        "240",
        "--seed",
        "4",
        "-q",
        "-o",
        str(out),
    ]
    assert main(argv) == 0
    truth = load_truth(out)
    assert truth.movement == "single-leg-balance" and truth.data["camera"]["view"] == "rear"
    assert truth.data["params"]["faults"]["pelvic_drop_deg"] == 6.0
    assert truth.data["params"]["faults"]["side"] == "left"
    key = truth.reps[0]["key_frame"]
    assert truth.measures["pelvic_drop_deg"][key] == pytest.approx(6.0, abs=0.01)
    assert out.stat().st_size > 1000


@pytest.mark.parametrize(
    "argv",
    [
        ["synth", "squat", "--fault", "pelvic_drop=5"],  # a bilateral squat has no stance leg
        ["synth", "squat", "--fault", "wobble=5"],  # unknown fault
        ["synth", "squat", "--fault", "knee_collapse=lots"],  # not a number
        ["synth", "bridge", "--fault", "knee_collapse=12"],  # no knee FPPA lying down
    ],
)
def test_synth_cli_rejects_impossible_requests(argv: list[str], tmp_path: Path) -> None:
    from hipform.cli import main

    try:
        code = main([*argv, "-q", "-o", str(tmp_path / "x.mp4")])
    except SystemExit as exc:  # argparse
        code = exc.code
    assert code == 2
    assert not (tmp_path / "x.mp4").exists()


# ------------------------------------------------------------------------------------ pipeline (slow)

KNOWN_PELVIS = (
    "MediaPipe reports the rendered hips nearly level under a 10° pelvic drop (measured obliquity "
    "0–2°, docs/accuracy.md): pelvic drop is not recovered"
)


@cache
def _analysed(sample: Sample, tmp: str):
    from hipform.kinematics import analyse
    from hipform.pose import estimate_pose

    info = render_sample(sample, tmp)
    seq = estimate_pose(info.video_path)
    return seq, analyse(seq, movement=sample.movement), load_truth(info.video_path)


@pytest.fixture(scope="module")
def clip_dir(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("pipeline"))


def _sides(report, fault: str) -> set:
    return {f.side for f in report.flags if f.fault == fault}


#: (sample, fault, sides the flags must be on (None: any)); a rendered clip of each movement with a fault.
FLAGGED = [
    pytest.param(
        Sample(
            "slsq_valgus25",
            "single-leg-squat",
            "front",
            Faults(knee_valgus_deg=25.0, side="right"),
            motion_seed=1,
            appearance_seed=3,
        ),
        "knee_collapse",
        {"right"},
        id="single-leg-squat-valgus25-right",
    ),
    pytest.param(
        Sample(
            "stepup_valgus25",
            "step-up",
            "front",
            Faults(knee_valgus_deg=25.0, side="right"),
            motion_seed=2,
            appearance_seed=7,
        ),
        "knee_collapse",
        {"right"},
        id="step-up-valgus25-right",
    ),
    pytest.param(
        Sample(
            "bridge_arch20", "bridge", "left", Faults(back_arch_deg=20.0), motion_seed=2, appearance_seed=11
        ),
        "back_arch",
        {None},
        id="bridge-arch20",
    ),
    pytest.param(
        Sample(
            "slbridge_arch20",
            "single-leg-bridge",
            "left",
            Faults(back_arch_deg=20.0, side="right"),
            motion_seed=2,
            appearance_seed=13,
        ),
        "back_arch",
        None,
        id="single-leg-bridge-arch20",
    ),
    pytest.param(
        Sample(
            "kickback_arch20",
            "kickback",
            "right",
            Faults(back_arch_deg=20.0, side="right"),
            motion_seed=2,
            appearance_seed=16,
        ),
        "back_arch",
        None,
        id="kickback-arch20",
    ),
    pytest.param(
        Sample(
            "slsq_valgus15",
            "single-leg-squat",
            "front",
            Faults(knee_valgus_deg=15.0, side="right"),
            motion_seed=1,
            appearance_seed=3,
        ),
        "knee_collapse",
        {"right"},
        id="single-leg-squat-valgus15-right",
        marks=pytest.mark.xfail(
            strict=True,
            reason="MediaPipe reads a 15° rendered knee valgus as ~5–7° (bias toward a straight leg), "
            "under the 10° threshold; 25° reads as ~13–14° and is flagged",
        ),
    ),
    pytest.param(
        Sample(
            "slsq_drop10",
            "single-leg-squat",
            "rear",
            Faults(pelvic_drop_deg=10.0, side="right"),
            motion_seed=2,
            appearance_seed=19,
        ),
        "pelvic_drop",
        {"right"},
        id="single-leg-squat-rear-drop10-right",
        marks=pytest.mark.xfail(strict=True, reason=KNOWN_PELVIS),
    ),
    pytest.param(
        Sample(
            "balance_drop10",
            "single-leg-balance",
            "rear",
            Faults(pelvic_drop_deg=10.0, side="right"),
            reps=2,
            motion_seed=2,
            appearance_seed=9,
        ),
        "pelvic_drop",
        {"right"},
        id="single-leg-balance-rear-drop10-right",
        marks=pytest.mark.xfail(strict=True, reason=KNOWN_PELVIS),
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("sample", "fault", "sides"), FLAGGED)
def test_injected_fault_is_flagged(sample: Sample, fault: str, sides: set | None, clip_dir: str) -> None:
    seq, report, truth = _analysed(sample, clip_dir)
    assert seq.detection_rate >= 0.95
    assert len(report.reps) >= len(truth.reps) - 1
    assert report.flags_for(fault), [(f.fault, f.side) for f in report.flags]
    if sides is not None:  # e.g. right valgus: flagged on the right knee only
        assert _sides(report, fault) == sides
    others = {f.fault for f in report.flags} - {fault}
    assert not others, f"unexpected flags {others}"


RUNNING_CLEAN = Sample(
    "running_clean", "running", "rear", reps=8, fps=60.0, motion_seed=2, appearance_seed=17
)
CLEAN = [
    pytest.param(Sample("squat_clean", "squat", "front", motion_seed=1, appearance_seed=3), id="squat"),
    pytest.param(Sample("bridge_clean", "bridge", "left", motion_seed=2, appearance_seed=12), id="bridge"),
    pytest.param(
        Sample(
            "balance_clean",
            "single-leg-balance",
            "front",
            reps=2,
            stance_side="right",
            motion_seed=2,
            appearance_seed=10,
        ),
        id="single-leg-balance",
    ),
    pytest.param(
        RUNNING_CLEAN,
        id="running",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("sample", CLEAN)
def test_clean_clip_has_no_flags(sample: Sample, clip_dir: str) -> None:
    seq, report, truth = _analysed(sample, clip_dir)
    assert seq.detection_rate >= 0.95
    assert report.movement.name == sample.movement
    assert len(report.reps) >= len(truth.reps) - 1 >= 1
    assert not report.flags, [(f.fault, f.side, f.value) for f in report.flags]


@pytest.mark.slow
def test_running_from_the_rear_yields_steps_and_cadence(clip_dir: str) -> None:
    seq, report, truth = _analysed(RUNNING_CLEAN, clip_dir)
    assert seq.detection_rate >= 0.95
    assert len(report.reps) >= len(truth.reps) - 2
    cadence = report.summary.steps.cadence_spm
    steps = [r["t_start_s"] for r in truth.reps]
    true_cadence = 60.0 * (len(steps) - 1) / (steps[-1] - steps[0])
    assert cadence == pytest.approx(true_cadence, abs=5.0)


def test_samples_cli_rejects_unknown_names(tmp_path: Path) -> None:
    from hipform.cli import main

    assert main(["samples", "--only", "no_such_clip", "--out", str(tmp_path), "-q"]) == 2
    assert not list(tmp_path.iterdir())
