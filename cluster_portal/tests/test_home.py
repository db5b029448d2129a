import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from news import services
from news.models import ContactDetails

pytestmark = pytest.mark.django_db


def test_home_shows_the_contact_details_and_a_public_upcoming_event(client):
    services.contact_details_save(details=ContactDetails(organisation="شرکت شهرک‌ها", phone="028-3355-0000"), actor=None)
    Event.objects.create(
        title="بازارچه عمومی",
        starts_at=timezone.now() + datetime.timedelta(days=3),
        ends_at=timezone.now() + datetime.timedelta(days=3, hours=4),
        venue="سبزه‌میدان",
        audience=Event.Audience.PUBLIC,
        status=Event.Status.PUBLISHED,
    )
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="contact-details"' in html
    assert '<bdi dir="ltr">۰۲۸-۳۳۵۵-۰۰۰۰</bdi>' in html
    assert "بازارچه عمومی" in html


def test_home_offers_each_role_its_entry_points(client_as):
    def links(role):
        html = client_as(role).get(reverse("home")).content.decode()
        section = html[
            html.index('data-testid="entry-points"') : html.index(
                "</section>", html.index('data-testid="entry-points"')
            )
        ]
        return [
            href
            for href in (
                reverse("members:dashboard"),
                reverse("pricing:my_prices"),
                reverse("pricing:review"),
                reverse("pricing:report"),
                reverse("permits:dashboard"),
                reverse("admin:index"),
            )
            if f'href="{href}"' in section
        ]

    assert links("member_a") == [reverse("members:dashboard"), reverse("pricing:my_prices")]
    assert links("union_head") == [reverse("pricing:review"), reverse("pricing:report")]
    assert links("staff") == [reverse("pricing:report"), reverse("permits:dashboard"), reverse("admin:index")]
    assert links("applicant") == [reverse("members:dashboard")]


def test_visitors_see_no_entry_points(client):
    assert 'data-testid="entry-points"' not in client.get(reverse("home")).content.decode()


def test_a_visitors_home_is_kept_rendered_and_renewed_by_a_news_item_an_event_or_the_contact(client, client_as):
    """Visitors: the second view costs no query, with its own CSRF token; saving a news item, an
    event or the contact details shows at once; a signed-in user's home is never the cached one."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from news.models import NewsItem

    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("home"))
        other = Client().get(reverse("home"))
    assert len(queries) == 0
    token = 'name="csrfmiddlewaretoken" value="'
    assert first.content.decode().split(token)[1][:64] != other.content.decode().split(token)[1][:64]
    NewsItem.objects.create(title="خبر تازه خوشه", body="متن", published_on=timezone.localdate())
    assert "خبر تازه خوشه" in client.get(reverse("home")).content.decode()
    Event.objects.create(
        title="نمایشگاه تازه",
        starts_at=timezone.now() + datetime.timedelta(days=2),
        ends_at=timezone.now() + datetime.timedelta(days=2, hours=3),
        venue="سبزه‌میدان",
        audience=Event.Audience.PUBLIC,
        status=Event.Status.PUBLISHED,
    )
    assert "نمایشگاه تازه" in client.get(reverse("home")).content.decode()
    services.contact_details_save(details=ContactDetails(organisation="دفتر تازه شهرک", phone="028-1"), actor=None)
    assert "دفتر تازه شهرک" in client.get(reverse("home")).content.decode()
    member_html = client_as("member_a").get(reverse("home")).content.decode()
    assert "csrf-placeholder" not in member_html and 'href="/members/me/"' in member_html
