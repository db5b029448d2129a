import datetime

import pytest
from django.utils import translation

from core import jalali
from core.money import rial_to_toman, toman_to_rial
from core.persian import (
    digits_to_persian,
    normalize_digits_only,
    normalize_number,
    normalize_text,
    search_key,
)
from core.templatetags.persian import fa_digits, jdate, jdatetime, num, rial, toman


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),
        ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
        ("علي كريمي", "علی کریمی"),
        ("مـــریم", "مریم"),
        ("\u200cنان برنجی\u200c ", "نان برنجی"),
        ("نان\u200cبرنجی", "نان\u200cبرنجی"),
        ("  شیرینی   سنتی  ", "شیرینی سنتی"),
        ("ى", "ی"),
    ],
)
def test_normalize_text(typed, expected):
    assert normalize_text(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("۱۲۵٬۰۰۰", "125000"),
        ("1,250,000", "1250000"),
        ("۳٫۵", "3.5"),
        ("۳/۵", "3.5"),
        (" ٤٥ ", "45"),
        ("12 500", "12500"),
    ],
)
def test_normalize_number(typed, expected):
    assert normalize_number(typed) == expected


def test_normalize_digits_only_drops_dashes_and_spaces():
    assert normalize_digits_only("۰۰۱-۲۳۴۵۶۷-۹") == "0012345679"


def test_search_key_ignores_letter_digit_and_zwnj_differences():
    assert search_key("نان\u200cبرنجي ۱") == search_key("نان برنجی 1") == "نان برنجی 1"
    assert search_key("آش") == search_key("اش")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1403/12/30", datetime.date(2025, 3, 20)),  # 1403 is a leap year
        ("۱۴۰۵/۰۷/۱۵", datetime.date(2026, 10, 7)),
        ("1405-7-15", datetime.date(2026, 10, 7)),
        ("2026-10-07", datetime.date(2026, 10, 7)),
        ("٢٠٢٦/١٠/٠٧", datetime.date(2026, 10, 7)),
    ],
)
def test_parse_date_accepts_jalali_and_gregorian(typed, expected):
    assert jalali.parse_date(typed) == expected


@pytest.mark.parametrize("typed", ["1404/12/30", "1405/13/01", "2026-02-30", "15/07/1405", "hello", "1800-01-01"])
def test_parse_date_rejects_impossible_dates(typed):
    with pytest.raises(jalali.DateParseError):
        jalali.parse_date(typed)


def test_jalali_date_field_cleans_and_errors_in_persian():
    from core.forms import JalaliDateField

    field = JalaliDateField()
    assert field.clean("۱۴۰۳/۱۲/۳۰") == datetime.date(2025, 3, 20)
    with translation.override("fa"), pytest.raises(Exception) as error:
        field.clean("1404/12/30")
    assert "این روز" in str(error.value)


def test_jalali_date_widget_shows_jalali_in_fa_and_iso_in_en():
    from core.forms import JalaliDateInput

    widget = JalaliDateInput()
    with translation.override("fa"):
        html = widget.render("d", datetime.date(2026, 10, 7))
        assert 'value="1405/07/15"' in html and "data-jdp" in html
    with translation.override("en"):
        html = widget.render("d", datetime.date(2026, 10, 7))
        assert 'value="2026-10-07"' in html and "data-jdp" not in html


def test_jalali_month_range_and_label():
    assert jalali.jalali_month_range(1405, 7) == (datetime.date(2026, 9, 23), datetime.date(2026, 10, 22))
    assert jalali.jalali_month_range(1403, 12)[1] == datetime.date(2025, 3, 20)
    with translation.override("fa"):
        assert jalali.jalali_month_label(1405, 7) == "مهر ۱۴۰۵"
    with translation.override("en"):
        assert jalali.jalali_month_label(1405, 7) == "Mehr 1405"


def test_display_filters_in_persian():
    moment = datetime.datetime(2026, 10, 7, 11, 0, tzinfo=datetime.UTC)  # 14:30 in Tehran
    with translation.override("fa"):
        assert jdate(datetime.date(2026, 10, 7)) == "۱۵ مهر ۱۴۰۵"
        assert jdate(datetime.date(2026, 10, 7), "numeric") == "۱۴۰۵/۰۷/۱۵"
        assert jdatetime(moment) == "۱۵ مهر ۱۴۰۵، ساعت ۱۴:۳۰"
        assert num(1250000) == "۱٬۲۵۰٬۰۰۰"
        assert num("3.5") == "۳٫۵"
        assert toman(1_250_000) == "۱۲۵٬۰۰۰ تومان"
        assert rial(1_250_000) == "۱٬۲۵۰٬۰۰۰ ریال"
        assert fa_digits("09121234567") == "۰۹۱۲۱۲۳۴۵۶۷"


def test_display_filters_in_english():
    moment = datetime.datetime(2026, 10, 7, 11, 0, tzinfo=datetime.UTC)
    with translation.override("en"):
        assert jdate(datetime.date(2026, 10, 7)) == "7 Oct 2026"
        assert jdatetime(moment) == "7 Oct 2026, 14:30"
        assert num(1250000) == "1,250,000"
        assert toman(1_250_000) == "125,000 Toman"
        assert fa_digits("09121234567") == "09121234567"
    assert jdate(None) == "" and toman(None) == ""


def test_money_conversion_is_exact():
    assert toman_to_rial("125000") == 1_250_000
    assert toman_to_rial(2.55) == 26  # half a rial rounds up
    assert rial_to_toman(1_250_005) == pytest.approx(125000.5)
    assert toman_to_rial(9_000_000_000_000) == 90_000_000_000_000  # fits a 64-bit column


def test_digits_to_persian():
    assert digits_to_persian(1405) == "۱۴۰۵"
