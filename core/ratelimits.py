"""Rate limits (django-ratelimit, counted in the shared cache so that every app server sees the
same counts). Views use `@ratelimit(key=..., rate=..., block=True)`; a blocked request gets
the translated 429 page below."""

from django.conf import settings
from django.shortcuts import render


def ratelimited(request, exception=None):
    return render(request, "429.html", status=429)


def client_ip(request):
    """The visitor's address for rate limits (RATELIMIT_IP_META_KEY). Behind PROXY_COUNT trusted
    proxies (nginx, a load balancer) REMOTE_ADDR is the proxy's, which would put every visitor
    in one bucket: take the address the outermost trusted proxy saw, read from the right of
    X-Forwarded-For (the left part is whatever the client sent, so never trusted)."""
    count = getattr(settings, "PROXY_COUNT", 0)
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META["REMOTE_ADDR"]
