"""The demo accounts (password demo-pass-1405) and their member businesses."""

import base64

from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from catalogue.models import Product
from core.persian import search_key
from core.uploads import clean_image

from .models import County, Member, MemberStatusChange, MemberUser, User, directory_search_key
from .roles import ESTATES_STAFF, PANELIST, UNION_HEAD

DEMO_PASSWORD = "demo-pass-1405"
# The demo's privileged accounts (estates staff, union head, superuser) must give an
# authenticator code after the password. On a development machine they share this fixed secret,
# so a newcomer adds it once to any authenticator app (or reads the code with
# `python manage.py demo_totp`). Development only: seed_demo is refused in production.
DEMO_TOTP_KEY_HEX = "3132333435363738393031323334353637383930"  # the bytes "12345678901234567890"
DEMO_TOTP_SECRET = base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY_HEX)).decode()
PRIVILEGED_DEMO_MOBILES = ("09120000010", "09120000020", "09120000099")

ACCOUNTS = [
    # mobile, full name, groups, is_staff, is_superuser
    ("09120000001", "رضا کریمی", (), False, False),
    ("09120000002", "مریم احمدی", (), False, False),
    ("09120000003", "حسین رحیمی", (), False, False),
    ("09120000010", "زهرا صالحی", (ESTATES_STAFF,), True, False),
    ("09120000020", "محمد قزوینی", (UNION_HEAD,), False, False),
    ("09120000030", "علی نوری", (PANELIST,), False, False),
    ("09120000099", "مدیر سامانه", (), True, True),
]

# mobile of the owner → the member business (all active, with membership numbers)
DEMO_MEMBERS = {
    "09120000001": dict(
        kind=Member.Kind.GUILD,
        business_name="شیرینی‌سرای کریمی",
        brand="کریمی",
        owner_name="رضا کریمی",
        owner_national_id="0012345679",
        mobile="09120000001",
        landline="02833334444",
        county=County.QAZVIN,
        address="قزوین، خیابان پیغمبریه، پلاک ۱۲",
        postal_code="3413845678",
        guild_licence_number="QZ-1400-0101",
        membership_number=1001,
    ),
    "09120000002": dict(
        kind=Member.Kind.HOME,
        business_name="شیرینی خانگی مریم",
        brand="مریم",
        owner_name="مریم احمدی",
        owner_national_id="0023456787",
        mobile="09120000002",
        county=County.TAKESTAN,
        address="تاکستان، کوچه گلستان، پلاک ۵",
        postal_code="3481746319",
        membership_number=1002,
    ),
    "09120000003": dict(
        kind=Member.Kind.GUILD,
        business_name="نان‌برنجی رحیمی",
        brand="رحیمی",
        owner_name="حسین رحیمی",
        owner_national_id="0034567895",
        mobile="09120000003",
        landline="02833335555",
        county=County.ALBORZ,
        address="الوند، بلوار امام، پلاک ۳۳",
        postal_code="3431914567",
        guild_licence_number="QZ-1399-0345",
        membership_number=1003,
    ),
}


