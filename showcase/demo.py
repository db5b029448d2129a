"""Demo showcase (idempotent): the guild workshop 09120000001 lists baklava and rice cookies
(its manufacturing health licence covers them: its labels scan green), the home producer
09120000002 lists chickpea cookies (no licence: its label scans red), 09120000003 lists walnut
cookies. seed_scale adds 100 × scale listings and 1,000 × scale box codes with bulk inserts."""

import datetime
import io
import random

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone
from PIL import Image, ImageDraw

from catalogue.models import Product
from core.persian import search_key
from core.uploads import clean_image, thumbnail
from members.models import Member, User
from permits.models import Permit

from . import services
from .models import BoxCode, LabelBatch, Listing, ListingPackage, ListingPhoto, ScanCount, Storefront
from .selectors import month_start

# owner mobile → (storefront, [(product slug, name, description, shelf life, ingredients,
# allergens, capacity, [(box, grams, price in Toman or None)], photo colour)])
DEMO = {
    "09120000001": (
        {"shop_address": "قزوین، خیابان پیغمبریه، پلاک ۱۲", "opening_hours": "شنبه تا پنجشنبه ۹ تا ۲۱"},
        [
            (
                "baklava",
                "باقلوای قزوینی کریمی",
                "باقلوای سنتی با مغز بادام و پسته، عطر هل و گلاب، پخته به روش قدیم قزوین.",
                45,
                "آرد برنج، بادام، پسته، شکر، هل، گلاب، روغن حیوانی",
                "مغزها (بادام، پسته)، شیر",
                800,
                [("جعبه کوچک", 500, 450_000), ("جعبه بزرگ", 1000, 850_000)],
                (196, 140, 60),
            ),
            (
                "rice-cookies",
                "نان برنجی کریمی",
                "نان برنجی نرم با خشخاش، مناسب سوغات.",
                60,
                "آرد برنج، شکر، روغن، تخم‌مرغ، خشخاش، گلاب",
                "تخم‌مرغ",
                600,
                [("جعبه ۴۰۰ گرمی", 400, 280_000)],
                (236, 226, 200),
            ),
        ],
    ),
    "09120000002": (
        {},
        [
            (
                "chickpea-cookies",
                "نان نخودچی خانگی مریم",
                "نان نخودچی کوچک و ترد، تهیه‌شده در خانه با آرد نخودچی تازه.",
                30,
                "آرد نخودچی، شکر، روغن، هل",
                "",
                80,
                [("بسته ۳۰۰ گرمی", 300, None)],
                (222, 190, 120),
            ),
        ],
    ),
    "09120000003": (
        {"shop_address": "الوند، بلوار امام، پلاک ۳۳", "opening_hours": "هر روز ۸ تا ۲۰"},
        [
            (
                "walnut-cookies",
                "نان گردویی رحیمی",
                "نان گردویی با مغز گردوی تازه.",
                40,
                "گردو، زرده تخم‌مرغ، شکر، وانیل",
                "مغزها (گردو)، تخم‌مرغ",
                300,
                [("جعبه نیم‌کیلویی", 500, 390_000)],
                (150, 100, 60),
            ),
        ],
    ),
}
# The guild workshop's manufacturing health licence (permits' demo data) covers its products.
LICENSED = {"09120000001": "FDO-1399-7781"}


def demo_photo(colour, *, seed=0) -> tuple:
    """A made-up product photo (a tray of round sweets) as core.uploads would store it."""
    image = Image.new("RGB", (800, 600), (250, 246, 238))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 80, 740, 540), fill=(120, 90, 60))
    rng = random.Random(seed)
    for row in range(4):
        for column in range(6):
            x, y = 110 + column * 105, 130 + row * 100
            jitter = rng.randint(-12, 12)
            draw.ellipse((x, y, x + 80 + jitter, y + 70), fill=colour, outline=(90, 60, 30), width=3)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    buffer.seek(0)
    upload = ContentFile(buffer.getvalue(), name="demo.jpg")
    clean = clean_image(upload, max_side=1600)
    return clean, thumbnail(clean, size=480)


def _owner(mobile):
    return User.objects.filter(mobile=mobile).first()


