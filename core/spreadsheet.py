"""Cells that stay data in every CSV and xlsx the product writes.

Spreadsheet programs run a text cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in
some, a tab, a carriage return or a line feed, or any of these after leading spaces, or their
full-width forms) as a formula, and openpyxl stores a string that begins with ``=`` as a
formula. So a text cell that could start a formula is written:

- in CSV and TSV (``safe_cell``, ``safe_row``): with a leading apostrophe, OWASP's advice for
  CSV injection; a CSV cell has no type, the apostrophe is the only way to say "text";
- in xlsx (``xlsx_row``): as the text typed, stored as a string cell with Excel's quote
  prefix (what Excel itself does when a person types ``'=…``), so it shows as typed, stays
  text when edited, and never becomes a formula.

Numbers, dates and booleans pass unchanged and stay numbers; so does a text that is a plain
number (``-12.5``, ``+86…``): a number alone computes nothing.

``register_tablib_formats`` puts the same rule under tablib's csv, tsv and xlsx formats, which
django-import-export uses for every admin export (core.apps calls it at start-up).
"""

import re
import zipfile
from datetime import UTC, date, datetime, time
from decimal import Decimal

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.writer.excel import ExcelWriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
# Spaces a spreadsheet may skip before it looks for a formula.
LEADING_SPACE = " \u3000\xa0"
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?", re.ASCII)
NATIVE = (bool, int, float, Decimal, date, datetime, time)


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (or the start of one)."""
    if text.startswith(FORMULA_STARTS):
        return not PLAIN_NUMBER.fullmatch(text)
    stripped = text.lstrip(LEADING_SPACE)
    return stripped != text and stripped.startswith(FORMULA_STARTS)


def safe_cell(value):
    """The value as it may go into a CSV cell: text made inert, everything else unchanged."""
    if value is None or isinstance(value, NATIVE):
        return value
    text = str(value)
    return "'" + text if is_formula_like(text) else text


def safe_row(values) -> list:
    return [safe_cell(v) for v in values]


def xlsx_cell(sheet, value):
    """What to put in ``sheet`` (openpyxl, normal or write-only) for ``value``: numbers and
    dates unchanged, plain text as a string, formula-like text as a quote-prefixed string
    cell. Characters xlsx cannot hold (control characters) become U+FFFD rather than an
    error for the whole file."""
    if value is None or isinstance(value, NATIVE):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value))
    if not is_formula_like(text):
        return text
    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"  # openpyxl made it a formula ("f") from the leading "="
    cell.quotePrefix = True
    return cell


def xlsx_row(sheet, values) -> list:
    """A row for ``sheet.append``."""
    return [xlsx_cell(sheet, v) for v in values]


FAST_COMPRESSION = 1  # zlib's level: 1 is its fastest


def save_workbook(workbook, handle) -> None:
    """``workbook.save(handle)`` with zlib's fastest level: openpyxl's default level spent
    more than half of a 1,000-case export's time compressing (1.8 s against 0.7 s, for a file
    about 40 % larger), and an anonymous export must not hold a worker for seconds."""
    archive = zipfile.ZipFile(
        handle, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=FAST_COMPRESSION
    )
    # What openpyxl's save_workbook sets before writing.
    workbook.properties.modified = datetime.now(tz=UTC).replace(tzinfo=None)
    ExcelWriter(workbook, archive).save()


# --- tablib (django-import-export's admin exports) --------------------------------------------


def _neutralised(dataset):
    import tablib

    copy = tablib.Dataset(*(safe_row(row) for row in dataset), headers=dataset.headers)
    copy.title = dataset.title
    return copy


def register_tablib_formats() -> None:
    """Register csv, tsv and xlsx formats that write safe cells under tablib's own keys, so
    every ``Dataset.export`` (every admin export of django-import-export) uses them."""
    from openpyxl import Workbook
    from tablib.formats import registry
    from tablib.formats._csv import CSVFormat
    from tablib.formats._tsv import TSVFormat
    from tablib.formats._xlsx import XLSXFormat, safe_xlsx_sheet_title

    class SafeCSVFormat(CSVFormat):
        @classmethod
        def export_set(cls, dataset, **kwargs):
            return super().export_set(_neutralised(dataset), **kwargs)

    class SafeTSVFormat(TSVFormat):
        @classmethod
        def export_set(cls, dataset, **kwargs):
            return super().export_set(_neutralised(dataset), **kwargs)

    class SafeXLSXFormat(XLSXFormat):
        @classmethod
        def export_set(cls, dataset, **kwargs):
            import io

            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet(safe_xlsx_sheet_title(dataset.title or "Sheet"))
            if dataset.headers:
                sheet.append(xlsx_row(sheet, dataset.headers))
            for row in dataset:
                sheet.append(xlsx_row(sheet, row))
            buffer = io.BytesIO()
            save_workbook(workbook, buffer)
            return buffer.getvalue()

    registry.register("csv", SafeCSVFormat())
    registry.register("tsv", SafeTSVFormat())
    registry.register("xlsx", SafeXLSXFormat())
