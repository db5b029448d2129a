"""Demo accounts of DESIGN.md (password demo-pass-1405) and their member businesses."""

from django.contrib.auth.models import Group

from .models import County, Member, MemberUser, User
from .roles import ESTATES_STAFF, PANELIST, UNION_HEAD

DEMO_PASSWORD = "demo-pass-1405"

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
    if stdout:
        stdout.write(f"demo accounts: {len(ACCOUNTS)}")
