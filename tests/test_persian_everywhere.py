"""Persian everywhere: what people type is kept as typed (digits normalised only in numbers,
identifiers and search keys), numbers a person reads are in Persian digits (validation messages,
hints, placeholders, the admin), money in the admin is Toman with its unit, and the Persian
catalogues (Python and JavaScript) leave no English."""

import json
import re
from pathlib import Path

import polib
import pytest
from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils import translation

from core.admin_display import format_money
from core.forms import LtrInput, NumericInput, PortalForm, is_identifier_field
from core.persian import digits_to_persian_in_html, normalize_free_text, normalize_text
from core.templatetags.persian import fa_text
from pricing.models import PriceSubmission
from pricing.tests.factories import make_open_round, make_submission

ROOT = Path(__file__).resolve().parent.parent


# ---- what people type -------------------------------------------------------------------


def test_free_text_keeps_its_digits_and_gets_persian_letters():
    assert normalize_free_text("  پلاک ۳، كوچه ياس ") == "پلاک ۳، کوچه یاس"
    assert normalize_free_text("پلاک 3") == "پلاک 3"
    assert normalize_text("پلاک ۳") == "پلاک 3"  # identifiers and search terms: ASCII digits


class _Form(PortalForm):
    address = forms.CharField(widget=forms.Textarea)
    name = forms.CharField()
    mobile = forms.CharField(widget=LtrInput())
    code = forms.CharField(widget=forms.TextInput({"inputmode": "numeric"}))
    count = forms.CharField(widget=NumericInput())
    email = forms.EmailField(required=False)
    kind = forms.ChoiceField(choices=[("1", "یک"), ("2", "دو")])
    later = forms.CharField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["later"].widget = LtrInput()  # a widget set after the mixin still counts


