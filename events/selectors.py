"""Reads of the events app, scoped to who asks."""

import functools

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from core.statements import aware_datetime, placeholders
from members import roles
from members.models import MemberUser

from .models import PLACE_HOLDING, Commitment, Event, Panel, Panelist, Question, Registration, Vote

VISIBLE_QUESTION_STATES = (Question.Status.APPROVED, Question.Status.ANSWERED)


def _visible_events(user):
    qs = Event.objects.all()
    if roles.is_estates_staff(user):
        return qs
    qs = qs.filter(status__in=(Event.Status.PUBLISHED, Event.Status.FINISHED, Event.Status.CANCELLED))
    if roles.is_active_member(user):
        return qs
    if user.is_authenticated:
        return qs.filter(Q(audience=Event.Audience.PUBLIC) | Q(panels__panelists__user=user)).distinct()
    return qs.filter(audience=Event.Audience.PUBLIC)


def event_visible_or_none(*, user, event_id):
    return _visible_events(user).filter(pk=event_id).first()


def events_upcoming_public(*, user, limit: int | None = None):
    """Published events that have not ended and that this user may see, soonest first."""
    qs = (
        _visible_events(user)
        .filter(status=Event.Status.PUBLISHED, ends_at__gte=timezone.now())
        .order_by("starts_at", "id")
        .only("id", "title", "starts_at", "ends_at", "venue", "kind", "audience", "status", "capacity")
    )
    return list(qs[:limit] if limit else qs)


def events_past(*, user, limit: int = 20):
    return list(
        _visible_events(user)
        .filter(ends_at__lt=timezone.now())
        .exclude(status=Event.Status.DRAFT)
        .order_by("-starts_at", "-id")[:limit]
    )


def events_drafts(*, user):
    if not roles.is_estates_staff(user):
        return []
    return list(Event.objects.filter(status=Event.Status.DRAFT).order_by("starts_at"))


def registered_count(*, event) -> int:
    """Places taken: registrations and places offered from the waiting list."""
    return Registration.objects.filter(event=event, status__in=PLACE_HOLDING).count()


def waiting_position(*, registration) -> int:
    """1 for the first in line on the event's waiting list."""
    return (
        Registration.objects.filter(event_id=registration.event_id, status=Registration.Status.WAITING)
        .filter(
            Q(registered_at__lt=registration.registered_at)
            | Q(registered_at=registration.registered_at, pk__lt=registration.pk)
        )
        .count()
        + 1
    )


def registration_of(*, event, user):
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(event=event, user=user).first()


def is_event_panelist(*, user, event) -> bool:
    if not user.is_authenticated:
        return False
    return Panelist.objects.filter(panel__event=event, user=user).exists()


def panelist_seats(*, user, event):
    if not user.is_authenticated:
        return []
    return list(Panelist.objects.filter(panel__event=event, user=user).select_related("panel"))


def event_panels(*, event):
    return list(Panel.objects.filter(event=event).prefetch_related("panelists"))


# --- Q&A -------------------------------------------------------------------------------------


def _question_base():
    return Question.objects.select_related(
        "asker", "addressed_panelist", "answer", "answer__panelist", "commitment", "routed_to"
    )


def questions_public(*, event, sort: str = "votes", limit: int = 60):
    """The published questions of an event (approved and answered), one query."""
    order = ("-created_at", "-id") if sort == "new" else ("-vote_count", "-created_at", "-id")
    return list(_question_base().filter(event=event, status__in=VISIBLE_QUESTION_STATES).order_by(*order)[:limit])


def questions_top_open(*, event, limit: int = 5):
    return list(
        _question_base()
        .filter(event=event, status=Question.Status.APPROVED)
        .exclude(pk=event.current_question_id or 0)
        .order_by("-vote_count", "created_at")[:limit]
    )


def questions_answered_recent(*, event, limit: int = 4):
    """The latest answered questions, for the projector (the one on screen left out)."""
    return list(
        _question_base()
        .filter(event=event, status=Question.Status.ANSWERED)
        .exclude(pk=event.current_question_id or 0)
        .order_by("-answer__answered_at", "-id")[:limit]
    )


def current_question(*, event):
    if not event.current_question_id:
        return None
    return _question_base().filter(pk=event.current_question_id).first()


