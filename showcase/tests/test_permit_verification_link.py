"""A box label's page (/v/<code>/) shares the licence's own public verification page
(permits:verify): the licence number links to it, and both turn red when it is suspended."""

from django.urls import reverse
from django.utils import timezone

from permits import services as permit_services
from showcase.tests import factories


def test_a_box_label_links_to_its_licence_verification_page(actors, client):
    listing = factories.listing(actors.a, actors.member_a)
    permit = factories.licence(actors.a, [listing.product], number="FDO-1404-77")
    box = factories.batch(listing, actors.member_a).codes.first()
    html = client.get(reverse("verify", args=[box.code])).content.decode()
    assert f'href="{permit.get_verify_url()}"' in html
    permit_services.permit_status_set(
        permit=permit, actor=actors.staff, suspended_from=timezone.localdate(), status_note="تعلیق"
    )
    assert 'data-state="red"' in client.get(reverse("verify", args=[box.code])).content.decode()
    assert 'data-state="red"' in client.get(permit.get_verify_url()).content.decode()
