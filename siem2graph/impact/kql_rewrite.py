"""KQL rewrites that run: the rule over the tables the Microsoft Defender XDR connector writes
Graph alerts to in Microsoft Sentinel (``AlertInfo``, one row per alert, and ``AlertEvidence``,
one row per entity), as ``mapping/content_aliases/defender_xdr.yaml`` describes them.

Each SIEM API table the query reads becomes ``AlertInfo``, joined, when the rule reads evidence,
with one value per alert of each evidence column it needs (``take_anyif`` over the entities of
the column's types), so the query keeps one row per alert.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from siem2graph.errors import MappingError
from siem2graph.impact.datasources import read_document, table_of
from siem2graph.impact.edits import Edit, Judged, ManualRewrite, apply_edits, edits_for, renamed
from siem2graph.impact.finder import JOIN
from siem2graph.mapping import MAPPING_DIR

XDR_FILE = MAPPING_DIR / "content_aliases" / "defender_xdr.yaml"
NOTE = (
    "Runs in Sentinel over the Defender XDR connector's AlertInfo (one row per alert) and "
    "AlertEvidence tables; an evidence column keeps one entity's value per alert (take_anyif)."
)


@dataclass(frozen=True)
class Column:
    """Where a Graph path lands: an AlertInfo column, or an AlertEvidence one of an entity type."""

    name: str
    entity: str = ""
    same_values: bool = False  # holds the values the SIEM API wrote: literals stay as written


@dataclass(frozen=True)
class XdrTables:
    """The connector's alert and evidence tables and the column of each Graph path."""

    alert_table: str
    evidence_table: str
    columns: Mapping[str, Column]

    @property
    def alert_id(self) -> str:
        return self.columns["id"].name


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise MappingError(f"{where}: expected a non-empty text")
    return value


def load_xdr_tables(path: Path | str = XDR_FILE) -> XdrTables:
    """The connector's tables; MappingError names a malformed entry."""
    path = Path(path)
    where = path.name
    document = read_document(path, "Defender XDR columns")
    columns: dict[str, Column] = {}
    for graph_path, spec in table_of(document, "alert_columns", path).items():
        if not isinstance(spec, dict):
            raise MappingError(f"{where}: alert_columns.{graph_path} must be a mapping")
        name = _text(spec.get("column"), f"{where}: alert_columns.{graph_path}.column")
        columns[str(graph_path)] = Column(name, same_values=spec.get("same_values") is True)
    if "id" not in columns:
        raise MappingError(f"{where}: alert_columns must give the column of 'id'")
    for kind, spec in table_of(document, "evidence", path).items():
        entity = _text(spec.get("entity") if isinstance(spec, dict) else None, f"{where}: {kind}")
        listed = spec.get("columns")
        if not isinstance(listed, dict) or not listed:
            raise MappingError(f"{where}: evidence.{kind}.columns must be a mapping")
        for sub_path, column in listed.items():
            text = _text(column, f"{where}: evidence.{kind}.columns.{sub_path}")
            columns[f"evidence[{kind}].{sub_path}"] = Column(text, entity)
    return XdrTables(
        _text(document.get("alert_table"), f"{where}: alert_table"),
        _text(document.get("evidence_table"), f"{where}: evidence_table"),
        MappingProxyType(columns),
    )


@functools.lru_cache(maxsize=1)
def shipped_tables() -> XdrTables:
    """The tables of the shipped data file (read once)."""
    return load_xdr_tables()


def _entity_test(entities: Sequence[str]) -> str:
    if len(entities) == 1:
        return f'EntityType == "{entities[0]}"'
    listed = ", ".join(f'"{entity}"' for entity in entities)
    return f"EntityType in ({listed})"


def _source(tables: XdrTables, evidence: Mapping[str, list[str]]) -> str:
    """The alert table, with one value per alert of each evidence column the rule reads."""
    if not evidence:
        return tables.alert_table
    picks = ", ".join(
        f"{column} = take_anyif({column}, {_entity_test(entities)})"
        for column, entities in evidence.items()
    )
    key = tables.alert_id
    return (
        f"{tables.alert_table}\n| join kind=leftouter ({tables.evidence_table}\n"
        f"    | summarize {picks} by {key}) on {key}"
    )


def rewrite_kql(
    text: str,
    judged: Judged,
    paths_of: Callable[[str], Sequence[str]],
    tables_at: Sequence[tuple[int, int]],
    tables: XdrTables,
) -> str:
    """The rule over the connector's tables; ManualRewrite says why there is none.

    ``tables_at`` are the spans of the SIEM API table names the query reads.
    """
    if not tables_at:
        raise ManualRewrite("the query names no SIEM API table to replace")
    evidence: dict[str, list[str]] = {}
    edits: list[Edit] = []
    for occurrence, references in judged:
        names: dict[str, str] = {}
        for ref, _ in references:
            if not renamed(ref) or not ref.graph_path:
                continue
            if ref.usage == JOIN:
                raise ManualRewrite(f"{ref.as_written} is a join key: join the tables by hand")
            paths = paths_of(ref.field)
            targets = [tables.columns[p] for p in paths if p in tables.columns]
            if not targets:
                raise ManualRewrite(
                    f"{ref.as_written}: {', '.join(paths)} has no column in "
                    f"{tables.alert_table} or {tables.evidence_table}"
                )
            column = targets[0]
            if occurrence.literals and not column.same_values:
                raise ManualRewrite(
                    f"{ref.as_written} is compared with {occurrence.literals[0].value!r}: the "
                    f"values {column.name} holds are not in the mapping"
                )
            if column.entity:
                kinds = evidence.setdefault(column.name, [])
                kinds.extend(
                    t.entity for t in targets if t.name == column.name and t.entity not in kinds
                )
            names[ref.graph_path] = column.name
        edits.extend(edits_for(occurrence, references, names, literals=False))
    source = _source(tables, evidence)
    edits.extend((start, end, source) for start, end in tables_at)
    return apply_edits(text, edits)
