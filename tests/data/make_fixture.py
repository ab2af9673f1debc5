"""Make a landmark fixture for the tests from a clip: real MediaPipe landmarks, compactly stored.

    python tests/data/make_fixture.py sample_videos/NAME.mp4 [tests/data/NAME.npz]

Coordinates are rounded to 0.05 px and 0.5 mm (far below the pose model's own noise) so the
compressed file is a third of the size; every landmark is kept.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np

from hipform.pose import estimate_pose
from hipform.sequence import PoseSequence, save_sequence


def compact(seq: PoseSequence) -> PoseSequence:
    """``seq`` with image landmarks rounded to 0.05 px, world to 0.5 mm, visibility to 0.01."""
    return dataclasses.replace(
        seq,
        landmarks_px=np.round(seq.landmarks_px * 20.0) / 20.0,
        world_m=None if seq.world_m is None else np.round(seq.world_m * 2000.0) / 2000.0,
        visibility=np.round(seq.visibility, 2),
    )


def main(argv: list[str]) -> None:
    clip = Path(argv[0])
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).parent / f"{clip.stem}.npz"
    save_sequence(compact(estimate_pose(clip)), out)
    print(f"{out}: {out.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main(sys.argv[1:])
