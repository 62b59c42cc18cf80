"""The audit store: a catalog (SQLite or PostgreSQL) and, beside it, each audit's saved tables.

An ``AuditStore`` is bound to one user: it lists and opens that user's audits and those shared
with them, and renames, deletes or shares only that user's own. Where the data lives:
``store_location`` (``--store``, ``SIEM2GRAPH_STORE``, else the user's data folder); the catalog
goes to PostgreSQL when a URL is given (``SIEM2GRAPH_STORE_URL``, or the dashboard's secrets).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from platformdirs import user_data_dir

from siem2graph.model import AuditReport
from siem2graph.store.backends import Backend, PostgresBackend, SqliteBackend
from siem2graph.store.catalog import Catalog
from siem2graph.store.errors import AuditNotFound, AuditUnreadable, StoreError
from siem2graph.store.frames import read_report, write_report
from siem2graph.store.records import StoredAudit, default_name, summarise

STORE_ENV = "SIEM2GRAPH_STORE"
STORE_URL_ENV = "SIEM2GRAPH_STORE_URL"
CATALOG_FILE = "catalog.sqlite"
AUDITS_DIR = "audits"
FOLDER_MODE = 0o700


def store_location(explicit: Path | str | None = None) -> Path:
    """Where audits are kept: ``explicit``, else $SIEM2GRAPH_STORE, else the user's data folder."""
    chosen = explicit or os.environ.get(STORE_ENV) or Path(user_data_dir("siem2graph")) / "store"
    return Path(chosen).expanduser()


def _private_folder(path: Path) -> None:
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    path.chmod(FOLDER_MODE)


def _disk_message(exc: OSError) -> str:
    return exc.strerror or str(exc)


def grantees(users: Iterable[str]) -> list[str]:
    """User ids to share with, as the sign-in gives them (trimmed, lower case); EVERYONE ('*')
    for every signed-in user. StoreError when one is empty or holds white space."""
    names = sorted({user.strip().lower() for user in users})
    bad = [name for name in names if not name or any(c.isspace() for c in name)]
    if bad or not names:
        raise StoreError("name the users to share with by their sign-in (e-mail), one each")
    return names


class AuditStore:
    """One user's audits: save, list, reopen, rename, delete, share (``user`` None: nobody
    signed in, who sees what was saved without a sign-in, never what is shared)."""

    def __init__(self, root: Path, backend: Backend | None = None, user: str | None = None):
        self.root = root
        self.owner = user or ""
        try:
            # a folder the store creates is private; one the user chose keeps its mode
            root.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
            _private_folder(root / AUDITS_DIR)
            if backend is None:
                catalog_file = root / CATALOG_FILE
                catalog_file.touch(mode=0o600, exist_ok=True)
                backend = SqliteBackend(catalog_file)
        except OSError as exc:
            raise StoreError(f"cannot use the store folder {root}: {_disk_message(exc)}") from None
        self.catalog = Catalog(backend)

    def _folder(self, audit_id: str) -> Path:
        return self.root / AUDITS_DIR / audit_id

    def save(
        self,
        report: AuditReport,
        name: str | None = None,
        sizes: Mapping[str, int] | None = None,
    ) -> StoredAudit:
        """Save ``report`` (tables first, then its catalog row); the catalog row."""
        created = datetime.now(UTC)
        audit_id = uuid.uuid4().hex[:16]
        folder = self._folder(audit_id)
        try:
            folder.mkdir(mode=FOLDER_MODE)
            files = write_report(report, folder)
        except OSError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            message = f"cannot save the audit in {self.root}: {_disk_message(exc)}"
            raise StoreError(message) from None
        audit = StoredAudit(
            id=audit_id,
            owner=self.owner,
            name=name or default_name(report, created),
            created=created.isoformat(timespec="milliseconds"),
            tool_version=report.tool_version,
            mapping_version=report.mapping.version,
            summary=summarise(report, sizes or {}),
            files=files,
        )
        try:
            self.catalog.add(audit)
        except StoreError:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return audit

    def _intact(self, audit: StoredAudit) -> bool:
        folder = self._folder(audit.id)
        try:
            return all((folder / n).stat().st_size == size for n, size in audit.files.items())
        except OSError:
            return False

    def list(self) -> list[StoredAudit]:
        """This user's audits and those shared with them, newest first; ``readable`` False when
        saved files are gone or cut."""
        return [replace(a, readable=self._intact(a)) for a in self.catalog.list(self.owner)]

    def get(self, audit_id: str) -> StoredAudit:
        audit = self.catalog.get(self.owner, audit_id)
        if audit is None:
            raise AuditNotFound(f"no saved audit {audit_id!r} (deleted, or another user's)")
        return replace(audit, readable=self._intact(audit))

    def open(self, audit_id: str) -> AuditReport:
        """The saved report, as it was computed (the exports are never read again)."""
        audit = self.get(audit_id)
        try:
            if not audit.readable:
                raise ValueError("files missing or cut short")
            return read_report(self._folder(audit_id))
        except ValueError as exc:  # ReportUnreadable, or the files' sizes above
            raise AuditUnreadable(
                f"the saved audit {audit.name!r} cannot be read ({exc}); delete it and audit again"
            ) from None

    def owned(self, audit_id: str) -> StoredAudit:
        """The audit, when this user owns it (AuditNotFound when they may not see it, StoreError
        when it is only shared with them)."""
        audit = self.get(audit_id)
        if audit.owner != self.owner:
            raise StoreError(f"only the owner of the saved audit {audit.name!r} can change it")
        return audit

    def rename(self, audit_id: str, name: str) -> None:
        if not name.strip():
            raise StoreError("an audit's name cannot be empty")
        self.owned(audit_id)
        if not self.catalog.rename(self.owner, audit_id, name.strip()):
            raise AuditNotFound(f"no saved audit {audit_id!r}")

    def share(self, audit_id: str, users: Iterable[str]) -> None:
        """Let ``users`` (or EVERYONE signed in) list and open this user's audit."""
        names = [n for n in grantees(users) if n != self.owner]
        self.owned(audit_id)
        if not self.catalog.share(self.owner, audit_id, names):
            raise AuditNotFound(f"no saved audit {audit_id!r}")

    def unshare(self, audit_id: str, users: Iterable[str]) -> None:
        """Stop sharing this user's audit with ``users`` (or with EVERYONE)."""
        names = grantees(users)
        self.owned(audit_id)
        if not self.catalog.unshare(self.owner, audit_id, names):
            raise AuditNotFound(f"no saved audit {audit_id!r}")

    def delete(self, audit_id: str) -> None:
        """Remove the audit's catalog row, its shares and every file it saved."""
        self.owned(audit_id)
        if not self.catalog.delete(self.owner, audit_id):
            raise AuditNotFound(f"no saved audit {audit_id!r}")
        try:
            shutil.rmtree(self._folder(audit_id))
        except FileNotFoundError:
            pass
        except OSError as exc:
            message = f"the audit's files stay in {self.root}: {_disk_message(exc)}"
            raise StoreError(message) from None


def open_store(
    location: Path | str | None = None, url: str | None = None, user: str | None = None
) -> AuditStore:
    """The store at ``location`` (see ``store_location``); its catalog on PostgreSQL when ``url``
    (else $SIEM2GRAPH_STORE_URL) is set."""
    url = url or os.environ.get(STORE_URL_ENV)
    backend = PostgresBackend(url) if url else None
    return AuditStore(store_location(location), backend, user)
