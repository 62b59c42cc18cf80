"""Every format read back: XLSX (openpyxl), HTML (html.parser), Markdown, CSV, JSON, PDF."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from html.parser import HTMLParser

import openpyxl
import pytest

from siem2graph.report import EXPORTERS, write_reports
from siem2graph.report.images import find_browser, report_figures
from siem2graph.report.pdf_report import chart_size, new_pdf
from siem2graph.report.safety import NEUTRALISED_NOTE
from tests.report_inputs import example_report, render_all
from tests.system import pdf_text, require_tool

FORMATS = ["json", "csv", "md", "xlsx", "html", "pdf"]
CONTRACT = {
    "join": {"legacy_rows", "legacy_alerts", "graph_alerts", "matched_alerts",
             "legacy_only_alerts", "graph_only_alerts"},
    "fields": {"siem_field", "status", "graph_paths", "legacy_populated", "graph_populated",
               "match", "mismatch", "missing_in_graph", "new_in_graph", "both_empty",
               "legacy_rows_populated", "readiness", "microsoft_note"},
    "problems": {"side", "file", "line", "reason"},
    "unmapped_legacy_columns": {"column", "populated_rows", "populated_rate", "examples"},
    "unmapped_graph_paths": {"path", "populated_alerts", "populated_rate"},
}  # fmt: skip


class Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def html_tags(data: bytes) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(data.decode("utf-8"))
    return parser.tags


def md_rows_are_well_formed(text: str) -> bool:
    """Every pipe-table row has as many cells as its header."""
    width = None
    for line in text.splitlines():
        if not line.startswith("|"):
            width = None
            continue
        cells = len(re.split(r"(?<!\\)\|", line)) - 2
        width = width or cells
        if cells != width:
            return False
    return True


@pytest.fixture(scope="module")
def files():
    return render_all(example_report(), FORMATS, images=False)


def test_every_format_is_registered():
    assert list(EXPORTERS) == FORMATS


def test_json_keeps_the_contract(files):
    report = json.loads(files["report.json"])
    for key, members in CONTRACT.items():
        rows = report[key] if isinstance(report[key], list) else [report[key]]
        assert all(members <= set(row) for row in rows), key
    assert len(report["fields"]) == 50
    assert report["redacted"] is False
    assert {r["siem_field"] for r in report["risk_register"]} >= {"IocName", "FileName"}


def test_xlsx_sheets_headers_formats_and_values(files):
    book = openpyxl.load_workbook(io.BytesIO(files["report.xlsx"]))
    assert book.sheetnames[:3] == ["summary", "charts", "readiness"]
    assert {"risk_register", "fields", "mismatch_pairs", "mapping"} <= set(book.sheetnames)
    fields = book["fields"]
    header = [c.value for c in fields[1]]
    assert header[0] == "SIEM field" and "Retained rate" in header
    headers = [c.value for ws in book if ws.title != "charts" for c in ws[1]]
    assert not [h for h in headers if "_" in h]  # words, never snake_case
    assert fields.freeze_panes == "A2" and fields.auto_filter.ref
    rows = {r[0].value: r for r in fields.iter_rows(min_row=2)}
    rate = rows["FileName"][header.index("Mismatch rate")]
    assert rate.value == 1 and rate.number_format == "0.0%"
    assert fields.conditional_formatting
    assert "turned off" in book["charts"]["A1"].value
    summary = [row[2].value for row in book["summary"].iter_rows(min_row=2)]
    assert NEUTRALISED_NOTE in summary
    assert not [c for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_html_is_self_contained_and_structured(files):
    tags = html_tags(files["report.html"])
    assert not [a for _, a in tags if re.match(r"https?:", a.get("src") or a.get("href") or "")]
    assert not [t for t, _ in tags if t == "link"]
    assert all(a["href"].startswith("#") for t, a in tags if t == "a")
    html = files["report.html"].decode()
    assert "@media print" in html and "<script" not in html
    assert "<th>SIEM field</th>" in html
    assert " of 50 SIEM fields lose data" in html.split("<nav>")[0]  # the verdict first


def test_html_charts_are_small_svg_images():
    html = render_all(example_report(), ["html"])["report.html"]
    images = re.findall(rb'<img alt="[^"]+" src="data:image/svg\+xml;base64,', html)
    assert len(images) == 5  # the coverage chart in three parts, mismatches, alerts per day
    assert len(html) < 600_000  # no inline plotly.js (4.9 MB before)


def test_markdown_has_every_table_well_formed(files):
    text = files["report.md"].decode()
    assert text.startswith("# SIEM API to Graph alerts_v2: migration audit")
    for title in ("## Summary", "## Risk register", "## Field coverage", "## Mapping table"):
        assert title in text
    assert md_rows_are_well_formed(text)


def test_csv_per_table_with_the_note(files):
    assert {"summary.csv", "risk_register.csv", "fields.csv", "mapping.csv"} <= set(files)
    rows = list(csv.reader(io.StringIO(files["summary.csv"].decode())))
    assert rows[0] == ["section", "item", "value"] and rows[-1][2] == NEUTRALISED_NOTE


def pdf_renders(data: bytes, tmp_path) -> bool:
    require_tool("pdftoppm")
    (tmp_path / "r.pdf").write_bytes(data)
    done = subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(tmp_path / "r.pdf"),
         str(tmp_path / "page")], capture_output=True, timeout=60,
    )  # fmt: skip
    return done.returncode == 0 and any(tmp_path.glob("page*.png"))


def test_pdf_renders(files, tmp_path):
    assert files["report.pdf"].startswith(b"%PDF")
    assert pdf_renders(files["report.pdf"], tmp_path)


def test_pdf_page_one_gives_the_verdict_and_the_risk_register(files):
    page_one = pdf_text(files["report.pdf"], "-f", "1", "-l", "1")
    assert re.search(
        r"\d+ of 50 SIEM fields lose data, touching [\d,]+ of [\d,]+ matched", page_one
    )
    assert "Readiness per verdict" in page_one and "Risk register" in page_one
    assert "SIEM field" in page_one and "siem_field" not in page_one  # headers in words
    layout = pdf_text(files["report.pdf"], "-layout", "-f", "1", "-l", "1")
    register_header = next(line for line in layout.splitlines() if "Owner" in line)
    assert "Decision" in register_header  # one-word headers never wrap


def test_write_reports_writes_every_file(tmp_path):
    written = write_reports(example_report(), ["md", "json"], tmp_path, images=False)
    assert sorted(p.name for p in written) == ["report.json", "report.md"]


def test_charts_are_left_out_with_a_note_without_a_browser(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    files = render_all(example_report(), ["xlsx"])
    book = openpyxl.load_workbook(io.BytesIO(files["report.xlsx"]))
    assert "no Chromium found" in book["charts"]["A1"].value


def test_pdf_charts_use_the_page_width():
    pdf = new_pdf()
    for caption, figure in report_figures(example_report()):
        png = b"\x89PNG\r\n\x1a\n" + bytes(8) + (2 * 1100).to_bytes(4, "big")
        png += (2 * int(figure.layout.height)).to_bytes(4, "big")
        width, height = chart_size(pdf, png)
        assert width == pytest.approx(pdf.epw), caption
        assert height < pdf.eph - 20


def test_charts_are_images_in_xlsx_and_pdf(tmp_path):
    assert find_browser() is not None, "no Chromium to render charts: install chromium"
    files = render_all(example_report(), ["xlsx", "pdf"], images=True)
    book = openpyxl.load_workbook(io.BytesIO(files["report.xlsx"]))
    assert len(book["charts"]._images) == 5  # the coverage chart in three parts
    assert files["report.pdf"].count(b"/Subtype /Image") >= 5
    assert pdf_renders(files["report.pdf"], tmp_path)
