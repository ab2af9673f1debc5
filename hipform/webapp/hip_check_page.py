"""The app's "Hip check" page: the guided tests one by one, each judged on upload, then the report.

Each test shows how to film it (steps and a top-down picture of where the camera goes) and an
upload box; an uploaded clip is judged at once (:func:`hipform.hip_check.check_clip`: "that
worked" or "film again because …"). The results stay in the browser session; the report is shown
as HTML and offered as a one-page PDF and as JSON, and can be saved to History under the sidebar's
athlete; the athlete's last saved check is the re-test baseline. Nothing leaves the computer
unless downloaded.
Webcam recording is not offered here: record a test on the Live webcam page, or with a phone, and
upload the clip.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import datetime

import streamlit as st

from hipform.check_report import check_html, check_pdf
from hipform.errors import HipformError, HistoryError
from hipform.hip_check import TESTS, CheckResult, CheckTest, HipCheck, check_clip, compare_checks
from hipform.history import History
from hipform.limits import Limits
from hipform.webapp import history_page, media

#: Session-state key of the results: test key → (clip SHA-256, CheckResult).
RESULTS_KEY = "hip_check_results"


def _results() -> dict[str, tuple[str, CheckResult]]:
    return st.session_state.setdefault(RESULTS_KEY, {})


def judge_upload(test: CheckTest, name: str, data: bytes) -> tuple[str, CheckResult] | None:
    """Save the upload to a private folder, judge it for ``test``, and remove it again."""
    work = media.new_scratch_folder()
    try:
        try:
            Limits.from_env().check_size(len(data), media.safe_filename(name))
            path, sha = media.save_upload(data, name, work)
        except HipformError as exc:
            st.error(str(exc))
            return None
        with st.spinner(f"Judging {media.safe_filename(name)} …"):
            return sha, check_clip(test, path)
    finally:
        media.remove_scratch_folder(work)


def show_test(number: int, test: CheckTest) -> None:
    """One test: how to film it, the upload box, and the verdict on the clip."""
    results = _results()
    done = results.get(test.key)
    mark = "" if done is None else (" ✅" if done[1].judged else " ⚠️")
    with st.expander(f"{number}. {test.title}{mark}", expanded=done is None or not done[1].judged):
        left, right = st.columns([3, 2])
        with left:
            st.markdown("**What to do**\n" + "\n".join(f"1. {step}" for step in test.how_to))
            st.markdown("**Where the camera goes**\n" + "\n".join(f"- {step}" for step in test.camera_steps))
        with right:
            st.image(test.picture_svg, width=260)
        upload = st.file_uploader(
            f"Clip of the {test.title.lower()}",
            type=list(media.UPLOAD_TYPES),
            key=f"hip_check_upload_{test.key}",
        )
        if upload is not None:
            data = upload.getvalue()
            # a rerun of the page sends the same upload again: judge each clip once
            if done is None or done[0] != hashlib.sha256(data).hexdigest():
                got = judge_upload(test, upload.name, data)
                if got is not None:
                    results[test.key] = done = got
        if done is not None:
            result = done[1]
            if result.judged:
                st.success(f"That worked: {result.headline()}.")
                fig = result.key_figure
                if fig is not None:
                    st.caption(fig.describe())
            else:
                st.warning(f"Film again because {result.reason}.")


def current_check(who: str) -> HipCheck:
    """The check so far: every test's latest result; tests without a clip are "not done"."""
    results = _results()
    return HipCheck(
        who=who,
        when=datetime.now().astimezone(),
        results=tuple(
            results[t.key][1]
            if t.key in results
            else CheckResult(test=t, status="not_done", reason="no clip given")
            for t in TESTS
        ),
    )


def last_check(athlete_id: int | None) -> dict | None:
    """The athlete's last saved check (the re-test baseline), or None (none, or History unreadable)."""
    try:
        with History() as hist:
            saved = hist.hip_checks(athlete_id)
    except HistoryError:
        return None
    return saved[0].check if saved else None


def save_to_history(check: HipCheck, pdf: bytes, athlete_id: int | None) -> None:
    """Save the check and its PDF under the sidebar's athlete, saying how it went."""
    try:
        with History() as hist:
            hist.save_check(check.to_dict(), pdf=pdf, athlete_id=athlete_id)
    except HistoryError as exc:
        st.error(str(exc))
        return
    st.success("Saved to History: the next check of this athlete is compared with it.")


def page_hip_check() -> None:
    """The page: who, the eight tests, the report, its downloads, and saving it to History."""
    st.header("Hip check")
    st.write(
        "Eight short tests show whether your hips hold the knees and pelvis steady. Film each one as "
        "shown and upload it: hipform says at once whether it worked or how to film it again. "
        "The clips stay on this computer."
    )
    athlete_id = history_page.chosen_athlete()
    athlete = st.session_state.get(history_page.NAMES_KEY, {}).get(athlete_id, "")
    who = st.text_input("Name or initials (for the report)", key="hip_check_who") or athlete
    for number, test in enumerate(TESTS, start=1):
        show_test(number, test)
    check = current_check(who)
    previous = last_check(athlete_id)
    if previous is not None and check.judged:
        check = replace(check, changes=compare_checks(previous, check.to_dict()))
    st.subheader("Report")
    if not check.judged:
        st.info("The report fills in as the tests are judged.")
    st.html(check_html(check))
    stamp = check.when.strftime("%Y%m%d-%H%M")
    pdf = check_pdf(check)
    c1, c2, c3 = st.columns(3)
    c1.download_button(
        "Download the report (PDF)",
        data=pdf,
        file_name=f"hip-check-{stamp}.pdf",
        mime="application/pdf",
        key="hip_check_pdf",
    )
    c2.download_button(
        "Download the results (JSON)",
        data=json.dumps(check.to_dict(), indent=2, ensure_ascii=False),
        file_name=f"hip-check-{stamp}.json",
        mime="application/json",
        key="hip_check_json",
    )
    if c3.button("Save to History", key="hip_check_save", disabled=not check.judged):
        save_to_history(check, pdf, athlete_id)
