"""``siem2graph pull``: every Graph alerts_v2 alert of a period, once, into an NDJSON file."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from siem2graph.cli.progress import StderrProgress
from siem2graph.errors import AuthError, PartialPull
from siem2graph.graph.auth import build_app
from siem2graph.graph.client import MAX_TOP, GraphClient, PullOptions, PullResult, Tenant
from siem2graph.graph.clouds import CLOUDS, resolve_endpoints
from siem2graph.graph.credentials import (
    ClientSecret,
    Credential,
    DeviceCode,
    certificate_from_file,
    env_value,
    secret_from_env,
)
from siem2graph.graph.service import connect
from siem2graph.graph.transport import Clock, Sleep, make_session


def parse_instant(text: str) -> datetime:
    """An ISO-8601 date or date-time; naive values are taken as UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 date/time: {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def add_connection_arguments(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup, required: bool = True
) -> None:
    """Whose alerts, signed in how, from which cloud: the options of every command that pulls."""
    parser.add_argument("--tenant-id", required=required)
    parser.add_argument("--client-id", required=required)
    how = parser.add_mutually_exclusive_group(required=required)
    how.add_argument("--client-secret-env", metavar="VAR", help="env variable with the secret")
    how.add_argument("--client-secret-file", type=Path, metavar="FILE", help="file with the secret")
    how.add_argument("--certificate", type=Path, metavar="PEM", help="PEM: private key (+ cert)")
    how.add_argument("--device-code", action="store_true", help="delegated sign-in by device code")
    parser.add_argument("--certificate-thumbprint", metavar="HEX", help="SHA-1 thumbprint")
    parser.add_argument("--certificate-password-env", metavar="VAR")
    parser.add_argument("--cloud", choices=sorted(CLOUDS), default="global")
    parser.add_argument("--authority", metavar="URL", help="override the cloud's login host")
    parser.add_argument("--graph-url", metavar="URL", help="override the cloud's Graph root")
    parser.add_argument("--top", type=int, default=MAX_TOP, help=f"page size, 1..{MAX_TOP}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``pull`` options: alerts created in [since, until)."""
    add_connection_arguments(parser)
    parser.add_argument("--since", type=parse_instant, required=True, metavar="ISO8601")
    parser.add_argument("--until", type=parse_instant, required=True, metavar="ISO8601")
    parser.add_argument("--service-source", default="all", metavar="NAME|all")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE.ndjson")


def credential_from_args(args: argparse.Namespace) -> Credential:
    """The credential the arguments point at (values come from env variables or files only)."""
    if args.client_secret_env:
        return secret_from_env(args.client_secret_env)
    if args.client_secret_file:
        try:
            secret = args.client_secret_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise AuthError(
                f"cannot read {args.client_secret_file} ({type(exc).__name__})"
            ) from None
        if not secret:
            raise AuthError(f"{args.client_secret_file} is empty")
        return ClientSecret(secret)
    if args.certificate:
        password = None
        if args.certificate_password_env:
            password = env_value(args.certificate_password_env, "certificate password")
        return certificate_from_file(args.certificate, args.certificate_thumbprint, password)
    return DeviceCode()


def print_summary(result: PullResult, out: TextIO) -> None:
    """The pull summary, one `name: value` per line."""
    state = "partial" if result.partial else "complete"
    for name, value in (
        ("pull", state),
        ("alerts", result.alerts),
        ("requests", result.requests),
        ("pages", result.pages),
        ("retries", result.retries),
        ("waits", f"{result.waits} ({result.wait_seconds:.1f} s)"),
        ("windows", result.windows),
        ("out", result.out_path),
    ):
        out.write(f"{name}: {value}\n")


def run_pull(
    args: argparse.Namespace,
    *,
    stdout: TextIO = sys.stdout,
    stderr: TextIO = sys.stderr,
    clock: Clock = time.monotonic,
    sleep: Sleep = time.sleep,
) -> None:
    """Pull and print the summary; raises PartialPull (exit 3) when alerts are missing."""
    source = None if args.service_source.lower() == "all" else args.service_source
    client = graph_client(args, stderr, clock, sleep)
    progress = StderrProgress("pull", args.quiet, stderr)
    result = client.pull(args.since, args.until, args.out, source, progress.pull)
    progress.finish()
    print_summary(result, stdout)
    if result.partial:
        raise PartialPull(f"partial pull: {result.reason}")


def graph_client(
    args: argparse.Namespace,
    stderr: TextIO = sys.stderr,
    clock: Clock = time.monotonic,
    sleep: Sleep = time.sleep,
) -> GraphClient:
    """A signed-in client for the connection options (a preflight says what the token may do)."""
    endpoints = resolve_endpoints(args.tenant_id, args.cloud, args.authority, args.graph_url)
    session = make_session()
    return connect(
        build_app(args.client_id, credential_from_args(args), endpoints, session),
        endpoints,
        Tenant(args.tenant_id.strip(), args.cloud),
        session,
        lambda text: stderr.write(f"{text}\n"),
        options=PullOptions(top=args.top),
        clock=clock,
        sleep=sleep,
        on_wait=lambda seconds, why: stderr.write(f"waiting {seconds:.0f} s: {why}\n"),
    )


def run(args: argparse.Namespace) -> None:
    """The ``pull`` handler."""
    run_pull(args)
