"""Who may poll the live Q&A, remembered between polls without letting a lost access live on.

Once a poll's access query (`events.selectors.qa_poll_access`) has admitted a browser session
for an event, events.middleware remembers the answer (the *poll mark*: the user, which
fragment they get, the access epoch it was given under) for at most `POLL_ACCESS_SECONDS`, and
answers the next polls without the query while the *access epoch* is unchanged.

The epoch is a version token (`core.fragment_cache`) renewed — at once and again when
the transaction commits — whenever a row that decides who may use the Q&A is saved or deleted:
a user (account flags, password; a sign-in's last-login time aside), a user's groups, a member
(its status), a member's user link, a panel, a panelist seat, an event. These senders are
listed here and connected in `EventsConfig.ready`; no receiver listens to other models. So a
role removed, a member suspended, a colleague removed, a seat taken away, an account
deactivated or a password changed takes effect on the next poll; a logout ends the session,
which every poll reads. A change made with `QuerySet.update()` or SQL sends no signal: it takes
effect within `POLL_ACCESS_SECONDS`, when the mark runs out."""

import hashlib

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save

from core import fragment_cache
from members.models import Member, MemberUser

from .models import Event, Panel, Panelist

ACCESS = "events.qa-access"
POLL_ACCESS_SECONDS = 60


def mark_key(session_key: str, event_id) -> str:
    digest = hashlib.sha256(session_key.encode()).hexdigest()[:32]
    return f"events:qa-poll:{event_id}:{digest}"


def access_changed() -> None:
    fragment_cache.bump(ACCESS)


def _saved_or_deleted(sender, update_fields=None, **kwargs):
    if sender is get_user_model() and update_fields and set(update_fields) <= {"last_login"}:
        return  # every sign-in saves the user's last-login time: no access changes with it
    access_changed()


def _groups_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        access_changed()


def connect_signals() -> None:
    user_model = get_user_model()
    for model in (user_model, Member, MemberUser, Panel, Panelist, Event):
        label = model._meta.label_lower
        post_save.connect(_saved_or_deleted, sender=model, dispatch_uid=f"events.qa_access.saved.{label}")
        post_delete.connect(_saved_or_deleted, sender=model, dispatch_uid=f"events.qa_access.deleted.{label}")
    m2m_changed.connect(_groups_changed, sender=user_model.groups.through, dispatch_uid="events.qa_access.groups")
