"""Demo buyer requests (idempotent): a hotel asks for 50 kg of baklava (approved; the demo guild
workshop 09120000001, which lists baklava with a valid licence, is matched and has offered),
and a souvenir shop's request awaits review. Each buyer's private link is printed once, when
it is made (only its digest is kept)."""

import datetime

from django.utils import timezone

from catalogue.models import Product
from members.models import Member, User

from . import services
from .models import BuyerRequest

HOTEL = "هتل نمونه قزوین"
SHOP = "سوغاتی دروازه درب کوشک"
BASE_URL = "http://127.0.0.1:8000/"


def _post(data, stdout):
    buyer_request, token = services.buyer_request_create(data=data, base_url=BASE_URL)
    if stdout:
        stdout.write(f"market: buyer link of {buyer_request.organisation}: {services.buyer_link(BASE_URL, token)}")
    return buyer_request


def seed(*, stdout=None):
    baklava = Product.objects.filter(slug="baklava").first()
    staff = User.objects.filter(mobile="09120000010").first()
    if baklava is None or BuyerRequest.objects.filter(organisation=HOTEL).exists():
        return
    today = timezone.localdate()
    hotel = _post(
        {
            "buyer_kind": BuyerRequest.BuyerKind.HOTEL,
            "organisation": HOTEL,
            "contact_name": "مریم احمدی",
            "mobile": "09121230001",
            "email": "kharid@hotel.example",
            "product": baklava,
            "quantity": 50,
            "unit": "kg",
            "deadline": today + datetime.timedelta(days=25),
            "county": "",
            "packaging": "جعبه‌های ۲۵۰ گرمی برای پذیرایی اتاق‌ها، با برچسب هتل",
            "note": "تحویل در دو نوبت.",
        },
        stdout,
    )
    services.buyer_request_approve(buyer_request=hotel, actor=staff)
    workshop = (
        Member.objects.filter(mobile="09120000001").first()
        or Member.objects.filter(user_links__user__mobile="09120000001").first()
    )
    user = User.objects.filter(mobile="09120000001").first()
    if workshop is not None and hotel.matches.filter(member=workshop).exists():
        services.offer_submit(
            buyer_request=hotel,
            member=workshop,
            actor=user,
            data={
                "quantity": 50,
                "unit_price_rial": 4_200_000,
                "delivery_date": today + datetime.timedelta(days=14),
                "note": "جعبه ۲۵۰ گرمی با چاپ نام هتل؛ نمونه رایگان پیش از سفارش.",
            },
        )
    _post(
        {
            "buyer_kind": BuyerRequest.BuyerKind.SOUVENIR,
            "organisation": SHOP,
            "contact_name": "رضا کاظمی",
            "mobile": "09121230002",
            "email": "",
            "product": Product.objects.filter(slug="rice-cookies").first() or baklava,
            "quantity": 200,
            "unit": "box",
            "deadline": today + datetime.timedelta(days=40),
            "county": "qazvin",
            "packaging": "جعبه ۴۰۰ گرمی مناسب سوغات",
            "note": "",
        },
        stdout,
    )
