"""The app's athletes and History page (streamlit.testing.v1.AppTest on app.py): each athlete's
sessions and trend apart, adding an athlete, relabelling, deleting after a yes, saving to the chosen
athlete.

Histories are filled through hipform.history with a report from synthetic landmarks; only the
last test runs MediaPipe (on the rendered sample clip, marked slow).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from html_tables import tables
from streamlit.testing.v1 import AppTest

from hipform.history import History

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A private hipform home; no sample clips, so the app opens on the upload box (nothing analysed)."""
    samples = tmp_path / "no-samples"
    samples.mkdir()
    monkeypatch.setenv("HIPFORM_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HIPFORM_SAMPLES", str(samples))
    monkeypatch.delenv("HIPFORM_DB", raising=False)
    return tmp_path / "home"


@pytest.fixture
def two_athletes(home, synthetic_report, tmp_path) -> dict[str, list[int]]:
    """Me: two single-leg squats (the first with a kept video); Ana: one, with a better left knee."""
    report = json.loads(json.dumps(synthetic_report.to_dict()))
    better = json.loads(json.dumps(report))
    better["summary"]["measures"]["fppa_deg"]["mean_by_side"]["left"] = 6.0
    video = tmp_path / "drawn.mp4"
    video.write_bytes(b"an annotated video")
    with History() as hist:
        ana = hist.add_athlete("Ana")

        def save(rep: dict, name: str, athlete_id: int | None = None, **kw) -> int:
            return hist.save(rep, source_name=name, file_sha256=name.ljust(64, "0"), width_px=720,
                             height_px=1280, athlete_id=athlete_id, **kw)  # fmt: skip

        me = [save(report, "me-1.mp4", annotated_video=video), save(report, "me-2.mp4")]
        return {"Me": me, "Ana": [save(better, "ana-1.mp4", ana)]}


def run_ok(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def open_history() -> AppTest:
    at = run_ok(AppTest.from_file(APP, default_timeout=120))
    at.sidebar.radio(key="page").set_value("History")
    return run_ok(at)


def athlete_id(at: AppTest, name: str) -> int:
    """The id of the athlete the sidebar's picker calls ``name``."""
    [found] = [i for i, n in at.session_state["athlete_names"].items() if n == name]
    return found


def choose(at: AppTest, name: str) -> AppTest:
    at.sidebar.selectbox(key="athlete").set_value(athlete_id(at, name))
    return run_ok(at)


def trend_sessions(at: AppTest) -> set[int]:
    """The session ids the trend plot shows (each point carries its session's id)."""
    [chart] = at.get("plotly_chart")
    traces = json.loads(chart.proto.spec)["data"]
    return {int(point[0]) for trace in traces for point in trace.get("customdata") or []}


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def test_each_athlete_sees_only_their_sessions_and_trend(two_athletes):
    at = open_history()
    assert at.sidebar.selectbox(key="athlete").options == ["Ana", "Me"]
    assert "2 saved analyses of Me" in captions(at)
    assert [row["Clip"] for row in tables(at)[0]] == ["me-2.mp4", "me-1.mp4"]
    assert trend_sessions(at) == set(two_athletes["Me"])
    choose(at, "Ana")
    assert "1 saved analyses of Ana" in captions(at)
    assert [row["Clip"] for row in tables(at)[0]] == ["ana-1.mp4"]
    assert trend_sessions(at) == set(two_athletes["Ana"])
    assert at.get("download_button")[0].proto.label == "Download Ana's record (ZIP)"
    choose(at, "Me")
    assert trend_sessions(at) == set(two_athletes["Me"])


def test_add_an_athlete_relabel_and_delete_after_a_yes(two_athletes, home):
    at = open_history()
    at.text_input(key="new_athlete_name").input("  Bo ")
    at.button(key="add_athlete").click()
    run_ok(at)
    assert at.sidebar.selectbox(key="athlete").value == athlete_id(at, "Bo")
    assert "Added Bo" in at.success[0].value
    assert "Nothing saved for Bo yet" in at.info[0].value
    choose(at, "Me")
    first, second = two_athletes["Me"]
    # session "second" was Ana's, filmed as a step-up
    at.selectbox(key="fix_session").set_value(second)
    run_ok(at)
    ana = athlete_id(at, "Ana")
    at.selectbox(key=f"fix_athlete_{second}").set_value(ana)
    at.selectbox(key=f"fix_movement_{second}").set_value("step-up")
    at.button(key="relabel").click()
    run_ok(at)
    assert "1 saved analyses of Me" in captions(at) and trend_sessions(at) == {first}
    with History() as hist:
        moved = hist.get(second).summary
        assert (moved.athlete_id, moved.movement) == (ana, "step-up")
        video = Path(hist.get(first).summary.annotated_path)
    assert video.exists()
    at.button(key="delete").click()
    run_ok(at)
    assert "cannot be undone" in at.warning[0].value and video.exists()  # asked, nothing deleted yet
    at.button(key="delete_cancel").click()
    run_ok(at)
    assert not at.warning and video.exists()
    at.button(key="delete").click()
    run_ok(at)
    at.button(key="delete_confirm").click()
    run_ok(at)
    assert f"Session #{first} and its video are deleted" in at.success[0].value
    assert "Nothing saved for Me yet" in at.info[0].value and not video.exists()
    with History() as hist:
        assert hist.get(first) is None and hist.count() == 2


@pytest.mark.slow
def test_an_analysis_is_saved_to_the_chosen_athlete(hipform_home):
    """The app analyses its sample on opening (saved to the default athlete); named again with Ana
    chosen, the new analysis is hers."""
    with History() as hist:
        ana = hist.add_athlete("Ana")
    at = AppTest.from_file(APP, default_timeout=240)
    run_ok(at)
    assert "Saved to Me's history" in captions(at)
    choose(at, "Ana")
    at.selectbox(key="movement").set_value("single-leg-squat")
    run_ok(at)
    assert "Saved to Ana's history" in captions(at)
    with History() as hist:
        [hers] = hist.list_sessions(athlete_id=ana)
        [mine] = hist.list_sessions()
    assert hers.movement == "single-leg-squat" and hers.source_name == mine.source_name
