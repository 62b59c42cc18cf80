"""The commands: adding one is a row here and a handler module beside this file.

A handler module has ``add_arguments(parser)`` and ``run(args)``; ``run`` returns nothing and
raises a ``Siem2GraphError`` (carrying its exit code) when the command cannot do its work.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    """One command: its name, one-line help and handler module."""

    name: str
    help: str
    module: str


COMMANDS = (
    Command("audit", "audit legacy exports against Graph alerts", "siem2graph.cli.audit"),
    Command("pull", "pull Graph alerts_v2 of a period into an NDJSON file", "siem2graph.cli.pull"),
    Command(
        "impact",
        "which detection rules, dashboards and playbooks break when the SIEM API goes",
        "siem2graph.cli.impact",
    ),
    Command(
        "history",
        "the saved audits: list, show, compare (diff) and delete",
        "siem2graph.cli.history",
    ),
    Command("dashboard", "serve the dashboard (Streamlit)", "siem2graph.cli.dashboard"),
    Command(
        "convert",
        "write Graph alerts_v2 alerts as SIEM API records (the bridge feed)",
        "siem2graph.cli.convert",
    ),
    Command(
        "serve-siem-api",
        "answer GET /api/alerts as the SIEM API did, from Graph alerts (the bridge endpoint)",
        "siem2graph.cli.serve_siem_api",
    ),
)
