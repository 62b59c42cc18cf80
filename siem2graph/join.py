"""Join legacy alerts (groups of detections) to Graph alerts through normalised ids."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from siem2graph.legacy.compact import text_column
from siem2graph.model import JoinSummary
from siem2graph.text_codes import arrow_text, as_text
from siem2graph.times import SlashedOrder, parse_times

MDE_SERVICE = "microsoftdefenderforendpoint"
# How a legacy id met a Graph id, best first (README: how the audit judges a field).
_BY_ID, _BY_PROVIDER, _BY_PREFIXED_PROVIDER, _BY_PREFIXED_LEGACY = 0, 1, 2, 3
_PRE_2019_ID = r"\d{18}_-?\d+"  # .NET ticks + signed int32, before the 'da' prefix
NO_GRAPH_ALERTS = "no Graph alerts were loaded"
# reasons that put a one-sided alert beyond what the other input covers: no gap of that side
OUTSIDE_GRAPH_WINDOW = "outside the Graph time window"
OUTSIDE_LEGACY_WINDOW = "outside the legacy export's time window"
NOT_MDE = "not a Defender for Endpoint alert"
_BEYOND_OTHER_SIDE = (
    "^(?:" + "|".join(map(re.escape, (OUTSIDE_GRAPH_WINDOW, OUTSIDE_LEGACY_WINDOW, NOT_MDE))) + ")"
)
_ROW = "_legacy_row"


@dataclass(frozen=True)
class JoinResult:
    """One row per alert on either side, and the key of every legacy alert id."""

    alerts: pd.DataFrame
    detection_keys: pd.Series  # the key of each detection's alert, by position
    summary: JoinSummary


def _norm(ids: pd.Series) -> pd.Series:
    return ids.astype("str").str.strip().str.lower()


def _legacy_alerts(
    detections: pd.DataFrame, alert_time: SlashedOrder | None
) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per legacy alert id (text columns as plain text, whatever the detections hold),
    and the row of each detection's alert (-1: none)."""
    frame = pd.DataFrame(
        {
            "legacy_alert_id": detections["AlertId"],
            "t": parse_times(detections["AlertTime"], alert_time),
            "title": detections["AlertTitle"],
            "severity": detections["Severity"],
            "category": detections["Category"],
            "detection_source": detections["Source"],
            "dns_name": detections["ComputerDnsName"],
            "machine_name": detections["MachineName"],
        }
    )
    grouped = frame.groupby("legacy_alert_id", sort=False, observed=True)
    out = grouped.first().drop(columns="t").reset_index().apply(as_text)
    out["host"] = out.pop("dns_name").fillna(out.pop("machine_name"))
    out["legacy_time"] = grouped["t"].min().array
    out["detections"] = grouped.size().to_numpy()
    return out, grouped.ngroup().fillna(-1).to_numpy(dtype=np.int64)


def _match(legacy_ids: pd.Series, graph: pd.DataFrame) -> pd.DataFrame:
    """legacy_alert_id, graph_id, how: one-to-one pairs, best rule first."""
    gid, prov = _norm(graph["id"]), _norm(graph["providerAlertId"])
    graph_keys = pd.concat(
        [
            pd.DataFrame({"cand": gid, "graph_id": graph["id"], "how": _BY_ID}),
            pd.DataFrame({"cand": prov, "graph_id": graph["id"], "how": _BY_PROVIDER}),
            pd.DataFrame(
                {"cand": "da" + prov, "graph_id": graph["id"], "how": _BY_PREFIXED_PROVIDER}
            ),
        ]
    )
    graph_keys = graph_keys[graph_keys["cand"].fillna("").str.len() > 2]
    lnorm = _norm(legacy_ids)
    legacy_keys = pd.concat(
        [
            pd.DataFrame({"cand": lnorm, "legacy_alert_id": legacy_ids, "extra": 0}),
            pd.DataFrame(
                {"cand": "da" + lnorm, "legacy_alert_id": legacy_ids, "extra": _BY_PREFIXED_LEGACY}
            ),
        ]
    )
    pairs = legacy_keys.merge(graph_keys, on="cand")
    pairs["how"] = pairs[["how", "extra"]].max(axis=1)
    pairs = pairs.sort_values("how", kind="stable")
    pairs = pairs.drop_duplicates("legacy_alert_id").drop_duplicates("graph_id")
    return pairs[["legacy_alert_id", "graph_id", "how"]]


def _among(values: pd.Series, others: pd.Series) -> np.ndarray:
    """``values.isin(others)``, through Arrow's hashing (quicker on text: docs/scale.md); text
    or categorical alike (an empty Spark partition's ids are categorical)."""
    value_set = arrow_text(as_text(others)).combine_chunks()
    found = pc.is_in(arrow_text(as_text(values)), value_set=value_set)
    return found.to_numpy()


