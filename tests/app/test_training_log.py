"""The training log in the app (streamlit.testing.v1.AppTest): a saved set's load and effort entered
under its analysis, and the History page's log with the suggestion for the next load.

The History holds real analyses: MediaPipe landmarks of rendered single-leg squats (tests/data), the
clean sample twice at 20 kg, then nine reps whose right knee collapses more and more at 30 kg.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from html_tables import tables
from streamlit.testing.v1 import AppTest
from training_sets import MONDAY, analysed, save_set

from hipform.history import History

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A private hipform home; no sample clips, so the app opens on the upload box (nothing analysed)."""
    samples = tmp_path / "no-samples"
    samples.mkdir()
    monkeypatch.setenv("HIPFORM_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HIPFORM_SAMPLES", str(samples))
    monkeypatch.delenv("HIPFORM_DB", raising=False)
    return tmp_path / "home"


def run_ok(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def test_the_history_page_shows_the_log_and_where_form_broke(home) -> None:
    clean, collapsing = analysed("single_leg_squat_front_clean"), analysed("sls_fatigue_grows")
    with History() as hist:
        for week, (report, kg, rpe) in enumerate([(clean, 20, 6), (clean, 20, 7), (collapsing, 30, 9)]):
            save_set(hist, report, week, MONDAY + timedelta(weeks=week), kg, rpe)
    at = run_ok(AppTest.from_file(APP, default_timeout=120))
    at.sidebar.radio(key="page").set_value("History")
    run_ok(at)
    assert "Training log" in [h.value for h in at.subheader]
    broke = "Form held at 20 kg; the right knee collapsed at 30 kg"
    assert any(w.value.startswith(broke) for w in at.warning)
    log = next(t for t in tables(at) if t and "Sets × reps" in t[0])
    assert [(r["Day"], r["Sets × reps"], r["Load"], r["Effort (RPE 1–10)"]) for r in log] == [
        ("Mon 2 Mar 2026 (week 10)", "1 × 3", "20 kg", "6"),
        ("Mon 9 Mar 2026 (week 11)", "1 × 3", "20 kg", "7"),
        ("Mon 16 Mar 2026 (week 12)", "1 × 9", "30 kg", "9"),
    ]
    assert log[0]["Form per set"] == "held"
    # the reps past the marked line by more than the FPPA's error (its interval clear of it) are marked
    assert log[2]["Form per set"].startswith("1 marked (the right knee collapsed)")


def _inputs_page(session_id: int) -> None:
    """The inputs under a saved analysis, on a page of their own."""
    from hipform.webapp.training_log import load_inputs

    load_inputs(session_id)


def test_a_saved_set_takes_its_load_and_effort(home) -> None:
    with History() as hist:
        sid = hist.save(
            analysed("single_leg_squat_front_clean"),
            source_name="set.mp4",
            file_sha256="a" * 64,
            width_px=360,
            height_px=640,
        )
    at = run_ok(AppTest.from_function(_inputs_page, args=(sid,), default_timeout=60))
    at.radio(key=f"load_kind_{sid}").set_value("kg")
    run_ok(at)
    at.number_input(key=f"load_kg_{sid}").set_value(22.5)
    at.selectbox(key=f"load_rpe_{sid}").set_value(8)
    at.button(key=f"load_save_{sid}").click()
    run_ok(at)
    assert "Saved to the training log." in [c.value for c in at.caption]
    with History() as hist:
        [s] = hist.list_sessions()
    assert (s.load_kg, s.band, s.rpe) == (22.5, None, 8.0)
    at.radio(key=f"load_kind_{sid}").set_value("band")
    run_ok(at)
    at.selectbox(key=f"load_band_{sid}").set_value("blue")
    at.button(key=f"load_save_{sid}").click()
    run_ok(at)
    with History() as hist:
        [s] = hist.list_sessions()
    assert (s.load_kg, s.band, s.rpe) == (None, "blue", 8.0)
