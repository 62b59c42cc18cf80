"""Data sources: does a rule (or one pipeline of it) read SIEM API records?

The names SIEM API records are stored under (Splunk indexes and sourcetypes, Log Analytics tables,
QRadar log source types...) are data: ``mapping/content_aliases/data_sources.yaml``, plus the
user's own names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

from siem2graph.errors import InputError, MappingError
from siem2graph.mapping import MAPPING_DIR

DATA_SOURCES_FILE = MAPPING_DIR / "content_aliases" / "data_sources.yaml"

SIEM = "siem_api"  # names a SIEM API source
OTHER = "other"  # names only other sources: its fields are not SIEM fields
UNNAMED = "unnamed"  # names no source: judged by the field names it uses


@dataclass(frozen=True)
class DataSources:
    """The names (casefolded, ``*`` wildcards allowed) under which SIEM API records are stored."""

    names: frozenset[str]

    def is_siem(self, name: str) -> bool:
        """Whether a name written in content is one of them (a wildcard on either side counts)."""
        folded = name.casefold()
        return folded in self.names or any(
            fnmatchcase(folded, known) or fnmatchcase(known, folded) for known in self.names
        )

    def classify(self, named: Iterable[str]) -> str:
        """SIEM if any name is a SIEM API source, OTHER when only others are named, else UNNAMED."""
        names = [n for n in named if n.strip()]
        if not names:
            return UNNAMED
        return SIEM if any(self.is_siem(n) for n in names) else OTHER

    def with_names(self, extra: Iterable[str]) -> DataSources:
        """These names and the user's; InputError for an empty one."""
        added = []
        for name in extra:
            if not isinstance(name, str) or not name.strip():
                raise InputError("a SIEM source name must be a non-empty text")
            added.append(name.strip().casefold())
        return DataSources(self.names | frozenset(added))


def read_document(path: Path, what: str) -> dict[Any, Any]:
    """A YAML file holding a mapping; MappingError otherwise."""
    try:
        document: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(f"{path.name}: cannot read the {what}: {exc}") from None
    if not isinstance(document, dict):
        raise MappingError(f"{path.name}: expected a mapping of the {what}")
    return document


def table_of(document: dict[Any, Any], key: str, path: Path) -> dict[Any, Any]:
    """The non-empty mapping under ``key``; MappingError otherwise."""
    table = document.get(key)
    if not isinstance(table, dict) or not table:
        raise MappingError(f"{path.name}: expected a '{key}' mapping")
    return table


def read_table(path: Path, key: str, what: str) -> dict[Any, Any]:
    """The non-empty mapping under ``key`` of a YAML file; MappingError otherwise."""
    return table_of(read_document(path, what), key, path)


def load_data_sources(path: Path | str = DATA_SOURCES_FILE) -> DataSources:
    """The shipped names; MappingError names a malformed file."""
    path = Path(path)
    table = read_table(path, "siem_api", "data sources")
    names: set[str] = set()
    for language, listed in table.items():
        if not isinstance(listed, list) or not all(isinstance(n, str) and n for n in listed):
            raise MappingError(f"{path.name}: siem_api.{language} must be a list of names")
        names.update(n.strip().casefold() for n in listed)
    return DataSources(frozenset(names))
