"""``siem2graph history list|show ID|diff ID1 ID2|delete ID|share ID|unshare ID``: the saved
audits of this store (those saved without a sign-in: the CLI has none)."""

from __future__ import annotations

import argparse
from typing import Any

import orjson
import pandas as pd

from siem2graph.cli.options import add_store, store_of
from siem2graph.store import EVERYONE
from siem2graph.store.history import compare_document, compare_frame, history_frame, shared_text
from siem2graph.store.records import StoredAudit

LIST_COLUMNS = [
    "id", "created", "name", "detections", "keeps", "changes", "loses", "readable", "shared_with",
]  # fmt: skip
DIFF_COLUMNS = [
    "siem_field",
    "readiness_before",
    "readiness_after",
    "match_rate_before",
    "match_rate_after",
    "match_rate_delta",
    "missing_in_graph_delta",
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``history`` actions, each with ``--store`` and (but delete) ``--json``."""
    actions = parser.add_subparsers(dest="action", required=True)
    for name, ids, help_text in (
        ("list", 0, "the saved audits, newest first"),
        ("show", 1, "one saved audit: inputs, figures, readiness"),
        ("diff", 2, "two saved audits compared field by field (first: before)"),
        ("delete", 1, "delete a saved audit and every file it saved"),
        ("share", 1, "let signed-in users of a team dashboard list and open a saved audit"),
        ("unshare", 1, "stop sharing a saved audit"),
    ):
        action = actions.add_parser(name, help=help_text, description=help_text)
        for dest in ("id", "id2")[:ids]:
            action.add_argument(dest, metavar=dest.upper())
        add_store(action)
        if name in ("share", "unshare"):
            action.add_argument("users", nargs="*", metavar="EMAIL", help="users, by sign-in")
            action.add_argument("--everyone", action="store_true", help="every signed-in user")
        elif name != "delete":
            action.add_argument("--json", action="store_true", help="JSON instead of a table")


def _plain(text: Any) -> str:
    """A value for the terminal: control characters (escape sequences) shown, not obeyed."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def _table(frame: pd.DataFrame) -> str:
    return frame.map(_plain).to_string(index=False) if len(frame) else "(none)"


def _print_json(document: Any) -> None:
    print(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())


def _print_audit(audit: StoredAudit) -> None:
    print(f"{audit.id}: {_plain(audit.name)}, saved {audit.created}")
    print(f"siem2graph {audit.tool_version}, mapping {audit.mapping_version}")
    for item in audit.summary["inputs"]:
        size = "" if item["bytes"] is None else f", {item['bytes']:,} bytes"
        print(f"  {item['side']}: {_plain(item['name'])} (sha256 {item['sha256']}{size})")
    join = audit.summary["join"]
    print(
        f"{join['legacy_rows']:,} detections, {join['matched_alerts']:,} matched alerts, "
        f"{audit.summary['headline']['fields_at_risk']} fields at risk"
    )
    print("readiness: " + ", ".join(f"{n} {c}" for n, c in audit.readiness.items()))
    if not audit.readable:
        print("its saved tables are missing or damaged: it cannot be reopened")


def run(args: argparse.Namespace) -> None:
    """Run the chosen action on the store ``--store`` names (the default store otherwise)."""
    store = store_of(args)
    if args.action == "list":
        frame = history_frame(store.list())
        if args.json:
            _print_json(frame.to_dict(orient="records"))
        else:
            print(_table(frame[LIST_COLUMNS]))
    elif args.action == "show":
        audit = store.get(args.id)
        document = {
            "id": audit.id,
            "name": audit.name,
            "created": audit.created,
            "tool_version": audit.tool_version,
            "mapping_version": audit.mapping_version,
            "readable": audit.readable,
            "stored_bytes": audit.stored_bytes,
            **audit.summary,
        }
        if args.json:
            _print_json(document)
        else:
            _print_audit(audit)
    elif args.action == "diff":
        before, after = store.get(args.id), store.get(args.id2)
        if args.json:
            _print_json(compare_document(before, after))
        else:
            for label, audit in (("before", before), ("after", after)):
                print(f"{label}: {_plain(audit.name)} ({_plain(audit.inputs_text())})")
            print(_table(compare_frame(before, after)[DIFF_COLUMNS].round(3)))
    elif args.action == "delete":
        audit = store.get(args.id)
        store.delete(audit.id)
        print(f"deleted {audit.id} ({_plain(audit.name)})")
    else:
        users = [*args.users, *([EVERYONE] if args.everyone else [])]
        change = store.share if args.action == "share" else store.unshare
        change(args.id, users)
        shared = shared_text(store.get(args.id))
        print(
            f"{args.id} is shared with {_plain(shared)}" if shared else f"{args.id} is not shared"
        )
