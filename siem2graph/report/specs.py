"""What the report's tables are: each one's name, title, builder and how formats present it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import pandas as pd

from siem2graph.impact import ContentImpact
from siem2graph.model import AuditReport, mapping_frame
from siem2graph.report.audit_tables import (
    fields_table,
    inputs_table,
    matches_by_path,
    mismatch_pairs,
    one_sided_alerts,
    problems_table,
    readiness_counts,
    risk_register,
    text_times,
    unsupported_fields,
)
from siem2graph.report.content_tables import content_problems, content_references, content_rules
from siem2graph.report.summary import summary_frame

# Where a table appears: every format, or the data formats and the long documents only.
MAIN, DETAIL, DATA = "main", "detail", "data"
GOOD, BAD = "good", "bad"  # a rate where high is good (green) or bad (red)

S = TypeVar("S", AuditReport, ContentImpact)


@dataclass(frozen=True)
class Table:
    """One named table with how formats should present it."""

    name: str
    title: str
    description: str
    frame: pd.DataFrame
    level: str = MAIN
    rates: Mapping[str, str] = field(default_factory=dict)  # column -> GOOD | BAD
    document_rows: int | None = None  # rows shown in MD/HTML/PDF; None: all

    def head(self) -> pd.DataFrame:
        """The rows long documents show."""
        return self.frame if self.document_rows is None else self.frame.head(self.document_rows)

    @property
    def cut_note(self) -> str:
        """'' or a note that documents show only the first rows."""
        shown = len(self.head())
        if shown == len(self.frame):
            return ""
        return f"First {shown} of {len(self.frame)} rows; CSV, XLSX and JSON hold them all."


@dataclass(frozen=True)
class TableSpec(Generic[S]):
    """How to build one table from its source (the audit report or the content impact)."""

    name: str
    title: str
    description: str
    builder: Callable[[S], pd.DataFrame]
    level: str = MAIN
    rates: Mapping[str, str] = field(default_factory=dict)
    document_rows: int | None = None

    def build(self, source: S) -> Table:
        """The table of ``source``."""
        return Table(
            self.name,
            self.title,
            self.description,
            self.builder(source),
            self.level,
            self.rates,
            self.document_rows,
        )


# The audit's findings, in reading order (the summary first).
FINDINGS: tuple[TableSpec[AuditReport], ...] = (
    TableSpec(
        "summary",
        "Summary",
        "Scope, versions, headline figures and the readiness verdict.",
        summary_frame,
    ),
    TableSpec(
        "readiness",
        "Readiness per verdict",
        "How many SIEM fields Graph keeps, changes or loses.",
        readiness_counts,
    ),
    TableSpec(
        "risk_register",
        "Risk register",
        "Each field that loses or changes data; owner and decision are for the change board.",
        risk_register,
        rates={"touched_rate": BAD},
    ),
    TableSpec(
        "fields",
        "Field coverage",
        "All SIEM fields over the matched alerts; rates are shares of the matched alerts whose "
        "legacy value could be read (unreadable values are counted apart, never as mismatches).",
        fields_table,
        rates={"retained_rate": GOOD, "mismatch_rate": BAD, "missing_rate": BAD},
    ),
    TableSpec(
        "matches_by_path",
        "Where Graph holds the values",
        "Fields with several documented Graph paths: the matching alerts whose value was at "
        "each path (the first that held it). A share away from the first path means the "
        "value moved, not that it was lost.",
        matches_by_path,
        DETAIL,
        {"share": GOOD},
    ),
    TableSpec(
        "unsupported_fields",
        "Unsupported and obsolete fields",
        "Fields without a Graph equivalent and the data they held.",
        unsupported_fields,
    ),
    TableSpec(
        "mismatch_pairs",
        "Value mismatches",
        "Legacy values Graph holds differently, most frequent first.",
        mismatch_pairs,
        document_rows=30,
    ),
    TableSpec(
        "legacy_only_alerts",
        "Legacy-only alerts",
        "Alerts the SIEM API export has and Graph does not, with the reason.",
        lambda r: one_sided_alerts(r, "legacy_only"),
        document_rows=50,
    ),
    TableSpec(
        "graph_only_alerts",
        "Graph-only alerts",
        "Alerts Graph has and the SIEM API export does not, with the reason.",
        lambda r: one_sided_alerts(r, "graph_only"),
        document_rows=50,
    ),
    TableSpec(
        "unmapped_legacy_columns",
        "Legacy columns outside the mapping",
        "Schema diff: columns in the legacy export that the mapping does not name.",
        lambda r: r.unmapped_legacy_columns,
        DETAIL,
        {"populated_rate": GOOD},
        100,
    ),
    TableSpec(
        "unmapped_graph_paths",
        "Graph paths outside the mapping",
        "Schema diff: Graph properties no SIEM field maps to (new information).",
        lambda r: r.unmapped_graph_paths,
        DETAIL,
        {"populated_rate": GOOD},
        100,
    ),
    TableSpec(
        "problems",
        "Input problems",
        "Rows that were rejected or need attention.",
        problems_table,
        document_rows=50,
    ),
)

# The content impact, when the run analysed detection content (after the findings).
CONTENT: tuple[TableSpec[ContentImpact], ...] = (
    TableSpec(
        "content_impact_rules",
        "Content impact",
        "Each detection rule, dashboard or playbook query, worst first: its verdict "
        "(broken, loses inputs, changes, needs renames, works; not affected when it reads no "
        "SIEM API data), whether it works on the bridge feed or needs the rewrite, whether its "
        "rewrite runs as is or is manual (and why), a warning when it counts rows, the SIEM "
        "fields it uses and how many of its references get each verdict.",
        content_rules,
        document_rows=200,
    ),
    TableSpec(
        "content_impact_references",
        "Content references",
        "Each use of a SIEM field in a rule, with the Graph path or value to use instead "
        "(replacement), the check of a compared literal and whether the bridge feed restores it.",
        content_references,
        document_rows=200,
    ),
    TableSpec(
        "content_impact_problems",
        "Content files not read",
        "Content files that could not be read or parsed; their rules are not in the tables.",
        content_problems,
    ),
)

# Reference material at the end.
APPENDIX: tuple[TableSpec[AuditReport], ...] = (
    TableSpec(
        "inputs",
        "Input files",
        "Every input file with its SHA-256 and row counts.",
        inputs_table,
        DETAIL,
    ),
    TableSpec(
        "timeline",
        "Alerts per day",
        "Legacy, Graph and matched alerts per day.",
        lambda r: text_times(r.timeline),
        DATA,
    ),
    TableSpec(
        "mapping",
        "Mapping table",
        "The mapping table this audit used.",
        lambda r: mapping_frame(r.mapping),
        DETAIL,
    ),
)
