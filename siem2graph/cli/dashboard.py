"""``siem2graph dashboard``: serve the dashboard until it is stopped."""

from __future__ import annotations

import argparse

from siem2graph.dashboard import run_dashboard
from siem2graph.errors import Siem2GraphError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``dashboard`` options."""
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--address", help="listen address (default: localhost only)")


def run(args: argparse.Namespace) -> None:
    """Serve the dashboard; a Streamlit failure is an error."""
    code = run_dashboard(args.port, args.address)
    if code:
        raise Siem2GraphError(f"the dashboard stopped with exit code {code}")
