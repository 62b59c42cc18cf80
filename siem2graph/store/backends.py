"""The catalog's two databases behind one shape: a transaction that runs parameterised SQL.

SQLite (a file beside the audits) by default; PostgreSQL by URL for a team server. Statements
are written with ``?`` placeholders; PostgreSQL's are rewritten to ``%s``. Errors become
StoreError messages that never carry the URL's password.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from siem2graph.store.errors import StoreError

Row = tuple[Any, ...]
BUSY_SECONDS = 30
MIGRATION_LOCK = 720_417  # PostgreSQL advisory lock id serialising schema migrations


class Transaction(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...


class Backend(Protocol):
    """Where the catalog lives; ``transaction()`` commits on success, rolls back on error."""

    description: str

    def transaction(self) -> Any: ...

    def lock_migrations(self, tx: Transaction) -> None: ...

    def has_table(self, tx: Transaction, name: str) -> bool: ...


class _Cursor:
    def __init__(self, cursor: Any, postgres: bool) -> None:
        self._cursor = cursor
        self._postgres = postgres

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        self._cursor.execute(sql.replace("?", "%s") if self._postgres else sql, tuple(params))
        return [tuple(row) for row in self._cursor.fetchall()] if self._cursor.description else []


class SqliteBackend:
    """A catalog file; WAL so readers never wait for a writer, writers queue on a lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = f"SQLite catalog {path}"

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        try:
            connection = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the {self.description}: {exc}") from None
        try:
            _use_wal(connection)
            # deleted audits are overwritten in the file, not left in free pages
            connection.execute("PRAGMA secure_delete=ON")
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield _Cursor(connection.cursor(), postgres=False)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StoreError(f"the {self.description} failed: {exc}") from None
        finally:
            connection.close()

    def lock_migrations(self, tx: Transaction) -> None:
        """Nothing to take: BEGIN IMMEDIATE already holds the file's write lock."""

    def has_table(self, tx: Transaction, name: str) -> bool:
        found = tx.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
        return bool(found)


def _use_wal(connection: sqlite3.Connection) -> None:
    """Put the file in WAL mode once. Switching needs the file to itself, and SQLite answers
    "locked" at once (no busy wait) to connections that both read it and then ask to switch:
    so the switch is retried until ``BUSY_SECONDS`` have passed."""
    deadline = time.monotonic() + BUSY_SECONDS
    while connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        try:
            connection.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def safe_url(url: str) -> str:
    """``url`` without its user and password (for messages)."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


class PostgresBackend:
    """A catalog in a PostgreSQL database (psycopg 3); migrations hold an advisory lock."""

    def __init__(self, url: str) -> None:
        self._url = url
        self.description = f"PostgreSQL catalog {safe_url(url)}"

    def _message(self, exc: Exception) -> str:
        text = " ".join(str(exc).split())
        password = urlsplit(self._url).password
        return text.replace(password, "***") if password else text

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        import psycopg

        try:
            connection = psycopg.connect(self._url, connect_timeout=10)
        except psycopg.Error as exc:
            raise StoreError(f"cannot reach the {self.description}: {self._message(exc)}") from None
        try:
            with connection, connection.cursor() as cursor:
                yield _Cursor(cursor, postgres=True)
        except psycopg.Error as exc:
            raise StoreError(f"the {self.description} failed: {self._message(exc)}") from None
        finally:
            connection.close()

    def lock_migrations(self, tx: Transaction) -> None:
        tx.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))

    def has_table(self, tx: Transaction, name: str) -> bool:
        return bool(tx.execute("SELECT to_regclass(?)", (name,))[0][0])
