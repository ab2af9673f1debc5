"""hipform's app: analyse a clip, review it, film live, and follow progress over time.

Run with ``streamlit run app.py``. This file only lays out widgets and calls
hipform; what it shows is computed in ``hipform.webapp``, ``hipform.analysis_job``,
``hipform.history`` and ``hipform.webcam``. Nothing leaves this machine.
"""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from hipform.analysis_job import (
    MOVEMENT_CHOICES,
    VIEW_HINTS,
    AnalysisResult,
    AnalysisSettings,
    run_analysis,
    view_hint_mismatch,
)
from hipform.cache import estimate_pose_cached, file_digest
from hipform.errors import HipformError
from hipform.limits import Limits
from hipform.plain import glossary_markdown
from hipform.report import save_measures_csv
from hipform.sequence import PoseSequence
from hipform.video import probe_video
from hipform.webapp import downloads, history_page, media, present, storage, tables
from hipform.webapp.hip_check_page import page_hip_check
from hipform.webapp.live_page import page_live
from hipform.webapp.plots import timeline_figure
from hipform.webapp.progress import ProgressTracker
from hipform.webapp.setup_help import FILMING_ANY, FILMING_HEADLINE, advice_for, filming_for, upload_formats

log = logging.getLogger("hipform.app")

PAGES = ("Analyse a clip", "Live webcam", "History", "Hip check")


# ------------------------------------------------------------------ helpers (no layout)
@st.cache_data(show_spinner=False, max_entries=256)
def sample_sha256(path: str, mtime_ns: int, size: int) -> str:
    return file_digest(path)


@st.cache_data(show_spinner=False, max_entries=32)
def pose_cached(file_sha256: str, source_name: str, _path: str) -> PoseSequence:
    """Landmarks of a clip, once per clip bytes: changing the movement does not run the pose model again."""
    limits = Limits.from_env()
    limits.check_video(probe_video(_path), source_name)
    guard = limits.frame_guard(source_name)  # for headers that understate the length
    bar = st.progress(0.0, text="Finding the body…")
    tracker = ProgressTracker(lambda f, text: bar.progress(f, text=text), weights={"pose": 1.0})

    def progress(done: int, total: int) -> None:
        guard(done)
        tracker("pose", done, total)

    try:
        return estimate_pose_cached(_path, progress=progress, digest=file_sha256).seq
    finally:
        bar.empty()


@st.cache_data(show_spinner=False, max_entries=32)
def analyse_cached(
    file_sha256: str,
    settings_key: str,
    source_name: str,
    _path: str,
    _settings: AnalysisSettings,
    _out_dir: str,
) -> AnalysisResult:
    """Analyse once per (clip bytes, settings); a rerun of the script reuses the result."""
    seq = pose_cached(file_sha256, source_name, _path)
    bar = st.progress(0.0, text="Drawing the video…")
    try:
        weights = {"annotate": 0.9, "frames": 0.1}
        tracker = ProgressTracker(lambda f, text: bar.progress(f, text=text), weights=weights)
        return run_analysis(_path, _out_dir, _settings, progress=tracker, source_name=source_name, seq=seq)
    finally:
        bar.empty()


def analyse(
    path: Path, sha: str, source_name: str, settings: AnalysisSettings, origin: str
) -> AnalysisResult | None:
    """Analyse (or fetch from the cache), save to history once, and report problems plainly."""
    # under hipform's home, not beside the database: a history that cannot be opened must not
    # stop the analysis (saving it then fails with a warning below)
    out_dir = storage.annotated_videos_dir()
    try:
        result = analyse_cached(sha, settings.key, source_name, str(path), settings, str(out_dir))
        if result.annotated_path is not None and not result.annotated_path.exists():
            analyse_cached.clear()  # the video was deleted (e.g. from history): make it again
            result = analyse_cached(sha, settings.key, source_name, str(path), settings, str(out_dir))
    except HipformError as exc:
        st.error(str(exc))
        return None
    except Exception:  # a bug: say so plainly, log the details, never show a traceback
        log.exception("analysis failed")
        st.error(
            "Something went wrong inside hipform while analysing this clip. Please report it "
            "(the details are in the terminal that runs the app)."
        )
        return None
    history_page.save_once(
        result, file_sha256=sha, source_name=source_name, analysis_settings=settings, origin=origin
    )
    return result


# ------------------------------------------------------------------ review
def ask_which_movement(report) -> None:
    """Not sure which movement this is: ask, with a button per candidate, before judging anything."""
    mv = report.movement
    st.warning(report.not_assessed[0].reason if report.not_assessed else "Not judged.")
    if mv.status == "unsure":
        st.write("Which movement is it? hipform judges the clip once you say.")
        cols = st.columns(len(mv.candidates) + 1)
        for col, name in zip(cols, mv.candidates, strict=False):
            col.button(
                f"It's a {present.movement_name(name).lower()}",
                key=f"confirm_{name}",
                on_click=st.session_state.update,
                kwargs={"movement": name},
            )
        cols[-1].write("…or choose it under **Movement** above.")
    else:
        st.write("If it is one of hipform's movements, choose it under **Movement** above.")
    for note in report.notes:
        st.info(note)


