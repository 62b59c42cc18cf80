"""Table cells as display text for the documents (Markdown, HTML, PDF)."""

from __future__ import annotations

import numbers

from siem2graph.report.safety import display_text, is_missing
from siem2graph.report.tables import Table

DOCUMENT_CELL_LIMIT = 1000  # characters per cell in Markdown and HTML
CUT_NOTE = (
    "Values longer than {limit:,} characters are cut and end in '…'; CSV, XLSX and JSON hold "
    "them whole. Invisible and direction-changing characters are shown as \\uXXXX."
)


def cell_text(value: object, rate: bool = False, limit: int | None = DOCUMENT_CELL_LIMIT) -> str:
    """One value as document text: rates as percentages, numbers grouped, text made visible."""
    if is_missing(value):
        return ""
    if rate and isinstance(value, numbers.Real):
        return f"{float(value):.1%}"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        return f"{float(value):.3g}"
    return display_text(value, limit)


def document_rows(table: Table, limit: int | None = DOCUMENT_CELL_LIMIT) -> list[list[str]]:
    """The rows documents show (``table.head()``), every cell as display text."""
    head = table.head()
    rates = [c in table.rates for c in head.columns]
    return [
        [cell_text(v, r, limit) for v, r in zip(row, rates, strict=True)]
        for row in head.itertuples(index=False)
    ]


_WORDS = {
    "siem": "SIEM",
    "graph": "Graph",
    "ioc": "IoC",
    "ip": "IP",
    "url": "URL",
    "sha256": "SHA-256",
}


def human_header(name: str) -> str:
    """A column name as words: 'siem_field' -> 'SIEM field'."""
    words = " ".join(_WORDS.get(w, w) for w in name.split("_"))
    return words[:1].upper() + words[1:]


def header_texts(table: Table) -> list[str]:
    """Column headers as display text, in words."""
    return [display_text(human_header(str(c))) for c in table.frame.columns]
