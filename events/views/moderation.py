"""Moderation of the Q&A by estates staff and the event's panelists: the queue, its actions
(approve, reject, merge, answer, show on the projector) and the projector itself.

Every action finds its question through `moderated_question_for_user_or_404`: a panelist acts
only on the questions of the panels they sit on (and the event's general questions); another
panel's question is a 404 and nothing changes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.persian import normalize_digits_only
from core.qr import qr_svg

from .. import qa_cache, selectors, services
from ..access import (
    answerer_for_user_or_404,
    moderated_question_for_user_or_404,
    qa_event_for_user_or_404,
    signed_in_required,
    staff_event_for_user_or_404,
    staff_required,
)
from ..forms import AnswerForm, RejectForm, RouteForm
from ..models import Panelist, Question
from .common import error_text, is_htmx, poll_seconds


def _moderation_context(request, event, access):
    status = request.GET.get("status", "open")
    scope = access.moderation_filter()
    counts = selectors.moderation_counts(event=event, scope=scope)
    questions = selectors.moderation_queue(event=event, scope=scope, seats=access.seats, status=status)
    # Who an answer may be recorded for: staff name any panelist of the question's panel (of
    # the event for a general question); a panelist answers in their own name.
    panelists = (
        [p for panel in selectors.event_panels(event=event) for p in panel.panelists.all()]
        if access.staff
        else access.seats
    )
    for question in questions:
        question.answerers = [p for p in panelists if question.panel_id is None or p.panel_id == question.panel_id]
    return {
        "routable": [p for p in panelists if p.user_id] if access.staff else [],
        "today": timezone.localdate(),
        "event": event,
        "access": access,
        "status": status,
        "questions": questions,
        "status_tabs": [(value, label, counts.get(value, 0)) for value, label in Question.Status.choices],
        "show_names": access.sees_anonymous_names,
    }


@signed_in_required
@never_cache
@require_GET
def moderate(request, event_id):
    """Estates staff and the event's panelists: the moderation queue (a panelist's: their
    panels' questions and the general ones)."""
    event, access = qa_event_for_user_or_404(request.user, event_id, moderate=True)
    context = _moderation_context(request, event, access)
    context["poll_seconds"] = poll_seconds()
    return render(request, "events/moderate.html", context)


@signed_in_required
@never_cache
@require_GET
def moderate_fragment(request, event_id):
    """Estates staff and the event's panelists: the polled moderation queue."""
    event, access = qa_event_for_user_or_404(request.user, event_id, moderate=True)
    return render(request, "events/_moderate_live.html", _moderation_context(request, event, access))


def _moderation_done(request, event, access, *, ok: str = "", error: ValidationError | None = None):
    if error is not None:
        messages.error(request, error_text(error))
    elif ok:
        messages.success(request, ok)
    if is_htmx(request):
        context = {**_moderation_context(request, event, access), "action_result": True}
        return render(request, "events/_moderate_live.html", context)
    url = reverse("events:moderate", args=[event.pk])
    status = request.GET.get("status")
    return redirect(f"{url}?status={status}" if status in Question.Status.values or status == "open" else url)


def _moderated(request, event_id, question_id):
    event, access = qa_event_for_user_or_404(request.user, event_id, moderate=True)
    return event, access, moderated_question_for_user_or_404(access, event, question_id)


@signed_in_required
@require_POST
def question_approve(request, event_id, question_id):
    """Estates staff and the event's panelists: publish a waiting question."""
    event, access, question = _moderated(request, event_id, question_id)
    try:
        services.question_approve(question=question, by=request.user)
    except ValidationError as error:
        return _moderation_done(request, event, access, error=error)
    return _moderation_done(request, event, access, ok=_("The question is published."))


