"""A readable Markdown summary: headline, readiness per field, joins, top mismatches."""

from __future__ import annotations

import pandas as pd

from siem2graph.model import AuditReport

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]<>()#+-.!|~"})


def md_text(value: object) -> str:
    """Table-cell-safe Markdown text: special characters escaped, line breaks flattened."""
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    return " ".join(text.split()).translate(_MD_SPECIAL)


def md_table(frame: pd.DataFrame) -> str:
    """A well-formed pipe table (every data value escaped)."""
    header = "| " + " | ".join(md_text(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = [
        "| " + " | ".join(md_text(v) for v in row) + " |" for row in frame.itertuples(index=False)
    ]
    return "\n".join([header, rule, *rows])


def _rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def render(report: AuditReport) -> dict[str, bytes]:
    """{'report.md': bytes}."""
    join, head = report.join, report.headline
    fields = report.fields_frame()[
        ["siem_field", "status", "readiness", "legacy_populated", "match", "mismatch",
         "missing_in_graph", "new_in_graph", "legacy_rows_populated"]
    ]  # fmt: skip
    pairs = report.value_pairs[~report.value_pairs["found"]].head(30)
    lines = [
        "# SIEM API -> Graph alerts_v2 migration audit",
        "",
        f"Tool {md_text(report.tool_version)}, mapping {md_text(report.mapping.version)}, "
        f"generated {md_text(report.generated_at)}.",
        "",
        "## Headline",
        "",
        f"- Overall readiness: **{md_text(head.overall_readiness)}**",
        f"- Matched alerts: {join.matched_alerts} of {join.legacy_alerts} legacy alerts "
        f"({join.legacy_rows} detections) and {join.graph_alerts} Graph alerts",
        f"- Legacy-only alerts: {join.legacy_only_alerts}; "
        f"Graph-only alerts: {join.graph_only_alerts}",
        "- Fields with data that have a Graph equivalent: "
        + _rate(head.fields_with_equivalent_share),
        "- Legacy information retained on matched alerts: "
        + _rate(head.information_retained_share),
        f"- Fields at risk (lose or change data): {head.fields_at_risk}",
        "",
        "## Fields",
        "",
        md_table(fields),
        "",
        "## Top value mismatches",
        "",
        md_table(pairs[["siem_field", "legacy_value", "graph_value", "alerts", "example_alerts"]]),
        "",
        "## Input problems",
        "",
        f"{len(report.problems)} problem(s).",
        "",
    ]
    return {"report.md": "\n".join(lines).encode("utf-8")}
