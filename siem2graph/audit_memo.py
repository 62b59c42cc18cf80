"""A whole audit kept by everything that decides it, so auditing the same files with the same
settings again reads its report back instead of computing it again.

The key is both sides' parsed-input keys (every file's SHA-256 and name, the readers' versions,
alias sets and reading limits), the whole mapping document, the audit's options and the engine
itself: the text of every module of this package, every file of its mapping folder (the markers
and alias sets read beside the mapping) and the versions of numpy, pandas and pyarrow.
A change to any of them is another entry, so an upgraded or edited engine never reuses a result
it might compute otherwise. The report is kept in the audit store's layout
(``siem2graph/store/frames.py``) in the parsed-input cache's folder, under the same size limit.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa

from siem2graph.mapping import MAPPING_DIR, Mapping, mapping_document
from siem2graph.store.frames import read_report, write_report

if TYPE_CHECKING:
    from siem2graph.audit import AuditOptions
    from siem2graph.graph.parsed_cache import ParsedCache
    from siem2graph.model import AuditReport

_PACKAGE = Path(__file__).resolve().parent
_MAPPING = MAPPING_DIR
_KIND = "audit-report"


@functools.cache
def engine_digest() -> str:
    """The SHA-256 of the engine: every module of the package, every file of the mapping
    folder, and its libraries' versions."""
    digest = hashlib.sha256()
    files = [(_PACKAGE, m) for m in _PACKAGE.rglob("*.py")]
    files += [(_MAPPING, f) for f in _MAPPING.rglob("*") if f.is_file()]
    for root, file in sorted(files):
        digest.update(f"{root.name}/{file.relative_to(root).as_posix()}\0".encode())
        digest.update(file.read_bytes())
    for library in (np, pd, pa):
        digest.update(f"\0{library.__name__} {library.__version__}".encode())
    return digest.hexdigest()


def audit_key(graph_key: str, legacy_key: str, mapping: Mapping, options: AuditOptions) -> str:
    """The entry of the audit of the inputs with these parsed-input keys, with this mapping and
    these options, by this engine."""
    parts = [_KIND, engine_digest(), graph_key, legacy_key, mapping_document(mapping)]
    return hashlib.sha256(orjson.dumps([*parts, asdict(options)])).hexdigest()


def kept_report(cache: ParsedCache, key: str) -> AuditReport | None:
    """The report kept as ``key``, or None (none, or unreadable: then removed)."""
    return cache.load(key, read_report)


def keep_report(cache: ParsedCache, key: str, report: AuditReport) -> None:
    """Keep ``report`` as ``key``."""
    cache.keep_with(key, lambda folder: write_report(report, folder))
