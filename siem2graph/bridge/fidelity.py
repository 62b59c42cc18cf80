"""Bridge fidelity: of each field's legacy values, what the bridge feed gives back.

The feed writes, for every field, the Graph value at the field's paths through the inverse of
the field's comparator. A legacy value the audit found among the alert's Graph values is
therefore restored in an equivalent form; one the audit found differing is restored as Graph's
value (and so is every value of a field whose meaning changed, compared by presence only); one
Graph does not carry (missing, or a field with no Graph equivalent) is an empty column.
The round-trip tests prove the premise: auditing the feed against its own Graph alerts shows no
mismatch and no loss.
"""

from __future__ import annotations

import pandas as pd

from siem2graph.model import AuditReport

COLUMNS = (
    "siem_key",
    "status",
    "alerts_with_legacy_value",
    "restored",
    "restored_differently",
    "not_restored",
    "restored_share",
    "feed_source",
)


def bridge_fidelity(report: AuditReport) -> pd.DataFrame:
    """One row per SIEM field with legacy data on matched alerts, least restored first."""
    rows = []
    for result in report.fields:
        row = report.mapping.field(result.siem_field)
        if row.has_graph_equivalent:
            held = result.legacy_populated
            restored, differently = result.match, result.mismatch
            if row.comparison.meaning_changed:
                restored, differently = 0, restored + differently
            missing = result.missing_in_graph
            source = " or ".join(result.graph_paths)
        else:
            held = result.legacy_alerts_populated
            restored = differently = 0
            missing = held
            source = f"empty: {row.microsoft_note}"
        if not held:
            continue
        rows.append(
            (
                row.siem_key,
                row.status,
                held,
                restored,
                differently,
                missing,
                restored / held,
                source,
            )
        )
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.sort_values(["restored_share", "siem_key"]).reset_index(drop=True)
