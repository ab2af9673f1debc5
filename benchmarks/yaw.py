"""How far the body is turned from the camera, and what the turn does to the squat's knee measures.

Clips: rendered squats (the synthetic athlete of :mod:`hipform.synth`) filmed by the samples'
phone-like camera (3.3 m away, 1 m high) turned to known yaws, clean and with one knee caving in
as the weight shifts away from it, four bodies, two frame sizes; each through the real pose model
(landmarks cached by :func:`hipform.cache.estimate_pose_cached`). Then the real front squats in
``../shared/clips``.

Printed and written to ``benchmarks/results/yaw.json``:

- the signed body yaw read from the landmarks (:func:`hipform.kinematics.view.clip_body_yaw_deg`)
  against the camera's, and the width-based view yaw the report has always shown;
- the gain of the per-knee yaw correction (:data:`hipform.kinematics.knee_over_foot.KNEE_YAW_GAIN`)
  fitted on the clean clips, and again with each body held out;
- per |yaw|: each knee's move in over its foot (``knee_medial_shift_rel``, with the shipped
  correction and without any) minus its truth, and the knee-inside-toes ratio's error on the deep
  clips: mean, rms and the worst error toward a false flag;
- the yaw limit: the largest tested |yaw| at which every clean clip's yaw is read inside the
  corrected range (:data:`hipform.kinematics.view.FRONTAL_MAX_YAW_DEG`) with a margin of the
  estimate's worst error, and no clean knee reads as caving in (``knee_medial_shift_rel`` below
  its mild threshold);
- each clip's knee-collapse flags from :func:`hipform.kinematics.analyse`.

Usage::

    python benchmarks/yaw.py     # renders the grid once (~40 clips, ~40 min on 2 busy cores), then ~1 min
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "benchmarks" / "results" / "yaw.json"
SHARED = ROOT.parent / "shared" / "clips"
GRID_DIR = Path.home() / ".cache" / "hipform-bench" / "yaw-grid"
REAL = ("squat_front_knees_sway_in.mov", "squat_front_clean.mov")


@dataclass(frozen=True)
class Clip:
    """One rendered squat: camera yaw (deg, positive toward the athlete's right), seeds, body, faults."""

    name: str
    yaw: float
    seed: int
    depth: float = 100.0
    height_m: float = 1.70
    sex: str = "female"
    frame_px: int = 1280
    weight_shift_m: float = 0.0
    faults: dict = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return not self.faults and not self.weight_shift_m


def grid() -> list[Clip]:
    """The clips: clean squats at 0, ±10, ±20, ±30° (two bodies at 1280 px, two at 480 px), deep ones at
    0, ±15, ±25°, and a knee caving in as the weight shifts away from it (480 px)."""
    clips = []
    for seed, frame, body in (
        (0, 1280, {}),
        (1, 1280, {}),
        (3, 480, {}),
        (4, 480, {"height_m": 1.80, "sex": "male"}),
    ):
        for yaw in (0, 10, -10, 20, -20, 30, -30):
            prefix = "h480_" if frame == 480 else ""
            clips.append(Clip(f"{prefix}clean_d100_y{yaw}_s{seed}", yaw, seed, frame_px=frame, **body))
    for yaw in (0, 15, -15, 25, -25):
        clips.append(Clip(f"clean_d125_y{yaw}_s2", yaw, 2, depth=125.0, height_m=1.85, sex="male"))
    caving = {"knee_valgus_deg": 20.0, "side": "right"}
    for yaw, seed in ((0, 5), (15, 6), (-15, 7)):
        clips.append(
            Clip(
                f"h480_shiftL_valgR20_d100_y{yaw}_s{seed}",
                yaw,
                seed,
                frame_px=480,
                weight_shift_m=-0.06,
                faults=caving,
            )
        )
    clips.append(
        Clip(
            "h480_shiftR_valgL20_d100_y0_s8",
            0,
            8,
            frame_px=480,
            weight_shift_m=0.06,
            faults={**caving, "side": "left"},
        )
    )
    clips.append(Clip("h480_shiftL_d100_y0_s9", 0, 9, frame_px=480, weight_shift_m=-0.10))
    clips.append(
        Clip(
            "h480_shiftL_valgR20_d125_y0_s10",
            0,
            10,
            depth=125.0,
            frame_px=480,
            weight_shift_m=-0.06,
            faults=caving,
        )
    )
    return clips


def motion_of(c: Clip):
    """The athlete's motion of a clip (the same every time: seeded)."""
    from hipform.synth.athlete import BodyProportions, Faults, MotionParams, simulate

    body = BodyProportions.from_height(c.height_m, c.sex)
    params = MotionParams(
        reps=3, depth=c.depth, body=body, weight_shift_m=c.weight_shift_m, faults=Faults(**c.faults)
    )
    return simulate("squat", params, seed=c.seed)


def render_missing(clips: list[Clip]) -> None:
    from hipform.synth.clip import camera_for, render_clip

    GRID_DIR.mkdir(parents=True, exist_ok=True)
    for c in clips:
        path = GRID_DIR / f"{c.name}.mp4"
        if path.exists():
            continue
        cam = camera_for("squat", float(c.yaw))
        if c.frame_px != cam.height_px:
            width = 2 * round(cam.width_px * c.frame_px / cam.height_px / 2)
            cam = camera_for("squat", float(c.yaw), width_px=width, height_px=c.frame_px)
        crf = 26 if c.frame_px == 480 else 23
        render_clip(motion_of(c), cam, path, appearance_seed=c.seed, view=float(c.yaw), crf=crf)
        print(f"rendered {path.name}", flush=True)


def filtered(seq):
    """The landmarks as the analysis measures them (conditioned, low-passed for the squat)."""
    from hipform.kinematics.conditioning import condition_sequence, frame_rate_of, lowpass_conditioned
    from hipform.kinematics.config import AnalysisConfig
    from hipform.kinematics.movements import movement_named

    prepared = lowpass_conditioned(
        condition_sequence(seq, AnalysisConfig()), frame_rate_of(seq), movement_named("squat").cutoff_hz
    )
    return prepared.px, prepared.world


def measure(c: Clip) -> dict:
    """One clip: its yaw readings, each knee's error per rep, the knee-toe ratio's error, its flags."""
    from hipform.cache import estimate_pose_cached
    from hipform.kinematics import analyse
    from hipform.kinematics import knee_over_foot as K
    from hipform.kinematics.view import clip_body_yaw_deg, estimate_view
    from hipform.synth.athlete import true_knee_medial_shift

    seq = estimate_pose_cached(GRID_DIR / f"{c.name}.mp4").seq
    px, world = filtered(seq)
    yaw = clip_body_yaw_deg(px, world)
    motion = motion_of(c)
    true_shift = true_knee_medial_shift(motion)
    # the knee-toe ratio a perfect pose model reads from far in front
    true_toe = K.compute_knee_toe_ratio(
        np.stack([-motion.joints_m[..., 0], -motion.joints_m[..., 2]], axis=-1)
    )
    keys = [r.key_frame for r in motion.reps]
    standing = slice(0, max(3, motion.reps[0].start_frame - 3))
    corrected = K.compute_knee_medial_offset(px, yaw)
    raw = K.compute_knee_medial_offset(px)
    report = analyse(seq, movement="squat")
    return {
        "clip": c.name,
        "camera_yaw_deg": c.yaw,
        "clean": c.clean,
        "depth": c.depth,
        "body_yaw_deg": round(yaw, 2),
        "view_yaw_deg": round(estimate_view(px, world).yaw_deg, 2),
        "travel": K.compute_knee_travel(px)[keys].tolist(),
        "shift_true": true_shift[keys].tolist(),
        "shift_raw": (raw[keys] - np.nanmedian(raw[standing], axis=0)).tolist(),
        "shift_error": (
            corrected[keys] - np.nanmedian(corrected[standing], axis=0) - true_shift[keys]
        ).tolist(),
        "toe_error": (K.compute_knee_toe_ratio(px, yaw)[keys] - true_toe[keys]).tolist(),
        "flags": sorted({(f.measure, f.side or "both") for f in report.flags if f.fault == "knee_collapse"}),
    }


def fit_gain(rows: list[dict]) -> float:
    """Least-squares gain g of ``shift_raw ≈ shift_true · cos ψ ∓ g · travel · sin ψ`` on clean clips."""
    x, y = [], []
    toward_left = np.array([1.0, -1.0])  # lateral for the left knee, medial for the right
    for r in rows:
        psi = np.radians(r["body_yaw_deg"])
        x.append(-toward_left * np.asarray(r["travel"]) * np.sin(psi))
        y.append(np.asarray(r["shift_raw"]) - np.asarray(r["shift_true"]) * np.cos(psi))
    x, y = np.concatenate(x).ravel(), np.concatenate(y).ravel()
    ok = np.isfinite(x) & np.isfinite(y)
    return float(x[ok] @ y[ok] / (x[ok] @ x[ok]))


def by_yaw(rows: list[dict], key: str, worst: str) -> dict:
    """Per |camera yaw|: mean, rms and the worst error of ``key`` toward a false flag (``max``: a knee
    read as further in; ``min``: a knee read as further inside the toes)."""
    out = {}
    for yaw in sorted({abs(r["camera_yaw_deg"]) for r in rows}):
        e = np.concatenate([np.ravel(r[key]) for r in rows if abs(r["camera_yaw_deg"]) == yaw])
        e = e[np.isfinite(e)]
        if e.size:
            w = float(e.max() if worst == "max" else e.min())
            out[str(int(yaw))] = {
                "n": int(e.size),
                "mean": round(float(e.mean()), 3),
                "rms": round(float(np.sqrt(np.mean(e**2))), 3),
                "worst": round(w, 3),
            }
    return out


def yaw_limit(rows: list[dict], mild: float, frontal_max: float) -> tuple[float, float]:
    """(limit, worst yaw-estimate error): the largest tested |yaw| whose clean clips all read their yaw
    within ``frontal_max`` less that error and show no knee at or past ``mild``."""
    clean = [r for r in rows if r["clean"]]
    est_err = max(
        abs(r["body_yaw_deg"] - r["camera_yaw_deg"]) for r in clean if abs(r["camera_yaw_deg"]) < frontal_max
    )
    limit = 0.0
    for yaw in sorted({abs(r["camera_yaw_deg"]) for r in clean}):
        at = [r for r in clean if abs(r["camera_yaw_deg"]) == yaw]
        inside = all(abs(r["body_yaw_deg"]) <= frontal_max - est_err for r in at)
        shifts = np.concatenate(
            [np.ravel(np.asarray(r["shift_error"]) + np.asarray(r["shift_true"])) for r in at]
        )
        if not (inside and np.nanmax(shifts) < mild):
            break
        limit = yaw
    return limit, est_err


def real_clips() -> list[dict]:
    from hipform.cache import estimate_pose_cached
    from hipform.kinematics import analyse
    from hipform.kinematics.view import clip_body_yaw_deg, estimate_view

    out = []
    for name in REAL:
        if not (SHARED / name).exists():
            continue
        seq = estimate_pose_cached(SHARED / name).seq
        px, world = filtered(seq)
        view = estimate_view(px, world)
        report = analyse(seq, movement="squat")
        out.append(
            {
                "clip": name,
                "body_yaw_deg": round(clip_body_yaw_deg(px, world), 1),
                "near_side": view.near_side,
                "view_yaw_deg": round(view.yaw_deg, 1),
                "flags": sorted(
                    {(f.measure, f.side or "both") for f in report.flags if f.fault == "knee_collapse"}
                ),
            }
        )
    return out


def main() -> None:
    from hipform.kinematics import knee_over_foot as K
    from hipform.kinematics.movements import movement_named
    from hipform.kinematics.view import FRONTAL_MAX_YAW_DEG

    clips = grid()
    render_missing(clips)
    rows = [measure(c) for c in clips]
    clean = [
        r for r in rows if r["clean"] and abs(r["body_yaw_deg"]) <= FRONTAL_MAX_YAW_DEG
    ]  # corrected range
    bodies = sorted({r["clip"].rsplit("_s", 1)[1] for r in clean})
    held_out = {b: round(fit_gain([r for r in clean if not r["clip"].endswith(f"_s{b}")]), 3) for b in bodies}
    mild = next(r.mild for r in movement_named("squat").rules if r.measure == "knee_medial_shift_rel")
    limit, est_err = yaw_limit(rows, mild, FRONTAL_MAX_YAW_DEG)
    for r in rows:  # the raw readings' error, for the table
        r["shift_raw_error"] = (np.asarray(r["shift_raw"]) - np.asarray(r["shift_true"])).tolist()
    result = {
        "yaw_estimate": [
            {k: r[k] for k in ("clip", "camera_yaw_deg", "body_yaw_deg", "view_yaw_deg")} for r in rows
        ],
        "yaw_estimate_worst_error_deg": round(est_err, 1),
        "gain_fitted": round(fit_gain(clean), 3),
        "gain_held_out_per_body": held_out,
        "gain_shipped": K.KNEE_YAW_GAIN,
        "knee_shift_error_corrected": by_yaw([r for r in rows if r["clean"]], "shift_error", "max"),
        "knee_shift_error_uncorrected": by_yaw([r for r in rows if r["clean"]], "shift_raw_error", "max"),
        "knee_toe_error_deep": by_yaw(
            [r for r in rows if r["clean"] and r["depth"] > 100], "toe_error", "min"
        ),
        "yaw_limit_deg": limit,
        "flags": {r["clip"]: r["flags"] for r in rows},
        "real": real_clips(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1))
    _print(result, est_err, limit, FRONTAL_MAX_YAW_DEG)


def _print(result: dict, est_err: float, limit: float, frontal_max: float) -> None:
    print(f"body yaw: worst error {est_err:.1f}° on clean clips within ±{frontal_max:.0f}°")
    for r in result["yaw_estimate"]:
        cam, body, width = r["camera_yaw_deg"], r["body_yaw_deg"], r["view_yaw_deg"]
        print(f"  {r['clip']:36} camera {cam:+4.0f}  body {body:+6.1f}  width-based {width:5.1f}")
    fitted, held, shipped = result["gain_fitted"], result["gain_held_out_per_body"], result["gain_shipped"]
    print(f"correction gain: fitted {fitted}, held out per body {held}, shipped {shipped}")
    for key in ("knee_shift_error_corrected", "knee_shift_error_uncorrected", "knee_toe_error_deep"):
        print(key)
        for yaw, e in result[key].items():
            stats = f"mean {e['mean']:+.3f}  rms {e['rms']:.3f}  worst {e['worst']:+.3f}"
            print(f"  |yaw| {yaw:>2}°: n {e['n']:3}  {stats}")
    print(f"yaw limit (largest tested |yaw| with no clean knee read as caving in): {limit:.0f}°")
    for name, flags in result["flags"].items():
        print(f"  {name:36} {flags}")
    for r in result["real"]:
        turn = f"body yaw {r['body_yaw_deg']:+.1f}° ({r['near_side']} side nearer)"
        print(f"real {r['clip']}: {turn}, width-based {r['view_yaw_deg']:.1f}°, flags {r['flags']}")


if __name__ == "__main__":
    main()
