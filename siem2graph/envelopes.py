"""What a JSON value holds, for legacy exports and Graph files alike, and the limits on a record.

A value is one record, an array of records, a list response (``{"value": [...]}``, Graph and
OData; ``{"results": [...]}``, SIEM search APIs), an array of such pages, or Splunk's export
wrapper ``{"preview": false, "result": {...}}`` (one per NDJSON line). Both readers unwrap
through ``unwrap``, so a file reads as the same records on either side.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

if TYPE_CHECKING:  # a type only: siem2graph.legacy imports this module
    from siem2graph.legacy.limits import ReadLimits

LIST_KEYS = ("value", "results")  # the keys a list response holds its records under
SPLUNK_WRAPPER = frozenset({"preview", "offset", "lastrow", "result", "messages"})
_CONTAINERS = (dict, list)  # what nests in parsed JSON


def list_key(value: Any) -> str | None:
    """The key under which ``value`` (a list response) holds its records, or None."""
    if isinstance(value, dict):
        return next((k for k in LIST_KEYS if isinstance(value.get(k), list)), None)
    return None


def _wrapped(value: Any) -> list[Any] | None:
    key = list_key(value)
    if key is not None:
        return list(value[key])
    splunk = isinstance(value, dict) and set(value) <= SPLUNK_WRAPPER
    return [value["result"]] if splunk and isinstance(value.get("result"), dict) else None


def unwrap(value: Any) -> list[Any]:
    """The records one value (an NDJSON line, an array's element) holds: a list response's, a
    Splunk wrapper's, or ``value`` itself."""
    wrapped = _wrapped(value)
    return [value] if wrapped is None else wrapped


def document_records(document: Any) -> list[Any]:
    """The records of a whole JSON document: an array's (its pages' records when every element
    is a list response or wrapper), else what ``unwrap`` finds."""
    if not isinstance(document, list):
        return unwrap(document)
    pages = [_wrapped(v) for v in document]
    if document and all(p is not None for p in pages):
        return [record for page in pages for record in page or ()]
    return document


def depth(value: Any) -> int:
    """How deeply ``value`` nests objects and arrays (a scalar is 0, a flat object 1)."""
    deepest, stack = 0, [(value, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        node, level = pop()
        if isinstance(node, _CONTAINERS):
            deepest = max(deepest, level)
            for child in node.values() if isinstance(node, dict) else node:
                if isinstance(child, _CONTAINERS):  # a tuple: quicker than the union dict | list
                    push((child, level + 1))
    return deepest


def arrow_depth(kind: pa.DataType) -> int:
    """The deepest nesting a value of Arrow type ``kind`` can have (``depth`` of its records)."""
    if pa.types.is_struct(kind):
        return 1 + max((arrow_depth(f.type) for f in kind), default=0)
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return 1 + arrow_depth(kind.value_type)
    return 0


def arrow_wraps(kind: pa.StructType) -> bool:
    """Whether records of type ``kind`` may be list responses or Splunk wrappers (``unwrap``
    would take records out of them)."""
    names = {f.name for f in kind}
    lists = any(k in names and pa.types.is_list(kind.field(k).type) for k in LIST_KEYS)
    # the type holds every record's keys: one record may have only the wrapper's
    return lists or ("result" in names and pa.types.is_struct(kind.field("result").type))


def too_deep(record: Any, limits: ReadLimits) -> str | None:
    """Why ``record`` is rejected for its nesting, or None."""
    limit = limits.max_json_depth
    if depth(record) > limit:
        return f"nested deeper than {limit} levels (ReadLimits.max_json_depth)"
    return None


def line_too_long(limits: ReadLimits) -> str:
    """The problem of an NDJSON line over ``max_record_bytes``."""
    return f"line longer than {limits.max_record_bytes:,} bytes (ReadLimits.max_record_bytes)"


def document_too_large(name: str, limits: ReadLimits) -> str:
    """The error of a JSON document over ``max_json_document_bytes``."""
    return (
        f"{name}: a JSON document larger than {limits.max_json_document_bytes:,} bytes "
        "(ReadLimits.max_json_document_bytes); convert it to NDJSON "
        "(one record per line, e.g. jq -c '.[]')"
    )
