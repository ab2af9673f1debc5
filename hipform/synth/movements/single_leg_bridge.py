"""Single-leg bridge: the lower back arches (side view), the free-side hip drops (view from the feet)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hipform.synth.movements.bridge import bridge_motion
from hipform.synth.movements.common import hip_line_deg, yz
from hipform.synth.movements.spec import MovementGenerator, RawMotion, TruthContext

if TYPE_CHECKING:
    from hipform.synth.athlete import MotionParams


def generate(params: MotionParams, rng: np.random.Generator) -> RawMotion:
    """Glute bridge on the working leg, the other leg held straight (see :func:`bridge_motion`)."""
    return bridge_motion(params, rng, single=True)


def hip_line_truth(ctx: TruthContext) -> dict[str, np.ndarray]:
    """``bridge_hip_line_deg`` of the floor leg's side: a drop of the free-side hip does not change it."""
    pick = (ctx.work_side == "left")[:, None]
    sh, hip, knee = (
        np.where(pick, yz(ctx.points[f"left_{k}"]), yz(ctx.points[f"right_{k}"]))
        for k in ("shoulder", "hip", "knee")
    )
    return {"bridge_hip_line_deg": hip_line_deg(sh, hip, knee)}


GENERATOR = MovementGenerator(
    name="single-leg-bridge",
    generate=generate,
    faults=("pelvic_drop_deg", "back_arch_deg"),
    own_truth=hip_line_truth,
)
