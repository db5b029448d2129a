"""Demo calls (idempotent): an open loan call for guild workshops with a valid manufacturing
health licence — the demo guild member (09120000001) qualifies, the home producer
(09120000002) does not (kind, licence) — an open training course for everyone, and a
closed booth call with decided applications and published results. seed_scale adds
≈ 20 × scale applications to a past call."""

import datetime

from django.db import transaction
from django.utils import timezone

from members.models import County, Member, User
from permits.models import PermitType

from .models import (
    Application,
    ApplicationStatusChange,
    Call,
    Criterion,
    EligibilityRule,
    RequiredDocument,
    RuleKind,
)

LOAN_TITLE = "تسهیلات کم‌بهره نوسازی تجهیزات کارگاه‌های شیرینی"
TRAINING_TITLE = "دوره آموزشی بسته‌بندی و برچسب‌گذاری محصولات"
BOOTH_TITLE = "غرفه رایگان در بازارچه نوروزی قزوین"


def _call(title, **fields):
    call, created = Call.objects.get_or_create(title=title, defaults=fields)
    return call, created


def _rule(call, kind, **fields):
    permit_types = fields.pop("permit_types", ())
    rule, _created = EligibilityRule.objects.get_or_create(call=call, kind=kind, defaults=fields)
    if permit_types:
        rule.permit_types.set(permit_types)
    return rule


@transaction.atomic
def seed(*, stdout=None):
    staff = User.objects.filter(mobile="09120000010").first()
    today = timezone.localdate()
    now = timezone.now()
    licence = PermitType.objects.filter(code="manufacturing_licence").first()

    loan, created = _call(
        LOAN_TITLE,
        kind=Call.Kind.LOAN,
        summary="وام تا ۵۰۰ میلیون تومان با کارمزد ۴ درصد برای خرید فر، همزن و دستگاه بسته‌بندی؛ بازپرداخت ۳۶ ماهه.",
        provider="صندوق حمایت از صنایع کوچک با همکاری شرکت شهرک‌های صنعتی استان قزوین",
        deadline=today + datetime.timedelta(days=30),
        capacity=8,
        status=Call.Status.PUBLISHED,
        published_at=now,
        created_by=staff,
    )
    if created:
        RequiredDocument.objects.create(call=loan, name="پیش‌فاکتور تجهیزات", sort_order=10)
        RequiredDocument.objects.create(call=loan, name="صورت‌حساب‌های سه ماه اخیر", sort_order=20)
        _rule(loan, RuleKind.MEMBER_KIND, member_kind=Member.Kind.GUILD)
        if licence:
            _rule(loan, RuleKind.HEALTH_LICENCE, permit_types=[licence])
        _rule(loan, RuleKind.PRICE_REPORTS, number=2)
        _rule(loan, RuleKind.NO_OVERDUE)
        Criterion.objects.create(call=loan, name="طرح توجیهی", weight=3, sort_order=10)
        Criterion.objects.create(call=loan, name="اشتغال‌زایی", weight=2, sort_order=20)
        Criterion.objects.create(call=loan, name="سابقه اظهار قیمت و پیگیری مجوزها", weight=1, sort_order=30)

    training, created = _call(
        TRAINING_TITLE,
        kind=Call.Kind.TRAINING,
        summary="دوره دو روزه طراحی بسته‌بندی، برچسب اطلاعات تغذیه‌ای و ثبت برند؛ رایگان برای اعضا.",
        provider="سازمان صنعت، معدن و تجارت استان قزوین",
        deadline=today + datetime.timedelta(days=12),
        capacity=25,
        status=Call.Status.PUBLISHED,
        published_at=now,
        created_by=staff,
    )
    if created:
        _rule(training, RuleKind.COUNTY, counties=list(County.values))
        Criterion.objects.create(call=training, name="نیاز به آموزش", weight=1)

    booth, created = _call(
        BOOTH_TITLE,
        kind=Call.Kind.BOOTH,
        summary="ده غرفه رایگان در بازارچه نوروزی؛ اولویت با تولیدکنندگان خانگی.",
        provider="شهرداری قزوین",
        deadline=today - datetime.timedelta(days=20),
        capacity=10,
        status=Call.Status.CLOSED,
        published_at=now - datetime.timedelta(days=60),
        results_published_at=now - datetime.timedelta(days=5),
        created_by=staff,
    )
    if created:
        Criterion.objects.create(call=booth, name="تنوع محصول", weight=1)
        decided = now - datetime.timedelta(days=10)
        members = list(Member.objects.filter(status=Member.Status.ACTIVE).exclude(mobile="09120000001").order_by("id"))
        for index, member in enumerate(members[:9]):
            status = Application.Status.ACCEPTED if index < 7 else Application.Status.REJECTED
            reason = "" if status == Application.Status.ACCEPTED else "ظرفیت غرفه‌های این رسته تکمیل شد."
            application = Application.objects.create(
                call=booth,
                member=member,
                status=status,
                decision_reason=reason or "پذیرفته شد.",
                submitted_at=now - datetime.timedelta(days=40 - index),
                decided_at=decided,
            )
            ApplicationStatusChange.objects.create(
                application=application, to_status="submitted", created_at=application.submitted_at
            )
            ApplicationStatusChange.objects.create(
                application=application,
                from_status="submitted",
                to_status=status,
                changed_by=staff,
                reason=application.decision_reason,
                created_at=decided,
            )
    if stdout:
        stdout.write(f"programmes: {Call.objects.count()} calls, {Application.objects.count()} applications")


def seed_scale(*, scale, stdout=None):
    """≈ 20 × scale applications to one past call, for the review page's benchmark."""
    now = timezone.now()
    call, _created = _call(
        "فراخوان آزمایشی حجم بالا",
        kind=Call.Kind.EQUIPMENT,
        summary="—",
        deadline=timezone.localdate() - datetime.timedelta(days=90),
        capacity=50,
        status=Call.Status.CLOSED,
        published_at=now - datetime.timedelta(days=120),
    )
    taken = set(Application.objects.filter(call=call).values_list("member_id", flat=True))
    members = list(
        Member.objects.filter(status=Member.Status.ACTIVE)
        .exclude(pk__in=taken)
        .values_list("pk", flat=True)[: 20 * scale]
    )
    applications = Application.objects.bulk_create(
        Application(call=call, member_id=pk, submitted_at=now - datetime.timedelta(days=100)) for pk in members
    )
    ApplicationStatusChange.objects.bulk_create(
        ApplicationStatusChange(application=a, to_status="submitted", created_at=a.submitted_at) for a in applications
    )
    if stdout:
        stdout.write(f"programmes: {len(applications)} applications added")
