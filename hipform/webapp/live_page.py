"""The app's "Live webcam" page: set after set with the camera running, cues on screen and spoken.

The webcam runs through streamlit-webrtc; :class:`hipform.webcam.LiveProcessor` does pose, the
live rep checker and the overlay on the WebRTC worker thread. This page follows the processor's
results on the script thread: the rep counter and the newest rep's cues in large type, the list of
cues, the measured frame rate and, when that rate is below what the movement needs, the warning
to record and analyse instead.

Sets
    "Start recording" starts a set (the live rep count starts again); "Stop and analyse" analyses
    the recording like an upload and adds it to the sets shown below, newest first, while the
    camera keeps running for the next set. Both buttons act in callbacks, before the page is
    drawn, so their enabled states are those of the recording as it now is while the page follows
    the camera (the bug of issue 17: "Stop and analyse" acted after the buttons were drawn, they
    stayed so, and no second set could be started). They are drawn once a set just recorded is
    analysed: a click during the analysis would interrupt it.

Spoken cues
    The browser's own speech synthesis (``speechSynthesis``, offline: no network) says the cues,
    faults only by default. Each cue to say is handed to the page once, with a number; the page
    remembers the highest number said, so a redraw never repeats a cue.
"""

from __future__ import annotations

import html
import json
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from hipform.analysis_job import AnalysisResult, AnalysisSettings
from hipform.kinematics.live_checker import LIVE_MOVEMENTS
from hipform.webapp import media, present
from hipform.webcam import LiveProcessor, SaidCue, default_analyser, make_queued_callback, rtc_configuration

log = logging.getLogger("hipform.app")

#: What is said aloud: the choices of the page's switch, the first the default.
SPEAK_CHOICES = ("Faults", "Every rep", "Off")
#: Newest cues kept in the list on screen.
CUES_LISTED = 8
#: How often the page reads the processor's results, seconds.
POLL_S = 0.2

#: Colours of a cue by kind (fault, good, not judged), readable on light and dark themes.
KIND_COLOURS = {"fault": "#d32f2f", "good": "#2e7d32", "not_judged": "#b26a00"}

# session-state keys
_SETS = "live_sets"
_PENDING = "live_pending"
_SAID = "live_said"
_REPS = "live_reps"
_ERROR = "live_error"
_SPEECH = "live_speech"  # (page token, number of the last cue handed to the page)


@dataclass(frozen=True)
class LiveSet:
    """One recorded and analysed set: its number on the page, movement, time and result (None: failed)."""

    number: int
    movement: str
    recorded_at: str
    result: AnalysisResult | None


# ------------------------------------------------------------------ pure helpers (tested without Streamlit)
def spoken_text(text: str) -> str:
    """A cue as it is said: ``rep 3: knee collapsing — 14°`` → ``Rep 3: knee collapsing, 14 degrees``.

    Speech voices read "°" and dashes unevenly; words and a comma pause read the same everywhere.
    """
    said = text.replace("°", " degrees").replace(" — ", ", ").replace("—", ", ")
    return said[:1].upper() + said[1:]


def to_say(cues: Sequence[SaidCue], choice: str) -> list[SaidCue]:
    """The cues said aloud under ``choice`` (one of :data:`SPEAK_CHOICES`)."""
    if choice == "Off":
        return []
    return [c for c in cues if choice == "Every rep" or c.kind == "fault"]


def speech_html(token: str, numbered: Sequence[tuple[int, str]]) -> str:
    """A page that says each ``(number, text)`` not said before by this app page (``token``).

    It speaks through the app page's ``speechSynthesis`` (this page is a same-origin frame in it),
    so an utterance outlives the frame being redrawn, and keeps there the highest number said.
    """
    data = json.dumps({"token": token, "cues": [[int(n), str(t)] for n, t in numbered]})
    data = data.replace("</", "<\\/")  # the JSON sits inside a <script>
    return f"""<script>
(() => {{
  const data = {data};
  let host = window;
  try {{ if (window.parent && window.parent.speechSynthesis) host = window.parent; }} catch (e) {{}}
  const synth = host.speechSynthesis;
  if (!synth) return;
  let said = host.__hipformSaid;
  if (!said || said.token !== data.token) said = host.__hipformSaid = {{token: data.token, upTo: 0}};
  for (const [n, text] of data.cues) {{
    if (n <= said.upTo) continue;
    said.upTo = n;
    const u = new host.SpeechSynthesisUtterance(text);
    u.lang = "en-GB";
    synth.speak(u);
  }}
}})();
</script>"""


