"""Shared fixtures: the people of the access matrix (anonymous, applicant, member A, member B,
estates staff, union head, panelist, superuser) and a client signed in as each."""

import time
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from members.models import County, Member, MemberUser, User
from members.roles import ESTATES_STAFF, PANELIST, UNION_HEAD


def pytest_collection_modifyitems(items):
    """Every transactional test (live server, threads, row locks) rolls back by serialization:
    the flush after it then restores the rows the data migrations made (products, permit types,
    groups …) instead of leaving the next tests of the same worker without them, and never
    re-creates content types that the next test's restore would insert a second time. Mixing the
    two kinds on one worker failed depending on the order the tests were dealt out."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
            name in item.fixturenames for name in ("live_server", "transactional_db")
        )
        if transactional and not (marker is not None and marker.kwargs.get("serialized_rollback")):
            kwargs = {**(marker.kwargs if marker is not None else {}), "transaction": True, "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)


ROLES = ("anonymous", "applicant", "member_a", "member_b", "staff", "union_head", "panelist", "superuser")
PASSWORD = "test-pass-1405"


def make_user(mobile, full_name="کاربر آزمایشی", *, groups=(), **extra):
    user = User.objects.create_user(mobile, PASSWORD, full_name=full_name, **extra)
    for name in groups:
        # get_or_create: a transactional test's flush also removes the groups the migration made.
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def make_member(user, *, status=Member.Status.ACTIVE, kind=Member.Kind.GUILD, national_id, number=None, **extra):
    member = Member.objects.create(
        kind=kind,
        business_name=extra.pop("business_name", f"کارگاه {user.full_name}"),
        owner_name=user.full_name,
        owner_national_id=national_id,
        mobile=user.mobile,
        county=extra.pop("county", County.QAZVIN),
        status=status,
        membership_number=number,
        **extra,
    )
    member.refresh_search_key()
    member.save(update_fields=["search_key"])
    MemberUser.objects.create(member=member, user=user, role=MemberUser.Role.OWNER)
    return member


@pytest.fixture(autouse=True)
def _fresh_cache(settings, monkeypatch):
    """Rate-limit counters and cached pages from one test never reach the next. Each test counts
    rate limits under its own prefix, in one window (django-ratelimit's windows follow the clock:
    a test's requests must not straddle two of them); the local-memory cache (one per process)
    is also emptied. A shared Redis is never flushed: parallel workers keep their sessions in it.
    Django's content types are read again: a transactional test's flush recreates them under new
    ids, and a request the live server was still answering during that flush can put the old id
    back in the process's cache, so the next test's audit entry pointed at a row that no longer
    exists (seen once on PostgreSQL)."""
    import time
    import types
    import uuid

    import django_ratelimit.core
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    settings.RATELIMIT_CACHE_PREFIX = f"rl:{uuid.uuid4().hex}:"
    started = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: started))
    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    yield


PRIVILEGED_ROLES = ("staff", "union_head", "superuser")  # two-step sign-in is required for them


def give_totp_device(user) -> TOTPDevice:
    """The user's confirmed authenticator (created once): what they set up at /accounts/2fa/setup/."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def totp_now(device, *, steps_ahead=0) -> str:
    """The six digits the user's authenticator app shows right now (or `steps_ahead` 30-second
    steps later: the portal accepts the next step's code too, for a phone clock a little fast)."""
    from django_otp.oath import TOTP

    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = time.time() + steps_ahead * device.step
    return f"{generator.token():06d}"


def totp_unused(device) -> str:
    """A code the device has not accepted yet: each code works once, so a second sign-in in the
    same 30 seconds uses the next step's code."""
    device.refresh_from_db()
    current = int((time.time() - device.t0) // device.step)
    return totp_now(device, steps_ahead=1 if device.last_t >= current else 0)


def login_verified(client, user):
    """client.force_login(user) plus the second step (what django_otp.login records after a good
    code): use it for estates staff, the union head and superusers, whom the portal otherwise
    sends to the code page."""
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = give_totp_device(user).persistent_id
    session.save()
    return client


@dataclass
class Actors:
    applicant: User
    member_a: User
    member_b: User
    staff: User
    union_head: User
    panelist: User
    superuser: User
    applicant_member: Member
    a: Member
    b: Member

    def user(self, role):
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
def actors(db):
    applicant = make_user("09130000001", "متقاضی آزمایشی")
    member_a = make_user("09130000002", "عضو الف")
    member_b = make_user("09130000003", "عضو ب")
    return Actors(
        applicant=applicant,
        member_a=member_a,
        member_b=member_b,
        staff=make_user("09130000010", "کارشناس", groups=[ESTATES_STAFF], is_staff=True),
        union_head=make_user("09130000020", "رئیس اتحادیه", groups=[UNION_HEAD]),
        panelist=make_user("09130000030", "عضو پنل", groups=[PANELIST]),
        superuser=User.objects.create_superuser("09130000099", PASSWORD, full_name="مدیر"),
        applicant_member=make_member(
            applicant, status=Member.Status.APPLIED, kind=Member.Kind.HOME, national_id="0045678911"
        ),
        a=make_member(member_a, national_id="0012345679", number=1),
        b=make_member(member_b, national_id="0023456787", number=2, kind=Member.Kind.HOME),
    )


@pytest.fixture
def totp_device():
    """totp_device(user) → the user's confirmed TOTP device; totp_now(device) gives its code."""
    return give_totp_device


@pytest.fixture
def client_as(actors):
    """client_as("member_a") → a test client signed in as that role (anonymous: not signed in;
    staff, union head and superuser also past the two-step code)."""

    def build(role):
        client = Client()
        user = actors.user(role)
        if role in PRIVILEGED_ROLES:
            login_verified(client, user)
        elif user is not None:
            client.force_login(user)
        return client

    return build
