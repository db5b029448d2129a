"""The floor under a page: the project's WSGI application with Django's template rendering taken
away. Every template the backend renders returns one fixed body (BENCH_FLOOR_BYTES, default
23,000 bytes, about the member dashboard's size) without running a tag, so a page costs only what
happens before and after rendering: middleware, the session and the user, the view's statements
and Python, the page cache's writes. bench/run.sh serves it as a third server (with
PAGE_CACHE_READS=false, as the miss server) to show how fast a cache miss could be with a
template engine that cost nothing. Measurement only: never served to anybody."""

import os

from django.template.backends.django import Template
from django.utils.safestring import mark_safe

from cluster_portal.wsgi import application  # noqa: F401  (gunicorn serves bench.floor_wsgi:application)

BODY = mark_safe("x" * int(os.environ.get("BENCH_FLOOR_BYTES", "23000")))


def _fixed_body(self, context=None, request=None):
    return BODY


Template.render = _fixed_body
