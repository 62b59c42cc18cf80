"""The gap report with a content impact: tables, every format, safety, redaction and the CLI."""

from __future__ import annotations

import csv
import functools
import io
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import orjson
import pytest

from siem2graph.impact import Evidence, analyse_content, read_content_paths
from siem2graph.mapping import load_mapping
from siem2graph.report.safety import FORMULA_PREFIXES
from siem2graph.report.tables import report_tables
from tests.helpers import graph_example, legacy_for_example
from tests.report_inputs import example_report, render_all
from tests.system import pdf_text
from tests.test_report_formats import html_tags, md_rows_are_well_formed, pdf_renders
from tests.test_report_safety import ALLOWED_TAGS
from ui.samples import SAMPLE_CONTENT

SPLUNK = Path(__file__).parent / "content_corpus" / "splunk"
CONTENT_TABLES = ["content_impact_rules", "content_impact_references", "content_impact_problems"]
SCRIPT_TITLE = "<script>alert(1)</script> MDE hostile"
FORMULA_TITLE = '=HYPERLINK("http://evil.example/x","click")'
# Names the example audit's identifying fields hold, used inside a rule.
HOST_RULE = b'index=mde ComputerDnsName="tempDns" IPAddress="203.0.113.7" | table AlertTitle\n'


def _sigma(title: str) -> bytes:
    return (
        f"title: '{title}'\nlogsource:\n    product: windows\ndetection:\n"
        "    selection:\n        Severity: 'High'\n    condition: selection\n"
    ).encode()


def _impact(files: list[tuple[str, bytes]]):
    return analyse_content(files, load_mapping(), Evidence.from_report(example_report()))


@functools.cache
def splunk_impact():
    """The splunk corpus folder judged against the example audit."""
    return _impact(read_content_paths([SPLUNK]))


@functools.cache
def hostile_impact():
    """Hostile rule names, a host name and an IP in a query, and a file that cannot be read."""
    return _impact(
        [
            ("script.yml", _sigma(SCRIPT_TITLE)),
            ("formula.yml", _sigma(FORMULA_TITLE)),
            ("hosts.spl", HOST_RULE),
            ("binary.spl", b"\x00\x01"),
        ]
    )


@pytest.fixture(scope="module")
def files():
    formats = ["json", "csv", "md", "xlsx", "html", "pdf"]
    return render_all(example_report(), formats, images=False, content=splunk_impact())


@pytest.fixture(scope="module")
def hostile_files():
    formats = ["json", "csv", "md", "xlsx", "html"]
    return render_all(example_report(), formats, images=False, content=hostile_impact())


def _sheet_rows(data: bytes, sheet: str) -> list[dict[str, object]]:
    """The sheet's rows keyed by column names (its headers are those names in words)."""
    rows = list(openpyxl.load_workbook(io.BytesIO(data))[sheet].iter_rows(values_only=True))
    names = [str(h).lower().replace(" ", "_") for h in rows[0]]
    return [dict(zip(names, row, strict=True)) for row in rows[1:]]


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode())))


def test_without_content_there_are_no_content_tables():
    names = [t.name for t in report_tables(example_report())]
    assert not set(CONTENT_TABLES) & set(names)
    assert "content_impact" not in json.loads(render_all(example_report(), ["json"])["report.json"])


def test_content_tables_follow_the_findings_and_the_summary_counts_rules():
    tables = report_tables(example_report(), splunk_impact())
    names = [t.name for t in tables]
    assert names.index("problems") + 1 == names.index(CONTENT_TABLES[0])
    assert names[names.index(CONTENT_TABLES[0]) :][:4] == [*CONTENT_TABLES, "inputs"]
    summary = tables[0].frame.set_index("item")["value"]
    assert summary["rules"] == (
        "13 rules: 1 not affected, 1 works, 3 needs renames, 2 changes, 0 loses inputs, 6 broken"
    )
    assert summary["on the bridge feed"] == (
        "of 12 reading SIEM API data: 6 work on the bridge, 6 need the rewrite"
    )
    assert summary["content files not read"] == 0
    assert summary["compared values checked"] == "against this audit's observed values"


