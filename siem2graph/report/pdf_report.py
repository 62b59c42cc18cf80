"""report.pdf (fpdf2, DejaVu Sans): the summary, the charts and the main tables."""

from __future__ import annotations

import io
import os
from dataclasses import replace
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from siem2graph.errors import Siem2GraphError
from siem2graph.model import AuditReport
from siem2graph.report.cells import document_rows, header_texts
from siem2graph.report.images import png_size
from siem2graph.report.md_report import TITLE
from siem2graph.report.options import RenderOptions
from siem2graph.report.safety import truncate
from siem2graph.report.specs import MAIN
from siem2graph.report.summary import OVERALL_TEXT, verdict_sentence
from siem2graph.report.tables import Table, report_tables

FONT_DIR = Path(os.environ.get("SIEM2GRAPH_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
CUT_NOTE = (
    "Long values are cut to fit their column and end in '…'; CSV, XLSX and JSON hold them "
    "whole. Invisible and direction-changing characters are shown as \\uXXXX."
)
# The columns the PDF shows of its wider tables (every column of the others).
PDF_COLUMNS = {
    "fields": ["siem_field", "status", "readiness", "matched_with_value", "match", "mismatch",
               "missing_in_graph", "new_in_graph", "unreadable", "retained_rate"],
    "risk_register": ["siem_field", "readiness", "touched", "reason", "replacement", "owner",
                      "decision"],
    "unsupported_fields": ["siem_field", "status", "legacy_rows_populated", "examples",
                           "microsoft_note"],
    "legacy_only_alerts": ["legacy_alert_id", "reason", "title", "severity", "host"],
    "graph_only_alerts": ["graph_id", "reason", "title", "severity", "host"],
    "content_impact_rules": ["rule", "file", "verdict", "bridge", "rewrite", "references",
                             "renamed", "unsupported", "obsolete", "semantics_changed",
                             "value_changed"],
    "content_impact_references": ["rule", "line", "field", "usage", "verdict", "replacement",
                                  "bridge"],
}  # fmt: skip
_FONT_SIZE, _LINES_PER_CELL = 7, 3
_WORD_CHARS = 32  # a longer word may break: a hash or a path shares its column
FIRST_PAGE = ("readiness", "risk_register")
_ROOM_FOR_A_TABLE = 45  # mm: a table starting lower goes to the next page


class _Pdf(FPDF):
    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("DejaVu", size=7)
        self.cell(0, 5, f"{TITLE} - page {self.page_no()}", align="C")


def new_pdf() -> _Pdf:
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if not regular.is_file() or not bold.is_file():
        raise Siem2GraphError(f"PDF needs DejaVu Sans in {FONT_DIR} (package fonts-dejavu-core)")
    pdf = _Pdf(orientation="L", format="A4")
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    pdf.set_auto_page_break(True, margin=14)
    pdf.add_page()
    return pdf


def _widths(pdf: FPDF, headers: list[str], rows: list[list[str]]) -> list[float]:
    """Column widths in mm: each wide enough for the longest word of its header in bold, the
    page's width left shared in proportion to the columns' (capped) text length; then a column
    narrower than the longest word of its values (up to _WORD_CHARS: file names and tokens are
    not cut mid-word) takes the width it lacks from the columns wider than theirs."""
    pdf.set_font("DejaVu", "B", _FONT_SIZE)
    least = [max(pdf.get_string_width(w) for w in h.split() or [""]) + 2.5 for h in headers]
    sample = rows[:200]
    lengths = [
        min(max([len(h), *(len(r[i]) for r in sample)]), 60) + 2 for i, h in enumerate(headers)
    ]
    spare, total = max(pdf.epw - sum(least), 0.0), sum(lengths)
    widths = [n + spare * length / total for n, length in zip(least, lengths, strict=True)]
    pdf.set_font("DejaVu", size=_FONT_SIZE)
    words = [
        max(
            (pdf.get_string_width(w[:_WORD_CHARS]) for r in sample for w in r[i].split()), default=0
        )
        + 2.5
        for i in range(len(headers))
    ]
    floors = [max(n, w) for n, w in zip(least, words, strict=True)]
    lacking = sum(max(f - w, 0.0) for f, w in zip(floors, widths, strict=True))
    room = sum(max(w - f, 0.0) for f, w in zip(floors, widths, strict=True))
    if not lacking:
        return widths
    given = min(lacking / room, 1.0) if room else 0.0
    widths = [f if w <= f else w - (w - f) * given for f, w in zip(floors, widths, strict=True)]
    return [w * min(pdf.epw / sum(widths), 1.0) for w in widths]  # words too long for the page


def _table(pdf: FPDF, table: Table) -> None:
    shown = table.frame.columns.intersection(PDF_COLUMNS.get(table.name, table.frame.columns))
    table = replace(table, frame=table.frame[shown])
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(0, 7, table.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=8)
    pdf.multi_cell(0, 4, " ".join(x for x in (table.description, table.cut_note) if x),
                   new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    if not len(table.frame):
        pdf.multi_cell(0, 5, "None.", new_x="LMARGIN", new_y="NEXT")
        return
    headers, rows = header_texts(table), document_rows(table, limit=None)
    widths = _widths(pdf, headers, rows)
    pdf.set_font("DejaVu", size=_FONT_SIZE)
    per_mm = len("abcdefghij") / pdf.get_string_width("abcdefghij")
    limits = [max(int((w - 2) * per_mm) * _LINES_PER_CELL, 4) for w in widths]
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=3.2, wrapmode="WORD",
                   headings_style=FontFace(emphasis="BOLD", fill_color=(224, 224, 224)),
                   repeat_headings=1) as grid:  # fmt: skip
        grid.row([truncate(h, n) for h, n in zip(headers, limits, strict=True)])
        for cells in rows:
            grid.row([truncate(c, n) for c, n in zip(cells, limits, strict=True)])
    pdf.ln(4)


def chart_size(pdf: FPDF, png: bytes) -> tuple[float, float]:
    """(width, height) in mm of a chart: the page's width, unless that makes it taller than a
    page with room for its heading and caption."""
    pixels_wide, pixels_high = png_size(png)
    height = min(pdf.epw * pixels_high / pixels_wide, pdf.eph - 25)
    return height * pixels_wide / pixels_high, height


def _charts(pdf: FPDF, report: AuditReport, options: RenderOptions) -> None:
    charts = options.charts(report)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(0, 7, "Charts", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=8)
    if not charts.images:
        pdf.multi_cell(0, 5, charts.note, new_x="LMARGIN", new_y="NEXT")
    for caption, png in charts.images:
        width, height = chart_size(pdf, png)
        if pdf.y + height + 6 > pdf.page_break_trigger:
            pdf.add_page()
        pdf.multi_cell(0, 5, caption, new_x="LMARGIN", new_y="NEXT")
        pdf.image(io.BytesIO(png), h=height, w=width, keep_aspect_ratio=True)


def render(report: AuditReport, options: RenderOptions | None = None) -> dict[str, bytes]:
    """{'report.pdf': bytes}: page 1 gives the verdict, what Graph keeps, changes and loses and
    the risk register; the charts and the other tables follow."""
    options = options or RenderOptions()
    pdf = new_pdf()
    pdf.set_title(TITLE)
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 9, TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(0, 6, verdict_sentence(report), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=9)
    overall = OVERALL_TEXT.get(report.headline.overall_readiness, "")
    pdf.multi_cell(0, 5, overall, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    tables = [t for t in report_tables(report, options.content) if t.level == MAIN]
    first = [t for t in tables if t.name in FIRST_PAGE]
    for table in first:
        _table(pdf, table)
    _charts(pdf, report, options)
    for table in (t for t in tables if t.name not in FIRST_PAGE):
        if pdf.y > pdf.page_break_trigger - _ROOM_FOR_A_TABLE:
            pdf.add_page()
        _table(pdf, table)
    pdf.set_font("DejaVu", size=7)
    pdf.multi_cell(0, 4, CUT_NOTE, new_x="LMARGIN", new_y="NEXT")
    return {"report.pdf": bytes(pdf.output())}
