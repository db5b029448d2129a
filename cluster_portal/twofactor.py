"""Two-factor sign-in (TOTP, with one-time recovery codes) built on django-otp.

Estates staff, the union head and superusers must confirm a code from an authenticator app
before any page but these (and logout, static files, language switch, health checks) answers
them: the first time they set the app up. Members may turn it on too; once they have, their
sign-ins ask for the code as well. A session remembers at sign-in whether it needs the second
factor (so an ordinary member's page costs no extra query); staff flags are re-read on every
request."""

import base64
import io
import logging
from urllib.parse import urlencode

import django_otp
import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_ratelimit.decorators import ratelimit

from core.audit import audit_record
from core.forms import BootstrapFormMixin
from core.persian import normalize_digits_only
from core.templatetags.persian import num

logger = logging.getLogger("cluster_portal.security")

REQUIRED_SESSION_KEY = "_otp_required"
NEW_CODES_SESSION_KEY = "_otp_new_recovery_codes"
RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "authenticator"


# --- Who needs it ---------------------------------------------------------------------------
def is_privileged(user) -> bool:
    """Estates staff, the union head and superusers: the people who reach the admin, the price
    review and the reports."""
    from members.roles import is_estates_staff, is_union_head

    if not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or is_estates_staff(user) or is_union_head(user)


def has_totp(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def otp_required(user) -> bool:
    return is_privileged(user) or has_totp(user)


@receiver(user_logged_in, dispatch_uid="twofactor_remember_requirement")
def _remember_requirement(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[REQUIRED_SESSION_KEY] = otp_required(user)


def _session_needs_otp(request) -> bool:
    user = request.user
    if user.is_staff or user.is_superuser:
        return True
    required = request.session.get(REQUIRED_SESSION_KEY)
    if required is None:  # a session from before this check existed
        required = request.session[REQUIRED_SESSION_KEY] = otp_required(user)
    return required


class TwoFactorMiddleware:
    """After django_otp's OTPMiddleware: a signed-in user who needs the second factor and has
    not given it is sent to the code page (or to set-up when they have no authenticator)."""

    EXEMPT_NAMES = (
        "twofactor:verify",
        "twofactor:setup",
        "logout",
        "admin:logout",
        "set_language",
        "healthz",
        "readyz",
    )

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt = None

    def _exempt_paths(self):
        if self._exempt is None:
            paths = {reverse(name) for name in self.EXEMPT_NAMES}
            self._exempt = (tuple(paths), (settings.STATIC_URL,))
        return self._exempt

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            getattr(settings, "TWO_FACTOR_REQUIRED", True)
            and user is not None
            and user.is_authenticated
            and _session_needs_otp(request)
            and not user.is_verified()
        ):
            exact, prefixes = self._exempt_paths()
            if request.path not in exact and not request.path.startswith(prefixes):
                target = "twofactor:verify" if has_totp(user) else "twofactor:setup"
                url = f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}"
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = url
                    return response
                return HttpResponseRedirect(url)
        return self.get_response(request)


