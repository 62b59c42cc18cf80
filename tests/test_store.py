"""The audit store on SQLite and on a real PostgreSQL server: save, reopen the same report,
per-user isolation, rename, deletion that leaves nothing, damaged files, concurrent writers,
schema migrations and a disk that refuses writes."""

from __future__ import annotations

import errno
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from siem2graph.audit import audit_files
from siem2graph.store import (
    EVERYONE,
    AuditNotFound,
    AuditStore,
    AuditUnreadable,
    StoreError,
    open_store,
    store_location,
)
from siem2graph.store import frames as frames_module
from siem2graph.store.backends import PostgresBackend, SqliteBackend
from siem2graph.store.catalog import SCHEMA_VERSION, Catalog, migrate
from siem2graph.store.frames import FRAMES
from siem2graph.store.store import CATALOG_FILE
from tests.dashboard_inputs import dashboard_report
from tests.postgres import fresh_database, postgres_server

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def backend_kind(request) -> str:
    return request.param


@pytest.fixture
def make_store(backend_kind, tmp_path, request):
    """make_store(user=None) -> an AuditStore on a fresh catalog of the backend under test."""
    url = fresh_database(request.getfixturevalue("server")) if backend_kind == "postgres" else None

    def make(user: str | None = None) -> AuditStore:
        return open_store(tmp_path / "store", url=url, user=user)

    return make


@pytest.fixture(scope="module")
def small():
    return dashboard_report()


def test_a_saved_audit_reopens_as_the_same_report(make_store):
    report = audit_files([SAMPLE / "legacy_siem_export.csv"], [SAMPLE / "graph_alerts_v2.json"])
    store = make_store()
    saved = store.save(report, sizes={"legacy_siem_export.csv": 123})
    reopened = make_store().open(saved.id)
    assert reopened.to_dict() == report.to_dict()
    assert reopened.mapping == report.mapping and reopened.problems == report.problems
    for name in FRAMES:
        pd.testing.assert_frame_equal(
            getattr(reopened, name), getattr(report, name), check_dtype=False
        )
    assert reopened.coverage(severity=["High"]).equals(report.coverage(severity=["High"]))
    row = store.get(saved.id)
    assert row.name.startswith("legacy_siem_export.csv vs graph_alerts_v2.json, ")
    assert row.mapping_version == report.mapping.version
    assert row.rows == report.join.legacy_rows and row.readable
    legacy = row.summary["inputs"][0]
    assert legacy["sha256"] == report.inputs[0].sha256 and legacy["bytes"] == 123
    assert sum(row.readiness.values()) == len(report.fields)


def test_each_user_sees_only_their_own_audits(make_store, small):
    alice, bob, nobody = make_store("alice"), make_store("bob"), make_store()
    mine = alice.save(small, name="alice's")
    bob.save(small, name="bob's")
    assert [a.name for a in alice.list()] == ["alice's"]
    assert [a.name for a in bob.list()] == ["bob's"]
    assert nobody.list() == []
    for attempt in (
        lambda: bob.open(mine.id),
        lambda: bob.rename(mine.id, "taken"),
        lambda: bob.delete(mine.id),
        lambda: nobody.get(mine.id),
    ):
        with pytest.raises(AuditNotFound):
            attempt()
    assert alice.get(mine.id).name == "alice's"


ALICE, BOB, CAROL = "alice@contoso.test", "bob@contoso.test", "carol@contoso.test"


