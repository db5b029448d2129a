"""The membership application while its mobile number waits for the SMS code.

What the applicant typed is kept on the server, in their session, until the code is confirmed:
the form's fields as posted (so the form comes back exactly as typed), the password only as its
hash (the password fields are not shown again; they stay optional while a hash is kept), and
the cleaned logo as a file in the private storage (so it need not be chosen again). Pending
logos are removed when the application is sent or the logo replaced; ones left behind by
abandoned applications are removed a day later, when another applicant's logo is kept."""

import datetime
import logging
import posixpath

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.pending_form import PendingForm
from core.uploads import CleanFile

logger = logging.getLogger(__name__)

PENDING_LOGO_DIR = "pending-logos"

FLOW = PendingForm(
    session_key="join_pending",
    purpose="join",  # the phone_codes purpose of the applicant's number check
    lead=gettext_lazy("Your code to confirm your mobile number for the cluster membership application."),
    not_kept=("csrfmiddlewaretoken", "password1", "password2", "logo"),
)
PURPOSE = FLOW.purpose
pending = FLOW.pending
_save = FLOW.save
typed_data = FLOW.typed_data
mark_verified = FLOW.mark_verified
is_verified = FLOW.is_verified
send_code = FLOW.send_code


def initial(state: dict) -> dict:
    """The kept fields as initial values of an unbound form (lists only for the products)."""
    return {
        name: values if name == "products" else (values[0] if values else "")
        for name, values in (state.get("data") or {}).items()
    }


def keep_logo(request, clean: CleanFile) -> None:
    """Keep a cleaned logo for this applicant (replacing one kept before)."""
    storage = storages["private"]
    state = pending(request)
    _discard(state.get("logo"))
    day = timezone.localdate().strftime("%Y%m%d")
    name = storage.save(posixpath.join(PENDING_LOGO_DIR, day, clean.content.name), clean.content)
    state["logo"] = {"name": name, "kind": clean.kind, "content_type": clean.content_type, "size": clean.size}
    _save(request, state)
    _purge_abandoned(storage, day)


def kept_logo(state: dict) -> CleanFile | None:
    info = state.get("logo")
    if not info:
        return None
    storage = storages["private"]
    try:
        with storage.open(info["name"], "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return None
    return CleanFile(
        ContentFile(data, name=posixpath.basename(info["name"])), info["kind"], info["content_type"], len(data)
    )


def _discard(info) -> None:
    if info:
        storages["private"].delete(info["name"])


def _purge_abandoned(storage, today: str) -> None:
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).strftime("%Y%m%d")
    try:
        days, _files = storage.listdir(PENDING_LOGO_DIR)
    except FileNotFoundError:
        return
    for day in days:
        if day < yesterday:
            folder = posixpath.join(PENDING_LOGO_DIR, day)
            for name in storage.listdir(folder)[1]:
                storage.delete(posixpath.join(folder, name))
            logger.info("removed abandoned pending logos of %s", day)


def keep_form(request, form) -> dict:
    """Keep a valid application's fields, the password's hash and its number."""
    extra = {}
    if form.cleaned_data.get("password1"):
        extra["password_hash"] = make_password(form.cleaned_data["password1"])
    return FLOW.keep(request, form, mobile=form.cleaned_data["user_mobile"], **extra)


def finish(request) -> None:
    """The application was sent: forget it (its logo now belongs to the member)."""
    _discard(pending(request).get("logo"))
    FLOW.forget(request)
