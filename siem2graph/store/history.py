"""Saved audits side by side: the history table, the trend, and two audits compared per field.

Everything comes from the catalog's summaries (counts per field), so comparing never reopens
an audit's tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from siem2graph.model import READINESS
from siem2graph.store.catalog import EVERYONE
from siem2graph.store.records import StoredAudit

AT_RISK = ("loses", "changes")
NO_OWNER = "(no sign-in)"  # saved by the CLI or a dashboard without sign-in
COMPARED = ("judged", "match", "mismatch", "missing_in_graph", "unreadable")


def shared_text(audit: StoredAudit) -> str:
    """Who else may open it, in words ('' when nobody)."""
    return ", ".join("everyone signed in" if g == EVERYONE else g for g in audit.shared_with)


def history_frame(audits: Sequence[StoredAudit]) -> pd.DataFrame:
    """One row per audit, in the order given: whose, shared with whom, what it read and how its
    fields fared."""
    rows = [
        {
            "id": a.id,
            "name": a.name,
            "created": a.created,
            "owner": a.owner or NO_OWNER,
            "shared_with": shared_text(a),
            "inputs": a.inputs_text(),
            "detections": a.rows,
            "matched_alerts": a.summary["join"]["matched_alerts"],
            **a.readiness,
            "fields_at_risk": a.summary["headline"]["fields_at_risk"],
            "mapping_version": a.mapping_version,
            "readable": a.readable,
        }
        for a in audits
    ]
    columns = ["id", "name", "created", "owner", "shared_with", "inputs", "detections"]
    columns += ["matched_alerts", *READINESS]
    return pd.DataFrame(rows, columns=[*columns, "fields_at_risk", "mapping_version", "readable"])


def trend_frame(audits: Sequence[StoredAudit]) -> pd.DataFrame:
    """Keeps/changes/loses and fields at risk per audit, oldest first (the trend chart's data)."""
    frame = history_frame(audits).sort_values(["created", "id"], kind="stable")
    return frame[["id", "name", "created", "keeps", "changes", "loses", "fields_at_risk"]]


def _figures(audit: StoredAudit, field: str) -> dict[str, Any]:
    figures = dict(audit.summary["fields"].get(field, {}))
    if figures:
        figures["judged"] = figures["legacy_populated"] - figures["unreadable"]
    return figures


def _rate(figures: dict[str, Any], count: str) -> float | None:
    judged = figures.get("judged") or 0
    return figures[count] / judged if judged else None


def _delta(before: Any, after: Any) -> Any:
    return None if before is None or after is None else after - before


def compare_frame(before: StoredAudit, after: StoredAudit) -> pd.DataFrame:
    """Per SIEM field: readiness then and now, counts and rates with deltas; the fields whose
    readiness changed come first, then the largest moves of the retained rate."""
    fields = list(dict.fromkeys([*before.summary["fields"], *after.summary["fields"]]))
    rows = []
    for field in fields:
        then, now = _figures(before, field), _figures(after, field)
        row: dict[str, Any] = {
            "siem_field": field,
            "readiness_before": then.get("readiness", ""),
            "readiness_after": now.get("readiness", ""),
        }
        row["readiness_changed"] = row["readiness_before"] != row["readiness_after"]
        for count in COMPARED:
            row[f"{count}_before"], row[f"{count}_after"] = then.get(count), now.get(count)
            row[f"{count}_delta"] = _delta(then.get(count), now.get(count))
        for rate in ("match", "missing_in_graph"):
            old, new = _rate(then, rate), _rate(now, rate)
            row[f"{rate}_rate_before"], row[f"{rate}_rate_after"] = old, new
            row[f"{rate}_rate_delta"] = _delta(old, new)
        rows.append(row)
    frame = pd.DataFrame(rows)
    moved = frame["match_rate_delta"].astype("Float64").abs().fillna(0)
    order = frame.assign(_moved=moved).sort_values(
        ["readiness_changed", "_moved"], ascending=False, kind="stable"
    )
    return order.drop(columns="_moved").reset_index(drop=True)


def _side(audit: StoredAudit) -> dict[str, Any]:
    return {
        "id": audit.id,
        "name": audit.name,
        "created": audit.created,
        "mapping_version": audit.mapping_version,
        "inputs": list(audit.summary["inputs"]),
        "readiness": audit.readiness,
        "fields_at_risk": audit.summary["headline"]["fields_at_risk"],
    }


def compare_document(before: StoredAudit, after: StoredAudit) -> dict[str, Any]:
    """The comparison as JSON-ready data: both sides (with their inputs) and the fields."""
    frame = compare_frame(before, after).astype(object)
    records = frame.where(frame.notna(), None).to_dict(orient="records")
    return {"before": _side(before), "after": _side(after), "fields": records}