def test_an_owner_shares_with_named_users_then_everyone_and_unshares(make_store, small):
    alice, bob, carol, nobody = (make_store(u) for u in (ALICE, BOB, CAROL, None))
    audit = alice.save(small, name="shared")
    alice.save(small, name="alice's own")
    alice.share(audit.id, [" Bob@Contoso.TEST ", ALICE])  # as signed in; never herself
    assert [(a.name, a.owner, a.shared_with) for a in bob.list()] == [("shared", ALICE, (BOB,))]
    assert bob.open(audit.id).join == small.join
    assert carol.list() == [] and nobody.list() == []
    for attempt in (lambda: carol.get(audit.id), lambda: nobody.open(audit.id)):
        with pytest.raises(AuditNotFound, match="no saved audit"):  # never "forbidden"
            attempt()
    for change in (
        lambda: bob.rename(audit.id, "mine now"),
        lambda: bob.delete(audit.id),
        lambda: bob.share(audit.id, [CAROL]),
        lambda: bob.unshare(audit.id, [BOB]),
    ):
        with pytest.raises(StoreError, match="only the owner"):
            change()
    alice.share(audit.id, [EVERYONE])
    assert alice.get(audit.id).shared_with == (EVERYONE, BOB)
    assert carol.get(audit.id).shared_with == (EVERYONE,)  # not who else it is shared with
    assert nobody.list() == []  # everyone signed in: not a server without sign-in
    alice.unshare(audit.id, [EVERYONE, BOB])
    assert bob.list() == carol.list() == [] and alice.get(audit.id).shared_with == ()
    with pytest.raises(StoreError, match="name the users"):
        alice.share(audit.id, ["bob smith"])


def test_audits_saved_without_sign_in_stay_out_of_signed_in_lists_unless_shared(make_store, small):
    """What the CLI (or a local dashboard) saves belongs to nobody: the local dashboard lists it,
    a signed-in user only once it is shared with them."""
    cli, alice = make_store(None), make_store(ALICE)
    saved = cli.save(small, name="from the command line")
    assert [a.id for a in cli.list()] == [saved.id]
    assert alice.list() == []
    cli.share(saved.id, [ALICE])
    assert [(a.id, a.owner) for a in alice.list()] == [(saved.id, "")]


def test_rename_and_list_newest_first(make_store, small):
    store = make_store()
    first = store.save(small, name="first")
    second = store.save(small, name="second")
    store.rename(first.id, "  renamed  ")
    assert {a.id: a.name for a in store.list()}[first.id] == "renamed"
    assert next(a.id for a in store.list()) in (first.id, second.id)
    with pytest.raises(StoreError, match="cannot be empty"):
        store.rename(first.id, " ")


def test_deleting_leaves_nothing_of_the_audit(make_store, small, backend_kind, tmp_path):
    store = make_store()
    marker = "NAME-THAT-MUST-DISAPPEAR-7f3a"
    kept = store.save(small, name="kept")
    gone = store.save(small, name=marker)
    store.share(gone.id, [BOB])
    store.delete(gone.id)
    assert make_store(BOB).list() == []
    assert [a.id for a in store.list()] == [kept.id]
    with pytest.raises(AuditNotFound):
        store.open(gone.id)
    with pytest.raises(AuditNotFound):
        store.delete(gone.id)
    root = tmp_path / "store"
    leftovers = [p for p in root.rglob("*") if gone.id in str(p)]
    assert leftovers == []
    if backend_kind == "sqlite":
        for path in root.glob(f"{CATALOG_FILE}*"):
            data = path.read_bytes()
            assert marker.encode() not in data and gone.id.encode() not in data, path
    else:
        with store.catalog.backend.transaction() as tx:
            assert tx.execute("SELECT COUNT(*) FROM audits WHERE id = ?", (gone.id,)) == [(0,)]
            shares = tx.execute("SELECT COUNT(*) FROM audit_shares WHERE audit_id = ?", (gone.id,))
            assert shares == [(0,)]


def test_a_damaged_or_missing_file_marks_the_audit_unreadable(make_store, small, tmp_path):
    store = make_store()
    cut, missing, intact = (store.save(small, name=n) for n in ("cut", "missing", "intact"))
    folder = tmp_path / "store" / "audits"
    (folder / cut.id / "alerts.arrow").write_bytes(b"not arrow")
    (folder / missing.id / "verdicts.arrow").unlink()
    readable = {a.name: a.readable for a in store.list()}
    assert readable == {"cut": False, "missing": False, "intact": True}
    for audit in (cut, missing):
        with pytest.raises(AuditUnreadable, match="cannot be read"):
            store.open(audit.id)
    assert store.open(intact.id).join == small.join


