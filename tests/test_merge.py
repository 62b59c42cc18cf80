"""Merging the reports of two disjoint halves of the sample equals auditing it whole, on every
count that is additive."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from siem2graph.audit import AuditOptions, audit_files, audit_sources
from siem2graph.errors import MappingError
from siem2graph.merge import merge_reports, summed_pairs
from siem2graph.merge import merged_graph_values as merged_values
from siem2graph.model import VERDICTS, AuditReport, PullScope
from siem2graph.pairs import rank_pairs
from tests.helpers import json_source

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
LEGACY = SAMPLE / "legacy_siem_export.csv"
GRAPH = SAMPLE / "graph_alerts_v2.json"
ADDITIVE_FIELD_COUNTS = (
    "legacy_rows_populated",
    "legacy_alerts_populated",
    "legacy_populated",
    "graph_populated",
    *VERDICTS,
    "unreadable_values",
    "path_matches",
)


@pytest.fixture(scope="module")
def whole():
    return audit_files([LEGACY], [GRAPH])


@pytest.fixture(scope="module")
def merged(whole, tmp_path_factory):
    """Alerts split by parity of their row in the whole report, both sides kept together."""
    folder = tmp_path_factory.mktemp("halves")
    legacy = pd.read_csv(LEGACY, dtype=str, keep_default_na=False)
    graph = json.loads(GRAPH.read_text(encoding="utf-8"))
    reports = []
    for half in (0, 1):
        alerts = whole.alerts.iloc[half::2]
        legacy_ids = set(alerts["legacy_alert_id"].dropna())
        graph_ids = set(alerts["graph_id"].dropna())
        legacy_path, graph_path = folder / f"legacy{half}.csv", folder / f"graph{half}.json"
        legacy[legacy["AlertId"].isin(legacy_ids)].to_csv(legacy_path, index=False)
        records = [a for a in graph["value"] if a["id"] in graph_ids]
        graph_path.write_text(json.dumps({"value": records}), encoding="utf-8")
        reports.append(audit_files([legacy_path], [graph_path]))
    return merge_reports(reports)


def test_join_counts_add_up(whole, merged):
    assert merged.join == whole.join


def test_field_counts_add_up(whole, merged):
    for mine, theirs in zip(merged.fields, whole.fields, strict=True):
        assert mine.siem_field == theirs.siem_field
        for name in ADDITIVE_FIELD_COUNTS:
            assert getattr(mine, name) == getattr(theirs, name), (mine.siem_field, name)
        assert mine.readiness == theirs.readiness
    assert merged.headline == whole.headline


def test_per_alert_frames_add_up(whole, merged):
    pd.testing.assert_frame_equal(merged.verdicts.sort_index(), whole.verdicts.sort_index())
    assert sorted(merged.alerts["key"]) == sorted(whole.alerts["key"])
    assert len(merged.detections) == len(whole.detections)
    assert len(merged.graph_values) == len(whole.graph_values)
    pd.testing.assert_frame_equal(merged.timeline, whole.timeline)


def test_schema_diff_counts_add_up(whole, merged):
    def counts(frame, key, column):
        return frame.set_index(key)[column].sort_index()

    pd.testing.assert_series_equal(
        counts(merged.unmapped_graph_paths, "path", "populated_alerts"),
        counts(whole.unmapped_graph_paths, "path", "populated_alerts"),
    )
    pd.testing.assert_series_equal(
        counts(merged.unmapped_legacy_columns, "column", "populated_rows"),
        counts(whole.unmapped_legacy_columns, "column", "populated_rows"),
    )


def test_value_pairs_are_summed_but_cut_per_partition(whole, merged):
    mismatched = merged.value_pairs[~merged.value_pairs["found"]]
    severity = mismatched[mismatched["siem_field"] == "Severity"]["alerts"].sum()
    expected = whole.value_pairs
    expected = expected[~expected["found"] & (expected["siem_field"] == "Severity")]
    assert severity == expected["alerts"].sum()


def test_merged_graph_values_stay_categorical(whole, merged):
    for column in ("id", "path", "key", "value"):
        assert merged.graph_values[column].dtype == "category"
    assert merged.graph_values["value"].cat.categories.is_monotonic_increasing
    assert sorted(merged.graph_values["value"].astype("str")) == sorted(
        whole.graph_values["value"].astype("str")
    )


def test_merged_graph_values_are_the_parts_one_under_another():
    """Row by row the parts' texts, whether a column's categories differ between the parts
    (unified through Arrow) or are the same in each (kept, in their order)."""
    parts = [
        pd.DataFrame({c: pd.Categorical(v) for c, v in part.items()})
        for part in (
            {"id": ["a", "b"], "path": ["title", "id"], "value": ["z", "y"], "key": ["1", "2"]},
            {"id": ["c"], "path": ["id"], "value": ["y"], "key": ["3"]},
        )
    ]
    parts[1]["path"] = parts[1]["path"].cat.set_categories(parts[0]["path"].cat.categories)
    shared = parts[0]["path"].cat.categories
    stacked = merged_values(parts)
    decoded = {c: list(stacked[c].astype("str")) for c in stacked.columns}
    assert decoded == {"id": ["a", "b", "c"], "path": ["title", "id", "id"],
                       "value": ["z", "y", "y"], "key": ["1", "2", "3"]}  # fmt: skip
    assert list(stacked["value"].cat.categories) == ["y", "z"]  # text order
    assert list(stacked["id"].cat.categories) == ["a", "b", "c"]  # first seen first
    assert stacked["path"].cat.categories.equals(shared)


def test_merged_detections_keep_their_values_and_compact_text(whole, merged):
    assert merged.detections["AlertTitle"].dtype == "category"

    def texts(report, column):
        return sorted(report.detections[column].dropna().astype("str"))

    for column in ("AlertTitle", "Description", "FullId", "Sha1"):
        assert texts(merged, column) == texts(whole, column)


def _pull(file: str, partial: bool) -> PullScope:
    return PullScope(
        file=file,
        tenant_id="tenant",
        cloud="global",
        graph_url="https://graph.example",
        since="2026-01-01T00:00:00Z",
        until="2026-02-01T00:00:00Z",
        service_source="all",
        partial=partial,
        reason="stopped early" if partial else "",
        alerts=10,
    )


def test_every_partitions_pulls_are_kept(whole):
    january = replace(whole, pulls=(_pull("january.ndjson", partial=False),))
    february = replace(whole, pulls=(_pull("february.ndjson", partial=True),))
    merged = merge_reports([january, february])
    assert [p.file for p in merged.pulls] == ["january.ndjson", "february.ndjson"]
    assert any(p.partial for p in merged.pulls)


def test_partitions_of_different_mapping_versions_are_refused(whole):
    other = replace(whole, mapping=replace(whole.mapping, version="other-version"))
    with pytest.raises(MappingError, match="different mapping versions"):
        merge_reports([whole, other])


def test_pairs_rank_when_parts_hold_none_or_only_missing_texts():
    # a partition without pairs gives an empty frame of objects; merged texts may be missing
    empty = pd.DataFrame(columns=["legacy_value", "graph_value", "found", "verdict", "alerts"])
    assert rank_pairs(empty).empty
    pairs = pd.DataFrame(
        {
            "legacy_value": ["b", "a", None, "a"],
            "graph_value": ["x", None, "x", "x"],
            "found": [True, True, True, False],
            "verdict": ["match", "match", "match", "missing_in_graph"],
            "alerts": [1, 1, 1, 1],
        },
        dtype=object,
    )
    # not found first, then by legacy text (missing last), then Graph text (missing last)
    assert rank_pairs(pairs).index.tolist() == [3, 1, 0, 2]


def _category_audit(categories: dict[str, list[str]], top: int | None) -> AuditReport:
    """An audit of one matched alert per item of ``categories`` (its number -> Graph's
    categories), every legacy Category 'Malware'."""
    created = "2024-05-01T10:00:00Z"
    legacy = [
        {"AlertId": f"da63700000000000000{n}_1", "AlertTime": created, "Category": "Malware"}
        for n in categories
    ]
    graph = [
        {
            "id": f"da63700000000000000{n}_1",
            "serviceSource": "microsoftDefenderForEndpoint",
            "createdDateTime": created,
            "lastUpdateDateTime": created,
            "categories": shown,
        }
        for n, shown in categories.items()
    ]
    report = audit_sources(
        [json_source("legacy.json", legacy)],
        [json_source("graph.json", {"value": graph})],
        options=AuditOptions(top_pairs=top),
    )
    assert report.join.matched_alerts == len(categories)
    return report


def _category_pairs(pairs: pd.DataFrame) -> list[tuple[str, int]]:
    kept = pairs[pairs["siem_field"] == "Category"]
    return list(zip(kept["graph_value"], kept["alerts"], strict=True))


def test_one_audit_cuts_its_pairs_where_a_merge_does():
    """Pairs as frequent rank by the texts shown, in one audit as in a merge (and on Spark):
    'x (+10 more)' sorts before 'x (+2 more)'; ranked by count, the cut kept the other one."""
    categories = {"1": ["x", "y1", "y2"], "2": ["x", *(f"z{n}" for n in range(10))]}
    cut = _category_audit(categories, 1).value_pairs
    report = _category_audit(categories, None)
    merged = summed_pairs([report.value_pairs], report, 1)
    for kept in (cut, merged):
        assert _category_pairs(kept) == [("x (+10 more)", 1)]


def test_pairs_that_show_the_same_text_are_one_pair_in_one_audit_as_in_a_merge():
    """A Graph value that itself reads 'x (+2 more)' shows as an alert holding x and two more
    values does: a merge holds only the texts shown and sums them, so one audit does too."""
    categories = {"1": ["x (+2 more)"], "2": ["x", "y", "z"], "3": ["x", "y"]}
    whole = _category_audit(categories, None).value_pairs
    parts = [_category_audit({n: shown}, None) for n, shown in categories.items()]
    merged = merge_reports(parts, AuditOptions(top_pairs=None)).value_pairs
    assert _category_pairs(whole) == [("x (+2 more)", 2), ("x (+1 more)", 1)]
    assert _category_pairs(merged) == _category_pairs(whole)
