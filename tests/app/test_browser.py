"""The app in a real browser: headless Debian Chromium (Playwright) against `streamlit run app.py`.

(a) upload the rendered clip, wait for the results, check the annotated video
    really plays and a flag is listed;
(b) live webcam from Chromium's fake camera (fed the same clip as Y4M): the
    processed frames with the skeleton arrive, cues appear, and a recorded set
    is analysed like an upload.

Screenshots of each step go to test-artifacts/browser/.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from appserver import running_app
from external import playwright_with_chromium

from hipform.annotate import LEFT_RGB, RIGHT_RGB

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

_pw = playwright_with_chromium()  # a skip without Chromium or Playwright, a failure in CI
sync_playwright, PlaywrightTimeout = _pw.sync_playwright, _pw.TimeoutError


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, samples_dir):
    """`streamlit run app.py` on a free localhost port, with a private HIPFORM_HOME."""
    home = tmp_path_factory.mktemp("browser-home")
    log = tmp_path_factory.mktemp("logs") / "streamlit.log"
    with running_app(log, HIPFORM_HOME=str(home), HIPFORM_SAMPLES=str(samples_dir)) as url:
        yield url


@pytest.fixture(scope="module")
def y4m_clip(sample_clip, tmp_path_factory) -> Path:
    """The rendered clip as Y4M, the format Chromium's fake camera reads."""
    import av

    out_path = tmp_path_factory.mktemp("camera") / "camera.y4m"
    with av.open(str(sample_clip)) as src, av.open(str(out_path), "w", format="yuv4mpegpipe") as out:
        stream = None
        for frame in src.decode(video=0):
            if stream is None:
                stream = out.add_stream("rawvideo", rate=30)
                stream.width, stream.height, stream.pix_fmt = frame.width, frame.height, "yuv420p"
            for packet in stream.encode(frame.reformat(format="yuv420p")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return out_path


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def wait_idle(page, timeout_ms: int = 120_000) -> None:
    """Wait until the app's script is not running (Streamlit's status widget gone)."""
    page.wait_for_timeout(300)
    page.locator("[data-testid=stStatusWidget]").wait_for(state="hidden", timeout=timeout_ms)


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the Streamlit selectbox labelled ``label`` and wait for the rerun."""
    wait_idle(page)
    box = page.locator("[data-testid=stSelectbox]").filter(has_text=label).first
    wanted = page.get_by_role("option", name=option, exact=True)
    for _ in range(5):  # the dropdown can close again when a rerun redraws the page
        box.locator("input").click()
        try:
            wanted.wait_for(timeout=3000)
            wanted.click()
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            wait_idle(page)
    page.wait_for_function(
        "([el, v]) => el.querySelector('input') && el.querySelector('input').value === v",
        arg=[box.element_handle(), option], timeout=10_000,
    )
    wait_idle(page)


PLAYS = """async (video) => {
    video.muted = true;
    await video.play();
    const t0 = video.currentTime;
    await new Promise(r => setTimeout(r, 1500));
    return {readyState: video.readyState, t0: t0, t1: video.currentTime, width: video.videoWidth,
            error: video.error && video.error.message};
}"""


def skeleton_pixels(frame_rgb: np.ndarray) -> tuple[int, int]:
    """Pixels in the overlay's left (blue) and right (orange) colours."""
    img = frame_rgb.astype(int)
    near = [(np.abs(img - np.array(c)).sum(axis=2) < 45).sum() for c in (LEFT_RGB, RIGHT_RGB)]
    return int(near[0]), int(near[1])


VIDEO_PIXELS = """(video) => {
    const c = document.createElement('canvas');
    c.width = video.videoWidth; c.height = video.videoHeight;
    const g = c.getContext('2d');
    g.drawImage(video, 0, 0);
    return {w: c.width, h: c.height, data: Array.from(g.getImageData(0, 0, c.width, c.height).data)};
}"""


#: Frames to record from the looping camera clip (305 frames a loop).
RECORD_FRAMES = 360

RECORDED_AT_LEAST = """(n) => {
    const m = document.body.innerText.match(/recording: (\\d+) frames/);
    return m !== null && Number(m[1]) >= n;
}"""


def wait_or_say(locator, page, timeout_ms: int = 300_000) -> None:
    """Wait for ``locator``; when it never comes, fail with what the page said instead."""
    try:
        locator.wait_for(timeout=timeout_ms)
    except PlaywrightTimeout:
        shot(page, "timed-out")
        raise AssertionError(f"{locator} never appeared; the page said:\n{page.inner_text('body')}") from None


def test_upload_review_and_play(app_url, sample_clip):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1300})
        page.goto(app_url)
        page.get_by_text("Annotated video").wait_for(timeout=240_000)  # the app opens on a bundled sample
        wait_idle(page)
        shot(page, "sample-opening")
        page.get_by_text("Upload a clip", exact=True).click()
        choose(page, "Movement", "Single-leg squat")
        page.locator("input[type=file]").set_input_files(str(sample_clip))
        shot(page, "upload-1-working")
        page.get_by_text("Show a flag").wait_for(timeout=240_000)
        page.wait_for_timeout(1500)
        shot(page, "upload-2-results")
        body = page.inner_text("body")
        assert "left knee collapse" in body and "push the knee out" in body
        video = page.locator("video").first
        state = video.evaluate(PLAYS)
        assert state["error"] is None and state["readyState"] >= 2, state
        assert state["t1"] > state["t0"] + 0.3, state  # it really plays
        page.get_by_role("tab", name="Timeline").click()
        page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        shot(page, "upload-3-timeline")
        page.get_by_role("tab", name="Reps").click()
        page.wait_for_timeout(500)
        shot(page, "upload-4-reps")
        page.get_by_text("History", exact=True).click()
        page.get_by_text("Is it getting better?").wait_for(timeout=30_000)
        page.wait_for_timeout(1500)
        shot(page, "upload-5-history")
        body = page.inner_text("body")
        assert "2 saved analyses" in body  # the sample the app opened on, and the upload
        browser.close()


