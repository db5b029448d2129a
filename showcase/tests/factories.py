"""Test data for the showcase (real models, real services)."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from catalogue.models import Product
from core.uploads import clean_image, thumbnail
from permits.models import Permit, PermitType
from showcase import services


def product(slug="baklava") -> Product:
    return Product.objects.get(slug=slug)


def jpeg_upload(name="photo.jpg", *, size=(640, 480), colour=(200, 120, 40), exif=False) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, colour)
    if exif:
        data = Image.Exif()
        data[0x010F] = "PhoneMaker"  # Make
        data[0x0132] = "2026:01:02 10:11:12"  # DateTime
        data[0x8825] = {1: "N", 2: (35.0, 45.0, 0.0), 3: "E", 4: (50.0, 0.0, 0.0)}  # GPS
        image.save(buffer, "JPEG", exif=data)
    else:
        image.save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def photo_pair(**kwargs):
    clean = clean_image(jpeg_upload(**kwargs))
    return clean, thumbnail(clean, size=480)


def listing_data(**overrides) -> dict:
    return {
        "product": product(overrides.pop("slug", "baklava")),
        "name": "باقلوای ممتاز",
        "description": "باقلوای سنتی قزوین",
        "shelf_life_days": 45,
        "ingredients": "آرد برنج، بادام، شکر",
        "allergens": "بادام",
        "capacity_kg_per_month": 500,
        "is_published": True,
        **overrides,
    }


def listing(member, user, *, photos=0, packages=None, **overrides):
    return services.listing_create(
        member=member,
        actor=user,
        data=listing_data(**overrides),
        packages=packages or [{"label": "جعبه کوچک", "net_grams": 500, "retail_price_rial": 4_500_000}],
        photos=[photo_pair(colour=(10 * i, 100, 50)) for i in range(photos)],
    )


def licence(member, products, *, expiry_in=200, issue_days_ago=100, number=None, today=None) -> Permit:
    """A manufacturing health licence of the member covering `products`."""
    today = today or timezone.localdate()
    permit_type = PermitType.objects.get(code="manufacturing_licence")
    permit = Permit.objects.create(
        permit_type=permit_type,
        member=member,
        number=number or f"FDO-{Permit.objects.count() + 1:04d}",
        issuer=permit_type.get_issuer_display(),
        issue_date=today - datetime.timedelta(days=issue_days_ago),
        expiry_date=None if expiry_in is None else today + datetime.timedelta(days=expiry_in),
    )
    permit.products.set(products)
    return permit


def batch(listing, user, sheets=1):
    return services.label_batch_create(listing=listing, actor=user, sheets=sheets)