# --- Devices and codes ----------------------------------------------------------------------
def _confirmed_totp(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_regenerate(*, user) -> list[str]:
    """Replace the user's recovery codes with a fresh set; returns them (shown once)."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(user=user, name="recovery", defaults={"confirmed": True})
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
        audit_record(actor=user, action="two_factor_recovery_codes_regenerated", instance=user)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def two_factor_disable(*, user, actor) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit_record(actor=actor, action="two_factor_disabled", instance=user)


def _verified_login(request, device):
    """Record the device in the session and give the session a new key (it just gained
    rights: an identifier seen before this moment must not carry them)."""
    request.session.cycle_key()
    django_otp.login(request, device)
    request.session[REQUIRED_SESSION_KEY] = True


def _safe_next(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _qr_data_uri(device) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _secret_for_typing(device) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- Forms ----------------------------------------------------------------------------------
class CodeForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "dir": "ltr", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )

    def clean_code(self):
        # Persian/Arabic digits, spaces and dashes are all fine: «۱۲۳ ۴۵۶» is 123456; recovery
        # codes are letters and digits, case-insensitive.
        value = normalize_digits_only(self.cleaned_data["code"]).lower()
        if not value:
            raise forms.ValidationError(_("Enter the code."))
        return value


def _is_totp_code(code: str) -> bool:
    return len(code) == 6 and code.isascii() and code.isdigit()


def _throttled(device) -> bool:
    allowed, _data = device.verify_is_allowed()
    return not allowed


# --- Views: who may see them is said on each ------------------------------------------------
@login_required
@ratelimit(key="user_or_ip", rate="10/m", method="POST", block=True)
def verify(request):
    """Signed-in users with an authenticator: type its code (or a recovery code)."""
    device = _confirmed_totp(request.user)
    if device is None:
        return redirect(f"{reverse('twofactor:setup')}?{urlencode({'next': _safe_next(request)})}")
    if request.user.is_verified():
        return redirect(_safe_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        recovery = StaticDevice.objects.filter(user=request.user, confirmed=True).first()
        if _throttled(device):
            form.add_error("code", _("Too many wrong codes. Wait a minute and try again."))
        else:
            if _is_totp_code(code):
                matched = django_otp.verify_token(request.user, device.persistent_id, code)
            elif recovery is not None:
                matched = django_otp.verify_token(request.user, recovery.persistent_id, code)
            else:
                matched = None
            if matched is not None:
                _verified_login(request, matched)
                logger.info("two-factor verified user_id=%s device=%s", request.user.pk, type(matched).__name__)
                if isinstance(matched, StaticDevice):
                    audit_record(actor=request.user, action="two_factor_recovery_code_used", instance=request.user)
                    messages.warning(
                        request,
                        gettext("You signed in with a recovery code. Recovery codes left: %(count)s")
                        % {"count": num(recovery_codes_left(request.user))},
                    )
                return redirect(_safe_next(request))
            logger.warning("two-factor code rejected user_id=%s", request.user.pk)
            form.add_error("code", _("The code is not correct. Check the time on your phone and try again."))
    return render(
        request,
        "twofactor/verify.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )


@login_required
@ratelimit(key="user_or_ip", rate="10/m", method="POST", block=True)
def setup(request):
    """Signed-in users without an authenticator: scan the QR code and confirm one code. A user
    who already has one must pass it first (a stolen password cannot replace the device)."""
    user = request.user
    if _confirmed_totp(user) is not None:
        if not user.is_verified():
            return redirect(f"{reverse('twofactor:verify')}?{urlencode({'next': _safe_next(request)})}")
        return redirect("twofactor:manage")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _throttled(device):
            form.add_error("code", _("Too many wrong codes. Wait a minute and try again."))
        elif device.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
                audit_record(actor=user, action="two_factor_enabled", instance=user)
            codes = recovery_codes_regenerate(user=user)
            _verified_login(request, device)
            request.session[NEW_CODES_SESSION_KEY] = codes
            logger.info("two-factor enabled user_id=%s", user.pk)
            return redirect(f"{reverse('twofactor:recovery')}?{urlencode({'next': _safe_next(request)})}")
        else:
            form.add_error("code", _("The code is not correct. Check the time on your phone and try again."))
    return render(
        request,
        "twofactor/setup.html",
        {
            "form": form,
            "qr": _qr_data_uri(device),
            "secret": _secret_for_typing(device),
            "required": is_privileged(user),
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
    )


def _verified_required(view):
    """Signed in and, when they have an authenticator, verified with it."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if has_totp(request.user) and not request.user.is_verified():
            return redirect(f"{reverse('twofactor:verify')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@_verified_required
def recovery(request):
    """Signed-in users with two-factor: the new recovery codes, shown once (GET); a fresh set
    replaces the old (POST)."""
    if request.method == "POST":
        if not has_totp(request.user):
            return redirect("twofactor:manage")
        request.session[NEW_CODES_SESSION_KEY] = recovery_codes_regenerate(user=request.user)
        return redirect("twofactor:recovery")
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    return render(
        request,
        "twofactor/recovery.html",
        {"codes": codes, "left": recovery_codes_left(request.user), "next": _safe_next(request, "twofactor:manage")},
    )


@_verified_required
def manage(request):
    """Signed-in users: whether two-factor is on, recovery codes left, turn it on or off."""
    user = request.user
    return render(
        request,
        "twofactor/manage.html",
        {
            "enabled": has_totp(user),
            "required": is_privileged(user),
            "left": recovery_codes_left(user),
            "form": CodeForm(),
        },
    )


@_verified_required
@require_POST
@ratelimit(key="user_or_ip", rate="10/m", method="POST", block=True)
def disable(request):
    """Signed-in members with two-factor: turn it off after typing a current code. Staff, the
    union head and superusers cannot (it is required for them)."""
    user = request.user
    device = _confirmed_totp(user)
    if device is None:
        return redirect("twofactor:manage")
    if is_privileged(user):
        messages.error(request, gettext("Two-step sign-in is required for your role and cannot be turned off."))
        return redirect("twofactor:manage")
    form = CodeForm(request.POST)
    if form.is_valid() and not _throttled(device) and device.verify_token(form.cleaned_data["code"]):
        two_factor_disable(user=user, actor=user)
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        request.session[REQUIRED_SESSION_KEY] = False
        messages.success(request, gettext("Two-step sign-in is off."))
        return redirect("twofactor:manage")
    messages.error(request, gettext("The code is not correct. Check the time on your phone and try again."))
    return redirect("twofactor:manage")


app_name = "twofactor"
urlpatterns = [
    path("", manage, name="manage"),
    path("verify/", verify, name="verify"),
    path("setup/", setup, name="setup"),
    path("recovery/", recovery, name="recovery"),
    path("disable/", disable, name="disable"),
]
