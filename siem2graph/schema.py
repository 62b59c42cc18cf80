"""The schema diff both ways: legacy columns nobody maps, Graph paths the mapping does not read."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from siem2graph.mapping import Mapping
from siem2graph.paths import GraphPath
from siem2graph.report.safety import display_text

EXAMPLE_LIMIT = 80  # characters of each example value (a _raw or a Description runs to kB)
# Graph properties that identify or describe the record rather than carry alert information.
_IGNORED_GRAPH_PATHS = frozenset({"@odata.context", "@odata.etag"})


def unmapped_legacy_columns(detections: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Per legacy column outside the mapping: how many detections carry a value, with examples."""
    rows = []
    total = len(detections)
    for name in columns:
        values = detections[name].dropna()
        rows.append(
            {
                "column": name,
                "populated_rows": len(values),
                "populated_rate": len(values) / total if total else 0.0,
                "examples": "; ".join(
                    display_text(v, EXAMPLE_LIMIT) for v in values.value_counts().index[:3]
                ),
            }
        )
    return pd.DataFrame(rows, columns=["column", "populated_rows", "populated_rate", "examples"])


def _pattern(path: GraphPath) -> re.Pattern[str]:
    """A regex over observed leaf paths that the mapped path reads."""
    parts = []
    for step in path.steps:
        name = re.escape(step.name)
        if step.name == "evidence" and step.iterate:
            parts.append(
                name
                + (
                    r"\[" + re.escape(step.type_filter) + r"\]"
                    if step.type_filter
                    else r"\[[^\]]*\]"
                )
            )
        elif step.iterate:
            parts.append(name + r"\[\]")
        else:
            parts.append(name)
    body = r"\.".join(parts)
    keys = "|".join(re.escape(k) for k in path.template_keys)
    return re.compile(body + (r"\.(?:" + keys + ")" if keys else "") + "$")


def unmapped_graph_paths(observed: pd.DataFrame, mapping: Mapping, alerts: int) -> pd.DataFrame:
    """Observed Graph leaf paths that no mapping row reads: what the migration gains."""
    patterns = [_pattern(p) for p in mapping.graph_paths]
    mapped = observed["path"].map(
        lambda p: p in _IGNORED_GRAPH_PATHS or any(r.match(p) for r in patterns)
    )
    out = observed[~mapped.astype(bool)].copy()
    out["populated_rate"] = out["populated_alerts"] / alerts if alerts else 0.0
    return out.sort_values("populated_alerts", ascending=False, kind="stable").reset_index(
        drop=True
    )
