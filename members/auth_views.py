"""Sign-in pages: login by mobile number, logout, password change and reset. All public
except password change (signed-in users)."""

from django.contrib.auth import views as auth
from django.urls import path, reverse_lazy

from .auth_forms import MobileLoginForm, MobilePasswordResetForm, PortalPasswordChangeForm, PortalSetPasswordForm

urlpatterns = [
    path(
        "login/",
        auth.LoginView.as_view(authentication_form=MobileLoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path(
        "password/change/", auth.PasswordChangeView.as_view(form_class=PortalPasswordChangeForm), name="password_change"
    ),
    path("password/change/done/", auth.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password/reset/",
        auth.PasswordResetView.as_view(
            form_class=MobilePasswordResetForm, success_url=reverse_lazy("password_reset_done")
        ),
        name="password_reset",
    ),
    path("password/reset/sent/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(form_class=PortalSetPasswordForm),
        name="password_reset_confirm",
    ),
    path("password/reset/complete/", auth.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
