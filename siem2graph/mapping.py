"""Load and validate the mapping table (``mapping/fields.yaml``) into frozen rows."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import zipfile
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field, fields
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from siem2graph.compare import COMPARATORS, Comparator
from siem2graph.errors import MappingError
from siem2graph.paths import GraphPath, parse_path

MAPPING_DATA = "mapping_data"  # the mapping folder's copy inside the package (wheel, zip)


def _mapping_dir() -> Path:
    """``mapping/`` at the repository's top level, else the copy an installed wheel carries,
    else, when the package is imported from a zip (the one Spark ships to its executors), that
    zip's copy unpacked: its files are read as files."""
    here = Path(__file__).resolve().parent
    repository = here.parent / "mapping"
    if (repository / "fields.yaml").is_file():
        return repository
    if here.is_dir():
        return here / MAPPING_DATA
    archive = next(p for p in here.parents if p.is_file())
    return _unpacked(archive, here.relative_to(archive).as_posix() + f"/{MAPPING_DATA}/")


def _unpacked(archive: Path, prefix: str) -> Path:
    """The members of ``archive`` under ``prefix``, unpacked into a folder of their own beside
    it, removed at exit (Spark's forked workers skip that: it goes with the application's
    folder)."""
    folder = Path(tempfile.mkdtemp(prefix="siem2graph-mapping-", dir=archive.parent))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    with zipfile.ZipFile(archive) as bundle:
        for name in bundle.namelist():
            relative = name.removeprefix(prefix)
            if relative != name and relative and not name.endswith("/"):
                target = folder / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(bundle.read(name))
    return folder


MAPPING_DIR = _mapping_dir()
DEFAULT_MAPPING_FILE = MAPPING_DIR / "fields.yaml"


class Status(StrEnum):
    """How Microsoft's table says a SIEM field reaches Graph."""

    MAPPED = "mapped"
    DERIVED = "derived"  # computed from Graph properties
    UNSUPPORTED = "unsupported"
    OBSOLETE = "obsolete"


STATUSES = tuple(s.value for s in Status)
DROPPED_STATUSES = (Status.UNSUPPORTED.value, Status.OBSOLETE.value)  # no Graph equivalent
_ROW_KEYS = {
    "siem_field",
    "aliases",
    "payload_key",
    "status",
    "group",
    "graph_paths",
    "comparator",
    "params",
    "vocabulary",
    "microsoft_mapping",
    "microsoft_note",
    "note",
    "pii",
}
PII_KINDS = ("host", "user", "ip", "domain")  # what identifying values a field holds


