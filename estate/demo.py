"""The estate's demo data (idempotent): milestones past and future, followers, demand
registrations of the demo members and some others, a published allocation with a
published ranking."""

import datetime

from django.db import transaction
from django.utils import timezone

from catalogue.models import Product
from members.models import Member, User

from . import services
from .models import (
    Allocation,
    AllocationCriterion,
    CriterionKind,
    DemandRegistration,
    EstateFollower,
    Milestone,
    Readiness,
)

MILESTONES = [
    # phase, title, planned (days from today), actual (days from today or None), status, note, order
    ("land", "تملک ۱۲ هکتار زمین در شهرک صنعتی لیا", -400, -380, "done", "سند به نام شرکت شهرک‌ها صادر شد.", 10),
    ("permits", "مجوز محیط زیست و تغییر کاربری", -200, -150, "done", "با ۵۰ روز تأخیر صادر شد.", 20),
    ("infrastructure", "آب، برق و گاز شهرک", -30, None, "in_progress", "انشعاب برق نصب شد؛ گاز در دست اجرا.", 30),
    ("construction", "ساخت سوله‌های پیش‌ساخته (فاز اول)", 120, None, "planned", "", 40),
    ("allocation", "واگذاری قطعات به اعضای خوشه", 240, None, "planned", "", 50),
]
DEMAND = [
    # owner mobile, m², workers, readiness, products
    ("09120000001", 600, 9, Readiness.NOW, ["baklava", "rice-cookies"]),
    ("09120000003", 400, 5, Readiness.SIX_MONTHS, ["rice-cookies"]),
    ("09120000002", 150, 2, Readiness.YEAR, ["walnut-cookies"]),
    ("09120000101", 500, 7, Readiness.NOW, ["baklava"]),
    ("09120000102", 300, 4, Readiness.SIX_MONTHS, ["baklava"]),
    ("09120000104", 250, 3, Readiness.NOT_YET, ["qazvini-tea-bread"]),
]
ALLOCATION_TITLE = "واگذاری قطعات فاز اول شهرک شیرینی"
WEIGHTS = [
    (CriterionKind.MEMBERSHIP_AGE, 20),
    (CriterionKind.VALID_LICENCE, 25),
    (CriterionKind.WORKERS, 20),
    (CriterionKind.READINESS, 25),
    (CriterionKind.PRICE_REPORTS, 10),
]


@transaction.atomic
def seed(*, stdout=None):
    staff = User.objects.filter(mobile="09120000010").first()
    today = timezone.localdate()
    for phase, title, planned, actual, status, note, order in MILESTONES:
        if Milestone.objects.filter(title=title).exists():
            continue
        Milestone.objects.create(
            phase=phase,
            title=title,
            planned_date=today + datetime.timedelta(days=planned),
            actual_date=today + datetime.timedelta(days=actual) if actual is not None else None,
            status=status,
            progress_note=note,
            sort_order=order,
        )
    for mobile in ("09120000001", "09120000003"):
        user = User.objects.filter(mobile=mobile).first()
        if user:
            EstateFollower.objects.get_or_create(user=user)
    now = timezone.now()
    products = {p.slug: p for p in Product.objects.all()}
    for index, (mobile, m2, workers, readiness, slugs) in enumerate(DEMAND):
        member = Member.objects.filter(mobile=mobile, status=Member.Status.ACTIVE).first()
        if member is None or DemandRegistration.objects.filter(member=member).exists():
            continue
        registration = DemandRegistration.objects.create(
            member=member,
            plot_size_m2=m2,
            workers=workers,
            readiness=readiness,
            registered_at=now - datetime.timedelta(days=60 - index * 5),
        )
        registration.products.set([products[s] for s in slugs if s in products])
    allocation = Allocation.objects.filter(title=ALLOCATION_TITLE).first()
    if allocation is None:
        allocation = Allocation.objects.create(
            title=ALLOCATION_TITLE,
            description="قطعات ۱۵۰ تا ۶۰۰ متری فاز اول؛ معیارها و وزن‌ها پیش از فراخوان اعلام شده‌اند.",
        )
        for kind, weight in WEIGHTS:
            AllocationCriterion.objects.create(allocation=allocation, kind=kind, weight=weight)
        services.allocation_publish(allocation=allocation, actor=staff)
        ranking = services.ranking_compute(allocation=allocation, actor=staff)
        services.ranking_publish(ranking=ranking, actor=staff)
    if stdout:
        stdout.write(
            f"estate: {Milestone.objects.count()} milestones, {DemandRegistration.objects.count()} registrations"
        )
