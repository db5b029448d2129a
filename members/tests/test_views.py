import re

import pytest
from django.test import Client
from django.urls import reverse

from catalogue.models import Product
from core import sms
from core.models import Notification
from core.persian import digits_to_persian
from members import extensions
from members.demo import national_id
from members.models import ChangeRequest, ContactMessage, Invitation, Member, MemberUser, User
from members.tests.factories import active_member, give_logo, png_upload

pytestmark = pytest.mark.django_db

JOIN = "/members/join/"
NEW_ID = national_id(123456780)
NEW_ID_TYPED = digits_to_persian(NEW_ID)


def application(**overrides):
    """What a home producer types, in Persian digits and Arabic letters."""
    data = {
        "kind": "home",
        "business_name": "شيريني خانگي ياس",  # Arabic ي
        "brand": "یاس",
        "owner_name": "یاسمن کریمی",
        "owner_national_id": "۰۰۱۲۳۴۵۶۷۹",
        "legal_entity_id": "",
        "guild_licence_number": "",
        "mobile": "۰۹۱۲ ۳۴۵ ۶۷۸۹",
        "landline": "",
        "county": "takestan",
        "address": "تاکستان، کوچه ياس، پلاک ۴",
        "postal_code": "۳۴۸۱۷-۴۶۳۱۹",
        "monthly_capacity_kg": "۱۲۰",
        "workers_count": "۲",
        "website": "",
        "instagram": "@yas_sweets",
        "telegram": "",
        "directory_opt_in": "on",
        "full_name": "یاسمن کریمی",
        "user_mobile": "+98 912 345 6789",
        "email": "",
        "password1": "shirini-1405!",
        "password2": "shirini-1405!",
    }
    data.update(overrides)
    return data


def sent_code(mobile):
    """The last SMS code sent to `mobile` (the locmem SMS backend's outbox)."""
    texts = [message["text"] for message in sms.outbox if message["to"] == mobile]
    return re.findall(r"\b(\d{6})\b", texts[-1])[0]


def apply_and_verify(client, data, mobile="09123456789"):
    """Send the application, then the SMS code sent to the applicant's number: the response to
    the code (a redirect to the dashboard when the application was sent)."""
    response = client.post(JOIN, data)
    assert (response.status_code, response["Location"]) == (302, reverse("members:join_verify")), (
        getattr(response, "context", None) and response.context["form"].errors
    )
    return client.post(reverse("members:join_verify"), {"code": sent_code(mobile)})


def fa_client(user=None):
    client = Client(HTTP_ACCEPT_LANGUAGE="fa")
    client.cookies["django_language"] = "fa"
    if user is not None:
        client.force_login(user)
    return client


def test_join_page_shows_the_form_in_persian():
    response = fa_client().get(JOIN)
    html = response.content.decode()
    assert response.status_code == 200
    assert "درخواست عضویت" in html
    assert 'name="owner_national_id"' in html and 'inputmode="numeric"' in html


def test_join_redirects_signed_in_users(actors, client_as):
    assert client_as("member_a").get(JOIN)["Location"] == reverse("members:dashboard")
    assert client_as("panelist").get(JOIN)["Location"] == reverse("home")


