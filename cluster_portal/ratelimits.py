"""Rate limits (django-ratelimit, counted in the shared cache so that every app server sees the
same counts). Views use `@ratelimit(key=..., rate=..., block=True)`; a blocked request gets
the translated 429 page below."""

from django.shortcuts import render


def ratelimited(request, exception=None):
    return render(request, "429.html", status=429)
