"""Demo prices: three finished rounds (two published, one closed) with realistic prices per
kg — a few outliers and one member who typed Rials by mistake — and one open round. Extra
active demo members are added so that most cells reach the 5 members needed to publish.
`seed_scale` bulk-inserts ≈ 10,000 × scale submissions for the benchmark."""

import random

from django.db import connection, transaction
from django.utils import timezone

from catalogue.models import Product
from core.jalali import jalali_month_of, jalali_month_range
from core.money import toman_to_rial
from members.models import Member, User

from .models import COST_FIELDS, Channel, PriceReview, PriceRound, PriceSubmission, price_per_kg
from .services import price_round_refresh_stats

# Typical Toman per kg in Qazvin (autumn 1405); retail is ~20% above wholesale.
BASE_TOMAN_PER_KG = {
    "baklava": 950_000,
    "rice-cookies": 480_000,
    "chickpea-cookies": 520_000,
    "walnut-cookies": 780_000,
    "almond-cookies": 880_000,
    "qazvini-tea-bread": 360_000,
}
MONTHLY_INFLATION = 0.03
COST_SHARES = {
    "cost_flour": 0.10,
    "cost_sugar": 0.12,
    "cost_oil": 0.14,
    "cost_nuts": 0.18,
    "cost_eggs": 0.04,
    "cost_energy": 0.05,
    "cost_labour": 0.15,
    "cost_packaging": 0.06,
    "cost_overhead": 0.06,
}

EXTRA_MEMBERS = [
    # business name, owner, kind, county, mobile
    ("شیرینی سنتی امینی", "علی امینی", "guild", "qazvin", "09120000101"),
    ("باقلوای قزوین نوروزی", "سارا نوروزی", "guild", "qazvin", "09120000102"),
    ("شیرینی خانگی فاطمه", "فاطمه حسینی", "home", "abyek", "09120000103"),
    ("نان‌چای قزوینی اکبری", "مهدی اکبری", "guild", "buin_zahra", "09120000104"),
    ("شیرینی خانگی نرگس", "نرگس موسوی", "home", "qazvin", "09120000105"),
    ("شیرینی‌پزی جعفری", "حمید جعفری", "guild", "takestan", "09120000106"),
]
RIAL_MISTAKE_MOBILE = "09120000104"  # typed Rials in the last closed round
OUTLIER_MOBILE = "09120000106"  # a very high baklava price in the last closed round


def national_id(seed: int) -> str:
    """A valid 10-digit national ID built from a number (demo data only)."""
    body = f"{seed:09d}"[-9:]
    remainder = sum(int(body[i]) * (10 - i) for i in range(9)) % 11
    return body + str(remainder if remainder < 2 else 11 - remainder)


def _extra_members(stdout):
    members = []
    for index, (name, owner, kind, county, mobile) in enumerate(EXTRA_MEMBERS):
        member, created = Member.objects.get_or_create(
            mobile=mobile,
            defaults=dict(
                kind=kind,
                business_name=name,
                owner_name=owner,
                owner_national_id=national_id(771_000_100 + index),
                county=county,
                status=Member.Status.ACTIVE,
                membership_number=2001 + index,
            ),
        )
        if created:
            member.refresh_search_key()
            member.save(update_fields=["search_key"])
        members.append(member)
    return members


def _shift(year, month, delta):
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


@transaction.atomic
def seed(*, stdout=None):
    _extra_members(stdout)
    members = list(Member.objects.filter(status=Member.Status.ACTIVE).order_by("id")[:12])
    products = list(Product.objects.filter(slug__in=BASE_TOMAN_PER_KG))
    for product in products:  # the range staff would set: "Toman or Rial?" outside it
        if product.plausible_min_per_kg_rial is None and product.plausible_max_per_kg_rial is None:
            base = toman_to_rial(BASE_TOMAN_PER_KG[product.slug])
            product.plausible_min_per_kg_rial, product.plausible_max_per_kg_rial = base // 4, base * 3
            product.save(update_fields=["plausible_min_per_kg_rial", "plausible_max_per_kg_rial"])
    year, month = jalali_month_of(timezone.localdate())
    months = [_shift(year, month, -3), _shift(year, month, -2), _shift(year, month, -1), (year, month)]
    union_head = _union_head()
    created_rounds = 0
    for age, (y, m) in zip((3, 2, 1, 0), months, strict=True):
        if PriceRound.objects.filter(year=y, month=m).exists():
            continue
        created_rounds += 1
        status = {3: "published", 2: "published", 1: "closed", 0: "open"}[age]
        if status == "open" and PriceRound.objects.filter(status="open").exists():
            status = "draft"
        first, last = jalali_month_range(y, m)
        price_round = PriceRound.objects.create(
            year=y,
            month=m,
            status=status,
            closes_on=last,
            opened_at=timezone.now() if status != "draft" else None,
            closed_at=timezone.now() if age else None,
            published_at=timezone.now() if status == "published" else None,
            close_reminder_sent_at=timezone.now() if age else None,
        )
        _seed_round(price_round, members, products, age=age, union_head=union_head)
        if age:
            price_round_refresh_stats(price_round=price_round)
    if stdout:
        stdout.write(f"pricing: {created_rounds} rounds, {PriceSubmission.objects.count()} submissions")


