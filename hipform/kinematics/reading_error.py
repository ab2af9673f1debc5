"""How far a rule's reading can be from the truth: the interval every flag carries.

Each graded measure's error is measured by ``benchmarks/accuracy.py`` in every rep of its
rendered athletes: the report's graded value (read by its rule from MediaPipe's landmarks, with
the standing baseline) minus the truth read by the same rule in the same window from the
renderer's exact joints, once with the camera square to the body and once turned 6–8° off
square. The band a
measure ships with (``reading_errors.json``, written by that benchmark) is the 5th to the 95th
percentile of that error: a flag read as ``value`` has the interval ``[value − high, value −
low]`` for the true size, which held the truth in 90% of the benchmark's readings. The band is
stretched to include zero error: a bias seen on rendered bodies is not assumed of a person (that
would be a calibration fitted on renders), so the interval always holds the reading itself.

An angle the benchmark does not read gets the published error of a 2D angle
read from landmarks instead, symmetric because its bias is unknown: ±1.645 standard errors of
measurement (2D FPPA SEM ~3°, Munro 2012). A ratio the benchmark does not read gets no interval:
hipform's ratios are on scales too different (knee width against standing, leg lengths per second,
shoulder widths) for one published figure, so the flag says nothing about its error rather than
something made up, and keeps its rule's severity.

A flag is *marked* only when its whole interval is past the marked threshold: a reading past
the line whose interval reaches back over it could be a mild fault read high, so it is called
mild (:func:`hipform.plain.interval_words` says why).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from hipform.kinematics.faults import FaultRule
from hipform.kinematics.view import ViewEstimate
from hipform.kinematics.yaw_limits import yaw_error_factor
from hipform.report import Interval

#: The measured bands (written by ``benchmarks/accuracy.py``).
BANDS_FILE = Path(__file__).with_name("reading_errors.json")
#: A front or rear view with the body turned at most this far is read with the square camera's
#: band; the benchmark's turned camera was 6–8° off square. Any other view (turned further, yaw
#: unknown, a side view whose turn cannot be read) takes the wider of the two bands.
SQUARE_MAX_YAW_DEG = 5.0
#: Typical measurement error, one standard error: 2D FPPA SEM ~3° (Munro 2012), the interval of an
#: angle the benchmark does not read; a ratio error of 0.05 [J], used only to scale flag confidence
#: (:func:`hipform.kinematics.grading.flag_confidence`), never as an interval.
MEASUREMENT_ERROR = {"deg": 3.0, "ratio": 0.05}
#: Standard errors either side that hold 90% of a normal error.
_Z90 = 1.645
_FALLBACK_SOURCE = (
    "published measurement error of a 2D angle read from landmarks (±1.645 SEM, FPPA SEM ~3°, Munro 2012)"
)


@dataclass(frozen=True)
class ErrorBand:
    """The spread of a measure's error, read − true: ``low`` and ``high`` its 5th and 95th percentiles.

    Attributes
    ----------
    low, high : the band, in the measure's unit (``low`` ≤ ``high``; negative: reads low).
    source : where the band was measured, in words.
    """

    low: float
    high: float
    source: str

    def widened(self, factor: float) -> ErrorBand:
        """The band ``factor`` times as wide about zero (a larger error of the same shape)."""
        return ErrorBand(self.low * factor, self.high * factor, self.source)


@cache
def _bands_data() -> dict[str, Any]:
    return json.loads(BANDS_FILE.read_text())


@cache
def measured_bands() -> dict[str, dict[str, ErrorBand]]:
    """The benchmark's bands: rule measure → camera (``square``, ``turned``) → :class:`ErrorBand`."""
    data = _bands_data()
    out: dict[str, dict[str, ErrorBand]] = {}
    for measure, entry in data["measures"].items():
        out[measure] = {
            camera: ErrorBand(
                min(band["low"], 0.0),
                max(band["high"], 0.0),
                f"{data['source']}; {band['n']} readings, {camera} camera",
            )
            for camera, band in entry["cameras"].items()
        }
    return out


def error_band(rule: FaultRule, view: ViewEstimate) -> ErrorBand | None:
    """The error band of ``rule``'s measure as this clip was filmed (see the module's notes); None
    for a ratio whose error has not been measured.

    A rule corrected for the body's turn (``max_yaw_deg``) widens it with the turn
    (:func:`hipform.kinematics.yaw_limits.yaw_error_factor`).
    """
    bands = measured_bands().get(rule.measure)
    if bands is None:
        if rule.unit != "deg":
            return None
        half = _Z90 * MEASUREMENT_ERROR[rule.unit]
        band = ErrorBand(-half, half, _FALLBACK_SOURCE)
    elif view.frontal and np.isfinite(view.body_yaw_deg) and abs(view.body_yaw_deg) <= SQUARE_MAX_YAW_DEG:
        band = bands["square"]
    else:
        square, turned = bands["square"], bands["turned"]
        source = f"{_bands_data()['source']}; the wider of the square and turned cameras' bands"
        band = ErrorBand(min(square.low, turned.low), max(square.high, turned.high), source)
    return band.widened(yaw_error_factor(rule, view))


def true_interval(rule: FaultRule, value: Any, view: ViewEstimate) -> Interval | None:
    """Where the true size of ``value`` (read by ``rule`` in this clip; a float or an array of its
    reps) lies, 90% of the time; None where the measure's error is unknown (:func:`error_band`)."""
    band = error_band(rule, view)
    return None if band is None else Interval(value - band.high, value - band.low, band.source)


def judged_severity(rule: FaultRule, value: float, view: ViewEstimate) -> str | None:
    """:meth:`FaultRule.severity` of ``value``, but ``mild`` where its interval reaches back over the
    marked line (None: no fault, or NaN)."""
    severity = rule.severity(value)
    interval = true_interval(rule, value, view)
    if severity == "marked" and interval is not None and not clears_marked(rule, interval):
        return "mild"
    return severity


def clears_marked(rule: FaultRule, interval: Interval) -> Any:
    """The whole interval is past ``rule``'s marked threshold (elementwise for array bounds)."""
    return interval.low >= rule.marked if rule.direction == "above" else interval.high < rule.marked
