"""Saved audits: a catalog and each audit's frozen report, reopened without the exports."""

from siem2graph.store.catalog import EVERYONE
from siem2graph.store.errors import AuditNotFound, AuditUnreadable, StoreError
from siem2graph.store.records import StoredAudit
from siem2graph.store.store import STORE_ENV, STORE_URL_ENV, AuditStore, open_store, store_location

__all__ = [
    "EVERYONE",
    "STORE_ENV",
    "STORE_URL_ENV",
    "AuditNotFound",
    "AuditStore",
    "AuditUnreadable",
    "StoreError",
    "StoredAudit",
    "open_store",
    "store_location",
]
