"""Every page of the app at phone width (390×844) and desktop width in headless Chromium.

For each page and width: a screenshot (test-artifacts/layout/), no content wider than the
window (nothing sticks out past its right edge unless a scrolling box holds it), no image wider
than its column, no text cut off with an ellipsis, no table cut (wider than its box, or a cell's
text spilling out of it), and no visible text naming an internal measure, fault or status key or
a "[J]" mark. The app opens on the bundled rendered sample (a left knee collapsing), so the
results page has flags to show; two earlier sets with their loads are added to History, so its
comparison and training log have rows.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from appserver import running_app
from test_browser import CHROMIUM, CHROMIUM_ARGS, choose, sync_playwright, wait_idle
from test_plain import INTERNAL
from training_sets import save_set

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "layout"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}

#: What sticks out of the window or its box, found in the page: elements reaching past the window's
#: right edge (unless a box that scrolls sideways holds them), images wider than their parent,
#: table cells or hipform's own text cut with an ellipsis, and cut tables: an HTML table wider than
#: its box (a box that scrolls sideways still hides its right part on a phone), a cell whose text
#: spills out of it, and an st.dataframe whose columns are wider than its box (it draws its cells on
#: a canvas, so the text it cuts is not in the page: the grid's own scroller says it is cut).
#: Hidden elements (closed expanders, other tabs) are skipped.
LAYOUT_PROBLEMS = """() => {
    const width = window.innerWidth;
    const OWN_TEXT = 'td, th, [data-testid=stMarkdownContainer] *, [data-testid=stCaptionContainer] *';
    const visible = (el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && el.checkVisibility && el.checkVisibility();
    };
    const scrolls = (el) => {
        for (let a = el.parentElement; a; a = a.parentElement) {
            const o = getComputedStyle(a).overflowX;
            const boxed = o === 'auto' || o === 'scroll' || o === 'hidden';
            if (boxed && a.getBoundingClientRect().right <= width + 1) return true;
        }
        return false;
    };
    const name = (el) => el.tagName.toLowerCase() + (el.dataset.testid ? `[${el.dataset.testid}]` : '')
        + ': ' + (el.innerText || el.getAttribute('alt') || '').slice(0, 60);
    const out = {overflow: [], images: [], ellipsis: [], tables: [],
                 scrollWidth: document.documentElement.scrollWidth, innerWidth: width};
    const wider = (el, box) => el.scrollWidth > box.clientWidth + 1
        || el.getBoundingClientRect().right > Math.min(box.getBoundingClientRect().right, width) + 1;
    for (const el of document.querySelectorAll('[data-testid=stMain] *')) {
        if (!visible(el)) continue;
        const r = el.getBoundingClientRect();
        if (r.right > width + 1 && !scrolls(el)) out.overflow.push(name(el));
        if (el.tagName === 'IMG' && r.width > el.parentElement.getBoundingClientRect().width + 1)
            out.images.push(name(el));
        // cut text in hipform's own tables and words (Streamlit's uploader hint is its own affair)
        const own = el.matches(OWN_TEXT);
        const cut = getComputedStyle(el).textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1;
        if (own && cut) out.ellipsis.push(name(el));
        if (el.tagName === 'TABLE' && wider(el, el.parentElement)) out.tables.push(name(el));
        if ((el.tagName === 'TD' || el.tagName === 'TH') && el.scrollWidth > el.clientWidth + 1)
            out.tables.push(name(el));
        if (el.dataset.testid === 'stDataFrame') {
            const grid = el.querySelector('.dvn-scroller');
            if (!grid || grid.scrollWidth > grid.clientWidth + 1) out.tables.push(name(el));
        }
    }
    return out;
}"""


PROBLEM_KINDS = ("overflow", "images", "ellipsis", "tables")

#: Height of the app's content: the tallest scrolling box (Streamlit scrolls its main area, not the page).
CONTENT_HEIGHT = """() => Math.max(document.documentElement.scrollHeight,
    ...[...document.querySelectorAll('*')]
        .filter((e) => ['auto', 'scroll'].includes(getComputedStyle(e).overflowY))
        .map((e) => e.scrollHeight))"""


#: Every plot on the page is drawn (Streamlit shows a grey placeholder until plotly has drawn it).
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid=stPlotlyChart]')]
    .every((chart) => !chart.checkVisibility() || chart.querySelector('.main-svg'))
    && !document.querySelector('[data-testid=stSkeleton]')"""