def test_xlsx_has_the_content_sheets_with_their_rows(files):
    rules = _sheet_rows(files["report.xlsx"], "content_impact_rules")
    assert len(rules) == 13
    assert [r["verdict"] for r in rules][:6] == ["broken"] * 6  # worst first
    assert rules[-1]["verdict"] == "not_affected"
    by_name = {r["rule"]: r for r in rules}
    sweep = by_name["mde_internal_ip_sweep.spl"]
    assert (sweep["format"], sweep["references"], sweep["renamed"], sweep["unsupported"]) == (
        "spl", 4, 2, 2,
    )  # fmt: skip
    daily = by_name["MDE - Daily alert count"]
    assert (daily["verdict"], daily["bridge"], daily["references"]) == (
        "works",
        "works_on_bridge",
        0,
    )
    assert "detections" in daily["count_note"]
    enrichment = by_name["mde_alert_enrichment.spl"]
    assert (enrichment["verdict"], enrichment["rewrite"]) == ("changes", "manual")
    references = _sheet_rows(files["report.xlsx"], "content_impact_references")
    assert len(references) == sum(r["references"] for r in rules) == 54
    noise = [r for r in references if r["rule"] == "mde_informational_noise.spl"]
    assert [
        (r["line"], r["field"], r["usage"], r["verdict"], r["replacement"], r["bridge"])
        for r in noise
    ] == [
        (1, "Severity", "filter", "value_changed", "informational", "restored"),
        (2, "AlertTitle", "grouping", "renamed", "title", "restored"),
    ]
    assert _sheet_rows(files["report.xlsx"], "content_impact_problems") == []
    summary = [(r["section"], r["item"]) for r in _sheet_rows(files["report.xlsx"], "summary")]
    assert summary.index(("Content impact", "rules")) < summary.index(("Notes", "format"))


def test_every_document_has_the_content_sections(files):
    html = files["report.html"].decode()
    assert '<section id="content_impact_rules"><h2>Content impact</h2>' in html
    assert '<section id="content_impact_references"><h2>Content references</h2>' in html
    markdown = files["report.md"].decode()
    assert "## Content impact" in markdown and "## Content references" in markdown
    assert "| MDE - Daily alert count | savedsearches.conf | splunk\\_conf | works |" in markdown
    assert md_rows_are_well_formed(markdown)


def test_pdf_renders_with_the_content_tables(files, tmp_path):
    assert pdf_renders(files["report.pdf"], tmp_path)


def test_pdf_cells_break_between_words(files):
    """A header or value with spaces wraps at a space, never inside a word."""
    text = pdf_text(files["report.pdf"])
    lines = {line.strip() for line in text.splitlines()}
    assert {"Semantics", "changed"} <= lines or "Semantics changed" in lines
    assert "Semantics change" not in lines  # the column is narrower than its two-word header


def test_pdf_keeps_file_names_and_verdicts_whole_in_their_columns():
    """A word without spaces (a rule's file name, a verdict) gets a column wide enough for it:
    the sample's rules once showed "splunk_savedsearch" / "es.conf" on two lines."""
    content = _impact(read_content_paths([SAMPLE_CONTENT]))
    pdf = render_all(example_report(), ["pdf"], images=False, content=content)["report.pdf"]
    words = set(pdf_text(pdf, "-layout").split())
    rules = content.to_frames()["rules"]
    whole = {*rules["file"], *rules["verdict"], *rules["bridge"]}
    assert "splunk_savedsearches.conf" in whole
    assert whole <= words, whole - words


def test_csv_has_one_file_per_content_table(files):
    rules = _csv_rows(files["content_impact_rules.csv"])
    assert len(rules) == 13 and rules[-1]["rule"] == "main_host_volume.spl"
    assert len(_csv_rows(files["content_impact_references.csv"])) == 54
    assert files["content_impact_problems.csv"].decode().strip() == "file,problem"


def test_report_json_has_the_content_impact(files):
    document = json.loads(files["report.json"])
    assert document["content_impact"] == splunk_impact().to_dict()


