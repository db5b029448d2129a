"""The notification service: one call tells a user through the portal, e-mail and SMS.

The portal notification is written in the caller's transaction. Each e-mail and SMS is a
Delivery row (written in the same transaction) that a background task sends once the
transaction commits: a request never waits for a mail server or an SMS provider, a rolled-back
change sends nothing, a failed send is tried again later (a growing delay, a bounded number of
tries), and every delivery's state is visible to estates staff in the administration.

Telling many people (a round opens, a reminder, a commitment's followers, the staff) writes
the portal notifications at once and queues ONE task, which writes the deliveries and queues
one send per recipient and channel.

Nothing is sent twice: each delivery has an idempotency key (the notification and channel),
and a send first claims its row with a conditional update (queued → sending); a task run
twice, or re-run after a worker was killed in the middle of a send, finds the row claimed."""

import logging
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_save
from django.utils import timezone, translation

from . import sms
from .models import Delivery, Notification
from .tasks import enqueue_after, enqueue_on_commit, task

logger = logging.getLogger(__name__)

PORTAL, EMAIL, SMS = "portal", "email", "sms"
# One person waiting for their own message (a password reset, a registration) goes before
# the sends of a large fan-out.
URGENT = 10


def notify(*, user, subject, body="", url="", channels=(PORTAL, EMAIL, SMS), private=False) -> Notification | None:
    """Tell one user. subject/body should already be translated (use the user's language).
    private: the message carries a secret (a password-reset link): never shown in the
    administration, erased once sent."""
    notification = None
    subject, body = str(subject), str(body)
    if PORTAL in channels:
        notification = Notification.objects.create(user=user, subject=subject[:200], body=body, url=url)
    prefix = f"notification:{notification.pk}" if notification else f"message:{uuid.uuid4().hex}"
    for delivery in _deliveries(
        prefix=prefix,
        user=user,
        notification_id=getattr(notification, "pk", None),
        subject=subject,
        body=body,
        url=url,
        channels=channels,
        private=private,
    ):
        delivery.save()
        enqueue_on_commit(send_delivery.using(priority=URGENT), delivery.pk)
    return notification


def notify_many(*, users, subject, body="", url="", channels=(PORTAL, EMAIL, SMS)) -> int:
    """Tell many users the same thing: their portal notifications now (one insert), their
    e-mails and SMS through one fan-out task queued on commit."""
    users = list(users)
    if not users:
        return 0
    subject, body = str(subject), str(body)
    notification_ids = [None] * len(users)
    if PORTAL in channels:
        notes = Notification.objects.bulk_create(
            [Notification(user=user, subject=subject[:200], body=body, url=url) for user in users]
        )
        for note in notes:  # what a save would have told the listeners (the dashboard cache)
            post_save.send(sender=Notification, instance=note, created=True, raw=False, using=note._state.db)
        notification_ids = [note.pk for note in notes]
    outward = [channel for channel in channels if channel in (EMAIL, SMS)]
    if outward:
        enqueue_on_commit(
            fan_out,
            recipients=[[user.pk, note_id] for user, note_id in zip(users, notification_ids, strict=True)],
            subject=subject,
            body=body,
            url=url,
            channels=outward,
            batch=uuid.uuid4().hex,
        )
    return len(users)


def notify_staff(*, subject, body="", url="") -> int:
    """Tell the estates staff (portal + e-mail): the active users of the group that
    `settings.ESTATES_STAFF_GROUP` names (the platform knows no roles of its own); and e-mail
    the STAFF_NOTIFY_EMAILS addresses."""
    staff = get_user_model().objects.filter(groups__name=settings.ESTATES_STAFF_GROUP, is_active=True).distinct()
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = str(subject), str(body)
        for address in settings.STAFF_NOTIFY_EMAILS:
            send_email(to=address, subject=subject, text=f"{body}\n\n{url}".strip())
        return notify_many(users=staff, subject=subject, body=body, url=url, channels=(PORTAL, EMAIL))


def send_sms(*, to: str, text, private=False) -> Delivery:
    """An SMS to a number that may belong to no user (an invitation, a reply to a visitor)."""
    delivery = Delivery.objects.create(
        key=f"message:{uuid.uuid4().hex}:{SMS}", channel=SMS, address=to, text=str(text), private=private
    )
    enqueue_on_commit(send_delivery.using(priority=URGENT), delivery.pk)
    return delivery


def send_email(*, to: str, subject, text) -> Delivery:
    """An e-mail to an address that belongs to no user (STAFF_NOTIFY_EMAILS)."""
    delivery = Delivery.objects.create(
        key=f"message:{uuid.uuid4().hex}:{EMAIL}", channel=EMAIL, address=to, subject=str(subject)[:200], text=str(text)
    )
    enqueue_on_commit(send_delivery, delivery.pk)
    return delivery


def unread_count(user) -> int:
    """How many of the user's notifications are unread (read once per request: a page that
    already counted them while listing them leaves the count on the user object)."""
    count = getattr(user, "_unread_count", None)
    if count is None:
        count = user._unread_count = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return count


def deliveries_forget(*, addresses) -> int:
    """Erase the addresses and texts of every delivery to these numbers or e-mail addresses
    (anonymisation of a member who has left)."""
    addresses = [address for address in addresses if address]
    if not addresses:
        return 0
    return Delivery.objects.filter(address__in=addresses).update(address="", subject="", text="")