@signed_in_required
@require_POST
def question_reject(request, event_id, question_id):
    """Estates staff and the event's panelists: reject with a reason the asker sees."""
    event, access, question = _moderated(request, event_id, question_id)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _moderation_done(request, event, access, error=ValidationError(_("Give the asker a reason.")))
    try:
        services.question_reject(question=question, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        return _moderation_done(request, event, access, error=error)
    return _moderation_done(request, event, access, ok=_("The question is rejected; the asker sees the reason."))


@signed_in_required
@require_POST
def question_merge(request, event_id, question_id):
    """Estates staff and the event's panelists: merge a duplicate into another question (both
    within the user's moderation scope)."""
    event, access, question = _moderated(request, event_id, question_id)
    into_id = normalize_digits_only(request.POST.get("into", "")).strip()
    if not into_id.isdigit() or int(into_id) == 0:
        return _moderation_done(request, event, access, error=ValidationError(_("Choose the question to keep.")))
    into = moderated_question_for_user_or_404(access, event, int(into_id))
    try:
        services.question_merge(duplicate=question, into=into, by=request.user)
    except ValidationError as error:
        return _moderation_done(request, event, access, error=error)
    return _moderation_done(request, event, access, ok=_("The questions are merged; the votes moved."))


@signed_in_required
@require_POST
def question_answer(request, event_id, question_id):
    """Estates staff and the event's panelists: record the answer and who gave it (a panelist:
    themselves; staff: a panelist of the question's panel, or nobody)."""
    event, access, question = _moderated(request, event_id, question_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        message = _("Write the answer.") if "text" in form.errors else _("Choose a panelist of this panel.")
        return _moderation_done(request, event, access, error=ValidationError(message))
    panelist = answerer_for_user_or_404(access, question, form.cleaned_data["panelist"])
    try:
        services.question_answer(question=question, by=request.user, text=form.cleaned_data["text"], panelist=panelist)
    except ValidationError as error:
        return _moderation_done(request, event, access, error=error)
    return _moderation_done(request, event, access, ok=_("The answer is recorded."))


@staff_required
@require_POST
def question_route(request, event_id, question_id):
    """Estates staff: route an open question to an official or panelist of the event who has an
    account (they are told), with the date it is to be answered by."""
    event, access, question = _moderated(request, event_id, question_id)
    form = RouteForm(request.POST)
    if not form.is_valid():
        message = form.errors.get("due_date", [_("Choose a panelist of this event.")])[0]
        return _moderation_done(request, event, access, error=ValidationError(message))
    panelist = (
        Panelist.objects.filter(pk=form.cleaned_data["panelist"], panel__event=event).select_related("panel").first()
    )
    if panelist is None:
        raise Http404
    try:
        services.question_route(
            question=question, by=request.user, panelist=panelist, due_date=form.cleaned_data["due_date"]
        )
    except ValidationError as error:
        return _moderation_done(request, event, access, error=error)
    return _moderation_done(
        request, event, access, ok=_("The question is routed to %(name)s, who is told.") % {"name": panelist.name}
    )


@signed_in_required
@require_POST
def question_present(request, event_id, question_id):
    """Estates staff and the event's panelists: show a question on the projector as the one
    being answered (question 0 clears it, when what it shows is within the user's scope)."""
    event, access = qa_event_for_user_or_404(request.user, event_id, moderate=True)
    if question_id == 0:
        question = None
        if event.current_question_id:
            moderated_question_for_user_or_404(access, event, event.current_question_id)
    else:
        question = moderated_question_for_user_or_404(access, event, question_id)
    try:
        services.question_present(event=event, question=question, by=request.user)
    except ValidationError as error:
        return _moderation_done(request, event, access, error=error)
    return _moderation_done(request, event, access, ok=_("The projector shows it now.") if question else "")


# --- Projector ------------------------------------------------------------------------------


@staff_required
@never_cache
@require_GET
def screen(request, event_id):
    """Estates staff: the projector view (the address to join with its QR code, the question
    being answered in large type, the top open questions, the answered ones marked); askers
    of anonymous questions never appear on it."""
    event = staff_event_for_user_or_404(request.user, event_id)
    join_url = request.build_absolute_uri(reverse("events:qa", args=[event.pk]))
    return render(
        request,
        "events/screen.html",
        {
            "event": event,
            "join_url": join_url,
            "join_address": join_url.split("://", 1)[-1],
            "join_qr": mark_safe(qr_svg(join_url)),  # noqa: S308 (digits and fixed markup)  # nosec B308 B703
            "live_html": mark_safe(qa_cache.screen_html(event)),  # noqa: S308 (our template)  # nosec B308 B703
            "poll_seconds": poll_seconds(),
        },
    )


@staff_required
@never_cache
@require_GET
def screen_fragment(request, event_id):
    """Estates staff: the polled projector fragment."""
    event = staff_event_for_user_or_404(request.user, event_id)
    return HttpResponse(qa_cache.screen_html(event))
