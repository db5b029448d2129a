"""The composition's own page: the home page, which gathers what the apps offer a visitor."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from events.selectors import events_upcoming_public


@require_GET
def home(request):
    """Public: entry points by role and what is coming up."""
    context = {"upcoming_events": events_upcoming_public(user=request.user, limit=3)}
    return render(request, "portal/home.html", context)
