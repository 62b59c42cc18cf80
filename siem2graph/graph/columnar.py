"""The Arrow path: a batch of NDJSON alerts parsed by pyarrow and read with vectorised kernels.

Gives exactly what the per-alert walk (``flatten.walk_chunk``) gives. Raises ``NotLines`` when
pyarrow reads the bytes differently from the line-by-line reader (a broken or non-object line,
NaN) and ``Unsupported`` when a value's text cannot be rendered as ``to_text`` does
(floats: 22424.0 and 22424 are one double; objects rendered as text); the caller falls back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from siem2graph.graph.chunk import (
    ALERT_COLUMNS,
    HOST,
    Chunk,
    NotLines,
    Unsupported,
    value_texts,
)
from siem2graph.graph.leaves import evidence_kinds, leaf_bits
from siem2graph.paths import GraphPath, Step, parse_path
from siem2graph.text_codes import pack

# one batch per reader thread (alerts.read_graph keeps several in flight): pyarrow's own pool
# on top of them made the cores contend (docs/scale.md)
_READ = pj.ReadOptions(block_size=1 << 23, use_threads=False)
_HOST_PATH = parse_path("evidence[deviceEvidence].deviceDnsName")
_TEMPLATE_PART = re.compile(r"\{([A-Za-z0-9_]+)\}")
_NO_ROWS = np.zeros(0, dtype=np.int64)


class SchemaHint:
    """The schema of the batches read so far: the next batch of an export is read with it
    (pyarrow's type inference is ~40% of its JSON parse). Fields it must not fix are left out
    (null: not seen yet; floating: a batch of whole numbers is read as integers on its own);
    a batch the hint does not fit is read with inference."""

    def __init__(self) -> None:
        self.schema: pa.Schema | None = None

    def read(self, buffer: bytes) -> pa.Table:
        """The NDJSON ``buffer`` as a table, ISO texts kept as texts."""
        table = None
        if self.schema is not None:
            options = pj.ParseOptions(
                explicit_schema=self.schema, unexpected_field_behavior="infer"
            )
            try:
                table = pj.read_json(
                    pa.BufferReader(buffer), read_options=_READ, parse_options=options
                )
            except pa.ArrowInvalid:
                table = None
        if table is None:
            table = pj.read_json(pa.BufferReader(buffer), read_options=_READ)
        if has_type(pa.struct(list(table.schema)), _is_time):
            # pyarrow infers timestamps from some ISO texts; read them as the texts they are
            schema = pa.schema(_as_text(pa.struct(list(table.schema))))
            options = pj.ParseOptions(explicit_schema=schema)
            table = pj.read_json(pa.BufferReader(buffer), read_options=_READ, parse_options=options)
        self.schema = pa.schema(_settled(pa.struct(list(table.schema))))
        return table


def _settled(kind: pa.DataType) -> pa.DataType:
    """``kind`` without the fields a hint must not fix."""
    if pa.types.is_struct(kind):
        kept = [f for f in kind if not (pa.types.is_null(f.type) or pa.types.is_floating(f.type))]
        return pa.struct([f.with_type(_settled(f.type)) for f in kept])
    if pa.types.is_list(kind):
        return pa.list_(_settled(kind.value_type))
    return kind


def parse(buffer: bytes, rows: int, hint: SchemaHint) -> pa.StructArray:
    """The ``rows`` alerts of NDJSON ``buffer`` (one object per line) as one struct array."""
    if not _utf8(buffer):
        # pyarrow would keep the bytes in its strings; orjson refuses the line
        raise NotLines("not UTF-8 text")
    try:
        table = hint.read(buffer)
        # pyarrow 26 builds invalid arrays from lists like [null, {...}]: never read those
        table.validate()
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise NotLines(str(exc)) from None
    if table.num_rows != rows:
        raise NotLines("a line holds more than one JSON value")
    names = table.schema.names
    return (
        pa.StructArray.from_arrays(
            [c.combine_chunks() for c in table.columns], fields=list(table.schema)
        )
        if names
        else pa.array([{}] * rows, pa.struct([]))
    )


def _utf8(buffer: bytes) -> bool:
    """Whether ``buffer`` is UTF-8 text (checked as one Arrow string: no copy)."""
    offsets = pa.py_buffer(np.array([0, len(buffer)], dtype=np.int64))
    whole = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(buffer)])
    try:
        whole.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def has_type(kind: pa.DataType, test: Callable[[pa.DataType], bool]) -> bool:
    """Whether ``kind`` is, or holds in its fields or list items, a type passing ``test``."""
    if pa.types.is_struct(kind):
        return any(has_type(f.type, test) for f in kind)
    if pa.types.is_list(kind):
        return has_type(kind.value_type, test)
    return test(kind)


def _is_time(kind: pa.DataType) -> bool:
    return pa.types.is_timestamp(kind) or pa.types.is_date(kind)


def _as_text(kind: pa.DataType) -> pa.DataType:
    if pa.types.is_struct(kind):
        return pa.struct([f.with_type(_as_text(f.type)) for f in kind])
    if pa.types.is_list(kind):
        return pa.list_(_as_text(kind.value_type))
    return pa.string() if pa.types.is_timestamp(kind) or pa.types.is_date(kind) else kind


def text(values: pa.Array) -> pa.Array:
    """``to_text`` of every scalar ('' for null); raises Unsupported for other types."""
    kind = values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        out = values
    elif pa.types.is_null(kind) or pa.types.is_integer(kind) or pa.types.is_boolean(kind):
        out = values.cast(pa.string())
    else:
        raise Unsupported(f"{kind} values")
    return pc.fill_null(out, "")


class _Node:
    """The elements a path prefix reaches: ``array`` (taken at ``sel``) and their alert rows."""

    def __init__(self, array: pa.Array, rows: np.ndarray, sel: np.ndarray | None = None) -> None:
        self.array, self.rows, self.sel = array, rows, sel

    def field(self, name: str) -> _Node | None:
        kind = self.array.type
        index = kind.get_field_index(name) if pa.types.is_struct(kind) else -1
        if index < 0:
            return None
        return _Node(pc.struct_field(self.array, [index]), self.rows, self.sel)

    def taken(self) -> pa.Array:
        return self.array if self.sel is None else self.array.take(self.sel)

    def items(self) -> _Node | None:
        """The elements of the lists reached (None when they are not lists)."""
        if not pa.types.is_list(self.array.type):
            return None
        lists = self.taken()
        parents = pc.list_parent_indices(lists).to_numpy()
        return _Node(pc.list_flatten(lists), self.rows[parents])

    def of_kind(self, kind: str) -> _Node | None:
        """The evidence items (objects) whose @odata.type names ``kind``."""
        if not pa.types.is_struct(self.array.type):
            return None
        codes, names = evidence_kinds(self.array)
        sel = np.flatnonzero(np.isin(codes, [i for i, n in enumerate(names) if n == kind]))
        return _Node(self.array, self.rows[sel], sel)


class _Tree:
    """The nodes of a batch's alerts, each path prefix computed once."""

    def __init__(self, root: pa.StructArray) -> None:
        self.nodes: dict[tuple[Step, ...], _Node | None] = {
            (): _Node(root, np.arange(len(root), dtype=np.int64))
        }

    def node(self, steps: tuple[Step, ...]) -> _Node | None:
        if steps not in self.nodes:
            parent = self.node(steps[:-1])
            step = steps[-1]
            child = parent and parent.field(step.name)
            if child is not None and step.iterate:
                child = child.items()
                if child is not None and step.type_filter:
                    child = child.of_kind(step.type_filter)
            self.nodes[steps] = child
        return self.nodes[steps]

    def values(self, path: GraphPath) -> tuple[np.ndarray, pa.Array]:
        """(alert row, non-empty text) of every value at ``path``, in document order."""
        node = self.node(path.steps)
        if node is None:
            return _NO_ROWS, pa.array([], pa.string())
        if path.template:
            rows, texts = _render(node, path.template)
        else:
            if pa.types.is_list(node.array.type):
                node = cast(_Node, node.items())  # a list node has items
            kind = node.array.type
            if pa.types.is_struct(kind) or pa.types.is_list(kind):
                return _NO_ROWS, pa.array([], pa.string())
            rows, texts = node.rows, text(node.taken())
        filled = pc.greater(pc.binary_length(texts), 0).to_numpy(zero_copy_only=False)
        return rows[filled], texts.filter(filled)


def _render(node: _Node, template: str) -> tuple[np.ndarray, pa.Array]:
    """``template`` filled from each object reached; objects with no key set render nothing."""
    if not pa.types.is_struct(node.array.type):
        return _NO_ROWS, pa.array([], pa.string())
    size = len(node.rows)
    parts: list[pa.Array | str] = []
    for number, piece in enumerate(_TEMPLATE_PART.split(template)):
        if number % 2 == 0:
            parts.append(piece)
            continue
        child = node.field(piece)
        parts.append(text(child.taken()) if child else pa.array([""] * size, pa.string()))
    keys = [p for p in parts[1::2] if isinstance(p, pa.Array)]
    rendered = pc.binary_join_element_wise(*parts, "")
    some = np.zeros(size, dtype=bool)
    for key in keys:
        some |= pc.greater(pc.binary_length(key), 0).to_numpy(zero_copy_only=False)
    return node.rows, pc.if_else(pa.array(some), rendered, "")


def _scalar(node: _Node | None) -> _Node | None:
    """``node``, which ``to_text`` must render whole: objects and lists are not rendered here."""
    kind = node.array.type if node else pa.null()
    if pa.types.is_struct(kind) or pa.types.is_list(kind):
        raise Unsupported(f"{kind} read as one text")
    return node


def _scalar_text(node: _Node | None, size: int) -> pa.Array:
    """Text of a top-level property ('' when absent)."""
    node = _scalar(node)
    return text(node.taken()) if node else pa.array([""] * size, pa.string())


def _host(tree: _Tree, size: int) -> pa.Array:
    """The first non-empty deviceDnsName of each alert's deviceEvidence items."""
    _scalar(tree.node(_HOST_PATH.steps))
    rows, names = tree.values(_HOST_PATH)
    with_host, first = np.unique(rows, return_index=True)
    pick = np.full(size, len(names), dtype=np.int64)
    pick[with_host] = first
    return pa.concat_arrays([names, pa.array([""], pa.string())]).take(pick)


def scalar_texts(root: pa.StructArray, name: str) -> pa.Array:
    """``to_text`` of each alert's top-level property ``name`` ('' when absent)."""
    return _scalar_text(_Tree(root).node((Step(name),)), len(root))


def ids(root: pa.StructArray) -> np.ndarray:
    """Whether each alert has an id (a non-empty text)."""
    texts = scalar_texts(root, "id")
    return pc.greater(pc.binary_length(texts), 0).to_numpy(zero_copy_only=False)


def arrow_chunk(root: pa.StructArray, paths: Sequence[GraphPath]) -> Chunk:
    """The ``Chunk`` of a batch of alerts that all have an id."""
    tree = _Tree(root)
    size = len(root)
    alerts = {name: _scalar_text(tree.node((Step(name),)), size) for name in ALERT_COLUMNS}
    alerts[HOST] = _host(tree, size)
    found = [tree.values(p) for p in paths]
    rows = np.concatenate([_NO_ROWS, *(r for r, _ in found)])
    numbers = np.concatenate([np.full(len(r), n, dtype=np.int16) for n, (r, _) in enumerate(found)])
    key = rows * len(paths) + numbers
    order = np.argsort(key, kind="stable")
    texts = value_texts(pa.concat_arrays([t for _, t in found]).take(order))
    keep = _first_of_each(key[order], texts.indices.to_numpy())
    return Chunk(
        alerts,
        rows[order][keep],
        numbers[order][keep],
        texts.filter(keep),  # a dropped row repeats a kept text: the dictionary is all in use
        *leaf_bits(root),
    )


def _first_of_each(key: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Keep the first of equal (key, text code) rows; ``key`` is sorted."""
    keep = np.ones(len(key), dtype=bool)
    repeats = np.flatnonzero(key[1:] == key[:-1]) + 1
    if len(repeats):
        members = np.flatnonzero(pd.Series(key).isin(key[repeats]).to_numpy())
        pairs = pack(key[members], codes[members])
        keep[members[pd.Series(pairs).duplicated().to_numpy()]] = False
    return keep
