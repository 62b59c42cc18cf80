"""Saved audits in the dashboard (AppTest): an audit is saved and named in the URL, the URL
reopens it in a new session, the sample always says so, a store that refuses the save keeps the
audit on screen, and the History page lists, compares, renames and deletes."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from siem2graph.store import open_store, store_location
from tests.dashboard_inputs import (
    GRAPH_FILE,
    HOSTILE_TITLE,
    LEGACY_FILE,
    MATCHED,
    graph_json,
    legacy_csv,
)
from ui import nav, state

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 120


@pytest.fixture
def store_dir() -> Path:
    return store_location()  # each test's own (tests/conftest.py)


def _app(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def _clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _audit_uploads(at: AppTest) -> AppTest:
    at.session_state[state.SAMPLE_TRIED] = True
    at.run()
    at.switch_page(nav.SOURCES.path).run()
    at.file_uploader(key=state.LEGACY_UPLOADS).upload(LEGACY_FILE, legacy_csv(), "text/csv")
    at.file_uploader(key=state.GRAPH_UPLOADS).upload(GRAPH_FILE, graph_json(), "application/json")
    at.run()
    next(b for b in at.button if b.label == "Audit these files").click().run()
    _clean(at)
    return at


def test_an_audit_is_saved_and_its_url_reopens_it_in_a_new_session(store_dir):
    at = _audit_uploads(_app())
    saved = open_store(store_dir).list()
    assert len(saved) == 1 and saved[0].name.startswith(f"{LEGACY_FILE} vs {GRAPH_FILE}, ")
    assert at.query_params["audit"] == saved[0].id
    assert at.session_state[state.SAVED_AUDIT] == saved[0].id

    reload = _app(audit=saved[0].id).run()  # F5, a new tab or a bookmark: a new session
    _clean(reload)
    report = reload.session_state[state.REPORT]
    assert report is at.session_state[state.REPORT]  # the same audit: one copy, not two
    assert report.join.matched_alerts == MATCHED
    assert "1 legacy and 1 Graph file(s), saved " in reload.session_state[state.REPORT_LABEL]
    assert not any("bundled sample" in i.value for i in reload.info)
    reload.switch_page(nav.OVERVIEW.path).run()
    _clean(reload)
    assert {m.label: m.value for m in reload.metric}["Matched alerts"] == f"{MATCHED} of 4"
    assert reload.query_params["audit"] == saved[0].id  # the URL keeps naming it


def test_a_link_to_an_unknown_audit_says_so_and_never_shows_the_sample():
    at = _app(audit="0123456789abcdef").run()
    assert not at.exception
    assert "cannot be opened: no saved audit" in at.error[0].value.replace("\\", "")
    assert state.REPORT not in at.session_state


def test_the_sample_is_never_shown_without_a_banner():
    at = _app().run()
    _clean(at)
    assert at.session_state[state.REPORT_LABEL] == "bundled sample"
    assert any("bundled sample, not your data" in i.value for i in at.info)
    at.switch_page(nav.OVERVIEW.path).run()
    assert any("bundled sample, not your data" in i.value for i in at.info)
    assert "audit" not in at.query_params


def test_with_saved_audits_and_none_chosen_a_page_lists_them(store_dir, small_report):
    open_store(store_dir).save(small_report, name="Last week's audit")
    at = _app().switch_page(nav.OVERVIEW.path).run()
    _clean(at)
    assert state.REPORT not in at.session_state  # no sample over saved audits
    links = [link.label for link in at.get("page_link")]
    assert any("Last week" in label for label in links)


def test_a_store_that_refuses_the_save_keeps_the_audit_on_screen(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("SIEM2GRAPH_STORE", str(blocker / "store"))
    at = _audit_uploads(_app())
    assert at.session_state[state.REPORT].join.matched_alerts == MATCHED
    assert any("This audit was not saved" in w.value for w in at.warning)
    assert state.SAVED_AUDIT not in at.session_state and "audit" not in at.query_params


@pytest.fixture(scope="module")
def small_report():
    from tests.dashboard_inputs import dashboard_report

    return dashboard_report()


def _history(store_dir: Path, report, names: list[str]) -> tuple[AppTest, list[str]]:
    store = open_store(store_dir)
    ids = [store.save(report, name=name).id for name in names]
    at = _app()
    at.session_state[state.SAMPLE_TRIED] = True
    at.run()
    return at.switch_page(nav.HISTORY.path).run(), ids


def test_history_lists_compares_and_shows_the_trend(store_dir, small_report):
    at, _ids = _history(store_dir, small_report, ["before the fix", "after the fix"])
    _clean(at)
    table = at.dataframe[0].value
    assert table["name"].tolist() == ["after the fix", "before the fix"]
    assert len(at.get("plotly_chart")) == 1
    assert "Compare two audits" in [h.value for h in at.subheader]
    compared = at.dataframe[-1].value
    assert "Severity" in compared["siem_field"].tolist()
    assert {m.label for m in at.metric} >= {"Fields kept", "Fields lost", "Fields at risk"}


def test_history_renames_and_deletes(store_dir, small_report):
    at, ids = _history(store_dir, small_report, ["old name", "other"])
    at.selectbox(key="history_chosen").set_value(ids[0]).run()
    at.text_input(key=f"history_rename.{ids[0]}").set_value("new name").run()
    next(b for b in at.button if b.label == "Rename").click().run()
    _clean(at)
    assert {a.id: a.name for a in open_store(store_dir).list()}[ids[0]] == "new name"
    at.selectbox(key="history_chosen").set_value(ids[0]).run()
    next(b for b in at.button if b.label == "Delete this audit").click().run()
    _clean(at)
    assert [a.id for a in open_store(store_dir).list()] == [ids[1]]
    assert not (store_dir / "audits" / ids[0]).exists()


def test_history_without_saved_audits_says_how_to_get_one():
    at = _app()
    at.session_state[state.SAMPLE_TRIED] = True
    at.run()
    at.switch_page(nav.HISTORY.path).run()
    _clean(at)
    assert "No saved audits yet" in at.info[0].value


def test_an_empty_name_is_refused_with_a_message(store_dir, small_report):
    at, ids = _history(store_dir, small_report, ["kept name", "other"])
    at.selectbox(key="history_chosen").set_value(ids[0]).run()
    at.text_input(key=f"history_rename.{ids[0]}").set_value("   ").run()
    next(b for b in at.button if b.label == "Rename").click().run()
    assert not at.exception
    assert "cannot be empty" in at.error[0].value
    assert {a.id: a.name for a in open_store(store_dir).list()}[ids[0]] == "kept name"


def test_hostile_audit_names_are_shown_as_text(store_dir, small_report):
    open_store(store_dir).save(small_report, name=HOSTILE_TITLE)
    at = _app().switch_page(nav.OVERVIEW.path).run()  # the saved audits offered as links
    _clean(at)
    label = next(link.label for link in at.get("page_link") if "img" in link.label)
    assert "\\<img" in label and "\\[link\\]" in label  # markdown escaped: shown literally
    at.switch_page(nav.HISTORY.path).run()
    _clean(at)
    assert at.dataframe[0].value["name"].tolist() == [HOSTILE_TITLE]


def test_a_user_sees_only_their_own_saved_audits(store_dir, monkeypatch):
    import ui.audits

    monkeypatch.setattr(ui.audits, "current_user", lambda: "alice")
    at = _audit_uploads(_app())
    audit_id = at.session_state[state.SAVED_AUDIT]
    assert open_store(store_dir, user="alice").get(audit_id).owner == "alice"
    assert open_store(store_dir).list() == []  # not the single-user store's

    monkeypatch.setattr(ui.audits, "current_user", lambda: "bob")
    link = _app(audit=audit_id).run()
    assert "no saved audit" in link.error[0].value.replace("\\", "")
    assert state.REPORT not in link.session_state
    history = _app()
    history.session_state[state.SAMPLE_TRIED] = True
    history.run()
    history.switch_page(nav.HISTORY.path).run()
    assert "No saved audits yet" in history.info[0].value


def test_a_team_server_keeps_its_catalog_in_postgresql(store_dir):
    from tests.postgres import fresh_database, postgres_server

    with postgres_server() as server:
        url = fresh_database(server)
        at = _app()
        at.secrets["store"] = {"url": url}
        _audit_uploads(at)
        audit_id = at.session_state[state.SAVED_AUDIT]
        assert [a.id for a in open_store(store_dir, url=url).list()] == [audit_id]
        assert open_store(store_dir).list() == []  # nothing in the SQLite catalog
        reopened = _app(audit=audit_id)
        reopened.secrets["store"] = {"url": url}
        reopened.run()
        _clean(reopened)
        assert reopened.session_state[state.REPORT].join.matched_alerts == MATCHED


ALICE, BOB, MALLORY = "alice@contoso.test", "bob@contoso.test", "mallory@elsewhere.test"


def _as(monkeypatch, user: str | None) -> None:
    import ui.audits

    monkeypatch.setattr(ui.audits, "current_user", lambda: user)


def _history_page(**query: str) -> AppTest:
    at = _app(**query)
    at.session_state[state.SAMPLE_TRIED] = True
    at.run()
    return at.switch_page(nav.HISTORY.path).run()


def _click(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()
    _clean(at)


def test_an_owner_shares_and_unshares_on_history_and_others_see_whose_it_is(
    store_dir, small_report, monkeypatch
):
    audit = open_store(store_dir, user=ALICE).save(small_report, name="alice's audit")
    _as(monkeypatch, ALICE)
    at = _history_page()
    _clean(at)
    assert at.dataframe[0].value[["owner", "shared_with"]].values.tolist() == [["you", ""]]
    at.text_input(key="history_share").set_value(f"{BOB}, carol@contoso.test").run()
    _click(at, "Share")
    assert open_store(store_dir, user=ALICE).get(audit.id).shared_with == (
        BOB,
        "carol@contoso.test",
    )
    at.multiselect(key=f"history_unshare.{audit.id}").set_value(["carol@contoso.test"]).run()
    _click(at, "Stop sharing")
    assert open_store(store_dir, user=ALICE).get(audit.id).shared_with == (BOB,)
    assert at.dataframe[0].value["shared_with"].tolist() == [BOB]

    _as(monkeypatch, BOB)
    bob = _history_page()
    _clean(bob)
    assert bob.dataframe[0].value[["name", "owner"]].values.tolist() == [["alice's audit", ALICE]]
    assert any(f"Shared with you by {ALICE}" in c.value for c in bob.caption)
    assert not [b for b in bob.button if b.label in ("Rename", "Share", "Delete this audit")]
    opened = _app(audit=audit.id).run()
    _clean(opened)
    assert opened.session_state[state.REPORT].join == small_report.join

    _as(monkeypatch, MALLORY)
    assert "No saved audits yet" in _history_page().info[0].value
    refused = _app(audit=audit.id).run()
    assert "no saved audit" in refused.error[0].value.replace("\\", "")  # not "forbidden"
    assert state.REPORT not in refused.session_state


def test_a_reopened_audit_is_one_copy_held_by_its_sessions_only(
    store_dir, small_report, monkeypatch
):
    import gc
    import weakref

    from ui import cache

    audit = open_store(store_dir, user=ALICE).save(small_report)
    open_store(store_dir, user=ALICE).share(audit.id, [BOB])
    _as(monkeypatch, ALICE)
    alice = _app(audit=audit.id).run()
    _as(monkeypatch, BOB)
    bob = _app(audit=audit.id).run()
    assert bob.session_state[state.REPORT] is alice.session_state[state.REPORT]
    held = weakref.ref(alice.session_state[state.REPORT])

    def refuse(*_args):
        raise AssertionError("a report was looked up for a user who may not open it")

    _as(monkeypatch, MALLORY)
    monkeypatch.setattr(cache, "saved_report", refuse)
    refused = _app(audit=audit.id).run()
    assert not refused.exception and state.REPORT not in refused.session_state
    monkeypatch.undo()
    del alice, bob, refused  # the sessions end
    gc.collect()
    assert held() is None  # no server-wide cache keeps it for whoever asks next


def test_audits_the_cli_saved_are_listed_locally_and_never_to_a_signed_in_user(
    store_dir, tmp_path, monkeypatch
):
    from siem2graph.cli import main

    legacy, graph = tmp_path / LEGACY_FILE, tmp_path / GRAPH_FILE
    legacy.write_bytes(legacy_csv())
    graph.write_bytes(graph_json())
    args = ["audit", "--legacy", str(legacy), "--graph", str(graph), "--out", str(tmp_path / "o")]
    assert main([*args, "--store", str(store_dir)]) == 0
    local = _history_page()  # the single-user dashboard on the same store
    _clean(local)
    listed = local.dataframe[0].value
    assert listed["name"].str.startswith(f"{LEGACY_FILE} vs {GRAPH_FILE}").tolist() == [True]
    assert listed["owner"].tolist() == ["you"]
    _as(monkeypatch, ALICE)
    assert "No saved audits yet" in _history_page().info[0].value
