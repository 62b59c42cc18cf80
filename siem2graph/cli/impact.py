"""``siem2graph impact``: the content impact report as DIR/impact.json."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import orjson

from siem2graph.cli.options import add_mapping, add_siem_sources, mapping_of, name_symlinks
from siem2graph.cli.progress import StderrProgress
from siem2graph.errors import InputError
from siem2graph.impact.engine import analyse_content, read_content_paths
from siem2graph.impact.evidence import evidence_from_audit

OUTPUT_NAME = "impact.json"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``impact`` options."""
    parser.add_argument(
        "--content",
        nargs="+",
        required=True,
        type=Path,
        metavar="PATH",
        help="content files or directories (walked)",
    )
    parser.add_argument(
        "--report",
        type=Path,
        metavar="REPORT",
        help="an audit's report.json (or its folder): checks compared values against observed data",
    )
    add_siem_sources(parser)
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    add_mapping(parser)


def _read_report(path: Path) -> dict[str, Any]:
    if path.is_dir():
        path = path / "report.json"
    try:
        document = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}: not a JSON audit report ({exc})") from None
    if not isinstance(document, dict):
        raise InputError(f"{path}: not a JSON audit report")
    return document


def run(args: argparse.Namespace) -> None:
    """Judge the content, write impact.json and print a one-line summary."""
    from siem2graph.report.content_tables import bridge_summary, rules_summary

    name_symlinks([*args.content, *filter(None, [args.report, args.mapping])])
    progress = StderrProgress("impact", args.quiet)
    progress.step("reading the content", 0.0)
    files = read_content_paths(args.content)
    audit = _read_report(args.report) if args.report else None
    mapping = mapping_of(args)
    progress.step(f"judging {len(files):,} files", 0.5)
    impact = analyse_content(files, mapping, evidence_from_audit(audit, mapping), args.siem_source)
    target = args.out / OUTPUT_NAME
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        target.write_bytes(orjson.dumps(impact.to_dict(), option=orjson.OPT_INDENT_2))
    except OSError as exc:
        raise InputError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    progress.finish()
    print(
        f"{rules_summary(impact)}; {bridge_summary(impact)}; "
        f"{len(impact.problems)} problems -> {target}"
    )
