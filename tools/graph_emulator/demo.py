"""`make demo-live`: the emulator on the sample and the dashboard wired to it; no tenant needed.

`python -m tools.graph_emulator.demo [--port N] [--app-port N] [--behaviour NAME ...]` starts the
emulator in this process with a random client secret, then `streamlit run app.py` with the
SIEM2GRAPH_* settings from `dashboard_env`, and stops the emulator when the dashboard stops.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

from tools.graph_emulator.__main__ import DEFAULT_ALERTS, parse_behaviour
from tools.graph_emulator.server import GraphEmulator, Registration
from tools.graph_emulator.store import load_alerts

TENANT, CLIENT = "demo-tenant", "demo-client"
SINCE, UNTIL = "2026-10-01", "2026-10-14"  # the sample's window (until inclusive, as in the form)
WORKDIR = Path(".demo-live")


def dashboard_env(
    emulator: GraphEmulator,
    secret: str,
    cache_dir: Path,
    since: str = SINCE,
    until: str = UNTIL,
) -> dict[str, str]:
    """The environment that points the dashboard's Live Graph form at `emulator`."""
    return {
        "REQUESTS_CA_BUNDLE": str(emulator.ca_path.resolve()),
        "SIEM2GRAPH_TENANT_ID": TENANT,
        "SIEM2GRAPH_CLIENT_ID": CLIENT,
        "SIEM2GRAPH_CLIENT_SECRET": secret,
        "SIEM2GRAPH_AUTHORITY": emulator.url,
        "SIEM2GRAPH_GRAPH_URL": emulator.url,
        "SIEM2GRAPH_CACHE_DIR": str(cache_dir),
        "SIEM2GRAPH_SINCE": since,
        "SIEM2GRAPH_UNTIL": until,
    }


def demo_emulator(alerts: Path, ca_path: Path, port: int = 0) -> tuple[GraphEmulator, str]:
    """An emulator (not started) serving `alerts` to the demo client, and its fresh secret."""
    secret = secrets.token_urlsafe(32)
    ca_path.parent.mkdir(parents=True, exist_ok=True)
    emulator = GraphEmulator(load_alerts(alerts), [Registration(CLIENT, secret)], ca_path, port)
    return emulator, secret


def main(argv: list[str] | None = None) -> int:
    """Run the emulator and the dashboard until the dashboard stops."""
    parser = argparse.ArgumentParser(prog="python -m tools.graph_emulator.demo")
    parser.add_argument("--alerts", type=Path, default=DEFAULT_ALERTS)
    parser.add_argument("--port", type=int, default=8443, help="the emulator's port")
    parser.add_argument("--app-port", type=int, default=8501, help="the dashboard's port")
    parser.add_argument("--since", default=SINCE)
    parser.add_argument("--until", default=UNTIL)
    parser.add_argument("--behaviour", nargs="*", default=["chaos"], metavar="NAME[=VALUE]")
    args = parser.parse_args(argv)
    emulator, secret = demo_emulator(args.alerts, WORKDIR / "ca.pem", args.port)
    emulator.configure(**parse_behaviour(args.behaviour))
    env = os.environ | dashboard_env(emulator, secret, WORKDIR / "cache", args.since, args.until)
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(args.app_port),
    ]
    with emulator, subprocess.Popen(command, env=env) as app:  # noqa: S603 - our own command
        sys.stdout.write(f"graph emulator on {emulator.url} ({len(emulator.store)} alerts)\n")
        sys.stdout.flush()
        signal.signal(signal.SIGTERM, lambda *_: app.terminate())
        try:
            return app.wait()
        except KeyboardInterrupt:  # the dashboard got the same Ctrl-C
            return app.wait()


if __name__ == "__main__":
    raise SystemExit(main())
