"""The hip check's one-page report: the same content as HTML (the app) and PDF (to share).

Both show who and when, each test's result with its key figure against the threshold, a
worst-frame thumbnail per finding, the left/right table, what was not assessed and why, what to
do, the re-test comparison when there is one, the criteria's sources and the disclaimer. The PDF
is made with fpdf2 and always fits one A4 page: lists are capped (the JSON holds them whole) and
the type shrinks until the page holds everything.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterable
from pathlib import Path

from hipform import __version__
from hipform.hip_check import (
    BIRD_2001,
    CROSSLEY_2011,
    DISCLAIMER,
    DOSE,
    RETEST,
    SDD,
    CheckResult,
    HipCheck,
    KeyFigure,
    fault_words,
    fmt,
)

#: Most lines of the not-assessed list and of the re-test list on the page.
MAX_NOT_ASSESSED_LINES = 8
MAX_CHANGE_LINES = 6
#: Most worst-frame thumbnails on the page.
MAX_THUMBNAILS = 6
#: Base type sizes tried, points, largest first, until the report fits one page.
FONT_SIZES_PT = (8.5, 7.5, 6.8, 6.0)

_LATIN1 = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "−": "-",
        "≥": ">=",
        "≤": "<=",
        "÷": "/",
        "→": "->",
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "×": "x",
        "·": "-",
    }
)


def _pdf_text(text: str) -> str:
    """``text`` in the PDF's core fonts' character set (Latin-1): dashes and signs spelled out."""
    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def result_cell(result: CheckResult) -> str:
    """The result column: ``found: …``, ``no sign of weak hips``, ``film again: …``, ``not done``."""
    return result.headline()


def figure_cell(result: CheckResult) -> str:
    """The key-figure column: the test's one number against its threshold (and a stance hold's timing)."""
    fig = result.key_figure
    text = fig.describe() if fig else ""
    if result.hold_s is not None and result.judged:
        drop = (
            "pelvis level for the whole hold"
            if result.drop_after_s is None
            else f"pelvis first dropped after {result.drop_after_s:.1f} s"
        )
        text += f"; held {result.hold_s:.0f} s, {drop}"
    return text


def criteria_line(result: CheckResult) -> str:
    """Crossley 2011's criteria of a single-leg squat in one line: ``overall poor, trunk good, …``."""
    words = {"good": "good", "poor": "POOR", "not_assessed": "not assessed"}
    return ", ".join(f"{c.name} {words[c.rating]}" for c in result.criteria)


def finding_caption(result: CheckResult, fig: KeyFigure) -> str:
    side = f"{fig.side} " if fig.side else ""
    return f"{result.test.title}: {side}{fault_words(fig.fault)} {fmt(fig.value, fig.unit, fig.measure)}"


def _thumbnails(check: HipCheck) -> list[tuple[str, bytes]]:
    out = []
    for r in check.results:
        for fig, jpeg in zip(r.findings, r.thumbnails, strict=False):
            if jpeg:
                out.append((finding_caption(r, fig), jpeg))
    return out[:MAX_THUMBNAILS]


def _capped(lines: Iterable[str], cap: int, what: str) -> list[str]:
    lines = list(lines)
    if len(lines) <= cap:
        return lines
    return [*lines[: cap - 1], f"… and {len(lines) - cap + 1} more {what} (in hip-check.json)"]


def sources_line() -> str:
    return "Criteria: " + "; ".join([CROSSLEY_2011, BIRD_2001, *(s for _, s in SDD.values())]) + "."


def who_line(check: HipCheck) -> str:
    who = check.who or "(no name given)"
    return f"{who} - {check.when.strftime('%d %b %Y, %H:%M')}"


# ------------------------------------------------------------------ HTML
_CSS = """
.hc{font-family:sans-serif;font-size:14px;color:#222;max-width:900px}
.hc h2{margin:0 0 4px 0}.hc h3{margin:14px 0 4px 0;font-size:15px}
.hc table{border-collapse:collapse;width:100%}.hc td,.hc th{border:1px solid #ddd;padding:3px 6px;
text-align:left;vertical-align:top}.hc th{background:#f3f3f3}
.hc .found{color:#b71c1c;font-weight:bold}.hc .again{color:#e65100}.hc .ok{color:#1b5e20}
.hc .thumbs{display:flex;gap:8px;flex-wrap:wrap}.hc figure{margin:0;width:150px;font-size:12px}
.hc figure img{max-width:150px;max-height:160px}.hc .small{font-size:11px;color:#555}
"""


def _cls(result: CheckResult) -> str:
    if result.status != "judged":
        return "again"
    return "found" if result.findings else "ok"


