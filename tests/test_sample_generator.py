"""Self-checks of the sample-data generator (tools/make_sample.py) and the bundled sample_data/."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tools.make_sample import SAMPLE_ALERTS, make_sample
from tools.sample.catalog import COMPARED_FIELDS, CSV_COLUMNS, DROPPED_FIELDS

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "sample_data"
FILES = ("legacy_siem_export.csv", "graph_alerts_v2.json", "expected.json", "README.md")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("small")
    make_sample(out, n_alerts=300)
    return out


def _expected(folder: Path) -> dict:
    return json.loads((folder / "expected.json").read_text(encoding="utf-8"))


def test_same_seed_same_bytes(small: Path, tmp_path: Path) -> None:
    make_sample(tmp_path, n_alerts=300)
    for name in FILES:
        assert (small / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_bundled_sample_is_up_to_date(tmp_path: Path) -> None:
    make_sample(tmp_path, n_alerts=SAMPLE_ALERTS)
    for name in FILES:
        assert (BUNDLED / name).read_bytes() == (tmp_path / name).read_bytes(), name


@pytest.mark.parametrize("folder", ["small", "bundled"])
def test_files_agree_with_expected(folder: str, small: Path) -> None:
    root = small if folder == "small" else BUNDLED
    expected = _expected(root)
    legacy = pd.read_csv(root / "legacy_siem_export.csv", dtype=str, keep_default_na=False)
    assert tuple(legacy.columns) == CSV_COLUMNS
    assert len(legacy) == expected["legacy_rows"]
    assert legacy["AlertId"].nunique() == expected["legacy_alerts"]
    assert (legacy["FullId"] == legacy["AlertId"] + ":" + legacy["IocUniqueId"]).all()
    assert legacy["IocUniqueId"].str.fullmatch(r"[A-Za-z0-9_-]{43}=").all()
    assert legacy["Description"].str.contains("\r\n", regex=False).any()
    graph = json.loads((root / "graph_alerts_v2.json").read_text(encoding="utf-8"))
    ids = [alert["id"] for alert in graph["value"]]
    assert len(ids) == expected["graph_records"]
    assert len(set(ids)) == expected["graph_alerts"]
    assert expected["matched_alerts"] + expected["legacy_only_count"] == expected["legacy_alerts"]
    assert expected["matched_alerts"] + expected["graph_only_count"] == expected["graph_alerts"]
    assert len(expected["legacy_only_alerts"]) == expected["legacy_only_count"]
    assert set(expected["graph_only_alerts"]) <= set(ids)
    assert {a["id"] for a in expected["legacy_only_alerts"]} <= set(legacy["AlertId"])
    for counts in expected["fields"].values():
        assert sum(counts.values()) == expected["matched_alerts"]


def test_ndjson_format(tmp_path: Path) -> None:
    expected = make_sample(tmp_path, n_alerts=100, graph_format="ndjson")
    lines = (tmp_path / "graph_alerts_v2.ndjson").read_text(encoding="utf-8").splitlines()
    assert len(lines) == expected["graph_records"]
    assert all(json.loads(line)["@odata.type"].endswith(".alert") for line in lines)


def test_field_lists_follow_the_mapping() -> None:
    rows = yaml.safe_load((ROOT / "mapping" / "fields.yaml").read_text(encoding="utf-8"))["fields"]
    dropped = [r["siem_field"] for r in rows if r["status"] in ("unsupported", "obsolete")]
    compared = [r["siem_field"] for r in rows if r["siem_field"] not in dropped]
    assert (tuple(compared), tuple(dropped)) == (COMPARED_FIELDS, DROPPED_FIELDS)
    assert list(_expected(BUNDLED)["fields"]) == compared


def test_readme_counts_equal_expected() -> None:
    expected = _expected(BUNDLED)
    readme = (BUNDLED / "README.md").read_text(encoding="utf-8")
    flat = {**expected["deliberate"], **expected["legacy_only_by_reason"]}
    flat.update({k: v for k, v in expected.items() if isinstance(v, int)})
    keyed = re.findall(r"^\| `(\w+)` \| (\d+) \|", readme, flags=re.MULTILINE)
    assert len(keyed) >= len(expected["deliberate"]) + 8
    for key, count in keyed:
        assert flat[key] == int(count), key
    per_field = {
        m[0]: [int(x) for x in m[1:]]
        for m in re.findall(
            r"^\| (\w+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", readme, re.M
        )
    }
    assert per_field == {f: list(c.values()) for f, c in expected["fields"].items()}
    dropped = re.findall(r"^\| (\w+) \| (\d+) \| (\d+) \| (\d+) \|$", readme, flags=re.MULTILINE)
    assert {d[0]: [int(x) for x in d[1:]] for d in dropped} == {
        f: list(c.values()) for f, c in expected["dropped_fields"].items()
    }
