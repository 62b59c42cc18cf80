"""Report test inputs: a small audit and one full of hostile values, built once."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from siem2graph.audit import audit_sources
from siem2graph.impact.model import ContentImpact
from siem2graph.mapping import load_mapping
from siem2graph.model import AuditReport
from siem2graph.report import render_each
from tests.helpers import graph_example, json_source, legacy_for_example

HOSTILE = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '=HYPERLINK("http://evil.example/x","click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\tTAB",
    "\rCR",
    "report\u202eexe.txt",
    "x" * 100_000,
)
HOSTILE_COLUMN = "=cmd|' /C calc'!A0"


def audit(legacy_records, graph_alerts):
    """An audit of in-memory inputs."""
    return audit_sources(
        [json_source("legacy.json", legacy_records)],
        [json_source("graph.json", {"value": graph_alerts})],
        load_mapping(),
    )


@functools.cache
def example_report():
    """One matched alert with a mismatch and a loss, one alert on each side only (cached)."""
    second = legacy_for_example(
        AlertTime="2021-04-27T12:30:00Z", FileName="other.exe", UserName="liz.bean",
        IocName="bad-ioc", LogOnUsers="CONTOSO\\liz.bean", IPAddress="203.0.113.7",
    )  # fmt: skip
    old = legacy_for_example(
        AlertId="636772341913498370_1532439962", AlertTime="2018-11-09T03:43:11Z"
    )
    other = graph_example()
    other["id"] = other["providerAlertId"] = "fa0000000000000000_1"
    return audit([legacy_for_example(), second, old], [graph_example(), other])


@functools.cache
def hostile_report():
    """Hostile values in mapped, unsupported and unmapped fields and titles (cached)."""
    records = [legacy_for_example()]
    for value in HOSTILE:
        record = legacy_for_example(
            AlertTime="2021-04-27T12:30:00Z", FileName=value, UserName=value, IocName=value,
            CommandLine=value, CustomerTag=value,
        )  # fmt: skip
        records.append(record | {HOSTILE_COLUMN: value})
    old = legacy_for_example(
        AlertId="636772341913498370_1532439962", AlertTime="2018-11-09T03:43:11Z",
        AlertTitle=HOSTILE[1],
    )  # fmt: skip
    other = graph_example()
    other["id"] = other["providerAlertId"] = "fa0000000000000000_1"
    other["title"] = HOSTILE[0]
    return audit([*records, old], [graph_example(), other])


def render_all(
    report: AuditReport,
    formats: Iterable[str],
    *,
    redact: bool = False,
    images: bool | None = None,
    content: ContentImpact | None = None,
) -> dict[str, bytes]:
    """Every file of the chosen formats, as the Export page renders them, in one mapping."""
    files: dict[str, bytes] = {}
    for rendered in render_each(
        report, formats, redact=redact, images=images, content=content
    ).values():
        files |= rendered
    return files