def seed_accounts(*, stdout=None):
    """The demo users, their groups and the three demo members (idempotent)."""
    for mobile, full_name, groups, is_staff, is_superuser in ACCOUNTS:
        user, created = User.objects.get_or_create(
            mobile=mobile, defaults={"full_name": full_name, "is_staff": is_staff, "is_superuser": is_superuser}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        for name in groups:
            user.groups.add(Group.objects.get(name=name))
        if mobile in DEMO_MEMBERS:
            data = DEMO_MEMBERS[mobile]
            member, _ = Member.objects.get_or_create(
                owner_national_id=data["owner_national_id"], defaults={**data, "status": Member.Status.ACTIVE}
            )
            if not member.search_key:
                member.refresh_search_key()
                member.save(update_fields=["search_key"])
            MemberUser.objects.get_or_create(user=user, defaults={"member": member, "role": MemberUser.Role.OWNER})
        if mobile in PRIVILEGED_DEMO_MOBILES:
            _give_demo_authenticator(user)
    if stdout:
        stdout.write(f"demo accounts: {len(ACCOUNTS)}")
        stdout.write(
            "Staff, union head and superuser also give an authenticator code: add the secret "
            f"{DEMO_TOTP_SECRET} to an authenticator app (or run `python manage.py demo_totp`)."
        )


def _give_demo_authenticator(user) -> None:
    """The fixed demo authenticator (replaces none the user set up themselves)."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="demo authenticator", key=DEMO_TOTP_KEY_HEX, confirmed=True)


# --- seed(): members of both kinds in every status, with logos ------------------------------

STATUS_REASONS = {
    Member.Status.REJECTED: "مدارک ناقص است و پروانه کسب ارائه نشد.",
    Member.Status.SUSPENDED: "عدم پرداخت حق عضویت سالانه.",
    Member.Status.LAPSED: "تمدید نشدن عضویت پس از یک سال.",
    Member.Status.RESIGNED: "واحد تولیدی تعطیل شد.",
}
# kind, business, owner, county, products (slugs), status, logo colour
EXTRA_MEMBERS = [
    ("guild", "قنادی سنتی پیغمبریه", "علی موسوی", County.QAZVIN, ["baklava", "rice-cookies"], "active", "#b5651d"),
    ("home", "باقلوای خانگی نرگس", "نرگس حیدری", County.QAZVIN, ["baklava"], "active", "#c08a3e"),
    ("guild", "شیرینی نخودچی تاکستان", "مهدی عباسی", County.TAKESTAN, ["chickpea-cookies"], "applied", "#8e6c3a"),
    ("home", "نان چای مادربزرگ", "فاطمه رضایی", County.ABYEK, ["qazvini-tea-bread"], "applied", "#a0522d"),
    ("guild", "کارگاه گردویی آوج", "جواد محمدی", County.AVAJ, ["walnut-cookies"], "suspended", "#6b4226"),
    ("home", "بادامی خانگی زینب", "زینب کاظمی", County.BUIN_ZAHRA, ["almond-cookies"], "suspended", "#d2a679"),
    ("guild", "شیرینی‌پزی البرز", "امیر حسینی", County.ALBORZ, ["rice-cookies"], "lapsed", "#7b3f00"),
    ("home", "نان‌برنجی خانگی سمیه", "سمیه نوروزی", County.QAZVIN, ["rice-cookies"], "lapsed", "#e0a96d"),
    ("guild", "قنادی قدیم بوئین", "حمید یوسفی", County.BUIN_ZAHRA, ["baklava"], "resigned", "#5c4033"),
    ("home", "شیرینی خانگی لیلا", "لیلا جعفری", County.TAKESTAN, ["walnut-cookies"], "resigned", "#cd853f"),
    ("guild", "کارگاه شیرینی بی‌نام", "کریم صادقی", County.QAZVIN, [], "rejected", "#996633"),
    ("home", "شیرینی خانگی ثمین", "ثمین مرادی", County.AVAJ, [], "rejected", "#c19a6b"),
]
# Which statuses lead there from "applied" (each step keeps who/when/why).
STATUS_PATHS = {
    "applied": [],
    "active": ["active"],
    "suspended": ["active", "suspended"],
    "lapsed": ["active", "lapsed"],
    "resigned": ["active", "resigned"],
    "rejected": ["rejected"],
}


def national_id(seed: int) -> str:
    """A valid (checksummed) 10-digit national ID made from a 9-digit seed."""
    base = f"{seed:09d}"
    remainder = sum(int(base[i]) * (10 - i) for i in range(9)) % 11
    check = remainder if remainder < 2 else 11 - remainder
    return base + str(check)


def demo_logo(colour: str, text: str):
    """A small PNG logo (a coloured tile with the initial), as an upload would arrive."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 320), colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((40, 40, 280, 280), outline="#fff7e6", width=14)
    draw.rectangle((130, 110, 190, 210), fill="#fff7e6")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile(f"{text}.png", buffer.getvalue(), content_type="image/png")


def seed(*, stdout=None):
    """Members of both kinds in every status, with logos and history (idempotent)."""

    from . import services

    staff = User.objects.filter(mobile="09120000010").first()
    products = {p.slug: p for p in Product.objects.all()}
    created = 0
    for index, (kind, name, owner, county, slugs, status, colour) in enumerate(EXTRA_MEMBERS, start=1):
        mobile = f"0912100{index:04d}"
        if Member.objects.filter(mobile=mobile).exists():
            continue
        member = services.member_apply(
            member_data={
                "kind": kind,
                "business_name": name,
                "brand": name.split()[-1],
                "owner_name": owner,
                "owner_national_id": national_id(700000000 + index * 7919),
                "mobile": mobile,
                "landline": f"028333{index:05d}" if kind == "guild" else "",
                "county": county,
                "address": f"{County(county).label}، کوچه نمونه {index}، پلاک {index + 10}",
                "postal_code": f"34{3 + index % 7}1746319",
                "guild_licence_number": f"QZ-1401-{index:04d}" if kind == "guild" else "",
                "monthly_capacity_kg": 150 * index if kind == "guild" else 30 + index,
                "workers_count": 2 + index if kind == "guild" else 1,
                "instagram": f"sweets_demo_{index}",
                "directory_opt_in": True,
                "contact_public": kind == "guild",
            },
            products=[products[slug] for slug in slugs if slug in products],
            user_data={"mobile": mobile, "full_name": owner, "email": "", "password": DEMO_PASSWORD},
            logo=clean_image(demo_logo(colour, f"logo-{index}")),
        )
        for step in STATUS_PATHS[status]:
            services.member_change_status(
                member=member, actor=staff, to_status=step, reason=STATUS_REASONS.get(step, "")
            )
        created += 1
    # The demo members get their logos and products too (their data is unchanged).
    for mobile, colour, slugs in (
        ("09120000001", "#a0522d", ["baklava", "rice-cookies", "qazvini-tea-bread"]),
        ("09120000002", "#d2691e", ["baklava", "walnut-cookies"]),
        ("09120000003", "#8b4513", ["rice-cookies", "chickpea-cookies"]),
    ):
        member = Member.objects.filter(mobile=mobile).first()
        if member is None or member.logo:
            continue
        services._save_logo(member, clean_image(demo_logo(colour, mobile)))
        member.contact_public = member.kind == Member.Kind.GUILD
        member.save()
        member.products.add(*[products[slug] for slug in slugs if slug in products])
        if not member.status_changes.exists():
            MemberStatusChange.objects.create(member=member, from_status="", to_status=Member.Status.ACTIVE)
    reminded = _seed_membership_years(staff)
    if stdout:
        stdout.write(
            f"members: {created} demo members added ({Member.objects.count()} in all), "
            f"{reminded} renewal reminders sent"
        )


# The demo accounts' membership years: (days since the current year started, earlier years, fee
# reference). 09120000002's year ends in six days: the renewal reminder is on its dashboard.
DEMO_YEARS = {
    "09120000001": (160, 1, "۸۸۲۴۵۱۰۹"),
    "09120000002": (359, 0, ""),
    "09120000003": (75, 0, ""),
}
NEAR_END_DAYS = {"09120000002": 6}


def _seed_membership_years(staff) -> int:
    """Every demo member a year (idempotent): the demo accounts as in DEMO_YEARS, lapsed demo
    members a year that ended before the grace period; then the reminders due today."""
    import datetime

    from django.utils import timezone

    from . import services
    from .models import MembershipYear

    today = timezone.localdate()
    for mobile, (days_in, earlier, fee_reference) in DEMO_YEARS.items():
        member = Member.objects.filter(mobile=mobile).first()
        if member is None or member.membership_years.exists():
            continue
        starts_on = today - datetime.timedelta(days=days_in)
        # The earlier years, each ending the day before the next one starts.
        ends_on = services.year_end_for(starts_on)
        if mobile in NEAR_END_DAYS:
            ends_on = today + datetime.timedelta(days=NEAR_END_DAYS[mobile])
        periods = [(starts_on, ends_on)]
        for _ in range(earlier):
            ends_on = periods[0][0] - datetime.timedelta(days=1)
            periods.insert(0, (ends_on - datetime.timedelta(days=364), ends_on))
        for index, (start, end) in enumerate(periods):
            MembershipYear.objects.create(
                member=member,
                starts_on=start,
                ends_on=end,
                kind=MembershipYear.Kind.FIRST if index == 0 else MembershipYear.Kind.RENEWAL,
                renewed_by=staff,
                fee_reference=fee_reference if index else "",
            )
    grace = services.grace_days()
    for member in Member.objects.filter(mobile__startswith="091210", status=Member.Status.LAPSED):
        years = list(member.membership_years.all())
        if len(years) == 1 and years[0].lapsed_at is None:
            ends_on = today - datetime.timedelta(days=grace + 15)
            years[0].starts_on = ends_on - datetime.timedelta(days=364)
            years[0].ends_on = ends_on
            years[0].lapsed_at = timezone.now()
            years[0].save()
    return services.membership_reminders_send()["sent"]


def seed_scale(*, scale: int, stdout=None):
    """≈ 20 × scale synthetic members (mostly active) with their owners, by bulk inserts."""
    from django.contrib.auth.hashers import make_password
    from django.db.models import Max
    from django.utils import timezone

    from .models import MembershipCounter, MembershipYear

    today = timezone.localdate()
    total = 20 * scale
    start = User.objects.filter(mobile__startswith="0916").count()
    password = make_password(DEMO_PASSWORD)
    counties = list(County.values)
    product_ids = list(Product.objects.values_list("pk", flat=True))
    statuses = [Member.Status.ACTIVE] * 16 + [Member.Status.APPLIED, Member.Status.SUSPENDED, Member.Status.LAPSED]
    statuses += [Member.Status.RESIGNED]
    number = max(
        Member.objects.aggregate(n=Max("membership_number"))["n"] or 0,
        MembershipCounter.objects.filter(id=1).values_list("last_number", flat=True).first() or 0,
    )
    batch = 1000
    for offset in range(0, total, batch):
        users, members = [], []
        for i in range(start + offset, start + min(offset + batch, total)):
            mobile = f"0916{i:07d}"
            kind = Member.Kind.GUILD if i % 3 else Member.Kind.HOME
            status = statuses[i % len(statuses)]
            name = f"شیرینی نمونه {i}"
            if status != Member.Status.APPLIED:
                number += 1
            users.append(User(mobile=mobile, full_name=f"تولیدکننده {i}", password=password))
            members.append(
                Member(
                    kind=kind,
                    business_name=name,
                    owner_name=f"تولیدکننده {i}",
                    owner_national_id=national_id(100000000 + i),
                    mobile=mobile,
                    county=counties[i % len(counties)],
                    address=f"نشانی نمونه {i}",
                    guild_licence_number=f"SC-{i:07d}" if kind == Member.Kind.GUILD else "",
                    membership_number=number if status != Member.Status.APPLIED else None,
                    status=status,
                    monthly_capacity_kg=50 + i % 500,
                    workers_count=1 + i % 12,
                    contact_public=kind == Member.Kind.GUILD,
                    search_key=search_key(f"{name} تولیدکننده {i}"),
                    directory_key=directory_search_key(name, ""),
                )
            )
        users = User.objects.bulk_create(users)
        members = Member.objects.bulk_create(members)
        if users[0].pk is None:  # backends that do not return primary keys
            users = list(User.objects.filter(mobile__in=[u.mobile for u in users]).order_by("mobile"))
            members = list(Member.objects.filter(mobile__in=[m.mobile for m in members]).order_by("mobile"))
        MemberUser.objects.bulk_create(
            [MemberUser(member=m, user=u, role=MemberUser.Role.OWNER) for u, m in zip(users, members, strict=True)]
        )
        MemberStatusChange.objects.bulk_create(
            [MemberStatusChange(member=m, from_status="", to_status=m.status) for m in members]
        )
        MembershipYear.objects.bulk_create(
            [
                _scale_year(m, today)
                for m in members
                if m.status != Member.Status.APPLIED and m.status != Member.Status.RESIGNED
            ]
        )
        if product_ids:
            through = Member.products.through
            through.objects.bulk_create(
                [
                    through(member_id=m.pk, product_id=product_ids[(m.pk + k) % len(product_ids)])
                    for m in members
                    for k in range(1 + m.pk % 3)
                ],
                ignore_conflicts=True,
            )
    MembershipCounter.objects.update_or_create(id=1, defaults={"last_number": number})
    if stdout:
        stdout.write(f"members: {total} synthetic members")


def _scale_year(member, today):
    """A synthetic member's current year: started 0–364 days ago (some end within the reminder
    days); a lapsed member's ended before the grace period and was lapsed."""
    import datetime

    from django.utils import timezone

    from .models import MembershipYear
    from .services import grace_days, year_end_for

    if member.status == Member.Status.LAPSED:
        ends_on = today - datetime.timedelta(days=grace_days() + 1 + member.pk % 60)
        return MembershipYear(
            member=member,
            starts_on=ends_on - datetime.timedelta(days=364),
            ends_on=ends_on,
            kind=MembershipYear.Kind.RECORDED,
            lapsed_at=timezone.now(),
        )
    starts_on = today - datetime.timedelta(days=member.pk % 365)
    return MembershipYear(
        member=member, starts_on=starts_on, ends_on=year_end_for(starts_on), kind=MembershipYear.Kind.RECORDED
    )
