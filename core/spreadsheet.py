"""Cells that stay data in every CSV and xlsx the product writes.

Spreadsheet programs run a text cell that begins with ``=``, ``+``, ``-`` or ``@`` (and,
in some, a tab or carriage return) as a formula, and openpyxl stores such strings as
formulas. A text cell that begins with one of them is written with a leading apostrophe
(OWASP's advice for CSV injection), so it shows as the text the user typed. Numbers, dates
and booleans pass unchanged and stay numbers.
"""

from datetime import date, datetime, time
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def safe_cell(value):
    """The value as it may go into a cell: text made inert, everything else unchanged."""
    if value is None or isinstance(value, bool | int | float | Decimal | date | datetime | time):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def safe_row(values) -> list:
    return [safe_cell(v) for v in values]
