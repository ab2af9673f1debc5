"""The app's athletes and History page: whose analyses are saved, their trends, corrections and ZIP.

The sidebar's athlete picker (:func:`athlete_picker`) says whose analyses the pages save
(:func:`save_once`) and the History page shows: one athlete at a time, so two people never share
a trend or a comparison. The History page adds athletes, renames them, relabels a session (another
movement, another athlete), deletes one after a confirmation, and offers the athlete's ZIP
(:mod:`hipform.history_export`), made on this computer only when the button is clicked. A saved
analysis takes its set's load and effort, and the page shows the training log
(:mod:`hipform.webapp.training_log`).

Changes run in the buttons' callbacks (before the page is drawn again), so the picker can switch
to a new athlete and every table shows the change at once.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import streamlit as st

from hipform.analysis_job import AnalysisResult, AnalysisSettings
from hipform.errors import HistoryError
from hipform.history import Athlete, History, SessionSummary
from hipform.history_export import athlete_zip, zip_name
from hipform.kinematics.movements import REGISTRY
from hipform.plain import VIEW_WORDS
from hipform.webapp import present, storage, tables, training_log
from hipform.webapp.plots import trend_empty_reason, trend_figure

#: Session-state keys: the chosen athlete's id (the picker's value), the names the picker offers,
#: the analyses saved from this browser session, the session whose deletion awaits a yes, and
#: what the last change said.
ATHLETE_KEY = "athlete"
NAMES_KEY = "athlete_names"
SAVED_KEY = "saved_sessions"
CONFIRM_DELETE_KEY = "confirm_delete"
NOTICE_KEY = "history_notice"


def _plain(text: str) -> str:
    """User text (a name, a note) shown as it is, not as Markdown."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", text)


def chosen_athlete() -> int | None:
    """The athlete chosen in the sidebar; None when History cannot be opened (the default is then used)."""
    return st.session_state.get(ATHLETE_KEY)


def athlete_picker() -> int | None:
    """The sidebar's choice of athlete: whose analyses are saved and shown.

    Shows nothing when History cannot be opened: the History page says why, and an analysis
    says it could not be saved, once each.
    """
    try:
        with History() as hist:
            athletes = hist.athletes()
            default = hist.default_athlete_id()
    except HistoryError:
        return None
    names = {a.id: a.name for a in athletes}
    st.session_state[NAMES_KEY] = names
    if st.session_state.get(ATHLETE_KEY) not in names:  # first run, or another browser renamed the file
        st.session_state[ATHLETE_KEY] = default
    return st.sidebar.selectbox(
        "Athlete",
        list(names),
        format_func=names.get,
        key=ATHLETE_KEY,
        help="Whose analyses are saved and shown. Add athletes on the History page.",
    )


def save_once(
    result: AnalysisResult,
    *,
    file_sha256: str,
    source_name: str,
    analysis_settings: AnalysisSettings,
    origin: str,
) -> None:
    """Save an analysis to the chosen athlete's history, once per clip and settings in this browser
    session, and say whose history holds it; a history that cannot be written is one warning."""
    saved = st.session_state.setdefault(SAVED_KEY, {})
    key = (file_sha256, analysis_settings.key)
    if key not in saved:
        athlete_id = chosen_athlete()
        try:
            session_id = storage.keep_in_history(
                result,
                file_sha256=file_sha256,
                source_name=source_name,
                analysis_settings=analysis_settings,
                origin=origin,
                athlete_id=athlete_id,
            )
        except HistoryError as exc:
            st.warning(f"The analysis could not be saved to the history: {exc}")
            return
        saved[key] = (session_id, athlete_id)
    session_id, athlete_id = saved[key]
    if session_id is not None:
        name = st.session_state.get(NAMES_KEY, {}).get(athlete_id, "the chosen athlete")
        st.caption(
            f"Saved to {_plain(name)}'s history (session #{session_id}); correct it on the History page."
        )
        training_log.load_inputs(session_id)


# ------------------------------------------------------------------ changes (button callbacks)
def _change(action, notice: str) -> None:
    """Run ``action(hist)`` on the history and keep what to say about it for the next draw."""
    try:
        with History() as hist:
            action(hist)
        st.session_state[NOTICE_KEY] = ("success", notice)
    except HistoryError as exc:
        st.session_state[NOTICE_KEY] = ("error", str(exc))


