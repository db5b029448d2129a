import csv
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from openpyxl import load_workbook

from catalogue.models import Product
from core.models import AuditEntry, Notification
from members.models import ChangeRequest, Member
from members.tests.factories import active_member, apply_member

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:members_member_changelist")


def _action(client, action, members, **extra):
    return client.post(
        CHANGELIST, {"action": action, ACTION_CHECKBOX_NAME: [m.pk for m in members], **extra}, follow=False
    )


def test_changelist_search_ignores_arabic_letters_and_persian_digits(actors, client_as):
    kowsar = apply_member(business_name="نان‌برنجی کوثر", mobile="09141112233")
    client = client_as("staff")
    for query in ("نان برنجي", "كوثر", "۰۹۱۴۱۱۱۲۲۳۳", "٠٩١٤١١١٢٢٣٣", kowsar.owner_national_id):
        response = client.get(CHANGELIST, {"q": query})
        assert [m.pk for m in response.context["cl"].result_list] == [kowsar.pk], query


def test_changelist_filters_by_status_kind_county_and_product(actors, client_as):
    baklava = Product.objects.get(slug="baklava")
    actors.b.products.add(baklava)
    client = client_as("staff")
    assert {m.pk for m in client.get(CHANGELIST, {"status__exact": "applied"}).context["cl"].result_list} == {
        actors.applicant_member.pk
    }
    assert {m.pk for m in client.get(CHANGELIST, {"kind__exact": "home"}).context["cl"].result_list} == {
        actors.applicant_member.pk,
        actors.b.pk,
    }
    assert [m.pk for m in client.get(CHANGELIST, {"products__id__exact": baklava.pk}).context["cl"].result_list] == [
        actors.b.pk
    ]
    assert client.get(CHANGELIST, {"county__exact": "avaj"}).context["cl"].result_list.count() == 0


def test_approve_action_assigns_numbers_and_notifies(actors, client_as):
    second = apply_member()
    response = _action(client_as("staff"), "approve", [actors.applicant_member, second])
    assert response.status_code == 302
    numbers = dict(
        Member.objects.filter(pk__in=[actors.applicant_member.pk, second.pk]).values_list("pk", "membership_number")
    )
    assert numbers == {actors.applicant_member.pk: 1001, second.pk: 1002}
    assert Notification.objects.get(user=actors.applicant).subject == "درخواست عضویت شما تأیید شد"


def test_approve_action_skips_members_that_are_not_applicants(actors, client_as):
    _action(client_as("staff"), "approve", [actors.a])
    actors.a.refresh_from_db()
    assert (actors.a.status, actors.a.membership_number) == ("active", 1)


def test_reject_action_asks_for_a_reason_on_an_intermediate_page(actors, client_as):
    client = client_as("staff")
    page = _action(client, "reject", [actors.applicant_member])
    assert page.status_code == 200
    assert page.templates[0].name == "admin/members/reason_form.html"
    assert 'name="reason"' in page.content.decode()
    again = _action(client, "reject", [actors.applicant_member], apply="1", reason="")
    assert again.status_code == 200  # the reason is required
    done = _action(client, "reject", [actors.applicant_member], apply="1", reason="پروانه کسب ندارد")
    assert done.status_code == 302
    actors.applicant_member.refresh_from_db()
    assert actors.applicant_member.status == "rejected"
    change = actors.applicant_member.status_changes.first()
    assert (change.changed_by, change.reason) == (actors.staff, "پروانه کسب ندارد")
    assert Notification.objects.get(user=actors.applicant).body == "دلیل: پروانه کسب ندارد"


def test_suspend_action(actors, client_as):
    _action(client_as("staff"), "suspend", [actors.a], apply="1", reason="عدم پرداخت")
    actors.a.refresh_from_db()
    assert actors.a.status == "suspended"


def _csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_export_has_persian_headers_and_masks_national_ids_for_staff(actors, client_as):
    response = _action(client_as("staff"), "export_csv", [actors.a])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = _csv_rows(response)
    assert rows[0][:4] == ["شماره عضویت", "نام واحد", "نام تجاری", "نوع"]
    assert rows[1][6] == "*******679"
    full = _csv_rows(_action(client_as("superuser"), "export_csv", [actors.a]))
    assert full[1][6] == "0012345679"


def test_csv_export_headers_in_english(actors, client_as):
    client = client_as("staff")
    client.cookies["django_language"] = "en"
    rows = _csv_rows(_action(client, "export_csv", [actors.a]))
    assert rows[0][:4] == ["membership number", "business name", "brand", "kind"]


def test_xlsx_export(actors, client_as):
    response = _action(client_as("staff"), "export_xlsx", [actors.a, actors.b])
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "نام واحد"
    assert sorted(row[1] for row in rows[1:]) == sorted([actors.a.business_name, actors.b.business_name])
    assert sheet.sheet_view.rightToLeft is True


def test_export_neutralises_spreadsheet_formulas(actors, client_as):
    Member.objects.filter(pk=actors.a.pk).update(brand="=HYPERLINK(1)")
    rows = _csv_rows(_action(client_as("staff"), "export_csv", [actors.a]))
    assert rows[1][2] == "'=HYPERLINK(1)"