def _window(times: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    valid = times.dropna()
    return (valid.min(), valid.max()) if len(valid) else None


def _legacy_reason(times: pd.Series, ids: pd.Series, graph_times: pd.Series) -> pd.Series:
    if graph_times.empty:
        return pd.Series(NO_GRAPH_ALERTS, index=times.index, dtype="str")
    reason = pd.Series(
        "no Graph alert with this id: tuned, suppressed or standalone detections "
        "are not in alerts_v2",
        index=times.index,
        dtype="str",
    )
    old_id = _norm(ids).str.fullmatch(_PRE_2019_ID).fillna(False)
    reason = reason.mask(old_id, "pre-2019 id format (no 'da' prefix): likely past Graph retention")
    graph_window = _window(graph_times)
    if graph_window is None:
        return reason
    start, end = graph_window
    day = pd.Timedelta(days=1)
    return reason.mask((times < start - day) | (times > end + day), OUTSIDE_GRAPH_WINDOW)


def _graph_reason(times: pd.Series, service: pd.Series, legacy_window) -> pd.Series:
    reason = pd.Series(
        "no legacy detection with this id: the legacy export may have missed it",
        index=times.index,
        dtype="str",
    )
    if legacy_window is not None:
        start, end = legacy_window
        day = pd.Timedelta(days=1)
        reason = reason.mask((times < start - day) | (times > end + day), OUTSIDE_LEGACY_WINDOW)
    not_mde = _norm(service.fillna("")) != MDE_SERVICE
    named = service.fillna("").str.strip()
    said = ("serviceSource " + named).where(named != "", "no serviceSource")
    return reason.mask(not_mde, f"{NOT_MDE} (" + said + "): the SIEM API never carried it")


def beyond_other_side(reasons: pd.Series) -> np.ndarray:
    """Per one-sided alert's reason: does it put the alert beyond what the other input covers
    (another period, a product the SIEM API never carried)? Such an alert is no gap of the
    other side; the rest are."""
    return reasons.astype("str").str.contains(_BEYOND_OTHER_SIDE).to_numpy(bool)


def explain(alerts: pd.DataFrame) -> pd.Series:
    """The likely reason of each one-sided alert ('' for matched ones), against the time window
    of every alert of the other side."""
    side = alerts["side"]
    legacy_window = _window(alerts.loc[side != "graph_only", "legacy_time"])
    reason = pd.Series("", index=alerts.index, dtype="str")
    legacy, graph = side == "legacy_only", side == "graph_only"
    reason[legacy] = _legacy_reason(
        alerts.loc[legacy, "legacy_time"],
        alerts.loc[legacy, "legacy_alert_id"],
        alerts.loc[side != "legacy_only", "graph_time"],
    )
    reason[graph] = _graph_reason(
        alerts.loc[graph, "graph_time"], alerts.loc[graph, "service_source"], legacy_window
    )
    return reason


def join(
    detections: pd.DataFrame, graph_alerts: pd.DataFrame, alert_time: SlashedOrder | None = None
) -> JoinResult:
    """Match legacy alerts to Graph alerts and classify the rest with a likely reason.
    ``alert_time``: what the whole AlertTime column's slashed dates say (``times``)."""
    legacy, alert_rows = _legacy_alerts(detections, alert_time)
    pairs = _match(legacy["legacy_alert_id"], graph_alerts)
    graph = graph_alerts.rename(
        columns={
            "id": "graph_id",
            "detectionSource": "detection_source",
            "serviceSource": "service_source",
        }
    ).assign(graph_time=lambda f: parse_times(f["createdDateTime"]))
    both = (
        pairs.merge(
            legacy[["legacy_alert_id", "legacy_time", "detections"]].reset_index(names=_ROW),
            on="legacy_alert_id",
        )
        .merge(graph, on="graph_id")
        .assign(side="both", key=lambda f: _norm(f["graph_id"]))
    )
    legacy_only = legacy[~_among(legacy["legacy_alert_id"], pairs["legacy_alert_id"])].assign(
        side="legacy_only", key=lambda f: _norm(f["legacy_alert_id"])
    )
    graph_only = graph[~_among(graph["graph_id"], pairs["graph_id"])].assign(
        side="graph_only", key=lambda f: _norm(f["graph_id"])
    )
    columns = [
        "key", "side", "reason", "legacy_alert_id", "graph_id", "title", "severity", "category",
        "detection_source", "service_source", "status", "host", "legacy_time", "graph_time",
        "detections",
    ]  # fmt: skip
    alerts = pd.concat([both, legacy_only, graph_only], ignore_index=True).reindex(columns=columns)
    alerts["reason"] = explain(alerts)
    alerts["detections"] = alerts["detections"].fillna(0).astype("int64")
    keys = _detection_keys(alert_rows, both[_ROW], both["key"], legacy_only["key"])
    how = pairs["how"].value_counts()
    summary = JoinSummary(
        legacy_rows=len(detections),
        legacy_alerts=len(legacy),
        graph_alerts=len(graph_alerts),
        matched_alerts=len(both),
        legacy_only_alerts=len(legacy_only),
        graph_only_alerts=len(graph_only),
        matched_by_id=int(how.get(_BY_ID, 0)),
        matched_by_provider_id=int(how.get(_BY_PROVIDER, 0)),
        matched_by_prefix=int(how.get(_BY_PREFIXED_PROVIDER, 0) + how.get(_BY_PREFIXED_LEGACY, 0)),
    )
    return JoinResult(alerts, keys, summary)


def _detection_keys(
    alert_rows: np.ndarray, matched_rows: pd.Series, matched: pd.Series, legacy_only: pd.Series
) -> pd.Series:
    """Each detection's key from its alert's row (``alert_rows``): ``matched`` at the legacy
    rows ``matched_rows``, ``legacy_only`` at its own index. Taken by position, never hashed
    nor made Python strings; categorical where keys repeat (``compact.text_column``)."""
    rows = np.concatenate([matched_rows.to_numpy(), legacy_only.index.to_numpy()])
    texts = arrow_text(pd.concat([matched, legacy_only]).astype("str")).combine_chunks()
    by_row = texts.take(np.argsort(rows, kind="stable"))
    return text_column(pa.chunked_array([by_row.take(pa.array(alert_rows, mask=alert_rows < 0))]))