def _add_athlete() -> None:
    name = st.session_state.get("new_athlete_name", "")

    def add(hist: History) -> None:
        st.session_state[ATHLETE_KEY] = hist.add_athlete(name, st.session_state.get("new_athlete_notes", ""))
        st.session_state["new_athlete_name"] = st.session_state["new_athlete_notes"] = ""

    _change(add, f"Added {' '.join(name.split())}: analyses are now saved to their history.")


def _update_athlete(athlete_id: int) -> None:
    name = st.session_state.get(f"edit_name_{athlete_id}", "")
    notes = st.session_state.get(f"edit_notes_{athlete_id}", "")
    _change(lambda hist: hist.update_athlete(athlete_id, name=name, notes=notes), "Saved.")


def _relabel(session_id: int) -> None:
    movement = st.session_state[f"fix_movement_{session_id}"]
    athlete_id = st.session_state[f"fix_athlete_{session_id}"]
    name = st.session_state.get(NAMES_KEY, {}).get(athlete_id, "")
    _change(
        lambda hist: hist.relabel(session_id, movement=movement, athlete_id=athlete_id),
        f"Session #{session_id} is now filed as {present.movement_name(movement).lower()} of {name}.",
    )


def _delete(session_id: int) -> None:
    st.session_state.pop(CONFIRM_DELETE_KEY, None)
    _change(lambda hist: hist.delete(session_id), f"Session #{session_id} and its video are deleted.")
    saved = st.session_state.get(SAVED_KEY, {})
    for key in [k for k, (sid, _) in saved.items() if sid == session_id]:  # analysing it again saves it again
        del saved[key]


def _keep_if_offered(key: str, options: list) -> None:
    """Forget a widget's value that is not among its options (another athlete was chosen)."""
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]


# ------------------------------------------------------------------ the page
def page_history() -> None:
    st.header("History")
    kind, text = st.session_state.pop(NOTICE_KEY, (None, ""))
    if kind == "success":
        st.success(text)
    elif kind == "error":
        st.error(text)
    try:
        with History() as hist:
            athlete = hist.athlete(chosen_athlete() or hist.default_athlete_id()) or hist.athlete(
                hist.default_athlete_id()
            )
            show_athlete(athlete)
            sessions = hist.list_sessions(athlete_id=athlete.id)
            st.caption(
                f"{hist.count(athlete.id)} saved analyses of {_plain(athlete.name)} in {hist.path} "
                "(kept on this computer only)."
            )
            if not sessions:
                st.info(f"Nothing saved for {_plain(athlete.name)} yet: analyse a clip and it appears here.")
                return
            show_sessions(sessions)
            show_trend(hist, athlete)
            training_log.show_training_log(hist, athlete.id)
            show_comparison(hist, sessions)
            correct_or_delete(hist, sessions)
            offer_zip(athlete)
    except HistoryError as exc:
        st.error(str(exc))


def show_athlete(athlete: Athlete) -> None:
    """Who is shown, their notes, and the forms to add an athlete or edit this one."""
    st.subheader(_plain(athlete.name))
    if athlete.notes:
        st.caption(_plain(athlete.notes))
    add, edit = st.columns(2)
    with add.expander("Add an athlete"):
        st.text_input("Name or initials", key="new_athlete_name")
        st.text_area("Notes (optional; they stay on this computer)", key="new_athlete_notes")
        st.button("Add", key="add_athlete", on_click=_add_athlete)
    with edit.expander(f"Rename {athlete.name} or edit the notes"):
        st.text_input("Name or initials", value=athlete.name, key=f"edit_name_{athlete.id}")
        st.text_area("Notes", value=athlete.notes, key=f"edit_notes_{athlete.id}")
        st.button("Save", key="save_athlete", on_click=_update_athlete, args=(athlete.id,))


def session_label(s: SessionSummary) -> str:
    return f"#{s.id} · {s.created_at.astimezone():%Y-%m-%d %H:%M} · {s.source_name}"


def show_sessions(sessions: list[SessionSummary]) -> None:
    """The athlete's saved analyses, newest first, in a table that wraps on a phone."""
    rows = [
        {
            "#": s.id,
            "When": f"{s.created_at.astimezone():%d %b %Y %H:%M}",  # wraps between words on a phone
            "Clip": s.source_name,
            "Movement": f"{present.movement_name(s.movement)} ({VIEW_WORDS.get(s.view, s.view)})",
            "Reps": s.n_reps,
            "Flags": s.n_flags,
        }
        for s in sessions
    ]
    tables.show_table(rows, "No saved analyses.", breakable={"Clip"})


