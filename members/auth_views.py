"""Sign-in pages: login by mobile number and password or by SMS code, logout, password change
and reset. All public except password change (signed-in users)."""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth
from django.shortcuts import redirect, render
from django.urls import path, reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from core import phone_codes
from core.ratelimits import client_ip
from core.validators import normalize_mobile

from .auth import LOGIN_PURPOSE
from .auth_forms import (
    LoginCodeRequestForm,
    MobileLoginForm,
    MobilePasswordResetForm,
    PortalPasswordChangeForm,
    PortalSetPasswordForm,
)
from .models import User

WARN_FROM_FAILURE = 3  # from the third failed attempt on, the page says how many are left
CODE_MOBILE_SESSION_KEY = "login_code_mobile"
CODE_NEXT_SESSION_KEY = "login_code_next"


def _typed_mobile(field):
    """Rate-limit key: the number as stored, so «۰۹۱۲…», «+98912…» and «0912…» count as one."""

    def key(group, request):
        return "mobile:" + (normalize_mobile(request.POST.get(field, "")) or "-")

    return key


def _limited(view, *limits):
    for key, rate in limits:
        view = ratelimit(key=key, rate=rate, method="POST", block=True)(view)
    return view


def attempts_left(request, mobile: str) -> int | None:
    """How many more failed sign-ins (password or code) this number may have from this address
    before django-axes locks it; None before the third failure (nothing to warn about yet)."""
    mobile = normalize_mobile(mobile)
    if not mobile:
        return None
    failures = AxesProxyHandler.get_failures(request, {"username": mobile})
    left = settings.AXES_FAILURE_LIMIT - failures
    return left if failures >= WARN_FROM_FAILURE and left > 0 else None


class PortalLoginView(auth.LoginView):
    """Public: sign in with number and password (or go on to sign in by SMS code)."""

    authentication_form = MobileLoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.method == "POST":
            context["attempts_left"] = attempts_left(self.request, self.request.POST.get("username", ""))
        return context


def _safe_next(request, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def _locked(request, mobile):
    return AxesProxyHandler.is_locked(request, {"username": mobile})


def _send_login_code(request, mobile: str):
    """Every number gets an SMS, so neither the page nor its timing says which are registered:
    an account's number gets the code, any other number a note that it has no account."""
    has_account = User.objects.filter(mobile=mobile, is_active=True).exists()
    domain = request.get_host().split(":")[0]

    def message(code):
        if has_account:
            return phone_codes.code_message(
                code, lead=gettext("Your sign-in code for the sweets cluster portal."), domain=domain
            )
        return gettext(
            "Someone asked for a sign-in code for this number on the sweets cluster portal, but no "
            "account uses this number. If it was you, sign in with the number you registered or apply "
            "for membership."
        )

    return phone_codes.code_send(
        purpose=LOGIN_PURPOSE, mobile=mobile, client_address=client_ip(request), message=message
    )


@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request):
    """Public: sign in by SMS code, step one — the number (also posted by the login page's
    "Send me a code" button, with whatever was typed there)."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    if request.user.is_authenticated:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    form = LoginCodeRequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        mobile = form.cleaned_data["username"]
        if _locked(request, mobile):
            return get_lockout_response(request, None, {"username": mobile})
        try:
            _send_login_code(request, mobile)
        except phone_codes.CodeRefused as refused:
            if refused.reason == "resend" and request.session.get(CODE_MOBILE_SESSION_KEY) == mobile:
                return redirect("login_code_verify")  # sent a moment ago: that code is still live
            form.add_error("username", refused.message)
            status = 429
        else:
            request.session[CODE_MOBILE_SESSION_KEY] = mobile
            request.session[CODE_NEXT_SESSION_KEY] = next_url
            return redirect("login_code_verify")
    return render(request, "registration/login_code.html", {"form": form, "next": next_url}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def login_code_verify(request):
    """Public (with a number chosen in step one): type the code, or ask for a new one."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    mobile = request.session.get(CODE_MOBILE_SESSION_KEY)
    if not mobile:
        return redirect("login_code")
    form = phone_codes.PhoneCodeForm(
        request.POST if request.method == "POST" and "resend" not in request.POST else None
    )
    left = None
    if request.method == "POST" and "resend" in request.POST:
        if _locked(request, mobile):
            return get_lockout_response(request, None, {"username": mobile})
        try:
            _send_login_code(request, mobile)
        except phone_codes.CodeRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, gettext("A new code was sent."))
        return redirect("login_code_verify")
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=mobile, sms_token=form.cleaned_data["code"])
        if user is not None:
            next_url = request.session.pop(CODE_NEXT_SESSION_KEY, "")
            request.session.pop(CODE_MOBILE_SESSION_KEY, None)
            auth_login(request, user)
            return redirect(_safe_next(request, next_url) or settings.LOGIN_REDIRECT_URL)
        left = attempts_left(request, mobile)
        result = getattr(request, "phone_code_result", None)
        if result is None or (result.outcome is phone_codes.Outcome.WRONG and left is not None):
            form.add_error("code", gettext("The code is not correct."))
        else:
            form.add_error("code", result.message)
    return render(
        request,
        "registration/login_code_verify.html",
        {
            "form": form,
            "mobile": mobile,
            "status": phone_codes.code_status(purpose=LOGIN_PURPOSE, mobile=mobile),
            "attempts_left": left,
            "change_url": reverse("login_code"),
        },
    )


# Wrong passwords lock a number for 15 minutes after five tries (django-axes); these limits also
# stop one address from trying many numbers, and password-reset messages from flooding a phone.
# Generous per address: many phones here share one carrier address.
login_view = _limited(PortalLoginView.as_view(), ("ip", "30/m"), ("ip", "300/h"))
# Codes themselves are limited per number and per address by phone_codes (3 per 10 minutes per
# number, 20 an hour per address); wrong codes count towards the same axes lockout.
login_code_view = _limited(login_code, ("ip", "30/m"), ("ip", "300/h"))
login_code_verify_view = _limited(login_code_verify, ("ip", "30/m"), ("ip", "300/h"))
password_reset_view = _limited(
    auth.PasswordResetView.as_view(form_class=MobilePasswordResetForm, success_url=reverse_lazy("password_reset_done")),
    (_typed_mobile("mobile"), "3/h"),
    ("ip", "20/h"),
)

urlpatterns = [
    path("login/", login_view, name="login"),
    path("login/code/", login_code_view, name="login_code"),
    path("login/code/verify/", login_code_verify_view, name="login_code_verify"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path(
        "password/change/", auth.PasswordChangeView.as_view(form_class=PortalPasswordChangeForm), name="password_change"
    ),
    path("password/change/done/", auth.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", password_reset_view, name="password_reset"),
    path("password/reset/sent/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(form_class=PortalSetPasswordForm),
        name="password_reset_confirm",
    ),
    path("password/reset/complete/", auth.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
