"""A home producer's address and mobile are private by default: they never appear in any page
or export that someone other than the estates staff (or the member's own users) can reach."""

import pytest
from django.test import Client
from django.urls import reverse

from core.persian import digits_to_persian
from members.models import ContactMessage, Member
from members.tests.factories import active_member
from tests.access import ROLES

pytestmark = pytest.mark.django_db

SECRET_ADDRESS = "کوچه محرمانه نسترن"
SECRET_MOBILE = "09187654321"
SECRET_LANDLINE = "02837776655"


@pytest.fixture
def home_producer(actors):
    return active_member(
        kind=Member.Kind.HOME,
        business_name="شیرینی خانگی نسترن",
        guild_licence_number="",
        address=SECRET_ADDRESS,
        mobile=SECRET_MOBILE,
        landline=SECRET_LANDLINE,
        postal_code="3481746319",
        contact_public=False,
        county="abyek",
    )


def _leaks(html: str) -> list[str]:
    found = []
    for secret in (SECRET_ADDRESS, "نسترن پلاک", SECRET_MOBILE, digits_to_persian(SECRET_MOBILE), SECRET_LANDLINE):
        if secret in html:
            found.append(secret)
    for secret in (digits_to_persian(SECRET_LANDLINE), "3481746319", digits_to_persian("3481746319")):
        if secret in html:
            found.append(secret)
    return found


def _public_urls(member):
    directory = reverse("members:directory")
    return [
        directory,
        f"{directory}?q=نسترن",
        f"{directory}?county=abyek",
        reverse("members:directory_detail", kwargs={"pk": member.pk}),
        reverse("home"),
    ]


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("staff", "superuser")])
def test_hidden_address_and_mobile_never_reach_non_staff(home_producer, client_as, role):
    client = client_as(role)
    for url in _public_urls(home_producer):
        response = client.get(url)
        assert (url, response.status_code, _leaks(response.content.decode())) == (url, 200, [])


def test_the_directory_shows_the_county_and_the_message_form_instead(home_producer):
    html = Client().get(reverse("members:directory_detail", kwargs={"pk": home_producer.pk})).content.decode()
    assert "آبیک" in html
    assert 'data-testid="contact-form"' in html
    assert "این تولیدکننده نشانی و شماره تلفن خود را نمایش نمی‌دهد." in html


def test_search_does_not_find_by_the_hidden_address_or_number(home_producer):
    for query in ("محرمانه", SECRET_MOBILE):
        page = Client().get(reverse("members:directory"), {"q": query}).context["page"]
        assert list(page) == []


def test_a_form_error_on_the_contact_page_reveals_nothing(home_producer):
    response = Client().post(
        reverse("members:contact", kwargs={"pk": home_producer.pk}), {"sender_name": "", "body": ""}
    )
    assert _leaks(response.content.decode()) == []


def test_the_message_and_its_notification_do_not_reveal_numbers(home_producer, client_as):
    client_as("anonymous").post(
        reverse("members:contact", kwargs={"pk": home_producer.pk}),
        {"sender_name": "خریدار", "sender_mobile": "09135550000", "body": "سلام"},
    )
    owner = home_producer.user_links.get().user
    client = Client()
    client.force_login(owner)
    dashboard = client.get(reverse("members:dashboard")).content.decode()
    assert "خریدار" in dashboard
    assert "09135550000" not in dashboard and digits_to_persian("09135550000") not in dashboard
    assert ContactMessage.objects.get().sender_mobile == "09135550000"  # kept for the relay only


def test_non_staff_cannot_export_the_registry(home_producer, client_as):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    url = reverse("admin:members_member_changelist")
    for role in ("anonymous", "applicant", "member_a", "member_b", "union_head", "panelist"):
        for action in ("export_csv", "export_xlsx"):
            response = client_as(role).post(url, {"action": action, ACTION_CHECKBOX_NAME: [home_producer.pk]})
            assert (role, response.status_code, _leaks(response.content.decode("utf-8", "replace"))) == (
                role,
                302,
                [],
            )


def test_a_guild_member_that_shows_contact_details_does_show_them(actors):
    member = active_member(address="قزوین، بازار قیصریه", landline="02833334444", contact_public=True)
    html = Client().get(reverse("members:directory_detail", kwargs={"pk": member.pk})).content.decode()
    assert "قزوین، بازار قیصریه" in html
    assert digits_to_persian("02833334444") in html


def test_a_home_producer_may_choose_to_show_them(home_producer):
    Member.objects.filter(pk=home_producer.pk).update(contact_public=True)
    html = Client().get(reverse("members:directory_detail", kwargs={"pk": home_producer.pk})).content.decode()
    assert SECRET_ADDRESS in html
