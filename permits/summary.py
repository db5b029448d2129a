"""The staff dashboard's stored summary (StaffDashboardSummary): the figures that scan whole
tables (selectors.staff_dashboard_figures, ≈ 150 ms on the scale-100 data) are computed by a
background task and read back in one query; the dashboard's lists stay live.

When the figures are renewed:
- after a write: saving or deleting a permit, case, step, escalation, legal response time,
  permit type, worker or member queues `tasks.refresh_staff_dashboard_summary` to run
  REFRESH_DELAY seconds later (at most one queued at a time: a burst of writes is one run);
- when the dashboard is read and the permits tables' versions have changed since the figures
  were computed (a write no signal sees: `QuerySet.update()` followed by `bump_table`), the
  same task is queued;
- in the request itself when there are no figures yet, when they are for an earlier day (the
  states follow the date) or when they are older than MAX_AGE_SECONDS and the tables have
  changed since (no worker ran the task), one request at a time: so what the page shows is
  never more than MAX_AGE_SECONDS behind the data (and the second one request takes to compute
  them), and the page says when the figures were computed.

The summary holds counts and medians only (no name, no member's own figures): nothing to erase
when a member is anonymised, and the page that shows it is for estates staff only."""

import datetime
import functools
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from core.statements import aware_datetime, json_value
from core.tasks import backend_can_defer, enqueue_after, enqueue_on_commit
from members.dashboard_cache import tables_token
from members.models import Member

from . import selectors
from .models import StaffDashboardSummary

SUMMARY_ID = 1
REFRESH_DELAY = 30
MAX_AGE_SECONDS = 600
QUEUED_KEY = "permits:dashboard-summary:queued"
COMPUTING_KEY = "permits:dashboard-summary:computing"


def current_token() -> str:
    return tables_token(*selectors.STAFF_DASHBOARD_TABLES)


def refresh(*, today=None) -> StaffDashboardSummary:
    """Computes the figures for `today` and stores them (the task's work; safe to run twice or
    on two workers at once: the last one written wins, both exact when they started). The
    tables' versions are read first, so a write made while the figures are computed leaves
    them marked as changed."""
    today = today or timezone.localdate()
    token = current_token()
    cache.delete(QUEUED_KEY)  # a write from now on queues another run
    figures = selectors.staff_dashboard_figures(today=today)
    summary, _created = StaffDashboardSummary.objects.update_or_create(
        pk=SUMMARY_ID,
        defaults={"computed_for": today, "computed_at": timezone.now(), "tables_token": token, "figures": figures},
    )
    return summary


def refresh_unless_current(*, today=None) -> StaffDashboardSummary:
    """The task's work: `refresh`, unless the stored figures are already today's and of the
    tables as they are now — a queue that waited (no worker for a while, a burst of writes
    queued more than one run) does not compute the same figures again and again. Only with a
    shared cache: without one the worker's table versions are its own, never the web
    process's, so it cannot tell and always computes."""
    today = today or timezone.localdate()
    if settings.SHARED_CACHE:
        stored = StaffDashboardSummary.objects.filter(pk=SUMMARY_ID).first()
        if stored is not None and is_current(stored, token=current_token(), today=today):
            cache.delete(QUEUED_KEY)
            return stored
    return refresh(today=today)


def refresh_soon() -> None:
    """Queues a refresh once the current transaction commits: REFRESH_DELAY seconds later, at
    most one waiting at a time (per process without a shared cache: _mark_seconds). A backend that cannot hold a task until later (the immediate
    backend of the tests) runs it at the commit instead, every time."""
    from .tasks import refresh_staff_dashboard_summary

    if not backend_can_defer(refresh_staff_dashboard_summary):
        enqueue_on_commit(refresh_staff_dashboard_summary)
        return
    if cache.add(QUEUED_KEY, 1, timeout=_mark_seconds()):
        transaction.on_commit(partial(enqueue_after, refresh_staff_dashboard_summary, REFRESH_DELAY), robust=True)


def _mark_seconds() -> int:
    """How long the "queued" mark holds further writes back. In a cache every process shares
    (Redis) the run removes it when it starts, so it may outlive the delay (a busy queue) but
    not by much: a rolled-back write's mark holds the next refresh back for at most this long.
    Without one (the embedded default: a local-memory cache per process) the worker that runs
    the task cannot remove the web process's mark, so it lasts only until the run is due: a
    write made after that queues another run instead of waiting for a read to notice it."""
    return 2 * REFRESH_DELAY if settings.SHARED_CACHE else REFRESH_DELAY


@functools.cache
def _stored_sql() -> str:
    return f"""
        SELECT computed_for, computed_at, tables_token, figures
        FROM {StaffDashboardSummary._meta.db_table} WHERE id = %s
    """  # noqa: S608 (table name from the model, the id a parameter)


def stored() -> StaffDashboardSummary | None:
    """The stored row, or None: one hand-written statement (docs/CONVENTIONS.md: the dashboard
    reads it on every render, and the ORM's query and instance cost more than the read), the
    row as the ORM would load it."""
    with connection.cursor() as cursor:
        cursor.execute(_stored_sql(), [SUMMARY_ID])
        row = cursor.fetchone()
    if row is None:
        return None
    computed_for, computed_at, tables_token, figures = row
    return StaffDashboardSummary.from_db(
        connection.alias,
        ["id", "computed_for", "computed_at", "tables_token", "figures"],
        [SUMMARY_ID, computed_for, aware_datetime(computed_at), tables_token, json_value(figures)],
    )


def current(*, today=None, token=None) -> StaffDashboardSummary:
    """The stored figures for the dashboard (one query), computed here only when none are
    stored for `today` or when they are over MAX_AGE_SECONDS old and the tables have changed
    since; recent figures of changed tables are shown while a refresh is queued. `token` is
    the tables' current version when the caller has read it already."""
    today = today or timezone.localdate()
    summary = stored()
    if summary is None:
        return refresh(today=today)
    if summary.computed_for != today:
        # The first request of the day computes them; those that come while it does show the
        # day before's, dated, rather than each computing them again.
        return _computed_once(summary, today=today, force=summary.computed_for > today)
    if summary.tables_token != (token or current_token()):
        if timezone.now() - summary.computed_at > datetime.timedelta(seconds=MAX_AGE_SECONDS):
            return _computed_once(summary, today=today)
        refresh_soon()
    return summary


def _computed_once(summary, *, today, force=False) -> StaffDashboardSummary:
    """The figures computed in this request, unless another request is computing them right
    now (a mark in the cache, per process without a shared one): then the stored ones, dated,
    for the second or so that takes, rather than every request at that moment computing them."""
    if not force and not cache.add(COMPUTING_KEY, 1, timeout=60):
        return summary
    try:
        return refresh(today=today)
    finally:
        cache.delete(COMPUTING_KEY)


def is_current(summary, *, token, today=None) -> bool:
    """Whether these figures are today's, computed from the tables as they are now."""
    return summary.computed_for == (today or timezone.localdate()) and summary.tables_token == token


def _changed(sender, **kwargs):
    refresh_soon()


def connect_signals() -> None:
    """The tables the figures are made from (PermitsConfig.ready)."""
    from django.apps import apps

    models = [apps.get_model("permits", name) for name in selectors.STAFF_DASHBOARD_MODELS] + [Member]
    for model in models:
        uid = model._meta.label_lower
        post_save.connect(_changed, sender=model, dispatch_uid=f"permits.summary.saved.{uid}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"permits.summary.deleted.{uid}")
