"""The two-step sign-in pages (/accounts/2fa/). Who may see each is said on it; every write
goes through `services`."""

import base64
import io
import logging
from urllib.parse import urlencode

import django_otp
import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_ratelimit.decorators import ratelimit

from core.templatetags.persian import num

from . import services
from .forms import CodeForm
from .policy import NEW_CODES_SESSION_KEY, has_totp, is_privileged, remember_requirement

logger = logging.getLogger("cluster_portal.security")


def _verified_login(request, device):
    """Record the device in the session and give the session a new key (it just gained
    rights: an identifier seen before this moment must not carry them)."""
    request.session.cycle_key()
    django_otp.login(request, device)
    request.user.refresh_from_db(fields=["privilege_version"])
    remember_requirement(request, request.user, required=True)


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


def _throttled(device) -> bool:
    allowed, _data = device.verify_is_allowed()
    return not allowed


WRONG_CODE = _("The code is not correct. Check the time on your phone and try again.")
TOO_MANY = _("Too many wrong codes. Wait a minute and try again.")


@login_required
@ratelimit(key="user_or_ip", rate="10/m", method="POST", block=True)
def verify(request):
    """Signed-in users with an authenticator: type its code (or a recovery code)."""
    device = services.confirmed_totp(request.user)
    if device is None:
        return redirect(f"{reverse('twofactor:setup')}?{urlencode({'next': _safe_next(request)})}")
    if request.user.is_verified():
        return redirect(_safe_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        recovery = StaticDevice.objects.filter(user=request.user, confirmed=True).first()
        if _throttled(device):
            form.add_error("code", TOO_MANY)
        else:
            if form.is_totp_code:
                matched = django_otp.verify_token(request.user, device.persistent_id, code)
            elif recovery is not None:
                matched = django_otp.verify_token(request.user, recovery.persistent_id, code)
            else:
                matched = None
            if matched is not None:
                _verified_login(request, matched)
                logger.info("two-factor verified user_id=%s device=%s", request.user.pk, type(matched).__name__)
                if isinstance(matched, StaticDevice):
                    services.recovery_code_used(user=request.user)
                    messages.warning(
                        request,
                        gettext("You signed in with a recovery code. Recovery codes left: %(count)s")
                        % {"count": num(services.recovery_codes_left(request.user))},
                    )
                return redirect(_safe_next(request))
            logger.warning("two-factor code rejected user_id=%s", request.user.pk)
            form.add_error("code", WRONG_CODE)
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
    if services.confirmed_totp(user) is not None:
        if not user.is_verified():
            return redirect(f"{reverse('twofactor:verify')}?{urlencode({'next': _safe_next(request)})}")
        return redirect("twofactor:manage")
    device = services.totp_device_start(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _throttled(device):
            form.add_error("code", TOO_MANY)
        elif device.verify_token(form.cleaned_data["code"]):
            codes = services.totp_device_confirm(device=device, actor=user)
            device.refresh_from_db()
            _verified_login(request, device)
            request.session[NEW_CODES_SESSION_KEY] = codes
            logger.info("two-factor enabled user_id=%s", user.pk)
            return redirect(f"{reverse('twofactor:recovery')}?{urlencode({'next': _safe_next(request)})}")
        else:
            form.add_error("code", WRONG_CODE)
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
        request.session[NEW_CODES_SESSION_KEY] = services.recovery_codes_regenerate(user=request.user)
        return redirect("twofactor:recovery")
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    return render(
        request,
        "twofactor/recovery.html",
        {
            "codes": codes,
            "left": services.recovery_codes_left(request.user),
            "next": _safe_next(request, "twofactor:manage"),
        },
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
            "left": services.recovery_codes_left(user),
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
    device = services.confirmed_totp(user)
    if device is None:
        return redirect("twofactor:manage")
    if is_privileged(user):
        messages.error(request, gettext("Two-step sign-in is required for your role and cannot be turned off."))
        return redirect("twofactor:manage")
    form = CodeForm(request.POST)
    if form.is_valid() and not _throttled(device) and device.verify_token(form.cleaned_data["code"]):
        services.two_factor_disable(user=user, actor=user)
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        user.refresh_from_db(fields=["privilege_version"])
        remember_requirement(request, user, required=False)
        messages.success(request, gettext("Two-step sign-in is off."))
        return redirect("twofactor:manage")
    messages.error(request, str(WRONG_CODE))
    return redirect("twofactor:manage")
