"""The notification service: one call tells a user through the portal, e-mail and SMS.

Sending happens after the surrounding transaction commits, so a rolled-back change never
notifies anyone, and a failing channel is logged without undoing the change."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation

from . import sms
from .models import Notification

logger = logging.getLogger(__name__)

PORTAL, EMAIL, SMS = "portal", "email", "sms"


def notify(*, user, subject, body="", url="", channels=(PORTAL, EMAIL, SMS)) -> Notification | None:
    """Tell one user. subject/body should already be translated (use the user's language)."""
    notification = None
    subject, body = str(subject), str(body)
    if PORTAL in channels:
        notification = Notification.objects.create(user=user, subject=subject[:200], body=body, url=url)
    email = getattr(user, "email", "")
    mobile = getattr(user, "mobile", "")

    def deliver():
        if EMAIL in channels and email:
            try:
                send_mail(subject, f"{body}\n\n{url}".strip(), settings.DEFAULT_FROM_EMAIL, [email])
            except Exception:  # a mail server outage must not break the action
                logger.exception("e-mail notification failed (notification %s)", getattr(notification, "pk", None))
        if SMS in channels and mobile:
            try:
                sms.get_backend().send(to=mobile, text=subject if not body else f"{subject}\n{body}")
            except Exception:
                logger.exception("SMS notification failed (notification %s)", getattr(notification, "pk", None))

    transaction.on_commit(deliver)
    return notification


def notify_many(*, users, subject, body="", url="", channels=(PORTAL, EMAIL, SMS)) -> int:
    count = 0
    for user in users:
        notify(user=user, subject=subject, body=body, url=url, channels=channels)
        count += 1
    return count


def notify_staff(*, subject, body="", url="") -> int:
    """Tell the estates staff (portal + e-mail): the active users of the group that
    `settings.ESTATES_STAFF_GROUP` names (the platform knows no roles of its own)."""
    staff = get_user_model().objects.filter(groups__name=settings.ESTATES_STAFF_GROUP, is_active=True).distinct()
    with translation.override(settings.LANGUAGE_CODE):
        return notify_many(users=staff, subject=subject, body=body, url=url, channels=(PORTAL, EMAIL))


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
