"""One self-contained, printable HTML file: plotly.js inline, every value escaped."""

from __future__ import annotations

from html import escape

from plotly.offline import get_plotlyjs

from siem2graph.model import AuditReport
from siem2graph.report.cells import CUT_NOTE, DOCUMENT_CELL_LIMIT, document_rows, header_texts
from siem2graph.report.images import report_figures
from siem2graph.report.md_report import TITLE
from siem2graph.report.options import RenderOptions
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


def _charts(report: AuditReport) -> str:
    config = {"displaylogo": False, "responsive": True}
    divs = "".join(
        f'<div class="chart"><h3>{escape(caption)}</h3>'
        + f.to_html(full_html=False, include_plotlyjs=False, config=config)
        + "</div>"
        for caption, f in report_figures(report)
    )
    return f'<section id="charts"><h2>Charts</h2>{divs}</section>'


def render(report: AuditReport, options: RenderOptions | None = None) -> dict[str, bytes]:
    """{'report.html': bytes}."""
    tables = report_tables(report, (options or RenderOptions()).content)
    nav = "".join(f'<a href="#{escape(t.name)}">{escape(t.title)}</a>' for t in tables)
    head = report.headline
    page = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(TITLE)}</title><style>{CSS}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head><body>'
        f"<h1>{escape(TITLE)}</h1>"
        f"<p>Overall readiness: <strong>{escape(head.overall_readiness)}</strong>; "
        f"{head.fields_at_risk} field(s) at risk over {report.join.matched_alerts} matched "
        f'alerts.</p><p class="note">{escape(CUT_NOTE.format(limit=DOCUMENT_CELL_LIMIT))}</p>'
        f"<nav>{nav}</nav>{_section(tables[0])}{_charts(report)}"
        + "".join(_section(t) for t in tables[1:])
        + "</body></html>"
    )
    return {"report.html": page.encode("utf-8")}
