"""The peer baseline: the same field comparisons done by datacompy on frames flattened for it.

Its best case: one row per alert (the first legacy value of each field, the first Graph value
at the field's first path), one join key, only the compared columns, renamed alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datacompy
import orjson
import pandas as pd
import polars as pl

from bench.measure import read_csv_text, timed
from siem2graph.mapping import load_mapping
from siem2graph.paths import walk

KEY = "key"


def _compared_fields() -> dict[str, Any]:
    mapping = load_mapping()
    return {r.siem_field: r.graph_paths[0] for r in mapping.fields if r.has_graph_equivalent}


def flatten(legacy: Path, graph: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(legacy, graph): one row per alert, columns KEY and the compared SIEM fields."""
    fields = _compared_fields()
    detections = read_csv_text(legacy).to_pandas()
    present = [f for f in fields if f in detections.columns]
    detections[KEY] = detections["AlertId"].astype("str").str.strip().str.lower()
    left = detections.groupby(KEY, sort=False)[present].first().reset_index()
    rows = []
    with graph.open("rb") as stream:
        for line in stream:
            alert = orjson.loads(line)
            row = {KEY: str(alert["id"]).strip().lower()}
            for name, path in fields.items():
                values = walk(alert, path.steps, path.template)
                row[name] = values[0] if values else None
            rows.append(row)
    right = pd.DataFrame(rows).drop_duplicates(KEY, keep="last")[[KEY, *present]]
    return left.astype("str"), right.astype("str")


def run_datacompy(legacy: Path, graph: Path) -> dict[str, Any]:
    """datacompy's PandasCompare (with its report) and PolarsCompare on the flattened frames."""
    (left, right), prep_wall, _ = timed(lambda: flatten(legacy, graph))
    _, pandas_wall, pandas_cpu = timed(
        lambda: datacompy.PandasCompare(left, right, join_columns=KEY).report()
    )
    left_pl, right_pl = pl.from_pandas(left), pl.from_pandas(right)
    _, polars_wall, _ = timed(
        lambda: datacompy.PolarsCompare(left_pl, right_pl, join_columns=KEY).report()
    )
    return {
        "seconds": pandas_wall,
        "cpu_seconds": pandas_cpu,
        "parts": {
            "flatten": prep_wall,
            "pandas_compare": pandas_wall,
            "polars_compare": polars_wall,
        },
        "rows": len(left),
        "columns": len(left.columns) - 1,
    }
