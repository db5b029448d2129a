"""Sign-in plumbing: the number django-axes counts failures under, and the authentication
backend for sign-in by SMS code."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend, ModelBackend

from core import phone_codes
from core.validators import normalize_mobile

LOGIN_PURPOSE = "login"  # the phone_codes purpose of sign-in codes


def axes_username(request, credentials):
    """Lockouts count per normalised mobile number: «۰۹۱۲…» and «+98912…» are one account."""
    value = (credentials or {}).get("username") or request.POST.get("username", "")
    return normalize_mobile(value)


class PhoneCodeBackend(BaseBackend):
    """authenticate(request, username=<mobile>, sms_token=<code>): the user whose number the
    live sign-in code was sent to. Called through django.contrib.auth.authenticate, so
    django-axes refuses a locked number+address before the code is even compared and counts a
    wrong code as a failed sign-in. The code check's result is left on the request
    (`request.phone_code_result`) for the page to say why it failed."""

    def authenticate(self, request, username=None, sms_token=None, **kwargs):
        if username is None or sms_token is None:
            return None
        mobile = normalize_mobile(username)
        result = phone_codes.code_check(purpose=LOGIN_PURPOSE, mobile=mobile, code=sms_token)
        if request is not None:
            request.phone_code_result = result
        if not result.ok:
            return None
        user = get_user_model().objects.filter(mobile=mobile).first()
        return user if user is not None and user.is_active else None

    # Its users load as ModelBackend's do: the signed-in user may come from the shared cache
    # (core.auth_cache).
    cached_get_user = True

    def get_user(self, user_id):
        # Sessions signed in by code load their user as password sessions do (permissions come
        # from ModelBackend, which is also configured).
        return ModelBackend().get_user(user_id)
