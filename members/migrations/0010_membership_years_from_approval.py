"""Every active (or suspended) member without a membership year gets its current year, counted
from its approval date: the anniversary period that contains today (approved on 15 Mehr 1402 →
15 Mehr 1404 – 14 Mehr 1405 when run in 1404). Nobody lapses because the portal started
counting years after they joined."""

import datetime

import jdatetime
from django.db import migrations
from django.utils import timezone


def _year_end(starts_on):
    start = jdatetime.date.fromgregorian(date=starts_on)
    try:
        following = jdatetime.date(start.year + 1, start.month, start.day)
    except ValueError:
        following = jdatetime.date(start.year + 2, 1, 1)
    return following.togregorian() - datetime.timedelta(days=1)


def _anniversary_containing(approved_on, today):
    starts_on = approved_on
    ends_on = _year_end(starts_on)
    while ends_on < today:
        starts_on = ends_on + datetime.timedelta(days=1)
        ends_on = _year_end(starts_on)
    return starts_on, ends_on


def forwards(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    MemberStatusChange = apps.get_model("members", "MemberStatusChange")
    MembershipYear = apps.get_model("members", "MembershipYear")
    today = timezone.localdate()
    members = Member.objects.filter(status__in=["active", "suspended"], membership_years__isnull=True)
    batch = []
    for member in members.iterator(chunk_size=1000):
        approval = (
            MemberStatusChange.objects.filter(member=member, to_status="active")
            .order_by("created_at", "id")
            .values_list("created_at", flat=True)
            .first()
        ) or member.created_at
        approved_on = min(timezone.localtime(approval).date(), today)
        starts_on, ends_on = _anniversary_containing(approved_on, today)
        batch.append(
            MembershipYear(
                member=member,
                starts_on=starts_on,
                ends_on=ends_on,
                kind="recorded",
                renewed_at=timezone.now(),
                note="",
            )
        )
        if len(batch) >= 1000:
            MembershipYear.objects.bulk_create(batch)
            batch = []
    MembershipYear.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("members", "0009_membership_years")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
