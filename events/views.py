"""Views of the events app: thin — parse, check access (events.access), call a service,
render or redirect. Every view's docstring says who may use it."""

import base64
import io
import re
from collections import OrderedDict

import qrcode
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from core.persian import normalize_digits_only, search_key
from core.validators import normalize_mobile
from members import roles

from . import exports, ical, selectors, services
from .access import (
    QaAccess,
    active_member_required,
    event_question_or_404,
    own_question_or_404,
    qa_event_or_404,
    signed_in_required,
    staff_required,
    visible_event_or_404,
)
from .forms import (
    AnswerForm,
    CommitmentFilterForm,
    CommitmentForm,
    CommitmentUpdateForm,
    MergeForm,
    QuestionForm,
    RejectForm,
)
from .middleware import POLL_ACCESS_SECONDS, poll_key, qa_unchanged_response
from .models import Event, Question, Registration

QA_CACHE_SECONDS = 600
# Part of every Q&A cache key: bump it when the fragment templates change, so a deploy never
# serves markup cached by the previous release.
QA_MARKUP_REVISION = 3
PERSONAL_CACHE_SECONDS = 120


def _poll_seconds():
    return getattr(settings, "EVENTS_QA_POLL_SECONDS", 5)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Events ---------------------------------------------------------------------------------


@require_GET
def event_list(request):
    """Everyone: upcoming and past events this user may see (members-only events for active
    members, drafts for staff)."""
    return render(
        request,
        "events/list.html",
        {
            "upcoming": selectors.events_upcoming_public(user=request.user),
            "past": selectors.events_past(user=request.user),
            "drafts": selectors.events_drafts(user=request.user),
        },
    )


@require_GET
def event_detail(request, event_id):
    """Everyone for public events; active members for members-only ones; staff for drafts."""
    event = visible_event_or_404(request.user, event_id)
    user = request.user
    staff = roles.is_estates_staff(user)
    member = roles.is_active_member(user)
    panelist = selectors.is_event_panelist(user=user, event=event)
    taken = selectors.registered_count(event=event)
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "agenda": list(event.agenda.all()),
            "panels": selectors.event_panels(event=event),
            "registration": selectors.registration_of(event=event, user=user) if member else None,
            "taken": taken,
            "seats_left": None if event.capacity is None else max(event.capacity - taken, 0),
            "registration_open": event.registration_is_open(),
            "is_member": member,
            "is_staff": staff,
            "is_panelist": panelist,
            "qa_available": event.status in (Event.Status.PUBLISHED, Event.Status.FINISHED)
            and (staff or member or panelist),
        },
    )