def test_portal_form_normalises_digits_only_in_identifiers():
    form = _Form(
        {
            "address": "قزوين، پلاک ۳",
            "name": "كارگاه ۲",
            "mobile": "۰۹۱۲۳۴۵۶۷۸۹",
            "code": "٤٥",
            "count": "۱۲",
            "email": "a@b.ir",
            "kind": "۲",
            "later": "HC-۱۴۰۴-۵۵۳۲",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "address": "قزوین، پلاک ۳",
        "name": "کارگاه ۲",
        "mobile": "09123456789",
        "code": "45",
        "count": "12",
        "email": "a@b.ir",
        "kind": "2",
        "later": "HC-1404-5532",
    }
    assert [name for name, field in form.fields.items() if is_identifier_field(field)] == [
        "mobile",
        "code",
        "count",
        "email",
        "kind",
        "later",
    ]


def test_an_address_typed_in_persian_digits_is_shown_as_typed_in_the_directory(actors, client_as):
    client = client_as("member_a")
    response = client.post(
        reverse("members:edit"),
        {
            "kind": "guild",
            "business_name": "کارگاه الف",
            "owner_name": "عضو الف",
            "mobile": actors.a.mobile,
            "county": "qazvin",
            "address": "قزوين، کوچه ياس، پلاک ۳",
            "monthly_capacity_kg": "۳۰۰",
            "directory_opt_in": "on",
            "contact_public": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    actors.a.refresh_from_db()
    assert (actors.a.address, actors.a.monthly_capacity_kg) == ("قزوین، کوچه یاس، پلاک ۳", 300)
    page = client_as("anonymous").get(reverse("members:directory_detail", args=[actors.a.pk])).content.decode()
    assert "قزوین، کوچه یاس، پلاک ۳" in page
    assert "پلاک 3" not in page


# ---- numbers a person reads -------------------------------------------------------------


def test_persian_digits_in_html_leave_markup_scripts_and_values_alone():
    html = (
        '<p class="c1">صفحهٔ 2 از 10 &#39;<a href="?p=3">3</a></p>'
        '<script type="application/json">{"a": 12}</script><textarea>12</textarea>'
        '<input value="5"><code>HC-1</code><!-- 7 -->'
    )
    assert digits_to_persian_in_html(html) == (
        '<p class="c1">صفحهٔ ۲ از ۱۰ &#39;<a href="?p=3">۳</a></p>'
        '<script type="application/json">{"a": 12}</script><textarea>12</textarea>'
        '<input value="5"><code>HC-1</code><!-- 7 -->'
    )


def test_fa_text_in_persian_only_and_keeps_html_safe():
    from django.utils.safestring import SafeData, mark_safe

    with translation.override("fa"):
        assert fa_text("حداکثر 150 کاراکتر") == "حداکثر ۱۵۰ کاراکتر"
        safe = fa_text(mark_safe('<a href="/x/12">12</a>'))
        assert (str(safe), isinstance(safe, SafeData)) == ('<a href="/x/12">۱۲</a>', True)
    with translation.override("en"):
        assert fa_text("At most 150 characters") == "At most 150 characters"


class _Limits(PortalForm):
    text = forms.CharField(max_length=150, help_text="حداکثر 150 نویسه")
    amount = forms.IntegerField(max_value=5000)
    day = forms.CharField(widget=forms.TextInput({"placeholder": "1405/07/15"}))


def test_validation_messages_hints_and_placeholders_in_persian_digits():
    with translation.override("fa"):
        form = _Limits({"text": "x" * 151, "amount": "6000", "day": ""})
        html = str(form)
    assert "۱۵۰" in html and "۱۵۱" in html and "۵۰۰۰" in html and "۱۴۰۵/۰۷/۱۵" in html
    assert "حداکثر ۱۵۰ نویسه" in html
    assert 'value="6000"' in html  # what was typed stays as typed
    text = re.sub(r"<[^>]*>", " ", html)  # what a person reads (maxlength="150" is markup)
    for latin in ("150", "151", "5000", "1405/07/15"):
        assert latin not in text, latin
    with translation.override("en"):
        html = str(_Limits({"text": "x" * 151, "amount": "6000", "day": ""}))
    assert "150" in html and "5000" in html and "1405/07/15" in html


def test_jalali_date_placeholder_in_persian_digits(actors, client_as):
    from core.forms import JalaliDateField

    class DateForm(PortalForm):
        day = JalaliDateField()

    with translation.override("fa"):
        html = str(DateForm())
    assert 'placeholder="۱۴۰۵/۰۷/۱۵"' in html and "data-jdp" in html


def test_format_module_groups_with_persian_separators():
    from django.utils import formats

    with translation.override("fa"):
        assert formats.number_format(1234567.5, 1, force_grouping=True) == "1٬234٬567٫5"
        assert formats.number_format(1234567) == "1234567"  # no grouping unless asked (identifiers)
    with translation.override("en"):
        assert formats.number_format(1234567, force_grouping=True) == "1,234,567"


# ---- the admin --------------------------------------------------------------------------


def test_money_is_toman_with_unit_in_both_languages():
    with translation.override("fa"):
        assert format_money(11650000, "جعبه") == "۱٬۱۶۵٬۰۰۰ تومان / جعبه"
        assert format_money(11650000) == "۱٬۱۶۵٬۰۰۰ تومان"
    with translation.override("en"):
        assert format_money(11650000, "box") == "1,165,000 Toman / box"


def test_admin_price_list_shows_grouped_toman_with_unit_and_persian_counts(actors, client_as):
    submission = make_submission(member=actors.a, price_round=make_open_round(), toman=1_165_000)
    PriceSubmission.objects.filter(pk=submission.pk).update(unit="box", net_grams=500, price_per_kg_rial=23_300_000)
    client = client_as("superuser")  # estates staff see no individual price (docs/security.md)
    page = client.get(reverse("admin:pricing_pricesubmission_changelist")).content.decode()
    assert "۱٬۱۶۵٬۰۰۰ تومان / جعبه" in page
    assert "11650000" not in page and "قیمت (ریال)" not in page
    assert "۱ اظهار قیمت" in page  # the paginator's count
    detail = client.get(reverse("admin:pricing_pricesubmission_change", args=[submission.pk])).content.decode()
    assert "۲٬۳۳۰٬۰۰۰ تومان / کیلوگرم" in detail and "قیمت هر کیلوگرم" in detail
    client.cookies["django_language"] = "en"
    english = client.get(reverse("admin:pricing_pricesubmission_changelist")).content.decode()
    assert "1,165,000 Toman / box" in english


def test_admin_text_has_persian_digits_but_links_and_values_keep_ascii(actors, client_as):
    client = client_as("superuser")
    page = client.get(reverse("admin:members_member_changelist") + "?q=الف").content.decode()
    assert f'href="/admin/members/member/{actors.a.pk}/change/' in page.replace("?_changelist_filters", "")[:100000]
    assert "۱ نتیجه" in page  # the search's result count
    assert "0 of" not in page and "۰ از ۱" in page
    user_page = client.get(reverse("admin:members_user_changelist")).content.decode()
    assert '<bdi dir="ltr">۰۹۱۳۰۰۰۰۰۰۲</bdi>' in user_page  # a mobile: an LTR island


def test_admin_has_no_english_app_or_model_names_in_persian(actors, client_as):
    page = client_as("superuser").get(reverse("admin:index")).content.decode()
    for english in ("Axes", "Otp_Totp", "Otp_Static", "TOTP devices", "static devices"):
        assert english not in page, english
    assert "تلاش‌های ورود" in page and "برنامه‌های احراز هویت" in page


def test_admin_error_note_and_js_catalogue_are_persian(actors, client_as):
    client = client_as("staff")
    response = client.post(reverse("admin:catalogue_product_add"), {"name_fa": "", "slug": ""})
    page = response.content.decode()
    assert "لطفاً خطا" in page and "Please correct" not in page
    catalogue = client.get("/admin/jsi18n/").content.decode()
    for persian in ("انتخاب همهٔ %s", "حذف همهٔ %s", "%s را برگزینید"):
        assert json.dumps(persian)[1:-1] in catalogue, persian


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_persian_catalogues_are_complete(domain):
    po = polib.pofile(str(ROOT / f"locale/fa/LC_MESSAGES/{domain}.po"))
    assert [entry.msgid for entry in po if not entry.translated()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []


def test_django_strings_missing_from_its_persian_catalogue_are_in_ours():
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("po_fill", ROOT / "scripts/po_fill.py")
    po_fill = importlib.util.module_from_spec(spec)
    sys.modules["po_fill"] = po_fill
    spec.loader.exec_module(po_fill)
    for domain in ("django", "djangojs"):
        ours = {(e.msgctxt, e.msgid) for e in polib.pofile(str(ROOT / f"locale/fa/LC_MESSAGES/{domain}.po"))}
        gaps = {(e.msgctxt, e.msgid) for e in po_fill.vendor_entries(domain, {})}
        assert gaps and gaps - ours == set()


def test_every_registered_admin_shows_money_through_the_mixin():
    """Every field of the portal's models holding Rials (a BigIntegerField) is shown by an admin
    that lists it in money_fields."""
    from django.db import models

    from core.admin_display import _MONEY

    for model in admin.site._registry:
        for field in model._meta.concrete_fields:
            portal = model._meta.app_label in (
                "cluster_portal",
                "catalogue",
                "news",
                "members",
                "events",
                "pricing",
                "permits",
            )
            if portal and type(field) is models.BigIntegerField:
                assert field in _MONEY, f"{model.__name__}.{field.name}"
