"""Pages of the market. Each view says who may see it; reads through selectors, writes through
services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from core import phone_codes
from core.access import role_required
from core.exports import Table, table_response
from core.forms import add_service_errors
from core.jalali import format_date
from core.money import rial_to_toman
from members.roles import is_estates_staff

from . import buyer_flow, selectors, services
from .access import active_member_or_403, buyer_request_for_link_or_404, request_for_member_or_404
from .forms import BuyerRequestForm, OfferForm
from .models import BuyerRequest, Offer

staff_required = role_required(is_estates_staff)


# --- the buyer (no account) ----------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="20/h", method="POST", block=True)
def request_new(request):
    """Anyone: a buyer posts a request. A valid form is kept (session) while the mobile number
    is verified by SMS code; nothing typed is lost."""
    state = buyer_flow.pending(request)
    status = 200
    if request.method == "POST":
        form = BuyerRequestForm(request.POST)
        if form.is_valid():
            previous_mobile = state.get("mobile")
            state = buyer_flow.keep_form(request, form)
            if buyer_flow.is_verified(state):
                return _request_complete(request, state)
            try:
                buyer_flow.send_code(request, state["mobile"])
            except phone_codes.CodeRefused as refused:
                if refused.reason == "resend" and previous_mobile == state["mobile"]:
                    return redirect("market:request_verify")  # the code sent a moment ago is live
                form.add_error("mobile", refused.message)
                status = 429
            else:
                return redirect("market:request_verify")
    else:
        form = BuyerRequestForm(initial=buyer_flow.initial(state))
    return render(
        request,
        "market/request_new.html",
        {"form": form, "waiting_mobile": state.get("mobile") if state.get("data") else None},
        status=status,
    )


def _request_complete(request, state):
    form = BuyerRequestForm(buyer_flow.typed_data(state))
    if form.is_valid() and form.cleaned_data["mobile"] == state.get("mobile"):
        try:
            buyer_request, token = services.buyer_request_create(
                data=form.cleaned_data, base_url=request.build_absolute_uri("/")
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            buyer_flow.finish(request)
            messages.success(
                request,
                _(
                    "Your request was received. The cluster's staff will review it soon. This page is yours "
                    "alone: we also sent its link to your mobile by SMS."
                ),
            )
            return redirect("market:buyer", token=token)
    # Something was no longer valid (the deadline passed while waiting): the form as typed.
    return render(request, "market/request_new.html", {"form": form, "waiting_mobile": None})


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="30/m", method="POST", block=True)
def request_verify(request):
    """Anyone with a request waiting: type the SMS code, or ask for a new one."""
    state = buyer_flow.pending(request)
    if not state.get("data"):
        return redirect("market:request_new")
    mobile = state["mobile"]
    if buyer_flow.is_verified(state):
        return _request_complete(request, state)
    if request.method == "POST" and "resend" in request.POST:
        try:
            buyer_flow.send_code(request, mobile)
        except phone_codes.CodeRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("A new code was sent."))
        return redirect("market:request_verify")
    form = phone_codes.PhoneCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = phone_codes.code_check(purpose=buyer_flow.PURPOSE, mobile=mobile, code=form.cleaned_data["code"])
        if result.ok:
            return _request_complete(request, buyer_flow.mark_verified(request))
        form.add_error("code", result.message)
    return render(
        request,
        "market/request_verify.html",
        {
            "form": form,
            "mobile": mobile,
            "status": phone_codes.code_status(purpose=buyer_flow.PURPOSE, mobile=mobile),
            "organisation": state.get("organisation", ""),
            "change_url": reverse("market:request_new"),
        },
    )


@never_cache
@require_GET
def buyer(request, token):
    """Whoever holds the private link (not a member's user: 404): the request's status, the
    offers (producer's business name, no contacts) and, once one is accepted, its contacts."""
    buyer_request = buyer_request_for_link_or_404(request, token)
    accepted = selectors.accepted_offer(buyer_request) if buyer_request.status == BuyerRequest.Status.CLOSED else None
    return render(
        request,
        "market/buyer.html",
        {
            "buyer_request": buyer_request,
            "offers": selectors.offers_for_buyer(buyer_request),
            "accepted": accepted,
            "token": token,
        },
    )


@never_cache
@require_POST
@ratelimit(key="ip", rate="30/m", method="POST", block=True)
def buyer_accept(request, token, offer_id):
    """Whoever holds the private link: accept one offer (the request closes)."""
    buyer_request = buyer_request_for_link_or_404(request, token)
    try:
        services.offer_accept(buyer_request=buyer_request, offer_id=offer_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You accepted the offer. The producer's contacts are below; they have yours."))
    return redirect("market:buyer", token=token)


# --- members -------------------------------------------------------------------------------------


@login_required
@require_GET
def requests(request):
    """Users of an active member: the buyer requests they were matched to."""
    member = active_member_or_403(request)
    return render(request, "market/requests.html", {"requests": list(selectors.requests_for_member(member))})


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="user", rate="30/m", method="POST", block=True)
def request_detail(request, pk):
    """Users of an active member matched to the request (others 404): the request (no buyer
    contacts until their offer is accepted) and their offer."""
    member, buyer_request = request_for_member_or_404(request, pk)
    offer = selectors.own_offer(buyer_request, member)
    initial = (
        {name: getattr(offer, name) for name in ("quantity", "unit_price_rial", "delivery_date", "note")}
        if offer
        else {"quantity": buyer_request.quantity}
    )
    if offer:
        initial["unit_price_rial"] = rial_to_toman(offer.unit_price_rial)
    form = OfferForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_submit(
                buyer_request=buyer_request, member=member, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your offer was sent. The buyer sees it with your business name only."))
            return redirect(buyer_request.get_absolute_url())
    accepted = offer is not None and offer.status == Offer.Status.ACCEPTED
    return render(
        request,
        "market/request_detail.html",
        {
            "buyer_request": buyer_request,
            "offer": offer,
            "form": form,
            "accepted": accepted,
            "can_offer": buyer_request.is_open,
        },
    )


@login_required
@require_POST
def offer_withdraw(request, pk):
    """Users of a matched active member: withdraw their offer while the request is open."""
    member, buyer_request = request_for_member_or_404(request, pk)
    offer = selectors.own_offer(buyer_request, member)
    if offer is None:
        messages.error(request, _("You have no offer on this request."))
        return redirect(buyer_request.get_absolute_url())
    try:
        services.offer_withdraw(offer=offer, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your offer was withdrawn. You can send a new one while the request is open."))
    return redirect(buyer_request.get_absolute_url())


# --- staff ---------------------------------------------------------------------------------------


@staff_required
@require_GET
def staff_summary(request):
    """Estates staff: the outcome counts and the requests awaiting review."""
    return render(
        request,
        "market/staff.html",
        {
            "counts": selectors.outcome_counts(),
            "pending": list(
                BuyerRequest.objects.filter(status=BuyerRequest.Status.PENDING).select_related("product")[:50]
            ),
        },
    )


@staff_required
@require_GET
def staff_export(request):
    """Estates staff: every request with its outcome, as CSV."""
    rows = [
        [
            _("Request"),
            _("Posted"),
            _("Kind of buyer"),
            _("Organisation"),
            _("Product"),
            _("Quantity"),
            _("Unit"),
            _("Needed by"),
            _("Status"),
            _("Matched members"),
            _("Offers"),
            _("Accepted offer (Toman per unit)"),
            _("Accepted producer"),
        ]
    ]
    for item in selectors.requests_for_export():
        accepted = item.accepted[0] if item.accepted else None
        rows.append(
            [
                item.pk,
                format_date(item.created_at, numeric=True),
                item.get_buyer_kind_display(),
                item.organisation,
                str(item.product),
                item.quantity,
                item.get_unit_display(),
                format_date(item.deadline, numeric=True),
                item.get_status_display(),
                item.matches_count,
                item.offers_count,
                rial_to_toman(accepted.unit_price_rial) if accepted else "",
                accepted.member.business_name if accepted else "",
            ]
        )
    return table_response(
        "csv",
        [Table(title=str(_("Buyer requests")), rows=[[str(c) for c in r] for r in rows])],
        filename="buyer-requests",
    )
