"""The catalog: one row per saved audit, in a schema that knows its version and migrates.

Every query takes the owner: a user only ever reads, renames or deletes their own audits
('' is the owner when nobody signs in).
"""

from __future__ import annotations

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
)
SCHEMA_VERSION = len(MIGRATIONS)
_SELECT = (
    "SELECT id, owner, name, created, tool_version, mapping_version, summary, files FROM audits"
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


def _audit(row: tuple[Any, ...]) -> StoredAudit:
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
    )


class Catalog:
    """The audits table of one backend, always read through an owner."""

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

    def list(self, owner: str) -> list[StoredAudit]:
        """The owner's audits, newest first."""
        with self.backend.transaction() as tx:
            rows = tx.execute(f"{_SELECT} WHERE owner = ? ORDER BY created DESC, id", (owner,))
        return [_audit(row) for row in rows]

    def get(self, owner: str, audit_id: str) -> StoredAudit | None:
        with self.backend.transaction() as tx:
            rows = tx.execute(f"{_SELECT} WHERE owner = ? AND id = ?", (owner, audit_id))
        return _audit(rows[0]) if rows else None

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
        return bool(found)
