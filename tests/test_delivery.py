"""E-mail and SMS as background tasks, with the real database queue (django-tasks-db) and its
worker loop, and a local HTTP SMS provider: a request never waits for the provider; a failed
send is tried again later; nothing is lost while no worker runs; a task run twice sends once;
a fan-out is one task, then one send per recipient and channel. These run on SQLite and on
PostgreSQL; tests/test_ops_worker.py runs real `db_worker` processes (and kills one)."""

import datetime
import io
import re
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from conftest import make_member, make_user
from core import notifications, sms
from core.models import Delivery, Notification
from members import services as member_services
from members.anonymise import member_anonymise
from members.models import User
from pricing import services as pricing_services
from pricing.models import PriceRound
from pricing.tests.factories import ensure_products
from tests.sms_provider import SmsProvider

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
FAN_OUT = "core.notifications.fan_out"
SEND = "core.notifications.send_delivery"


@pytest.fixture
def queue(settings):
    """The real database queue (the test environment's default is the immediate backend)."""
    settings.TASKS = DATABASE_TASKS
    settings.NOTIFICATION_RETRY_SECONDS = 0.1  # 0.1 s, 0.4 s, 1.6 s …


@pytest.fixture
def sms_provider(settings):
    started = []

    def start(*, fail_first=0):
        provider = SmsProvider(fail_first=fail_first)
        for name, value in provider.settings().items():
            setattr(settings, name, value)
        started.append(provider)
        return provider

    yield start
    for provider in started:
        provider.stop()