def my_vote_ids(*, event, user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(Vote.objects.filter(user=user, question__event_id=event.pk).values_list("question_id", flat=True))


def my_questions(*, event, user):
    if not user.is_authenticated:
        return []
    return list(
        Question.objects.filter(event=event, asker=user)
        .exclude(status=Question.Status.WITHDRAWN)
        .select_related("answer", "merged_into")
        .order_by("-created_at", "-id")
    )


def moderation_queue(*, event, scope: Q, seats=(), status: str = "open"):
    """Questions for staff or one of the event's panelists (`scope`: what this user may
    moderate, from events.access): open ones (waiting and approved), those addressed to this
    panelist (or their organisation) first, then by votes."""
    qs = _question_base().filter(scope, event=event)
    if status == "open":
        qs = qs.filter(status__in=(Question.Status.PENDING, Question.Status.APPROVED))
    elif status in Question.Status.values:
        qs = qs.filter(status=status)
    questions = list(qs.order_by("-vote_count", "created_at", "id")[:300])
    if seats:
        seat_ids = {seat.pk for seat in seats}
        organisations = {seat.organisation for seat in seats}
        for q in questions:
            q.for_me = (
                q.routed_to_id in seat_ids
                or q.addressed_panelist_id in seat_ids
                or (not q.addressed_panelist_id and q.addressed_organisation in organisations)
            )
        questions.sort(key=lambda q: not q.for_me)  # stable: keeps the votes order within each group
    return questions


def moderation_counts(*, event, scope: Q):
    """Questions per status among those this user may moderate."""
    rows = Question.objects.filter(scope, event=event).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


# --- Commitments ----------------------------------------------------------------------------


def commitments_list(*, status: str = "", organisation: str = "", event_id=None, overdue: bool = False):
    qs = Commitment.objects.select_related("event").annotate(question_count=Count("questions", distinct=True))
    if status:
        qs = qs.filter(status=status)
    if organisation:
        qs = qs.filter(owner_organisation=organisation)
    if event_id:
        qs = qs.filter(event_id=event_id)
    if overdue:
        qs = qs.filter(
            due_date__lt=timezone.localdate(), status__in=(Commitment.Status.OPEN, Commitment.Status.IN_PROGRESS)
        )
    return qs.order_by("due_date", "id")


def commitment_detail(*, pk):
    return (
        Commitment.objects.select_related("event", "created_by", "owner_user")
        .prefetch_related(
            "notes__author",
            Prefetch(
                "questions",
                queryset=Question.objects.filter(merged_into__isnull=True).select_related(
                    "answer", "answer__panelist", "asker"
                ),
                to_attr="main_questions",
            ),
        )
        .filter(pk=pk)
        .first()
    )


# --- Report ---------------------------------------------------------------------------------


def event_report(*, event):
    registrations = list(
        Registration.objects.filter(event=event, status=Registration.Status.REGISTERED)
        .select_related("user", "member")
        .order_by("user__full_name", "id")
    )
    questions = list(
        _question_base()
        .filter(event=event)
        .exclude(status__in=(Question.Status.WITHDRAWN,))
        .order_by("-vote_count", "created_at")
    )
    topic_rows = list(
        Question.objects.filter(event=event)
        .exclude(status__in=(Question.Status.WITHDRAWN, Question.Status.MERGED))
        .values("topic")
        .annotate(n=Count("id"), answered=Count("id", filter=Q(status=Question.Status.ANSWERED)))
        .order_by()
    )
    by_topic = {row["topic"]: row["n"] for row in topic_rows}
    answered_by_topic = {row["topic"]: row["answered"] for row in topic_rows}
    by_organisation = {
        row["addressed_organisation"]: row["n"]
        for row in Question.objects.filter(event=event)
        .exclude(status__in=(Question.Status.WITHDRAWN, Question.Status.MERGED))
        .values("addressed_organisation")
        .annotate(n=Count("id"))
    }
    commitments = list(commitments_list(event_id=event.pk))
    return {
        "registrations": registrations,
        "checked_in": sum(1 for r in registrations if r.checked_in_at),
        "questions": questions,
        "answered": [q for q in questions if q.status == Question.Status.ANSWERED],
        "by_topic": by_topic,
        "answered_by_topic": answered_by_topic,
        "by_organisation": by_organisation,
        "commitments": commitments,
    }


# --- The Q&A poll's quick path ----------------------------------------------------------------

_poll_sql: str | None = None


def _poll_access_sql() -> str:
    """Who the user is for this event's Q&A, in one row (none when the user does not exist):
    the password hash (the session's check), the account flags, whether they hold a role that
    asks for the second factor, their member's status, whether they sit on one of the event's
    panels, and the event's status and creation time (NULL when there is no such event).
    Written by hand, with the tables' names from the models, so the database plans one index
    lookup per table."""
    user_model = get_user_model()
    user_groups = user_model.groups.through._meta
    group = user_groups.get_field("group").related_model._meta
    quote = connection.ops.quote_name

    def table(meta):
        return quote(meta.db_table)

    return f"""
        SELECT u.password, u.is_active, u.is_staff, u.is_superuser, u.privilege_version,
            EXISTS (
                SELECT 1 FROM {table(user_groups)} ug JOIN {table(group)} g ON g.id = ug.group_id
                WHERE ug.user_id = u.id AND g.name IN (%s, %s)
            ),
            (
                SELECT m.status FROM {table(MemberUser._meta)} mu
                JOIN {table(MemberUser._meta.get_field("member").related_model._meta)} m ON m.id = mu.member_id
                WHERE mu.user_id = u.id
            ),
            EXISTS (
                SELECT 1 FROM {table(Panelist._meta)} p JOIN {table(Panel._meta)} pa ON pa.id = p.panel_id
                WHERE p.user_id = u.id AND pa.event_id = e.id
            ),
            e.status, e.created_at
        FROM {table(user_model._meta)} u LEFT JOIN {table(Event._meta)} e ON e.id = %s
        WHERE u.id = %s
    """  # noqa: S608 (table names from the models, values are parameters)


def qa_poll_access(*, user_id: int, event_id: int) -> dict | None:
    """The row of `_poll_access_sql` for the Q&A poll that is answered before sessions and users
    load (events.middleware): one round trip to the database. On PostgreSQL psycopg prepares
    it once the connection has run it a few times (server-side binding, settings.DATABASES):
    the plan is made once, each poll only executes it."""
    global _poll_sql
    if _poll_sql is None:
        _poll_sql = _poll_access_sql()
    params = [roles.ESTATES_STAFF, roles.UNION_HEAD, event_id, user_id]
    with connection.cursor() as cursor:
        cursor.execute(_poll_sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    return {
        "password": row[0],
        "is_active": bool(row[1]),
        "is_staff": bool(row[2]),
        "is_superuser": bool(row[3]),
        "privilege_version": row[4],
        "privileged": bool(row[5]),
        "member_status": row[6],
        "panelist": bool(row[7]),
        "event_status": row[8],
        "event_created": aware_datetime(row[9]),
    }


# -- the member dashboard's section ---------------------------------------------------------------

DASHBOARD_REGISTRATIONS = (Registration.Status.REGISTERED, Registration.Status.OFFERED, Registration.Status.WAITING)


@functools.cache
def _dashboard_registrations_sql() -> str:
    """The user's registrations (registered, offered a place, waiting) for published events not
    yet over, soonest first."""
    registration, event = (model._meta.db_table for model in (Registration, Event))
    statuses = placeholders(len(DASHBOARD_REGISTRATIONS))
    return f"""
        SELECT e.id, e.title, e.starts_at, r.status, r.offer_expires_at
        FROM {registration} r
        JOIN {event} e ON e.id = r.event_id
        WHERE r.user_id = %s AND r.status IN ({statuses}) AND e.ends_at >= %s AND e.status = %s
        ORDER BY e.starts_at, e.id
        LIMIT %s
    """  # noqa: S608 (table names from the models, values are parameters)


@functools.cache
def _dashboard_questions_sql() -> str:
    """The user's questions not withdrawn, newest first, with their commitment's status."""
    question, commitment = (model._meta.db_table for model in (Question, Commitment))
    return f"""
        SELECT q.event_id, q.text, q.status, q.commitment_id, c.status
        FROM {question} q
        LEFT JOIN {commitment} c ON c.id = q.commitment_id
        WHERE q.asker_id = %s AND q.status <> %s
        ORDER BY q.created_at DESC, q.id DESC
        LIMIT %s
    """  # noqa: S608 (table names from the models, values are parameters)


def member_dashboard_events(*, user, now=None, limit=5) -> dict:
    """For the member dashboard: `registrations`, the user's next registrations (`url`,
    `title`, `starts_at` of the event; `status`, `status_label`, `offer_expires_at`), and
    `questions`, their newest questions (`url` of the event's Q&A, `text`, `status`,
    `status_label`, `commitment_url` and `commitment_status_label` when a commitment came of
    it). Two queries, no model instances."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _dashboard_registrations_sql(),
            [
                user.pk,
                *DASHBOARD_REGISTRATIONS,
                connection.ops.adapt_datetimefield_value(now),
                Event.Status.PUBLISHED,
                limit,
            ],
        )
        registrations = cursor.fetchall()
        cursor.execute(_dashboard_questions_sql(), [user.pk, Question.Status.WITHDRAWN, limit])
        questions = cursor.fetchall()
    return {
        "registrations": [
            {
                "url": reverse("events:detail", args=[event_id]),
                "title": title,
                "starts_at": aware_datetime(starts_at),
                "status": status,
                "status_label": Registration.Status(status).label,
                "offer_expires_at": aware_datetime(offer_expires_at),
            }
            for event_id, title, starts_at, status, offer_expires_at in registrations
        ],
        "questions": [
            {
                "url": reverse("events:qa", args=[event_id]),
                "text": text,
                "status": status,
                "status_label": Question.Status(status).label,
                "commitment_url": commitment_id and reverse("events:commitment_detail", args=[commitment_id]),
                "commitment_status_label": commitment_status and Commitment.Status(commitment_status).label,
            }
            for event_id, text, status, commitment_id, commitment_status in questions
        ],
    }
