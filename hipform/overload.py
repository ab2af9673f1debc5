"""Progressive overload: when to add resistance, and where form broke.

Each analysed set (a History session) may carry its load — kilograms, or a resistance band's
colour — and the athlete's effort (RPE 1–10). A *training session* here is one day's sets of one
movement at one load. Its form *held* when no set had a marked flag and its worst set had no
more mild flags than the previous session at that load had; form *broke* when a set had a
marked flag.

The rule (:func:`suggest`), for the newest training session of a movement:

- form broke at a load heavier than one where it held: say so, with the side and the fault
  ("Form held at 20 kg; the right knee collapsed at 30 kg"), and go back to the load that held;
- form broke with no lighter load that held: say where and how, and lighten the load;
- form held in the last two sessions at this load (no marked flag, the same or fewer mild
  flags): suggest adding resistance;
- otherwise: repeat the load.

Pure functions of plain records: History builds the records (:meth:`hipform.history.History.training_sets`),
the app shows the result.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from hipform.plain import fault_seen

#: Resistance bands from light to heavy (the usual colour sequence of latex exercise bands); a
#: colour not listed can be logged but not compared with another.
BAND_ORDER = ("tan", "yellow", "red", "green", "blue", "black", "silver", "gold")
#: A flag as (fault, side); side None: no one side.
FaultSide = tuple[str, str | None]


@dataclass(frozen=True)
class SetRecord:
    """One analysed set for the training log.

    Attributes
    ----------
    session_id : its History session; created_at : when it was analysed (timezone-aware).
    movement : the movement it is filed under; n_reps : reps (steps, holds) found.
    load_kg : the load in kilograms, or None; band : a resistance band's colour, or None.
    rpe : rating of perceived effort, 1–10, or None.
    marked : (fault, side) of each marked flag (side None: no one side).
    mild : (fault, side) of each mild flag.
    """

    session_id: int
    created_at: datetime
    movement: str
    n_reps: int
    load_kg: float | None = None
    band: str | None = None
    rpe: float | None = None
    marked: tuple[FaultSide, ...] = ()
    mild: tuple[FaultSide, ...] = ()

    @property
    def load(self) -> str | None:
        """The load in words (``20 kg``, ``the red band``), or None when none was entered."""
        if self.load_kg is not None:
            return f"{self.load_kg:g} kg"
        return f"the {self.band} band" if self.band else None

    @property
    def form(self) -> str:
        """The set's form in a few words: ``held``, ``2 mild`` or ``1 marked: right knee collapsed``."""
        if self.marked:
            fault, side = Counter(self.marked).most_common(1)[0][0]
            extra = f", {len(self.mild)} mild" if self.mild else ""
            return f"{len(self.marked)} marked ({fault_seen(fault, side)}){extra}"
        return f"{len(self.mild)} mild" if self.mild else "held"


def flags_of(report: dict[str, Any]) -> tuple[tuple[FaultSide, ...], tuple[FaultSide, ...]]:
    """(marked, mild) (fault, side) pairs of a report JSON's flags (``Report.to_dict()``)."""
    flags = report.get("flags") or []
    marked = tuple((f["fault"], f["side"]) for f in flags if f["severity"] == "marked")
    mild = tuple((f["fault"], f["side"]) for f in flags if f["severity"] == "mild")
    return marked, mild


@dataclass(frozen=True)
class TrainingSession:
    """One day's sets of one movement at one load (:func:`training_sessions`)."""

    day: str  # ISO date, local time of the sets
    load: str
    load_kg: float | None
    band: str | None
    sets: tuple[SetRecord, ...] = field(default_factory=tuple)

    @property
    def broke(self) -> bool:
        """A set had a marked flag."""
        return any(s.marked for s in self.sets)

    @property
    def worst_mild(self) -> int:
        """The most mild flags any one set had."""
        return max((len(s.mild) for s in self.sets), default=0)

    @property
    def breaking_fault(self) -> tuple[str, str | None] | None:
        """The (fault, side) of the marked flags seen most often, or None when form did not break."""
        marked = [m for s in self.sets for m in s.marked]
        return Counter(marked).most_common(1)[0][0] if marked else None


def training_sessions(sets: list[SetRecord]) -> list[TrainingSession]:
    """The sets with a load grouped by local day and load, oldest first (sets without a load left out)."""
    groups: dict[tuple[str, str], list[SetRecord]] = {}
    for s in sorted(sets, key=lambda s: (s.created_at, s.session_id)):
        if s.load is None:
            continue
        groups.setdefault((s.created_at.astimezone().date().isoformat(), s.load), []).append(s)
    return [
        TrainingSession(day, load, sets_[0].load_kg, sets_[0].band, tuple(sets_))
        for (day, load), sets_ in groups.items()
    ]


def heavier(a: TrainingSession, b: TrainingSession) -> bool | None:
    """``a``'s load is heavier than ``b``'s; None when they cannot be compared (kg against a band,
    or a band colour not in :data:`BAND_ORDER`)."""
    if a.load_kg is not None and b.load_kg is not None:
        return a.load_kg > b.load_kg
    if a.band in BAND_ORDER and b.band in BAND_ORDER:
        return BAND_ORDER.index(a.band) > BAND_ORDER.index(b.band)
    return None


@dataclass(frozen=True)
class Suggestion:
    """What to do next with one movement's load.

    kind : ``add`` (add resistance), ``broke`` (form broke at a heavier load than one that held),
        ``lighten`` (form broke, no lighter load held), ``repeat`` (stay at this load) or ``none``
        (no set has a load yet).
    text : one sentence for the athlete.
    """

    kind: Literal["add", "broke", "lighten", "repeat", "none"]
    text: str


def suggest(sets: list[SetRecord]) -> Suggestion:
    """The next step for one movement's sets (:mod:`hipform.overload` gives the rule)."""
    sessions = training_sessions(sets)
    if not sessions:
        return Suggestion("none", "Enter the load of a set (kg or band) for a suggestion for the next one.")
    last, earlier = sessions[-1], sessions[:-1]
    if last.broke:
        fault, side = last.breaking_fault or ("", None)
        seen = fault_seen(fault, side)
        held = [s for s in earlier if not s.broke and heavier(last, s)]
        if held:
            return Suggestion(
                "broke",
                f"Form held at {held[-1].load}; {seen} at {last.load}: go back to {held[-1].load} "
                "until it holds for two sessions, then add less.",
            )
        return Suggestion("lighten", f"Form broke at {last.load}: {seen}. Lighten the load until it holds.")
    same = [s for s in earlier if s.load == last.load]
    if same and not same[-1].broke and last.worst_mild <= same[-1].worst_mild:
        return Suggestion(
            "add",
            f"Form held for two sessions at {last.load}: add resistance next time "
            "(a little more weight, or the next band).",
        )
    if same and not same[-1].broke:
        return Suggestion(
            "repeat",
            f"More mild flags than last time at {last.load}: stay at this load until form holds again.",
        )
    return Suggestion("repeat", f"Form held at {last.load}: repeat it once more before adding resistance.")
