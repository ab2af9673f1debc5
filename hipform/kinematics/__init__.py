"""Kinematics and form flags: from landmark sequences to rep-by-rep judgements (numpy/scipy only).

The movements and their fault rules are imported at once; the analysis and the live analyser
(which load SciPy, about half a second) only when first used, so listing the movements
(``hipform --help``) stays quick.
"""

from typing import Any

from hipform.kinematics.faults import FAULTS, FaultRule
from hipform.kinematics.movements import MOVEMENTS, REGISTRY, Movement, movement_named, rules_for

_LAZY = {
    "AnalysisConfig": "analysis",
    "analyse": "analysis",
    "LiveAnalyser": "live_checker",
    "LiveCue": "live_checker",
}

__all__ = [
    "AnalysisConfig",
    "analyse",
    "FAULTS",
    "MOVEMENTS",
    "REGISTRY",
    "FaultRule",
    "Movement",
    "movement_named",
    "rules_for",
    "LiveAnalyser",
    "LiveCue",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f"hipform.kinematics.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'hipform.kinematics' has no attribute {name!r}")
