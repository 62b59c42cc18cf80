"""``python -m siem2graph impact``: content impact report as DIR/impact.json."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from siem2graph.errors import InputError, Siem2GraphError
from siem2graph.impact.engine import analyse_content, read_content_paths
from siem2graph.impact.model import RULE_VERDICTS
from siem2graph.mapping import load_mapping

OUTPUT_NAME = "impact.json"


def add_impact_parser(subparsers: Any) -> None:
    """Add the ``impact`` sub-command (its handler is ``run_impact``)."""
    parser = subparsers.add_parser(
        "impact",
        help="which detection rules, dashboards and playbooks break when the SIEM API goes",
        description="Find SIEM API field references in detection content and judge each rule.",
    )
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
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    parser.set_defaults(handler=run_impact)


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


def run_impact(args: argparse.Namespace) -> int:
    """Run the sub-command: 0 on success, 2 with a one-line error on stderr for bad input."""
    try:
        files = read_content_paths(args.content)
        audit = _read_report(args.report) if args.report else None
        impact = analyse_content(files, load_mapping(), audit)
        args.out.mkdir(parents=True, exist_ok=True)
        target = args.out / OUTPUT_NAME
        target.write_bytes(orjson.dumps(impact.to_dict(), option=orjson.OPT_INDENT_2))
    except Siem2GraphError as exc:
        print(f"siem2graph impact: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"siem2graph impact: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    counts = Counter(rule.verdict for rule in impact.rules)
    summary = ", ".join(f"{counts[v]} {v}" for v in RULE_VERDICTS)
    print(f"{len(impact.rules)} rules ({summary}); {len(impact.problems)} problems -> {target}")
    return 0
