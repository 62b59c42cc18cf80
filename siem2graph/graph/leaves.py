"""Populated leaf paths per alert from the Arrow columns, named as ``flatten.leaf_paths`` names
them (evidence objects typed by their @odata.type), as a packed bit matrix."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from siem2graph.graph.chunk import NotLines
from siem2graph.paths import ODATA_TYPE, evidence_type_name

EVIDENCE = "evidence"
Found = dict[str, list[np.ndarray]]  # leaf path -> alert rows where it is populated


def evidence_kinds(items: pa.Array) -> tuple[np.ndarray, list[str]]:
    """Per evidence object the code of its type name, and the names the codes stand for."""
    index = items.type.get_field_index(ODATA_TYPE)
    odata = pc.struct_field(items, [index]) if index >= 0 else None
    if odata is None or not pa.types.is_string(odata.type):
        return np.zeros(len(items), dtype=np.int64), [""]
    encoded = pc.dictionary_encode(odata)
    names = [evidence_type_name({ODATA_TYPE: v}) for v in encoded.dictionary.to_pylist()]
    codes = pc.fill_null(encoded.indices, len(names)).to_numpy(zero_copy_only=False)
    return codes.astype(np.int64), [*names, ""]


def leaf_bits(root: pa.StructArray) -> tuple[tuple[str, ...], np.ndarray]:
    """The populated leaf paths, and per alert which of them it populates (packed bits)."""
    found: Found = {}
    rows = np.arange(len(root), dtype=np.int64)
    for index, field in enumerate(root.type):
        if field.name == ODATA_TYPE:
            continue
        column = pc.struct_field(root, [index])
        kind = field.type
        if (
            field.name == EVIDENCE
            and pa.types.is_list(kind)
            and pa.types.is_struct(kind.value_type)
        ):
            _evidence(column, rows, found)
        else:
            _leaf(column, field.name, rows, found)
    paths = sorted(found)
    matrix = np.zeros((len(root), len(paths)), dtype=bool)
    for number, path in enumerate(paths):
        matrix[np.concatenate(found[path]), number] = True
    return tuple(paths), np.packbits(matrix, axis=1)


def _populated(values: pa.Array) -> np.ndarray:
    """Where ``to_text`` of the value is not empty."""
    kind = values.type
    if pa.types.is_null(kind):
        return np.zeros(len(values), dtype=bool)
    if pa.types.is_string(kind):
        filled = pc.greater(pc.binary_length(values), 0)
        return pc.fill_null(filled, False).to_numpy(zero_copy_only=False)
    if pa.types.is_floating(kind) and pc.any(pc.invert(pc.is_finite(values))).as_py():
        raise NotLines("NaN or Infinity, which is not JSON")
    return pc.is_valid(values).to_numpy(zero_copy_only=False)


def _leaf(values: pa.Array, path: str, rows: np.ndarray, found: Found) -> None:
    kind = values.type
    if pa.types.is_struct(kind):
        _fields(values, path + ".", rows, found)
    elif pa.types.is_list(kind):
        items = pc.list_flatten(values)
        item_rows = rows[pc.list_parent_indices(values).to_numpy()]
        if pa.types.is_struct(items.type):
            _fields(items, path + "[].", item_rows, found)
        else:
            _add(found, path + "[]", item_rows[_populated(items)])
    else:
        _add(found, path, rows[_populated(values)])


def _fields(objects: pa.Array, prefix: str, rows: np.ndarray, found: Found) -> None:
    for index, field in enumerate(objects.type):
        if field.name != ODATA_TYPE:
            _leaf(pc.struct_field(objects, [index]), prefix + field.name, rows, found)


def _evidence(column: pa.Array, rows: np.ndarray, found: Found) -> None:
    """Leaves below evidence objects, named ``evidence[<type>].<path>``."""
    items = pc.list_flatten(column)
    item_rows = rows[pc.list_parent_indices(column).to_numpy()]
    codes, names = evidence_kinds(items)
    distinct = sorted(set(names))
    name_codes = np.array([distinct.index(n) for n in names], dtype=np.int64)[codes]
    below: Found = {}
    _fields(items, "", np.arange(len(items), dtype=np.int64), below)
    for suffix, parts in below.items():
        at = np.concatenate(parts)
        kinds = name_codes[at]
        for code in np.flatnonzero(np.bincount(kinds, minlength=len(distinct))):
            _add(found, f"{EVIDENCE}[{distinct[code]}].{suffix}", item_rows[at[kinds == code]])


def _add(found: Found, path: str, rows: np.ndarray) -> None:
    if len(rows):
        found.setdefault(path, []).append(rows)
