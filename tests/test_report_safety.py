"""Attacker-controlled values through every format: escaped, neutralised, well-formed."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from siem2graph.report.safety import FORMULA_PREFIXES, display_text, is_formula, neutralise
from tests.report_inputs import HOSTILE, HOSTILE_COLUMN, hostile_report, render_all
from tests.test_report_formats import html_tags, md_rows_are_well_formed, pdf_renders

ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "script", "body", "h1", "h2", "h3", "p",
    "strong", "nav", "a", "section", "table", "thead", "tbody", "tr", "th", "td", "div",
}  # fmt: skip


@pytest.fixture(scope="module")
def files():
    return render_all(hostile_report(), ["json", "csv", "md", "xlsx", "html", "pdf"], images=False)


def test_html_has_no_injected_elements_or_attributes(files):
    tags = html_tags(files["report.html"])
    assert {t for t, _ in tags} <= ALLOWED_TAGS
    assert not [a for _, a in tags if any(k.startswith("on") for k in a)]
    assert not [a for t, a in tags if t == "script" and "src" in a]
    html = files["report.html"].decode()
    assert "<script>alert(1)" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\u202e" not in html and "report\\u202eexe.txt" in html


def test_xlsx_has_no_formulas_and_neutralised_text(files):
    book = openpyxl.load_workbook(io.BytesIO(files["report.xlsx"]))
    cells = [c for ws in book for row in ws.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith(FORMULA_PREFIXES)]
    assert "'" + HOSTILE[2] in texts and "'-2+3" in texts and "'" + HOSTILE_COLUMN in texts
    assert max(map(len, texts)) <= 32_000


def test_csv_cells_are_neutralised(files):
    cells = {}
    for name, data in files.items():
        if name.endswith(".csv"):
            cells[name] = [c for row in csv.reader(io.StringIO(data.decode())) for c in row]
            assert not [c for c in cells[name] if c.startswith(FORMULA_PREFIXES)], name
    assert "'" + HOSTILE[2] in cells["mismatch_pairs.csv"]
    assert "'" + HOSTILE_COLUMN in cells["unmapped_legacy_columns.csv"]


def test_json_keeps_raw_values(files):
    report = json.loads(files["report.json"])
    legacy_values = {p["legacy_value"] for p in report["value_pairs"]}
    assert set(HOSTILE) <= legacy_values


def test_markdown_stays_well_formed(files):
    text = files["report.md"].decode()
    assert md_rows_are_well_formed(text)
    assert "<script" not in text and "<img" not in text and "\u202e" not in text
    assert max(len(line) for line in text.splitlines()) < 20_000  # 100 kB values are cut


def test_pdf_renders_hostile_values(files, tmp_path):
    assert pdf_renders(files["report.pdf"], tmp_path)


@pytest.mark.parametrize("value", HOSTILE)
def test_one_function_per_concern(value):
    assert not str(neutralise(value)).startswith(FORMULA_PREFIXES)
    shown = display_text(value, 50)
    assert len(shown) <= 50 and "\u202e" not in shown and "\r" not in shown


@pytest.mark.parametrize(
    "value",
    [" =1+2", "  @SUM(A1)", "\u3000=cmd|' /C calc'!A0", "\uff1d1+1", "\uff0bcmd", "\uff0d2",
     "\uff20SUM(A1)", "\t=1", "\n=1", "\r\n+1", "\xa0-1"],
)  # fmt: skip
def test_formulas_behind_white_space_or_in_fullwidth_are_neutralised(value):
    assert is_formula(value) and neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["a=b", "user@host", "1-2", " plain", "", "'=x"])
def test_plain_text_is_left_alone(value):
    assert neutralise(value) == value
