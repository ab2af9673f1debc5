"""The training log: each saved set's load and effort, sets × reps × load per movement over the
weeks, form per set, and when to add resistance (:mod:`hipform.overload`).

:func:`load_inputs` sits under an analysis saved to History (the set's load in kg or a band's
colour, and its effort as RPE 1–10); :func:`show_training_log` is a section of the History page.
The rows are plain data (:func:`log_rows`), computed without Streamlit.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from hipform.errors import HistoryError
from hipform.history import History
from hipform.overload import BAND_ORDER, SetRecord, suggest
from hipform.webapp import present, tables

#: Effort choices: not rated, then RPE 1–10.
RPE_CHOICES = (None, *range(1, 11))
LOAD_KINDS = ("kg", "band", "none")
LOAD_KIND_NAMES = {"kg": "Weight (kg)", "band": "Resistance band", "none": "Body weight only"}


def _when(s: SetRecord) -> str:
    """The set's day with its ISO week, e.g. ``Mon 2 Mar 2026 (week 10)``."""
    day = s.created_at.astimezone()
    return f"{day:%a} {day.day} {day:%b %Y} (week {day.isocalendar()[1]})"


def log_rows(sets: list[SetRecord]) -> list[dict[str, Any]]:
    """One row per day and load (oldest first): the day and its week, sets × reps, load, effort (RPE
    1–10) and each set's form.

    Sets saved without a load (and those from before the training log) are one row per day, load "–".
    """
    groups: dict[tuple[str, str], list[SetRecord]] = {}
    for s in sorted(sets, key=lambda s: (s.created_at, s.session_id)):
        groups.setdefault((s.created_at.astimezone().date().isoformat(), s.load or "–"), []).append(s)
    rows = []
    for (_, load), group in groups.items():
        reps = ", ".join(str(s.n_reps) for s in group)
        efforts = [f"{s.rpe:g}" for s in group if s.rpe is not None]
        rows.append(
            {
                "Day": _when(group[0]),
                "Sets × reps": f"{len(group)} × {reps}" if len(group) > 1 else f"1 × {reps}",
                "Load": load,
                "Effort (RPE 1–10)": ", ".join(efforts) or "–",
                "Form per set": " · ".join(s.form for s in group),
            }
        )
    return rows


def _save_load(session_id: int) -> None:
    """Button callback: store the set's load and effort as the inputs say."""
    kind = st.session_state.get(f"load_kind_{session_id}", "none")
    kg = st.session_state.get(f"load_kg_{session_id}") if kind == "kg" else None
    band = st.session_state.get(f"load_band_{session_id}") if kind == "band" else None
    rpe = st.session_state.get(f"load_rpe_{session_id}")
    try:
        with History() as hist:
            hist.set_training(session_id, load_kg=kg, band=band, rpe=rpe)
        st.session_state[f"load_saved_{session_id}"] = "Saved to the training log."
    except HistoryError as exc:
        st.session_state[f"load_saved_{session_id}"] = f"Not saved: {exc}"


def load_inputs(session_id: int) -> None:
    """Inputs for a saved set's load (kg or band colour) and effort (RPE 1–10), stored on a click."""
    with st.expander("Load and effort of this set (training log)"):
        c1, c2, c3 = st.columns(3)
        kind = c1.radio("Load", LOAD_KINDS, format_func=LOAD_KIND_NAMES.get, key=f"load_kind_{session_id}")
        if kind == "kg":
            c2.number_input(
                "Kilograms", min_value=0.0, max_value=1000.0, step=2.5, key=f"load_kg_{session_id}"
            )
        elif kind == "band":
            c2.selectbox("Band colour", BAND_ORDER, index=2, key=f"load_band_{session_id}")
        c3.selectbox(
            "Effort (RPE 1–10)",
            RPE_CHOICES,
            format_func=lambda v: "not rated" if v is None else str(v),
            key=f"load_rpe_{session_id}",
            help="How hard the set felt: 10 = nothing left, 7 = about three more reps in reserve.",
        )
        st.button(
            "Save to the training log", key=f"load_save_{session_id}", on_click=_save_load, args=(session_id,)
        )
        said = st.session_state.get(f"load_saved_{session_id}")
        if said:
            st.caption(said)


def show_training_log(hist: History, athlete_id: int) -> None:
    """Per movement: the suggestion for the next set's load, then the log, week by week."""
    st.subheader("Training log")
    movements = hist.movements(athlete_id)
    if not movements:
        st.info("Nothing saved yet.")
        return
    if st.session_state.get("log_movement") not in movements:
        st.session_state.pop("log_movement", None)
    movement = st.selectbox("Movement", movements, format_func=present.movement_name, key="log_movement")
    sets = hist.training_sets(movement, athlete_id)
    advice = suggest(sets)
    {"add": st.success, "broke": st.warning, "lighten": st.warning}.get(advice.kind, st.info)(advice.text)
    tables.show_table(log_rows(sets), "No set saved for this movement yet.")
    st.caption(
        "Form per set: held (no flag), mild flags, or marked flags with what was seen. "
        "Enter a set's load under its analysis."
    )
