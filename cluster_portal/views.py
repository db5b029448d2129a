"""The composition's own page: the home page, which gathers what the apps offer a visitor."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from events.selectors import events_upcoming_public
from news.selectors import contact_details, news_for_home


@require_GET
def home(request):
    """Public: cluster news, what is coming up, the estates company's contact details, and
    entry points by role for those signed in."""
    context = {
        "news": news_for_home(limit=4),
        "upcoming_events": events_upcoming_public(user=request.user, limit=3),
        "contact": contact_details(),
    }
    return render(request, "portal/home.html", context)
