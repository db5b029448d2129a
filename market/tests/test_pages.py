"""The market's pages: the buyer's form with its SMS code step, the private link, the members'
requests and offers, staff's summary and export; constant query counts."""

import re

import jdatetime
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core import sms
from core.audit import audit_entries_for
from market.models import BuyerRequest, Offer
from showcase.tests import factories as showcase

from . import factories

pytestmark = pytest.mark.django_db

NEW, VERIFY = "/market/buy/", "/market/buy/verify/"
FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def fa_client(user=None):
    client = Client(HTTP_ACCEPT_LANGUAGE="fa")
    client.cookies["django_language"] = "fa"
    if user is not None:
        client.force_login(user)
    return client


def form_data(**overrides):
    deadline = jdatetime.date.fromgregorian(date=timezone.localdate() + timezone.timedelta(days=20))
    return {
        "buyer_kind": "souvenir",
        "organisation": "سوغاتی كاروانسرا",  # Arabic kaf: normalised
        "contact_name": "آقای محمدی",
        "mobile": "۰۹۱۲ ۱۱۱ ۰۰۰۰",
        "email": "",
        "product": str(showcase.product("baklava").pk),
        "quantity": "۱۲۰",
        "unit": "kg",
        "deadline": deadline.strftime("%Y/%m/%d").translate(FA_DIGITS),
        "county": "",
        "packaging": "جعبه ۵۰۰ گرمی با چاپ نام فروشگاه",
        "note": "",
        **overrides,
    }


def sent_code(mobile):
    return re.findall(r"\b(\d{6})\b", [m["text"] for m in sms.outbox if m["to"] == mobile][-1])[0]


def test_buyer_posts_after_the_code_and_lands_on_the_private_page(db):
    client = fa_client()
    response = client.post(NEW, form_data())
    assert (response.status_code, response["Location"]) == (302, VERIFY)
    assert BuyerRequest.objects.count() == 0
    page = client.get(VERIFY).content.decode()
    assert '<bdi dir="ltr" class="fw-semibold">۰۹۱۲۱۱۱۰۰۰۰</bdi>' in page
    assert "سوغاتی کاروانسرا" in page
    # A wrong code: a translated message, a try less; nothing is created.
    response = client.post(VERIFY, {"code": "۰۰۰۰۰۰" if sent_code("09121110000") != "000000" else "111111"})
    assert response.status_code == 200 and "کد درست نیست" in response.content.decode()
    # Back to the form: everything as typed.
    page = client.get(NEW).content.decode()
    assert 'value="سوغاتی كاروانسرا"' in page and "جعبه ۵۰۰ گرمی با چاپ نام فروشگاه" in page
    response = client.post(VERIFY, {"code": sent_code("09121110000")})
    req = BuyerRequest.objects.get()
    assert (req.organisation, req.mobile, req.quantity, req.status) == (
        "سوغاتی کاروانسرا",
        "09121110000",
        120,
        BuyerRequest.Status.PENDING,
    )
    token = response["Location"].split("/")[-2]
    assert response["Location"] == f"/market/b/{token}/"
    page = client.get(response["Location"])
    assert page.status_code == 200 and {"private", "no-store"} <= set(page["Cache-Control"].replace(" ", "").split(","))
    body = page.content.decode()
    assert "در انتظار بررسی" in body and "noindex" in body
    assert audit_entries_for(req).get().action == "market.request_create"


def test_bad_input_is_named_and_nothing_is_sent(db):
    past = jdatetime.date.fromgregorian(date=timezone.localdate() - timezone.timedelta(days=2))
    response = fa_client().post(
        NEW, form_data(mobile="12345", quantity="0", deadline=past.strftime("%Y/%m/%d"), organisation="")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"mobile", "quantity", "deadline", "organisation"}
    assert "تاریخ نمی‌تواند گذشته باشد." in form.errors["deadline"]
    assert sms.outbox == [] and BuyerRequest.objects.count() == 0
    assert 'value="سوغاتی کاروانسرا"' not in response.content.decode()
    assert "جعبه ۵۰۰ گرمی با چاپ نام فروشگاه" in response.content.decode()


