"""The benchmark's data has the benchmark issue's shape: 1-5 detections per alert (~4 on
average) and Graph alerts of a few kB with 4-8 evidence items of mixed types."""

from __future__ import annotations

import csv
from collections import Counter
from statistics import fmean

import orjson
import pytest

from bench.data import Dataset, dataset


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    return dataset(4000, root=tmp_path_factory.mktemp("bench-data"))


def test_detections_per_alert(data: Dataset) -> None:
    with open(data.legacy, encoding="utf-8", newline="") as f:
        per_alert = Counter(row["AlertId"] for row in csv.DictReader(f))
    assert set(per_alert.values()) == {1, 2, 3, 4, 5}
    assert 3.6 <= fmean(per_alert.values()) <= 4.4
    assert 3600 <= sum(per_alert.values()) <= 4400


def test_graph_alert_size_and_evidence(data: Dataset) -> None:
    lines = data.graph.read_bytes().splitlines()
    evidence = [orjson.loads(line)["evidence"] for line in lines]
    counts = [len(items) for items in evidence]
    assert sum(4 <= n <= 8 for n in counts) >= 0.95 * len(counts)
    assert 4_000 <= fmean(len(line) for line in lines) <= 8_000
    assert len({item["@odata.type"] for items in evidence for item in items}) >= 6
    mixed = sum(len({item["@odata.type"] for item in items}) >= 3 for items in evidence)
    assert mixed >= 0.9 * len(evidence)
