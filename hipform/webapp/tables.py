"""Tables that wrap: plain HTML a phone shows whole, where ``st.dataframe`` cuts text.

``st.dataframe`` draws its cells on a canvas in a box that scrolls sideways: at phone width the
columns past the right edge are cut off, and neither the reader nor a browser test can see the
text that is missing. The tables a runner reads on a phone (History's sessions, the comparison of
two sessions, the training log) are HTML tables as wide as their column, whose cells wrap
between words (never between a number and its unit); a cell of text with no spaces (a clip's
file name) may also break inside a word.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Sequence
from typing import Any

import streamlit as st

#: Keeps a number with its unit when a cell wraps.
NO_BREAK_SPACE = "\u00a0"
#: The CSS class of hipform's wrapping tables (the browser test looks for it).
TABLE_CLASS = "hipform-table"
#: A number and the word after it ("20 kg", "2 reps"), kept on one line by a no-break space.
_NUMBER_AND_WORD = re.compile(r"(?<=\d) (?=[^\W\d_])")
#: Cells wrap between words; a column in ``breakable`` may also break inside one (a file name).
_CSS = f"""<style>
.{TABLE_CLASS}{{border-collapse:collapse;width:100%;font-size:0.9rem;margin-bottom:0.5rem}}
.{TABLE_CLASS} th,.{TABLE_CLASS} td{{border:1px solid rgba(128,128,128,0.3);padding:4px 6px;
text-align:left;vertical-align:top;overflow-wrap:break-word}}
.{TABLE_CLASS} th{{font-weight:600;background:rgba(128,128,128,0.08)}}
.{TABLE_CLASS} .breakable{{overflow-wrap:anywhere}}
</style>"""


def html_table(rows: Sequence[dict[str, Any]], breakable: Collection[str] = ()) -> str:
    """The rows as one HTML table: a column per key of the first row, every value escaped.

    Parameters
    ----------
    rows : one dict per row, all with the first row's keys (a missing value is an empty cell).
    breakable : columns whose text may break inside a word (file names, which have no spaces).
    """
    columns = list(rows[0]) if rows else []

    def cell(tag: str, column: str, text: Any) -> str:
        cls = " class='breakable'" if column in breakable else ""
        return f"<{tag}{cls}>{html.escape(_NUMBER_AND_WORD.sub(NO_BREAK_SPACE, str(text)))}</{tag}>"

    head = "".join(cell("th", c, c) for c in columns)
    body = "".join("<tr>" + "".join(cell("td", c, row.get(c, "")) for c in columns) + "</tr>" for row in rows)
    return f"{_CSS}<table class='{TABLE_CLASS}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def show_table(rows: Sequence[dict[str, Any]], empty_text: str, breakable: Collection[str] = ()) -> None:
    """The rows as a table that wraps at any width (:func:`html_table`), or a sentence when there are none."""
    if rows:
        st.html(html_table(rows, breakable))
    else:
        st.write(empty_text)
