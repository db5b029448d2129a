"""Jalali dates in the Django admin, in Persian: change lists and read-only fields show
Jalali dates, and date inputs take Jalali (or Gregorian) with the picker."""

import datetime

from django.contrib.admin import helpers, utils
from django.contrib.admin.templatetags import admin_list
from django.db import models
from django.utils.translation import get_language

from . import jalali
from .forms import JalaliDateField, JalaliDateInput

_original_display_for_field = utils.display_for_field
_original_display_for_value = utils.display_for_value


def _persian() -> bool:
    return (get_language() or "fa").startswith("fa")


def display_for_field(value, field, empty_value_display, *args, **kwargs):
    if _persian() and value is not None and isinstance(field, (models.DateField, models.DateTimeField)):
        if isinstance(field, models.DateTimeField):
            return jalali.format_datetime(value)
        return jalali.format_date(value)
    return _original_display_for_field(value, field, empty_value_display, *args, **kwargs)


def display_for_value(value, empty_value_display, *args, **kwargs):
    if _persian() and isinstance(value, datetime.datetime):
        return jalali.format_datetime(value)
    if _persian() and isinstance(value, datetime.date):
        return jalali.format_date(value)
    return _original_display_for_value(value, empty_value_display, *args, **kwargs)


def install() -> None:
    for module in (utils, helpers, admin_list):
        if hasattr(module, "display_for_field"):
            module.display_for_field = display_for_field
        if hasattr(module, "display_for_value"):
            module.display_for_value = display_for_value


class JalaliAdminMixin:
    """ModelAdmin mixin: date fields are typed in Jalali with the picker."""

    formfield_overrides = {models.DateField: {"form_class": JalaliDateField, "widget": JalaliDateInput}}
