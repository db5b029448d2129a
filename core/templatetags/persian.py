"""Display filters, available in every template (a builtin): Jalali dates in Persian,
Gregorian in English, Persian digits and grouping, Toman/Rial amounts."""

from decimal import Decimal

from django import template
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .. import jalali
from ..money import rial_to_toman
from ..persian import digits_to_persian, digits_to_persian_in_html

register = template.Library()


def _persian() -> bool:
    return (get_language() or "fa").startswith("fa")


@register.filter
def jdate(value, style=""):
    """{{ d|jdate }} → «۱۵ مهر ۱۴۰۵» / '7 Oct 2026'; {{ d|jdate:"numeric" }} → ۱۴۰۵/۰۷/۱۵."""
    return jalali.format_date(value, numeric=style == "numeric")


@register.filter
def jdatetime(value):
    return jalali.format_datetime(value)


@register.filter
def num(value, decimals=None):
    """A number for reading: grouped by thousands (٬ in fa, , in en), Persian digits in fa."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return value
    places = int(decimals) if decimals not in (None, "") else (0 if number == number.to_integral_value() else 1)
    text = f"{number:,.{places}f}"
    if _persian():
        text = digits_to_persian(text.replace(",", "٬").replace(".", "٫"))
    return text


@register.filter
def fa_digits(value):
    """Persian digits in fa, unchanged in en (phone numbers, codes: no grouping)."""
    if value in (None, ""):
        return ""
    return digits_to_persian(value) if _persian() else str(value)


@register.filter(is_safe=True)
def fa_text(value):
    """Prose that may carry numbers (validation messages, hints, counts in a sentence): Persian
    digits in fa, unchanged in en. Safe HTML stays safe; tags and entities are left alone."""
    if value in (None, "") or not _persian():
        return value
    if isinstance(value, SafeData):
        return mark_safe(digits_to_persian_in_html(str(value)))  # noqa: S308 (already safe; only digits change)
    return digits_to_persian(value)


@register.filter
def toman(rial):
    """Integer Rials → «۱۲۵٬۰۰۰ تومان» / '125,000 Toman'."""
    if rial in (None, ""):
        return ""
    unit = _("Toman")
    return f"{num(rial_to_toman(rial), 0)} {unit}"


@register.filter
def rial(rial):
    if rial in (None, ""):
        return ""
    unit = _("Rial")
    return f"{num(rial, 0)} {unit}"