def test_live_webcam_overlay_cues_and_recording(app_url, y4m_clip):
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS + [
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={y4m_clip}",
            ],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1300})
        page.goto(app_url)
        page.get_by_text("Annotated video").wait_for(timeout=240_000)
        wait_idle(page)
        page.get_by_text("Live webcam", exact=True).click()
        page.get_by_text("START").wait_for(timeout=120_000)
        choose(page, "Movement", "Single-leg squat")
        webrtc = page.frame_locator("iframe").first
        webrtc.get_by_role("button", name="START").click()
        # results reach the script (generous bounds: on a busy machine everything here is slow)
        wait_or_say(page.get_by_text("frames skipped to keep up"), page)
        video = webrtc.locator("video").first
        state = video.evaluate(PLAYS)
        assert state["readyState"] >= 2 and state["t1"] > state["t0"] + 0.3, state
        px = video.evaluate(VIDEO_PIXELS)
        frame = np.asarray(px["data"], np.uint8).reshape(px["h"], px["w"], 4)[..., :3]
        left, right = skeleton_pixels(frame)
        assert left > 150 and right > 150, (left, right)  # the skeleton is drawn on what comes back
        shot(page, "live-1-overlay")
        # The camera loops the clip; its reps 1 and 3 read as a left knee collapse (rep 2 reads just
        # under the threshold, in the batch analysis too). Wait for that cue, however long the
        # machine takes to get there, rather than read whatever the list of newest cues holds.
        cues = page.locator("[data-testid=stMarkdownContainer]").filter(has_text="Cues (newest first)")
        wait_or_say(cues.get_by_text(re.compile(r"rep \d+: left knee collapsing — \d+°")).first, page)
        shot(page, "live-2-cues")
        assert "right knee" not in cues.inner_text()
        page.get_by_role("button", name="Start recording").click()
        # a whole loop of the camera's clip and more: at least one of its reps 1 and 3 is in it
        page.wait_for_function(RECORDED_AT_LEAST, arg=RECORD_FRAMES, timeout=300_000)
        shot(page, "live-3-recording")
        page.get_by_role("button", name="Stop and analyse").click()
        wait_or_say(page.get_by_text("Your recorded set"), page, timeout_ms=600_000)
        webrtc.get_by_role("button", name="STOP").click()
        page.wait_for_timeout(1500)
        shot(page, "live-4-recorded-set")
        body = page.inner_text("body")
        reps = re.search(r"Single-leg squat \(you named\) · front view · (\d+) reps", body)
        assert reps and int(reps[1]) >= 2, body  # the recording analysed as the live movement
        assert re.search(r"Rep \d+ · left knee collapse", body) and "push the knee out" in body, body
        browser.close()


def test_the_source_clip_has_no_overlay_colours(sample_clip):
    """Guards the overlay check above: the camera picture itself has few skeleton-coloured pixels."""
    from hipform.video import iter_frames

    for frame in iter_frames(sample_clip):
        if frame.index % 50 == 0:
            left, right = skeleton_pixels(frame.image)
            assert left < 50 and right < 50, (frame.index, left, right)
