"""Sign-in pages: login by mobile number, logout, password change and reset. All public
except password change (signed-in users)."""

from django.contrib.auth import views as auth
from django.urls import path, reverse_lazy
from django_ratelimit.decorators import ratelimit

from core.validators import normalize_mobile

from .auth_forms import MobileLoginForm, MobilePasswordResetForm, PortalPasswordChangeForm, PortalSetPasswordForm


def _typed_mobile(field):
    """Rate-limit key: the number as stored, so «۰۹۱۲…», «+98912…» and «0912…» count as one."""

    def key(group, request):
        return "mobile:" + (normalize_mobile(request.POST.get(field, "")) or "-")

    return key


def _limited(view, *limits):
    for key, rate in limits:
        view = ratelimit(key=key, rate=rate, method="POST", block=True)(view)
    return view


# Wrong passwords lock a number for 15 minutes after five tries (django-axes); these limits also
# stop one address from trying many numbers, and password-reset messages from flooding a phone.
# Generous per address: many phones here share one carrier address.
login_view = _limited(
    auth.LoginView.as_view(authentication_form=MobileLoginForm, redirect_authenticated_user=True),
    ("ip", "30/m"),
    ("ip", "300/h"),
)
password_reset_view = _limited(
    auth.PasswordResetView.as_view(form_class=MobilePasswordResetForm, success_url=reverse_lazy("password_reset_done")),
    (_typed_mobile("mobile"), "3/h"),
    ("ip", "20/h"),
)

urlpatterns = [
    path("login/", login_view, name="login"),
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