def seed(*, stdout=None):
    products = {p.slug: p for p in Product.objects.all()}
    made = 0
    for mobile, (shop, rows) in DEMO.items():
        user = _owner(mobile)
        member = Member.objects.filter(user_links__user=user, status=Member.Status.ACTIVE).first() if user else None
        if member is None:
            continue
        if not Storefront.objects.filter(member=member).exists():
            services.storefront_save(member=member, actor=user, data={"is_listed": True, **shop})
        for index, (slug, name, text, shelf, ingredients, allergens, capacity, boxes, colour) in enumerate(rows):
            product = products.get(slug)
            if product is None or Listing.objects.filter(member=member, name=name).exists():
                continue
            listing = services.listing_create(
                member=member,
                actor=user,
                data={
                    "product": product,
                    "name": name,
                    "description": text,
                    "shelf_life_days": shelf,
                    "ingredients": ingredients,
                    "allergens": allergens,
                    "capacity_kg_per_month": capacity,
                    "is_published": True,
                },
                packages=[
                    {"label": label, "net_grams": grams, "retail_price_rial": price * 10 if price else None}
                    for label, grams, price in boxes
                ],
                photos=[
                    demo_photo(colour, seed=index),
                    demo_photo(tuple(c // 2 + 100 for c in colour), seed=index + 7),
                ],
            )
            batch = services.label_batch_create(listing=listing, actor=user, sheets=1)
            code = batch.codes.order_by("id").first()
            ScanCount.objects.create(code=code, month=month_start(timezone.localdate()), count=3 + index)
            made += 1
        number = LICENSED.get(mobile)
        permit = Permit.objects.filter(member=member, number=number).first() if number else None
        if permit is not None:
            permit.products.add(*[products[row[0]] for row in rows if row[0] in products])
    if stdout is not None:
        stdout.write(f"showcase: {made} listings added, {Listing.objects.count()} in all")


def seed_scale(*, scale, stdout=None):
    """100 × scale listings (10,000 at 100) for active members, one shared photo each, box
    sizes, and 1,000 × scale box codes (100,000 at 100) with scans; the members' manufacturing
    licences cover what they list. Bulk inserts."""
    rng = random.Random(2026 + scale)
    marker = f"نمونه مقیاس {scale}"
    if Listing.objects.filter(name__endswith=marker).exists():
        if stdout is not None:
            stdout.write("showcase: scale data already present")
        return
    members = list(Member.objects.filter(status=Member.Status.ACTIVE).values_list("pk", "business_name", "brand"))
    products = list(Product.objects.filter(is_active=True))
    if not members or not products:
        return
    total_listings, total_codes = 100 * scale, 1000 * scale
    Storefront.objects.bulk_create(
        [Storefront(member_id=pk, shop_address="قزوین", opening_hours="۹ تا ۲۱") for pk, _n, _b in members],
        batch_size=5000,
        ignore_conflicts=True,
    )
    words = ["ممتاز", "سنتی", "اعلا", "ویژه", "خانگی", "زعفرانی", "پسته‌ای", "کنجدی"]
    listings = []
    for n in range(total_listings):
        member_id, business, brand = members[n % len(members)]
        product = products[rng.randrange(len(products))]
        name = f"{product.name_fa} {rng.choice(words)} {marker}"
        listing = Listing(
            member_id=member_id,
            product=product,
            name=name,
            description="شیرینی سنتی قزوین، تهیه‌شده با مواد تازه.",
            shelf_life_days=rng.choice([20, 30, 45, 60]),
            ingredients="آرد، شکر، روغن",
            allergens="مغزها",
            capacity_kg_per_month=rng.choice([None, 50, 100, 300, 800]),
        )
        listing.search_key = search_key(" ".join([name, product.name_fa, product.name_en, business, brand]))[:500]
        listings.append(listing)
    created = Listing.objects.bulk_create(listings, batch_size=2000)
    ListingPackage.objects.bulk_create(
        [
            ListingPackage(listing=listing, label="جعبه", net_grams=rng.choice([250, 500, 1000]), sort_order=0)
            for listing in created
        ],
        batch_size=5000,
    )
    clean, thumb = demo_photo((200, 150, 80), seed=scale)
    image_name = default_storage.save(f"showcase/photos/{clean.content.name}", clean.content)
    thumb_name = default_storage.save(f"showcase/photos/thumbs/{thumb.content.name}", thumb.content)
    ListingPhoto.objects.bulk_create(
        [ListingPhoto(listing=listing, image=image_name, thumbnail=thumb_name) for listing in created],
        batch_size=5000,
    )
    # The members' manufacturing licences cover the products they list (the licences exist
    # from permits' seed_scale; some are expired, so the "valid today" filter has both kinds).
    through = Permit.products.through
    licences = {}
    for permit_id, member_id in Permit.objects.filter(
        permit_type__code="manufacturing_licence", replaced_by__isnull=True
    ).values_list("pk", "member_id"):
        licences.setdefault(member_id, permit_id)
    through.objects.bulk_create(
        [
            through(permit_id=licences[listing.member_id], product_id=listing.product_id)
            for listing in created
            if listing.member_id in licences
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )
    per_listing = max(total_codes // len(created), 1)
    batches = LabelBatch.objects.bulk_create(
        [LabelBatch(listing=listing, sheets=1) for listing in created], batch_size=5000
    )
    month = month_start(timezone.localdate())
    previous = month_start(month - datetime.timedelta(days=1))
    codes = [
        BoxCode(code=services.new_code(), batch=batch, listing_id=batch.listing_id)
        for batch in batches
        for _n in range(per_listing)
    ]
    codes = BoxCode.objects.bulk_create(codes, batch_size=5000)
    scans = []
    for code in codes[::7]:
        scans.append(ScanCount(code=code, month=month, count=rng.randint(1, 20)))
        scans.append(ScanCount(code=code, month=previous, count=rng.randint(1, 40)))
    ScanCount.objects.bulk_create(scans, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE showcase_listing, showcase_boxcode, showcase_scancount")
    if stdout is not None:
        stdout.write(f"showcase: {len(created)} listings, {len(codes)} codes, {len(scans)} scan counts (scale {scale})")
