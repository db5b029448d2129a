"""The composition's own page: the home page, which gathers what the apps offer a visitor."""

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from core import fragment_cache
from events.selectors import events_upcoming_public
from members.dashboard_cache import CSRF_PLACEHOLDER, tables_token
from news.selectors import contact_details, news_for_home

# The home page a visitor (not signed in) sees is the same for all of them: kept rendered for
# HOME_SECONDS under the tokens of the tables it shows (saving or deleting a news item, the
# contact details or an event renews it at once: cluster_portal.apps declares the tables), the language and today's date. HOME_SECONDS
# bounds how long an event that has just ended stays listed. Signed-in users (their events and
# entry points) and pages with a flash message are always rendered afresh.
HOME_SECONDS = 60
HOME_TABLES = ("news.newsitem", "news.contactdetails", "events.event")


def _home_html(request, csrf_token) -> str:
    context = {
        "news": news_for_home(limit=4),
        "upcoming_events": events_upcoming_public(user=request.user, limit=3),
        "contact": contact_details(),
        "csrf_token": csrf_token,
    }
    return render_to_string("portal/home.html", context, request=request)


@require_GET
def home(request):
    """Public: cluster news, what is coming up, the estates company's contact details, and
    entry points by role for those signed in."""
    if request.user.is_authenticated or len(messages.get_messages(request)):
        return HttpResponse(_home_html(request, get_token(request)))
    key = ":".join(
        [
            "home:page",
            fragment_cache.fingerprint(templates=("portal/home.html",)),
            tables_token(*HOME_TABLES),
            translation.get_language() or "",
            timezone.localdate().isoformat(),
        ]
    )
    html = cache.get(key) if fragment_cache.reads_enabled() else None
    if html is None:
        html = _home_html(request, CSRF_PLACEHOLDER)
        cache.set(key, html, HOME_SECONDS)
    return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))
