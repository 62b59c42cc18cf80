"""``siem2graph serve-siem-api``: GET /api/alerts as the SIEM API answered, from Graph alerts.

Backed by saved Graph files (``--graph``) or by live pulls of each requested window (the
connection options of ``pull``), cached under ``--cache``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from datetime import timedelta
from pathlib import Path

from siem2graph.bridge.convert import ConvertResult, graph_records
from siem2graph.bridge.live import LiveRecords
from siem2graph.bridge.query import RecordIndex
from siem2graph.bridge.records import FeedSpec
from siem2graph.bridge.server import SiemApiServer
from siem2graph.cli.options import add_mapping, input_sources, mapping_of
from siem2graph.cli.pull import add_connection_arguments, graph_client
from siem2graph.errors import InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``serve-siem-api`` options."""
    parser.add_argument(
        "--graph", nargs="+", type=Path, metavar="PATH", help="saved Graph files to serve"
    )
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--host", default="127.0.0.1", help="default: this machine only")
    parser.add_argument(
        "--token-env",
        metavar="VAR",
        help="require 'Authorization: Bearer <token>' with the token in this environment variable",
    )
    add_mapping(parser)
    live = parser.add_argument_group("live pulls (instead of --graph)")
    add_connection_arguments(live, required=False)
    live.add_argument(
        "--cache",
        type=Path,
        default=Path(".siem2graph-cache/bridge"),
        metavar="DIR",
        help="where pulled windows are kept",
    )
    live.add_argument(
        "--lookback-hours",
        type=float,
        default=24.0,
        help="how long before a window's start its alerts may have been created",
    )


def _token(args: argparse.Namespace) -> str | None:
    if not args.token_env:
        return None
    token = os.environ.get(args.token_env, "").strip()
    if not token:
        raise InputError(f"environment variable {args.token_env} (the bearer token) is empty")
    return token


def run(args: argparse.Namespace) -> None:
    """Serve until interrupted."""
    token = _token(args)
    spec = FeedSpec.from_mapping(mapping_of(args))
    if args.graph:
        result = ConvertResult()
        sources = input_sources(args.graph)
        index = RecordIndex(list(graph_records(sources, spec, result)))
        server = SiemApiServer(index, args.host, args.port, token)
        what = f"{len(index)} SIEM API records of {result.alerts} alerts"
    elif args.tenant_id and args.client_id:
        lookback = timedelta(hours=args.lookback_hours)
        live = LiveRecords(graph_client(args), args.cache, spec, lookback)
        server = SiemApiServer(live, args.host, args.port, token)
        what = f"live pulls of tenant {args.tenant_id}"
    else:
        raise InputError("give --graph FILE..., or --tenant-id, --client-id and a credential")
    print(
        f"serving {what} at {server.url}/api/alerts" + ("" if token else " (no token required)"),
        file=sys.stderr,
        flush=True,
    )
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
