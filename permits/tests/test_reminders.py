"""send_permit_reminders: at each type's offsets, staff too at 7 and 0 days, never twice — not
on a second run, not from two servers at once."""

import datetime
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from core import sms
from core.models import Notification
from permits.models import ReminderSent
from permits.services import due_offset, permit_reminders_send
from permits.tests import factories


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [(22, None), (21, 21), (16, 21), (15, 15), (14, 15), (3, 3), (1, 3), (0, 0), (-1, 0)],
)
def test_due_offset_for_a_health_card(days_left, expected):
    assert due_offset([21, 15, 3, 0], days_left) == expected


def _card(actors, expiry_in, number="HC-1"):
    worker = factories.worker(actors.a, national_id="0013542419")
    return factories.permit(
        actors.a, "health_card", number=number, issue_days_ago=300, expiry_in=expiry_in, worker=worker
    )


def test_member_reminded_at_the_offset_once_even_if_run_twice(actors, django_capture_on_commit_callbacks):
    card = _card(actors, 15)
    with django_capture_on_commit_callbacks(execute=True):
        first = permit_reminders_send()
    with django_capture_on_commit_callbacks(execute=True):
        second = permit_reminders_send()
    assert first == {"member": 1, "staff": 0, "skipped": 0}
    assert second == {"member": 0, "staff": 0, "skipped": 1}
    assert list(ReminderSent.objects.values_list("permit_id", "offset", "audience", "recipients")) == [
        (card.pk, 15, "member", 1)
    ]
    notes = list(Notification.objects.values_list("user_id", "url"))
    assert notes == [(actors.member_a.pk, "/permits/")]
    subject = Notification.objects.get().subject
    assert subject.startswith("کارت بهداشت علی محمدی تا ۱۵ روز دیگر")


def test_staff_told_at_7_and_0_days(actors, django_capture_on_commit_callbacks):
    _card(actors, 0)
    licence = factories.permit(actors.a, "business_licence", number="BL-7", issue_days_ago=1000, expiry_in=7)
    with django_capture_on_commit_callbacks(execute=True):
        result = permit_reminders_send()
    assert result == {"member": 2, "staff": 2, "skipped": 0}
    rows = set(ReminderSent.objects.values_list("permit__number", "offset", "audience"))
    assert rows == {("HC-1", 0, "member"), ("HC-1", 0, "staff"), ("BL-7", 7, "member"), ("BL-7", 7, "staff")}
    staff_subjects = sorted(Notification.objects.filter(user=actors.staff).values_list("subject", flat=True))
    assert len(staff_subjects) == 2
    assert all(s.startswith(actors.a.business_name + ":") for s in staff_subjects)
    assert licence.pk  # sanity


def test_nothing_due_far_from_expiry_or_long_expired_or_replaced(actors):
    _card(actors, 40)
    factories.permit(actors.a, "business_licence", number="OLD", issue_days_ago=2000, expiry_in=-30)
    assert permit_reminders_send() == {"member": 0, "staff": 0, "skipped": 0}


def test_sms_goes_out_after_commit(actors, django_capture_on_commit_callbacks):
    _card(actors, 3)
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        permit_reminders_send()
    assert sms.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert [m["to"] for m in sms.outbox] == [actors.member_a.mobile]


def test_management_command_runs_twice_without_repeating(actors, capsys):
    _card(actors, 21)
    call_command("send_permit_reminders")
    call_command("send_permit_reminders")
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "permit reminders: 1 to members, 0 to staff, 0 already sent",
        "permit reminders: 0 to members, 0 to staff, 1 already sent",
    ]
    assert ReminderSent.objects.count() == 1


def test_a_later_offset_after_a_missed_day(actors):
    card = _card(actors, 14)  # the run at 15 days was missed
    permit_reminders_send()
    today = timezone.localdate()
    permit_reminders_send(today=today + datetime.timedelta(days=11))  # 3 days left
    assert sorted(ReminderSent.objects.filter(permit=card, audience="member").values_list("offset", flat=True)) == [
        3,
        15,
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_servers_at_once_send_each_reminder_once(seed_data, actors):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks on the unique index)")
    for n in range(20):
        worker = factories.worker(actors.a, full_name=f"کارکن {n}", national_id=_valid(n))
        factories.permit(actors.a, "health_card", number=f"HC-{n}", issue_days_ago=300, expiry_in=3, worker=worker)
    results, errors = [], []
    barrier = threading.Barrier(4)

    def run():
        try:
            barrier.wait()
            results.append(permit_reminders_send())
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert (sum(r["member"] for r in results), sum(r["staff"] for r in results)) == (20, 20)
    assert sum(r["skipped"] for r in results) == 120  # 3 other runs × 40
    assert ReminderSent.objects.count() == 40
    assert Notification.objects.filter(user=actors.member_a).count() == 20
    assert Notification.objects.filter(user=actors.staff).count() == 20


def _valid(n: int) -> str:
    from permits.demo import _national_id

    return _national_id(5_000_000 + n)
