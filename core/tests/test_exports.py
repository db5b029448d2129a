import csv
import io

from django.utils import translation
from openpyxl import load_workbook

from core.exports import Table, csv_response, safe_cell, table_response


def test_safe_cell_quotes_formulas_and_keeps_values():
    assert [safe_cell(v) for v in ["=1+1", "+98", "-5", "@x", "\tx", "باقلوا", 12, None]] == [
        "'=1+1",
        "'+98",
        "'-5",
        "'@x",
        "'\tx",
        "باقلوا",
        12,
        None,
    ]


def test_csv_one_table_is_plain_with_bom_and_attachment():
    response = csv_response([Table("t", [["نام", "قیمت"], ["=HYPERLINK()", 125000]])], filename="prices-1405-07")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text[1:]))) == [["نام", "قیمت"], ["'=HYPERLINK()", "125000"]]
    assert response["Content-Disposition"] == 'attachment; filename="prices-1405-07.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_csv_several_tables_become_titled_sections():
    response = csv_response([Table("A", [["h"], [1]]), Table("B", [["h"], [2]])], filename="x", preamble=["رویداد"])
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8")[1:])))
    assert rows == [["رویداد"], [], ["A"], ["h"], ["1"], [], ["B"], ["h"], ["2"]]


def test_xlsx_sheets_are_right_to_left_in_persian_only():
    for language, rtl in (("fa", True), ("en", False)):
        with translation.override(language):
            response = table_response("xlsx", [Table("اعضا", [["نام"], ["-1"]])], filename="m")
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert (sheet.title, sheet.sheet_view.rightToLeft, sheet["A1"].font.b, sheet["A2"].value) == (
            "اعضا",
            rtl,
            True,
            "'-1",
        )
