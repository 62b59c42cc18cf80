"""The catalog: one row per saved audit, in a schema that knows its version and migrates.

Every query takes the user asking: a user reads their own audits and those shared with them,
and renames, deletes or shares only their own ('' is the owner when nobody signs in). A share
names a user, or ``EVERYONE`` (every signed-in user; never nobody).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from siem2graph.store.backends import Backend, Transaction
from siem2graph.store.errors import StoreError
from siem2graph.store.records import StoredAudit

# Each step brings the schema from version i to i + 1; a catalog records the version it is at.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE IF NOT EXISTS audits (
            id TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            name TEXT NOT NULL,
            created TEXT NOT NULL,
            tool_version TEXT NOT NULL,
            mapping_version TEXT NOT NULL,
            summary TEXT NOT NULL,
            files TEXT NOT NULL
        )""",
    ),
    ("CREATE INDEX IF NOT EXISTS audits_owner_created ON audits (owner, created)",),
    (
        """CREATE TABLE IF NOT EXISTS audit_shares (
            audit_id TEXT NOT NULL,
            grantee TEXT NOT NULL,
            PRIMARY KEY (audit_id, grantee)
        )""",
        "CREATE INDEX IF NOT EXISTS audit_shares_grantee ON audit_shares (grantee)",
    ),
)
EVERYONE = "*"
SCHEMA_VERSION = len(MIGRATIONS)
_SELECT = (
    "SELECT id, owner, name, created, tool_version, mapping_version, summary, files FROM audits"
)
# the audits ``user`` may read: their own, and (signed in) those shared with them or everyone
_VISIBLE = (
    "(owner = ? OR (? <> '' AND id IN"
    " (SELECT audit_id FROM audit_shares WHERE grantee = ? OR grantee = ?)))"
)
_ADD_SHARE = "INSERT INTO audit_shares (audit_id, grantee) VALUES (?, ?) ON CONFLICT DO NOTHING"
_REMOVE_SHARE = "DELETE FROM audit_shares WHERE audit_id = ? AND grantee = ?"
# the shares ``user`` may see of a visible audit: all of their own audits', else their own entry
_SHARES = (
    "SELECT s.audit_id, s.grantee FROM audit_shares s JOIN audits a ON a.id = s.audit_id"
    " WHERE (a.owner = ? OR s.grantee = ? OR s.grantee = ?)"
)


def _version(backend: Backend, tx: Transaction) -> int:
    if not backend.has_table(tx, "store_meta"):
        return 0
    rows = tx.execute("SELECT value FROM store_meta WHERE key = 'schema_version'")
    return int(rows[0][0]) if rows else 0


def migrate(backend: Backend, target: int = SCHEMA_VERSION) -> int:
    """Bring the catalog's schema to ``target``; the version it was at."""
    with backend.transaction() as tx:
        backend.lock_migrations(tx)
        found = _version(backend, tx)
        if found > SCHEMA_VERSION:
            raise StoreError(
                f"the {backend.description} has schema version {found}, newer than this "
                f"siem2graph's {SCHEMA_VERSION}: upgrade siem2graph to open it"
            )
        for step in MIGRATIONS[found:target]:
            for statement in step:
                tx.execute(statement)
        if target > found:
            tx.execute("DELETE FROM store_meta WHERE key = 'schema_version'")
            tx.execute(
                "INSERT INTO store_meta (key, value) VALUES ('schema_version', ?)", (str(target),)
            )
    return found


def _visible(user: str) -> tuple[str, ...]:
    return (user, user, user, EVERYONE)


def _audit(row: tuple[Any, ...], shares: dict[str, list[str]]) -> StoredAudit:
    audit_id, owner, name, created, tool_version, mapping_version, summary, files = row
    return StoredAudit(
        id=audit_id,
        owner=owner,
        name=name,
        created=created,
        tool_version=tool_version,
        mapping_version=mapping_version,
        summary=orjson.loads(summary),
        files=orjson.loads(files),
        shared_with=tuple(sorted(shares.get(audit_id, []))),
    )


def _read(tx: Transaction, user: str, audit_id: str | None = None) -> list[StoredAudit]:
    """The audits ``user`` may read (all, newest first, or the one ``audit_id``), with the
    shares they may see."""
    if audit_id is None:
        rows = tx.execute(f"{_SELECT} WHERE {_VISIBLE} ORDER BY created DESC, id", _visible(user))
    else:
        rows = tx.execute(f"{_SELECT} WHERE {_VISIBLE} AND id = ?", (*_visible(user), audit_id))
    shares: dict[str, list[str]] = {}
    if rows:
        marks = ", ".join("?" for _ in rows)
        found = tx.execute(
            f"{_SHARES} AND s.audit_id IN ({marks})",
            (user, user, EVERYONE, *(row[0] for row in rows)),
        )
        for audit_id, grantee in found:
            shares.setdefault(audit_id, []).append(grantee)
    return [_audit(row, shares) for row in rows]


class Catalog:
    """The audits and shares tables of one backend, always read through a user."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        migrate(backend)

    def add(self, audit: StoredAudit) -> None:
        with self.backend.transaction() as tx:
            tx.execute(
                "INSERT INTO audits (id, owner, name, created, tool_version, mapping_version,"
                " summary, files) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    audit.id,
                    audit.owner,
                    audit.name,
                    audit.created,
                    audit.tool_version,
                    audit.mapping_version,
                    orjson.dumps(audit.summary).decode(),
                    orjson.dumps(audit.files).decode(),
                ),
            )

    def list(self, user: str) -> list[StoredAudit]:
        """The audits ``user`` may read, newest first."""
        with self.backend.transaction() as tx:
            return _read(tx, user)

    def get(self, user: str, audit_id: str) -> StoredAudit | None:
        with self.backend.transaction() as tx:
            found = _read(tx, user, audit_id)
        return found[0] if found else None

    def share(self, owner: str, audit_id: str, grantees: Sequence[str]) -> bool:
        """Share the owner's audit with ``grantees``; False when it is not theirs."""
        return self._shares(_ADD_SHARE, owner, audit_id, grantees)

    def unshare(self, owner: str, audit_id: str, grantees: Sequence[str]) -> bool:
        """Stop sharing the owner's audit with ``grantees``; False when it is not theirs."""
        return self._shares(_REMOVE_SHARE, owner, audit_id, grantees)

    def _shares(self, sql: str, owner: str, audit_id: str, grantees: Sequence[str]) -> bool:
        with self.backend.transaction() as tx:
            if not tx.execute("SELECT 1 FROM audits WHERE owner = ? AND id = ?", (owner, audit_id)):
                return False
            for grantee in grantees:
                tx.execute(sql, (audit_id, grantee))
        return True

    def rename(self, owner: str, audit_id: str, name: str) -> bool:
        with self.backend.transaction() as tx:
            found = tx.execute(
                "UPDATE audits SET name = ? WHERE owner = ? AND id = ? RETURNING id",
                (name, owner, audit_id),
            )
        return bool(found)

    def delete(self, owner: str, audit_id: str) -> bool:
        with self.backend.transaction() as tx:
            found = tx.execute(
                "DELETE FROM audits WHERE owner = ? AND id = ? RETURNING id", (owner, audit_id)
            )
            if found:
                tx.execute("DELETE FROM audit_shares WHERE audit_id = ?", (audit_id,))
        return bool(found)
