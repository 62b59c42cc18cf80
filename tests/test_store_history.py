"""History from the catalog's summaries: the table, the trend, two audits compared per field."""

from __future__ import annotations

import pandas as pd

from siem2graph.store.history import compare_frame, history_frame, trend_frame
from siem2graph.store.records import StoredAudit


def _field(readiness: str, match: int, missing: int, populated: int = 100) -> dict:
    return {
        "status": "mapped",
        "readiness": readiness,
        "legacy_populated": populated,
        "match": match,
        "mismatch": populated - match - missing,
        "missing_in_graph": missing,
        "unreadable": 0,
    }


def _audit(audit_id: str, created: str, fields: dict) -> StoredAudit:
    readiness: dict[str, int] = {}
    for figures in fields.values():
        readiness[figures["readiness"]] = readiness.get(figures["readiness"], 0) + 1
    return StoredAudit(
        id=audit_id,
        owner="",
        name=f"audit {audit_id}",
        created=created,
        tool_version="0.1.0",
        mapping_version="m1",
        summary={
            "inputs": [
                {"side": "legacy", "name": "old.csv", "sha256": "a", "bytes": 1},
                {"side": "graph", "name": "new.json", "sha256": "b", "bytes": 2},
            ],
            "join": {"legacy_rows": 400, "matched_alerts": 100},
            "headline": {"fields_at_risk": readiness.get("loses", 0) + readiness.get("changes", 0)},
            "readiness": readiness,
            "fields": fields,
        },
        files={"x": 1},
    )


BEFORE = _audit(
    "b",
    "2026-12-01T10:00:00.000+00:00",
    {
        "AlertTitle": _field("keeps", 100, 0),
        "Severity": _field("changes", 90, 0),
        "FileName": _field("loses", 50, 50),
    },
)
AFTER = _audit(
    "a",
    "2026-12-05T10:00:00.000+00:00",
    {
        "AlertTitle": _field("keeps", 100, 0),
        "Severity": _field("changes", 95, 0),
        "FileName": _field("keeps", 100, 0),
    },
)


def test_fields_that_changed_readiness_come_first_then_the_largest_moves():
    frame = compare_frame(BEFORE, AFTER)
    assert list(frame["siem_field"]) == ["FileName", "Severity", "AlertTitle"]
    file_name = frame.iloc[0]
    assert (file_name["readiness_before"], file_name["readiness_after"]) == ("loses", "keeps")
    assert file_name["readiness_changed"]
    assert file_name["match_rate_before"] == 0.5 and file_name["match_rate_after"] == 1.0
    assert file_name["match_rate_delta"] == 0.5 and file_name["missing_in_graph_delta"] == -50


def test_a_field_only_one_audit_has_compares_as_missing_on_the_other_side():
    later = _audit("c", "2026-12-06T00:00:00.000+00:00", {"NewField": _field("keeps", 10, 0, 10)})
    frame = compare_frame(BEFORE, later).set_index("siem_field")
    assert frame.loc["NewField", "readiness_before"] == ""
    assert pd.isna(frame.loc["NewField", "match_before"])
    assert pd.isna(frame.loc["NewField", "match_rate_delta"])


def test_the_trend_runs_oldest_first_and_shows_the_gap_shrinking():
    trend = trend_frame([AFTER, BEFORE])
    assert list(trend["id"]) == ["b", "a"]
    assert list(trend["loses"]) == [1, 0] and list(trend["fields_at_risk"]) == [2, 1]
    table = history_frame([AFTER, BEFORE])
    assert list(table["inputs"]) == ["old.csv vs new.json"] * 2
    assert list(table["keeps"]) == [2, 1]
