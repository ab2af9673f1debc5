"""How the synthetic athlete performs each movement: one generator module per movement.

Each module exports one :class:`MovementGenerator` (``GENERATOR``): the function
that makes the motion, the faults it can inject, and the truth measures only
that movement has. :data:`REGISTRY` collects them
under the names of :data:`hipform.kinematics.movements.REGISTRY`; helpers that
several generators use are in :mod:`hipform.synth.movements.common`.

To add a movement, write its module and list it below (see
``docs/adding-a-movement.md``); :func:`hipform.synth.athlete.simulate` and the
clip maker find it here.
"""

from __future__ import annotations

from hipform.synth.movements import (
    band_walk,
    bridge,
    clamshell,
    kickback,
    running,
    side_lying_leg_lift,
    single_leg_balance,
    single_leg_bridge,
    single_leg_deadlift,
    single_leg_squat,
    squat,
    step_up,
)
from hipform.synth.movements.spec import (
    INJECTABLE_FAULTS,
    KINEMATIC_FAULT,
    SETUP_VIEWS,
    InjectableFault,
    MovementGenerator,
    RawMotion,
    TruthContext,
    assemble,
)

#: movement name → its generator, in the order of :data:`hipform.kinematics.movements.REGISTRY`.
REGISTRY: dict[str, MovementGenerator] = {
    g.name: g
    for g in (
        bridge.GENERATOR,
        single_leg_bridge.GENERATOR,
        kickback.GENERATOR,
        clamshell.GENERATOR,
        side_lying_leg_lift.GENERATOR,
        step_up.GENERATOR,
        squat.GENERATOR,
        single_leg_squat.GENERATOR,
        single_leg_balance.GENERATOR,
        single_leg_deadlift.GENERATOR,
        band_walk.GENERATOR,
        running.GENERATOR,
    )
}

__all__ = [
    "INJECTABLE_FAULTS",
    "KINEMATIC_FAULT",
    "REGISTRY",
    "SETUP_VIEWS",
    "InjectableFault",
    "MovementGenerator",
    "RawMotion",
    "TruthContext",
    "assemble",
]