def test_change_page_shows_status_history_and_audit_trail(actors, client_as):
    from members import services

    services.member_suspend(member=actors.a, actor=actors.staff, reason="بدهی معوق")
    html = client_as("staff").get(reverse("admin:members_member_change", args=[actors.a.pk])).content.decode()
    assert "بدهی معوق" in html
    assert "member.status.suspended" in html


def test_staff_edit_in_the_admin_is_audited(actors, client_as):
    client = client_as("staff")
    url = reverse("admin:members_member_change", args=[actors.b.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(
        {
            "products": [],
            "staff_notes": "تماس گرفته شد",
            "user_links-TOTAL_FORMS": "1",
            "user_links-INITIAL_FORMS": "1",
            "user_links-0-id": str(actors.b.user_links.get().pk),
            "user_links-0-member": str(actors.b.pk),
            "user_links-0-user": str(actors.member_b.pk),
            "user_links-0-role": "owner",
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
        }
    )
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEntry.objects.get(action="member.staff_edit")
    assert entry.changes == {"staff_notes": ["", "تماس گرفته شد"]}


def test_change_request_admin_actions(actors, client_as):
    from members import services

    request = services.member_request_change(
        member=actors.a, actor=actors.member_a, field="guild_licence_number", new_value="QZ-77", reason="x"
    )
    client = client_as("staff")
    client.post(
        reverse("admin:members_changerequest_changelist"),
        {"action": "approve_requests", ACTION_CHECKBOX_NAME: [request.pk]},
    )
    actors.a.refresh_from_db()
    assert actors.a.guild_licence_number == "QZ-77"
    assert ChangeRequest.objects.get().status == "approved"


def test_members_cannot_reach_the_admin_list_or_exports(actors, client_as):
    for role in ("applicant", "member_a", "union_head", "panelist"):
        response = _action(client_as(role), "export_csv", [actors.b])
        assert (role, response.status_code, response["Content-Type"].startswith("text/csv")) == (role, 302, False)


def test_active_member_factory_numbers(db):
    assert active_member().membership_number == 1001


def test_lapse_resign_and_reinstate_actions_keep_the_reason(actors, client_as):
    client = client_as("staff")
    _action(client, "mark_lapsed", [actors.a], apply="1", reason="حق عضویت تمدید نشد")
    actors.a.refresh_from_db()
    assert actors.a.status == "lapsed"
    _action(client, "reinstate", [actors.a], apply="1", reason="تمدید شد")
    _action(client, "mark_resigned", [actors.b], apply="1", reason="تعطیلی کارگاه")
    assert dict(Member.objects.filter(pk__in=[actors.a.pk, actors.b.pk]).values_list("pk", "status")) == {
        actors.a.pk: "active",
        actors.b.pk: "resigned",
    }
    assert list(actors.a.status_changes.values_list("to_status", "reason")) == [
        ("active", "تمدید شد"),
        ("lapsed", "حق عضویت تمدید نشد"),
    ]


def test_staff_edit_goes_through_the_service_products_and_name_in_one_audit_entry(actors, client_as):
    """MemberAdmin.save_model calls services.member_staff_edit: the name, the search key and the
    products change in one audited write (the form's own m2m save is not run a second time)."""
    product = Product.objects.create(name_fa="باقلوای آزمون مدیریت", slug="baghlava-admin-test")
    client = client_as("staff")
    url = reverse("admin:members_member_change", args=[actors.b.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(
        {
            "business_name": "باقلوای تازه",
            "products": [str(product.pk)],
            "user_links-TOTAL_FORMS": "1",
            "user_links-INITIAL_FORMS": "1",
            "user_links-0-id": str(actors.b.user_links.get().pk),
            "user_links-0-member": str(actors.b.pk),
            "user_links-0-user": str(actors.member_b.pk),
            "user_links-0-role": "owner",
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
        }
    )
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    old_name = actors.b.business_name
    assert client.post(url, data).status_code == 302
    entry = AuditEntry.objects.get(action="member.staff_edit")
    assert entry.changes == {"business_name": [old_name, "باقلوای تازه"], "products": [[], [product.pk]]}
    member = Member.objects.get(pk=actors.b.pk)
    assert list(member.products.all()) == [product]
    assert "باقلوای تازه" in member.search_key


def test_staff_edit_service_refuses_a_field_staff_do_not_edit(actors):
    from django.core.exceptions import ValidationError

    from members import services

    with pytest.raises(ValidationError):
        services.member_staff_edit(member=actors.a, actor=actors.staff, data={"status": "resigned"})
    assert Member.objects.get(pk=actors.a.pk).status == Member.Status.ACTIVE
    assert not AuditEntry.objects.filter(action="member.staff_edit").exists()


def test_a_stored_file_name_keeps_its_latin_digits_on_a_persian_admin_page(actors, client_as):
    """The logo's stored name is an identifier: shown left to right, untouched by the Persian
    digits every other number on the page gets."""
    Member.objects.filter(pk=actors.a.pk).update(logo="members/logos/a51ab4433b.jpg")
    client = client_as("staff")
    client.cookies["django_language"] = "fa"
    html = client.get(
        reverse("admin:members_member_change", args=[actors.a.pk]), HTTP_ACCEPT_LANGUAGE="fa"
    ).content.decode()
    assert '<code dir="ltr">members/logos/a51ab4433b.jpg</code>' in html
