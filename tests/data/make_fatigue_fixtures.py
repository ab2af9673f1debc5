"""Render the fatigue-drift test sets and store what MediaPipe finds in them as landmark fixtures.

    python tests/data/make_fatigue_fixtures.py [WORK_DIR]

Two sets of nine single-leg squats on the right leg, filmed from the front (15 frames/s,
360×640), whose right knee collapses (:data:`CLIPS`): ``grows``, more with every rep
(``Faults.grows_over_set``: none in rep 1, 30° in rep 9), as when the set tires the athlete;
``uniform``, 18° in every rep. The tests re-simulate the same motion for its truth
(:func:`motion_for`), so only the landmarks are stored (``tests/data/sls_fatigue_<name>.npz``).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from hipform.synth.athlete import Faults, Motion, MotionParams, simulate
from hipform.synth.clip import camera_for, render_clip

DATA = Path(__file__).resolve().parent
MOVEMENT = "single-leg-squat"
#: Fixture name → the right knee's collapse over the set.
CLIPS = {
    "grows": Faults(knee_valgus_deg=30.0, side="right", grows_over_set=True),
    "uniform": Faults(knee_valgus_deg=18.0, side="right"),
}
REPS = 9
FPS = 15.0
APPEARANCE_SEED = 11


def motion_for(name: str) -> Motion:
    """The simulated motion of fixture ``name`` (deterministic: the same every time)."""
    return simulate(MOVEMENT, MotionParams(reps=REPS, fps=FPS, faults=CLIPS[name]), seed=5)


def main(argv: list[str]) -> None:
    from make_fixture import compact  # the same rounding as every other fixture

    from hipform.pose import estimate_pose
    from hipform.sequence import save_sequence

    work = Path(argv[0]) if argv else Path(tempfile.mkdtemp(prefix="fatigue-"))
    names = argv[1:] or list(CLIPS)
    camera = camera_for(MOVEMENT, "front", width_px=360, height_px=640)
    for name in names:
        clip = work / f"sls_fatigue_{name}.mp4"
        if not clip.exists():
            render_clip(motion_for(name), camera, clip, appearance_seed=APPEARANCE_SEED, view="front")
        out = DATA / f"sls_fatigue_{name}.npz"
        save_sequence(compact(estimate_pose(clip, workers=1)), out)
        print(f"{out}: {out.stat().st_size // 1024} KiB", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
