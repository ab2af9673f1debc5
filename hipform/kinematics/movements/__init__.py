"""The movements hipform checks: one module each, one :class:`Movement` record per module.

To add a movement, write its module (see ``docs/adding-a-movement.md``) and list it in
:data:`REGISTRY` below; every list of movements in hipform (the CLI's choices, the app's menu,
the live checker, recognition, the fault table) comes from here.
"""

from __future__ import annotations

from hipform.kinematics.faults import FaultRule
from hipform.kinematics.movements import (
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
from hipform.kinematics.movements.spec import (
    Cues,
    LiveCounter,
    Movement,
    Segmentation,
    SegmentContext,
    Window,
)

#: name → movement, in the order menus list them.
REGISTRY: dict[str, Movement] = {
    m.name: m
    for m in (
        bridge.MOVEMENT,
        single_leg_bridge.MOVEMENT,
        kickback.MOVEMENT,
        clamshell.MOVEMENT,
        side_lying_leg_lift.MOVEMENT,
        step_up.MOVEMENT,
        squat.MOVEMENT,
        single_leg_squat.MOVEMENT,
        single_leg_balance.MOVEMENT,
        single_leg_deadlift.MOVEMENT,
        band_walk.MOVEMENT,
        running.MOVEMENT,
    )
}
#: The names of every movement hipform checks.
MOVEMENTS: tuple[str, ...] = tuple(REGISTRY)
#: Movements the live (webcam) checker counts reps for.
LIVE_MOVEMENTS: tuple[str, ...] = tuple(name for name, m in REGISTRY.items() if m.live is not None)


def movement_named(name: str) -> Movement:
    """The movement called ``name``; ValueError naming the choices for an unknown one."""
    try:
        return REGISTRY[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown movement {name!r}; choose one of {', '.join(MOVEMENTS)}") from None


def rules_for(name: str) -> tuple[FaultRule, ...]:
    """The fault rules checked for the movement ``name``; ValueError for an unknown name."""
    return movement_named(name).rules


__all__ = [
    "LIVE_MOVEMENTS",
    "MOVEMENTS",
    "REGISTRY",
    "Cues",
    "LiveCounter",
    "Movement",
    "SegmentContext",
    "Segmentation",
    "Window",
    "movement_named",
    "rules_for",
]
