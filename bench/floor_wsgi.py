"""The floor under a page: the project's WSGI application with Django's template rendering taken
away. Every template the backend renders returns one fixed 23,000-byte body (about the member
dashboard's size) without running a tag. What the layout's templates make a request do besides
rendering is still done, once a request: the CSRF token (the sign-out form), the navigation's
state and the store of its menu (`cluster_portal.navigation.nav_html`, whose menu template is
the fixed body too). So a page costs what happens before, around and after rendering:
middleware, the session and the user, the view's statements and Python, the page cache's
writes. bench/run.sh serves it as a third server (with PAGE_CACHE_READS=false, as the miss
server) to show how fast a cache miss could be with a template engine that cost nothing.

What it keeps in the cache has a namespace of its own (`floor_key`: all but the sessions and the
version tokens), so nothing it stores is ever read by the benchmark's other servers. Counters
kept in the cache (scans, rate limits) are the floor's own too: a page that writes one through
the cache is not a page to measure on the floor. Measurement only: never served to anybody."""

import os

from django.conf import settings
from django.contrib.sessions.backends.cache import KEY_PREFIX as SESSION_KEY_PREFIX

from core.fragment_cache import version_key

BODY_BYTES = 23000
NAMESPACE = "bench-floor"
SHARED_KEY_PREFIXES = (SESSION_KEY_PREFIX, version_key(""))


def floor_key(key, key_prefix, version):
    """Django's default cache key, in the floor's own namespace, but for the sessions (to be
    signed in) and the version tokens (what the tables' state is: a stored summary is current
    on the floor when it is on the other servers). Whatever is kept from rendering (pages,
    fragments, menus, the user's row) stays the floor's."""
    if not key.startswith(SHARED_KEY_PREFIXES):
        key = f"{NAMESPACE}:{key}"
    return f"{key_prefix}:{version}:{key}"


def patch():
    """Takes rendering away: the backend's Template.render returns the fixed body, after doing
    the layout's other work for the request once."""
    from django.middleware.csrf import get_token
    from django.template.backends.django import Template
    from django.utils.safestring import mark_safe

    from cluster_portal import navigation

    body = mark_safe("x" * BODY_BYTES)

    def fixed_body(self, context=None, request=None):
        if request is not None and hasattr(request, "user") and not getattr(request, "_floor_layout", False):
            request._floor_layout = True
            navigation.nav_html(request, navigation.nav_state(request), csrf_token=get_token(request))
        return body

    Template.render = fixed_body
    return body


def application_with_floor():
    """gunicorn 'bench.floor_wsgi:application_with_floor()': the application, on the floor."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cluster_portal.settings")
    for cache in settings.CACHES.values():
        cache["KEY_FUNCTION"] = floor_key  # before any cache is made (django.setup makes none)
    from cluster_portal.wsgi import application

    patch()
    return application