def run_worker(*, until, timeout=15, max_tasks=None):
    """The worker loop of `manage.py db_worker`, in this process: run every task that is due,
    then look again shortly, until `until()` holds (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=max_tasks,
            worker_id="test-worker",
            excluded_queue_names=[],
        ).run()
        if until():
            return
        assert time.monotonic() < deadline, "the worker did not finish in time"
        time.sleep(0.05)


def _ready_tasks():
    return list(DBTaskResult.objects.ready().order_by("enqueued_at").values_list("task_path", flat=True))


def _with_email(*users):
    for n, user in enumerate(users):
        user.email = f"user{n}@example.ir"
        User.objects.filter(pk=user.pk).update(email=user.email)


# --- (a) a request never waits; the third try goes through ---------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_request_answers_at_once_and_the_sms_goes_out_on_the_third_try(actors, queue, sms_provider, mailoutbox):
    provider = sms_provider(fail_first=2)
    user = actors.member_a
    _with_email(user)
    client = Client()
    assert client.get(reverse("password_reset")).status_code == 200  # the page the member opens first
    started = time.perf_counter()
    response = client.post(reverse("password_reset"), {"mobile": user.mobile})
    elapsed = time.perf_counter() - started
    assert response.status_code == 302
    assert elapsed < 0.2, f"the request took {elapsed * 1000:.0f} ms"
    assert provider.received() == [] and mailoutbox == []  # nothing was sent inside the request
    assert _ready_tasks() == [SEND, SEND]
    text_sms = Delivery.objects.get(channel="sms")
    assert (text_sms.status, text_sms.tries, text_sms.private) == ("queued", 0, True)

    run_worker(until=lambda: Delivery.objects.filter(channel="sms", status="sent").exists())

    assert [request["status"] for request in provider.received()] == [500, 500, 200]
    [(to, text)] = provider.delivered()
    assert to == user.mobile and "/accounts/password/reset/" in text
    text_sms.refresh_from_db()
    assert (text_sms.status, text_sms.tries, text_sms.error) == ("sent", 3, "")
    assert text_sms.text == "" and text_sms.sent_at is not None  # the private link is erased once sent
    assert [message.to for message in mailoutbox] == [[user.email]]
    assert Delivery.objects.get(channel="email").tries == 1


@pytest.mark.django_db(transaction=True)
def test_a_send_that_keeps_failing_is_given_up_with_its_reason(actors, queue, sms_provider, settings):
    settings.NOTIFICATION_MAX_TRIES = 3
    provider = sms_provider(fail_first=100)
    notifications.notify(user=actors.member_b, subject="آزمون", channels=(notifications.SMS,))
    run_worker(until=lambda: Delivery.objects.get().status == "failed")
    delivery = Delivery.objects.get()
    assert (delivery.tries, delivery.error) == (3, "HTTPError: HTTP Error 500: Internal Server Error")
    assert len(provider.received()) == 3 and provider.delivered() == []
    assert delivery.next_try_at <= delivery.last_try_at  # not queued again
    assert _ready_tasks() == []


def test_the_wait_grows_four_times_with_each_try(settings):
    settings.NOTIFICATION_RETRY_SECONDS = 30
    assert [notifications.retry_delay(tries) for tries in (1, 2, 3, 4)] == [30, 120, 480, 1920]


# --- (b) nothing is lost while no worker runs ----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_with_the_worker_stopped_nothing_is_lost_and_everything_goes_out_when_it_starts(
    actors, queue, sms_provider, mailoutbox
):
    provider = sms_provider()
    _with_email(actors.member_a, actors.member_b)
    ensure_products()
    pricing_services.price_round_open(year=1405, month=8, actor=actors.staff)  # a fan-out: two members
    Client().post(reverse("password_reset"), {"mobile": actors.member_b.mobile})
    message = member_services.contact_message_send(
        member=actors.a, sender_name="مشتری", sender_mobile="09121110000", body="قیمت باقلوا؟"
    )
    member_services.contact_message_reply(message=message, actor=actors.member_a, body="کیلویی ۴۰۰ هزار تومان")
    time.sleep(0.3)  # no worker: nothing moves
    assert provider.received() == [] and mailoutbox == []
    assert sorted(_ready_tasks()) == [FAN_OUT, FAN_OUT, SEND, SEND, SEND]  # reset ×2, reply; two fan-outs

    run_worker(until=lambda: Delivery.objects.count() == 9 and not Delivery.objects.exclude(status="sent").exists())

    a, b = actors.member_a.mobile, actors.member_b.mobile
    sent_to = sorted(to for to, _text in provider.delivered())
    assert sent_to == sorted([a, b, b, a, "09121110000"])  # round ×2, reset, visitor's message, reply
    assert ("09121110000", f"پاسخ «{actors.a.business_name}»\nکیلویی ۴۰۰ هزار تومان") in provider.delivered()
    assert sorted(m.to[0] for m in mailoutbox) == sorted([actors.member_a.email] * 2 + [actors.member_b.email] * 2)
    assert all(request["status"] == 200 for request in provider.received())


# --- (c) a task run twice sends once --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_same_send_queued_twice_goes_out_once(actors, queue, sms_provider):
    provider = sms_provider()
    notifications.notify(user=actors.member_a, subject="یک بار", channels=(notifications.SMS,))
    delivery = Delivery.objects.get()
    notifications.send_delivery.enqueue(delivery.pk)  # a second task for the same delivery
    run_worker(until=lambda: _ready_tasks() == [])
    assert provider.delivered() == [(actors.member_a.mobile, "یک بار")]
    results = sorted(DBTaskResult.objects.filter(task_path=SEND).values_list("return_value", flat=True))
    assert results == ["sent", "skipped"]
    assert notifications.send_delivery.call(delivery.pk) == "skipped"  # and a third, by hand
    assert len(provider.received()) == 1
    assert Delivery.objects.get().tries == 1


@pytest.mark.django_db(transaction=True)
def test_a_rerun_while_the_first_run_is_still_sending_sends_nothing(actors, queue, sms_provider):
    """A worker in the middle of a send (the provider has not answered yet) and the same task
    started again (by a second worker, or after the first was presumed dead): one message."""
    provider = sms_provider()
    provider.release.clear()  # the provider holds every request until released
    notifications.notify(user=actors.member_a, subject="در حال ارسال", channels=(notifications.SMS,))
    delivery = Delivery.objects.get()
    outcome = {}

    def first_run():
        try:
            outcome["first"] = notifications.send_delivery.call(delivery.pk)
        finally:
            connection.close()

    thread = threading.Thread(target=first_run)
    thread.start()
    provider.wait_for(1)
    assert Delivery.objects.get().status == "sending"
    assert notifications.send_delivery.call(delivery.pk) == "skipped"
    provider.release.set()
    thread.join(timeout=10)
    assert outcome == {"first": "sent"}
    assert len(provider.received()) == 1
    assert Delivery.objects.get().status == "sent"


@pytest.mark.django_db(transaction=True)
def test_the_sweep_marks_an_interrupted_send_and_queues_a_lost_one_again(actors, queue, sms_provider, settings):
    """What a worker killed mid-send leaves (a claimed row) is marked "outcome unknown" and
    never sent again; a queued delivery whose task was lost is queued again."""
    provider = sms_provider()
    notifications.notify(user=actors.member_a, subject="قطع شده", channels=(notifications.SMS,), private=True)
    notifications.notify(user=actors.member_b, subject="گم شده", channels=(notifications.SMS,))
    interrupted, lost = Delivery.objects.order_by("pk")
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    # The killed worker had claimed the first; the second's task never reached the queue.
    Delivery.objects.filter(pk=interrupted.pk).update(status="sending", tries=1, last_try_at=long_ago)
    Delivery.objects.filter(pk=lost.pk).update(next_try_at=long_ago)
    DBTaskResult.objects.all().delete()

    assert notifications.deliveries_requeue() == {"interrupted": 1, "requeued": 1}
    run_worker(until=lambda: _ready_tasks() == [])
    assert provider.delivered() == [(actors.member_b.mobile, "گم شده")]
    interrupted.refresh_from_db()
    assert (interrupted.status, interrupted.text) == ("unknown", "")  # private: erased
    assert interrupted.get_status_display() == "قطع‌شده (نتیجه نامعلوم)"
    assert notifications.deliveries_requeue() == {"interrupted": 0, "requeued": 0}


# --- (d) a fan-out is one task, then one send per recipient --------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_round_opening_queues_one_task_that_queues_one_send_per_recipient_and_channel(
    actors, queue, sms_provider, mailoutbox
):
    provider = sms_provider()
    others = [make_user(f"0913555000{n}", f"عضو {n}") for n in range(3)]
    for n, user in enumerate(others):
        make_member(user, national_id=["0013542419", "0084575948", "0067749828"][n], number=10 + n)
    members = [actors.member_a, actors.member_b, *others]
    _with_email(*members)
    ensure_products()

    pricing_services.price_round_open(year=1405, month=8, actor=actors.staff)

    assert _ready_tasks() == [FAN_OUT]  # one task, whatever the number of members
    assert Notification.objects.filter(user__in=members).count() == 5  # the portal's own, at once
    assert Delivery.objects.count() == 0
    run_worker(until=lambda: True, max_tasks=1)  # the fan-out alone
    fan_out = DBTaskResult.objects.get(task_path=FAN_OUT)
    assert (fan_out.status, fan_out.return_value) == ("SUCCESSFUL", 10)
    assert _ready_tasks() == [SEND] * 10
    assert Delivery.objects.filter(status="queued").count() == 10
    keys = set(Delivery.objects.values_list("key", flat=True))
    notes = Notification.objects.filter(user__in=members).values_list("pk", flat=True)
    assert keys == {f"notification:{pk}:{channel}" for pk in notes for channel in ("email", "sms")}

    run_worker(until=lambda: not Delivery.objects.exclude(status="sent").exists())
    assert sorted(to for to, _text in provider.delivered()) == sorted(user.mobile for user in members)
    assert sorted(message.to[0] for message in mailoutbox) == sorted(user.email for user in members)

    # The fan-out run again (a worker that died after it): no new delivery, nothing sent twice.
    assert notifications.fan_out.call(**fan_out.args_kwargs["kwargs"]) == 0
    assert Delivery.objects.count() == 10 and _ready_tasks() == []
    assert len(provider.received()) == 5


def test_opening_a_round_costs_the_same_queries_for_two_members_or_six(actors, django_capture_on_commit_callbacks):
    ensure_products()

    def open_round(month):
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=False):
            pricing_services.price_round_open(year=1405, month=month, actor=actors.staff)
        PriceRound.objects.filter(month=month).update(status="closed")
        return len(queries.captured_queries)

    open_round(6)  # the first call also reads what is cached for the process (content types)
    two = open_round(7)
    for n in range(4):
        user = make_user(f"0913666000{n}", f"عضو تازه {n}")
        make_member(user, national_id=["0013542419", "0084575948", "0067749828", "0077889901"][n], number=20 + n)
    six = open_round(8)
    assert Notification.objects.filter(subject__contains="آبان").count() == 6
    assert two == six


# --- the reminder commands only queue ------------------------------------------------------


def test_the_reminder_commands_queue_a_task_and_send_nothing_themselves(actors, queue, mailoutbox):
    sms.outbox.clear()
    for command in ("send_permit_reminders", "send_event_reminders", "send_price_round_reminders"):
        out = io.StringIO()
        call_command(command, stdout=out)
        assert re.fullmatch(r"(permit|event|price round) reminders queued \(task [0-9a-f-]{36}\)\n", out.getvalue())
    assert sorted(_ready_tasks()) == [
        "events.tasks.send_event_reminders",
        "permits.tasks.refresh_staff_dashboard_summary",  # the staff dashboard's figures for the day
        "permits.tasks.send_permit_reminders",
        "pricing.tasks.send_price_round_reminders",
    ]
    assert sms.outbox == [] and mailoutbox == [] and Notification.objects.count() == 0


# --- the rest of the platform ---------------------------------------------------------------


def test_staff_notifications_also_reach_the_extra_staff_addresses(
    actors, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.STAFF_NOTIFY_EMAILS = ["office@example.ir"]
    actors.staff.email = "staff@example.ir"
    actors.staff.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.notify_staff(subject="درخواست تازه", body="بررسی کنید", url="/admin/") == 1
    sent = sorted((message.to[0], message.subject, message.body) for message in mailoutbox)
    assert sent == [
        ("office@example.ir", "درخواست تازه", "بررسی کنید\n\n/admin/"),
        ("staff@example.ir", "درخواست تازه", "بررسی کنید\n\n/admin/"),
    ]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_staff_see_deliveries_read_only_without_private_texts(actors, client_as, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # still queued
        notifications.notify(user=actors.member_a, subject="پیوند محرمانه", body="رمز: xyz-123", private=True)
        notifications.notify(user=actors.member_b, subject="خبر عمومی", body="جلسه فردا")
    client = client_as("staff")
    page = client.get(reverse("admin:cluster_portal_delivery_changelist") + "?status__exact=queued&channel=sms")
    assert page.status_code == 200
    html = page.content.decode()
    assert "********۰۰۲" in html and actors.member_a.mobile not in html  # masked (Persian digits in the fa admin)
    private = Delivery.objects.get(user=actors.member_a, channel="sms")
    detail = client.get(reverse("admin:cluster_portal_delivery_change", args=[private.pk])).content.decode()
    assert "xyz-123" not in detail and "(خصوصی: نمایش داده نمی‌شود)" in detail
    public = Delivery.objects.get(user=actors.member_b, channel="sms")
    detail = client.get(reverse("admin:cluster_portal_delivery_change", args=[public.pk])).content.decode()
    assert "جلسه فردا" in detail and 'type="submit"' not in detail.split('id="content-main"')[1]
    assert client.get(reverse("admin:cluster_portal_delivery_add")).status_code == 403
    assert client_as("member_a").get(reverse("admin:cluster_portal_delivery_changelist")).status_code == 302


def test_anonymising_a_member_erases_the_addresses_of_their_deliveries(actors, django_capture_on_commit_callbacks):
    _with_email(actors.member_b)
    notifications.notify(user=actors.member_b, subject="برای ب", body="متن")
    member_services.member_change_status(member=actors.b, actor=actors.staff, to_status="resigned", reason="بازنشستگی")
    member_anonymise(member=actors.b, actor=actors.staff)
    left = list(Delivery.objects.filter(user=actors.member_b).values_list("address", "subject", "text"))
    assert left and all(row == ("", "", "") for row in left)
    assert not Delivery.objects.filter(address__in=["09130000003", "user0@example.ir"]).exists()


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://api.example.ir/v1/{api_key}/sms/send.json", True),
        ("http://127.0.0.1:9/v1/{api_key}/sms/send.json", True),
        ("http://api.example.ir/v1/{api_key}/sms/send.json", False),
        ("file:///etc/passwd", False),
    ],
)
def test_the_http_sms_backend_speaks_https_or_to_this_machine_only(url, allowed):
    assert sms._allowed_url(url.format(api_key="k")) is allowed