def _union_head():
    return User.objects.filter(groups__name="union_head").order_by("id").first()


def _seed_round(price_round, members, products, *, age, union_head):
    rng = random.Random(f"{price_round.year}-{price_round.month}")
    factor = (1 + MONTHLY_INFLATION) ** (-age)
    rows = []
    for member_index, member in enumerate(members):
        member_level = 1 + (member_index % 5 - 2) * 0.04  # some members are dearer than others
        for product in products:
            if age == 0 and member.mobile == "09120000001":
                continue  # the demo member submits in the open round themself
            if age == 0 and rng.random() < 0.4:
                continue
            for channel in (Channel.WHOLESALE, Channel.RETAIL):
                if product.slug == "qazvini-tea-bread" and channel == Channel.WHOLESALE and member_index % 3 == 0:
                    continue
                if channel == Channel.RETAIL and (
                    member_index >= 8 or (product.slug == "almond-cookies" and member_index >= 4)
                ):
                    continue  # keep a few cells below 5 members (withheld from the bands)
                base = BASE_TOMAN_PER_KG[product.slug] * factor * member_level
                if channel == Channel.RETAIL:
                    base *= 1.2
                toman_per_kg = round(base * rng.uniform(0.93, 1.07), -3)
                status = PriceSubmission.Status.ACCEPTED if age else PriceSubmission.Status.SUBMITTED
                message = ""
                unit, grams = product.default_unit, product.default_net_grams
                price_toman = toman_per_kg if unit == "kg" else round(toman_per_kg * grams / 1000, -3)
                if age == 1 and member.mobile == OUTLIER_MOBILE and product.slug == "baklava":
                    price_toman = round(price_toman * 3.4, -3)
                    status = PriceSubmission.Status.SUBMITTED
                if age == 1 and member.mobile == RIAL_MISTAKE_MOBILE:
                    price_toman *= 10  # typed in Rials
                    status = PriceSubmission.Status.NEEDS_INFO
                    message = "به نظر می‌رسد قیمت به ریال وارد شده است؛ لطفاً به تومان اصلاح کنید."
                price_rial = toman_to_rial(int(price_toman))
                per_kg = price_per_kg(unit=unit, price_rial=price_rial, net_grams=grams)
                costs = {}
                if rng.random() < 0.7:
                    costs = {name: int(per_kg * share * rng.uniform(0.8, 1.2)) for name, share in COST_SHARES.items()}
                rows.append(
                    PriceSubmission(
                        price_round=price_round,
                        member=member,
                        product=product,
                        channel=channel,
                        unit=unit,
                        net_grams=grams if unit != "kg" else None,
                        price_rial=price_rial,
                        price_per_kg_rial=per_kg,
                        status=status,
                        reviewer_message=message,
                        **costs,
                    )
                )
    PriceSubmission.objects.bulk_create(rows)
    if union_head:
        PriceReview.objects.bulk_create(
            PriceReview(submission=s, reviewer=union_head, decision=s.status, message=s.reviewer_message)
            for s in PriceSubmission.objects.filter(price_round=price_round).exclude(status="submitted")
        )


# ---- benchmark volume -------------------------------------------------------------------

SCALE_ROUNDS = 12
SCALE_MOBILE_PREFIX = "0998"