def test_html_escapes_a_hostile_rule_name(hostile_files):
    html = hostile_files["report.html"].decode()
    tags = html_tags(hostile_files["report.html"])
    assert {t for t, _ in tags} <= ALLOWED_TAGS
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; MDE hostile" in html
    markdown = hostile_files["report.md"].decode()
    assert "<script" not in markdown and md_rows_are_well_formed(markdown)


def test_csv_and_xlsx_neutralise_a_rule_name_starting_with_equals(hostile_files):
    rules = [r["rule"] for r in _csv_rows(hostile_files["content_impact_rules.csv"])]
    assert "'" + FORMULA_TITLE in rules
    for name, data in hostile_files.items():
        if name.endswith(".csv"):
            cells = [c for row in csv.reader(io.StringIO(data.decode())) for c in row]
            assert not [c for c in cells if c.startswith(FORMULA_PREFIXES)], name
    book = openpyxl.load_workbook(io.BytesIO(hostile_files["report.xlsx"]))
    cells = [c for row in book["content_impact_rules"].iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert "'" + FORMULA_TITLE in [c.value for c in cells]


def test_unreadable_content_files_are_listed_and_json_keeps_raw_names(hostile_files):
    problems = _csv_rows(hostile_files["content_impact_problems.csv"])
    assert [p["file"] for p in problems] == ["binary.spl"]
    rules = json.loads(hostile_files["report.json"])["content_impact"]["rules"]
    assert {r["name"] for r in rules} >= {SCRIPT_TITLE, FORMULA_TITLE}


def test_redaction_reaches_the_content_queries_and_literals():
    files = render_all(
        example_report(),
        ["json", "csv", "md", "html"],
        redact=True,
        images=False,
        content=hostile_impact(),
    )
    for name, data in files.items():
        text = data.decode().lower()
        assert "tempdns" not in text and "203.0.113.7" not in text, name
    rule = next(
        r for r in json.loads(files["report.json"])["content_impact"]["rules"]
        if r["file"] == "hosts.spl"
    )  # fmt: skip
    assert 'ComputerDnsName="host-1"' in rule["query"]
    assert "pseudonyms" in files["summary.csv"].decode().split("Content impact,redaction,")[1]
    assert hostile_impact().rules[2].query == HOST_RULE.decode()  # the original is untouched


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "siem2graph", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def audit_args(tmp_path_factory):
    folder = tmp_path_factory.mktemp("in")
    legacy, graph = folder / "legacy.json", folder / "graph.json"
    legacy.write_bytes(orjson.dumps([legacy_for_example(), legacy_for_example(FileName="x.exe")]))
    graph.write_bytes(orjson.dumps({"value": [graph_example()]}))
    return ["audit", "--legacy", str(legacy), "--graph", str(graph), "--no-images"]


def test_cli_content_goes_into_every_requested_format(audit_args, tmp_path):
    result = _cli(
        *audit_args, "--out", str(tmp_path), "--format", "json,csv,xlsx,md",
        "--content", str(SPLUNK),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "content impact: 13 rules: " in result.stdout
    assert "of 12 reading SIEM API data: " in result.stdout
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert len(report["content_impact"]["rules"]) == 13
    assert report["content_impact"]["values_checked"] is True
    assert (tmp_path / "content_impact_rules.csv").is_file()
    assert (tmp_path / "content_impact_references.csv").is_file()
    assert len(_sheet_rows((tmp_path / "report.xlsx").read_bytes(), "content_impact_rules")) == 13
    assert "## Content impact" in (tmp_path / "report.md").read_text(encoding="utf-8")


def test_cli_unreadable_content_path_exits_2_before_writing(audit_args, tmp_path):
    out = tmp_path / "out"
    result = _cli(*audit_args, "--out", str(out), "--content", str(tmp_path / "missing.conf"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "missing.conf" in result.stderr
    assert not out.exists()


def test_evidence_from_the_report_in_process_equals_the_one_from_its_json():
    from siem2graph.impact import evidence_from_audit

    report = example_report()
    in_process = Evidence.from_report(report)
    assert in_process.audited and in_process.values
    assert in_process == evidence_from_audit(report.to_dict(), report.mapping)
