"""Which partition each alert goes to, so that every legacy alert meets, in its partition, every
Graph alert the join could match it with (``join``: an id equals an id or a providerAlertId, with
or without Graph's 'da' prefix).

An id's routing key is the id lowered, trimmed and without leading 'da's: two ids the join can
match have the same key. A Graph alert whose id and providerAlertId give different keys ties the
two keys together; tied keys (``Ties``) route as one. Routes come from a CRC-32 of the key, the
same in every process (Python's ``hash`` of a text is not).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

import pandas as pd

_PREFIX = r"^(?:da)+"


def routing_keys(ids: pd.Series) -> pd.Series:
    """Each id's routing key ('' for none)."""
    lowered = ids.astype("str").str.strip().str.lower().fillna("")
    return lowered.str.replace(_PREFIX, "", regex=True)


class Ties:
    """Keys tied by Graph alerts whose id and providerAlertId differ, each to its group's first
    key in text order (union-find)."""

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        self._parent: dict[str, str] = {}
        for first, second in pairs:
            self._tie(first, second)
        self.group = {key: self._find(key) for key in self._parent}

    def _find(self, key: str) -> str:
        root = self._parent.setdefault(key, key)
        while self._parent[root] != root:
            root = self._parent[root]
        while key != root:
            key, self._parent[key] = self._parent[key], root
        return root

    def _tie(self, first: str, second: str) -> None:
        roots = sorted((self._find(first), self._find(second)))
        self._parent[roots[1]] = roots[0]

    def routes(self, keys: pd.Series, partitions: int) -> pd.Series:
        """The partition of each key (int32)."""
        grouped = keys.map(self.group).fillna(keys) if self.group else keys
        distinct = pd.unique(grouped.to_numpy())
        numbers = {k: zlib.crc32(str(k).encode()) % partitions for k in distinct}
        return grouped.map(numbers).astype("int32")
