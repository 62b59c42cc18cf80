"""Resolve a name written in content: a column, a field or an ArcSight name to a SIEM field; a
data source to whether it holds SIEM API records."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from siem2graph.errors import MappingError
from siem2graph.impact.datasources import DataSources, load_data_sources, read_table
from siem2graph.mapping import MAPPING_DIR, Mapping

ARCSIGHT_FILE = MAPPING_DIR / "content_aliases" / "arcsight.yaml"
# Log Analytics custom-log columns carry a type suffix: string, bool, double, datetime, guid.
_CUSTOM_LOG_SUFFIX = re.compile(r"^(?P<base>[A-Za-z][A-Za-z0-9]*)_(?:s|b|d|t|g)$")


@dataclass(frozen=True)
class NameResolver:
    """Names and aliases of the mapping, the ArcSight names (used in ArcSight content only) and
    the data sources holding SIEM API records."""

    exact: MappingProxyType[str, str]
    arcsight: MappingProxyType[str, str]
    sources: DataSources

    def resolve(self, word: str, *, arcsight: bool = False) -> str:
        """The SIEM field ``word`` names ('' when none).

        Names match case-sensitively, as SPL, KQL and Sigma field names do (``source`` is Splunk's
        own field, not ``Source``). ``Severity_s`` (a custom-log column) resolves like ``Severity``.
        ArcSight names resolve only with ``arcsight=True``, and then only they do.
        """
        if arcsight:
            return self.arcsight.get(word, "")
        return self.exact.get(word) or self.exact.get(_strip_suffix(word), "")


def _strip_suffix(word: str) -> str:
    match = _CUSTOM_LOG_SUFFIX.match(word)
    return match.group("base") if match else ""


def load_arcsight_names(mapping: Mapping, path: Path | str = ARCSIGHT_FILE) -> dict[str, str]:
    """ArcSight name -> SIEM field (mapping-table spelling); MappingError names a bad entry."""
    path = Path(path)
    names = read_table(path, "names", "ArcSight names")
    index = mapping.key_index
    table: dict[str, str] = {}
    for arcsight_name, siem_name in names.items():
        field = index.get(str(siem_name).casefold())
        if not isinstance(arcsight_name, str) or not field:
            raise MappingError(
                f"{path.name}: {arcsight_name!r} names no SIEM field ({siem_name!r})"
            )
        table[arcsight_name] = field
    return table


def build_resolver(
    mapping: Mapping,
    arcsight_file: Path | str = ARCSIGHT_FILE,
    siem_sources: Iterable[str] = (),
) -> NameResolver:
    """The resolver for ``mapping``'s names and aliases, the ArcSight name table and the shipped
    SIEM API data sources plus ``siem_sources``."""
    exact = {key: row.siem_field for row in mapping.fields for key in row.keys}
    return NameResolver(
        exact=MappingProxyType(exact),
        arcsight=MappingProxyType(load_arcsight_names(mapping, arcsight_file)),
        sources=load_data_sources().with_names(siem_sources),
    )
