"""A buyer's request while their mobile number waits for the SMS code (core.pending_form): what
they typed is kept in their session (the form comes back exactly as typed) until the code is
confirmed."""

from django.utils.translation import gettext_lazy

from core.pending_form import PendingForm

FLOW = PendingForm(
    session_key="market_buyer_pending",
    purpose="buyer_request",
    lead=gettext_lazy("Your code to confirm your mobile number for a buyer request to the Qazvin sweets cluster."),
)
PURPOSE = FLOW.purpose
pending = FLOW.pending
typed_data = FLOW.typed_data
mark_verified = FLOW.mark_verified
is_verified = FLOW.is_verified
send_code = FLOW.send_code


def initial(state: dict) -> dict:
    return {name: values[0] if values else "" for name, values in (state.get("data") or {}).items()}


def keep_form(request, form) -> dict:
    return FLOW.keep(request, form, mobile=form.cleaned_data["mobile"], organisation=form.cleaned_data["organisation"])


def finish(request) -> None:
    """The request was posted: forget it (a next request proves the number again)."""
    FLOW.forget(request)