def show_results(result: AnalysisResult, settings: AnalysisSettings) -> None:
    report = result.report
    st.markdown(present.headline(report))
    if not report.movement.judged:
        ask_which_movement(report)
        return
    mismatch = view_hint_mismatch(report, settings.view_hint)
    if mismatch:
        st.warning(mismatch)
    for note in report.notes:
        st.info(note)

    statuses = present.fault_statuses(report, checked_only=True)
    cols = st.columns(len(statuses))
    for col, fs in zip(cols, statuses, strict=True):
        colour = {"flagged": "red", "not_flagged": "green", "not_assessed": "orange"}.get(fs.status, "gray")
        col.markdown(f"**{fs.title}**  \n:{colour}[● {fs.text}]")
    for line in present.drift_sentences(report):  # form that got worse over the set (fatigue drift)
        st.warning(f"**Form over the set:** {line}")

    flags = list(report.flags)
    portrait = result.video.height_px > result.video.width_px
    left, right = st.columns([2, 3] if portrait else [3, 2])
    chosen = None
    with right:
        st.subheader("Flags")
        if flags:
            st.markdown("\n".join(f"- {line}" for line in present.flag_sentences(report)))
            chosen = st.selectbox(
                "Show a flag",
                options=list(range(len(flags))),
                key="flag_choice",
                format_func=lambda i: present.flag_title(flags[i]),
            )
            flag = flags[chosen]
            image = result.flag_frames[chosen] if chosen < len(result.flag_frames) else None
            if image:  # within the column at any width (a fixed width overflowed a phone's)
                st.image(image, caption=f"Worst moment: {present.flag_title(flag)}", width="content")
            st.caption(f"{flag.confidence:.0%} sure · what to do: {flag.cue}")
            with st.expander("Numbers, lines and sources (for physios)"):
                st.markdown("\n\n".join(present.flag_details(report)))
        else:
            checked = [fs.status for fs in present.fault_statuses(report) if fs.status != "not_checked"]
            if not report.reps:
                st.warning("No rep was found to judge: see “Not assessed” below for why.")
            elif checked and all(status == "not_assessed" for status in checked):
                # never a green "all good" when nothing could be judged
                st.warning(
                    "Nothing could be judged in this clip: see “Not assessed” for why and what to change."
                )
            elif "not_assessed" in checked:
                st.info(
                    "No fault flagged in what could be judged; some faults could not be assessed (see below)."
                )
            else:
                st.success("No fault flagged in this clip.")
    with left:
        st.subheader("Annotated video")
        if result.annotated_path is not None:
            start = 0.0
            if chosen is not None:
                i = min(max(int(flags[chosen].worst_frame), 0), len(report.t_s) - 1)
                start = max(float(report.t_s[i]) - 1.0, 0.0)
            st.video(str(result.annotated_path), start_time=int(start))

    na = present.clip_not_assessed(report)
    tabs = st.tabs(["Timeline", "Reps", "Left vs right", f"Not assessed ({len(na)})", "Downloads"])
    with tabs[0]:
        st.plotly_chart(timeline_figure(report), width="stretch")
    with tabs[1]:
        tables.show_table(present.rep_rows(report), "No reps found.")
    with tabs[2]:
        tables.show_table(
            present.left_right_rows(report),
            "This movement is judged on both legs together, or no side could be measured.",
        )
    with tabs[3]:
        if not na:
            st.write("Every fault checked for this movement was assessed.")
        for item in na:
            st.markdown(present.not_assessed_text(item, report.movement.name))
            advice = advice_for(report.movement.name, item.fault, item.setup) if item.rep is None else None
            if advice is not None:
                c1, c2 = st.columns([1, 2])
                c1.image(advice.svg, width=260)
                c2.markdown(f"*{advice.title}*\n\n" + "\n".join(f"- {s}" for s in advice.steps))
    with tabs[4]:
        show_downloads(result)
    with st.expander("Glossary: the technical terms, for physios"):
        st.markdown(glossary_markdown(with_keys=False))


