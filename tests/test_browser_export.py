"""The gap report downloaded from the Export page in a real Chromium, read back: the charts carry
every field name (OCR), no chart is black, page 1 of the PDF gives the verdict."""

from __future__ import annotations

import re
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from siem2graph.mapping import load_mapping
from tests.browser import (
    AUDIT_MS,
    SCREENSHOTS,
    chromium_tab,
    open_page,
    screenshot,
    settle,
    streamlit_server,
)
from tests.chart_ocr import mean_brightness, unread_names

pytestmark = pytest.mark.browser
FIELDS = [row.siem_field for row in load_mapping().fields]
COVERAGE_PARTS = 3  # the coverage chart of 50 fields, cut so every name stays legible


@pytest.fixture(scope="module")
def downloads(tmp_path_factory) -> Iterator[dict[str, Path]]:
    folder = tmp_path_factory.mktemp("gap-report")
    with streamlit_server(folder / "server.log") as url, chromium_tab(url) as page:
        page.get_by_role("heading", name="What was read").wait_for(timeout=AUDIT_MS)
        settle(page)
        open_page(page, "Export")
        page.get_by_role("button", name="Prepare the gap report").click()
        buttons = page.get_by_role("button", name="Download ")
        buttons.first.wait_for(timeout=AUDIT_MS)
        settle(page)
        screenshot(page, "09-export")
        files = {}
        for index in range(buttons.count()):
            with page.expect_download() as download:
                buttons.nth(index).click()
            name = download.value.suggested_filename
            files[name.rsplit(".", 1)[1]] = folder / name
            download.value.save_as(files[name.rsplit(".", 1)[1]])
        yield files


def _pdf_images(pdf: Path) -> list[bytes]:
    out = pdf.parent / "images"
    out.mkdir(exist_ok=True)
    subprocess.run(["pdfimages", "-png", str(pdf), str(out / "chart")], check=True)
    return [p.read_bytes() for p in sorted(out.glob("chart-*.png"))]


def _unread_in_coverage(images: list[bytes]) -> set[str]:
    """The field names none of the coverage chart's parts (the first images) shows."""
    unread = set(FIELDS)
    for png in images[:COVERAGE_PARTS]:
        unread &= set(unread_names(png, FIELDS))
    return unread


def test_gap_report_files_are_named_after_the_audit(downloads):
    assert sorted(downloads) == ["html", "pdf", "xlsx"]
    for path in downloads.values():
        assert path.name.startswith("legacy-siem-export-20"), path.name


def test_pdf_charts_show_every_field_name_and_are_not_black(downloads):
    images = _pdf_images(downloads["pdf"])
    assert len(images) == COVERAGE_PARTS + 2
    assert _unread_in_coverage(images) == set()
    assert {"Md5", "InternalIPV4List", "IocValue"} <= set(FIELDS)
    assert min(mean_brightness(png) for png in images) > 150  # white paper, not black


def test_pdf_page_one_states_how_many_fields_lose_data(downloads):
    page_one = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(downloads["pdf"]), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert " of 50 SIEM fields lose data, touching " in page_one
    assert "Risk register" in page_one


def test_pdf_pages_are_pictured_and_none_is_near_empty(downloads):
    pdf = downloads["pdf"]
    out = SCREENSHOTS / "report-pdf"
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(out / "page")], check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(pdf))).group(1))
    assert len(list(out.glob("page-*.png"))) >= pages
    for number in range(1, pages + 1):
        text = _run("pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-")
        images = _run("pdfimages", "-list", "-f", str(number), "-l", str(number), str(pdf))
        assert len(text.split()) > 40 or images.count("\n") > 2, f"page {number} is near empty"


def _run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def test_html_is_small_with_every_chart_as_an_image(downloads):
    html = downloads["html"].read_bytes()
    assert len(html) < 1_500_000  # was 4.9 MB with plotly.js inline
    assert html.count(b'src="data:image/svg+xml;base64,') == COVERAGE_PARTS + 2
    assert b"<script" not in html


def test_xlsx_charts_show_every_field_name(downloads):
    with zipfile.ZipFile(downloads["xlsx"]) as workbook:
        media = [workbook.read(n) for n in workbook.namelist() if n.startswith("xl/media/")]
    assert len(media) == COVERAGE_PARTS + 2
    assert _unread_in_coverage(media) == set()
