"""Storage: hipform deletes only what it made, and a history it cannot use never stops an analysis.

Issue #14 items 2, 4, 8 and 10b. The start-up clean-up and the unopenable history run against the
real app (``streamlit run app.py`` driven by headless Chromium); the locked history against a
second process holding SQLite's write lock.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from appserver import running_app
from external import playwright_with_chromium
from old_history import old_history

from hipform.history import SCHEMA_VERSION, History, HistoryError
from hipform.webapp import media, storage

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip
DAYS_AGO = time.time() - 30 * 24 * 3600


@pytest.fixture(scope="module")
def report() -> dict:
    """A real report (synthetic single-leg squat, left knee collapse) as a dict."""
    from hipform.kinematics import analyse
    from hipform.synth.athlete import Faults, MotionParams, simulate
    from hipform.synth.camera import Camera, pose_sequence_from_joints

    faults = Faults(knee_valgus_deg=20, side="left")
    motion = simulate("single-leg-squat", MotionParams(reps=2, faults=faults))
    seq = pose_sequence_from_joints(motion.joints_m, motion.t_s, Camera.around("front"), motion.fps)
    return json.loads(json.dumps(analyse(seq, movement="single-leg-squat").to_dict()))


def save(hist: History, report: dict, name: str = "a.mp4", **kw) -> int:
    return hist.save(report, source_name=name, file_sha256="0" * 64, width_px=720, height_px=1280, **kw)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_one_sentence(text: str) -> None:
    assert "\n" not in text.strip() and text.strip().endswith("."), text
    assert "Traceback" not in text and "internal error" not in text, text


def make_old(*paths: Path) -> None:
    for p in paths:
        os.utime(p, (DAYS_AGO, DAYS_AGO), follow_symlinks=False)


def schema_3_database(db: Path, report: dict, video_dir: Path) -> Path:
    """A history as hipform kept it before videos were registered: schema 3, its session's video
    beside the database. Returns that video."""
    video = video_dir / "20260301T090000000000-000000000000-0123abcd.mp4"
    video_dir.mkdir(parents=True, exist_ok=True)
    video.write_bytes(os.urandom(5000))
    old_history(db, 3, report, video=video)
    return video


@pytest.fixture
def page() -> Iterator:
    """A headless Chromium page (the test skips without Chromium or Playwright, fails in CI)."""
    sync_api = playwright_with_chromium()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


#: What Streamlit shows instead of the page when the script raised.
APP_FAILED = "This app has encountered an error"


def wait_for_text(page, text: str, timeout_ms: int = 300_000) -> None:
    """Wait until ``text`` shows (or the app fails); fail with what the page said when it does not."""
    either = re.compile(f"{re.escape(text)}|{APP_FAILED}")
    try:
        page.get_by_text(either).first.wait_for(timeout=timeout_ms)
    except Exception:  # timed out: the assertion below says what the page shows
        pass
    if not page.get_by_text(text).count():
        raise AssertionError(f"{text!r} never appeared; the page said:\n{page.inner_text('body')}")


# ------------------------------------------------------------------ 2: start-up deletes only its own
@pytest.mark.slow
@pytest.mark.browser
def test_app_start_up_deletes_only_files_hipform_made(tmp_path, report, page):
    """HIPFORM_DB in a user's folder (as ``~/history.sqlite``), beside their own ``videos/``."""
    user = tmp_path / "user"
    videos = user / "videos"  # the user's own folder (hipform kept videos here before)
    videos.mkdir(parents=True)
    db = user / "history.sqlite"
    legacy_video = schema_3_database(db, report, videos)  # a session of an older hipform
    home = tmp_path / "home"
    scratch = home / "tmp"
    (scratch / "project").mkdir(parents=True)
    (scratch / f"{'0f' * 16}").mkdir()  # named like an old hipform upload folder, but not recorded
    (scratch / f"hipform-{'ab' * 16}").mkdir()  # hipform's name pattern, but no marker: not hipform's
    theirs = [
        videos / "holiday.mp4",
        videos / "20250101T000000000000-aaaaaaaaaaaa.mp4",  # named like an old hipform copy
        videos / "trip.part",
        scratch / "notes.txt",
        scratch / "webcam-1a2b3c4d.mp4",
        scratch / "project" / "data.csv",
        scratch / f"{'0f' * 16}" / "clip.mp4",
        scratch / f"hipform-{'ab' * 16}" / "clip.mp4",
    ]
    for i, f in enumerate(theirs):
        f.write_bytes(os.urandom(1000 + i))
    make_old(*theirs, *scratch.rglob("*"), legacy_video)
    before = {f: sha256(f) for f in [*theirs, legacy_video]}
    ours = media.new_scratch_folder(scratch)  # hipform's: an upload left by a server stopped mid-way
    (ours / "clip.mp4").write_bytes(b"left behind")
    make_old(*ours.rglob("*"), ours)
    samples = tmp_path / "no-samples"  # the app opens on the upload box: nothing is analysed
    samples.mkdir()

    env = {"HIPFORM_HOME": str(home), "HIPFORM_DB": str(db), "HIPFORM_SAMPLES": str(samples)}
    with running_app(tmp_path / "streamlit.log", **env) as url:
        page.goto(url)
        wait_for_text(page, "Choose a clip to analyse")  # drawn after the start-up clean-up
        page.get_by_text("History", exact=True).click()
        wait_for_text(page, "1 saved analyses")  # the old session, migrated, still there
    assert not ours.exists(), "hipform's own stale scratch folder is removed"
    assert {f: sha256(f) for f in before if f.exists()} == before, "a file hipform did not make was changed"
    assert sorted(p.name for p in videos.iterdir()) == sorted(
        [legacy_video.name] + [f.name for f in theirs if f.parent == videos]
    )
    with History(db) as hist:
        assert hist.schema_version == SCHEMA_VERSION
        assert hist.list_sessions()[0].annotated_path == str(legacy_video)


