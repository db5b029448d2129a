from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import notifications
from core.forms import BootstrapFormMixin
from core.validators import normalize_mobile, validate_mobile


class MobileLoginForm(BootstrapFormMixin, AuthenticationForm):
    """Sign in with a mobile number in any usual form: 0912…, +98912…, 0098912…, ۰۹۱۲…"""

    username = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "inputmode": "tel",
                "dir": "ltr",
                "autocomplete": "username",
                "placeholder": "09121234567",
            }
        ),
    )
    error_messages = {
        "invalid_login": _("The mobile number or password is not correct."),
        "inactive": _("This account is inactive."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # AuthenticationForm limits the box to the stored number's 11 characters, which cut
        # «+98 912 123 4567» or «۰۹۱۲ ۱۲۳ ۴۵۶۷» short while typing: allow the written forms.
        self.fields["username"].max_length = 20
        self.fields["username"].widget.attrs["maxlength"] = 20

    def clean_username(self):
        return normalize_mobile(self.cleaned_data["username"])


class LoginCodeRequestForm(BootstrapFormMixin, forms.Form):
    """Sign in by SMS code, step one: the mobile number, in any usual form. The field is named
    like the login form's, so "Send me a code" on the login page posts the number typed there."""

    username = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "inputmode": "tel",
                "dir": "ltr",
                "autocomplete": "username",
                "placeholder": "09121234567",
            }
        ),
    )

    def clean_username(self):
        value = normalize_mobile(self.cleaned_data["username"])
        validate_mobile(value)
        return value


class MobilePasswordResetForm(BootstrapFormMixin, PasswordResetForm):
    """Password reset by mobile number: the link goes by SMS (and e-mail when the user has one).
    The page says the same whether or not the number is registered."""

    email = None
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "dir": "ltr", "autocomplete": "username"}),
    )

    field_order = ["mobile"]

    def clean_mobile(self):
        return normalize_mobile(self.cleaned_data["mobile"])

    def save(self, request=None, use_https=False, token_generator=default_token_generator, **kwargs):
        user = get_user_model().objects.filter(mobile=self.cleaned_data["mobile"], is_active=True).first()
        if user is None or not user.has_usable_password():
            return
        path = reverse(
            "password_reset_confirm",
            kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": token_generator.make_token(user)},
        )
        link = request.build_absolute_uri(path) if request else path
        notifications.notify(
            user=user,
            subject=gettext("Password reset for the sweets cluster portal"),
            body=gettext("Open this link to choose a new password: %(link)s") % {"link": link},
            channels=(notifications.EMAIL, notifications.SMS),
            private=True,  # the link lets its holder choose the password
        )


class PortalPasswordChangeForm(BootstrapFormMixin, PasswordChangeForm):
    pass


class PortalSetPasswordForm(BootstrapFormMixin, SetPasswordForm):
    pass
