"""CSV and XLSX downloads: one implementation for every export of the portal.

A table is rows of plain values (the first row may be the header). Text that a spreadsheet
would read as a formula is neutralised; CSV carries a BOM so Excel reads Persian; XLSX sheets
run right to left in Persian; the file always comes as an attachment."""

import csv
import io
from dataclasses import dataclass, field

from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.translation import get_language_bidi

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Table:
    title: str
    rows: list = field(default_factory=list)  # the header, if any, is the first row
    header: bool = True


def safe_cell(value):
    """A value ready for a spreadsheet: lazy strings resolved, and text starting like a formula
    (= + - @, tab, carriage return) quoted so it is read as text (CSV/formula injection)."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _attachment(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def csv_response(tables, *, filename: str, preamble=None) -> HttpResponse:
    """One table as a plain CSV; several as titled sections separated by blank lines."""
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel reads UTF-8 (Persian) only with the BOM
    writer = csv.writer(buffer)
    if preamble:
        writer.writerow([safe_cell(value) for value in preamble])
    sectioned = len(tables) > 1 or preamble
    for table in tables:
        if sectioned:
            writer.writerow([])
            writer.writerow([safe_cell(table.title)])
        writer.writerows([safe_cell(value) for value in row] for row in table.rows)
    return _attachment(HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8"), f"{filename}.csv")


def xlsx_response(tables, *, filename: str) -> HttpResponse:
    """One sheet per table, header row in bold, right to left in Persian."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    rtl = get_language_bidi()
    for table in tables:
        sheet = workbook.create_sheet(title=str(table.title)[:31] or "sheet")
        sheet.sheet_view.rightToLeft = rtl
        for row in table.rows:
            sheet.append([safe_cell(value) for value in row])
        if table.header and sheet.max_row >= 1:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE), f"{filename}.xlsx")


def table_response(fmt: str, tables, *, filename: str, preamble=None) -> HttpResponse:
    if fmt == "xlsx":
        return xlsx_response(tables, filename=filename)
    return csv_response(tables, filename=filename, preamble=preamble)
