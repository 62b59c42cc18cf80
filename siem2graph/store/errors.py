"""What the store raises: a StoreError the user can act on (the audit itself is never lost)."""

from siem2graph.errors import InputError


class StoreError(InputError):
    """The store cannot be read or written (location, disk, database); the message says which."""


class AuditNotFound(StoreError):
    """No audit with this id is visible to this user."""


class AuditUnreadable(StoreError):
    """The audit's catalog row exists but its saved tables are missing or damaged."""
