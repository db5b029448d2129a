"""The market's services: matching, the status flow, offers, acceptance, audit, notifications."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.audit import audit_entries_for
from core.models import Delivery, Notification
from core.templatetags.persian import num
from market import selectors, services
from market.models import BuyerRequest, Match, Offer, token_digest
from members.models import Member
from showcase.tests import factories as showcase

from . import factories

pytestmark = pytest.mark.django_db
R, OS = BuyerRequest.Status, Offer.Status


def _texts_to(mobile):
    """SMS queued to a number (sent by a background task after the commit)."""
    return list(Delivery.objects.filter(address=mobile, channel="sms").order_by("id").values_list("text", flat=True))


def test_create_keeps_only_the_tokens_digest_and_texts_the_private_link(actors):
    req, token = factories.buyer_request()
    assert req.status == R.PENDING
    assert req.token_hash == token_digest(token) and token not in req.token_hash
    assert len(token) >= 40
    [text] = _texts_to(factories.BUYER_MOBILE)
    assert f"http://testserver/market/b/{token}/" in text
    assert Delivery.objects.get(address=factories.BUYER_MOBILE).private is True
    [entry] = audit_entries_for(req)
    assert entry.action == "market.request_create" and entry.actor is None


def test_staff_are_told_of_a_new_request(actors):
    factories.buyer_request()
    assert Notification.objects.filter(user=actors.staff).count() == 1


def test_approval_tells_only_the_matching_members_and_never_the_buyers_contacts(actors):
    factories.matching_member(actors.a, actors.member_a)
    factories.matching_member(actors.b, actors.member_b, licensed=False)  # lists it, no licence
    req, _token = factories.approved_request(actors.staff)
    assert req.status == R.APPROVED and req.decided_by == actors.staff
    assert list(Match.objects.filter(request=req).values_list("member", flat=True)) == [actors.a.pk]
    [note] = Notification.objects.filter(user=actors.member_a)
    assert note.url == f"/market/requests/{req.pk}/"
    for secret in (req.organisation, req.contact_name, req.mobile, req.email):
        assert secret not in note.subject + note.body
    assert not Notification.objects.filter(user=actors.member_b).exists()
    assert [e.action for e in audit_entries_for(req)] == ["market.request_approve", "market.request_create"]
    # Persian digits in Persian text (the notice and the buyer's SMS)
    assert f"{num(req.quantity)} " in note.body and not re.search("[0-9]", note.body)
    assert "برای ۱ تولیدکننده" in _texts_to(factories.BUYER_MOBILE)[-1]


def test_matching_checks_status_capacity_county_and_licence(actors):
    factories.matching_member(actors.a, actors.member_a, capacity=50)
    factories.matching_member(actors.b, actors.member_b, capacity=None)
    big, _ = factories.buyer_request(quantity=100)
    assert list(selectors.matching_members(big)) == [actors.b]  # A states 50 kg a month
    small, _ = factories.buyer_request(quantity=40)
    assert set(selectors.matching_members(small)) == {actors.a, actors.b}
    elsewhere, _ = factories.buyer_request(quantity=40, county="avaj")
    assert list(selectors.matching_members(elsewhere)) == []
    Member.objects.filter(pk=actors.a.pk).update(status=Member.Status.LAPSED)
    assert list(selectors.matching_members(small)) == [actors.b]


def test_capacity_counts_boxes_of_a_product_with_a_net_weight(actors):
    product = showcase.product("baklava")
    product.default_net_grams = 500
    product.save()
    factories.matching_member(actors.a, actors.member_a, capacity=100)
    boxes, _ = factories.buyer_request(quantity=300, unit="box")  # 150 kg
    assert list(selectors.matching_members(boxes)) == []
    fewer, _ = factories.buyer_request(quantity=200, unit="box")  # 100 kg
    assert list(selectors.matching_members(fewer)) == [actors.a]


def test_reject_needs_a_reason_and_only_from_pending(actors):
    req, _ = factories.buyer_request()
    with pytest.raises(ValidationError):
        services.buyer_request_reject(buyer_request=req, actor=actors.staff, reason="  ")
    services.buyer_request_reject(buyer_request=req, actor=actors.staff, reason="تبلیغاتی")
    req.refresh_from_db()
    assert (req.status, req.rejection_reason) == (R.REJECTED, "تبلیغاتی")
    assert "تبلیغاتی" in _texts_to(factories.BUYER_MOBILE)[-1]
    with pytest.raises(ValidationError):
        services.buyer_request_approve(buyer_request=req, actor=actors.staff)


def test_offer_only_from_a_matched_member_while_open(actors):
    factories.matching_member(actors.a, actors.member_a)
    req, _ = factories.approved_request(actors.staff)
    with pytest.raises(ValidationError, match="این درخواست برای شما فرستاده نشده است."):
        factories.offer(req, actors.b, actors.member_b)
    offer = factories.offer(req, actors.a, actors.member_a, unit_price_rial=4_000_000)
    assert (offer.status, offer.unit_price_rial, offer.total_rial) == (OS.ACTIVE, 4_000_000, 400_000_000)
    assert "برای درخواست شما پیشنهاد فرستاد" in _texts_to(factories.BUYER_MOBILE)[-1]
    with pytest.raises(ValidationError):
        factories.offer(req, actors.a, actors.member_a, delivery_date=timezone.localdate() - datetime.timedelta(days=1))
    changed = factories.offer(req, actors.a, actors.member_a, unit_price_rial=3_000_000)
    assert changed.pk == offer.pk and Offer.objects.get().unit_price_rial == 3_000_000
    assert [e.action for e in audit_entries_for(offer)] == ["market.offer_update", "market.offer_create"]


def test_withdraw_and_offer_again(actors):
    factories.matching_member(actors.a, actors.member_a)
    req, _ = factories.approved_request(actors.staff)
    offer = factories.offer(req, actors.a, actors.member_a)
    services.offer_withdraw(offer=offer, actor=actors.member_a)
    offer.refresh_from_db()
    assert offer.status == OS.WITHDRAWN
    assert list(selectors.offers_for_buyer(req)) == []
    with pytest.raises(ValidationError):
        services.offer_withdraw(offer=offer, actor=actors.member_a)
    assert factories.offer(req, actors.a, actors.member_a).status == OS.ACTIVE


def test_accept_closes_the_request_and_tells_chosen_and_other_offerers(actors):
    factories.matching_member(actors.a, actors.member_a)
    factories.matching_member(actors.b, actors.member_b)
    req, _ = factories.approved_request(actors.staff)
    chosen = factories.offer(req, actors.a, actors.member_a)
    other = factories.offer(req, actors.b, actors.member_b)
    Notification.objects.all().delete()
    services.offer_accept(buyer_request=req, offer_id=chosen.pk)
    req.refresh_from_db()
    chosen.refresh_from_db()
    other.refresh_from_db()
    assert (req.status, chosen.status, other.status) == (R.CLOSED, OS.ACCEPTED, OS.NOT_CHOSEN)
    assert list(Notification.objects.filter(user=actors.member_a).values_list("subject", flat=True)) == [
        f"پیشنهاد شما را {req.organisation} پذیرفت"
    ]
    assert list(Notification.objects.filter(user=actors.member_b).values_list("subject", flat=True)) == [
        "خریدار پیشنهاد دیگری را انتخاب کرد؛ درخواست بسته شد"
    ]
    assert audit_entries_for(req).first().action == "market.offer_accept"
    with pytest.raises(ValidationError):
        services.offer_accept(buyer_request=req, offer_id=other.pk)
    with pytest.raises(ValidationError):
        factories.offer(req, actors.a, actors.member_a)
    assert selectors.outcome_counts() == {
        "requests": 1,
        "pending": 0,
        "approved": 1,
        "rejected": 0,
        "offers": 2,
        "accepted": 1,
    }


def test_accept_refuses_another_requests_offer_and_a_withdrawn_one(actors):
    factories.matching_member(actors.a, actors.member_a)
    req, _ = factories.approved_request(actors.staff)
    req2, _ = factories.approved_request(actors.staff)
    offer2 = factories.offer(req2, actors.a, actors.member_a)
    with pytest.raises(ValidationError):
        services.offer_accept(buyer_request=req, offer_id=offer2.pk)
    services.offer_withdraw(offer=offer2, actor=actors.member_a)
    with pytest.raises(ValidationError):
        services.offer_accept(buyer_request=req2, offer_id=offer2.pk)


def test_staff_close_marks_offers_not_chosen(actors):
    factories.matching_member(actors.a, actors.member_a)
    req, _ = factories.approved_request(actors.staff)
    offer = factories.offer(req, actors.a, actors.member_a)
    services.buyer_request_close(buyer_request=req, actor=actors.staff)
    offer.refresh_from_db()
    assert offer.status == OS.NOT_CHOSEN
    assert BuyerRequest.objects.get().status == R.CLOSED


def test_anonymising_a_member_clears_its_offers_notes_and_keeps_the_offers(actors):
    from members.anonymise import member_anonymise

    factories.matching_member(actors.a, actors.member_a)
    req, _ = factories.approved_request(actors.staff)
    offer = factories.offer(req, actors.a, actors.member_a, note="تماس: ۰۹۱۲۰۰۰۰۰۰۱ آقای رضایی")
    actors.a.status = Member.Status.RESIGNED
    actors.a.save()
    member_anonymise(member=actors.a, actor=actors.staff)
    offer.refresh_from_db()
    assert (offer.note, offer.quantity, offer.status) == ("", req.quantity, OS.ACTIVE)
