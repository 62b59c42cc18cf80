"""report.xlsx: the summary sheet first, then one sheet per table and the charts as images."""

from __future__ import annotations

import io
from typing import cast

import pandas as pd
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from siem2graph import charts
from siem2graph.model import AuditReport
from siem2graph.report.cells import human_header
from siem2graph.report.images import ChartImages, png_size
from siem2graph.report.options import RenderOptions
from siem2graph.report.safety import NEUTRALISED_NOTE, is_missing, neutralise, truncate
from siem2graph.report.specs import GOOD
from siem2graph.report.tables import Table, add_notes, report_tables

# Excel holds at most 32,767 characters per cell.
CELL_LIMIT = 32_000
CELL_NOTE = f"Values longer than {CELL_LIMIT:,} characters are cut (Excel's cell limit)."
WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "in_memory": True,
}
_MAX_WIDTH, _WIDTH_SAMPLE = 60, 200
# The charts' colour-blind-safe palette: vermilion (bad), orange, blue (good).
_BAD, _MIDDLE, _GOOD = charts.LOSES, charts.CHANGES, charts.KEEPS


class _Formats:
    def __init__(self, book: Workbook) -> None:
        self.header = book.add_format({"bold": True, "bg_color": "#E0E0E0", "border": 1})
        self.rate = book.add_format({"num_format": "0.0%"})
        self.integer = book.add_format({"num_format": "#,##0"})
        self.number = book.add_format({"num_format": "0.000"})
        self.text = book.add_format({"text_wrap": False})
        self.note = book.add_format({"italic": True, "font_color": "#555555"})


def _cell_format(column: pd.Series, rate: bool, formats: _Formats):
    if rate:
        return formats.rate
    if pd.api.types.is_integer_dtype(column.dtype):
        return formats.integer
    if pd.api.types.is_float_dtype(column.dtype):
        return formats.number
    return formats.text


def _write_cell(sheet: Worksheet, row: int, col: int, value: object, fmt) -> None:
    if is_missing(value):
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float) or pd.api.types.is_number(value):
        sheet.write_number(row, col, float(cast(float, value)), fmt)
    else:
        sheet.write_string(row, col, str(neutralise(truncate(str(value), CELL_LIMIT))), fmt)


def _width(header: str, column: pd.Series) -> int:
    sample = column.head(_WIDTH_SAMPLE).tolist()
    longest = max([len(header), *(len(str(v)) for v in sample if not is_missing(v))])
    return min(max(longest + 2, 8), _MAX_WIDTH)


def _write_table(book: Workbook, table: Table, formats: _Formats) -> None:
    sheet = book.add_worksheet(table.name[:31])
    frame = table.frame
    for col, name in enumerate(frame.columns):
        header = str(neutralise(human_header(str(name))))
        sheet.write_string(0, col, header, formats.header)
        fmt = _cell_format(frame[name], name in table.rates, formats)
        sheet.set_column(col, col, _width(header, frame[name]), fmt)
        for row, value in enumerate(frame[name].tolist(), 1):
            _write_cell(sheet, row, col, value, fmt)
    sheet.freeze_panes(1, 0)
    last_row, last_col = max(len(frame), 1), max(len(frame.columns) - 1, 0)
    sheet.autofilter(0, 0, last_row, last_col)
    for name, kind in table.rates.items():
        if name in frame.columns and len(frame):
            col = cast(int, frame.columns.get_loc(name))  # column names are unique
            low, high = (_BAD, _GOOD) if kind == GOOD else (_GOOD, _BAD)
            sheet.conditional_format(1, col, len(frame), col, {
                "type": "3_color_scale", "min_type": "num", "min_value": 0, "mid_type": "num",
                "mid_value": 0.5, "max_type": "num", "max_value": 1, "min_color": low,
                "mid_color": _MIDDLE, "max_color": high,
            })  # fmt: skip


def _write_charts(book: Workbook, charts: ChartImages, formats: _Formats) -> None:
    sheet = book.add_worksheet("charts")
    if not charts.images:
        sheet.write_string(0, 0, charts.note, formats.note)
        return
    row = 0
    for caption, png in charts.images:
        sheet.write_string(row, 0, caption, formats.header)
        sheet.insert_image(
            row + 1,
            0,
            f"{caption}.png",
            {"image_data": io.BytesIO(png), "x_scale": 0.8, "y_scale": 0.8},
        )
        row += 3 + int(png_size(png)[1] * 0.8 / 20)  # rows are 20 pixels high


def render(report: AuditReport, options: RenderOptions | None = None) -> dict[str, bytes]:
    """{'report.xlsx': bytes}."""
    options = options or RenderOptions()
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    formats = _Formats(book)
    tables = add_notes(report_tables(report, options.content), NEUTRALISED_NOTE, CELL_NOTE)
    _write_table(book, tables[0], formats)
    _write_charts(book, options.charts(report), formats)
    for table in tables[1:]:
        _write_table(book, table, formats)
    book.close()
    return {"report.xlsx": buffer.getvalue()}
