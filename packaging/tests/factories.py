"""Test data for the packaging app (real models, real services)."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from catalogue.models import Product
from core.uploads import clean_image
from packaging import services
from packaging.models import JointOrder, PriceTier
from permits.models import Permit, PermitType

# (from a total of, unit price in Rials): 300 boxes → 95,000 Toman; 600 → 80,000; 1,000 → 70,000
TIERS = ((300, 950_000), (600, 800_000), (1000, 700_000))


def order(*, title="جعبه مقوایی چاپی ۱ کیلویی", minimum_total=300, deadline_in=10, tiers=TIERS, status=None):
    result = JointOrder.objects.create(
        title=title,
        supplier_name="چاپ و بسته‌بندی البرز",
        supplier_contact="۰۲۸۳۳۳۴۴۵۵۶",
        box_type=JointOrder.BoxType.CARDBOARD,
        box_size="۲۰ × ۲۰ × ۶ سانتی‌متر",
        print_spec="چهار رنگ، سلفون مات، طرح مشترک خوشه",
        minimum_total=minimum_total,
        deadline=timezone.localdate() + datetime.timedelta(days=deadline_in),
    )
    for quantity, price in tiers:
        PriceTier.objects.create(order=result, min_quantity=quantity, unit_price_rial=price)
    if status:
        JointOrder.objects.filter(pk=result.pk).update(status=status)
        result.refresh_from_db()
    return result


def licence(member, *, expiry_in=200, number=None, product_slug="baklava") -> Permit:
    """A manufacturing health licence of the member, in force today unless expiry_in < 0."""
    today = timezone.localdate()
    permit_type = PermitType.objects.get(code="manufacturing_licence")
    permit = Permit.objects.create(
        permit_type=permit_type,
        member=member,
        number=number or f"FDO-{Permit.objects.count() + 1:04d}",
        issuer="معاونت غذا و دارو",
        issue_date=today - datetime.timedelta(days=300),
        expiry_date=today + datetime.timedelta(days=expiry_in),
    )
    permit.products.set(Product.objects.filter(slug=product_slug))
    return permit


def join(order_obj, member, user, quantity, *, permit=None):
    permit = permit or licence(member)
    return services.line_set(order=order_obj, member=member, actor=user, quantity=quantity, licence_id=permit.pk)


def png_upload(name="label.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (240, 200, 120)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def proof(line, user):
    return services.proof_upload(line=line, actor=user, clean=clean_image(png_upload()))
