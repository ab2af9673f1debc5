"""What the side-lying generators share (clamshell, side-lying leg lift): the upper body lying on
its side, which leg is on top, and the pelvis roll seen from the feet.

The athlete lies along y (head towards -y, feet towards +y) on the side opposite the working leg,
so the working leg is on top; lying on the left side (right leg on top) the athlete faces -x.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hipform.synth.movements.common import X, Y, Z, other_side, rotate, side_sign, tile, unit, xz
from hipform.synth.movements.spec import TruthContext

if TYPE_CHECKING:
    from hipform.synth.athlete import BodyProportions


def anterior_of(side: str) -> np.ndarray:
    """The way an athlete lying with the ``side`` leg on top faces (world direction)."""
    return -side_sign(side) * X


def top_and_bottom(ctx: TruthContext, part: str) -> tuple[np.ndarray, np.ndarray]:
    """(T, 3) each: ``part`` (``hip``, ``knee``, ``ankle``, ``shoulder``) of the top (working) and the
    bottom side per frame."""
    top_right = (ctx.work_side == "right")[:, None]
    right, left = ctx.points[f"right_{part}"], ctx.points[f"left_{part}"]
    return np.where(top_right, right, left), np.where(top_right, left, right)


def pelvic_roll_from_start_deg(ctx: TruthContext) -> np.ndarray:
    """(T,) the bottom-hip→top-hip line's angle from vertical seen from the feet (x–z plane),
    positive towards the back, minus its value at the start of the current rep, degrees."""
    hip_t, hip_b = top_and_bottom(ctx, "hip")
    s = np.where(ctx.work_side == "right", 1.0, -1.0)
    line = xz(hip_t - hip_b)  # the bottom hip to the top hip, pointing up
    # positive towards the back (+x with the right leg on top)
    tilt = np.degrees(np.arctan2(s * line[:, 0], line[:, 1]))
    return tilt - tilt[ctx.rep_start]


def upper_body(
    body: BodyProportions, hip_mid: np.ndarray, roll: np.ndarray, anterior: np.ndarray, side: str
) -> dict[str, np.ndarray]:
    """Trunk, head and arms, all rolled with the pelvis: the head rests on the bottom arm, the top
    hand lies on the top thigh."""
    n = len(hip_mid)
    s = side_sign(side)
    # the shoulders are wider than the hips: the trunk rises a little towards them so the bottom
    # shoulder stays on the floor
    up = unit(-Y + 0.10 * Z)

    def rolled(v: np.ndarray) -> np.ndarray:
        return rotate(tile(v, n), Y, s * roll)

    pose = {
        "trunk_up": rolled(up),
        "trunk_fwd": rolled(anterior),
        "head_up": rolled(unit(-Y + 0.2 * Z)),
        "head_fwd": rolled(anterior),
    }
    bottom, top = other_side(side)[0], side[0]
    pose[f"uarm_{bottom}"] = tile(unit(-Y + 0.5 * anterior), n)  # on the floor, under the head
    pose[f"farm_{bottom}"] = tile(unit(0.3 * Y + anterior), n)
    pose[f"uarm_{top}"] = rolled(unit(Y + 0.3 * anterior))  # along the side of the body
    pose[f"farm_{top}"] = rolled(unit(Y + 0.5 * anterior - 0.3 * Z))
    for sd in (bottom, top):
        pose[f"thumb_{sd}"] = tile(Z, n)
    return pose
