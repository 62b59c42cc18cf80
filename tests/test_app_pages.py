"""Every dashboard page through Streamlit's AppTest: renders, and does its main job."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import sys
import types
import weakref
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from siem2graph.graph import parsed_cache
from siem2graph.held import without_alert_values
from siem2graph.model import REUSED
from siem2graph.report import audit_name
from siem2graph.sources import Source
from tests.dashboard_inputs import (
    FILE_CHANGED,
    GRAPH_FILE,
    HOSTILE_TITLE,
    LEGACY_FILE,
    MATCHED,
    SEVERITY_CHANGED,
    dashboard_report,
    graph_json,
    legacy_csv,
)
from ui import cache as ui_cache
from ui import nav, state
from ui.downloads import export_downloads
from ui.samples import SAMPLE_DIR, sample_files

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TIMEOUT = 120
REPORT_PAGES = [
    nav.OVERVIEW,
    nav.COVERAGE,
    nav.FIELD,
    nav.UNSUPPORTED,
    nav.MISMATCHES,
    nav.EXPLORER,
    nav.SCHEMA_DIFF,
    nav.BRIDGE,
    nav.EXPORT,
]


@pytest.fixture(scope="module")
def report():
    return dashboard_report()


def _fresh_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT)


def _app_on(page: nav.PageSpec, report=None, report_id: str = "dashboard-test-inputs") -> AppTest:
    """The app on ``page``, with ``report`` loaded as if audited (and no automatic sample);
    ``report_id`` names it for the views' cache."""
    at = _fresh_app()
    at.session_state[state.SAMPLE_TRIED] = True
    if report is not None:
        at.session_state[state.REPORT] = report
        at.session_state[state.REPORT_ID] = report_id
        at.session_state[state.REPORT_LABEL] = "test inputs"
    at.run()
    return at.switch_page(page.path).run()


