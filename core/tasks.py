"""Background work: the one module that names the task framework.

The portal uses Django's Tasks API. On Django 5.2 it comes from the `django-tasks` backport;
on Django 6 the same names live in `django.tasks`, and moving is the import below, the
immediate backend's dotted path in the test settings, and "django_tasks" leaving
INSTALLED_APPS (django-tasks-db works with both). The queue is the portal's own database
(`django_tasks_db.DatabaseBackend`); `manage.py db_worker` processes run the tasks.

Every task of the portal is safe to run twice: what it sends or records is claimed or keyed in
the database first (see core.notifications and the reminder services)."""

from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone
from django_tasks import task, task_backends

__all__ = ["task", "enqueue_on_commit", "enqueue_after", "backend_can_defer"]


def enqueue_on_commit(task_, *args, **kwargs) -> None:
    """Queue the task once the surrounding transaction commits (at once outside one): a change
    that is rolled back starts nothing, and a worker never reads rows not yet committed. Robust:
    if queueing fails after the commit, the error is logged and the request still answers (a
    delivery left without its task is queued again by `manage.py requeue_deliveries`)."""
    transaction.on_commit(partial(task_.enqueue, *args, **kwargs), robust=True)


def backend_can_defer(task_) -> bool:
    return task_backends[task_.backend].supports_defer


def enqueue_after(task_, seconds: float, *args, **kwargs) -> bool:
    """Queue the task to run `seconds` from now. False when the backend cannot hold a task
    until later (the immediate backend of the tests): the caller's row stays due, and
    `manage.py requeue_deliveries` (or the next run of the same work) picks it up."""
    if not backend_can_defer(task_):
        return False
    task_.using(run_after=timezone.now() + timedelta(seconds=seconds)).enqueue(*args, **kwargs)
    return True
