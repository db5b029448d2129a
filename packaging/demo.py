"""Demo joint packaging orders (idempotent): an open order of printed 1-kg cardboard boxes with
three price tiers, joined by two licensed demo members — the guild workshop 09120000001 (its
manufacturing health licence from the permits demo) and the guild member 09121000001 (given a
manufacturing licence here) — one label waiting for the staff's check; and a delivered order
of tin boxes from last season."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from catalogue.models import Product
from core.uploads import clean_image
from members.models import Member, User
from permits.models import Permit, PermitType
from permits.selectors import product_licences

from . import services
from .models import JointOrder, OrderLine, PriceTier

OPEN_TITLE = "جعبه مقوایی چاپی ۱ کیلویی — طرح مشترک خوشه"
PAST_TITLE = "جعبه فلزی ۵۰۰ گرمی نوروز"
TIERS = ((300, 950_000), (600, 800_000), (1000, 700_000))  # boxes, Rials a box
LINES = (("09120000001", 250), ("09121000001", 180))


def _licence(member, staff):
    """The member's manufacturing licence in force (one is made for a demo member without)."""
    permit = product_licences().filter(member=member).order_by("-expiry_date").first()
    if permit is not None:
        return permit
    today = timezone.localdate()
    permit_type = PermitType.objects.get(code="manufacturing_licence")
    permit, _created = Permit.objects.get_or_create(
        permit_type=permit_type,
        number=f"FDO-1403-{member.pk:04d}",
        defaults={
            "member": member,
            "issuer": permit_type.get_issuer_display(),
            "issue_date": today - datetime.timedelta(days=200),
            "expiry_date": today + datetime.timedelta(days=530),
        },
    )
    permit.products.set(member.products.all() or Product.objects.filter(slug="baklava"))
    return permit


def _label_art():
    """A made-up label artwork (a framed panel with lines of text), as core.uploads stores it."""
    image = Image.new("RGB", (900, 600), (250, 244, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle((30, 30, 870, 570), outline=(120, 70, 30), width=8)
    for row in range(7):
        draw.rectangle((80, 90 + row * 65, 820 - row * 40, 120 + row * 65), fill=(150, 100, 60))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return clean_image(SimpleUploadedFile("label.png", buffer.getvalue(), content_type="image/png"))


def _order(title, *, staff, box_type, size, print_spec, minimum, deadline, tiers):
    order = JointOrder(
        title=title,
        supplier_name="چاپ و بسته‌بندی البرز قزوین",
        supplier_contact="آقای نادری — ۰۲۸۳۳۳۴۴۵۵۶",
        box_type=box_type,
        box_size=size,
        print_spec=print_spec,
        description="نمونه جعبه در دفتر خوشه موجود است. طرح مشترک خوشه با نام و شماره پروانه هر عضو چاپ می‌شود.",
        minimum_total=minimum,
        deadline=deadline,
    )
    services.order_save(order=order, actor=staff)
    for quantity, price in tiers:
        PriceTier.objects.create(order=order, min_quantity=quantity, unit_price_rial=price)
    services.order_tiers_record(order=order, actor=staff)
    return order


@transaction.atomic
def seed(*, stdout=None):
    staff = User.objects.filter(mobile="09120000010").first()
    today = timezone.localdate()
    order = JointOrder.objects.filter(title=OPEN_TITLE).first()
    if order is None:
        order = _order(
            OPEN_TITLE,
            staff=staff,
            box_type=JointOrder.BoxType.CARDBOARD,
            size="۲۰ × ۲۰ × ۶ سانتی‌متر، برای ۱ کیلوگرم",
            print_spec="چهار رنگ، سلفون مات، طرح مشترک خوشه",
            minimum=300,
            deadline=today + datetime.timedelta(days=12),
            tiers=TIERS,
        )
    for mobile, quantity in LINES:
        member = Member.objects.filter(mobile=mobile, status=Member.Status.ACTIVE).first()
        user = User.objects.filter(mobile=mobile).first()
        if member is None or OrderLine.objects.filter(order=order, member=member).exists():
            continue
        permit = _licence(member, staff)
        services.line_set(order=order, member=member, actor=user, quantity=quantity, licence_id=permit.pk)
    first = OrderLine.objects.filter(order=order, member__mobile=LINES[0][0]).first()
    if first is not None and not first.proofs.exists():
        services.proof_upload(line=first, actor=User.objects.get(mobile=LINES[0][0]), clean=_label_art())
    if not JointOrder.objects.filter(title=PAST_TITLE).exists():
        past = _order(
            PAST_TITLE,
            staff=staff,
            box_type=JointOrder.BoxType.TIN,
            size="۱۸ × ۱۲ × ۵ سانتی‌متر، برای ۵۰۰ گرم",
            print_spec="چاپ طلایی روی زمینه سرمه‌ای",
            minimum=200,
            deadline=today - datetime.timedelta(days=1),
            tiers=((200, 1_400_000), (500, 1_200_000)),
        )
        JointOrder.objects.filter(pk=past.pk).update(
            status=JointOrder.Status.DELIVERED,
            closed_at=timezone.now() - datetime.timedelta(days=60),
            ordered_at=timezone.now() - datetime.timedelta(days=55),
            delivered_at=timezone.now() - datetime.timedelta(days=30),
        )
    if stdout:
        stdout.write(f"packaging: {JointOrder.objects.count()} joint orders, {OrderLine.objects.count()} lines")
