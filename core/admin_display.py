"""How the admin shows numbers, money and identifiers, as the portal's pages do.

- Numbers (counts, membership numbers) in Persian digits in fa; dates in Jalali
  (core.admin_jalali).
- Money: stored in Rials, shown in Toman, grouped, with its unit («۱٬۱۶۵٬۰۰۰ تومان / جعبه»):
  an admin lists its Rial columns in `money_fields` (AdminDisplayMixin); the column keeps its
  field name, so ordering, filters and `list_display` changes keep working.
- Identifiers (mobiles, codes, permit numbers: values without Persian letters that carry
  digits) in a left-to-right island: `<bdi dir="ltr">`.
- Everything else Django's admin writes (result counts «۲۱ نتیجه», pagination, «۰ از ۲۱»,
  filters, breadcrumbs) gets Persian digits from AdminPersianDigitsMiddleware, which rewrites the
  text of rendered admin pages in fa (never markup, attributes, scripts or form values)."""

import re
from dataclasses import dataclass

from django.contrib.admin import helpers, utils
from django.contrib.admin.templatetags import admin_list
from django.core.exceptions import FieldDoesNotExist
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeData
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .persian import digits_to_persian, digits_to_persian_in_html
from .templatetags.persian import toman


def _persian() -> bool:
    return (get_language() or "fa").startswith("fa")


# ---- money -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Money:
    """A Rial column. `label`: the column's name (the field's verbose name says «(Rial)»);
    `per`: None (a total), "kg" (per kilogram), or the name of the row's unit field, a field with
    choices (kilogram / box / piece)."""

    label: str | Promise
    per: str | None = None


@dataclass(frozen=True)
class _Amount:
    rial: int
    unit: str | None


_MONEY: dict = {}  # model field → Money


class AdminDisplayMixin:
    """`money_fields = {"price_rial": Money(_("price"), per="unit"), ...}`: those columns (list and
    detail) read «۱٬۱۶۵٬۰۰۰ تومان / جعبه» in fa and '1,165,000 Toman / box' in en.
    `column_labels = {"members": _("Members")}` names fields that have no translated verbose
    name (columns, filters, forms); only the running label changes, never a migration."""

    money_fields: dict = {}
    column_labels: dict = {}

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        for name, money in self.money_fields.items():
            _MONEY[model._meta.get_field(name)] = money
        for name, label in self.column_labels.items():
            model._meta.get_field(name).verbose_name = label


def format_money(rial, unit=None) -> str:
    """«۱٬۱۶۵٬۰۰۰ تومان / جعبه»: `unit` is the unit's label (or None for a total)."""
    text = toman(rial)
    return f"{text} / {unit}" if unit else text


# ---- the admin's display functions ------------------------------------------------------

_original_lookup_field = utils.lookup_field
_original_label_for_field = utils.label_for_field
_original_display_for_field = utils.display_for_field
_original_display_for_value = utils.display_for_value

# A value with no Persian/Arabic letter is an identifier, a code or a Latin name.
_LETTERS = re.compile(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile(r"[0-9A-Za-z]")


def display_text(value) -> str:
    """A text value for an admin cell in fa: identifiers, codes, e-mails and English names (values
    without Persian letters) in a left-to-right island with Persian digits; prose unchanged."""
    if isinstance(value, SafeData) or not isinstance(value, str) or not _persian():
        return value
    if _LATIN.search(value) and not _LETTERS.search(value):
        return format_html('<bdi dir="ltr">{}</bdi>', digits_to_persian(value))
    return value


def lookup_field(name, obj, model_admin=None):
    f, attr, value = _original_lookup_field(name, obj, model_admin)
    money = _MONEY.get(f) if f is not None else None
    if money is not None and value is not None:
        if money.per == "kg":
            unit = _("kilogram")
        elif money.per:
            unit = getattr(obj, f"get_{money.per}_display")()
        else:
            unit = None
        value = _Amount(value, unit)
    return f, attr, value


def label_for_field(name, model, model_admin=None, return_attr=False, form=None):
    result = _original_label_for_field(name, model, model_admin, return_attr, form)
    try:
        field = model._meta.get_field(name) if isinstance(name, str) else None
    except FieldDoesNotExist:  # a method, a property, "__str__"
        field = None
    if field not in _MONEY:
        return result
    label = _MONEY[field].label
    return (label, result[1]) if return_attr else label


def display_for_field(value, field, empty_value_display, *args, **kwargs):
    if isinstance(value, _Amount):
        return format_money(value.rial, value.unit)
    money = _MONEY.get(field)
    if money is not None and value is not None:
        return format_money(value, _("kilogram") if money.per == "kg" else None)
    return _original_display_for_field(value, field, empty_value_display, *args, **kwargs)


def display_for_value(value, empty_value_display, *args, **kwargs):
    if isinstance(value, _Amount):
        return format_money(value.rial, value.unit)
    shown = _original_display_for_value(value, empty_value_display, *args, **kwargs)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and _persian():
        return digits_to_persian(shown)
    if isinstance(value, str):
        return display_text(shown)
    return shown


def install() -> None:
    """Called once from the portal's AppConfig.ready (after core.admin_jalali)."""
    global _original_display_for_field, _original_display_for_value
    _original_display_for_field = utils.display_for_field
    _original_display_for_value = utils.display_for_value
    for module in (utils, helpers, admin_list):
        if hasattr(module, "lookup_field"):
            module.lookup_field = lookup_field
        if hasattr(module, "label_for_field"):
            module.label_for_field = label_for_field
        if hasattr(module, "display_for_field"):
            module.display_for_field = display_for_field
        if hasattr(module, "display_for_value"):
            module.display_for_value = display_for_value


# ---- everything else the admin writes -----------------------------------------------------


class AdminPersianDigitsMiddleware:
    """Persian digits in the text of every rendered admin page in fa (result counts, pagination,
    the selection counter, filters, breadcrumbs, history): markup, attributes, scripts,
    textareas and code keep theirs, so links, form values and JSON are untouched."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._prefix = None

    def __call__(self, request):
        return self.get_response(request)

    def process_template_response(self, request, response):
        if self._prefix is None:
            self._prefix = reverse("admin:index")
        if (
            isinstance(response, TemplateResponse)
            and request.path.startswith(self._prefix)
            and _persian()
            and response.get("Content-Type", "").startswith("text/html")
        ):
            response.add_post_render_callback(_persian_digits)
        return response


def _persian_digits(response):
    charset = response.charset or "utf-8"
    response.content = digits_to_persian_in_html(response.content.decode(charset)).encode(charset)
