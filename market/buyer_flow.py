"""A buyer's request while their mobile number waits for the SMS code: what they typed is kept
in their session (the form comes back exactly as typed) until the code is confirmed."""

from django.http import QueryDict
from django.utils.translation import gettext

from core import phone_codes
from core.ratelimits import client_ip

SESSION_KEY = "market_buyer_pending"
PURPOSE = "buyer_request"
NOT_KEPT = ("csrfmiddlewaretoken",)


def pending(request) -> dict:
    return request.session.get(SESSION_KEY) or {}


def _save(request, data: dict) -> None:
    request.session[SESSION_KEY] = data
    request.session.modified = True


def typed_data(state: dict) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, values in (state.get("data") or {}).items():
        data.setlist(name, values)
    return data


def initial(state: dict) -> dict:
    return {name: values[0] if values else "" for name, values in (state.get("data") or {}).items()}


def keep_form(request, form) -> dict:
    state = pending(request)
    state["data"] = {name: form.data.getlist(name) for name in form.data if name not in NOT_KEPT}
    state["mobile"] = form.cleaned_data["mobile"]
    state["organisation"] = form.cleaned_data["organisation"]
    _save(request, state)
    return state


def mark_verified(request) -> dict:
    state = pending(request)
    state["verified"] = state.get("mobile")
    _save(request, state)
    return state


def is_verified(state: dict) -> bool:
    return bool(state.get("mobile")) and state.get("verified") == state.get("mobile")


def finish(request) -> None:
    """The request was posted: forget it (a next request proves the number again)."""
    request.session.pop(SESSION_KEY, None)


def send_code(request, mobile: str):
    domain = request.get_host().split(":")[0]
    return phone_codes.code_send(
        purpose=PURPOSE,
        mobile=mobile,
        client_address=client_ip(request),
        message=lambda code: phone_codes.code_message(
            code,
            lead=gettext("Your code to confirm your mobile number for a buyer request to the Qazvin sweets cluster."),
            domain=domain,
        ),
    )
