"""The live Q&A of an event: the page, its polled fragment, asking, editing, withdrawing and
voting. The fragment comes from the shared cache (events.qa_cache); a poll with nothing new is
usually answered before this view by events.middleware."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from .. import qa_cache, selectors, services
from ..access import (
    active_member_required,
    own_question_for_user_or_404,
    published_question_for_user_or_404,
    qa_event_for_user_or_404,
    signed_in_required,
)
from ..forms import QuestionForm
from ..middleware import qa_unchanged_response
from ..models import Question
from .common import error_text, is_htmx, poll_seconds


def _sort(request) -> str:
    return qa_cache.sort_of(request.GET.get("sort"))


def _live(request, event, access) -> tuple[str, str]:
    session = getattr(request, "session", None)
    return qa_cache.live_fragment(
        event, request.user, access, sort=_sort(request), session_key=session.session_key if session else None
    )


def _page_context(request, event, access, *, form=None) -> dict:
    live_html, _version = _live(request, event, access)
    can_moderate = access.can_moderate or (
        access.member and selectors.is_event_panelist(user=request.user, event=event)
    )
    return {
        "event": event,
        "access": access,
        "sort": _sort(request),
        # Rendered by our own templates (escaped there).
        "live_html": mark_safe(live_html),  # noqa: S308  # nosec B308 B703
        "form": form,
        "poll_seconds": poll_seconds(),
        "can_moderate": can_moderate,
    }


@signed_in_required
@never_cache
@require_GET
def qa(request, event_id):
    """Active members, estates staff and the event's panelists: the live Q&A (ask, vote,
    answers)."""
    event, access = qa_event_for_user_or_404(request.user, event_id)
    form = QuestionForm(event=event) if access.member else None
    return render(request, "events/qa.html", _page_context(request, event, access, form=form))


@signed_in_required
@never_cache
@require_GET
def qa_fragment(request, event_id):
    """Same people as the Q&A page: the polled fragment, or 204 when the poll sends the
    version that is still current. Access is checked on every poll."""
    event, access = qa_event_for_user_or_404(request.user, event_id)
    html, version = _live(request, event, access)
    if request.GET.get("v") == version:
        return qa_unchanged_response()
    return HttpResponse(html)


@active_member_required
@require_POST
@ratelimit(key="user", rate="5/m", method="POST", block=True)
def question_ask(request, event_id):
    """Active members: ask a question (5 a minute at most)."""
    event, access = qa_event_for_user_or_404(request.user, event_id)
    form = QuestionForm(request.POST, event=event)
    if form.is_valid():
        try:
            question = services.question_ask(event=event, asker=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if question.status == Question.Status.PENDING:
                messages.success(request, _("Thank you. Your question will be shown once it is approved."))
            else:
                messages.success(request, _("Thank you. Your question is published."))
            return redirect("events:qa", event_id=event.pk)
    context = _page_context(request, event, access, form=form)
    context["can_moderate"] = False
    return render(request, "events/qa.html", context, status=400)


@active_member_required
@require_http_methods(["GET", "POST"])
def question_edit(request, event_id, question_id):
    """Active members: edit their own question until it is answered (404 for others')."""
    event, _access = qa_event_for_user_or_404(request.user, event_id)
    question = own_question_for_user_or_404(request.user, event, question_id)
    if not question.is_editable:
        messages.error(request, _("This question can no longer be changed."))
        return redirect("events:qa", event_id=event.pk)
    form = QuestionForm(request.POST or None, instance=question, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_edit(question=question, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your question is updated."))
            return redirect("events:qa", event_id=event.pk)
    return render(request, "events/question_edit.html", {"event": event, "question": question, "form": form})


@active_member_required
@require_POST
def question_withdraw(request, event_id, question_id):
    """Active members: withdraw their own question until it is answered."""
    event, _access = qa_event_for_user_or_404(request.user, event_id)
    question = own_question_for_user_or_404(request.user, event, question_id)
    try:
        services.question_withdraw(question=question, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Your question is withdrawn."))
    return redirect("events:qa", event_id=event.pk)


@active_member_required
@require_POST
@ratelimit(key="user", rate="30/m", method="POST", block=True)
def question_vote(request, event_id, question_id):
    """Active members: vote for a published question (state=on), or take the vote back
    (state=off); repeating the same request changes nothing (30 a minute). Only published
    questions can be found here (404 for others)."""
    event, access = qa_event_for_user_or_404(request.user, event_id)
    question = published_question_for_user_or_404(request.user, event, question_id)
    state = request.POST.get("state")
    if state not in ("on", "off"):
        return HttpResponseBadRequest(_("Choose whether to vote or to take your vote back."))
    try:
        services.question_vote_set(question=question, user=request.user, on=state == "on")
    except ValidationError as error:
        if not is_htmx(request):
            messages.error(request, error_text(error))
    if is_htmx(request):
        html, _version = _live(request, event, access)
        return HttpResponse(html)
    return redirect("events:qa", event_id=event.pk)
