"""Regenerating a benchmark page rewrites only the generated sections: hand-written ones are kept."""

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import make_docs  # noqa: E402
from _common import write_doc_intro, write_doc_section  # noqa: E402


def sections(text: str) -> dict[str, str]:
    """The page's ``## `` sections by heading (the text before the first one under "")."""
    parts = ("\n" + text).split("\n## ")
    return {"": parts[0], **{"## " + p.split("\n", 1)[0]: "## " + p for p in parts[1:]}}


def test_a_section_replaces_only_its_own_text(tmp_path):
    doc = tmp_path / "page.md"
    hand = "## By hand\n\n### Live\n\nhow it was measured\n\n"
    doc.write_text("# Page\n\nintro\n\n" + hand + "## Live\n\nold figures\n\n### More\n\nold\n")
    write_doc_section(doc, "## Live\n\nnew figures\n")
    write_doc_intro(doc, "# Page\n\nnew intro\n")
    write_doc_section(doc, "## Memory\n\nfigures\n")
    expected = "# Page\n\nnew intro\n\n" + hand + "## Live\n\nnew figures\n\n## Memory\n\nfigures\n"
    assert doc.read_text() == expected


def test_regenerating_performance_page_keeps_hand_written_sections(tmp_path):
    doc = tmp_path / "performance.md"
    shutil.copy(ROOT / "docs" / "performance.md", doc)
    before = sections(doc.read_text())
    generated = {make_docs.TARGETS_HEADING, *(heading for heading, _ in make_docs.SECTIONS.values())}
    by_hand = {h: s for h, s in before.items() if h and h not in generated}
    assert len(by_hand) >= 3, "the page has lost its hand-written sections"

    make_docs.write_page(doc)
    after = sections(doc.read_text())

    assert list(after) == list(before)  # same sections, same order
    assert {h: after[h] for h in by_hand} == by_hand
    assert all(make_docs.GENERATED in after[h] for h in generated)