@require_GET
def event_ical(request, event_id):
    """Everyone who may see the event: an iCalendar file to add it to a calendar."""
    event = visible_event_or_404(request.user, event_id)
    response = HttpResponse(
        ical.event_to_ical(event, url=request.build_absolute_uri(event.get_absolute_url())),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


@active_member_required
@require_POST
def registration_create(request, event_id):
    """Active member users: register for an event they can see."""
    event = visible_event_or_404(request.user, event_id)
    try:
        services.registration_create(event=event, user=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(event)
    messages.success(request, _("You are registered. Your ticket is below."))
    return redirect("events:ticket", event_id=event.pk)


@active_member_required
@require_POST
def registration_cancel(request, event_id):
    """Active member users: cancel their own registration."""
    event = visible_event_or_404(request.user, event_id)
    registration = Registration.objects.filter(event=event, user=request.user).first()
    if registration is None:
        raise Http404
    try:
        services.registration_cancel(registration=registration)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect(event)


def _qr_data_uri(text: str) -> str:
    image = qrcode.make(text, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


@active_member_required
@require_GET
def ticket(request, event_id):
    """Active member users: their own ticket (code and QR image); 404 without a registration."""
    event = visible_event_or_404(request.user, event_id)
    registration = Registration.objects.filter(
        event=event, user=request.user, status=Registration.Status.REGISTERED
    ).first()
    if registration is None:
        raise Http404
    checkin_url = request.build_absolute_uri(reverse("events:checkin", args=[event.pk])) + f"?q={registration.code}"
    return render(
        request,
        "events/ticket.html",
        {"event": event, "registration": registration, "qr": _qr_data_uri(checkin_url)},
    )


@staff_required
@require_GET
def checkin(request, event_id):
    """Estates staff: the attendance list, searchable by name, mobile number or ticket code."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        raise Http404
    query = (request.GET.get("q") or "").strip()
    show = request.GET.get("show", "")
    registrations = Registration.objects.filter(event=event, status=Registration.Status.REGISTERED).select_related(
        "user", "member", "checked_in_by"
    )
    if query:
        digits = normalize_digits_only(query)
        condition = Q(search_key__contains=search_key(query)) | Q(code=query.upper())
        if digits.isdigit() and len(digits) >= 4:
            condition |= Q(user__mobile__contains=normalize_mobile(digits) if len(digits) >= 10 else digits)
        registrations = registrations.filter(condition)
    if show == "in":
        registrations = registrations.filter(checked_in_at__isnull=False)
    elif show == "out":
        registrations = registrations.filter(checked_in_at__isnull=True)
    page = Paginator(registrations.order_by("user__full_name", "id"), 50).get_page(request.GET.get("page"))
    counts = Registration.objects.filter(event=event, status=Registration.Status.REGISTERED)
    return render(
        request,
        "events/checkin.html",
        {
            "event": event,
            "page": page,
            "query": query,
            "show": show,
            "total": counts.count(),
            "present": counts.filter(checked_in_at__isnull=False).count(),
            "query_string": "&".join(f"{k}={v}" for k, v in (("q", query), ("show", show)) if v),
        },
    )


@staff_required
@require_POST
def checkin_mark(request, event_id, registration_id):
    """Estates staff: mark a registration as present."""
    registration = Registration.objects.filter(pk=registration_id, event_id=event_id).select_related("user").first()
    if registration is None:
        raise Http404
    try:
        services.registration_check_in(registration=registration, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("%(name)s is checked in.") % {"name": registration.user.full_name})
    query = request.POST.get("q", "")
    url = reverse("events:checkin", args=[event_id])
    return redirect(f"{url}?q={query}" if query else url)


# --- Q&A -------------------------------------------------------------------------------------


def _sort(request) -> str:
    return "new" if request.GET.get("sort") == "new" else "votes"


def _variant(access) -> str:
    if access.sees_anonymous_names:
        return "staff"
    return "member" if access.member else "viewer"


_LOCAL_HTML: OrderedDict = OrderedDict()  # this process's last renders, by the same keys
_LOCAL_HTML_SIZE = 32


def _public_questions_html(event, *, sort: str, variant: str) -> str:
    """The part every viewer of the same kind sees alike, rendered once per change of the
    event's Q&A (the version is in the key) and kept until the next one: in this process's
    memory first (no transfer at all), then in the shared cache."""
    key = f"events:qa{QA_MARKUP_REVISION}:{event.pk}:{_token(event)}:{sort}:{variant}:{get_language()}"
    html = _LOCAL_HTML.get(key)
    if html is not None:
        _LOCAL_HTML.move_to_end(key)
        return html
    html = cache.get(key)
    if html is None:
        questions = selectors.questions_public(event=event, sort=sort)
        html = render_to_string(
            "events/_qa_public.html",
            {
                "event": event,
                "open_questions": [q for q in questions if q.status == Question.Status.APPROVED],
                "answered_questions": [q for q in questions if q.status == Question.Status.ANSWERED],
                "show_names": variant == "staff",
                "can_vote": variant == "member",
                "sort": sort,
            },
        )
        cache.set(key, html, QA_CACHE_SECONDS)
    _LOCAL_HTML[key] = html
    while len(_LOCAL_HTML) > _LOCAL_HTML_SIZE:
        _LOCAL_HTML.popitem(last=False)
    return html


def _token(event) -> str:
    return getattr(event, "qa_token", None) or services.qa_token(event.qa_version, event.created_at)


_VOTE_MARK = re.compile(r"""data-vote="([0-9]+)" aria-pressed="false" hx-vals='\{"state": "on"\}'""")


def _mark_my_votes(html: str, vote_ids) -> str:
    # The cached HTML is the same for everyone; "my vote" is marked per request, in one pass:
    # pressed, and the button then asks to take the vote back.
    if not vote_ids:
        return html
    mine = set(vote_ids)
    return _VOTE_MARK.sub(
        lambda m: (
            f'data-vote="{m.group(1)}" aria-pressed="true" hx-vals=\'{{"state": "off"}}\''
            if int(m.group(1)) in mine
            else m.group(0)
        ),
        html,
    )


def _personal_key(event_id, user_id) -> str:
    return f"events:qa-me{QA_MARKUP_REVISION}:{event_id}:{user_id}:{get_language()}"


def _personal_part(request, event, cached=None) -> dict:
    """This user's own bits (their votes, their questions), cached for this user only and
    valid for one version of the event's Q&A, so a poll without changes costs no query."""
    if cached is None or cached.get("version") != _token(event):
        mine = selectors.my_questions(event=event, user=request.user)
        cached = {
            "version": _token(event),
            "votes": sorted(selectors.my_vote_ids(event=event, user=request.user)),
            "mine_html": render_to_string("events/_qa_mine.html", {"event": event, "mine": mine}) if mine else "",
        }
        cache.set(_personal_key(event.pk, request.user.pk), cached, PERSONAL_CACHE_SECONDS)
    return cached


def _qa_live_context(request, event, access, sort, personal=None):
    html = _public_questions_html(event, sort=sort, variant=_variant(access))
    mine_html = ""
    if access.member:
        part = _personal_part(request, event, personal)
        html = _mark_my_votes(html, part["votes"])
        mine_html = part["mine_html"]
    return {
        "event": event,
        "access": access,
        # Both rendered by our own templates (escaped there).
        "public_html": mark_safe(html),  # noqa: S308  # nosec B308 B703
        "mine_html": mark_safe(mine_html),  # noqa: S308  # nosec B308 B703
        "sort": sort,
        # Sent back by the next poll (hx-include): an unchanged Q&A is answered with 204.
        "qa_version": _token(event),
    }


@signed_in_required
@never_cache
@require_GET
def qa(request, event_id):
    """Active members, estates staff and the event's panelists: the live Q&A (ask, vote,
    answers)."""
    event, access = qa_event_or_404(request, event_id)
    sort = _sort(request)
    context = _qa_live_context(request, event, access, sort)
    form = QuestionForm(event=event) if access.member else None
    is_panelist = access.panelist or selectors.is_event_panelist(user=request.user, event=event)
    context.update(form=form, poll_seconds=_poll_seconds(), can_moderate=access.staff or is_panelist)
    return render(request, "events/qa.html", context)


def _access_key(event_id, user_id) -> str:
    return f"events:qa-access:{event_id}:{user_id}"


@signed_in_required
@never_cache
@require_GET
def qa_fragment(request, event_id):
    """Same people as the Q&A page: the polled fragment. When nothing changed it costs one
    round trip to the cache and no database query of its own: who the user is in this Q&A
    (remembered for a minute, so a role change applies within a minute), the version, and the
    user's own bits come in one read; the public list is in this process's memory."""
    keys = {
        "access": _access_key(event_id, request.user.pk),
        "version": services.qa_version_key(event_id),
        "personal": _personal_key(event_id, request.user.pk),
    }
    found = cache.get_many(list(keys.values()))
    flags = found.get(keys["access"])
    if flags is None:
        _event, access = qa_event_or_404(request, event_id)  # 404/403 are not remembered
        flags = (access.staff, access.member, access.panelist)
        cache.set(keys["access"], flags, 60)
    access = QaAccess(staff=flags[0], member=flags[1], panelist=flags[2])
    token = found.get(keys["version"])
    if token is None:
        row = Event.objects.filter(pk=event_id).values_list("qa_version", "created_at").first()
        if row is None:
            raise Http404
        token = services.qa_token(*row)
        cache.add(keys["version"], token, 60)  # never overwrites what a committed change published
    # This session may now poll cheaply for a minute (events/middleware.py).
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        cache.set(poll_key(event_id, session.session_key), 1, POLL_ACCESS_SECONDS)
    if request.GET.get("v") == token:
        return qa_unchanged_response()
    event = Event(pk=event_id)  # only the pk and the version token are read
    event.qa_token = token
    context = _qa_live_context(request, event, access, _sort(request), found.get(keys["personal"]))
    return render(request, "events/_qa_live.html", context)


@active_member_required
@require_POST
@ratelimit(key="user", rate="5/m", method="POST", block=True)
def question_ask(request, event_id):
    """Active members: ask a question (5 a minute at most)."""
    event, access = qa_event_or_404(request, event_id)
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
    context = _qa_live_context(request, event, access, _sort(request))
    context.update(form=form, poll_seconds=_poll_seconds(), can_moderate=False)
    return render(request, "events/qa.html", context, status=400)


@active_member_required
@require_http_methods(["GET", "POST"])
def question_edit(request, event_id, question_id):
    """Active members: edit their own question until it is answered (404 for others')."""
    event, _access = qa_event_or_404(request, event_id)
    question = own_question_or_404(request, event, question_id)
    if not question.is_editable:
        messages.error(request, _("This question can no longer be changed."))
        return redirect("events:qa", event_id=event.pk)
    form = QuestionForm(request.POST or None, instance=question, event=event)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.question_edit(question=question, by=request.user, **data)
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
    event, _access = qa_event_or_404(request, event_id)
    question = own_question_or_404(request, event, question_id)
    try:
        services.question_withdraw(question=question, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Your question is withdrawn."))
    return redirect("events:qa", event_id=event.pk)


@active_member_required
@require_POST
@ratelimit(key="user", rate="30/m", method="POST", block=True)
def question_vote(request, event_id, question_id):
    """Active members: vote for a published question (state=on), or take the vote back
    (state=off); repeating the same request changes nothing (30 a minute)."""
    event, access = qa_event_or_404(request, event_id)
    question = event_question_or_404(event, question_id)
    state = request.POST.get("state")
    if state not in ("on", "off"):
        return HttpResponseBadRequest(_("Choose whether to vote or to take your vote back."))
    try:
        services.question_vote_set(question=question, user=request.user, on=state == "on")
    except ValidationError as error:
        if not _is_htmx(request):
            messages.error(request, _error_text(error))
    if _is_htmx(request):
        event.refresh_from_db(fields=["qa_version"])
        return render(request, "events/_qa_live.html", _qa_live_context(request, event, access, _sort(request)))
    return redirect("events:qa", event_id=event.pk)


# --- Moderation -----------------------------------------------------------------------------


def _moderation_context(request, event, access):
    status = request.GET.get("status", "open")
    counts = selectors.moderation_counts(event=event)
    return {
        "event": event,
        "access": access,
        "status": status,
        "questions": selectors.moderation_queue(event=event, user=request.user, staff=access.staff, status=status),
        "status_tabs": [(value, label, counts.get(value, 0)) for value, label in Question.Status.choices],
        "panelists": [p for panel in selectors.event_panels(event=event) for p in panel.panelists.all()],
        "show_names": access.sees_anonymous_names,
    }


@signed_in_required
@never_cache
@require_GET
def moderate(request, event_id):
    """Estates staff and the event's panelists: the moderation queue."""
    event, access = qa_event_or_404(request, event_id, moderate=True)
    context = _moderation_context(request, event, access)
    context["poll_seconds"] = _poll_seconds()
    return render(request, "events/moderate.html", context)


@signed_in_required
@never_cache
@require_GET
def moderate_fragment(request, event_id):
    """Estates staff and the event's panelists: the polled moderation queue."""
    event, access = qa_event_or_404(request, event_id, moderate=True)
    return render(request, "events/_moderate_live.html", _moderation_context(request, event, access))


def _moderation_done(request, event, access, *, ok: str = "", error: ValidationError | None = None):
    if error is not None:
        messages.error(request, _error_text(error))
    elif ok:
        messages.success(request, ok)
    if _is_htmx(request):
        context = {**_moderation_context(request, event, access), "action_result": True}
        return render(request, "events/_moderate_live.html", context)
    url = reverse("events:moderate", args=[event.pk])
    status = request.GET.get("status")
    return redirect(f"{url}?status={status}" if status else url)


@signed_in_required
@require_POST
def question_approve(request, event_id, question_id):
    """Estates staff and the event's panelists: publish a waiting question."""
    event, access = qa_event_or_404(request, event_id, moderate=True)
    question = event_question_or_404(event, question_id)
    try:
        services.question_approve(question=question, by=request.user)
    except ValidationError as error:
        return _moderation_done(request, event, access, error=error)
    return _moderation_done(request, event, access, ok=_("The question is published."))


@signed_in_required
@require_POST
def question_reject(request, event_id, question_id):
    """Estates staff and the event's panelists: reject with a reason the asker sees."""
    event, access = qa_event_or_404(request, event_id, moderate=True)
    question = event_question_or_404(event, question_id)
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
    """Estates staff and the event's panelists: merge a duplicate into another question."""
    event, access = qa_event_or_404(request, event_id, moderate=True)
    question = event_question_or_404(event, question_id)
    form = MergeForm(request.POST, event=event, exclude_pk=question.pk)
    if not form.is_valid():
        return _moderation_done(request, event, access, error=ValidationError(_("Choose the question to keep.")))
    try:
        services.question_merge(duplicate=question, into=form.cleaned_data["into"], by=request.user)
    except ValidationError as error:
        return _moderation_done(request, event, access, error=error)
    return _moderation_done(request, event, access, ok=_("The questions are merged; the votes moved."))


@signed_in_required
@require_POST
def question_answer(request, event_id, question_id):
    """Estates staff and the event's panelists: record the answer and who gave it."""
    event, access = qa_event_or_404(request, event_id, moderate=True)
    question = event_question_or_404(event, question_id)
    form = AnswerForm(request.POST, event=event)
    if not form.is_valid():
        return _moderation_done(request, event, access, error=ValidationError(_("Write the answer.")))
    panelist = form.cleaned_data["panelist"]
    if panelist is None and access.panelist:
        seats = selectors.panelist_seats(user=request.user, event=event)
        panelist = seats[0] if seats else None
    try:
        services.question_answer(question=question, by=request.user, text=form.cleaned_data["text"], panelist=panelist)
    except ValidationError as error:
        return _moderation_done(request, event, access, error=error)
    return _moderation_done(request, event, access, ok=_("The answer is recorded."))


@signed_in_required
@require_POST
def question_present(request, event_id, question_id):
    """Estates staff and the event's panelists: show a question on the projector as the one
    being answered (question 0 clears it)."""
    event, access = qa_event_or_404(request, event_id, moderate=True)
    question = None if question_id == 0 else event_question_or_404(event, question_id)
    try:
        services.question_present(event=event, question=question, by=request.user)
    except ValidationError as error:
        return _moderation_done(request, event, access, error=error)
    return _moderation_done(request, event, access, ok=_("The projector shows it now.") if question else "")


# --- Projector ------------------------------------------------------------------------------


def _screen_html(event) -> str:
    key = f"events:screen{QA_MARKUP_REVISION}:{event.pk}:{_token(event)}:{get_language()}"
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "events/_screen_live.html",
            {
                "event": event,
                "current": selectors.current_question(event=event),
                "top": selectors.questions_top_open(event=event, limit=5),
            },
        )
        cache.set(key, html, QA_CACHE_SECONDS)
    return html


@never_cache
@require_GET
def screen(request, event_id):
    """Estates staff: the projector view (large type, the question being answered, top
    questions); asker names of anonymous questions never appear on it."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        raise Http404
    return render(
        request,
        "events/screen.html",
        {
            "event": event,
            "live_html": mark_safe(_screen_html(event)),  # noqa: S308 (our template)  # nosec B308 B703
            "poll_seconds": _poll_seconds(),
        },
    )


@never_cache
@require_GET
def screen_fragment(request, event_id):
    """Estates staff: the polled projector fragment."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        raise Http404
    return HttpResponse(_screen_html(event))


screen = staff_required(screen)
screen_fragment = staff_required(screen_fragment)


# --- Commitments ----------------------------------------------------------------------------


@signed_in_required
@require_GET
def commitments(request):
    """Everyone signed in: the follow-up commitments, filterable; overdue ones highlighted."""
    form = CommitmentFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.commitments_list(
        status=filters.get("status", ""),
        organisation=filters.get("organisation", ""),
        overdue=filters.get("overdue", False),
    )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "events/commitments.html",
        {
            "form": form,
            "page": page,
            "query_string": query.urlencode(),
            "today": timezone.localdate(),
            "is_staff": roles.is_estates_staff(request.user),
        },
    )


@signed_in_required
@require_http_methods(["GET", "POST"])
def commitment_detail(request, commitment_id):
    """Everyone signed in: a commitment, its concerns and progress notes; estates staff add
    notes and change its status (POST)."""
    commitment = selectors.commitment_detail(pk=commitment_id)
    if commitment is None:
        raise Http404
    staff = roles.is_estates_staff(request.user)
    form = None
    if staff:
        form = CommitmentUpdateForm(request.POST or None, initial={"status": commitment.status})
    elif request.method == "POST":
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            services.commitment_update(
                commitment=commitment,
                by=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                date=form.cleaned_data["date"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The commitment is updated."))
            return redirect(commitment)
    return render(
        request,
        "events/commitment_detail.html",
        {"commitment": commitment, "form": form, "show_names": staff},
        status=400 if request.method == "POST" else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def commitment_create(request, event_id, question_id):
    """Estates staff: turn a question (with the duplicates merged into it) into a commitment."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        raise Http404
    question = event_question_or_404(event, question_id)
    organisation = question.addressed_organisation or (
        question.addressed_panelist.organisation if question.addressed_panelist else ""
    )
    form = CommitmentForm(
        request.POST or None, initial={"title": question.text[:200], "owner_organisation": organisation}
    )
    if request.method == "POST" and form.is_valid():
        commitment = services.commitment_create(questions=[question], by=request.user, **form.cleaned_data)
        messages.success(request, _("The commitment is recorded; the askers and voters are told."))
        return redirect(commitment)
    return render(
        request,
        "events/commitment_form.html",
        {"event": event, "question": question, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- Report ---------------------------------------------------------------------------------


@staff_required
@require_GET
def report(request, event_id):
    """Estates staff: the event's minutes (attendance, questions by topic and organisation,
    answers, commitments); printable, or ?format=csv|xlsx."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        raise Http404
    data = selectors.event_report(event=event)
    fmt = request.GET.get("format")
    if fmt == "csv":
        return exports.report_csv(event, data)
    if fmt == "xlsx":
        return exports.report_xlsx(event, data)
    return render(request, "events/report.html", {"event": event, **data, **exports.report_tables(data)})