def show_trend(hist: History, athlete: Athlete) -> None:
    st.subheader("Is it getting better?")
    movements = hist.movements(athlete.id)
    _keep_if_offered("trend_movement", movements)
    movement = st.selectbox("Movement", movements, format_func=present.movement_name, key="trend_movement")
    points = hist.trend(movement, athlete.id)
    if points:
        st.plotly_chart(trend_figure(points, movement), width="stretch")
    else:  # never an empty section: say why there is nothing to plot
        n_sessions = len(hist.list_sessions(movement, athlete_id=athlete.id))
        st.info(trend_empty_reason(movement, n_sessions))


def show_comparison(hist: History, sessions: list[SessionSummary]) -> None:
    st.subheader("Compare two sessions")
    ids = [s.id for s in sessions]
    label = {s.id: session_label(s) for s in sessions}
    for key in ("cmp_a", "cmp_b"):
        _keep_if_offered(key, ids)
    c1, c2 = st.columns(2)
    a = c1.selectbox("Earlier", ids, index=min(1, len(ids) - 1), format_func=label.get, key="cmp_a")
    b = c2.selectbox("Later", ids, index=0, format_func=label.get, key="cmp_b")
    rows = hist.compare(a, b)
    no_common = "These sessions have no measure in common."
    tables.show_table(present.compare_rows(rows, "Earlier", "Later"), no_common)
    with st.expander("Annotated videos side by side"):
        for col, sid in zip(st.columns(2), (a, b), strict=True):
            sess = hist.get(sid)
            if sess and sess.summary.annotated_path and Path(sess.summary.annotated_path).exists():
                col.video(sess.summary.annotated_path)
            else:
                col.caption("No video kept for this session.")


def correct_or_delete(hist: History, sessions: list[SessionSummary]) -> None:
    """Relabel a session (movement, athlete) or delete it, after a confirmation."""
    st.subheader("Correct or delete a session")
    by_id = {s.id: s for s in sessions}
    _keep_if_offered("fix_session", list(by_id))
    sid = st.selectbox(
        "Session", list(by_id), format_func=lambda i: session_label(by_id[i]), key="fix_session"
    )
    session = by_id[sid]
    movements = list(REGISTRY)
    names = st.session_state.get(NAMES_KEY) or {a.id: a.name for a in hist.athletes()}
    c1, c2 = st.columns(2)
    c1.selectbox(
        "Movement",
        movements,
        index=movements.index(session.movement) if session.movement in movements else 0,
        format_func=present.movement_name,
        key=f"fix_movement_{sid}",
        help="The measures stay as they were judged; analyse the clip again to judge it as another movement.",
    )
    c2.selectbox(
        "Athlete",
        list(names),
        index=list(names).index(session.athlete_id) if session.athlete_id in names else 0,
        format_func=names.get,
        key=f"fix_athlete_{sid}",
    )
    b1, b2, b3 = st.columns([1, 1, 2])
    b1.button("Save the change", key="relabel", on_click=_relabel, args=(sid,))
    if st.session_state.get(CONFIRM_DELETE_KEY) != sid:
        b2.button(
            "Delete…", key="delete", on_click=st.session_state.__setitem__, args=(CONFIRM_DELETE_KEY, sid)
        )
        return
    video = " and its annotated video" if session.annotated_path else ""
    st.warning(f"Delete session {session_label(session)}{video}? This cannot be undone.")
    b2.button("Yes, delete it", key="delete_confirm", type="primary", on_click=_delete, args=(sid,))
    b3.button("Cancel", key="delete_cancel", on_click=st.session_state.pop, args=(CONFIRM_DELETE_KEY, None))


def _zip_of(athlete_id: int) -> bytes:
    """The athlete's ZIP, made when the download starts (on a thread of its own: its own connection)."""
    with History() as hist:
        return athlete_zip(hist, athlete_id)


def offer_zip(athlete: Athlete) -> None:
    st.subheader("Share")
    st.download_button(
        f"Download {athlete.name}'s record (ZIP)",
        data=lambda: _zip_of(athlete.id),
        file_name=zip_name(athlete, datetime.now(timezone.utc)),
        mime="application/zip",
        key="athlete_zip",
        on_click="ignore",
    )
    st.caption(
        "Each session's report (JSON), a table of the measures with each set's load and effort (CSV) "
        "and any hip-check reports (PDF) "
        f"of {_plain(athlete.name)} only, made on this computer when you click; nothing is sent anywhere, "
        "and the notes stay here."
    )
