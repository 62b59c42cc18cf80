"""``siem2graph convert``: Graph alerts_v2 alerts written as SIEM API records (the bridge feed)."""

from __future__ import annotations

import argparse
from pathlib import Path

from siem2graph.bridge.convert import FORMATS, convert, sidecar_path
from siem2graph.cli.options import add_mapping, input_sources, mapping_of


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``convert`` options."""
    parser.add_argument("--graph", nargs="+", required=True, type=Path, metavar="PATH")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE")
    parser.add_argument(
        "--format", choices=FORMATS, help="default: --out's extension when it names one, else json"
    )
    add_mapping(parser)


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    suffix = args.out.suffix.lstrip(".").lower()
    return suffix if suffix in FORMATS else "json"


def run(args: argparse.Namespace) -> None:
    """Convert, then say what was written and what was passed over."""
    fmt = _format(args)
    sources = input_sources(args.graph)
    result = convert(sources, args.out, fmt, mapping_of(args))
    skipped = "; ".join(f"{n} {reason}" for reason, n in sorted(result.skipped.items()))
    print(
        f"wrote {result.records} SIEM API records for {result.alerts} alerts to {args.out} "
        f"({fmt}); metadata in {sidecar_path(args.out)}"
        + (f"; passed over: {skipped}" if skipped else "")
    )
