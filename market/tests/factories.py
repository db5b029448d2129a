"""Test data for the market (real models, real services)."""

import datetime

from django.utils import timezone

from market import services
from market.models import BuyerRequest
from showcase.tests import factories as showcase

BASE_URL = "http://testserver/"
BUYER_MOBILE = "09121110000"


def request_data(**overrides) -> dict:
    return {
        "buyer_kind": BuyerRequest.BuyerKind.HOTEL,
        "organisation": "هتل آزمایشی",
        "contact_name": "خانم رضایی",
        "mobile": BUYER_MOBILE,
        "email": "buyer@example.com",
        "product": showcase.product("baklava"),
        "quantity": 100,
        "unit": "kg",
        "deadline": timezone.localdate() + datetime.timedelta(days=30),
        "county": "",
        "packaging": "جعبه‌های ۵۰۰ گرمی",
        "note": "",
        **overrides,
    }


def matching_member(member, user, *, capacity=500, slug="baklava", licensed=True):
    """The member lists the product (with a stated capacity) and holds a licence for it."""
    showcase.listing(member, user, slug=slug, capacity_kg_per_month=capacity)
    if licensed:
        showcase.licence(member, [showcase.product(slug)])
    return member


def buyer_request(**overrides) -> tuple[BuyerRequest, str]:
    return services.buyer_request_create(data=request_data(**overrides), base_url=BASE_URL)


def approved_request(staff, **overrides) -> tuple[BuyerRequest, str]:
    req, token = buyer_request(**overrides)
    services.buyer_request_approve(buyer_request=req, actor=staff)
    req.refresh_from_db()
    return req, token


def offer(req, member, user, **overrides):
    data = {
        "quantity": req.quantity,
        "unit_price_rial": 3_500_000,
        "delivery_date": timezone.localdate() + datetime.timedelta(days=10),
        "note": "",
        **overrides,
    }
    return services.offer_submit(buyer_request=req, member=member, actor=user, data=data)
