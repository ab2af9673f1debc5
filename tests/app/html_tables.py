"""Read hipform's wrapping HTML tables (:mod:`hipform.webapp.tables`) back from an AppTest run."""

from __future__ import annotations

from html.parser import HTMLParser

from hipform.webapp.tables import NO_BREAK_SPACE, TABLE_CLASS


class _Cells(HTMLParser):
    """Each ``<tr>`` of a hipform table as its cells' text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).replace(NO_BREAK_SPACE, " "))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def read_table(html_text: str) -> list[dict[str, str]]:
    """The table's rows as dicts keyed by its header (every value as the text shown, its no-break
    spaces as plain ones)."""
    parser = _Cells()
    parser.feed(html_text)
    head, *body = parser.rows
    return [dict(zip(head, row, strict=True)) for row in body]


def tables(at) -> list[list[dict[str, str]]]:
    """Every hipform table the app drew, in page order."""
    bodies = [el.proto.body for el in at.get("html")]
    return [read_table(body) for body in bodies if f"class='{TABLE_CLASS}'" in body]