def test_the_form_is_rate_limited(db):
    client = fa_client()
    for _ in range(20):
        client.post(NEW, form_data(quantity=""))
    assert client.post(NEW, form_data(quantity="")).status_code == 429


def test_private_link_404s_for_a_wrong_token_and_for_members(actors):
    req, token = factories.buyer_request()
    assert Client().get(f"/market/b/{token}/").status_code == 200
    assert Client().get(f"/market/b/{token[:-1]}x/").status_code == 404
    assert Client().get(f"/market/b/{req.token_hash}/").status_code == 404  # the digest is no link
    assert Client().get("/market/b/x/").status_code == 404
    assert fa_client(actors.member_a).get(f"/market/b/{token}/").status_code == 404


def test_member_sees_the_request_without_contacts_until_accepted(actors):
    factories.matching_member(actors.a, actors.member_a)
    req, token = factories.approved_request(actors.staff)
    client = fa_client(actors.member_a)
    listing = client.get("/market/requests/").content.decode()
    assert req.get_absolute_url() in listing
    page = client.get(req.get_absolute_url()).content.decode()
    for secret in (req.organisation, req.contact_name, "۰۹۱۲۱۱۱۰۰۰۰", req.mobile, req.email):
        assert secret not in page
    # An offer typed in Toman with Persian digits and separators: stored in Rials.
    delivery = jdatetime.date.fromgregorian(date=timezone.localdate() + timezone.timedelta(days=5))
    response = client.post(
        req.get_absolute_url(),
        {"quantity": "۱۰۰", "unit_price_rial": "۳۵۰٬۰۰۰", "delivery_date": delivery.strftime("%Y/%m/%d"), "note": ""},
    )
    assert response.status_code == 302
    offer = Offer.objects.get()
    assert (offer.quantity, offer.unit_price_rial, offer.created_by) == (100, 3_500_000, actors.member_a)
    buyer_page = Client().get(f"/market/b/{token}/").content.decode()
    assert actors.a.business_name in buyer_page and "۳۵۰٬۰۰۰ تومان" in buyer_page
    assert actors.a.mobile not in buyer_page and "producer-contacts" not in buyer_page
    response = Client().post(f"/market/b/{token}/accept/{offer.pk}/")
    assert response.status_code == 302
    page = client.get(req.get_absolute_url()).content.decode()
    assert req.organisation in page and req.contact_name in page and "۰۹۱۲۱۱۱۰۰۰۰" in page
    buyer_page = Client().get(f"/market/b/{token}/").content.decode()
    assert 'data-testid="producer-contacts"' in buyer_page and actors.a.owner_name in buyer_page


def test_an_unmatched_member_gets_404_and_cannot_offer(actors):
    factories.matching_member(actors.a, actors.member_a)
    req, _ = factories.approved_request(actors.staff)
    client = fa_client(actors.member_b)
    assert client.get("/market/requests/").content.decode().count('data-testid="request-item"') == 0
    response = client.post(
        req.get_absolute_url(), {"quantity": "1", "unit_price_rial": "1", "delivery_date": "1499/01/01"}
    )
    assert response.status_code == 404 and Offer.objects.count() == 0


def test_pending_request_is_not_shown_to_members(actors):
    factories.matching_member(actors.a, actors.member_a)
    req, _ = factories.buyer_request()
    assert fa_client(actors.member_a).get(req.get_absolute_url()).status_code == 404


def test_withdraw_through_the_page(actors):
    factories.matching_member(actors.a, actors.member_a)
    req, _ = factories.approved_request(actors.staff)
    factories.offer(req, actors.a, actors.member_a)
    response = fa_client(actors.member_a).post(reverse("market:offer_withdraw", args=[req.pk]))
    assert response.status_code == 302
    assert Offer.objects.get().status == Offer.Status.WITHDRAWN


