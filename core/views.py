"""Platform views every deployment needs: health probes, the signed-in user's notifications and
the error pages."""

import logging

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .models import Notification

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    """Public liveness probe: answers without touching the database or cache."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """Public readiness probe: the database (and the cache when configured) answer."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception:  # any database failure means "not ready"
        logger.warning("readiness: database unavailable", exc_info=True)
        checks["database"] = "unavailable"
    try:
        cache.set("readyz", "1", 5)
        checks["cache"] = "ok" if cache.get("readyz") == "1" else "unavailable"
    except Exception:
        logger.warning("readiness: cache unavailable", exc_info=True)
        checks["cache"] = "unavailable"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503)


@login_required
@require_GET
def notifications(request):
    """Signed-in users: their own notifications, newest first."""
    page = Paginator(Notification.objects.filter(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "portal/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_mark_read(request):
    """Signed-in users: mark all their own notifications read."""
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications")


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    # No context processors that touch the database: the error may be the database.
    import sys

    from django.http import HttpResponseServerError
    from django.template import loader

    from .middleware import DATABASE_ERRORS, database_unavailable_response

    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        # Raised before the view (a session or the signed-in user loaded by a middleware).
        return database_unavailable_response()
    return HttpResponseServerError(loader.get_template("500.html").render({}))
