"""Individual prices in the admin need pricing.view_individual_prices (the union head's group
and superusers): estates staff see submissions, rounds and counts, never a price figure, cost
line, note or review message — in the list, the change form, a filter, the stored cell
statistics or the audit trail."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from core.models import AuditEntry
from members.roles import UNION_HEAD
from pricing import services
from pricing.models import PriceReview
from pricing.tests.factories import make_members, make_open_round, make_submission, product

pytestmark = pytest.mark.django_db

PRICE_FORMS = ("9876540", "9,876,540", "۹۸۷۶۵۴۰", "۹٬۸۷۶٬۵۴۰", "987654", "987,654", "۹۸۷۶۵۴", "۹۸۷٬۶۵۴")
SECRETS = (*PRICE_FORMS, "4444444", "4,444,444", "۴۴۴۴۴۴۴", "۴٬۴۴۴٬۴۴۴", "یادداشت محرمانه", "پیام محرمانه")


def _priced(actors):
    price_round = make_open_round()
    submission = make_submission(
        member=actors.a,
        price_round=price_round,
        toman=987_654,
        note="یادداشت محرمانه",
        cost_flour=4_444_444,
    )
    submission = services.price_submission_review(
        submission=submission, reviewer=actors.union_head, decision="needs_info", message="پیام محرمانه"
    )
    for member in make_members(5):
        make_submission(member=member, price_round=price_round, toman=987_654)
    services.price_round_close(price_round=price_round, actor=actors.staff)
    return submission


def _pages(submission):
    from pricing.models import PriceCellStat

    stat = PriceCellStat.objects.get()
    return [
        reverse("admin:pricing_pricesubmission_changelist"),
        reverse("admin:pricing_pricesubmission_changelist") + "?q=" + actors_name(submission),
        reverse("admin:pricing_pricesubmission_change", args=[submission.pk]),
        reverse("admin:pricing_pricesubmission_history", args=[submission.pk]),
        reverse("admin:pricing_pricecellstat_changelist"),
        reverse("admin:pricing_pricecellstat_change", args=[stat.pk]),
    ]


def actors_name(submission):
    return submission.member.business_name


def test_the_union_heads_group_holds_the_permission_and_no_other_group():
    permission = Permission.objects.get(codename="view_individual_prices", content_type__app_label="pricing")
    assert list(permission.group_set.values_list("name", flat=True)) == [UNION_HEAD]


def test_estates_staff_see_no_individual_price_in_the_admin(actors, client_as):
    submission = _priced(actors)
    client = client_as("staff")
    for url in _pages(submission):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert [secret for secret in SECRETS if secret in body] == [], url
    listing = client.get(reverse("admin:pricing_pricesubmission_changelist")).content.decode()
    assert "باقلوا" in listing and "column-price_rial" not in listing


@pytest.mark.parametrize(
    "lookup",
    ["price_rial__gt=9000000", "price_per_kg_rial__lte=1", "cost_flour__isnull=False", "note__icontains=محرمانه"],
)
def test_estates_staff_cannot_filter_by_a_price(actors, client_as, lookup):
    _priced(actors)
    response = client_as("staff").get(reverse("admin:pricing_pricesubmission_changelist") + "?" + lookup)
    assert response.status_code == 400


def test_estates_staff_cannot_filter_the_cell_statistics_by_a_figure(actors, client_as):
    _priced(actors)
    response = client_as("staff").get(reverse("admin:pricing_pricecellstat_changelist") + "?median__gt=1")
    assert response.status_code == 400


def test_superusers_and_a_union_head_with_admin_access_see_the_prices(actors, client_as):
    submission = _priced(actors)
    # The admin's own gate: a union head reaches it as staff only. The roles are given before
    # signing in (a role given during a session asks for the second factor again).
    from members.roles import ESTATES_STAFF

    actors.union_head.is_staff = True
    actors.union_head.save()
    actors.union_head.groups.add(Group.objects.get_or_create(name=ESTATES_STAFF)[0])
    for role in ("superuser", "union_head"):
        client = client_as(role)
        change = client.get(reverse("admin:pricing_pricesubmission_change", args=[submission.pk])).content.decode()
        assert any(form in change for form in PRICE_FORMS), role  # shown in Toman («۹۸۷٬۶۵۴ تومان»)
        assert "یادداشت محرمانه" in change and "پیام محرمانه" in change, role
        listing = client.get(reverse("admin:pricing_pricesubmission_changelist") + "?price_rial__gt=1")
        assert listing.status_code == 200 and "column-price_rial" in listing.content.decode(), role


def test_the_audit_trail_keeps_no_price(actors):
    submission = _priced(actors)
    services.price_submission_save(
        member=actors.a,
        user=actors.member_a,
        price_round=make_open_round(1405, 9),
        product=product(),
        channel="wholesale",
        unit="kg",
        net_grams=None,
        price_rial=1_234_560,
        note="دلیل",
    )
    entries = AuditEntry.objects.filter(action__startswith="price_submission.").order_by("id")
    assert [(entry.action, entry.changes, entry.note) for entry in entries] == [
        ("price_submission.review", {"status": ["submitted", "needs_info"]}, ""),
        (
            "price_submission.create",
            {"version": [None, 1], "unit": [None, "kg"], "price_rial": [None, "•••"], "note": [None, "•••"]},
            "",
        ),
    ]
    assert PriceReview.objects.get(submission=submission).message == "پیام محرمانه"  # kept in its place


def test_the_migration_hides_prices_already_in_the_audit_trail(actors):
    from django.contrib.contenttypes.models import ContentType

    submission = make_submission(member=actors.a, price_round=make_open_round())
    content_type_id = ContentType.objects.get_for_model(submission).pk
    old = AuditEntry.objects.create(
        action="price_submission.edit",
        content_type_id=content_type_id,
        object_id=str(submission.pk),
        object_repr="x",
        changes={"price_rial": [1_000_000, 1_250_000], "cost_flour": [None, 50_000], "unit": ["kg", "box"]},
        note="",
    )
    review = AuditEntry.objects.create(
        action="price_submission.review",
        content_type_id=content_type_id,
        object_id="1",
        changes={"status": ["a", "b"]},
        note="۹ میلیون؟",
    )
    other = AuditEntry.objects.create(
        action="member.edit", content_type_id=content_type_id, object_id="1", changes={"price_rial": [1, 2]}
    )
    importlib.import_module("pricing.migrations.0008_individual_prices_permission").hide_prices_in_audit(apps, None)
    old.refresh_from_db()
    review.refresh_from_db()
    other.refresh_from_db()
    assert old.changes == {"price_rial": ["•••", "•••"], "cost_flour": [None, "•••"], "unit": ["kg", "box"]}
    assert (review.changes, review.note) == ({"status": ["a", "b"]}, "")
    assert other.changes == {"price_rial": [1, 2]}


def _product_form(item, **overrides):
    return {
        "name_fa": item.name_fa,
        "name_en": item.name_en,
        "slug": item.slug,
        "default_unit": item.default_unit,
        "default_net_grams": "",
        "is_active": "on",
        "sort_order": item.sort_order,
        "plausible_min_per_kg_rial": "",
        "plausible_max_per_kg_rial": "",
        "publish_step_rial": "1000",
        **overrides,
    }


def test_staff_type_the_plausible_range_and_the_step_in_toman(actors, client_as):
    item = product()
    url = reverse("admin:catalogue_product_change", args=[item.pk])
    client = client_as("staff")
    page = client.get(url).content.decode()
    assert 'name="publish_step_rial" value="1000"' in page  # 10,000 Rials shown in Toman
    response = client.post(
        url,
        _product_form(
            item, plausible_min_per_kg_rial="۲۰۰٬۰۰۰", plausible_max_per_kg_rial="3,000,000", publish_step_rial="۵۰۰۰"
        ),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.plausible_min_per_kg_rial, item.plausible_max_per_kg_rial, item.publish_step_rial) == (
        2_000_000,
        30_000_000,
        50_000,
    )
    refused = client.post(
        url, _product_form(item, plausible_min_per_kg_rial="500000", plausible_max_per_kg_rial="400000")
    )
    assert refused.status_code == 200
    assert "بیشترین قیمت پذیرفتنی از کمترین آن کمتر است." in refused.content.decode()
    assert 'value="500000"' in refused.content.decode()  # nothing typed lost
    zero = client.post(url, _product_form(item, publish_step_rial="0"))
    assert zero.status_code == 200
    item.refresh_from_db()
    assert item.publish_step_rial == 50_000