def test_start_up_clean_up_removes_registered_videos_no_session_shows(tmp_path, report, monkeypatch):
    """What the app runs once per server (storage.clean_up_leftovers), without the server."""
    monkeypatch.setenv("HIPFORM_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("HIPFORM_DB", raising=False)
    with History() as hist:
        hist.video_dir.mkdir(parents=True)
        drawn = hist.register_video(hist.video_dir / "0123456789abcdef-squat.mp4")  # never saved
        drawn.write_bytes(b"drawn")
        stranger = hist.video_dir / "holiday.mp4"
        stranger.write_bytes(b"mine")
        make_old(drawn, stranger)
    conn = sqlite3.connect(hist.path)  # registered two hours ago: no save can still be under way
    conn.execute("UPDATE video_files SET registered_at = registered_at - 7200")
    conn.commit()
    conn.close()
    storage.clean_up_leftovers()
    assert not drawn.exists() and stranger.read_bytes() == b"mine"


# ------------------------------------------------------------------ 4: a history that cannot be opened
@pytest.mark.parametrize("kind", ["a folder", "under a file"])
def test_an_unopenable_history_is_one_sentence_with_exit_code_8(tmp_path, monkeypatch, kind):
    if kind == "a folder":
        db = tmp_path / "history.sqlite"
        db.mkdir()
        says = "is a folder, not a file"
    else:
        (tmp_path / "notes.txt").write_text("mine")
        db = tmp_path / "notes.txt" / "history.sqlite"
        says = "is a file, not a folder"
    monkeypatch.setenv("HIPFORM_DB", str(db))
    monkeypatch.setenv("HIPFORM_HOME", str(tmp_path / "home"))
    with pytest.raises(HistoryError) as caught:
        History()
    assert says in str(caught.value) and "HIPFORM_DB" in str(caught.value)
    assert caught.value.exit_code == 8
    assert_one_sentence(str(caught.value))
    storage.clean_up_leftovers()  # the app's start-up carries on
    assert (tmp_path / "notes.txt").read_text() == "mine" if kind != "a folder" else db.is_dir()


@pytest.mark.slow
@pytest.mark.browser
def test_app_with_a_folder_as_history_still_analyses(tmp_path, page):
    from badclips import normal

    samples = tmp_path / "samples"
    samples.mkdir()
    normal(samples)  # a real front-view squat, 36 frames: the app analyses it on opening
    db = tmp_path / "history-folder"
    db.mkdir()
    env = {"HIPFORM_HOME": str(tmp_path / "home"), "HIPFORM_DB": str(db), "HIPFORM_SAMPLES": str(samples)}
    with running_app(tmp_path / "streamlit.log", **env) as url:
        page.goto(url)
        wait_for_text(page, "Annotated video")  # the analysis ran and its result is shown
        body = page.inner_text("body")
        assert "Something went wrong" not in body, body
        assert "knee collapse" in body.lower(), body
        assert body.count("is a folder, not a file") == 1, body  # one sentence about History
        assert "could not be saved to the history" in body
        page.get_by_text("History", exact=True).click()
        wait_for_text(page, "is a folder, not a file")
        body = page.inner_text("body")
        assert "Something went wrong" not in body and body.count("is a folder, not a file") == 1, body
    assert db.is_dir() and not any(db.iterdir())


# ------------------------------------------------------------------ 8: a write-locked history
LOCK_HOLDER = textwrap.dedent(
    """
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    conn.execute("CREATE TABLE writing_now (x)")  # a write under way, never committed
    print("locked", flush=True)
    sys.stdin.readline()
    conn.execute("ROLLBACK")
    """
)


@contextlib.contextmanager
def write_locked(db: Path) -> Iterator[None]:
    """Another process holds the database's write lock (``BEGIN EXCLUSIVE``) inside the block."""
    proc = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield
    finally:
        proc.stdin.close()  # the holder rolls back and ends
        proc.wait(timeout=60)


def assert_busy(exc: HistoryError) -> None:
    text = str(exc)
    assert "busy" in text and "another hipform is writing" in text and "try again" in text, text
    assert "Move it away" not in text and "not a hipform history" not in text, text
    assert exc.exit_code == 8
    assert_one_sentence(text)


def test_a_write_locked_history_is_read_and_a_save_says_busy(tmp_path, report):
    db = tmp_path / "history.sqlite"
    with History(db) as hist:
        save(hist, report)
    with write_locked(db):
        # the lock is held throughout: opening or reading that asked for it would fail as busy
        with History(db, busy_timeout_s=0.5) as hist:
            assert [s.source_name for s in hist.list_sessions()] == ["a.mp4"]
            assert hist.get(1).report == report and hist.trend("single-leg-squat")
            with pytest.raises(HistoryError) as caught:
                save(hist, report, "b.mp4")
    assert_busy(caught.value)
    with History(db) as hist:  # the other write finished: saving works again
        save(hist, report, "b.mp4")
        assert hist.count() == 2


def test_a_migration_waiting_for_the_write_lock_says_busy(tmp_path, report):
    db = tmp_path / "history.sqlite"
    schema_3_database(db, report, tmp_path / "videos")
    with write_locked(db), pytest.raises(HistoryError) as caught:
        History(db, busy_timeout_s=0.5)
    assert_busy(caught.value)
    with History(db) as hist:
        assert hist.schema_version == SCHEMA_VERSION and hist.count() == 1


# ------------------------------------------------------------------ 10b: the user's file name
def test_a_non_video_upload_names_the_users_file(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    samples = tmp_path / "no-samples"
    samples.mkdir()
    monkeypatch.setenv("HIPFORM_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HIPFORM_SAMPLES", str(samples))  # the app opens on the upload box
    monkeypatch.delenv("HIPFORM_DB", raising=False)
    data = b"these are my notes, not a video\n" * 50
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.file_uploader(key="upload").set_value(("holiday notes.mp4", data, "video/mp4"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    [error] = [e.value for e in at.error]
    assert "'holiday notes.mp4' could not be opened as a video" in error, error
    digest = hashlib.sha256(data).hexdigest()
    assert digest[:12] not in error and "hipform-" not in error and str(tmp_path) not in error, error
    assert_one_sentence(error)
