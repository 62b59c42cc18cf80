"""The command line: `python -m siem2graph audit|pull|impact ...` (a contract scripts rely on)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from siem2graph.dashboard import run_dashboard
from siem2graph.errors import Siem2GraphError
from siem2graph.graph.pull_cli import add_pull_parser, run_pull
from siem2graph.impact.cli import add_impact_parser
from siem2graph.report import EXPORTERS, write_reports

EXIT_OK, EXIT_INPUT = 0, 2


def _formats(text: str) -> list[str]:
    chosen = [f.strip() for f in text.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in EXPORTERS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown format(s) {', '.join(unknown) or '(none)'}; choose from {','.join(EXPORTERS)}"
        )
    return chosen


def _add_audit(subparsers: argparse._SubParsersAction) -> None:
    audit = subparsers.add_parser("audit", help="audit legacy exports against Graph alerts")
    audit.add_argument("--legacy", nargs="+", required=True, type=Path, metavar="PATH")
    audit.add_argument("--graph", nargs="+", required=True, type=Path, metavar="PATH")
    audit.add_argument("--out", required=True, type=Path, metavar="DIR")
    audit.add_argument("--format", default="json", type=_formats, help=",".join(EXPORTERS))
    audit.add_argument("--mapping", type=Path, help="a mapping file other than mapping/fields.yaml")
    audit.add_argument(
        "--aliases",
        nargs="+",
        type=Path,
        default=[],
        metavar="FILE",
        help="alias files naming your export's columns (docs/legacy-inputs.md)",
    )
    audit.add_argument(
        "--redact",
        action="store_true",
        help="replace user names, host names, domains and IPs with stable pseudonyms",
    )
    audit.add_argument(
        "--content",
        nargs="+",
        type=Path,
        default=[],
        metavar="PATH",
        help="detection content files or folders: adds the content impact to every format",
    )
    audit.add_argument(
        "--no-images",
        action="store_true",
        help="leave chart images out of xlsx/pdf (default: included when a Chromium is found)",
    )
    audit.set_defaults(handler=_run_audit)


def _run_audit(args: argparse.Namespace) -> int:
    from siem2graph.audit import audit_files
    from siem2graph.impact import analyse_content, read_content_paths
    from siem2graph.mapping import load_mapping
    from siem2graph.report.content_tables import rules_summary

    # a bad content path fails before the audit runs
    content = read_content_paths(args.content) if args.content else None
    mapping = load_mapping(args.mapping) if args.mapping else None
    report = audit_files(args.legacy, args.graph, mapping, aliases=args.aliases)
    impact = None if content is None else analyse_content(content, report.mapping, report.to_dict())
    written = write_reports(
        report,
        args.format,
        args.out,
        redact=args.redact,
        images=False if args.no_images else None,
        content=impact,
    )
    join = report.join
    print(
        f"matched {join.matched_alerts} alerts; legacy-only {join.legacy_only_alerts}, "
        f"graph-only {join.graph_only_alerts}; {report.headline.fields_at_risk} fields at risk; "
        f"{len(report.problems)} input problems; wrote {len(written)} file(s) to {args.out}"
    )
    if impact is not None:
        print(f"content impact: {rules_summary(impact)}; {len(impact.problems)} files not read")
    return EXIT_OK


def _add_dashboard(subparsers: argparse._SubParsersAction) -> None:
    dashboard = subparsers.add_parser("dashboard", help="serve the dashboard (Streamlit)")
    dashboard.add_argument("--port", type=int, default=8501)
    dashboard.add_argument("--address", help="listen address (default: localhost only)")
    dashboard.set_defaults(handler=lambda args: run_dashboard(args.port, args.address))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="siem2graph", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    _add_audit(subparsers)
    add_pull_parser(subparsers)
    subparsers.choices["pull"].set_defaults(handler=run_pull)
    add_impact_parser(subparsers)
    _add_dashboard(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; product errors become a one-line message and exit code 2."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except Siem2GraphError as exc:
        print(f"siem2graph: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as exc:
        print(
            f"siem2graph: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
            file=sys.stderr,
        )
        return EXIT_INPUT