def check_page(page, name: str) -> list[str]:
    """Screenshots of the page at desktop and phone width; what is wrong at either."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.wait_for_timeout(800)  # the layout follows the new width (no rerun)
        # the page scrolls inside the app's own box: a window as tall as its content shows all of it
        height = page.evaluate(CONTENT_HEIGHT)
        page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 8000)})
        page.wait_for_timeout(500)
        page.wait_for_function(CHARTS_DRAWN, timeout=60_000)  # plots drawn, not their placeholders
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"))
        found = page.evaluate(LAYOUT_PROBLEMS)
        if found["scrollWidth"] > found["innerWidth"]:
            problems.append(
                f"{name} at {label}: page {found['scrollWidth']} px wide in {found['innerWidth']}"
            )
        problems += [f"{name} at {label}: {kind} {what}" for kind in PROBLEM_KINDS
                     for what in found[kind]]  # fmt: skip
        text = page.inner_text("[data-testid=stMain]")
        problems += [f"{name} at {label}: shows {key!r}" for key in [*INTERNAL, "[J]"] if key in text]
    page.set_viewport_size(DESKTOP)
    return problems


def add_earlier_sets(home: Path) -> None:
    """Two sets of the analysed sample a week earlier at 20 kg (RPE 6 and 7), and the sample's own
    set at 25 kg (RPE 8): the History page then compares sessions and fills the training log."""
    from hipform.history import History

    with History(home / "history.sqlite", video_dir=home / "videos") as hist:
        (sample,) = hist.list_sessions()
        report = hist.get(sample.id).report
        for number, rpe in ((1, 6), (2, 7)):
            earlier = sample.created_at - timedelta(days=7, minutes=15 - 5 * number)
            save_set(hist, report, number, earlier, load_kg=20, rpe=rpe)
        hist.set_training(sample.id, load_kg=25, rpe=8)


def go_to(page, title: str, wait_for: str) -> None:
    wait_idle(page)
    page.locator("[data-testid=stSidebar]").get_by_text(title, exact=True).click()
    page.get_by_text(wait_for).first.wait_for(timeout=60_000)
    wait_idle(page)


def test_every_page_fits_a_phone_and_speaks_plainly(tmp_path_factory, samples_dir):
    home = tmp_path_factory.mktemp("layout-home")
    log = tmp_path_factory.mktemp("layout-logs") / "streamlit.log"
    with (
        running_app(log, HIPFORM_HOME=str(home), HIPFORM_SAMPLES=str(samples_dir)) as url,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=DESKTOP)
        page.goto(url)
        page.get_by_text("Show a flag").wait_for(timeout=300_000)  # the bundled sample, analysed
        wait_idle(page)
        body = page.inner_text("body")
        assert "Your left knee caved in by" in body and "line for a" in body, body
        problems = check_page(page, "1-results")
        page.get_by_text("Numbers, lines and sources (for physios)").click()
        page.get_by_text("Where the lines come from").first.wait_for()
        assert "No published cut-off; hipform's judgement" in page.inner_text("body")
        problems += check_page(page, "2-results-physio-table")

        page.get_by_text("Upload a clip", exact=True).click()
        page.get_by_text("Choose the movement above to see how to film it").wait_for()  # before the uploader
        wait_idle(page)
        choose(page, "Movement", "Running")
        page.get_by_text(
            "Film from behind for knees and pelvis, from the side for stride and hip extension."
        ).wait_for()
        wait_idle(page)
        body = page.inner_text("body")
        assert "How to film" in body and "From the side (treadmill)" in body
        assert "MP4, MOV, M4V, AVI, WEBM, MKV or GIF" in body  # the label lists what the box takes
        box = page.locator("[data-testid=stFileUploaderDropzoneInstructions]").inner_text().upper()
        assert all(ext in box for ext in ("MP4", "MOV", "M4V", "AVI", "WEBM", "MKV", "GIF")), box
        problems += check_page(page, "3-how-to-film-running")

        go_to(page, "Live webcam", "Live")
        problems += check_page(page, "4-live")
        add_earlier_sets(home)
        go_to(page, "History", "Is it getting better?")
        page.get_by_text("Training log").first.wait_for()
        body = page.inner_text("[data-testid=stMain]").replace("\u00a0", " ")  # "25 kg" stays on one line
        assert "2 × 3, 3" in body and "25 kg" in body  # the training log's rows
        assert "Knee collapse: knee angle in, left (degrees" in body  # the comparison, with its unit
        problems += check_page(page, "5-history")
        go_to(page, "Hip check", "Hip check")
        problems += check_page(page, "6-hip-check")
        browser.close()
    assert not problems, "\n".join(problems)


#: A page with each problem the check must catch, and the same content laid out well.
BROKEN_PAGE = """<div data-testid="stMain" style="width:100%">
  <div style="width:600px">a row wider than a phone</div>
  <div style="width:200px"><img style="width:350px;height:10px" alt="worst frame"></div>
  <table style="table-layout:fixed;width:40px"><tr>
    <td style="width:30px;max-width:30px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis">
      Threshold</td>
  </tr></table>
  <div style="overflow-x:auto;width:300px">
    <table style="width:600px"><tr><td>Later: mean</td></tr></table></div>
  <div data-testid="stDataFrame"><div class="dvn-scroller" style="overflow:auto;width:300px">
    <div style="width:600px;height:10px"></div></div></div>
