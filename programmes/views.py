"""Thin views: who may see each one is stated by its decorator; another member's application
or document is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from core.exports import Table, table_response
from core.forms import add_service_errors
from core.jalali import format_date
from core.uploads import safe_download_name
from members.roles import is_estates_staff, member_of

from . import selectors, services
from .access import active_member_required, member_or_staff_required, staff_required
from .eligibility import evaluate, member_facts, rule_label
from .forms import ApplicationForm, DecisionForm, ScoreForm
from .models import Application


@member_or_staff_required
@require_GET
def call_list(request):
    if is_estates_staff(request.user):
        return render(request, "programmes/staff_list.html", {"calls": selectors.calls_for_staff()})
    member = member_of(request.user)
    return render(
        request,
        "programmes/list.html",
        {"calls": selectors.calls_for_member(member=member), "member": member},
    )


def _detail(request, call, *, form=None, status=200):
    context = {"call": call, "rules": list(call.rules.all())}
    if is_estates_staff(request.user):
        context["staff_view"] = True
        context["rule_labels"] = [rule_label(rule) for rule in context["rules"]]
    else:
        member = member_of(request.user)
        context["eligibility"] = evaluate(context["rules"], member_facts(member))
        context["application"] = (
            Application.objects.filter(call=call, member=member).exclude(status=Application.Status.WITHDRAWN).first()
        )
        context["form"] = form or ApplicationForm(call=call)
    return render(request, "programmes/detail.html", context, status=status)


@member_or_staff_required
@require_GET
def call_detail(request, call_id):
    call = selectors.call_for_user_or_404(user=request.user, call_id=call_id)
    return _detail(request, call)


@active_member_required
@require_POST
@ratelimit(key="user_or_ip", rate="20/h", method="POST", block=True)
def apply(request, call_id):
    call = selectors.call_for_user_or_404(user=request.user, call_id=call_id)
    form = ApplicationForm(request.POST, request.FILES, call=call)
    if form.is_valid():
        try:
            application = services.application_submit(
                call=call,
                member=member_of(request.user),
                actor=request.user,
                motivation=form.cleaned_data["motivation"],
                documents=form.documents(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your application was submitted. You can follow it here."))
            return redirect(application.get_absolute_url())
    messages.error(request, _("The application was not sent: see the messages below. Attach the files again."))
    return _detail(request, call, form=form, status=400)


@active_member_required
@require_GET
def my_applications(request):
    member = member_of(request.user)
    return render(request, "programmes/mine.html", {"applications": selectors.member_applications(member=member)})


def _application_page(request, application, *, score_form=None, decision_form=None, status=200):
    context = {"application": application, **selectors.application_detail(application=application)}
    if is_estates_staff(request.user):
        if application.is_pending or application.status == Application.Status.WAITLISTED:
            # computed at review time: staff see at once a member who no longer qualifies
            services.application_check_eligibility(application=application)
        context.update(
            staff_view=True,
            score_form=score_form or ScoreForm(application=application),
            decision_form=decision_form or DecisionForm(),
            eligibility=services.application_eligibility_now(application),
        )
    return render(request, "programmes/application.html", context, status=status)


@member_or_staff_required
@require_GET
def application_view(request, application_id):
    application = selectors.application_for_user_or_404(user=request.user, application_id=application_id)
    return _application_page(request, application)


@active_member_required
@require_POST
def application_withdraw(request, application_id):
    application = selectors.application_for_user_or_404(user=request.user, application_id=application_id)
    try:
        services.application_withdraw(application=application, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your application was withdrawn."))
    return redirect("programmes:mine")


@login_required
@require_GET
def document(request, document_id):
    """The only way to a stored file: the member's users and estates staff, as an attachment.
    Anyone else signed in gets a 404 (never a 403), so a URL tells nothing about whether a
    document exists."""
    doc = selectors.document_for_user_or_404(user=request.user, document_id=document_id)
    try:
        handle = storages["private"].open(doc.storage_name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=safe_download_name(doc.title, doc.extension), content_type=doc.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# -- staff ------------------------------------------------------------------------------------


def _export(call, applications, fmt):
    header = [
        _("Application"),
        _("Member"),
        _("Membership number"),
        _("Kind"),
        _("County"),
        _("Submitted"),
        _("Status"),
        _("Total score"),
        *[c.name for c in call.criteria.all()],
        _("No longer eligible"),
        _("Reason"),
    ]
    rows = [header]
    criteria = list(call.criteria.all())
    for a in applications:
        rows.append(
            [
                a.pk,
                a.member.business_name,
                a.member.membership_number,
                a.member.get_kind_display(),
                a.member.get_county_display(),
                format_date(a.submitted_at, numeric=True),
                a.get_status_display(),
                float(a.total_score) if a.total_score is not None else "",
                *[a.points.get(c.pk, "") for c in criteria],
                " / ".join(a.eligibility_lost_reasons),
                a.decision_reason,
            ]
        )
    return table_response(fmt, [Table(title=_("Applications"), rows=rows)], filename=f"applications-{call.pk}")


@staff_required
@require_GET
def review(request, call_id):
    call = selectors.call_for_user_or_404(user=request.user, call_id=call_id)
    applications = selectors.review_sheet(call=call)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return _export(call, applications, fmt)
    accepted = sum(1 for a in applications if a.status == Application.Status.ACCEPTED)
    return render(
        request,
        "programmes/review.html",
        {
            "call": call,
            "applications": applications,
            "criteria": list(call.criteria.all()),
            "accepted": accepted,
            "free": max(call.capacity - accepted, 0),
            "waiting": sum(1 for a in applications if a.status == Application.Status.WAITLISTED),
        },
    )


@staff_required
@require_POST
def score(request, application_id):
    application = selectors.application_for_user_or_404(user=request.user, application_id=application_id)
    selectors.application_detail(application=application)
    form = ScoreForm(request.POST, application=application)
    if form.is_valid():
        try:
            services.application_score(application=application, actor=request.user, points=form.points())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The scores were saved."))
            return redirect(application.get_absolute_url())
    return _application_page(request, application, score_form=form, status=400)


@staff_required
@require_POST
def decide(request, application_id):
    application = selectors.application_for_user_or_404(user=request.user, application_id=application_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.application_decide(application=application, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The decision was recorded and the member told."))
            return redirect(application.get_absolute_url())
    application.refresh_from_db()
    return _application_page(request, application, decision_form=form, status=400)


@staff_required
@require_POST
def promote(request, call_id):
    call = selectors.call_for_user_or_404(user=request.user, call_id=call_id)
    promoted = services.call_fill_from_waitlist(call=call, actor=request.user)
    if promoted:
        messages.success(request, _("%(n)s accepted from the waiting list and told.") % {"n": len(promoted)})
    else:
        messages.info(request, _("Nobody was promoted: no free place, or nobody eligible on the waiting list."))
    return redirect("programmes:review", call_id=call.pk)


@require_GET
def results(request):
    """Public: for each call whose results are published, how many applied and were accepted,
    by member kind and county; never a name, and 1–4 shown as "fewer than 5"."""
    return render(request, "programmes/results.html", {"results": selectors.published_results()})
