"""Alias sets: column spellings of other tools (Splunk, Sentinel, ArcSight, QRadar, your own).

An alias set is a YAML file (``mapping/aliases/*.yaml`` or one given by the user) with a plain
``columns`` table (column name -> SIEM field), the prefixes/suffixes its tool adds to names, and
``detect`` rules saying which files it applies to. Names match case-insensitively, ignoring
whitespace. A set applies to a file when its ``detect`` rules match the file's columns; a set
without ``detect`` applies to every file.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from siem2graph.errors import MappingError
from siem2graph.mapping import MAPPING_DIR, Mapping

ALIASES_DIR = MAPPING_DIR / "aliases"
_KEYS = {
    "name",
    "description",
    "source",
    "detect",
    "strip_prefixes",
    "strip_suffixes",
    "ignore_columns",
    "metadata_columns",
    "columns",
}
_DETECT_KEYS = {"any_columns", "all_columns", "any_prefixes"}


def normalise(name: str) -> str:
    """The form names are compared in: casefolded, without whitespace or BOM."""
    return exact(name).casefold()


def exact(name: str) -> str:
    """A name without whitespace or BOM, its case kept (the tool's own names are case-sensitive:
    Splunk's ``source`` is not the SIEM ``Source``)."""
    return "".join(name.replace("\ufeff", "").split())


@dataclass(frozen=True)
class AliasSet:
    """One tool's column spellings, and how to recognise that tool's files."""

    name: str
    origin: str
    columns: MappingABC[str, str]  # normalised column name -> SIEM field
    any_columns: tuple[str, ...] = ()
    all_columns: tuple[str, ...] = ()
    any_prefixes: tuple[str, ...] = ()
    strip_prefixes: tuple[str, ...] = ()
    strip_suffixes: tuple[str, ...] = ()
    ignore_columns: tuple[str, ...] = ()
    metadata_columns: frozenset[str] = frozenset()  # exact names of the tool's own columns
    metadata_prefixes: tuple[str, ...] = ()  # exact name prefixes (``date_*`` in the file)
    description: str = ""

    @property
    def always(self) -> bool:
        return not (self.any_columns or self.all_columns or self.any_prefixes)

    def detects(self, columns: set[str]) -> bool:
        """Does a file with these (normalised) column names look like this tool's export?"""
        if self.always:
            return True
        if self.all_columns and not set(self.all_columns) <= columns:
            return False
        if not (self.any_columns or self.any_prefixes):
            return True
        return bool(set(self.any_columns) & columns) or any(
            c.startswith(p) for c in columns for p in self.any_prefixes
        )

    def is_metadata(self, column: str) -> bool:
        """Is ``column`` (after this tool's prefixes) one of the tool's own columns?"""
        name = exact(column)
        forms = [name] + [
            name[len(p) :] for p in self.strip_prefixes if name.casefold().startswith(p)
        ]
        return any(
            f in self.metadata_columns or f.startswith(self.metadata_prefixes) for f in forms
        )

    def name_forms(self, name: str) -> list[str]:
        """``name`` and what remains of it without this tool's prefixes and suffixes."""
        forms = [name] + [
            name[len(p) :] for p in self.strip_prefixes if name.startswith(p) and name != p
        ]
        out: list[str] = []
        for form in forms:
            out.append(form)
            for suffix in self.strip_suffixes:
                if form.endswith(suffix) and form != suffix:
                    form = form[: -len(suffix)]
                    out.append(form)
        return out


def _names(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise MappingError(f"{where}: must be a list of non-empty names")
    return tuple(normalise(v) for v in value)


def _metadata(value: Any, origin: str, columns: MappingABC[str, str]) -> tuple[str, ...]:
    """The exact names (``x*``: a prefix) a set's ``metadata_columns`` lists."""
    where = f"{origin}: metadata_columns"
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and exact(v) for v in value):
        raise MappingError(f"{where}: must be a list of non-empty names")
    for name in value:
        if exact(name) == "*":
            raise MappingError(f"{where}: '*' alone would hide every column")
        if normalise(name) in columns:
            raise MappingError(f"{where}: {name!r} is also a 'columns' entry")
    return tuple(exact(v) for v in value)


def _columns(value: Any, origin: str, mapping: Mapping) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MappingError(f"{origin}: 'columns' must map column names to SIEM fields")
    fields = [row.siem_field for row in mapping.fields]
    table: dict[str, str] = {}
    for key, target in value.items():
        where = f"{origin}: columns entry {key!r}"
        if not isinstance(key, str) or not normalise(key):
            raise MappingError(f"{where}: the column name must be a non-empty text")
        if target not in fields:
            close = difflib.get_close_matches(str(target), fields, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise MappingError(f"{where}: {target!r} is not a SIEM field of the mapping{hint}")
        previous = table.setdefault(normalise(key), target)
        if previous != target:
            raise MappingError(f"{where}: the same name already maps to {previous!r}")
    return table


def parse_alias_set(document: Any, origin: str, mapping: Mapping) -> AliasSet:
    """Validate a parsed alias file; MappingError names the file and the bad entry."""
    if not isinstance(document, dict):
        raise MappingError(f"{origin}: expected a mapping with 'name' and 'columns'")
    unknown = set(document) - _KEYS
    if unknown:
        raise MappingError(f"{origin}: unknown keys {sorted(unknown)}")
    name = document.get("name")
    if not isinstance(name, str) or not name.strip():
        raise MappingError(f"{origin}: 'name' must be a non-empty text")
    detect = document.get("detect") or {}
    if not isinstance(detect, dict) or set(detect) - _DETECT_KEYS:
        raise MappingError(f"{origin}: 'detect' may only hold {', '.join(sorted(_DETECT_KEYS))}")
    columns = _columns(document.get("columns"), origin, mapping)
    strip_prefixes = _names(document.get("strip_prefixes"), f"{origin}: strip_prefixes")
    strip_suffixes = _names(document.get("strip_suffixes"), f"{origin}: strip_suffixes")
    if not (columns or strip_prefixes or strip_suffixes):
        raise MappingError(f"{origin}: an alias set needs 'columns' or strip_prefixes/suffixes")
    metadata = _metadata(document.get("metadata_columns"), origin, columns)
    return AliasSet(
        name=name.strip(),
        origin=origin,
        columns=MappingProxyType(columns),
        any_columns=_names(detect.get("any_columns"), f"{origin}: detect.any_columns"),
        all_columns=_names(detect.get("all_columns"), f"{origin}: detect.all_columns"),
        any_prefixes=_names(detect.get("any_prefixes"), f"{origin}: detect.any_prefixes"),
        strip_prefixes=strip_prefixes,
        strip_suffixes=strip_suffixes,
        ignore_columns=_names(document.get("ignore_columns"), f"{origin}: ignore_columns"),
        metadata_columns=frozenset(m for m in metadata if not m.endswith("*")),
        metadata_prefixes=tuple(m[:-1] for m in metadata if m.endswith("*")),
        description=str(document.get("description") or ""),
    )


def load_alias_set(path: Path | str, mapping: Mapping) -> AliasSet:
    """Read and validate one alias file."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MappingError(f"{path.name}: cannot read the alias file: {exc}") from None
    return parse_alias_set(document, path.name, mapping)


@functools.cache
def _builtin_documents() -> tuple[tuple[str, Any], ...]:
    """The shipped alias files, parsed once per process (they are part of the package)."""
    return tuple(
        (p.name, yaml.safe_load(p.read_text(encoding="utf-8")))
        for p in sorted(ALIASES_DIR.glob("*.yaml"))
    )


def builtin_alias_sets(mapping: Mapping) -> tuple[AliasSet, ...]:
    """The alias sets shipped in ``mapping/aliases/``, in file-name order."""
    return tuple(parse_alias_set(doc, name, mapping) for name, doc in _builtin_documents())


def alias_sets_for(
    extra: Iterable[AliasSet | Path | str], mapping: Mapping
) -> tuple[AliasSet, ...]:
    """The user's alias sets (loaded if given as paths) first, then the built-in ones."""
    user = tuple(a if isinstance(a, AliasSet) else load_alias_set(a, mapping) for a in extra)
    return user + builtin_alias_sets(mapping)


@dataclass(frozen=True)
class ColumnResolver:
    """Resolves one file's column names to SIEM fields: its alias sets first, then the mapping."""

    base: MappingABC[str, str]
    active: tuple[AliasSet, ...] = ()
    inactive: tuple[AliasSet, ...] = ()

    def resolve(self, column: str) -> str | None:
        """The SIEM field a column carries, or None (an unmapped column)."""
        name = normalise(column)
        if any(name in s.ignore_columns or s.is_metadata(column) for s in self.active):
            return None
        forms = [name] + [f for s in self.active for f in s.name_forms(name)[1:]]
        tables = [s.columns for s in self.active] + [self.base]
        return next((t[f] for f in forms for t in tables if f in t), None)

    def spellings(self, siem_field: str) -> list[str]:
        """Every spelling tried for ``siem_field`` (for error messages)."""
        tables = [self.base] + [s.columns for s in self.active]
        return sorted({k for t in tables for k, v in t.items() if v == siem_field})

    def describe_sets(self) -> str:
        applied = ", ".join(s.name for s in self.active) or "none"
        skipped = ", ".join(s.name for s in self.inactive) or "none"
        return f"alias sets applied: {applied}; not applied (not detected): {skipped}"


def base_index(mapping: Mapping) -> dict[str, str]:
    """The mapping's own names and aliases, normalised."""
    return {normalise(key): row.siem_field for row in mapping.fields for key in row.keys}


def resolver_for(
    columns: Iterable[str], mapping: Mapping, alias_sets: Iterable[AliasSet]
) -> ColumnResolver:
    """The resolver for a file with ``columns``: the alias sets whose ``detect`` matches apply."""
    names = {normalise(c) for c in columns}
    sets = tuple(alias_sets)
    active = tuple(s for s in sets if s.detects(names))
    inactive = tuple(s for s in sets if s not in active)
    return ColumnResolver(
        base=MappingProxyType(base_index(mapping)), active=active, inactive=inactive
    )
