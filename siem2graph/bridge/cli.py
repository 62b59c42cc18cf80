"""`convert` and `serve-siem-api`: the bridge's two commands."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from siem2graph.bridge.convert import (
    FORMATS,
    ConvertResult,
    convert,
    graph_records,
    sidecar_path,
)
from siem2graph.bridge.query import RecordIndex
from siem2graph.bridge.records import FeedSpec
from siem2graph.bridge.server import SiemApiServer
from siem2graph.errors import InputError
from siem2graph.mapping import DEFAULT_MAPPING_FILE, load_mapping
from siem2graph.sources import Source


def add_bridge_parsers(subparsers: argparse._SubParsersAction) -> None:
    """Add `convert` and `serve-siem-api` to the CLI."""
    feed = subparsers.add_parser(
        "convert", help="write Graph alerts_v2 alerts as SIEM API records (the bridge feed)"
    )
    feed.add_argument("--graph", nargs="+", required=True, type=Path, metavar="PATH")
    feed.add_argument("--out", required=True, type=Path, metavar="FILE")
    feed.add_argument(
        "--format", choices=FORMATS, help="default: from --out's extension, else json"
    )
    feed.add_argument("--mapping", type=Path, default=DEFAULT_MAPPING_FILE)
    feed.set_defaults(handler=run_convert)
    serve = subparsers.add_parser(
        "serve-siem-api", help="answer GET /api/alerts as the SIEM API did, from Graph alerts"
    )
    serve.add_argument("--graph", nargs="+", required=True, type=Path, metavar="PATH")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--host", default="127.0.0.1", help="default: localhost only")
    serve.add_argument(
        "--token-env",
        metavar="VAR",
        help="require 'Authorization: Bearer <token>' with the token in this environment variable",
    )
    serve.add_argument("--mapping", type=Path, default=DEFAULT_MAPPING_FILE)
    serve.set_defaults(handler=run_serve)


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    suffix = args.out.suffix.lstrip(".").lower()
    return suffix if suffix in FORMATS else "json"


def run_convert(args: argparse.Namespace) -> int:
    """Convert, then say what was written and what was passed over."""
    fmt = _format(args)
    result = convert(
        [Source.from_path(p) for p in args.graph], args.out, fmt, load_mapping(args.mapping)
    )
    skipped = "; ".join(f"{n} {reason}" for reason, n in sorted(result.skipped.items()))
    print(
        f"wrote {result.records} SIEM API records for {result.alerts} alerts to {args.out} "
        f"({fmt}); metadata in {sidecar_path(args.out)}"
        + (f"; passed over: {skipped}" if skipped else "")
    )
    return 0


def run_serve(args: argparse.Namespace) -> int:
    """Serve the records of the given Graph files until interrupted."""
    token = None
    if args.token_env:
        token = os.environ.get(args.token_env, "").strip()
        if not token:
            raise InputError(f"environment variable {args.token_env} (the bearer token) is empty")
    mapping = load_mapping(args.mapping)
    result = ConvertResult()
    sources = [Source.from_path(p) for p in args.graph]
    index = RecordIndex(list(graph_records(sources, FeedSpec.from_mapping(mapping), result)))
    server = SiemApiServer(index, args.host, args.port, token)
    print(
        f"serving {len(index)} SIEM API records of {result.alerts} alerts at "
        f"{server.url}/api/alerts" + ("" if token else " (no token required)"),
        file=sys.stderr,
    )
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0
