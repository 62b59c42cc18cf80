"""What keeps many tiny rows within memory: nothing per row built as Python objects or text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pytest

from siem2graph import model
from siem2graph.audit import audit_sources
from siem2graph.legacy import compact
from siem2graph.legacy.reader import with_mapped_columns
from siem2graph.mapping import load_mapping
from siem2graph.report import json_report, write_reports
from siem2graph.report.audit_tables import risk_register
from tests.helpers import graph_example, json_source, legacy_for_example


def _keys_audit(ids: list[str]):
    alert = graph_example()
    alert["id"] = "daefa1828b-dd4e-405c-8a3b-aa28596830dd_1"
    alert["providerAlertId"] = "efa1828b-dd4e-405c-8a3b-aa28596830dd_1"
    legacy = [legacy_for_example(AlertId=i) for i in ids]
    return audit_sources(
        [json_source("legacy.json", legacy)],
        [json_source("graph.json", {"value": [alert]})],
        load_mapping(),
    )


def _alert_key_of_each_detection(report) -> list[str]:
    by_id = report.alerts.set_index("legacy_alert_id")["key"]
    return [by_id[i] for i in report.detections["AlertId"].astype(str)]


def test_each_detection_has_its_alerts_key_categorical_where_alerts_repeat() -> None:
    ids = ["EFA1828B-dd4e-405c-8a3b-aa28596830dd_1", " DA2", "da3"] * 2
    report = _keys_audit(ids)
    keys = report.detections["key"]
    assert list(keys.astype(str)) == _alert_key_of_each_detection(report)
    assert keys.iloc[0] == "daefa1828b-dd4e-405c-8a3b-aa28596830dd_1"  # the Graph id's key
    assert keys.iloc[1] == "da2"
    assert isinstance(keys.dtype, pd.CategoricalDtype)
    assert report.join.matched_alerts == 1


def test_keys_of_alerts_that_never_repeat_are_text_not_a_category_per_alert() -> None:
    report = _keys_audit(["EFA1828B-dd4e-405c-8a3b-aa28596830dd_1", "da2", "DA3", "da4"])
    keys = report.detections["key"]
    assert keys.dtype == "str"  # 2M categories: 0.15 GB more to check they are distinct
    assert list(keys) == _alert_key_of_each_detection(report)
    assert list(keys) == ["daefa1828b-dd4e-405c-8a3b-aa28596830dd_1", "da2", "da3", "da4"]


def test_fields_no_file_had_are_empty_categoricals_never_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compacted: list[str] = []
    real = compact.compact_text

    def spy(frame: pd.DataFrame) -> pd.DataFrame:
        compacted.extend(str(c) for c in frame.columns)
        return real(frame)

    monkeypatch.setattr(compact, "compact_text", spy)
    frame = pd.DataFrame({"AlertId": pd.array(["a", "b", "c"], dtype="str")})
    detections = with_mapped_columns([frame], load_mapping())
    assert compacted == ["AlertId"]  # as text, 2M rows' 40 absent fields took 0.75 GB at once
    title = detections["AlertTitle"]
    assert isinstance(title.dtype, pd.CategoricalDtype)
    assert title.cat.codes.dtype.itemsize == 1  # one byte a row, not a text column
    assert title.isna().all() and len(title.cat.categories) == 0
    assert detections.columns[0] == "AlertId"


def test_report_json_is_written_a_few_alerts_at_a_time_same_bytes_as_one_dump(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = _keys_audit(["da1", "da2", "da3", "da4", "da5", "da6"])
    monkeypatch.setattr(model, "CHUNK_ROWS", 2)
    sizes: list[int] = []

    def spy(frame: pd.DataFrame) -> list[dict[str, Any]]:
        sizes.append(len(frame))
        return model.records(frame)

    monkeypatch.setattr(json_report, "records", spy)
    (written,) = write_reports(report, ["json"], tmp_path)
    assert max(sizes) == 2 and sum(sizes) >= 6  # 6 legacy-only alerts, never all at once
    whole = report.to_dict() | {
        "risk_register": orjson.loads(risk_register(report).to_json(orient="records")),
        "redacted": False,
    }
    assert written.read_bytes() == orjson.dumps(whole, option=orjson.OPT_INDENT_2)
    assert written.read_bytes() == json_report.render(report)["report.json"]
    assert len(orjson.loads(written.read_bytes())["legacy_only_alerts"]) == 6