def show_downloads(result: AnalysisResult) -> None:
    import json

    stem = Path(media.safe_filename(result.source_name)).stem or "clip"
    report_json = json.dumps(result.report.to_dict(), indent=2, ensure_ascii=False, allow_nan=False)
    c1, c2, c3 = st.columns(3)
    c1.download_button(
        "Report (JSON)",
        report_json,
        file_name=f"{stem}-hipform-report.json",
        mime="application/json",
        key="dl_json",
    )
    with media.scratch_folder() as work:
        save_measures_csv(result.report, work / "measures.csv")
        csv_bytes = (work / "measures.csv").read_bytes()
    c2.download_button(
        "Measures per frame (CSV)",
        csv_bytes,
        file_name=f"{stem}-hipform-measures.csv",
        mime="text/csv",
        key="dl_csv",
    )
    if result.annotated_path is not None and result.annotated_path.exists():
        c3.download_button(
            "Annotated video (MP4)",
            result.annotated_path.read_bytes(),
            file_name=f"{stem}-hipform.mp4",
            mime="video/mp4",
            key="dl_video",
        )
    st.caption(downloads.EXPORT_NOTE)
    exports = downloads.export_downloads(result.seq, result.report, stem)
    for col, d in zip(st.columns(3), exports, strict=False):
        col.download_button(d.label, d.data, file_name=d.file_name, mime=d.mime, key=d.key)
    if len(exports) < len(downloads.EXPORT_LABELS):
        st.caption(downloads.C3D_MISSING_NOTE)


# ------------------------------------------------------------------ pages
def page_analyse() -> None:
    st.header("Analyse a clip")
    samples = media.list_samples()
    c1, c2, c3 = st.columns([2, 1, 1])
    with c1:
        sources = (["Bundled sample"] if samples else []) + ["Upload a clip"]
        source = st.radio("Clip", sources, horizontal=True, key="source")
    with c2:
        movement = st.selectbox(
            "Movement", MOVEMENT_CHOICES, format_func=present.movement_name, key="movement"
        )
    with c3:
        view = st.selectbox(
            "Camera view (optional)", VIEW_HINTS, format_func=lambda v: present.VIEW_NAMES[v], key="view"
        )
    settings = AnalysisSettings(movement=movement, view_hint=view)

    if source == "Bundled sample":
        titles = [s.title for s in samples]
        pick = st.selectbox("Sample clip", range(len(samples)), format_func=lambda i: titles[i], key="sample")
        sample = samples[pick]
        stat = sample.path.stat()
        sha = sample_sha256(str(sample.path), stat.st_mtime_ns, stat.st_size)
        result = analyse(sample.path, sha, sample.path.name, settings, origin="sample")
    else:
        show_how_to_film(movement)
        upload = st.file_uploader(
            f"Upload a clip ({upload_formats()}): the whole body in view, filmed as shown above",
            type=list(media.UPLOAD_TYPES),
            key="upload",
        )
        if upload is None:
            st.info("Choose a clip to analyse. It stays on this computer.")
            return
        result = analyse_upload(upload.name, upload.getvalue(), settings)
    if result is not None:
        show_results(result, settings)


def show_how_to_film(movement: str) -> None:
    """Per camera view of the movement: its diagram and three lines, before anything is uploaded."""
    st.subheader("How to film")
    views = filming_for(movement)
    if not views:
        st.write(FILMING_ANY)
        return
    if movement in FILMING_HEADLINE:
        st.markdown(f"**{FILMING_HEADLINE[movement]}**")
    for view in views:
        c1, c2 = st.columns([1, 2])
        c1.image(view.svg, width=240)
        c2.markdown(f"*{view.title}*\n\n" + "\n".join(f"- {line}" for line in view.lines))


def analyse_upload(
    name: str, data: bytes, settings: AnalysisSettings, origin: str = "upload"
) -> AnalysisResult | None:
    """Save the upload to a private folder, analyse it, and remove it again."""
    work = media.new_scratch_folder()
    try:
        try:
            Limits.from_env().check_size(len(data), media.safe_filename(name))  # before writing it to disk
            path, sha = media.save_upload(data, name, work)
        except HipformError as exc:
            st.error(str(exc))
            return None
        return analyse(path, sha, media.safe_filename(name), settings, origin=origin)
    finally:
        media.remove_scratch_folder(work)


@st.cache_resource
def clean_up_once() -> None:
    """Once per server: remove what sessions that ended part-way left behind."""
    storage.clean_up_leftovers()


def main() -> None:
    st.set_page_config(page_title="hipform", page_icon="🦵", layout="wide")
    clean_up_once()
    st.sidebar.title("hipform")
    st.sidebar.caption("Knee collapse, pelvic drop and back arching, rep by rep. Runs on this computer only.")
    page = st.sidebar.radio("Page", PAGES, key="page")
    history_page.athlete_picker()
    if page == PAGES[0]:
        page_analyse()
    elif page == PAGES[1]:
        page_live(analyse_upload, show_results)
    elif page == PAGES[3]:
        page_hip_check()
    else:
        history_page.page_history()


main()