def check_html(check: HipCheck) -> str:
    """The report as one self-contained HTML fragment (styles and thumbnails inline)."""
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(r.test.title)}</td><td class='{_cls(r)}'>{e(result_cell(r))}</td>"
        f"<td>{e(figure_cell(r))}</td></tr>"
        for r in check.results
    )
    parts = [
        f"<style>{_CSS}</style><div class='hc'>",
        f"<h2>Hip check</h2><div>{e(who_line(check))}</div>",
        f"<p><b>{e(check.summary())}</b></p>",
        f"<table><tr><th>test</th><th>result</th><th>key figure vs threshold</th></tr>{rows}</table>",
    ]
    crossley = [r for r in check.results if r.criteria]
    if crossley:
        parts.append("<h3>Single-leg squat, Crossley 2011 criteria</h3><ul>")
        parts += [f"<li>{e(r.test.title)}: {e(criteria_line(r))}</li>" for r in crossley]
        parts.append("</ul>")
    thumbs = _thumbnails(check)
    if thumbs:
        parts.append("<h3>Worst moments</h3><div class='thumbs'>")
        for caption, jpeg in thumbs:
            data = base64.b64encode(jpeg).decode("ascii")
            parts.append(
                f"<figure><img src='data:image/jpeg;base64,{data}' alt='{e(caption)}'>"
                f"<figcaption>{e(caption)}</figcaption></figure>"
            )
        parts.append("</div>")
    lr = check.left_right()
    if lr:
        parts.append(
            "<h3>Left vs right</h3><table><tr><th>test</th><th>measure</th><th>left</th><th>right</th>"
        )
        parts.append("<th>difference</th></tr>")
        parts += [
            f"<tr><td>{e(row.test)}</td><td>{e(row.label)}</td>"
            f"<td>{e(fmt(row.left, row.unit, row.measure))}</td>"
            f"<td>{e(fmt(row.right, row.unit, row.measure))}</td><td>{e(row.verdict)}</td></tr>"
            for row in lr
        ]
        parts.append("</table>")
    parts.append("<h3>Not assessed, and why</h3><ul>")
    parts += [f"<li>{e(line)}</li>" for line in check.not_assessed()] or ["<li>everything was assessed</li>"]
    parts.append("</ul><h3>What to do</h3>")
    programmes = check.programmes()
    if programmes:
        parts.append("<ul>")
        parts += [f"<li><b>{e(p.title)}</b>: {e(', '.join(p.exercises))}.</li>" for p in programmes]
        parts.append(f"</ul><p>{e(DOSE)} {e(RETEST)}</p>")
    else:
        parts.append(f"<p>{e(_nothing_found_advice(check))} {e(RETEST)}</p>")
    if check.changes:
        parts.append("<h3>Since the last check</h3><ul>")
        parts += [f"<li>{e(c.describe())}</li>" for c in check.changes]
        parts.append("</ul>")
    parts.append(f"<p class='small'>{e(sources_line())}</p><p class='small'><b>{e(DISCLAIMER)}</b></p></div>")
    return "".join(parts)


def _nothing_found_advice(check: HipCheck) -> str:
    if not check.judged:
        return "Film the tests again as shown so they can be judged."
    return "Nothing to correct in the tests that could be judged: keep your usual hip strength work."


# ------------------------------------------------------------------ PDF
def check_pdf(check: HipCheck) -> bytes:
    """The report as a one-page A4 PDF (fpdf2, core fonts).

    Raises
    ------
    RuntimeError
        The content does not fit one page even at the smallest type (a bug: the lists are capped).
    """
    for size in FONT_SIZES_PT:
        pdf = _layout(check, size)
        if pdf.page_no() == 1:
            return bytes(pdf.output())
    raise RuntimeError("the hip check report does not fit one page")


