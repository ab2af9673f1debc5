"""The app, headless (streamlit.testing.v1.AppTest): sample, upload, bad upload, history.

These run MediaPipe on the rendered clip once (the app caches the result for
the rest of the tests in the process), so they are marked slow.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from html_tables import tables
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")

pytestmark = pytest.mark.slow


def new_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=240)


def texts(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption])


def run_ok(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_sample_pick_shows_the_expected_flags(hipform_home):
    at = run_ok(new_app())
    assert at.radio(key="source").value == "Bundled sample"  # opens on a bundled sample
    at.selectbox(key="movement").set_value("single-leg-squat")
    run_ok(at)
    assert not at.error, [e.value for e in at.error]
    md = texts(at)
    assert "**Single-leg squat** (you named)" in md and "3 reps" in md
    options = at.selectbox(key="flag_choice").options
    # the left knee collapses 22° in each of the 3 reps; MediaPipe reads rep 2 at ~8° (under the 10° line)
    assert len(options) >= 2 and all("left knee collapse" in o for o in options), options
    # a plain sentence per flag
    assert md.count("Your left knee caved in by") == len(options), md
    # the physios' details: measure, value, lines and their source, a [J] said in words
    assert md.count("knee frontal plane projection angle (FPPA): **") == len(options), md
    assert "No published cut-off; hipform's judgement" in md and "[J]" not in md
    assert len(at.get("video")) == 1 and len(at.get("image")) == 1  # annotated video and the worst frame
    assert len(at.get("download_button")) == 6  # JSON, CSV, video; TRC, MOT, C3D (docs/export.md)
    # choosing another flag is a rerun from the cache, not a new analysis
    at.selectbox(key="flag_choice").set_value(1)
    run_ok(at)
    assert at.selectbox(key="flag_choice").value == 1 and len(at.get("image")) == 1


def test_upload_is_analysed_and_removed(hipform_home, sample_clip):
    at = run_ok(new_app())
    at.radio(key="source").set_value("Upload a clip")
    at.selectbox(key="movement").set_value("single-leg-squat")
    run_ok(at)
    at.file_uploader(key="upload").set_value(("my squat.mp4", sample_clip.read_bytes(), "video/mp4"))
    run_ok(at)
    assert not at.error, [e.value for e in at.error]
    assert "left knee collapse" in " ".join(at.selectbox(key="flag_choice").options)
    tmp = hipform_home / "tmp"
    assert not tmp.exists() or not any(tmp.iterdir())  # the uploaded copy is gone


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("notes.mp4", b"this is a text file, not a video\n" * 20, "could not be opened as a video"),
        ("empty.mov", b"", "empty"),
    ],
)
def test_bad_upload_gives_one_clear_message(hipform_home, name, data, message):
    at = run_ok(new_app())
    at.radio(key="source").set_value("Upload a clip")
    run_ok(at)
    at.file_uploader(key="upload").set_value((name, data, "video/mp4"))
    run_ok(at)
    assert len(at.error) == 1 and message in at.error[0].value, [e.value for e in at.error]
    # the message names the user's file, never the name the app stored it under (its hash)
    assert f"'{name}'" in at.error[0].value and not re.search(r"[0-9a-f]{16}", at.error[0].value)
    assert not at.get("video")


def test_history_lists_the_saved_session(hipform_home):
    at = run_ok(new_app())
    at.selectbox(key="movement").set_value("single-leg-squat")
    run_ok(at)
    at.sidebar.radio(key="page").set_value("History")
    run_ok(at)
    # the app opened on the sample with the movement recognised, then named: two analyses
    assert "2 saved analyses" in texts(at)
    table = tables(at)[0]  # the sessions, newest first
    assert [row["Clip"] for row in table] == ["single_leg_squat_left_valgus.mp4"] * 2
    assert table[0]["Movement"] == "Single-leg squat (filmed from the front)" and int(table[0]["Flags"]) >= 1
    assert at.selectbox(key="trend_movement").value == "single-leg-squat"
    assert len(at.get("plotly_chart")) == 1  # the trend plot
    # analysing the same clip again does not add a duplicate
    at.sidebar.radio(key="page").set_value("Analyse a clip")
    run_ok(at)
    at.sidebar.radio(key="page").set_value("History")
    run_ok(at)
    assert "2 saved analyses" in texts(at)


def test_an_unsure_movement_is_asked_not_judged(tmp_path, monkeypatch):
    """A real oblique barbell squat that hipform cannot tell from a single-leg squat: no flags, no
    numbers, no History entry until the user says which movement it is; then it is judged."""
    from clipmaker import SHARED_CLIPS
    from external import require_or_skip

    clip = SHARED_CLIPS / "squat_side_barbell.mp4"
    require_or_skip(clip.exists(), f"real clips not found at {SHARED_CLIPS}")
    samples = tmp_path / "samples"
    samples.mkdir()
    (samples / clip.name).symlink_to(clip)
    monkeypatch.setenv("HIPFORM_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("HIPFORM_DB", raising=False)
    monkeypatch.setenv("HIPFORM_SAMPLES", str(samples))
    at = run_ok(new_app())
    md = texts(at)
    assert "Not judged: is this a" in md and "**Squat**" in md and "**Single-leg squat**" in md, md
    assert not at.dataframe and not at.get("plotly_chart")  # no flags table, no timeline
    assert "name it" in " ".join(w.value for w in at.warning)
    [confirm] = [b for b in at.button if b.label == "It's a squat"]
    confirm.click()
    run_ok(at)
    assert at.selectbox(key="movement").value == "squat"
    assert "**Squat** (you named)" in texts(at)
    at.sidebar.radio(key="page").set_value("History")
    run_ok(at)
    assert "1 saved analys" in texts(at)  # only the judged analysis is kept
