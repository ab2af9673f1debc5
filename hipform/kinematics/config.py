"""Settings of the batch analysis."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from hipform.kinematics.signals import MAX_GAP_S, VISIBILITY_MIN


class AnalysisConfig:
    """Settings of :func:`analyse`; defaults follow biomechanics.md.

    Attributes
    ----------
    min_visibility : landmarks below this visibility are masked, [0, 1].
    max_gap_s : gaps up to this long (seconds) are interpolated.
    cutoff_hz : low-pass cut-off override in Hz (None: the movement's own ``cutoff_hz``).
    rep_enter, rep_exit : hysteresis thresholds on the normalised rep signal, 0 ≤ exit < enter ≤ 1.
    fix_lr_swaps : undo frames where the pose model swapped the left and right leg.
    """

    min_visibility: float = VISIBILITY_MIN
    max_gap_s: float = MAX_GAP_S
    cutoff_hz: float | None = None
    rep_enter: float = 0.55
    rep_exit: float = 0.25
    fix_lr_swaps: bool = True

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_visibility <= 1.0:
            raise ValueError(f"min_visibility must be within [0, 1], got {self.min_visibility}")
        if self.max_gap_s < 0:
            raise ValueError(f"max_gap_s must be ≥ 0, got {self.max_gap_s}")
        if self.cutoff_hz is not None and not self.cutoff_hz > 0:
            raise ValueError(f"cutoff_hz must be positive, got {self.cutoff_hz}")
        if not 0.0 <= self.rep_exit < self.rep_enter <= 1.0:
            raise ValueError(f"need 0 ≤ rep_exit < rep_enter ≤ 1, got {self.rep_exit}, {self.rep_enter}")

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> AnalysisConfig:
        """Build from a mapping; unknown keys raise ValueError naming them."""
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown analysis setting(s) {sorted(unknown)}; known: {sorted(known)}")
        return cls(**values)