def seed_scale(*, scale, stdout=None):
    """≈ 10,000 × scale submissions over 12 published rounds before the demo rounds (COPY on
    PostgreSQL, batched bulk_create elsewhere). Members: the active ones that exist, plus
    synthetic active members when there are too few for one price per member × cell."""

    target = 10_000 * scale
    products = list(Product.objects.filter(is_active=True).order_by("id"))
    cells = len(products) * 2
    versions = 1.15  # every 7th cell was edited once: kept as a superseded version
    needed = int(target / versions / (SCALE_ROUNDS * cells)) + 1
    members = list(Member.objects.filter(status=Member.Status.ACTIVE).values_list("id", flat=True))
    if len(members) < needed:
        _synthetic_members(needed - len(members))
        members = list(Member.objects.filter(status=Member.Status.ACTIVE).values_list("id", flat=True))
    members = members[:needed]
    # The 12 months before the demo's rounds (which are this month and the 3 before it).
    year, month = jalali_month_of(timezone.localdate())
    rounds = []
    for delta in range(SCALE_ROUNDS, 0, -1):
        y, m = _shift(year, month, -(3 + delta))
        price_round, _created = PriceRound.objects.get_or_create(
            year=y, month=m, defaults={"status": PriceRound.Status.PUBLISHED, "published_at": timezone.now()}
        )
        rounds.append((price_round, delta))
    slugs = {p.pk: BASE_TOMAN_PER_KG.get(p.slug, 600_000) for p in products}
    rng = random.Random(scale)
    inserted = 0
    for price_round, age in rounds:
        if PriceSubmission.objects.filter(price_round=price_round).exists():
            continue
        factor = (1 + MONTHLY_INFLATION) ** (-(age + 3))
        batch = []
        for member_id in members:
            level = rng.uniform(0.85, 1.15)
            for product in products:
                for channel in (Channel.WHOLESALE, Channel.RETAIL):
                    toman = slugs[product.pk] * factor * level * (1.2 if channel == Channel.RETAIL else 1.0)
                    toman *= rng.lognormvariate(0, 0.08)
                    if rng.random() < 0.004:
                        toman *= 10  # Rials by mistake
                    per_kg = max(toman_to_rial(int(toman)), 10)
                    has_costs = rng.random() < 0.5
                    costs = [int(per_kg * COST_SHARES[name]) if has_costs else None for name in COST_FIELDS]
                    status = "accepted" if rng.random() < 0.9 else "submitted"
                    if rng.random() < 0.15:
                        batch.append(
                            (price_round.pk, member_id, product.pk, channel, per_kg, costs, "accepted", 1, False)
                        )
                        batch.append(
                            (price_round.pk, member_id, product.pk, channel, int(per_kg * 1.02), costs, status, 2, True)
                        )
                    else:
                        batch.append((price_round.pk, member_id, product.pk, channel, per_kg, costs, status, 1, True))
        inserted += _insert(batch)
        price_round_refresh_stats(price_round=price_round)
        if stdout:
            stdout.write(f"pricing scale: {price_round} {len(batch)} rows\n")
    if stdout:
        stdout.write(f"pricing scale: {inserted} submissions inserted\n")
    return inserted


COLUMNS = (
    "price_round_id, member_id, product_id, channel, unit, price_rial, price_per_kg_rial, "
    + ", ".join(COST_FIELDS)
    + ", note, status, reviewer_message, version, is_current, created_at"
)


def _insert(batch):
    now = timezone.now()
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY pricing_pricesubmission ({COLUMNS}) FROM STDIN") as copy,
        ):
            for round_id, member_id, product_id, channel, per_kg, costs, status, version, current in batch:
                copy.write_row(
                    (
                        round_id,
                        member_id,
                        product_id,
                        channel,
                        "kg",
                        per_kg,
                        per_kg,
                        *costs,
                        "",
                        status,
                        "",
                        version,
                        current,
                        now,
                    )
                )
        return len(batch)
    objects = (
        PriceSubmission(
            price_round_id=round_id,
            member_id=member_id,
            product_id=product_id,
            channel=channel,
            unit="kg",
            price_rial=per_kg,
            price_per_kg_rial=per_kg,
            status=status,
            version=version,
            is_current=current,
            created_at=now,
            **dict(zip(COST_FIELDS, costs, strict=True)),
        )
        for round_id, member_id, product_id, channel, per_kg, costs, status, version, current in batch
    )
    PriceSubmission.objects.bulk_create(objects, batch_size=5000)
    return len(batch)


def _synthetic_members(count):
    start = Member.objects.filter(mobile__startswith=SCALE_MOBILE_PREFIX).count()
    kinds = (Member.Kind.GUILD, Member.Kind.HOME)
    Member.objects.bulk_create(
        (
            Member(
                kind=kinds[i % 2],
                business_name=f"واحد نمونه {i}",
                owner_name=f"مالک نمونه {i}",
                owner_national_id=national_id(880_000_000 + i),
                mobile=f"{SCALE_MOBILE_PREFIX}{i:07d}",
                county="qazvin",
                status=Member.Status.ACTIVE,
                search_key=f"واحد نمونه {i}",
                directory_key=f"واحد نمونه {i}",
            )
            for i in range(start, start + count)
        ),
        batch_size=2000,
        ignore_conflicts=True,
    )
