"""One table written as JSON, CSV or Excel, row by row into a binary file: the archive's exports
(cases.archive.export, tens of thousands of rows) and the adoption records
(cases.adoption.export) share it. Every text cell goes through core.spreadsheet, so a value such
as ``=HYPERLINK(…)`` stays text in CSV and Excel."""

import csv
import io
import json
from string import ascii_uppercase

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font

from core.spreadsheet import safe_row, save_workbook, xlsx_row


def write_json(handle, rows) -> int:
    """The same text as ``json.dumps(list_of_rows, indent=2)``, one row at a time."""
    count = 0
    for row in rows:
        item = json.dumps(row, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        handle.write((("[\n  " if count == 0 else ",\n  ") + item).encode("utf-8"))
        count += 1
    handle.write(b"\n]" if count else b"[]")
    return count


def write_csv(handle, headers, rows) -> int:
    """``rows``: lists of cell values in the order of ``headers``."""
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="", write_through=True)
    text.write("\ufeff")  # so that Excel opens the Chinese text as UTF-8
    writer = csv.writer(text)
    writer.writerow(headers)
    count = 0
    for values in rows:
        writer.writerow(safe_row(values))
        count += 1
    text.flush()
    text.detach()  # leave ``handle`` open for the caller
    return count


def write_xlsx(handle, *, sheet_title, headers, widths, rows, wrap_last=False) -> int:
    """One sheet: bold headers, frozen first row, column widths; ``wrap_last`` wraps the last
    column's text (a case's body)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    for column, width in zip(ascii_uppercase, widths, strict=False):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    header = []
    for label in headers:
        cell = WriteOnlyCell(sheet, label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for values in rows:
        cells = xlsx_row(sheet, values)
        if wrap_last:
            last = cells[-1]
            if not isinstance(last, Cell):
                last = WriteOnlyCell(sheet, last)
            last.alignment = wrap
            cells[-1] = last
        sheet.append(cells)
        count += 1
    save_workbook(workbook, handle)
    return count