</div>"""
GOOD_PAGE = """<div data-testid="stMain" style="width:100%">
  <div style="max-width:100%">a row that wraps on a phone</div>
  <div style="width:300px"><img style="max-width:100%;height:10px" alt="worst frame"></div>
  <div style="overflow-x:auto;width:300px">
    <div style="width:600px">a wide table in a box that scrolls</div></div>
  <table><tr><td>Threshold</td></tr></table>
  <div style="width:300px"><table style="width:100%"><tr><td>Knee collapse: knee angle in, left (degrees;
    lower is better)</td><td>12.5° · 2 reps flagged</td><td>8.0° · 0 reps flagged</td><td>−4.5°</td></tr>
  </table></div>
  <div data-testid="stDataFrame"><div class="dvn-scroller" style="overflow:auto;width:300px">
    <div style="width:280px;height:10px"></div></div></div>
</div>"""


def test_the_layout_check_finds_what_sticks_out():
    """The check itself, on pages made to fail it: a row wider than the window, an image wider than
    its column, a table cell cut to "Thres…", a table wider than its box and an st.dataframe wider
    than its box are each found; the well-made page (a wrapping table of four columns) passes."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=PHONE)
        page.set_content(BROKEN_PAGE)
        found = page.evaluate(LAYOUT_PROBLEMS)
        assert found["scrollWidth"] > found["innerWidth"]
        assert [w.split(":")[0] for w in found["overflow"]] == ["div"]
        assert [w.split(":")[0] for w in found["images"]] == ["img"] and found["ellipsis"] == [
            "td: Threshold"
        ]
        # cut tables: the cell cut to "Thres…", a table wider than its scrolling box, a canvas grid
        assert found["tables"] == ["td: Threshold", "table: Later: mean", "div[stDataFrame]: "], found
        page.set_content(GOOD_PAGE)
        found = page.evaluate(LAYOUT_PROBLEMS)
        assert found["scrollWidth"] <= found["innerWidth"]
        assert found["overflow"] == found["images"] == found["ellipsis"] == found["tables"] == [], found
        browser.close()
