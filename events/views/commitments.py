"""Commitments: what a panel's concerns turned into, followed by everyone signed in and kept
up to date by estates staff."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from members import roles

from .. import selectors, services
from ..access import (
    QaAccess,
    commitment_for_user_or_404,
    moderated_question_for_user_or_404,
    signed_in_required,
    staff_event_for_user_or_404,
    staff_required,
)
from ..forms import CommitmentFilterForm, CommitmentForm, CommitmentUpdateForm


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
    commitment = commitment_for_user_or_404(request.user, commitment_id)
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
    event = staff_event_for_user_or_404(request.user, event_id)
    question = moderated_question_for_user_or_404(QaAccess(staff=True, member=False), event, question_id)
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