@dataclass(frozen=True)
class FieldMapping:
    """One SIEM field: how it reaches Graph (or why it does not) and how values are compared."""

    siem_field: str
    status: str
    group: str
    comparator: str
    microsoft_mapping: str
    microsoft_note: str
    aliases: tuple[str, ...] = ()
    graph_paths: tuple[GraphPath, ...] = ()
    params: MappingABC[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    vocabulary: MappingABC[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    note: str = ""
    payload_key: str = ""  # the key SIEM API payloads use; siem_field when empty
    vocabulary_labels: tuple[str, ...] = ()  # the vocabulary's legacy values, as spelled
    pii: tuple[str, ...] = ()  # (legacy kind, Graph kind) of identifying values; () for none

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        """Picklable (Spark ships the mapping to its workers): the read-only views as dicts."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["params"], values["vocabulary"] = dict(self.params), dict(self.vocabulary)
        return _field_mapping, (values,)

    @cached_property
    def legacy_labels(self) -> dict[str, str]:
        """Each Graph value (lower case) -> the legacy value, as the mapping spells it, whose
        vocabulary allows it (the first such legacy value in the mapping's order)."""
        labels: dict[str, str] = {}
        for label in self.vocabulary_labels:
            for allowed in self.vocabulary[label.casefold()]:
                labels.setdefault(allowed.lower(), label)
        return labels

    @property
    def siem_key(self) -> str:
        """The key a SIEM API record carries this field under."""
        return self.payload_key or self.siem_field

    @property
    def comparison(self) -> Comparator:
        """The comparator the row names (validated on load)."""
        return COMPARATORS[self.comparator]

    @property
    def has_graph_equivalent(self) -> bool:
        return self.status not in DROPPED_STATUSES

    @property
    def keys(self) -> tuple[str, ...]:
        """Every spelling a legacy column may carry for this field."""
        return (self.siem_field, *self.aliases)


def _field_mapping(values: dict[str, Any]) -> FieldMapping:
    views = {name: MappingProxyType(values[name]) for name in ("params", "vocabulary")}
    return FieldMapping(**(values | views))


@dataclass(frozen=True)
class Mapping:
    """The validated mapping table."""

    version: str
    source: str
    fields: tuple[FieldMapping, ...]

    def field(self, siem_field: str) -> FieldMapping:
        for row in self.fields:
            if row.siem_field == siem_field:
                return row
        raise KeyError(siem_field)

    @property
    def key_index(self) -> dict[str, str]:
        """Casefolded key spelling -> SIEM field name."""
        return {key.casefold(): row.siem_field for row in self.fields for key in row.keys}

    @property
    def graph_paths(self) -> tuple[GraphPath, ...]:
        """Every distinct Graph path the mapping reads, in first-use order."""
        seen: dict[str, GraphPath] = {}
        for row in self.fields:
            for path in row.graph_paths:
                seen.setdefault(path.text, path)
        return tuple(seen.values())


def _text(row: dict[str, Any], key: str, where: str, required: bool = True) -> str:
    value = row.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise MappingError(f"{where}: '{key}' must be a non-empty text")
    return value


def _pii(row: dict[str, Any], where: str) -> tuple[str, ...]:
    """``pii: KIND`` (both sides) or ``pii: {legacy: KIND, graph: KIND}``."""
    value = row.get("pii")
    if value is None:
        return ()
    kinds = (
        (value.get("legacy"), value.get("graph"))
        if isinstance(value, dict) and set(value) == {"legacy", "graph"}
        else (value, value)
    )
    if not all(kind in PII_KINDS for kind in kinds):
        raise MappingError(
            f"{where}: pii must be one of {', '.join(PII_KINDS)}, or legacy: and graph: kinds"
        )
    return tuple(str(kind) for kind in kinds)


def _parse_row(row: Any, where: str) -> FieldMapping:
    if not isinstance(row, dict):
        raise MappingError(f"{where}: a row must be a mapping of keys to values")
    name = _text(row, "siem_field", where)
    where = f"{where} ({name})"
    unknown = set(row) - _ROW_KEYS
    if unknown:
        raise MappingError(f"{where}: unknown keys {sorted(unknown)}")
    status = _text(row, "status", where)
    if status not in STATUSES:
        raise MappingError(f"{where}: status {status!r} is not one of {', '.join(STATUSES)}")
    comparator = _text(row, "comparator", where)
    if comparator not in COMPARATORS:
        raise MappingError(f"{where}: unknown comparator {comparator!r}")
    raw_paths = row.get("graph_paths") or []
    if not isinstance(raw_paths, list):
        raise MappingError(f"{where}: graph_paths must be a list")
    try:
        paths = tuple(parse_path(p) for p in raw_paths)
    except (ValueError, TypeError) as exc:
        raise MappingError(f"{where}: {exc}") from None
    dropped = status in DROPPED_STATUSES
    compares = COMPARATORS[comparator].compares
    if dropped and (paths or compares):
        raise MappingError(f"{where}: a {status} field has no Graph path and comparator 'none'")
    if not dropped and (not paths or not compares):
        raise MappingError(f"{where}: a {status} field needs Graph paths and a comparator")
    vocabulary = row.get("vocabulary") or {}
    if not isinstance(vocabulary, dict) or not all(
        isinstance(v, list) and v and all(isinstance(x, str) for x in v)
        for v in vocabulary.values()
    ):
        raise MappingError(f"{where}: vocabulary must map each value to a list of Graph values")
    if COMPARATORS[comparator].needs_vocabulary and not vocabulary:
        raise MappingError(f"{where}: comparator {comparator!r} needs a vocabulary")
    params = row.get("params") or {}
    if not isinstance(params, dict):
        raise MappingError(f"{where}: params must be a mapping")
    try:
        COMPARATORS[comparator].check_params(params)
    except ValueError as exc:
        raise MappingError(f"{where}: {exc}") from None
    aliases = row.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        raise MappingError(f"{where}: aliases must be a list of names")
    payload_key = _text(row, "payload_key", where, required=False)
    if payload_key and payload_key.casefold() not in {a.casefold() for a in aliases}:
        raise MappingError(f"{where}: payload_key must be one of the aliases")
    mark = _text(row, "microsoft_mapping", where)
    if mark not in ("->", "X"):
        raise MappingError(f"{where}: microsoft_mapping must be '->' or 'X'")
    return FieldMapping(
        siem_field=name,
        status=status,
        group=_text(row, "group", where),
        comparator=comparator,
        microsoft_mapping=mark,
        microsoft_note=_text(row, "microsoft_note", where),
        aliases=tuple(aliases),
        graph_paths=paths,
        params=MappingProxyType(dict(params)),
        vocabulary=MappingProxyType({str(k).casefold(): tuple(v) for k, v in vocabulary.items()}),
        note=_text(row, "note", where, required=False),
        payload_key=payload_key,
        vocabulary_labels=tuple(str(k) for k in vocabulary),
        pii=_pii(row, where),
    )


def parse_mapping(document: Any, origin: str = "mapping") -> Mapping:
    """Validate a parsed mapping document; MappingError names the first bad row."""
    if not isinstance(document, dict) or not isinstance(document.get("fields"), list):
        raise MappingError(f"{origin}: expected a document with a 'fields' list")
    rows = tuple(
        _parse_row(row, f"{origin} row {i}") for i, row in enumerate(document["fields"], 1)
    )
    owners: dict[str, str] = {}
    for i, row in enumerate(rows, 1):
        for key in {k.casefold() for k in row.keys}:
            if key in owners:
                raise MappingError(
                    f"{origin} row {i} ({row.siem_field}): name or alias {key!r} "
                    f"is already used by {owners[key]}"
                )
            owners[key] = row.siem_field
    version = document.get("version")
    if not isinstance(version, str) or not version:
        raise MappingError(f"{origin}: 'version' must be a non-empty text")
    return Mapping(version=version, source=str(document.get("source", "")), fields=rows)


def load_mapping(path: Path | str = DEFAULT_MAPPING_FILE) -> Mapping:
    """Read and validate a mapping file."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(f"{path.name}: cannot read the mapping: {exc}") from None
    return parse_mapping(document, path.name)


def mapping_document(mapping: Mapping) -> dict[str, Any]:
    """The document ``parse_mapping`` reads back into an equal ``mapping`` (saved with audits)."""
    rows = []
    for row in mapping.fields:
        record: dict[str, Any] = {
            "siem_field": row.siem_field,
            "aliases": list(row.aliases),
            "status": row.status,
            "group": row.group,
            "graph_paths": [path.text for path in row.graph_paths],
            "comparator": row.comparator,
            "params": dict(row.params),
            "vocabulary": {k: list(row.vocabulary[k.casefold()]) for k in row.vocabulary_labels},
            "microsoft_mapping": row.microsoft_mapping,
            "microsoft_note": row.microsoft_note,
            "note": row.note,
        }
        if row.payload_key:
            record["payload_key"] = row.payload_key
        if row.pii:
            record["pii"] = {"legacy": row.pii[0], "graph": row.pii[1]}
        rows.append(record)
    return {"version": mapping.version, "source": mapping.source, "fields": rows}
