"""The CLI contract: report.json's shape, the other formats, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import orjson
import pytest

from tests.helpers import GRAPH_EXAMPLE, RAPID7, graph_example, legacy_for_example

FIELD_KEYS = {
    "siem_field", "status", "graph_paths", "legacy_populated", "graph_populated", "match",
    "mismatch", "missing_in_graph", "new_in_graph", "both_empty", "legacy_rows_populated",
}  # fmt: skip
JOIN_KEYS = {
    "legacy_rows", "legacy_alerts", "graph_alerts", "matched_alerts", "legacy_only_alerts",
    "graph_only_alerts",
}  # fmt: skip


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "siem2graph", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("in")
    legacy = folder / "legacy.json"
    legacy.write_bytes(orjson.dumps([legacy_for_example(), legacy_for_example(FileName="x.exe")]))
    graph = folder / "graph.json"
    graph.write_bytes(orjson.dumps({"value": [graph_example()]}))
    return legacy, graph


def test_audit_writes_the_json_contract(inputs, tmp_path):
    legacy, graph = inputs
    result = _cli("audit", "--legacy", str(legacy), "--graph", str(graph), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert set(report["join"]) >= JOIN_KEYS
    assert report["join"]["legacy_rows"] == 2
    assert report["join"]["matched_alerts"] == 1
    assert len(report["fields"]) == 50
    assert all(set(field) >= FIELD_KEYS for field in report["fields"])
    by_name = {f["siem_field"]: f for f in report["fields"]}
    assert by_name["FileName"]["mismatch"] == 1
    assert by_name["Md5"]["legacy_rows_populated"] == 2
    assert {"problems", "unmapped_legacy_columns", "unmapped_graph_paths"} <= set(report)
    assert report["unmapped_legacy_columns"][0]["column"] == "CustomerTag"


def test_audit_writes_csv_and_markdown(inputs, tmp_path):
    legacy, graph = inputs
    result = _cli(
        "audit", "--legacy", str(legacy), "--graph", str(graph), "--out", str(tmp_path),
        "--format", "csv,md",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "fields.csv").read_text(encoding="utf-8").startswith("siem_field,")
    assert "# SIEM API to Graph alerts_v2: migration audit" in (tmp_path / "report.md").read_text()
    assert not (tmp_path / "report.json").exists()


def test_real_payloads_through_the_cli(tmp_path):
    result = _cli(
        "audit", "--legacy", *map(str, sorted(RAPID7.glob("*.json"))), "--graph",
        str(GRAPH_EXAMPLE), "--out", str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["join"]["legacy_rows"] == 2
    assert report["join"]["legacy_only_alerts"] == 2
    assert report["join"]["graph_only_alerts"] == 1


@pytest.mark.parametrize(
    ("legacy_bytes", "message"),
    [
        (b"", "legacy.csv: the file is empty"),
        (b"Foo,Bar\n1,2\n", "legacy.csv: no AlertId column. Columns found: 'Foo', 'Bar'"),
    ],
)
def test_bad_input_exits_2_with_one_line(inputs, tmp_path, legacy_bytes, message):
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes(legacy_bytes)
    result = _cli(
        "audit", "--legacy", str(legacy), "--graph", str(inputs[1]), "--out", str(tmp_path)
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_missing_file_exits_2(inputs, tmp_path):
    result = _cli(
        "audit", "--legacy", "nope.csv", "--graph", str(inputs[1]), "--out", str(tmp_path)
    )
    assert result.returncode == 2
    assert "nope.csv" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_format_is_a_usage_error(inputs, tmp_path):
    legacy, graph = inputs
    result = _cli(
        "audit", "--legacy", str(legacy), "--graph", str(graph), "--out", str(tmp_path),
        "--format", "json,docx",
    )  # fmt: skip
    assert result.returncode == 2
    assert "unknown format(s) docx" in result.stderr


def test_a_user_alias_file_names_the_columns(inputs, tmp_path):
    aliases = tmp_path / "our-soc.yaml"
    aliases.write_text(
        "name: our-soc\ncolumns:\n  Detection Id: AlertId\n  Host FQDN: ComputerDnsName\n",
        encoding="utf-8",
    )
    legacy = tmp_path / "legacy.csv"
    legacy.write_text(
        "Detection Id,Host FQDN\nda637578995287051192_756343937,tempdns\n", encoding="utf-8"
    )
    args = ["audit", "--legacy", str(legacy), "--graph", str(inputs[1]), "--out", str(tmp_path)]
    assert _cli(*args).returncode == 2  # without the alias file there is no AlertId column
    result = _cli(*args, "--aliases", str(aliases))
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["join"]["matched_alerts"] == 1
    host = {f["siem_field"]: f for f in report["fields"]}["ComputerDnsName"]
    assert host["match"] == 1


def test_a_symlinked_secret_file_is_named_and_its_line_not_echoed(inputs, tmp_path):
    hashed = "$y$j9T$" + "Q" * 80
    target = tmp_path / "shadow"
    target.write_text(f"root:{hashed}:19000:0:99999:7:::\n", encoding="utf-8")
    link = tmp_path / "export.csv"
    link.symlink_to(target)
    result = _cli("audit", "--legacy", str(link), "--graph", str(inputs[1]), "--out", str(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{link} is a symbolic link: reading {target}" in result.stderr
    assert "no AlertId column" in result.stderr
    assert "Q" * 40 not in result.stderr


def test_a_folder_is_read_as_the_files_in_it(tmp_path):
    """As Spark reads a lake's folder: every file in it by name, but the hidden ones."""
    folder = tmp_path / "exports"
    folder.mkdir()
    parts = sorted(RAPID7.glob("*.json"))
    for part in parts:
        (folder / part.name).write_bytes(part.read_bytes())
    (folder / "_SUCCESS").write_bytes(b"")
    (folder / f".{parts[0].name}.crc").write_bytes(b"\x00crc")
    (folder / "nested").mkdir()
    common = ["--graph", str(GRAPH_EXAMPLE), "--store", str(tmp_path / "store")]
    by_name = _cli("audit", "--legacy", *map(str, parts), *common, "--out", str(tmp_path / "a"))
    by_folder = _cli("audit", "--legacy", str(folder), *common, "--out", str(tmp_path / "b"))
    assert by_name.returncode == by_folder.returncode == 0, by_folder.stderr
    saved = next(x for x in by_folder.stdout.splitlines() if x.startswith("saved as audit "))
    shown = _cli("history", "show", saved.split()[3], "--store", str(tmp_path / "store"), "--json")
    sizes = [i["bytes"] for i in json.loads(shown.stdout)["inputs"]]
    assert sizes == [p.stat().st_size for p in (*parts, GRAPH_EXAMPLE)]  # the folder's files too
    reports = [json.loads((tmp_path / d / "report.json").read_text()) for d in ("a", "b")]
    assert [f["name"] for f in reports[1]["inputs"]] == [p.name for p in parts] + [
        GRAPH_EXAMPLE.name
    ]
    for key in ("inputs", "join", "fields", "problems", "value_pairs"):
        assert reports[0][key] == reports[1][key]
    (tmp_path / "empty").mkdir()
    empty = _cli("audit", "--legacy", str(tmp_path / "empty"), *common, "--out", str(tmp_path))
    assert empty.returncode == 2
    assert f"{tmp_path / 'empty'} holds no file to read" in empty.stderr