def board_html(reps: int, rep_cues: Sequence[SaidCue]) -> str:
    """The rep counter and the newest rep's cues in large type."""
    lines = "".join(
        f'<div class="hipform-live-cue" style="font-size:2rem;font-weight:600;line-height:1.25;'
        f'color:{KIND_COLOURS.get(c.kind, "inherit")}">{html.escape(c.text)}</div>'
        for c in rep_cues
    )
    return (
        '<div class="hipform-live-board">'
        f'<div class="hipform-live-reps" style="font-size:3.5rem;font-weight:700;line-height:1.1">'
        f"Reps: {int(reps)}</div>{lines}</div>"
    )


def newest_rep_cues(said: Sequence[SaidCue]) -> list[SaidCue]:
    """The cues of the newest rep in ``said`` (oldest first); one cue when it has no rep number."""
    if not said:
        return []
    rep = said[-1].rep
    if rep is None:
        return [said[-1]]
    out = []
    for c in reversed(said):
        if c.rep != rep:
            break
        out.append(c)
    return out[::-1]


# ------------------------------------------------------------------ session
def live_processor(movement: str) -> LiveProcessor:
    """This browser session's processor (made once; pose runs on the WebRTC worker thread)."""
    key = ("live_processor", movement)
    if st.session_state.get("live_key") != key:
        old = st.session_state.get("live_processor")
        if old is not None:
            old.close()
        st.session_state["live_processor"] = LiveProcessor(analyser=default_analyser(movement))
        st.session_state["live_key"] = key
    return st.session_state["live_processor"]


def _start_set(processor: LiveProcessor) -> None:
    """Button callback: record a new set (the live rep count starts again)."""
    if processor.recording:
        return
    processor.start_recording(media.new_scratch_folder() / "webcam.mp4")
    st.session_state[_SAID] = []
    st.session_state[_REPS] = 0


def _stop_set(processor: LiveProcessor, movement: str) -> None:
    """Button callback: finish the recording; the page analyses it when drawn."""
    try:
        done = processor.stop_recording()
    except Exception:  # the recorder's own error (disk full, codec): say so, keep the camera going
        log.exception("recording failed")
        st.session_state[_ERROR] = "The recording could not be finished; the set was not analysed."
        return
    if done is not None:
        st.session_state.setdefault(_PENDING, []).append((str(done[0]), movement))


def _analyse_pending(analyse_upload: Callable[..., AnalysisResult | None], where: DeltaGenerator) -> None:
    """Analyse the sets just recorded and add them to the sets; progress and problems are shown in ``where``.

    A set leaves the queue only once analysed: a rerun that interrupts the analysis starts it again.
    """
    pending: list[tuple[str, str]] = st.session_state.get(_PENDING, [])
    if not pending:
        return
    sets: list[LiveSet] = st.session_state.setdefault(_SETS, [])
    while pending:
        path, movement = Path(pending[0][0]), pending[0][1]
        result = None
        if path.exists():
            name = f"webcam-{time.strftime('%Y%m%d-%H%M%S')}.mp4"
            settings = AnalysisSettings(movement=movement)
            with where:
                note = st.empty()
                note.caption(f"Analysing set {len(sets) + 1} …")
                result = analyse_upload(name, path.read_bytes(), settings, origin="webcam")
                note.empty()
        pending.pop(0)
        media.remove_scratch_folder(path.parent)
        sets.append(LiveSet(len(sets) + 1, movement, time.strftime("%H:%M"), result))


def show_sets(show_results: Callable[[AnalysisResult, AnalysisSettings], None]) -> None:
    """Every analysed set, newest first: the newest in full, the others in a line each per flag."""
    sets: list[LiveSet] = st.session_state.get(_SETS, [])
    if not sets:
        return
    st.subheader("Your sets")
    for i, s in enumerate(reversed(sets)):
        with st.container(border=True, key=f"live_set_{s.number}"):
            st.markdown(f"### Set {s.number} · {present.movement_name(s.movement)} · {s.recorded_at}")
            if s.result is None:
                st.write("This set could not be analysed: the reason was shown when it was recorded.")
            elif i == 0:
                show_results(s.result, AnalysisSettings(movement=s.movement))
            else:
                report = s.result.report
                st.markdown(present.headline(report))
                titles = [present.flag_title(f) for f in report.flags]
                st.markdown("\n".join(f"- {t}" for t in titles) if titles else "No fault flagged.")


