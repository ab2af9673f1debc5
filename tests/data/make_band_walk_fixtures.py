"""Render the band-walk test clips and store what MediaPipe finds in them as landmark fixtures.

    python tests/data/make_band_walk_fixtures.py [WORK_DIR]

Five small front-view clips of the rendered athlete (6 steps at 15 frames/s, 360×640): clean, and
one per injected fault on steps 4 and 5, whichever leg leads (:data:`CLIPS`); the tests re-simulate
the same motion for its truth (:func:`motion_for`), so only the landmarks are stored
(``tests/data/band_walk_<name>.npz``).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from hipform.synth.athlete import Faults, Motion, MotionParams, simulate
from hipform.synth.clip import camera_for, render_clip

DATA = Path(__file__).resolve().parent
#: Fixture name → the faults injected (on steps 4 and 5; the first steps are the set's reference).
CLIPS = {
    "clean": Faults(),
    "knees_cave": Faults(knee_valgus_deg=15.0, side="both", reps=(4, 5)),
    "trunk_sway": Faults(trunk_lean_deg=14.0, side="both", reps=(4, 5)),
    "depth_lost": Faults(depth_lost_cm=10.0, side="both", reps=(4, 5)),
    "feet_together": Faults(feet_together_cm=18.0, side="both", reps=(4, 5)),
}
FPS = 15.0


def motion_for(name: str) -> Motion:
    """The simulated motion of fixture ``name`` (deterministic: the same every time)."""
    return simulate("band-walk", MotionParams(reps=6, fps=FPS, faults=CLIPS[name]), seed=3)


def main(argv: list[str]) -> None:
    from make_fixture import compact  # the same rounding as every other fixture

    from hipform.pose import estimate_pose
    from hipform.sequence import save_sequence

    work = Path(argv[0]) if argv else Path(tempfile.mkdtemp(prefix="band-walk-"))
    camera = camera_for("band-walk", "front", width_px=360, height_px=640)
    for i, name in enumerate(CLIPS):
        clip = work / f"band_walk_{name}.mp4"
        if not clip.exists():
            render_clip(motion_for(name), camera, clip, appearance_seed=i, view="front")
        out = DATA / f"band_walk_{name}.npz"
        save_sequence(compact(estimate_pose(clip, workers=1)), out)
        print(f"{out}: {out.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main(sys.argv[1:])
