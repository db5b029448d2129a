"""Jalali (Solar Hijri) dates: parsing what people type and formatting what they read.
Dates are stored Gregorian; Jalali is for people."""

import datetime
import functools
import re

import jdatetime
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .persian import digits_to_ascii, digits_to_persian

JALALI_MONTHS = (
    pgettext_lazy("jalali month", "Farvardin"),
    pgettext_lazy("jalali month", "Ordibehesht"),
    pgettext_lazy("jalali month", "Khordad"),
    pgettext_lazy("jalali month", "Tir"),
    pgettext_lazy("jalali month", "Mordad"),
    pgettext_lazy("jalali month", "Shahrivar"),
    pgettext_lazy("jalali month", "Mehr"),
    pgettext_lazy("jalali month", "Aban"),
    pgettext_lazy("jalali month", "Azar"),
    pgettext_lazy("jalali month", "Dey"),
    pgettext_lazy("jalali month", "Bahman"),
    pgettext_lazy("jalali month", "Esfand"),
)
_FA_MONTHS = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)
_DATE = re.compile(r"^\s*([0-9]{4})\s*[/\-.]\s*([0-9]{1,2})\s*[/\-.]\s*([0-9]{1,2})\s*$")


class DateParseError(ValueError):
    pass


def parse_date(value: str) -> datetime.date:
    """'1405/07/15', '۱۴۰۵-۰۷-۱۵' (Jalali, years 13xx/14xx) or '2026-10-07' (Gregorian,
    19xx/20xx) → a Gregorian date. Raises DateParseError with a translated message."""
    text = digits_to_ascii(str(value)).replace("٫", "/").replace("،", "/")
    match = _DATE.match(text)
    if not match:
        raise DateParseError(_("Enter a date like 1405/07/15."))
    year, month, day = (int(part) for part in match.groups())
    try:
        if 1300 <= year <= 1499:
            return jdatetime.date(year, month, day).togregorian()
        if 1900 <= year <= 2099:
            return datetime.date(year, month, day)
    except ValueError:
        raise DateParseError(_("This day does not exist in that month.")) from None
    raise DateParseError(_("Enter a Jalali year (13xx–14xx) or a Gregorian year (19xx–20xx)."))


def to_jalali(value: datetime.date) -> jdatetime.date:
    return jdatetime.date.fromgregorian(date=value)


def jalali_month_of(value: datetime.date) -> tuple[int, int]:
    j = to_jalali(value)
    return j.year, j.month


def jalali_month_label(year: int, month: int) -> str:
    """«مهر ۱۴۰۵» in fa, 'Mehr 1405' in en."""
    if _is_persian():
        return f"{_FA_MONTHS[month - 1]} {digits_to_persian(year)}"
    return f"{JALALI_MONTHS[month - 1]} {year}"


def jalali_month_range(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    """First and last Gregorian day of a Jalali month."""
    first = jdatetime.date(year, month, 1)
    nxt = jdatetime.date(year + 1, 1, 1) if month == 12 else jdatetime.date(year, month + 1, 1)
    return first.togregorian(), nxt.togregorian() - datetime.timedelta(days=1)


def _is_persian() -> bool:
    return (get_language() or "fa").startswith("fa")


def _as_date(value):
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


def format_date(value, *, numeric: bool = False) -> str:
    """«۱۵ مهر ۱۴۰۵» in fa, '7 Oct 2026' in en. numeric=True gives ۱۴۰۵/۰۷/۱۵ / 2026-10-07."""
    if value in (None, ""):
        return ""
    return _date_label(_as_date(value), _is_persian(), numeric)


@functools.lru_cache(maxsize=4096)
def _date_label(value: datetime.date, persian: bool, numeric: bool) -> str:
    """format_date's text for one day (kept per process: a page lists the same few days again
    and again, and the Jalali conversion is the costly part of rendering a date)."""
    if persian:
        j = to_jalali(value)
        text = f"{j.year:04d}/{j.month:02d}/{j.day:02d}" if numeric else f"{j.day} {_FA_MONTHS[j.month - 1]} {j.year}"
        return digits_to_persian(text)
    return value.isoformat() if numeric else f"{value.day} {value:%b %Y}"


def format_datetime(value) -> str:
    """«۱۵ مهر ۱۴۰۵، ساعت ۱۴:۳۰» in fa, '7 Oct 2026, 14:30' in en (Tehran time)."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    time_part = f"{value:%H:%M}"
    if _is_persian():
        return f"{format_date(value)}، ساعت {digits_to_persian(time_part)}"
    return f"{format_date(value)}, {time_part}"


def format_date_input(value) -> str:
    """The value shown in a date input: Jalali 1405/07/15 in fa, ISO in en (ASCII digits so
    the picker reads it)."""
    if value in (None, ""):
        return ""
    value = _as_date(value)
    if _is_persian():
        j = to_jalali(value)
        return f"{j.year:04d}/{j.month:02d}/{j.day:02d}"
    return value.isoformat()
