"""Progress text for a running analysis: frames done and time left, over all stages."""

from __future__ import annotations

import time
from collections.abc import Callable

from hipform.analysis_job import STAGE_WEIGHTS

STAGE_TEXT = {
    "pose": "Finding the body",
    "annotate": "Drawing the video",
    "frames": "Picking the worst moments",
}


class ProgressTracker:
    """Turns ``(stage, done, total)`` calls into a fraction and a sentence.

    ``weights`` gives each stage's share of the bar, in stage order (default
    :data:`hipform.analysis_job.STAGE_WEIGHTS`). ``show(fraction, text)`` is
    called at most every ``min_interval_s``
    seconds (and always at a stage's last frame), so a progress bar is not
    redrawn for every frame.
    """

    def __init__(
        self,
        show: Callable[[float, str], None],
        min_interval_s: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
        weights: dict[str, float] | None = None,
    ) -> None:
        self._weights = dict(weights or STAGE_WEIGHTS)
        self._show = show
        self._min_interval_s = float(min_interval_s)
        self._clock = clock
        self._t0 = clock()
        self._last_shown = -1e9
        self.fraction = 0.0
        self.text = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        order = list(self._weights)
        before = sum(self._weights[s] for s in order[: order.index(stage)]) if stage in self._weights else 0.0
        weight = self._weights.get(stage, 0.0)
        part = min(done / total, 1.0) if total > 0 else 0.0
        self.fraction = min(max(before + weight * part, self.fraction), 1.0)
        elapsed = self._clock() - self._t0
        text = f"{STAGE_TEXT.get(stage, stage)}: frame {done}" + (f" of {total}" if total > 0 else "")
        if self.fraction >= 0.03 and elapsed > 1.0:
            left = elapsed * (1.0 - self.fraction) / self.fraction
            text += f" · about {_duration(left)} left"
        self.text = text
        now = self._clock()
        if now - self._last_shown >= self._min_interval_s or (total > 0 and done >= total):
            self._last_shown = now
            self._show(self.fraction, text)


def _duration(seconds: float) -> str:
    if seconds < 10:
        return f"{max(seconds, 1):.0f} s"
    if seconds < 90:
        return f"{round(seconds / 5) * 5:.0f} s"
    return f"{seconds / 60:.0f} min"
