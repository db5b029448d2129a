"""Form building blocks every app uses: normalised input, Jalali dates, numeric inputs,
Toman amounts."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

from . import jalali
from .money import toman_to_rial
from .persian import normalize_free_text, normalize_number, normalize_text


class NumericInput(forms.TextInput):
    """Numbers are typed in a text box (never type=number, which rejects Persian digits)."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "dir": "ltr", "autocomplete": "off", **(attrs or {})})


class LtrInput(forms.TextInput):
    """Identifiers and phone numbers: left-to-right even on a Persian page."""

    def __init__(self, attrs=None):
        super().__init__({"dir": "ltr", **(attrs or {})})


class JalaliDateInput(forms.TextInput):
    """A date box with the Jalali picker in Persian; shows Jalali (fa) or ISO (en) values."""

    def __init__(self, attrs=None):
        super().__init__({"dir": "ltr", "autocomplete": "off", "class": "form-control", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, (datetime.date, datetime.datetime)):
            return jalali.format_date_input(value)
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if jalali._is_persian():
            context["widget"]["attrs"]["data-jdp"] = ""
            context["widget"]["attrs"].setdefault("placeholder", "1405/07/15")
        else:
            context["widget"]["attrs"].setdefault("placeholder", "2026-10-07")
        return context


class JalaliDateField(forms.DateField):
    """Accepts Jalali (13xx/14xx) or Gregorian (19xx/20xx) dates, Persian or ASCII digits."""

    widget = JalaliDateInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return jalali.parse_date(value)
        except jalali.DateParseError as error:
            raise ValidationError(str(error), code="invalid") from None


class TomanField(forms.IntegerField):
    """An amount typed in Toman (with any digits and separators); cleans to integer Rials."""

    widget = NumericInput

    def __init__(self, *, max_toman=10**12, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("help_text", _("In Toman."))
        super().__init__(**kwargs)
        self.max_toman = max_toman

    def to_python(self, value):
        if value not in self.empty_values:
            value = normalize_number(value)
        toman = super().to_python(value)
        if toman is None:
            return None
        if toman > self.max_toman:
            raise ValidationError(_("This amount is too large."), code="max_value")
        return toman

    def clean(self, value):
        toman = super().clean(value)
        return None if toman is None else toman_to_rial(toman)


def style_widgets(fields) -> None:
    """Bootstrap classes on every widget, so templates can render `{{ form }}` as it is."""
    for field in fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
            css = "form-check-input"
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            css = "form-select"
        elif isinstance(widget, forms.HiddenInput):
            continue
        else:
            css = "form-control"
        classes = widget.attrs.get("class", "")
        if css not in classes.split():
            widget.attrs["class"] = f"{classes} {css}".strip()


class BootstrapFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self.fields)


# Text fields whose value is a code rather than prose: their digits are made ASCII.
_IDENTIFIER_FIELDS = (
    forms.EmailField,
    forms.URLField,
    forms.SlugField,
    forms.GenericIPAddressField,
    forms.UUIDField,
    forms.ChoiceField,
)
_IDENTIFIER_INPUTMODES = {"numeric", "decimal", "tel", "email", "url"}


def is_identifier_field(field) -> bool:
    """A mobile, national ID, permit number, code or choice: typed left to right (LtrInput,
    NumericInput, `dir=ltr`, a numeric/tel keyboard), or a field whose values are codes.
    Everything else is free text (names, addresses, messages) and keeps the digits as typed."""
    if isinstance(field, _IDENTIFIER_FIELDS) or getattr(field, "identifier", False):
        return True
    attrs = field.widget.attrs
    return attrs.get("dir") == "ltr" or attrs.get("inputmode") in _IDENTIFIER_INPUTMODES


class NormalizedFormMixin:
    """Normalises what every text and number field receives before Django's own cleaning:
    ي/ك → ی/ک, tatweel and edge ZWNJ in all text; Persian/Arabic digits → ASCII only in numbers
    (with their separators) and identifiers (see `is_identifier_field`), never in free text, so
    that an address typed «پلاک ۳» is shown «پلاک ۳». Passwords and files are left exactly as
    typed. Number fields get a numeric text box."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, (forms.PasswordInput, forms.FileInput)):
                continue
            if isinstance(field, (forms.IntegerField, forms.DecimalField, forms.FloatField)):
                if isinstance(field.widget, forms.NumberInput):
                    field.widget = NumericInput(
                        {k: v for k, v in field.widget.attrs.items() if k not in ("min", "max", "step")}
                    )
                if not isinstance(field, TomanField):
                    field.to_python = _before(normalize_number, field.to_python)
            elif isinstance(field, (forms.CharField, forms.ChoiceField)) and not isinstance(
                field, forms.MultipleChoiceField
            ):
                field.to_python = _text_before(field, field.to_python)
        style_widgets(self.fields)


def _before(normalise, to_python):
    def wrapped(value):
        if isinstance(value, str):
            value = normalise(value)
        return to_python(value)

    return wrapped


def _text_before(field, to_python):
    """Decided when the value is cleaned, so that widgets a form sets after this mixin's
    __init__ (an LtrInput for a mobile) count."""

    def wrapped(value):
        if isinstance(value, str):
            value = normalize_text(value) if is_identifier_field(field) else normalize_free_text(value)
        return to_python(value)

    return wrapped


class PortalFormRenderer(TemplatesSetting):
    """Forms render with the portal's Bootstrap templates (templates/partials/form*.html)."""

    form_template_name = "partials/form.html"
    field_template_name = "partials/field.html"


class PortalForm(NormalizedFormMixin, forms.Form):
    pass


class PortalModelForm(NormalizedFormMixin, forms.ModelForm):
    pass


def add_service_errors(form, error: ValidationError) -> None:
    """Puts a service's ValidationError on the form that was posted: each field's messages on
    that field (on the form as a whole when the form has no such field), a plain error on the
    form as a whole. The view then renders the form again with everything typed."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        for message in error.messages:
            form.add_error(None, message)