def _assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def _table_with(at: AppTest, column: str):
    """The first table shown with ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _texts(at: AppTest) -> str:
    return "\n".join(t.value for t in at.text)


def test_first_visit_audits_the_sample():
    at = _fresh_app().run()
    _assert_clean(at)
    report = at.session_state[state.REPORT]
    legacy, graph, _label = sample_files()
    assert [f.name for f in report.inputs] == [p.name for p in (*legacy, *graph)]
    expected = json.loads((SAMPLE_DIR / "expected.json").read_text(encoding="utf-8"))
    assert report.join.matched_alerts == expected["matched_alerts"]
    files = _table_with(at, "file")
    assert files["file"].tolist() == [f.name for f in report.inputs]
    limit = f"{st.get_option('server.maxUploadSize'):,} MB"
    assert any(limit in caption.value for caption in at.caption)


def test_a_first_visit_to_any_page_opens_on_the_sample():
    at = _fresh_app().switch_page(nav.OVERVIEW.path).run()
    _assert_clean(at)
    assert at.session_state[state.REPORT_LABEL] == "bundled sample"
    expected = json.loads((SAMPLE_DIR / "expected.json").read_text(encoding="utf-8"))
    metrics = _metrics(at)
    assert metrics["Matched alerts"].startswith(f"{expected['matched_alerts']:,} of ")
    # alerts beyond the period (or the products) the other input covers are no gap of it
    reasons = expected["legacy_only_by_reason"]
    assert metrics["Legacy alerts Graph lacks"] == f"{reasons['not_in_graph']} of 1,400"
    lacking = int(metrics["Graph alerts the export lacks"].split(" of ")[0])
    beyond = next(c.value for c in at.caption if c.value.startswith("Not counted as lacking"))
    assert f"{reasons['outside_graph_window']} legacy alerts outside the period" in beyond
    assert f"; {expected['graph_only_count'] - lacking} Graph alerts outside the export" in beyond
    assert 0 < lacking < expected["graph_only_count"]


def test_sample_button_reloads_the_sample(report):
    at = _app_on(nav.SOURCES, report)
    assert at.session_state[state.REPORT] is report
    at.button[0].click().run()
    _assert_clean(at)
    assert at.session_state[state.REPORT] is not report
    assert (
        "sample" in at.session_state[state.REPORT_LABEL]
        or "example" in (at.session_state[state.REPORT_LABEL])
    )


def _upload(at: AppTest, legacy: tuple[str, bytes], graph: tuple[str, bytes] | None) -> AppTest:
    at.file_uploader(key=state.LEGACY_UPLOADS).upload(*legacy, "text/csv")
    if graph is not None:
        at.file_uploader(key=state.GRAPH_UPLOADS).upload(*graph, "application/json")
    at.run()
    return at


def _audit_button(at: AppTest):
    return next(b for b in at.button if b.label == "Audit these files")


def test_uploads_are_audited_and_reach_the_overview():
    at = _upload(_app_on(nav.SOURCES), (LEGACY_FILE, legacy_csv()), (GRAPH_FILE, graph_json()))
    _audit_button(at).click().run()
    _assert_clean(at)
    assert at.session_state[state.REPORT].join.matched_alerts == MATCHED
    assert _table_with(at, "file")["file"].tolist() == [LEGACY_FILE, GRAPH_FILE]
    assert at.get("page_link")[0].label == "See the results: the verdict"
    at.switch_page(nav.OVERVIEW.path).run()
    _assert_clean(at)
    assert _metrics(at)["Matched alerts"] == f"{MATCHED} of 4"


def test_the_exports_own_column_names_are_named_on_sources_not_with_aliases():
    renamed = legacy_csv().replace(b"AlertId", b"Our Alert Key", 1)
    at = _upload(_app_on(nav.SOURCES), (LEGACY_FILE, renamed), (GRAPH_FILE, graph_json()))
    _audit_button(at).click().run()
    assert "no AlertId column" in at.error[0].value
    added = [{"your_column": "Our Alert Key", "siem_field": "AlertId"}]
    at.session_state[state.COLUMN_NAMES] = {"edited_rows": {}, "added_rows": added,
                                            "deleted_rows": []}  # fmt: skip
    at.run()
    _audit_button(at).click().run()
    _assert_clean(at)
    assert at.session_state[state.REPORT].join.matched_alerts == MATCHED


def test_column_names_become_an_alias_set_and_bad_rows_are_named():
    from siem2graph.errors import MappingError
    from siem2graph.mapping import load_mapping
    from ui.columns import EMPTY, column_aliases

    mapping = load_mapping()
    assert column_aliases(EMPTY, mapping) == ()
    table = pd.DataFrame({"your_column": [" Alert ID ", None], "siem_field": ["AlertId", None]})
    (aliases,) = column_aliases(table, mapping)
    assert dict(aliases.columns) == {"alertid": "AlertId"}
    wrong = pd.DataFrame({"your_column": ["Sev"], "siem_field": ["Severty"]})
    with pytest.raises(MappingError, match="did you mean 'Severity'"):
        column_aliases(wrong, mapping)


def test_the_same_upload_against_another_is_parsed_once(monkeypatch, tmp_path):
    parses: dict[str, list[int]] = {"read_graph": [], "read_legacy": []}
    for name, calls in parses.items():
        real = getattr(parsed_cache, name)
        monkeypatch.setattr(
            parsed_cache, name, lambda *a, _r=real, _c=calls, **k: _c.append(1) or _r(*a, **k)
        )
    monkeypatch.setenv(parsed_cache.INPUT_CACHE_ENV, str(tmp_path / "parsed"))
    # other tests' reports of the same bytes may still be held in memory: start without them
    monkeypatch.setattr(ui_cache, "_REPORTS", weakref.WeakValueDictionary())
    export, graph = legacy_csv(), graph_json()
    other_export, other_graph = export.replace(b"\n", b"\r\n"), graph + b"\n"  # other bytes
    for pair in ((export, graph), (other_export, graph), (export, other_graph)):
        at = _upload(_app_on(nav.SOURCES), (LEGACY_FILE, pair[0]), (GRAPH_FILE, pair[1]))
        _audit_button(at).click().run()
        _assert_clean(at)
        assert at.session_state[state.REPORT].join.matched_alerts == MATCHED
    assert {name: len(calls) for name, calls in parses.items()} == {
        "read_graph": 2,
        "read_legacy": 2,
    }
    # a server started again holds no report in memory: the kept one is read back from disk
    monkeypatch.setattr(ui_cache, "_REPORTS", weakref.WeakValueDictionary())
    again = _upload(_app_on(nav.SOURCES), (LEGACY_FILE, export), (GRAPH_FILE, graph))
    _audit_button(again).click().run()
    _assert_clean(again)
    reused = again.session_state[state.REPORT]
    assert reused.join.matched_alerts == MATCHED and REUSED in reused.engine
    shown = _texts(_app_on(nav.SOURCES, reused))
    assert "same files and settings audited at" in shown and "report read back in" in shown


def test_a_signed_in_user_sees_no_trace_of_anothers_audit_of_the_same_files(monkeypatch, tmp_path):
    monkeypatch.setenv(parsed_cache.INPUT_CACHE_ENV, str(tmp_path / "parsed"))
    monkeypatch.setattr(ui_cache, "_REPORTS", weakref.WeakValueDictionary())
    pair = ((LEGACY_FILE, legacy_csv()), (GRAPH_FILE, graph_json()))
    seen = {}

    def audit_as(who):
        monkeypatch.setattr("ui.user.current_user", lambda: who)
        at = _upload(_app_on(nav.SOURCES), *pair)
        _audit_button(at).click().run()
        _assert_clean(at)
        seen.setdefault(who, []).append(
            (at.session_state[state.REPORT_ID], at.session_state[state.REPORT])
        )
        return _texts(at)

    for who in ("alice@contoso.test", "bob@contoso.test", "alice@contoso.test"):
        assert "same files and settings audited at" not in audit_as(who)
    (alice_id, alice), (alice_again_id, alice_again) = seen["alice@contoso.test"]
    ((bob_id, bob),) = seen["bob@contoso.test"]
    # bob's audit was computed from his own files, not read back from alice's kept audit
    assert REUSED not in bob.engine and "read_graph" in bob.phase_seconds
    assert bob_id != alice_id and bob is not alice
    # alice's own sessions share one report in memory
    assert alice_again_id == alice_id and alice_again is alice
    assert bob.join.matched_alerts == alice.join.matched_alerts == MATCHED
    # each user's parsed inputs and kept audits lie in their own part of the cache
    areas = [p.name for p in (tmp_path / "parsed").iterdir()]
    assert len(areas) == 2 and all(a.startswith("user-") for a in areas)
    # once her report has left memory, alice reads back her own kept audit, and is told so
    monkeypatch.setattr(ui_cache, "_REPORTS", weakref.WeakValueDictionary())
    assert "same files and settings audited at" in audit_as("alice@contoso.test")
    assert seen["alice@contoso.test"][-1][1].engine[REUSED] == alice.generated_at


def test_sources_say_where_the_audit_ran(report):
    at = _app_on(nav.SOURCES, report)
    _assert_clean(at)
    threads = report.engine["threads"]
    assert f"Run on this machine, {threads} threads in" in _texts(at)
    on_spark = dataclasses.replace(
        report, engine={"name": "spark", "master": "yarn", "partitions": 64}
    )
    assert "Run on Spark yarn, 64 partitions in" in _texts(_app_on(nav.SOURCES, on_spark))


def test_audit_waits_for_both_sides(monkeypatch):
    fake = types.ModuleType("ui.live_graph")
    fake.live_graph_section = lambda: None  # no live pull either
    monkeypatch.setitem(sys.modules, "ui.live_graph", fake)
    at = _upload(_app_on(nav.SOURCES), (LEGACY_FILE, legacy_csv()), None)
    assert _audit_button(at).disabled


def test_live_pull_file_is_audited_as_a_graph_source(monkeypatch, tmp_path):
    pulled = tmp_path / GRAPH_FILE  # same name and bytes as the upload test: a cache hit
    pulled.write_bytes(graph_json())
    fake = types.ModuleType("ui.live_graph")
    fake.live_graph_section = lambda: pulled
    monkeypatch.setitem(sys.modules, "ui.live_graph", fake)
    at = _upload(_app_on(nav.SOURCES), (LEGACY_FILE, legacy_csv()), None)
    _audit_button(at).click().run()
    _assert_clean(at)
    report = at.session_state[state.REPORT]
    assert [f.name for f in report.inputs] == [LEGACY_FILE, GRAPH_FILE]
    assert report.join.matched_alerts == MATCHED


def test_unreadable_upload_names_the_file_and_keeps_the_last_audit(report):
    at = _upload(
        _app_on(nav.SOURCES, report), ("broken.json", b"{not json"), (GRAPH_FILE, graph_json())
    )
    _audit_button(at).click().run()
    assert not at.exception
    assert len(at.error) == 1
    shown = re.sub(r"\\(.)", r"\1", at.error[0].value)  # markdown escapes, as rendered
    assert "broken.json: not valid JSON" in shown
    assert at.session_state[state.REPORT] is report
    previous = [w.value for w in at.warning if "could not run" in w.value]
    assert previous and "previous audit, of the test inputs" in previous[0]


@pytest.mark.parametrize("page", REPORT_PAGES, ids=lambda p: Path(p.path).stem)
def test_page_renders_on_a_report(report, page):
    at = _app_on(page, report)
    _assert_clean(at)
    assert at.title[0].value == page.title


@pytest.mark.parametrize("page", REPORT_PAGES, ids=lambda p: Path(p.path).stem)
def test_page_without_a_report_points_to_sources(page):
    at = _app_on(page)
    _assert_clean(at)
    assert "No audit is loaded yet" in at.info[0].value
    assert [link.value for link in at.get("page_link")] == ["Go to Sources"]


def test_overview_gives_the_verdict_with_denominators_and_the_risk_register(report):
    at = _app_on(nav.OVERVIEW, report)
    _assert_clean(at)
    assert at.subheader[0].value.startswith("2 of 50 SIEM fields lose data, touching 3 of 3")
    metrics = _metrics(at)
    assert metrics["Fields that lose data"] == "2 of 50"
    assert metrics["Matched alerts"] == f"{MATCHED} of 4"
    assert metrics["Legacy alerts Graph lacks"] == "1 of 4"
    register = at.dataframe[0].value
    assert register["siem_field"].tolist()[:2] == ["InternalIPV4List", "Md5"]
    assert register.iloc[0]["touched"] == "3 of 3 (100%)"
    # Microsoft's note is the why; nothing replaces the field
    assert register.iloc[0]["reason"] == "no Graph field: Not supported"
    assert register.iloc[0]["replacement"] == "none"
    # rows taller than 4rem (64 px): the grid wraps Microsoft's longer notes instead of cutting
    assert at.dataframe[0].proto.row_height > 64
    assert len(at.get("plotly_chart")) == 1


def test_one_field_shows_its_mapping_figures_and_alerts(report):
    at = _fresh_app()
    at.session_state[state.SAMPLE_TRIED] = True
    at.session_state[state.REPORT] = report
    at.session_state[state.REPORT_ID] = "dashboard-test-inputs"
    at.query_params[state.FIELD_PARAM] = "Severity"
    at.run()
    at.switch_page(nav.FIELD.path).run()
    _assert_clean(at)
    assert at.selectbox(key=state.FIELD_CHOICE).value == "Severity"
    assert _metrics(at)["Graph changes the value"] == "33% (1 of 3)"
    pairs = _table_with(at, "alerts")
    assert pairs[["legacy_value", "graph_value"]].values.tolist() == [["High", "medium"]]
    assert "found" not in pairs.columns
    at.selectbox(key=state.FIELD_CHOICE).select("Md5").run()
    _assert_clean(at)
    assert at.query_params[state.FIELD_PARAM] == "Md5"
    assert _metrics(at)["lost: no Graph field"] == "100% (3 of 3)"
    lost = at.dataframe[0].value
    assert len(lost) == MATCHED  # the alerts whose Md5 is lost
    assert lost.columns[0] == "key"  # the alert a selected row opens
    at.selectbox(key=state.FIELD_CHOICE).select("AlertPart").run()
    _assert_clean(at)
    about = at.table[0].value.set_index("About the field")["Value"]
    # a static table's cells are markdown: the mapping's punctuation is escaped, shown as written
    assert about["Microsoft's table: use instead"].endswith(r"immutable records of detections\)")


def test_coverage_filters_narrow_the_alerts(report):
    at = _app_on(nav.COVERAGE, report)
    assert f"each bar is 100% of the {MATCHED} matched alerts" in _texts(at)
    assert "Filtered" not in _texts(at)
    at.multiselect(key=f"{state.ALERT_FILTERS}.severity").set_value(["medium"]).run()
    _assert_clean(at)
    assert f"Filtered: 1 of {MATCHED} matched alerts" in _texts(at)
    assert "each bar is 100% of the 1 matched alerts" in _texts(at)
    at.multiselect(key=f"{state.COVERAGE_FILTERS}.field_status").set_value(["derived"]).run()
    counts = at.dataframe[0].value
    statuses = {f.siem_field: f.status for f in report.fields}
    assert len(counts) > 0
    assert {statuses[name] for name in counts["siem_field"]} == {"derived"}
    assert len(at.get("plotly_chart")) == 1
    at.multiselect(key=f"{state.COVERAGE_FILTERS}.field_status").set_value(["unsupported"]).run()
    lost = at.dataframe[0].value.set_index("siem_field")
    assert lost.at["Md5", "no_graph_field"] == 1  # the one medium alert in view


def _shared_link(report, **params: str) -> AppTest:
    """A new session opening a link with ``params`` (the report loaded as if audited)."""
    at = _fresh_app()
    at.session_state[state.SAMPLE_TRIED] = True
    at.session_state[state.REPORT] = report
    at.session_state[state.REPORT_ID] = "dashboard-test-inputs"
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def test_filters_live_in_the_url_and_persist_across_pages(report):
    at = _shared_link(report, severity="medium")
    at.switch_page(nav.COVERAGE.path).run()
    _assert_clean(at)
    assert f"Filtered: 1 of {MATCHED} matched alerts" in _texts(at)
    severity = at.multiselect(key=f"{state.ALERT_FILTERS}.severity")
    assert severity.options == ["low", "medium"]  # severity order, not the alphabet
    severity.set_value(["low"]).run()
    assert at.query_params["severity"] == "low"
    at.switch_page(nav.OVERVIEW.path).run()
    assert at.query_params["severity"] == "low"  # the URL of every page carries it
    at.switch_page(nav.COVERAGE.path).run()
    assert f"Filtered: 2 of {MATCHED} matched alerts" in _texts(at)  # kept across pages


@pytest.mark.parametrize(
    "page", [nav.OVERVIEW, nav.COVERAGE, nav.FIELD, nav.UNSUPPORTED, nav.MISMATCHES, nav.EXPLORER]
)
def test_every_alert_page_reads_the_filtered_view(report, page):
    at = _shared_link(report, severity="medium").switch_page(page.path).run()
    _assert_clean(at)
    assert f"Filtered: 1 of {MATCHED} matched alerts, 1 of 5 alerts in all" in _texts(at)
    assert at.expander[0].label == "Filter the alerts (1 on)"


def test_the_filter_reaches_the_verdict_tables_and_charts(report):
    at = _shared_link(report, severity="low").switch_page(nav.OVERVIEW.path).run()
    _assert_clean(at)
    assert _metrics(at)["Matched alerts"] == "2 of 3"  # of the legacy alerts in view
    register = _table_with(at, "touched")
    assert "Severity" not in set(register["siem_field"])  # its one change is on a medium alert
    assert "2 of 2 (100%)" in set(register["touched"])
    at.switch_page(nav.MISMATCHES.path).run()
    assert '"Severity"' not in at.get("plotly_chart")[0].proto.spec


def test_value_pairs_say_the_filters_do_not_narrow_them(report):
    at = _shared_link(report, severity="low", field="Severity").switch_page(nav.FIELD.path)
    at.run()
    _assert_clean(at)
    assert any("filters do not narrow them" in c.value for c in at.caption)


def test_a_day_range_in_the_url_is_read_within_the_alerts_days(report):
    at = _shared_link(report, **{"from": "2021-04-20", "to": "2021-04-27"})
    at.switch_page(nav.OVERVIEW.path).run()
    _assert_clean(at)
    day = at.session_state[state.ALERT_FILTERS]["days"]
    assert [d.isoformat() for d in day] == ["2021-04-27", "2021-04-27"]  # the alerts' one day
    assert "Filtered" not in _texts(at) and "from" not in at.query_params


def test_a_saved_audits_link_with_filters_reopens_the_same_filtered_view():
    at = _upload(_app_on(nav.SOURCES), (LEGACY_FILE, legacy_csv()), (GRAPH_FILE, graph_json()))
    _audit_button(at).click().run()
    at.switch_page(nav.COVERAGE.path).run()
    at.multiselect(key=f"{state.ALERT_FILTERS}.severity").set_value(["medium"]).run()
    link = {name: at.query_params[name] for name in ("audit", "severity")}
    assert link["severity"] == "medium"
    reopened = _fresh_app()  # the link in a new tab: a new session
    for name, value in link.items():
        reopened.query_params[name] = value
    reopened.run().switch_page(nav.COVERAGE.path).run()
    _assert_clean(reopened)
    assert f"Filtered: 1 of {MATCHED} matched alerts" in _texts(reopened)


def test_pages_the_filters_do_not_narrow_say_so(report):
    at = _shared_link(report, severity="low").switch_page(nav.COVERAGE.path).run()
    at.switch_page(nav.EXPORT.path).run()
    _assert_clean(at)
    assert any("do not apply here" in c.value for c in at.caption)


def test_bridge_fidelity_lists_what_the_feed_restores(report):
    at = _app_on(nav.BRIDGE, report)
    _assert_clean(at)
    table = at.dataframe[0].value.set_index("siem_key")
    assert table.at["Md5", "not_restored"] == table.at["Md5", "alerts_with_legacy_value"] > 0
    assert table.at["Md5", "restored_share"] == 0.0
    assert table.at["Severity", "restored_differently"] == 1  # SEVERITY_CHANGED
    assert "fields with legacy data are restored for every alert" in _texts(at)


def test_unsupported_fields_list_what_graph_drops(report):
    at = _app_on(nav.UNSUPPORTED, report)
    table = at.dataframe[0].value.set_index("siem_field")
    assert table.at["Md5", "detections_with_value"] == 5
    assert set(table["status"]) <= {"unsupported", "obsolete"}


def test_mismatches_chart_only_differing_fields_and_link_to_one_field(report):
    at = _app_on(nav.MISMATCHES, report)
    _assert_clean(at)
    bars = at.get("plotly_chart")[0].proto.spec
    assert '"33% (1 of 3)"' in bars and '"Actor"' not in bars
    at.selectbox(key=state.MISMATCH_FIELD).select("FileName").run()
    _assert_clean(at)
    link = at.get("page_link")[-1].proto
    assert link.label.startswith("Open FileName") and "field=FileName" in str(link)


def test_one_field_drills_down_to_the_explorer(report):
    at = _app_on(nav.FIELD, report)
    assert at.selectbox(key=state.FIELD_CHOICE).value == "InternalIPV4List"  # the worst first
    at.selectbox(key=state.FIELD_CHOICE).select("FileName").run()
    pairs = _table_with(at, "alerts")
    assert pairs["legacy_value"].tolist() == ["other.exe"]
    at.radio[0].set_value("mismatch").run()
    table_key = f"{state.FIELD_ALERTS}.FileName.mismatch"
    assert at.dataframe(key=table_key).value["key"].tolist() == [FILE_CHANGED]
    at.session_state[table_key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    _assert_clean(at)
    detections = _table_with(at, "detection 1").set_index("field")
    assert detections.at["FileName", "detection 1"] == "other.exe"  # the raw legacy row
    at.session_state[state.GRAPH_SOURCES] = (Source.from_bytes(GRAPH_FILE, graph_json()),)
    at.toggle(key=f"graph_json.{FILE_CHANGED}").set_value(True).run()
    shown = json.loads(at.code[0].value)  # the Graph alert as received, as text
    assert shown["id"] == FILE_CHANGED and "evidence" in shown
    next(b for b in at.button if "alert explorer" in b.label).click().run()
    _assert_clean(at)
    assert at.title[0].value == nav.EXPLORER.title
    assert at.selectbox(key=state.EXPLORER_ALERT).value == FILE_CHANGED
    fields = at.dataframe[1].value.set_index("siem_field")
    assert fields.at["FileName", "verdict"] == "mismatch"
    assert fields.at["AlertTitle", "legacy_value"] == HOSTILE_TITLE  # shown as plain text


def test_a_report_without_alert_values_says_so_where_values_would_show(report):
    lean = without_alert_values(report)
    at = _app_on(nav.FIELD, lean, "without-alert-values")
    at.selectbox(key=state.FIELD_CHOICE).select("FileName").run()
    at.radio[0].set_value("mismatch").run()
    _assert_clean(at)
    said = [i.value for i in at.info if "--no-alert-values" in i.value]
    assert said, [i.value for i in at.info]
    shown = next(d.value for d in at.dataframe if "key" in d.value.columns)
    assert shown["key"].tolist() == [FILE_CHANGED] and "legacy_value" not in shown.columns
    at = _app_on(nav.EXPLORER, lean, "without-alert-values")
    at.text_input(key=state.EXPLORER_QUERY).input("600000000000000002").run()
    at.selectbox(key=state.EXPLORER_ALERT).set_value(SEVERITY_CHANGED).run()
    _assert_clean(at)
    fields = at.dataframe[1].value.set_index("siem_field")
    assert fields.at["Severity", "verdict"] == "mismatch"
    assert any("--no-alert-values" in i.value for i in at.info)
    assert not any("detection 1" in d.value.columns for d in at.dataframe)
    assert "counts kept, not each alert's values" in _texts(
        _app_on(nav.SOURCES, lean, "without-alert-values")
    )


def test_mismatch_heatmap_regroups(report):
    at = _app_on(nav.MISMATCHES, report)
    at.segmented_control(key=state.MISMATCH_GROUPING).set_value("category").run()
    _assert_clean(at)
    heatmap = at.get("plotly_chart")[1].proto.spec
    assert '"category"' in heatmap


def test_explorer_search_and_pick(report):
    at = _app_on(nav.EXPLORER, report)
    at.text_input(key=state.EXPLORER_QUERY).input("600000000000000002").run()
    picker = at.selectbox(key=state.EXPLORER_ALERT)
    assert picker.options[0].startswith(SEVERITY_CHANGED)
    assert len(picker.options) == 1
    picker.set_value(SEVERITY_CHANGED).run()
    _assert_clean(at)
    assert at.session_state[state.SELECTED_ALERT] == SEVERITY_CHANGED
    fields = at.dataframe[1].value.set_index("siem_field")
    assert fields.at["Severity", "verdict"] == "mismatch"
    legacy, graph = at.dataframe[2].value, at.dataframe[3].value
    assert legacy.columns.tolist() == ["field", "detection 1"]
    assert "severity" in graph["path"].tolist()


def test_explorer_lists_one_sided_alerts_with_reasons(report):
    at = _app_on(nav.EXPLORER, report)
    reasons = at.dataframe[0].value
    assert sorted(reasons["side"]) == ["graph_only", "legacy_only"]
    assert at.dataframe[1].value["side"].tolist() == ["legacy_only"]
    assert at.dataframe[2].value["side"].tolist() == ["graph_only"]


def test_schema_diff_shows_unmapped_columns(report):
    at = _app_on(nav.SCHEMA_DIFF, report)
    assert "CustomerTag" in at.dataframe[0].value["column"].tolist()
    assert len(at.dataframe[1].value) == len(report.unmapped_graph_paths)


def test_export_offers_the_gap_report_and_data_files_named_after_the_audit(report):
    at = _app_on(nav.EXPORT, report)
    _assert_clean(at)
    assert [b.label for b in at.button] == ["Prepare the gap report", "Prepare the data files"]
    assert any(c.value.startswith("Content impact: not included") for c in at.caption)
    assert not at.get("download_button")
    at.button(key="prepare.data files").click().run()
    _assert_clean(at)
    stem = audit_name(report)
    assert stem == f"dashboard-legacy-{report.generated_at[:10]}"
    labels = [b.label for b in at.get("download_button")]
    assert labels == [f"Download {stem}.json", f"Download {stem}-csv.zip", f"Download {stem}.md"]
    assert "Prepare the data files" not in [b.label for b in at.button]
    at.toggle(key=state.EXPORT_REDACT).set_value(True).run()
    assert "Prepare the data files" in [b.label for b in at.button]  # redacted: rendered anew


def test_export_includes_the_content_impact_analysed_on_its_page(report):
    at = _app_on(nav.CONTENT_IMPACT, report)
    spl = Path(__file__).parent / "content_corpus" / "splunk" / "mde_informational_noise.spl"
    at.file_uploader[0].set_value([(spl.name, spl.read_bytes(), "text/plain")]).run()
    _assert_clean(at)
    at.switch_page(nav.EXPORT.path).run()
    _assert_clean(at)
    assert [i.value for i in at.info] == [
        "Content impact: included (1 rule: 0 not affected, 0 works, 1 needs renames, 0 changes, "
        "0 loses inputs, 0 broken)."
    ]
    impact = at.session_state[state.CONTENT_IMPACT][1]
    (xlsx,) = export_downloads(report, ("xlsx",), impact)
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    rules = list(workbook["content_impact_rules"].iter_rows(min_row=2, values_only=True))
    assert [row[:4] for row in rules] == [(spl.name, spl.name, "spl", "needs_renames")]


def test_export_downloads_keep_one_file_as_is_and_zip_several(report):
    json_file, csv_files = export_downloads(report, ("json", "csv"))
    stem = audit_name(report)
    assert (json_file.file_name, json_file.files) == (f"{stem}.json", ("report.json",))
    assert json.loads(json_file.data)["join"]["matched_alerts"] == MATCHED
    assert len(csv_files.files) > 1
    assert (csv_files.file_name, csv_files.mime) == (f"{stem}-csv.zip", "application/zip")
    with zipfile.ZipFile(io.BytesIO(csv_files.data)) as archive:
        assert archive.namelist() == list(csv_files.files)


def test_export_redacts_on_request(report):
    (plain,), (redacted,) = (export_downloads(report, ("json",), None, r) for r in (False, True))
    host = report.alerts["host"].dropna().iloc[0]
    assert host in plain.data.decode() and host not in redacted.data.decode()
    assert redacted.file_name.endswith("-redacted.json")


def test_navigation_lists_every_page_file_sources_first():
    names = [page.path for page in nav.PAGES]
    assert names[0] == nav.SOURCES.path
    assert sorted(names) == sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))


def test_counts_in_tables_are_shown_with_thousands_separators(report):
    at = _app_on(nav.SOURCES, report)
    files = next(d for d in at.dataframe if "rows_read" in d.value.columns)
    columns = json.loads(files.proto.columns)
    assert columns["rows_read"]["type_config"]["format"] == "localized"
    assert columns["rows_read"]["label"] == "Rows read"
    assert "type_config" not in columns.get("file", {})  # text stays text
    # a page's own number column, named in its words, keeps them
    dropped = _app_on(nav.UNSUPPORTED, report).dataframe[0]
    columns = json.loads(dropped.proto.columns)
    assert columns["detections_with_value"]["label"] == "detections with a value"
    assert columns["detections_with_value"]["type_config"]["format"] == "localized"
