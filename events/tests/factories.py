"""Building blocks for the events tests (real models, no mocks)."""

import datetime

from django.utils import timezone

from events.models import Commitment, Event, Organisation, Panel, Panelist, Question, Registration, Topic


def make_event(**extra) -> Event:
    start = extra.pop("starts_at", timezone.now() + datetime.timedelta(days=7))
    defaults = dict(
        title="همایش آزمایشی خوشه",
        kind=Event.Kind.CONFERENCE,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=4),
        venue="قزوین، سالن همایش",
        status=Event.Status.PUBLISHED,
        audience=Event.Audience.PUBLIC,
        qa_premoderation=False,
    )
    defaults.update(extra)
    return Event.objects.create(**defaults)


def make_panelist(event, user=None, *, organisation=Organisation.ESTATES_COMPANY, name="معاون شرکت شهرک‌ها") -> Panelist:
    panel = event.panels.first() or Panel.objects.create(event=event, title="پنل پرسش و پاسخ")
    return Panelist.objects.create(panel=panel, name=name, title="معاون", organisation=organisation, user=user)


def make_question(event, asker, **extra) -> Question:
    defaults = dict(
        text="قیمت واحد نان برنجی چطور تعیین می‌شود؟", topic=Topic.UNIT_PRICE, status=Question.Status.APPROVED
    )
    defaults.update(extra)
    return Question.objects.create(event=event, asker=asker, **defaults)


def make_registration(event, user, **extra) -> Registration:
    return Registration.objects.create(event=event, user=user, search_key=user.full_name, **extra)


def make_commitment(event, by, **extra) -> Commitment:
    defaults = dict(
        title="پیگیری مجوزهای بهداشتی",
        owner_organisation=Organisation.ESTATES_COMPANY,
        responsible_person="معاون شرکت شهرک‌ها",
        due_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    defaults.update(extra)
    return Commitment.objects.create(event=event, created_by=by, **defaults)


def event_with_foreign_panelist(actors) -> Event:
    """An event whose panel has its own (unlinked) panelist, while the `panelist` actor sits on
    another event's panel: that panelist must be refused here."""
    other = make_event(title="رویداد دیگر")
    make_panelist(other, actors.panelist)
    event = make_event()
    make_panelist(event, None)
    return event