def _layout(check: HipCheck, base: float):
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(12, 10, 12)
    pdf.set_auto_page_break(True, margin=10)
    pdf.add_page()
    pdf.set_title("hipform hip check")
    pdf.set_creator(f"hipform {__version__}")
    width = pdf.w - pdf.l_margin - pdf.r_margin
    line = base * 0.5

    def text(t: str, size: float = base, style: str = "", h: float | None = None) -> None:
        pdf.set_font("helvetica", style, size)
        pdf.multi_cell(width, h or line, _pdf_text(t), new_x="LMARGIN", new_y="NEXT")

    def heading(t: str) -> None:
        pdf.ln(line * 0.4)
        text(t, base + 1.5, "B", line * 1.2)

    pdf.set_font("helvetica", "B", base + 7)
    pdf.cell(width * 0.6, base * 0.9, "Hip check", new_x="RIGHT", new_y="TOP")
    pdf.set_font("helvetica", "", base)
    pdf.cell(
        width * 0.4, base * 0.9, _pdf_text(f"hipform {__version__}"), align="R", new_x="LMARGIN", new_y="NEXT"
    )
    text(who_line(check), base + 1)
    pdf.ln(line * 0.3)
    text(check.summary(), base + 1, "B")
    pdf.ln(line * 0.4)

    pdf.set_font("helvetica", "", base)
    head = FontFace(emphasis="BOLD", fill_color=(236, 236, 236))
    with pdf.table(
        col_widths=(30, 45, 75), line_height=line * 1.05, headings_style=head, padding=0.6, text_align="LEFT"
    ) as table:
        table.row(["test", "result", "key figure vs threshold"])
        for r in check.results:
            row = table.row()
            row.cell(_pdf_text(r.test.title))
            colour = (183, 28, 28) if r.findings else (230, 81, 0) if not r.judged else (27, 94, 32)
            row.cell(
                _pdf_text(result_cell(r)),
                style=FontFace(color=colour, emphasis="BOLD" if r.findings else None),
            )
            row.cell(_pdf_text(figure_cell(r)))

    crossley = [r for r in check.results if r.criteria]
    if crossley:
        heading("Single-leg squat, Crossley 2011 criteria")
        for r in crossley:
            text(f"{r.test.title}: {criteria_line(r)}")

    thumbs = _thumbnails(check)
    if thumbs:
        heading("Worst moments")
        size_mm = 30.0
        x0, y0 = pdf.get_x(), pdf.get_y()
        step = min(width / max(len(thumbs), 1), 32.0)
        for i, (caption, jpeg) in enumerate(thumbs):
            x = x0 + i * step
            pdf.image(io.BytesIO(jpeg), x=x, y=y0, h=size_mm * 0.85, w=0, keep_aspect_ratio=True)
            pdf.set_xy(x, y0 + size_mm * 0.87)
            pdf.set_font("helvetica", "", base - 2)
            pdf.multi_cell(step - 1.5, (base - 2) * 0.42, _pdf_text(caption), new_x="RIGHT", new_y="TOP")
        pdf.set_xy(x0, y0 + size_mm + 2 * line)

    lr = [row for row in check.left_right()]
    if lr:
        heading("Left vs right (a difference counts only beyond the smallest detectable difference, SDD)")
        pdf.set_font("helvetica", "", base - 0.5)
        with pdf.table(
            col_widths=(24, 50, 12, 12, 52),
            line_height=line,
            headings_style=head,
            padding=0.4,
            text_align="LEFT",
        ) as table:
            table.row(["test", "measure", "left", "right", "difference"])
            for row in lr:
                table.row(
                    [
                        _pdf_text(row.test),
                        _pdf_text(row.label),
                        _pdf_text(fmt(row.left, row.unit, row.measure)),
                        _pdf_text(fmt(row.right, row.unit, row.measure)),
                        _pdf_text(row.verdict),
                    ]
                )

    heading("Not assessed, and why")
    for item in _capped(check.not_assessed(), MAX_NOT_ASSESSED_LINES, "lines") or ["everything was assessed"]:
        text(f"- {item}", base - 0.5)

    heading("What to do")
    programmes = check.programmes()
    if programmes:
        for p in programmes:
            text(f"- {p.title}: {', '.join(p.exercises)}.")
        text(f"{DOSE} {RETEST}", base, "B")
    else:
        text(f"{_nothing_found_advice(check)} {RETEST}")

    if check.changes:
        heading("Since the last check")
        for item in _capped((c.describe() for c in check.changes), MAX_CHANGE_LINES, "changes"):
            text(f"- {item}", base - 0.5)

    pdf.ln(line * 0.5)
    text(sources_line(), base - 2)
    text(DISCLAIMER, base - 1, "B")
    return pdf


def save_check(
    check: HipCheck, pdf_path: str | Path | None = None, json_path: str | Path | None = None
) -> list[Path]:
    """Write the PDF and the JSON, each whole or not at all; returns the paths written."""
    import json

    written = []
    if pdf_path is not None:
        written.append(_write_atomic(Path(pdf_path), check_pdf(check)))
    if json_path is not None:
        data = json.dumps(check.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        written.append(_write_atomic(Path(json_path), data.encode("utf-8")))
    return written


def _write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole or not at all (:func:`hipform.safe_write.write_whole`, whose
    failures are one sentence naming the file, exit 9; a hidden sibling renamed into place where
    that module is missing)."""
    try:
        from hipform.safe_write import write_whole
    except ImportError:
        import os

        partial = path.with_name(f".{path.name}.partial")
        try:
            partial.write_bytes(data)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        return path
    return write_whole(path, lambda tmp: tmp.write_bytes(data))
