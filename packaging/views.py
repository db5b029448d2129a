"""Thin views: who may see each one is stated by its decorator; an order a member may not see,
or another member's proof, is a 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from core.forms import add_service_errors
from core.templatetags.persian import num
from core.uploads import safe_download_name
from members.roles import is_estates_staff, member_of

from . import selectors, services
from .access import active_member_required, member_or_staff_required, signed_in_required, staff_required
from .exports import summary_response
from .forms import LineForm, ProofForm
from .models import LABEL_ITEMS


@member_or_staff_required
@require_GET
def order_list(request):
    if is_estates_staff(request.user):
        return render(request, "packaging/staff_list.html", {"orders": selectors.orders_for_staff()})
    member = member_of(request.user)
    orders = selectors.orders_for_member(member=member)
    return render(
        request,
        "packaging/list.html",
        {
            "open_orders": [o for o in orders if o.status == o.Status.OPEN and not o.my_quantity],
            "my_orders": [o for o in orders if o.my_quantity],
            "licensed": bool(selectors.member_licences(member)),
        },
    )


def _why_not(order, member, licences, today):
    """The reasons the member cannot add or change boxes now (empty when it can)."""
    reasons = []
    if order.status != order.Status.OPEN:
        reasons.append(
            _("This order no longer takes changes: it is “%(status)s”.") % {"status": order.get_status_display()}
        )
    elif today > order.deadline:
        reasons.append(_("The deadline has passed: quantities can no longer be changed."))
    if not licences:
        reasons.append(
            _(
                "Your business has no manufacturing health licence in force today. The licence number is "
                "printed on every box, so only licensed members may join."
            )
        )
    return reasons


def _detail(request, order, *, line_form=None, proof_form=None, status=200):
    order = selectors.order_with_state(order)
    context = {
        "order": order,
        "state": order.state,
        "tier_rows": order.state.rows(),
        "show_total": order.state.total_shown,
    }
    if is_estates_staff(request.user):
        context.update(staff_view=True, show_total=True)
        context["lines"] = selectors.order_lines(order=order, state=order.state)
        return render(request, "packaging/detail.html", context, status=status)
    member = member_of(request.user)
    today = timezone.localdate()
    licences = selectors.member_licences(member, today=today)
    line = selectors.member_line(order=order, member=member)
    initial = {"quantity": line.quantity, "licence": line.licence_id} if line else {}
    context.update(
        line=line,
        my_cost_rial=order.state.cost_rial(line.quantity) if line else None,
        why_not=_why_not(order, member, licences, today),
        line_form=line_form or LineForm(initial=initial, licences=licences),
        proof_form=proof_form or ProofForm(),
        label_items=[label for _name, label in LABEL_ITEMS],
    )
    return render(request, "packaging/detail.html", context, status=status)


@member_or_staff_required
@require_GET
def order_detail(request, order_id):
    order = selectors.order_for_user_or_404(user=request.user, order_id=order_id)
    return _detail(request, order)


@active_member_required
@require_POST
@ratelimit(key="user_or_ip", rate="60/h", method="POST", block=True)
def line_set(request, order_id):
    order = selectors.order_for_user_or_404(user=request.user, order_id=order_id)
    member = member_of(request.user)
    form = LineForm(request.POST, licences=selectors.member_licences(member))
    if form.is_valid():
        try:
            line = services.line_set(
                order=order,
                member=member,
                actor=request.user,
                quantity=form.cleaned_data["quantity"],
                licence_id=form.cleaned_data["licence"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved: %(n)s boxes are yours in this order.") % {"n": num(line.quantity)})
            return redirect(order.get_absolute_url())
    return _detail(request, order, line_form=form, status=400)


@active_member_required
@require_POST
def line_remove(request, order_id):
    order = selectors.order_for_user_or_404(user=request.user, order_id=order_id)
    try:
        services.line_remove(order=order, member=member_of(request.user), actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your boxes were removed from this order."))
    return redirect(order.get_absolute_url())


@active_member_required
@require_POST
@ratelimit(key="user_or_ip", rate="20/h", method="POST", block=True)
def proof_upload(request, order_id):
    order = selectors.order_for_user_or_404(user=request.user, order_id=order_id)
    line = selectors.member_line(order=order, member=member_of(request.user))
    if line is None:
        raise Http404
    form = ProofForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.proof_upload(line=line, actor=request.user, clean=form.cleaned_data["artwork"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your label was sent. The staff will check it and tell you."))
            return redirect(order.get_absolute_url() + "#label")
    return _detail(request, order, proof_form=form, status=400)


@signed_in_required
@require_GET
def proof_file(request, proof_id):
    """A label proof, as an attachment: the member's users and estates staff; a 404 for
    everyone else."""
    proof = selectors.proof_for_user_or_404(user=request.user, proof_id=proof_id)
    try:
        handle = storages["private"].open(proof.storage_name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=safe_download_name(_("label") + f"-{proof.line.order_id}", proof.extension),
        content_type=proof.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@staff_required
@require_GET
def summary(request, order_id):
    order = selectors.order_for_user_or_404(user=request.user, order_id=order_id)
    return summary_response(order)
