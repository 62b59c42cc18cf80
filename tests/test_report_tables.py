"""The shared report tables: field coverage, risk register, summary, notes."""

from __future__ import annotations

import pytest

from siem2graph.report.audit_tables import READINESS_TEXT
from siem2graph.report.tables import add_notes, report_tables
from tests.report_inputs import example_report


@pytest.fixture(scope="module")
def tables():
    return {t.name: t for t in report_tables(example_report())}


def test_summary_comes_first_and_names_the_scope(tables):
    assert next(iter(tables)) == "summary"
    summary = tables["summary"].frame.set_index("item")["value"]
    assert summary["tool version"] and summary["mapping version"]
    assert "sha256 " in summary["legacy input legacy.json"]
    assert summary["matched alerts"] == 1
    assert summary["overall"].startswith("loses:")
    assert summary["legacy time range"].startswith("2018-11-09T03:43:11")


def test_fields_table_has_every_field_with_rates(tables):
    fields = tables["fields"].frame.set_index("siem_field")
    assert len(fields) == 50
    assert fields.loc["FileName", "mismatch"] == 1
    assert fields.loc["FileName", "mismatch_rate"] == 1.0
    assert fields.loc["AlertTitle", "retained_rate"] == 1.0
    assert fields.loc["IocName", "verdict"] == READINESS_TEXT["loses"]
    assert set(tables["fields"].rates) == {"retained_rate", "mismatch_rate", "missing_rate"}


def test_readiness_counts_cover_all_fields(tables):
    assert tables["readiness"].frame["fields"].sum() == 50


def test_risk_register_lists_lost_and_changed_fields_with_empty_decisions(tables):
    register = tables["risk_register"].frame
    assert set(register["readiness"]) <= {"loses", "changes"}
    assert list(register["readiness"]) == sorted(
        register["readiness"], key=["loses", "changes"].index
    )
    rows = register.set_index("siem_field")
    assert rows.loc["IocName", "alerts_touched"] == 1  # no Graph equivalent: alerts holding it
    assert rows.loc["FileName", "alerts_touched"] == 1  # the mismatch
    assert rows.loc["UserName", "readiness"] == "changes"  # processEvidence holds SYSTEM
    assert rows.loc["Md5", "replacement"]  # Microsoft's note says what replaces it
    assert (register["owner"] == "").all() and (register["decision"] == "").all()


def test_one_sided_alerts_carry_reasons_and_text_times(tables):
    legacy_only = tables["legacy_only_alerts"].frame
    assert legacy_only.loc[0, "reason"] == "outside the Graph time window"
    assert legacy_only.loc[0, "legacy_time"].startswith("2018-11-09T03:43:11")
    assert tables["graph_only_alerts"].frame.loc[0, "graph_id"] == "fa0000000000000000_1"


def test_schema_diff_problems_mapping_and_inputs(tables):
    assert tables["unmapped_legacy_columns"].frame.loc[0, "column"] == "CustomerTag"
    assert len(tables["unmapped_graph_paths"].frame) > 10
    assert list(tables["problems"].frame.columns) == ["side", "file", "line", "reason"]
    assert len(tables["mapping"].frame) == 50
    assert len(tables["inputs"].frame.loc[0, "sha256"]) == 64


def test_documents_show_the_head_and_say_so(tables):
    pairs = tables["mismatch_pairs"]
    assert pairs.cut_note == ""  # few rows: all shown
    cut = type(pairs)("t", "T", "d", tables["mapping"].frame, document_rows=5)
    assert len(cut.head()) == 5 and "First 5 of 50 rows" in cut.cut_note


def test_notes_extend_only_the_summary(tables):
    noted = {t.name: t for t in add_notes(list(tables.values()), "a note")}
    assert noted["summary"].frame.iloc[-1]["value"] == "a note"
    assert noted["fields"].frame is tables["fields"].frame
