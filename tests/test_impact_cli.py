"""``impact`` sub-command: writes impact.json, exit 2 with a one-line error on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from siem2graph.cli import build_parser, main
from siem2graph.cli.impact import run as run_impact

CORPUS = Path(__file__).parent / "content_corpus"


def test_writes_impact_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "impact", "--content", str(CORPUS / "splunk"), str(CORPUS / "sigma" / "mde_ioc_match.yml"),
        "--report", str(CORPUS / "audit.json"),
        "--out", str(tmp_path / "out"),
    ]  # fmt: skip
    assert build_parser().parse_args(argv).handler is run_impact
    assert main(argv) == 0
    document = json.loads((tmp_path / "out" / "impact.json").read_text(encoding="utf-8"))
    rules = {rule["name"]: rule for rule in document["rules"]}
    assert len(rules) == 14
    high = rules["MDE - High severity malware"]
    assert (high["file"], high["verdict"], high["bridge"]) == (
        "savedsearches.conf",
        "loses_inputs",
        "needs_rewrite",
    )
    assert high["references"][0] == {
        "field": "Severity",
        "as_written": "Severity",
        "line": 8,
        "usage": "filter",
        "verdict": "value_changed",
        "replacement": "high",
        "graph_path": "severity",
        "literal": "High",
        "value_check": "replaced",
        "bridge": "restored",
        "note": "observed in the audit",
    }
    assert rules["MDE SIEM Custom IoC Match"]["file"].endswith("sigma/mde_ioc_match.yml")
    assert document["values_checked"] is True
    assert capsys.readouterr().out.startswith(
        "14 rules: 1 not affected, 1 works, 5 needs renames, 2 changes, 1 loses inputs, 4 broken; "
        "of 13 reading SIEM API data: 8 work on the bridge, 5 need the rewrite; 0 problems"
    )


def test_siem_source_names_more_sources(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spl = tmp_path / "main.spl"
    spl.write_text('index=main Severity="High" | table AlertTitle', encoding="utf-8")
    for extra, verdict in (([], "not_affected"), (["--siem-source", "MAIN"], "needs_renames")):
        assert main(["impact", "--content", str(spl), "--out", str(tmp_path), *extra]) == 0
        document = json.loads((tmp_path / "impact.json").read_text(encoding="utf-8"))
        assert document["rules"][0]["verdict"] == verdict


def test_without_report_values_are_not_checked(tmp_path: Path) -> None:
    assert main(["impact", "--content", str(CORPUS / "qradar"), "--out", str(tmp_path)]) == 0
    document = json.loads((tmp_path / "impact.json").read_text(encoding="utf-8"))
    assert document["values_checked"] is False
    checks = {ref["value_check"] for rule in document["rules"] for ref in rule["references"]}
    assert "unseen" not in checks


@pytest.mark.parametrize(
    ("content", "report", "message"),
    [
        ("missing-dir", None, "cannot read"),
        (None, "missing-report.json", "cannot read"),
        (None, "bad-report.json", "not a JSON audit report"),
        ("undecodable.spl", None, "no content file could be read"),
    ],
)
def test_unreadable_input_exits_2_with_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    report: str | None,
    message: str,
) -> None:
    (tmp_path / "bad-report.json").write_text("{not json\n", encoding="utf-8")
    (tmp_path / "undecodable.spl").write_bytes(b"\xc3\x28\n")
    argv = ["--content", str(tmp_path / content) if content else str(CORPUS / "text")]
    if report:
        argv += ["--report", str(tmp_path / report)]
    assert main(["impact", *argv, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("siem2graph: error: ")
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "out" / "impact.json").exists()
