"""`python -m tools.graph_emulator --alerts FILE [--port N] [--behaviour NAME=VALUE ...]`."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from dataclasses import fields
from pathlib import Path
from typing import Any

from cryptography import x509

from tools.graph_emulator.server import Behaviour, GraphEmulator, Registration
from tools.graph_emulator.store import load_alerts

DEFAULT_ALERTS = Path("sample_data/graph_alerts_v2.json")
# Named presets for --behaviour; NAME=VALUE sets one Behaviour field.
PRESETS: dict[str, dict[str, Any]] = {
    "no-nextlink": {"next_link": False},
    "no-count": {"count": False},
    "throttle": {"throttle": 3},
    "throttle-no-retry-after": {"throttle": 3, "retry_after": None},
    "503-burst": {"unavailable": 3},
    "drop": {"drop": 2},
    "truncate": {"truncate": 2},
    "expiring-tokens": {"token_uses": 5},
    "no-permission": {"roles": ()},
    "chaos": {"chaos_every": 3},  # the demo sample needs only a handful of requests
}


def _value(field_type: Any, text: str) -> Any:
    kind = str(field_type)
    if text.lower() in ("none", "null"):
        return None
    if "bool" in kind:
        return text.lower() in ("1", "true", "yes", "on")
    if "tuple" in kind:
        return tuple(part for part in text.split(",") if part)
    return int(text)


def parse_behaviour(items: list[str]) -> dict[str, Any]:
    """Behaviour changes from presets and NAME=VALUE items."""
    types = {f.name.replace("_", "-"): (f.name, f.type) for f in fields(Behaviour)}
    changes: dict[str, Any] = {}
    for item in items:
        if item in PRESETS:
            changes.update(PRESETS[item])
            continue
        name, _, text = item.partition("=")
        if name not in types or not text:
            known = ", ".join([*PRESETS, *(f"{n}=VALUE" for n in types)])
            raise SystemExit(f"unknown behaviour {item!r}; known: {known}")
        field_name, field_type = types[name]
        changes[field_name] = _value(field_type, text)
    return changes


def main(argv: list[str] | None = None) -> int:
    """Run the emulator until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m tools.graph_emulator", description=__doc__)
    parser.add_argument("--alerts", type=Path, default=DEFAULT_ALERTS)
    parser.add_argument("--port", type=int, default=8443)
    parser.add_argument("--ca-out", type=Path, default=Path("graph-emulator-ca.pem"))
    parser.add_argument("--client-id", default="demo-client")
    parser.add_argument("--client-secret-env", default="SIEM2GRAPH_CLIENT_SECRET")
    parser.add_argument("--client-certificate", type=Path, help="PEM certificate to accept")
    parser.add_argument("--behaviour", nargs="*", default=[], metavar="NAME[=VALUE]")
    args = parser.parse_args(argv)
    secret = os.environ.get(args.client_secret_env) or None
    certificates = []
    if args.client_certificate:
        certificates.append(x509.load_pem_x509_certificate(args.client_certificate.read_bytes()))
    registration = Registration(args.client_id, secret, certificates)
    emulator = GraphEmulator(load_alerts(args.alerts), [registration], args.ca_out, args.port)
    emulator.configure(**parse_behaviour(args.behaviour))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with emulator:
        sys.stdout.write(
            f"graph emulator on {emulator.url} ({len(emulator.store)} alerts); "
            f"CA in {args.ca_out}; secret from ${args.client_secret_env}: "
            f"{'set' if secret else 'NOT set'}\n"
        )
        sys.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
