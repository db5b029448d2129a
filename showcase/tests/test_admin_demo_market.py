"""Staff in the admin (hide with a reason, withdraw codes), the demo data, and the selector the
market app uses to find members that list a product."""

import io
import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.urls import reverse

from core.models import AuditEntry, Notification
from members.anonymise import member_anonymise
from members.models import County, Member
from showcase import selectors
from showcase.models import BoxCode, Listing
from showcase.tests import factories

pytestmark = pytest.mark.django_db


def test_staff_hide_a_listing_with_a_reason_and_show_it_again(actors, client_as):
    listing = factories.listing(actors.a, actors.member_a)
    client = client_as("staff")
    url = reverse("admin:showcase_listing_changelist")
    asked = client.post(url, {"action": "hide", ACTION_CHECKBOX_NAME: [listing.pk]})
    assert asked.status_code == 200 and "reason-form" in asked.content.decode()
    no_reason = client.post(url, {"action": "hide", "apply": "1", "reason": "", ACTION_CHECKBOX_NAME: [listing.pk]})
    assert no_reason.status_code == 200
    assert Listing.objects.get(pk=listing.pk).hidden_at is None
    client.post(url, {"action": "hide", "apply": "1", "reason": "عکس گمراه‌کننده", ACTION_CHECKBOX_NAME: [listing.pk]})
    listing.refresh_from_db()
    assert (listing.hidden_reason, listing.hidden_by) == ("عکس گمراه‌کننده", actors.staff)
    entry = AuditEntry.objects.get(action="showcase.listing_hide")
    assert (entry.actor, entry.note) == (actors.staff, "عکس گمراه‌کننده")
    assert Notification.objects.filter(user=actors.member_a, body="عکس گمراه‌کننده").count() == 1
    assert client_as("anonymous").get(reverse("showcase:detail", args=[listing.pk])).status_code == 404
    page = client_as("member_a").get(reverse("showcase:listing_edit", args=[listing.pk])).content.decode()
    assert "عکس گمراه‌کننده" in page
    client.post(url, {"action": "unhide", ACTION_CHECKBOX_NAME: [listing.pk]})
    assert client_as("anonymous").get(reverse("showcase:detail", args=[listing.pk])).status_code == 200
    assert AuditEntry.objects.filter(action="showcase.listing_unhide").count() == 1


def test_staff_withdraw_codes_in_the_admin(actors, client_as):
    listing = factories.listing(actors.a, actors.member_a)
    batch = factories.batch(listing, actors.member_a)
    code = batch.codes.first()
    client = client_as("staff")
    client.post(reverse("admin:showcase_boxcode_changelist"), {"action": "withdraw", ACTION_CHECKBOX_NAME: [code.pk]})
    assert BoxCode.objects.filter(revoked_at__isnull=False).count() == 1
    client.post(
        reverse("admin:showcase_labelbatch_changelist"), {"action": "withdraw", ACTION_CHECKBOX_NAME: [batch.pk]}
    )
    assert BoxCode.objects.filter(revoked_at__isnull=True).count() == 0
    found = client.get(reverse("admin:showcase_boxcode_changelist"), {"q": code.code})
    assert [row.pk for row in found.context["cl"].result_list] == [code.pk]


def test_demo_labels_green_for_the_licensed_guild_member_red_for_the_home_producer(actors, client):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    guild = Listing.objects.get(name="باقلوای قزوینی کریمی")
    home = Listing.objects.get(name="نان نخودچی خانگی مریم")
    assert Listing.objects.filter(member__user_links__user__mobile__startswith="0912").count() == 4
    states = {}
    for listing in (guild, home):
        html = client.get(reverse("verify", args=[listing.codes.first().code])).content.decode()
        states[listing.name] = re.search(r'data-state="(\w+)"', html).group(1)
    assert states == {"باقلوای قزوینی کریمی": "green", "نان نخودچی خانگی مریم": "red"}
    assert guild.photos.count() == 2 and guild.label_batches.count() == 1


def test_members_listing_product_for_the_market(actors):
    baklava, rice = factories.product(), factories.product("rice-cookies")
    factories.listing(actors.a, actors.member_a, capacity_kg_per_month=300)
    factories.listing(actors.a, actors.member_a, capacity_kg_per_month=900, name="دوم")
    factories.listing(actors.b, actors.member_b, capacity_kg_per_month=None)
    factories.listing(actors.b, actors.member_b, slug="rice-cookies", is_published=False)
    factories.licence(actors.a, [baklava])
    rows = [(m.pk, m.listed_capacity_kg, m.licence_valid_today) for m in selectors.members_listing_product(baklava)]
    assert sorted(rows) == sorted([(actors.a.pk, 900, True), (actors.b.pk, None, False)])
    assert list(selectors.members_listing_product(rice)) == []
    actors.b.county = County.AVAJ
    actors.b.save()
    assert [m.pk for m in selectors.members_listing_product(baklava, county="avaj")] == [actors.b.pk]
    actors.a.status = Member.Status.SUSPENDED
    actors.a.save()
    assert [m.pk for m in selectors.members_listing_product(baklava)] == [actors.b.pk]


def test_anonymising_a_member_takes_its_showcase_down(actors, _media_in_tmp, django_capture_on_commit_callbacks):
    listing = factories.listing(actors.a, actors.member_a, photos=2)
    code = factories.batch(listing, actors.member_a).codes.first()
    files = sorted(p.name for p in _media_in_tmp.rglob("*.jpg"))
    assert len(files) == 4
    actors.a.status = Member.Status.RESIGNED
    actors.a.save()
    with django_capture_on_commit_callbacks(execute=True):
        member_anonymise(member=actors.a, actor=actors.staff)
    listing.refresh_from_db()
    code.refresh_from_db()
    assert (listing.is_published, listing.photos.count(), code.revoked_at is not None) == (False, 0, True)
    assert "عضو الف" not in listing.search_key
    assert sorted(p.name for p in _media_in_tmp.rglob("*.jpg")) == []
