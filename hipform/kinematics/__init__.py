"""Kinematics and form flags: from landmark sequences to rep-by-rep judgements (numpy/scipy only)."""

from hipform.kinematics.analysis import AnalysisConfig, analyze
from hipform.kinematics.faults import FAULT_TABLE, FAULTS, MOVEMENTS, FaultRule
from hipform.kinematics.live import LiveAnalyzer, LiveCue

__all__ = [
    "AnalysisConfig",
    "analyze",
    "FAULT_TABLE",
    "FAULTS",
    "MOVEMENTS",
    "FaultRule",
    "LiveAnalyzer",
    "LiveCue",
]
