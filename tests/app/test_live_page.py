"""What the Live webcam page shows and says, computed without a browser (the browser test drives it live)."""

from __future__ import annotations

import json
import re

import pytest

from hipform.webapp.live_page import (
    KIND_COLOURS,
    board_html,
    newest_rep_cues,
    speech_html,
    spoken_text,
    to_say,
)
from hipform.webcam import SaidCue

FAULT = SaidCue("rep 3: left knee collapsing — 14°", 3, "fault")
DROP = SaidCue("rep 3: pelvis dropping on the right side — 9°", 3, "fault")
GOOD = SaidCue("rep 2: good", 2, "good")
UNJUDGED = SaidCue("rep 4: not judged (the body was not seen well enough)", 4, "not_judged")


def test_faults_are_said_by_default_every_rep_on_request_nothing_when_off():
    cues = [GOOD, FAULT, UNJUDGED]
    assert to_say(cues, "Faults") == [FAULT]
    assert to_say(cues, "Every rep") == cues
    assert to_say(cues, "Off") == []


def test_a_cue_is_said_in_words():
    assert spoken_text(FAULT.text) == "Rep 3: left knee collapsing, 14 degrees"
    assert spoken_text("rep 1: good") == "Rep 1: good"


def test_the_speech_page_carries_each_cue_once_with_its_number():
    page = speech_html("tok", [(7, "Rep 3: left knee collapsing, 14 degrees"), (8, "a </script> b")])
    data = json.loads(re.search(r"const data = (\{.*\});", page)[1].replace("<\\/", "</"))
    assert data == {
        "token": "tok",
        "cues": [[7, "Rep 3: left knee collapsing, 14 degrees"], [8, "a </script> b"]],
    }
    assert page.count("</script>") == 1  # a cue's text cannot end the script early
    assert "speechSynthesis" in page and "n <= said.upTo" in page  # said once, however often redrawn


def test_the_board_shows_the_rep_count_and_the_newest_reps_cues_in_large_type():
    html = board_html(3, [FAULT, DROP])
    assert re.search(r'hipform-live-reps" style="font-size:3.5rem[^>]*>Reps: 3<', html)
    cues = re.findall(r'class="hipform-live-cue" style="font-size:2rem[^"]*color:(#\w+)">([^<]*)<', html)
    assert cues == [
        (KIND_COLOURS["fault"], "rep 3: left knee collapsing — 14°"),
        (KIND_COLOURS["fault"], DROP.text),
    ]
    assert "&lt;b&gt;" in board_html(0, [SaidCue("<b>", 1, "good")])  # text, never markup


def test_the_newest_rep_is_all_of_its_cues():
    assert newest_rep_cues([GOOD, FAULT, DROP]) == [FAULT, DROP]
    assert newest_rep_cues([FAULT, DROP, UNJUDGED]) == [UNJUDGED]
    assert newest_rep_cues([]) == []
    assert newest_rep_cues([GOOD, SaidCue("plain", None, "good")]) == [SaidCue("plain", None, "good")]


@pytest.mark.slow
@pytest.mark.browser
def test_the_speech_page_speaks_through_the_app_page_each_cue_once():
    """In Chromium: speech frames drawn again, with cues said before, say only the new ones, through the
    app page's speech synthesis (so it is heard after the frame is gone); a new app session starts over."""
    from external import playwright_with_chromium
    from test_browser import CHROMIUM, CHROMIUM_ARGS, RECORD_SPEECH

    pw = playwright_with_chromium()
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.add_init_script(RECORD_SPEECH)
        # a page of its own origin (nothing leaves the machine: the route answers), as the app's
        page.route("http://hipform.invalid/", lambda route: route.fulfill(body="<html><body></body></html>"))
        page.goto("http://hipform.invalid/")
        for token, cues in [
            ("a", [(1, "one"), (2, "two")]),
            ("a", [(2, "two"), (3, "three")]),
            ("b", [(1, "one")]),
        ]:
            page.evaluate(
                """([srcdoc, n]) => new Promise(done => {
                    document.body.innerHTML = '';  // the old frame goes, as when Streamlit redraws it
                    const f = document.createElement('iframe');
                    f.onload = () => done();
                    f.srcdoc = srcdoc;
                    document.body.appendChild(f);
                })""",
                [speech_html(token, cues), 0],
            )
        assert page.evaluate("() => window.__spoken") == ["one", "two", "three", "one"]
        browser.close()