def test_join_with_persian_digits_creates_a_normalised_application_and_signs_in(actors):
    baklava = Product.objects.get(slug="baklava")
    client = fa_client()
    response = apply_and_verify(
        client, {**application(owner_national_id=NEW_ID_TYPED), "products": [baklava.pk], "logo": png_upload()}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("members:dashboard")
    member = Member.objects.get(owner_national_id=NEW_ID)
    assert (member.business_name, member.mobile, member.postal_code, member.monthly_capacity_kg) == (
        "شیرینی خانگی یاس",
        "09123456789",
        "3481746319",
        120,
    )
    assert (member.status, member.kind, member.contact_public, member.instagram) == (
        "applied",
        "home",
        False,
        "yas_sweets",
    )
    assert list(member.products.all()) == [baklava]
    assert member.logo and member.logo_thumbnail
    user = User.objects.get(mobile="09123456789")
    assert client.session["_auth_user_id"] == str(user.pk)
    page = client.get(reverse("members:dashboard")).content.decode()
    assert "در انتظار تأیید" in page
    assert "ویرایش مشخصات" not in page
    assert Notification.objects.filter(user=actors.staff, subject="درخواست عضویت جدید: شیرینی خانگی یاس").count() == 1


def test_join_duplicate_national_id_names_it_and_keeps_what_was_typed(actors):
    # actors.a's owner has national ID 0012345679
    response = fa_client().post(JOIN, application(owner_national_id="۰۰۱۲۳۴۵۶۷۹"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "با این کد ملی قبلاً درخواست عضویت ثبت شده است." in html
    assert 'value="شيريني خانگي ياس"' in html
    assert 'value="shirini-1405!"' in html  # the passwords too
    assert Member.objects.count() == 3


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("owner_national_id", "۱۲۳۴۵۶۷۸۹۰", "کد ملی ده‌رقمی معتبر وارد کنید."),
        ("postal_code", "۱۲۳", "کد پستی ده‌رقمی معتبر وارد کنید."),
        ("mobile", "۱۲۳۴", "شماره همراه را مانند ۰۹۱۲۱۲۳۴۵۶۷ وارد کنید."),
        ("legal_entity_id", "12345678901", "شناسه ملی یازده‌رقمی معتبر وارد کنید."),
        ("landline", "۱۲", "شماره تلفن ثابت را با پیش‌شماره وارد کنید، مانند ۰۲۸۳۳۳۳۴۴۴۴."),
    ],
)
def test_join_names_the_invalid_identifier(db, field, value, message):
    response = fa_client().post(JOIN, application(**{field: value}))
    assert response.context["form"].errors[field] == [message]
    html = response.content.decode()
    assert message in html
    assert 'value="شيريني خانگي ياس"' in html  # exactly as typed
    assert Member.objects.count() == 0


def test_join_guild_needs_a_licence_number_and_duplicate_licences_are_named(actors):
    Member.objects.filter(pk=actors.a.pk).update(guild_licence_number="QZ-1")
    response = fa_client().post(JOIN, application(kind="guild"))
    assert response.context["form"].errors["guild_licence_number"] == [
        "واحد صنفی باید شماره پروانه کسب خود را وارد کند."
    ]
    response = fa_client().post(JOIN, application(kind="guild", guild_licence_number="qz-1"))
    assert response.context["form"].errors["guild_licence_number"] == [
        "با این شماره پروانه کسب قبلاً درخواست عضویت ثبت شده است."
    ]


def test_join_duplicate_mobile_and_existing_account(actors):
    response = fa_client().post(JOIN, application(mobile=actors.a.mobile, user_mobile=actors.member_a.mobile))
    errors = response.context["form"].errors
    assert errors["mobile"] == ["با این شماره همراه قبلاً درخواست عضویت ثبت شده است."]
    assert errors["user_mobile"] == ["حسابی با این شماره همراه وجود دارد. وارد سامانه شوید یا شماره دیگری وارد کنید."]


def test_join_rejects_a_logo_that_is_not_an_image(db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("logo.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    response = fa_client().post(JOIN, {**application(), "logo": fake})
    assert response.context["form"].errors["logo"] == ["این پرونده تصویر JPEG، PNG یا WebP معتبری نیست."]
    assert Member.objects.count() == 0


def test_join_works_in_english():
    client = Client()
    client.cookies["django_language"] = "en"
    response = client.post(JOIN, application(owner_national_id="1"))
    assert "Enter a valid 10-digit national ID." in response.content.decode()


def test_applicant_sees_awaiting_approval_and_nothing_else(actors, client_as):
    client = client_as("applicant")
    html = client.get(reverse("members:dashboard")).content.decode()
    assert 'data-testid="awaiting-approval"' in html
    for name in ("members:edit", "members:change_request", "members:colleague_invite"):
        assert client.get(reverse(name)).status_code == 403


def test_rejected_applicant_sees_the_reason(actors, client_as):
    from members import services

    services.member_reject(member=actors.applicant_member, actor=actors.staff, reason="پروانه ارائه نشد")
    html = client_as("applicant").get(reverse("members:dashboard")).content.decode()
    assert "پروانه ارائه نشد" in html


def test_dashboard_shows_status_number_and_the_apps_sections(actors, client_as, monkeypatch):
    def member_dashboard_section(*, request, member):
        return {
            "title": "My events",
            "template": "members/_status_badge.html",
            "context": {"member": member},
            "order": 10,
        }

    monkeypatch.setattr(extensions, "_dashboard_sections", [member_dashboard_section])
    html = client_as("member_a").get(reverse("members:dashboard")).content.decode()
    assert 'data-testid="membership-number"><bdi dir="ltr">۱</bdi>' in html
    assert '<div class="card-header fw-semibold">My events</div>' in html
    assert html.count('data-testid="member-status"') == 2  # the summary and the section


def test_dashboard_of_a_suspended_member_has_no_app_sections(actors, client_as, monkeypatch):
    section = {"title": "X", "template": "members/_status_badge.html"}
    monkeypatch.setattr(extensions, "_dashboard_sections", [lambda **kwargs: section])
    Member.objects.filter(pk=actors.a.pk).update(status="suspended")
    html = client_as("member_a").get(reverse("members:dashboard")).content.decode()
    assert 'data-testid="dashboard-section"' not in html
    assert client_as("member_a").get(reverse("members:edit")).status_code == 403


def test_profile_edit_saves_and_keeps_identity_locked(actors, client_as):
    client = client_as("member_a")
    page = client.get(reverse("members:edit")).content.decode()
    assert 'name="owner_national_id"' in page and "disabled" in page
    response = client.post(
        reverse("members:edit"),
        {
            "kind": "home",
            "owner_national_id": "0023456787",
            "business_name": "کارگاه تازه",
            "owner_name": "عضو الف",
            "mobile": actors.a.mobile,
            "county": "avaj",
            "address": "آوج، خیابان اصلی",
            "monthly_capacity_kg": "۳۰۰",
            "directory_opt_in": "on",
            "contact_public": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    actors.a.refresh_from_db()
    assert (actors.a.business_name, actors.a.county, actors.a.monthly_capacity_kg) == ("کارگاه تازه", "avaj", 300)
    assert (actors.a.kind, actors.a.owner_national_id) == ("guild", "0012345679")


def test_change_request_form_validates_the_new_value(actors, client_as):
    client = client_as("member_a")
    response = client.post(
        reverse("members:change_request"), {"field": "owner_national_id", "new_value": "123", "reason": "x"}
    )
    assert response.context["form"].errors["new_value"] == ["کد ملی ده‌رقمی معتبر وارد کنید."]
    response = client.post(
        reverse("members:change_request"),
        {"field": "owner_national_id", "new_value": "۰۰۴۵۶۷۸۹۱۱", "reason": "اشتباه در ثبت"},
    )
    assert response.status_code == 302
    request = ChangeRequest.objects.get()
    assert (request.new_value, request.old_value, request.status) == ("0045678911", "0012345679", "pending")


def test_owner_invites_and_removes_a_colleague_through_the_pages(actors, client_as):
    client = client_as("member_a")
    response = client.post(reverse("members:colleague_invite"), {"full_name": "همکار تازه", "mobile": "۰۹۱۳۷۷۷۰۰۰۹"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    anonymous = Client()
    accept_url = reverse("members:invitation_accept", kwargs={"token": invitation.token})
    assert "همکار تازه" in anonymous.get(accept_url).content.decode()
    response = anonymous.post(
        accept_url, {"full_name": "همکار تازه", "password1": "shirini-1405!", "password2": "shirini-1405!"}
    )
    assert response["Location"] == reverse("members:dashboard")
    link = MemberUser.objects.get(user__mobile="09137770009")
    assert (link.member, link.role) == (actors.a, "colleague")
    # The colleague sees the dashboard but may not invite.
    colleague = Client()
    colleague.force_login(link.user)
    assert colleague.get(reverse("members:dashboard")).status_code == 200
    assert colleague.get(reverse("members:colleague_invite")).status_code == 403
    assert colleague.post(reverse("members:colleague_remove", kwargs={"pk": link.pk})).status_code == 403
    # The link is used up.
    assert anonymous.get(accept_url).status_code == 404
    response = client.post(reverse("members:colleague_remove", kwargs={"pk": link.pk}))
    assert response.status_code == 302
    assert not MemberUser.objects.filter(pk=link.pk).exists()


def test_owner_cannot_remove_themselves(actors, client_as):
    owner_link = actors.a.user_links.get()
    client_as("member_a").post(reverse("members:colleague_remove", kwargs={"pk": owner_link.pk}))
    assert MemberUser.objects.filter(pk=owner_link.pk).exists()


def test_directory_lists_only_active_opted_in_members(actors):
    hidden = active_member(directory_opt_in=False, business_name="واحد پنهان")
    html = Client().get(reverse("members:directory")).content.decode()
    assert actors.a.business_name in html and actors.b.business_name in html
    assert actors.applicant_member.business_name not in html
    assert hidden.business_name not in html
    assert Client().get(reverse("members:directory_detail", kwargs={"pk": hidden.pk})).status_code == 404
    detail = reverse("members:directory_detail", kwargs={"pk": actors.applicant_member.pk})
    assert Client().get(detail).status_code == 404


def test_directory_search_ignores_arabic_letters_and_zwnj(db):
    active_member(business_name="نان‌برنجی کوثر")
    active_member(business_name="باقلوای قزوین")
    for query in ("نان برنجي", "نان‌برنجی", "كوثر"):
        page = Client().get(reverse("members:directory"), {"q": query}).context["page"]
        assert [m.business_name for m in page] == ["نان‌برنجی کوثر"]


def test_directory_filters_by_product_and_county(db):
    baklava = Product.objects.get(slug="baklava")
    rice = Product.objects.get(slug="rice-cookies")
    first = active_member(business_name="الف", county="avaj", products=[baklava])
    active_member(business_name="ب", county="qazvin", products=[baklava, rice])
    active_member(business_name="پ", county="avaj", products=[rice])
    page = Client().get(reverse("members:directory"), {"product": baklava.pk, "county": "avaj"}).context["page"]
    assert list(page) == [first]
    page = Client().get(reverse("members:directory"), {"product": baklava.pk}).context["page"]
    assert [m.business_name for m in page] == ["الف", "ب"]


def test_directory_is_paginated(db):
    for n in range(14):
        active_member(business_name=f"واحد {n:02d}")
    first = Client().get(reverse("members:directory")).context["page"]
    second = Client().get(reverse("members:directory"), {"page": 2}).context["page"]
    assert (len(first), len(second), first.paginator.num_pages) == (12, 2, 2)


def test_contact_form_sends_and_is_rate_limited(actors):
    client = Client()
    url = reverse("members:contact", kwargs={"pk": actors.b.pk})
    data = {"sender_name": "خریدار", "sender_mobile": "۰۹۱۳۵۵۵۰۰۰۰", "body": "سفارش ۱۰ کیلو"}
    for _n in range(5):
        assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 429
    message = ContactMessage.objects.first()
    assert (message.sender_mobile, message.body) == (
        "09135550000",
        "سفارش ۱۰ کیلو",
    )  # the message as typed; the mobile normalised


def test_contact_form_errors_keep_the_message(actors):
    response = Client().post(
        reverse("members:contact", kwargs={"pk": actors.b.pk}),
        {"sender_name": "خریدار", "sender_mobile": "123", "body": "متن پیام من"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "متن پیام من" in html
    assert response.context["form"].errors["sender_mobile"] == ["شماره همراه را مانند ۰۹۱۲۱۲۳۴۵۶۷ وارد کنید."]


def test_member_replies_to_a_message(actors, client_as):
    message = ContactMessage.objects.create(member=actors.a, sender_name="x", sender_mobile="09135550000", body="y")
    client_as("member_a").post(reverse("members:message_reply", kwargs={"pk": message.pk}), {"body": "پاسخ"})
    message.refresh_from_db()
    assert (message.reply, message.replied_by) == ("پاسخ", actors.member_a)


def test_logo_of_an_unlisted_member_is_only_for_its_users_and_staff(actors, client_as):
    give_logo(actors.applicant_member)
    url = reverse("members:logo", kwargs={"pk": actors.applicant_member.pk, "variant": "full"})
    assert client_as("anonymous").get(url).status_code == 404
    assert client_as("member_a").get(url).status_code == 404
    response = client_as("applicant").get(url)
    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")
    assert response["Cache-Control"] == "private, no-store"  # never kept by a shared cache
    assert client_as("staff").get(url).status_code == 200
    bad = reverse("members:logo", kwargs={"pk": actors.applicant_member.pk, "variant": "other"})
    assert client_as("staff").get(bad).status_code == 404


def test_join_form_offers_the_product_catalogue(db):
    html = fa_client().get(JOIN).content.decode()
    baklava = Product.objects.get(slug="baklava")
    assert f'name="products" value="{baklava.pk}"' in html
    assert "باقلوا</label>" in html


def test_owner_withdraws_an_invitation_and_the_link_stops_working(actors, client_as):
    client = client_as("member_a")
    client.post(reverse("members:colleague_invite"), {"full_name": "همکار", "mobile": "09137770010"})
    invitation = Invitation.objects.get()
    assert "همکار" in client.get(reverse("members:dashboard")).content.decode()
    client.post(reverse("members:invitation_cancel", kwargs={"pk": invitation.pk}))
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    assert Client().get(reverse("members:invitation_accept", kwargs={"token": invitation.token})).status_code == 404