def test_admin_actions_approve_and_reject_with_reason(actors, client_as):
    factories.matching_member(actors.a, actors.member_a)
    first, _ = factories.buyer_request()
    second, _ = factories.buyer_request(organisation="تبلیغ")
    client = client_as("staff")
    url = reverse("admin:market_buyerrequest_changelist")
    client.post(url, {"action": "approve", "_selected_action": [first.pk], "reason": ""})
    client.post(url, {"action": "reject", "_selected_action": [second.pk], "reason": ""})
    second.refresh_from_db()
    assert second.status == BuyerRequest.Status.PENDING  # no reason: refused
    client.post(url, {"action": "reject", "_selected_action": [second.pk], "reason": "آگهی تبلیغاتی"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status, second.rejection_reason) == ("approved", "rejected", "آگهی تبلیغاتی")
    page = client.get(url).content.decode()
    assert 'data-testid="market-counts"' in page
    assert client.get(reverse("admin:market_offer_changelist")).status_code == 200


def test_staff_export_csv(actors, client_as):
    factories.matching_member(actors.a, actors.member_a)
    req, token = factories.approved_request(actors.staff)
    offer = factories.offer(req, actors.a, actors.member_a)
    from market import services

    services.offer_accept(buyer_request=req, offer_id=offer.pk)
    response = client_as("staff").get("/market/staff/export.csv")
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    lines = text.strip().splitlines()
    assert len(lines) == 2 and lines[1].split(",")[0] == str(req.pk)
    assert "350000" in lines[1] and actors.a.business_name in lines[1]


def _more_requests(actors, n):
    for _ in range(n):
        req, _token = factories.approved_request(actors.staff)
        factories.offer(req, actors.a, actors.member_a)


def test_query_counts_do_not_grow_with_rows(actors, client_as, django_assert_num_queries):
    factories.matching_member(actors.a, actors.member_a)
    _more_requests(actors, 1)
    client = fa_client(actors.member_a)
    staff = client_as("staff")
    counts = {}
    for name, c, url in [
        ("list", client, "/market/requests/"),
        ("staff", staff, "/market/staff/"),
        ("export", staff, "/market/staff/export.csv"),
    ]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        c.get(url)  # the first request of a session does its own one-off work
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        counts[name] = len(ctx.captured_queries)
    _more_requests(actors, 5)
    for name, c, url in [
        ("list", client, "/market/requests/"),
        ("staff", staff, "/market/staff/"),
        ("export", staff, "/market/staff/export.csv"),
    ]:
        c.get(
            url
        )  # the new rows renewed the cached navigation state (unread count, member): read once, as before the first count
        with django_assert_num_queries(counts[name]):
            assert c.get(url).status_code == 200


def test_buyer_page_query_count_is_constant(actors, django_assert_num_queries):
    factories.matching_member(actors.a, actors.member_a)
    factories.matching_member(actors.b, actors.member_b)
    req, token = factories.approved_request(actors.staff)
    factories.offer(req, actors.a, actors.member_a)
    client = Client()
    client.get(f"/market/b/{token}/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(f"/market/b/{token}/")
    factories.offer(req, actors.b, actors.member_b)
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(f"/market/b/{token}/").status_code == 200


def test_a_member_cannot_pose_as_a_buyer(actors):
    """Competition law: a member's own number is refused before any code is sent (a member posing
    as a buyer would see what other members offer), and by the service itself."""
    from django.core.exceptions import ValidationError

    from market import services

    member_mobile = actors.member_b.mobile
    response = fa_client().post(NEW, form_data(mobile=member_mobile))
    assert response.status_code == 200
    assert response.context["form"].errors["mobile"] == [
        "این شماره به حساب یکی از اعضای خوشه تعلق دارد. اعضا نمی‌توانند درخواست خرید ثبت کنند: "
        "پیشنهادهای اعضای دیگر فقط برای خریدار است."
    ]
    assert sms.outbox == [] and BuyerRequest.objects.count() == 0
    assert "جعبه ۵۰۰ گرمی با چاپ نام فروشگاه" in response.content.decode()  # nothing typed is lost
    data = {**form_data(), "mobile": member_mobile, "product": showcase.product("baklava"), "quantity": 5}
    with pytest.raises(ValidationError):
        services.buyer_request_create(data=data, base_url="http://testserver/")
    assert BuyerRequest.objects.count() == 0
