"""hipform: a form checker for runners' hip work.

Watches a person exercise on video and says, rep by rep and step by step,
where the knees collapse, the pelvis drops or the lower back arches.

The public API::

    import hipform

    seq = hipform.estimate_pose("squat.mp4")          # MediaPipe landmarks → PoseSequence
    report = hipform.analyse(seq)                      # recognise the movement and judge it → Report
    report = hipform.analyse(seq, movement="squat")    # or name it
    print("\\n".join(report.summary_lines()))

``analyse``, ``estimate_pose`` and ``Report`` load their modules (SciPy, MediaPipe) on first use,
so ``import hipform`` and ``hipform --help`` stay quick.
"""

from typing import Any

from hipform.errors import HipformError
from hipform.landmarks import Landmark
from hipform.sequence import PoseSequence, load_sequence, save_sequence

__version__ = "0.1.0"

#: Public names loaded on first use: name → (module, attribute).
_LAZY = {
    "analyse": ("hipform.kinematics.analysis", "analyse"),
    "AnalysisConfig": ("hipform.kinematics.config", "AnalysisConfig"),
    "estimate_pose": ("hipform.pose", "estimate_pose"),
    "PoseOptions": ("hipform.pose", "PoseOptions"),
    "Report": ("hipform.report", "Report"),
    "MOVEMENTS": ("hipform.kinematics.movements", "MOVEMENTS"),
}

__all__ = [
    "HipformError",
    "Landmark",
    "PoseSequence",
    "load_sequence",
    "save_sequence",
    "__version__",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        module, attr = _LAZY[name]
        value = getattr(import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'hipform' has no attribute {name!r}")
