"""A public form that waits for an SMS code: what the visitor typed is kept in their session
(the form comes back exactly as typed) until the code sent to the number they gave is confirmed.
Used by the membership application and the buyer request; each names its own session key and
phone_codes purpose (a code never passes for another purpose)."""

from django.http import QueryDict

from . import phone_codes
from .ratelimits import client_ip


class PendingForm:
    def __init__(self, *, session_key: str, purpose: str, lead, not_kept=("csrfmiddlewaretoken",)):
        self.session_key = session_key
        self.purpose = purpose
        self.lead = lead  # the SMS's first line (a lazy translation)
        self.not_kept = tuple(not_kept)

    def pending(self, request) -> dict:
        return request.session.get(self.session_key) or {}

    def save(self, request, state: dict) -> None:
        request.session[self.session_key] = state
        request.session.modified = True

    def keep(self, request, form, *, mobile: str, **extra) -> dict:
        """Keep a valid form's fields as posted (but `not_kept`), the number and `extra`."""
        state = self.pending(request)
        state["data"] = {name: form.data.getlist(name) for name in form.data if name not in self.not_kept}
        state["mobile"] = mobile
        state.update(extra)
        self.save(request, state)
        return state

    @staticmethod
    def typed_data(state: dict) -> QueryDict:
        """The kept fields as a QueryDict, to bind the form again."""
        data = QueryDict(mutable=True)
        for name, values in (state.get("data") or {}).items():
            data.setlist(name, values)
        return data

    def mark_verified(self, request) -> dict:
        state = self.pending(request)
        state["verified"] = state.get("mobile")
        self.save(request, state)
        return state

    @staticmethod
    def is_verified(state: dict) -> bool:
        return bool(state.get("mobile")) and state.get("verified") == state.get("mobile")

    def forget(self, request) -> None:
        request.session.pop(self.session_key, None)

    def send_code(self, request, mobile: str):
        """Send the number its code (raises phone_codes.CodeRefused)."""
        domain = request.get_host().split(":")[0]
        return phone_codes.code_send(
            purpose=self.purpose,
            mobile=mobile,
            client_address=client_ip(request),
            message=lambda code: phone_codes.code_message(code, lead=str(self.lead), domain=domain),
        )
