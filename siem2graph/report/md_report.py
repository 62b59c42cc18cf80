"""Markdown for wikis and tickets: the summary and every table, each value escaped."""

from __future__ import annotations

from siem2graph.model import AuditReport
from siem2graph.report.cells import CUT_NOTE, DOCUMENT_CELL_LIMIT, document_rows, header_texts
from siem2graph.report.options import RenderOptions
from siem2graph.report.safety import display_text
from siem2graph.report.tables import Table, report_tables

TITLE = "SIEM API to Graph alerts_v2: migration audit"
_MD_SPECIAL = str.maketrans(
    {c: "\\" + c for c in "\\`*_{}[]|~"} | {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
)


def md_text(value: object) -> str:
    """Table-cell-safe Markdown text: special characters escaped, line breaks flattened."""
    return " ".join(display_text(value).split()).translate(_MD_SPECIAL)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(md_text(c) for c in cells) + " |"


def md_table(table: Table) -> str:
    """A well-formed pipe table of the rows documents show (every header and value escaped)."""
    rule = "|" + "|".join("---" for _ in table.frame.columns) + "|"
    rows = [_row(cells) for cells in document_rows(table)]
    return "\n".join([_row(header_texts(table)), rule, *rows])


def _section(table: Table) -> list[str]:
    lines = [f"## {md_text(table.title)}", "", md_text(table.description), ""]
    if table.cut_note:
        lines += [md_text(table.cut_note), ""]
    return [*lines, md_table(table) if len(table.frame) else "None.", ""]


def render(report: AuditReport, options: RenderOptions | None = None) -> dict[str, bytes]:
    """{'report.md': bytes}."""
    head = report.headline
    lines = [
        f"# {TITLE}",
        "",
        f"Overall readiness: **{md_text(head.overall_readiness)}**; "
        f"{head.fields_at_risk} field(s) at risk over {report.join.matched_alerts} matched alerts.",
        "",
        md_text(CUT_NOTE.format(limit=DOCUMENT_CELL_LIMIT)),
        "",
    ]
    for table in report_tables(report, (options or RenderOptions()).content):
        lines += _section(table)
    return {"report.md": "\n".join(lines).encode("utf-8")}
