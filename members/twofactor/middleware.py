from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse

from .policy import has_totp, session_needs_otp


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
            and session_needs_otp(request)
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
