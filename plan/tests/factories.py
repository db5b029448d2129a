"""Known data for the indicator tests, with the timestamps set (created, decided, issued…)."""

import datetime

import jdatetime
from django.utils import timezone

from events.models import Answer, Commitment, CommitmentNote, Event, Organisation, Question, Topic
from members.models import County, Member, MemberStatusChange, User
from plan.models import Action, ActionPlan, Objective

_n = [0]


def at(year, month, day, hour=12) -> datetime.datetime:
    """A Jalali date at noon, Tehran time."""
    g = jdatetime.date(year, month, day).togregorian()
    return timezone.make_aware(datetime.datetime(g.year, g.month, g.day, hour))


def day(year, month, day_) -> datetime.date:
    return jdatetime.date(year, month, day_).togregorian()


def member(*, kind=Member.Kind.GUILD, county=County.QAZVIN, created, history=()):
    """A member applied at `created`, then through `history` [(when, status), …]."""
    _n[0] += 1
    n = _n[0]
    status = history[-1][1] if history else Member.Status.APPLIED
    obj = Member.objects.create(
        kind=kind,
        business_name=f"کارگاه آزمون {n}",
        owner_name=f"مالک {n}",
        owner_national_id=f"{7000000000 + n}",
        mobile=f"0915{n:07d}",
        county=county,
        status=status,
    )
    Member.objects.filter(pk=obj.pk).update(created_at=created)
    previous = ""
    for when, to in history:
        change = MemberStatusChange.objects.create(member=obj, from_status=previous, to_status=to, reason="آزمون")
        MemberStatusChange.objects.filter(pk=change.pk).update(created_at=when)
        previous = to
    obj.refresh_from_db()
    return obj


def staff_user():
    user, _created = User.objects.get_or_create(mobile="09129990001", defaults={"full_name": "کارشناس آزمون"})
    return user


def event(starts_at=None):
    starts_at = starts_at or timezone.now()
    return Event.objects.create(
        title="همایش خوشه",
        kind=Event.Kind.CONFERENCE,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=3),
        venue="قزوین",
        status=Event.Status.PUBLISHED,
        audience=Event.Audience.PUBLIC,
    )


def commitment(ev, *, due, created, done_at=None, organisation=Organisation.ESTATES_COMPANY, title="تعهد"):
    by = staff_user()
    obj = Commitment.objects.create(
        event=ev,
        title=title,
        owner_organisation=organisation,
        responsible_person="مسئول",
        due_date=due,
        created_by=by,
        status=Commitment.Status.DONE if done_at else Commitment.Status.OPEN,
    )
    Commitment.objects.filter(pk=obj.pk).update(created_at=created)
    if done_at:
        note = CommitmentNote.objects.create(
            commitment=obj, text="انجام شد", status_from="open", status_to="done", author=by, date=done_at.date()
        )
        CommitmentNote.objects.filter(pk=note.pk).update(created_at=done_at)
    return obj


def question(ev, asker, *, asked, answered_at=None, topic=Topic.UNIT_PRICE, status=Question.Status.APPROVED):
    reason = "خارج از موضوع" if status == Question.Status.REJECTED else ""
    obj = Question.objects.create(
        event=ev, asker=asker, text="پرسش؟", topic=topic, status=status, rejection_reason=reason, created_at=asked
    )
    if answered_at:
        Answer.objects.create(question=obj, text="پاسخ", answered_at=answered_at, recorded_by=staff_user())
        Question.objects.filter(pk=obj.pk).update(status=Question.Status.ANSWERED)
    return obj


def plan_with_actions(*, endorsed=True, commitment=None):
    plan = ActionPlan.objects.create(
        title="برنامه اقدام خوشه ۱۴۰۵",
        period_start=day(1405, 1, 1),
        period_end=day(1405, 12, 29),
        endorsed_on=day(1405, 2, 10) if endorsed else None,
        endorsed_by="شورای خوشه" if endorsed else "",
    )
    objective = Objective.objects.create(plan=plan, title="دریافت مجوزهای بهداشتی", sort_order=1)
    Action.objects.create(
        objective=objective,
        title="کارگاه آموزشی پروانه ساخت",
        owner_name="شبکه بهداشت",
        due_date=timezone.localdate() - datetime.timedelta(days=5),
        status="in_progress",
    )
    if commitment is not None:
        Action.objects.create(
            objective=objective, title="پیگیری تعهد همایش", owner_name="شرکت شهرک‌ها", commitment=commitment
        )
    return plan