def _deliveries(*, prefix, user, notification_id, subject, body, url, channels, private):
    rows = []
    common = {"notification_id": notification_id, "user": user, "private": private}
    email = getattr(user, "email", "")
    mobile = getattr(user, "mobile", "")
    if EMAIL in channels and email:
        text = f"{body}\n\n{url}".strip()
        rows.append(
            Delivery(key=f"{prefix}:{EMAIL}", channel=EMAIL, address=email, subject=subject[:200], text=text, **common)
        )
    if SMS in channels and mobile:
        text = subject if not body else f"{subject}\n{body}"
        rows.append(Delivery(key=f"{prefix}:{SMS}", channel=SMS, address=mobile, text=text, **common))
    return rows


# --- Tasks ----------------------------------------------------------------------------------


@task()
def fan_out(*, recipients, subject, body, url, channels, batch) -> int:
    """Write the deliveries of a notify_many (keyed, so a second run adds none) and queue one
    send for each that has not gone out yet. recipients: [[user id, notification id or None]]."""
    users = get_user_model().objects.in_bulk([user_id for user_id, _note in recipients])
    live_notes = set(
        Notification.objects.filter(pk__in=[note for _user, note in recipients if note]).values_list("pk", flat=True)
    )
    rows = []
    for user_id, note_id in recipients:
        user = users.get(user_id)
        if user is None or (note_id and note_id not in live_notes):
            continue  # removed since (an erased user, a deleted notification)
        prefix = f"notification:{note_id}" if note_id else f"batch:{batch}:{user_id}"
        rows += _deliveries(
            prefix=prefix,
            user=user,
            notification_id=note_id,
            subject=subject,
            body=body,
            url=url,
            channels=channels,
            private=False,
        )
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    keys = [row.key for row in rows]
    due = []
    for start in range(0, len(keys), 500):
        due += Delivery.objects.filter(key__in=keys[start : start + 500], status=Delivery.Status.QUEUED).values_list(
            "pk", flat=True
        )
    for delivery_id in sorted(due):
        send_delivery.enqueue(delivery_id)
    return len(due)


@task()
def send_delivery(delivery_id: int) -> str:
    """Send one e-mail or SMS. The row is claimed first (queued → sending, one more try) by a
    conditional update: only one run ever gets it, so a duplicate or re-run task sends nothing.
    A failure puts it back in the queue with a later run time until the tries run out."""
    now = timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.QUEUED).update(
        status=Delivery.Status.SENDING, tries=F("tries") + 1, last_try_at=now
    )
    if not claimed:
        return "skipped"  # sent, being sent, given up, or gone
    delivery = Delivery.objects.get(pk=delivery_id)
    try:
        if delivery.channel == Delivery.Channel.EMAIL:
            send_mail(delivery.subject, delivery.text, settings.DEFAULT_FROM_EMAIL, [delivery.address])
        else:
            sms.get_backend().send(to=delivery.address, text=delivery.text)
    except Exception as error:  # the provider's failure is recorded, never raised to the worker
        return _send_failed(delivery, error)
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), error="", **_erased(delivery)
    )
    return "sent"


def retry_delay(tries: int) -> float:
    """Seconds before the next try after `tries` failed ones: the base, then 4× each time
    (30 s, 2 min, 8 min, 32 min with the default base)."""
    return settings.NOTIFICATION_RETRY_SECONDS * 4 ** (tries - 1)


def _send_failed(delivery, error) -> str:
    reason = f"{type(error).__name__}: {error}"[:500]
    logger.warning(
        "%s delivery %s failed (try %s of %s): %s",
        delivery.channel,
        delivery.pk,
        delivery.tries,
        settings.NOTIFICATION_MAX_TRIES,
        reason,
    )
    claimed = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING)
    if delivery.tries >= settings.NOTIFICATION_MAX_TRIES:
        claimed.update(status=Delivery.Status.FAILED, error=reason, **_erased(delivery))
        return "failed"
    delay = retry_delay(delivery.tries)
    with transaction.atomic():  # the row is queued again together with the task that retries it
        claimed.update(
            status=Delivery.Status.QUEUED,
            error=reason,
            next_try_at=timezone.now() + timezone.timedelta(seconds=delay),
        )
        enqueue_after(send_delivery, delay, delivery.pk)
    return "retry"


def _erased(delivery) -> dict:
    return {"text": "", "subject": ""} if delivery.private else {}


def deliveries_requeue(*, now=None) -> dict:
    """The sweep (`manage.py requeue_deliveries`, every few minutes): a delivery claimed longer
    ago than NOTIFICATION_SENDING_TIMEOUT was interrupted (its worker died during the send) and
    is marked "outcome unknown", never sent again; a queued delivery overdue by as long lost its
    task (a process that died between its commit and the queueing) and is queued again. A
    second task for a delivery sends nothing (the claim), so queueing again is always safe."""
    now = now or timezone.now()
    stale = now - timezone.timedelta(seconds=settings.NOTIFICATION_SENDING_TIMEOUT)
    interrupted = Delivery.objects.filter(status=Delivery.Status.SENDING, last_try_at__lt=stale)
    unknown = interrupted.filter(private=True).update(status=Delivery.Status.UNKNOWN, text="", subject="")
    unknown += interrupted.update(status=Delivery.Status.UNKNOWN)
    overdue = list(
        Delivery.objects.filter(status=Delivery.Status.QUEUED, next_try_at__lt=stale).values_list("pk", flat=True)
    )
    for delivery_id in overdue:
        send_delivery.enqueue(delivery_id)
    return {"interrupted": unknown, "requeued": len(overdue)}