def test_a_same_size_corrupt_file_is_unreadable_too(make_store, small, tmp_path):
    store = make_store()
    audit = store.save(small)
    path = tmp_path / "store" / "audits" / audit.id / "alerts.arrow"
    path.write_bytes(b"\0" * path.stat().st_size)
    with pytest.raises(AuditUnreadable):
        store.open(audit.id)


def test_concurrent_writers_never_corrupt_the_catalog(make_store, small, backend_kind, tmp_path):
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            store = make_store()
            for i in range(3):
                store.save(small, name=f"writer {n} audit {i}")
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    names = sorted(a.name for a in make_store().list())
    assert names == sorted(f"writer {n} audit {i}" for n in range(6) for i in range(3))
    if backend_kind == "sqlite":
        import sqlite3

        with sqlite3.connect(tmp_path / "store" / CATALOG_FILE) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def _backend(backend_kind: str, tmp_path: Path, request) -> SqliteBackend | PostgresBackend:
    if backend_kind == "postgres":
        return PostgresBackend(fresh_database(request.getfixturevalue("server")))
    tmp_path.mkdir(exist_ok=True)
    return SqliteBackend(tmp_path / "catalog.sqlite")


def test_an_older_catalog_is_migrated_and_keeps_its_audits(backend_kind, tmp_path, request):
    backend = _backend(backend_kind, tmp_path, request)
    assert migrate(backend, target=1) == 0
    with backend.transaction() as tx:
        tx.execute(
            "INSERT INTO audits VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ("old", "", "from v1", "2026-01-01T00:00:00+00:00", "0.1", "m", "{}", "{}"),
        )
    assert migrate(backend) == 1
    assert migrate(backend) == SCHEMA_VERSION
    with backend.transaction() as tx:
        assert tx.execute("SELECT name FROM audits") == [("from v1",)]
    catalog = Catalog(backend)  # its audits can be shared once migrated
    assert catalog.share("", "old", [BOB])
    assert [a.name for a in catalog.list(BOB)] == ["from v1"]


def test_a_newer_catalog_is_refused_with_a_clear_message(backend_kind, tmp_path, request):
    backend = _backend(backend_kind, tmp_path, request)
    migrate(backend)
    with backend.transaction() as tx:
        tx.execute("UPDATE store_meta SET value = ? WHERE key = 'schema_version'", ("99",))
    with pytest.raises(StoreError, match="schema version 99, newer than"):
        migrate(backend)


def test_a_full_disk_fails_the_save_cleanly(make_store, small, monkeypatch, tmp_path):
    store = make_store()

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(frames_module, "_write_frame", full)
    with pytest.raises(StoreError, match=r"cannot save the audit .*No space left on device"):
        store.save(small)
    assert store.list() == []
    assert list((tmp_path / "store" / "audits").iterdir()) == []


def test_a_store_that_cannot_be_created_says_where_and_why(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match=f"cannot use the store folder {blocker}/store"):
        open_store(blocker / "store")


def test_the_store_is_private_to_its_owner(tmp_path, small):
    store = open_store(tmp_path / "store")
    audit = store.save(small)
    root = tmp_path / "store"
    assert stat.S_IMODE(root.stat().st_mode) == 0o700  # others cannot even list it
    assert stat.S_IMODE((root / "audits").stat().st_mode) == 0o700
    assert stat.S_IMODE((root / CATALOG_FILE).stat().st_mode) == 0o600
    for path in (root / "audits" / audit.id).iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_a_postgres_password_never_reaches_a_message(tmp_path):
    from tests.browser import free_port

    url = f"postgresql://auditor:S3cret-pw@127.0.0.1:{free_port()}/audits"
    with pytest.raises(StoreError) as caught:
        open_store(tmp_path / "store", url=url)
    assert "S3cret-pw" not in str(caught.value) and "auditor" not in str(caught.value)
    assert "127.0.0.1" in str(caught.value)


def test_the_location_comes_from_the_option_then_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SIEM2GRAPH_STORE", str(tmp_path / "env"))
    assert store_location() == tmp_path / "env"
    assert store_location(tmp_path / "option") == tmp_path / "option"
    monkeypatch.delenv("SIEM2GRAPH_STORE")
    assert store_location().name == "store" and "siem2graph" in str(store_location())