# ------------------------------------------------------------------ page
def page_live(
    analyse_upload: Callable[..., AnalysisResult | None],
    show_results: Callable[[AnalysisResult, AnalysisSettings], None],
) -> None:
    """The Live webcam page.

    Parameters
    ----------
    analyse_upload : ``(name, data, settings, origin=...) -> AnalysisResult | None``, the app's
        analysis of an uploaded clip (saved to the history, problems shown).
    show_results : the app's review of one analysed clip.
    """
    from streamlit.components.v1 import html as page_html
    from streamlit_webrtc import WebRtcMode, webrtc_streamer

    st.header("Live webcam")
    st.caption("Video goes from this browser to this computer only. Stand 3–4 m away, whole body in view.")
    c1, c2 = st.columns([1, 2])
    movement = c1.selectbox(
        "Movement",
        LIVE_MOVEMENTS,
        format_func=present.movement_name,
        key="live_movement",
        help="Live cues need the movement named; running and single-leg balance: record and analyse a clip.",
    )
    speak = c1.radio(
        "Say cues aloud",
        SPEAK_CHOICES,
        horizontal=True,
        key="live_speak",
        help="Spoken by this browser's own speech voice: nothing leaves the computer.",
    )
    processor = live_processor(movement)
    try:
        rtc = rtc_configuration()
    except ValueError as exc:
        st.error(str(exc))
        return
    with c2:
        ctx = webrtc_streamer(
            key="live",
            mode=WebRtcMode.SENDRECV,
            rtc_configuration=rtc,
            media_stream_constraints={
                "video": {"width": {"ideal": 640}, "frameRate": {"ideal": 30}},
                "audio": False,
            },
            queued_video_frames_callback=make_queued_callback(processor),
            async_processing=True,
        )
    # the buttons are drawn once a set just recorded is analysed (a click would interrupt the analysis)
    b1, b2 = c1.columns(2)
    start_slot, stop_slot = b1.empty(), b2.empty()
    if st.session_state.get(_ERROR):
        c1.error(st.session_state.pop(_ERROR))
    board = c1.empty()
    slow_box = c1.empty()
    status = c1.empty()
    cues_box = c1.empty()
    # made on every run, so the elements after it keep their places whether a set is analysed or not
    # (a redraw would otherwise show the last run's elements beside this one's until it ends)
    analysis_box = st.container()
    _analyse_pending(analyse_upload, analysis_box)
    start_slot.button(
        "Start recording",
        disabled=processor.recording or not ctx.state.playing,
        key="rec_start",
        on_click=_start_set,
        args=(processor,),
    )
    stop_slot.button(
        "Stop and analyse",
        disabled=not processor.recording,
        key="rec_stop",
        on_click=_stop_set,
        args=(processor, movement),
    )
    show_sets(show_results)
    speech_box = st.empty()

    said: list[SaidCue] = st.session_state.setdefault(_SAID, [])
    token, spoken_upto = st.session_state.setdefault(_SPEECH, (uuid.uuid4().hex, 0))

    def show_cues() -> None:
        board.markdown(
            board_html(st.session_state.get(_REPS, 0), newest_rep_cues(said)), unsafe_allow_html=True
        )
        if said:
            listed = [c.text for c in said[-CUES_LISTED:][::-1]]
            cues_box.markdown("**Cues** (newest first)\n\n" + "\n".join(f"- {t}" for t in listed))

    show_cues()
    warning = None
    while ctx.state.playing:  # the script thread follows the worker's results until the stream stops
        results = processor.drain()
        if results:
            r = results[-1]
            rec = f" · recording: {r.recorded_frames} frames" if r.recording else ""
            status.markdown(
                f"**{r.fps:.0f} frames/s** analysed · {r.frames_dropped} frames skipped to keep up{rec}"
            )
            if r.too_slow != warning:
                warning = r.too_slow
                if warning:
                    slow_box.warning(warning)
                else:
                    slow_box.empty()
            new = [c for res in results for c in res.said]
            if new or r.reps != st.session_state.get(_REPS, 0):
                said.extend(new)
                del said[:-64]  # a long session must not grow it forever
                st.session_state[_REPS] = r.reps
                show_cues()
            numbered = []
            for c in to_say(new, speak):
                spoken_upto += 1
                numbered.append((spoken_upto, spoken_text(c.text)))
            if numbered:
                st.session_state[_SPEECH] = (token, spoken_upto)
                with speech_box:
                    page_html(speech_html(token, numbered), height=0)
        time.sleep(POLL_S)
