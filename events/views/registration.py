"""Registration: registering and cancelling, the member's ticket, and the staff's check-in
desk."""

import base64
import io
from urllib.parse import urlencode

import qrcode
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.persian import normalize_digits_only, search_key
from core.validators import normalize_mobile

from .. import services
from ..access import (
    active_member_required,
    checkin_registration_for_user_or_404,
    event_for_user_or_404,
    registration_for_user_or_404,
    staff_event_for_user_or_404,
    staff_required,
)
from ..models import Registration
from .common import error_text


@active_member_required
@require_POST
def registration_create(request, event_id):
    """Active member users: register for an event they can see."""
    event = event_for_user_or_404(request.user, event_id)
    try:
        registration = services.registration_create(
            event=event, user=request.user, waiting_list=request.POST.get("waiting_list") == "1"
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(event)
    if registration.status == Registration.Status.WAITING:
        messages.success(request, _("You are on the waiting list. We will tell you when a place frees up."))
        return redirect(event)
    if registration.status == Registration.Status.OFFERED:
        return redirect(event)
    messages.success(request, _("You are registered. Your ticket is below."))
    return redirect("events:ticket", event_id=event.pk)


@active_member_required
@require_POST
def registration_confirm(request, event_id):
    """Active member users: take the place offered to them from the waiting list (404 without
    a registration of their own)."""
    event = event_for_user_or_404(request.user, event_id)
    registration = registration_for_user_or_404(request.user, event)
    try:
        services.registration_offer_confirm(registration=registration)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(event)
    messages.success(request, _("Your place is confirmed. Your ticket is below."))
    return redirect("events:ticket", event_id=event.pk)


@active_member_required
@require_POST
def registration_cancel(request, event_id):
    """Active member users: cancel their own registration."""
    event = event_for_user_or_404(request.user, event_id)
    registration = registration_for_user_or_404(request.user, event)
    try:
        services.registration_cancel(registration=registration)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        if registration.status in (Registration.Status.WAITING, Registration.Status.OFFERED):
            messages.success(request, _("You have left the waiting list."))
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
    event = event_for_user_or_404(request.user, event_id)
    registration = registration_for_user_or_404(request.user, event, registered=True)
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
    event = staff_event_for_user_or_404(request.user, event_id)
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
    registration = checkin_registration_for_user_or_404(request.user, event_id, registration_id)
    try:
        services.registration_check_in(registration=registration, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("%(name)s is checked in.") % {"name": registration.user.full_name})
    query = request.POST.get("q", "")
    url = reverse("events:checkin", args=[event_id])
    return redirect(f"{url}?{urlencode({'q': query})}" if query else url)
