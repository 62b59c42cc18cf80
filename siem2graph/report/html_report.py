"""One self-contained, printable HTML file: charts as SVG images, every value escaped, no script."""

from __future__ import annotations

import base64
from html import escape

from siem2graph.model import AuditReport
from siem2graph.report.cells import CUT_NOTE, DOCUMENT_CELL_LIMIT, document_rows, header_texts
from siem2graph.report.md_report import TITLE
from siem2graph.report.options import RenderOptions
from siem2graph.report.summary import OVERALL_TEXT, verdict_sentence
from siem2graph.report.tables import Table, report_tables

CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; max-width: 40em; }
th { background: #f0f0f0; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #555; font-size: 0.9em; }
.verdict { font-size: 1.3em; font-weight: bold; }
figure.chart img { max-width: 100%; height: auto; }
nav a { margin-right: 1em; }
@media print {
  body { margin: 0; font-size: 9pt; } nav, .modebar { display: none; }
  th { position: static; } h2 { break-before: page; } tr, .chart { break-inside: avoid; }
}
"""


def _table_html(table: Table) -> str:
    numeric = [table.frame[c].dtype.kind in "iuf" for c in table.frame.columns]
    head = "".join(f"<th>{escape(h)}</th>" for h in header_texts(table))
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{escape(v)}</td>' if n else f"<td>{escape(v)}</td>"
            for v, n in zip(row, numeric, strict=True)
        )
        + "</tr>"
        for row in document_rows(table)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _section(table: Table) -> str:
    parts = [f'<section id="{escape(table.name)}"><h2>{escape(table.title)}</h2>']
    parts.append(f'<p class="note">{escape(table.description)}</p>')
    if table.cut_note:
        parts.append(f'<p class="note">{escape(table.cut_note)}</p>')
    parts.append(_table_html(table) if len(table.frame) else "<p>None.</p>")
    return "".join(parts) + "</section>"


def _charts(report: AuditReport, options: RenderOptions) -> str:
    """The charts as SVG images (no script; the tables below hold the same figures)."""
    charts = options.charts(report, "svg")
    figures = f'<p class="note">{escape(charts.note)}</p>' if charts.note else ""
    figures += "".join(
        f'<figure class="chart"><figcaption>{escape(caption)}</figcaption>'
        f'<img alt="{escape(caption)}" src="data:image/svg+xml;base64,'
        f'{base64.b64encode(svg).decode()}"></figure>'
        for caption, svg in charts.images
    )
    return f'<section id="charts"><h2>Charts</h2>{figures}</section>'


def render(report: AuditReport, options: RenderOptions | None = None) -> dict[str, bytes]:
    """{'report.html': bytes}: the verdict first, then the charts and every table."""
    options = options or RenderOptions()
    tables = report_tables(report, options.content)
    nav = "".join(f'<a href="#{escape(t.name)}">{escape(t.title)}</a>' for t in tables)
    overall = OVERALL_TEXT.get(report.headline.overall_readiness, "")
    page = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(TITLE)}</title><style>{CSS}</style></head><body>"
        f"<h1>{escape(TITLE)}</h1>"
        f'<p class="verdict">{escape(verdict_sentence(report))}</p><p>{escape(overall)}</p>'
        f'<p class="note">{escape(CUT_NOTE.format(limit=DOCUMENT_CELL_LIMIT))}</p>'
        f"<nav>{nav}</nav>{_section(tables[0])}{_charts(report, options)}"
        + "".join(_section(t) for t in tables[1:])
        + "</body></html>"
    )
    return {"report.html": page.encode("utf-8")}
