"""pytest plugin loaded first (pytest.ini: -p core.testing): the test run's
environment defaults, set before Django reads its settings."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("STATIC_MANIFEST", "false")  # tests read static files without collectstatic
os.environ.setdefault("FAST_PASSWORD_HASHER", "true")
os.environ.setdefault("ALLOW_DEMO_SEED", "true")
os.environ.setdefault("SMS_BACKEND", "core.sms.LocmemSmsBackend")
# Tasks run at once in the process that queues them (after the commit); the delivery tests
# switch to the database backend and run a real worker. Django 6: django.tasks.backends...
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")

# Uploads made by tests land in a throw-away folder, never in the checkout's media folders.
_media = tempfile.mkdtemp(prefix="portal-test-media-")
atexit.register(shutil.rmtree, _media, ignore_errors=True)
os.environ.setdefault("MEDIA_ROOT", os.path.join(_media, "public"))
os.environ.setdefault("PRIVATE_MEDIA_ROOT", os.path.join(_media, "private"))

# Parallel test workers (pytest-xdist) share one Redis database and derive the same default
# prefix from the database URL: each keeps its caches, sessions and rate limits under its own,
# also under a CACHE_KEY_PREFIX given to the run (another worker's bumps of the shared versions
# would otherwise renew this one's cached pages between two requests of a test).
_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker:
    os.environ["CACHE_KEY_PREFIX"] = "-".join(
        [os.environ.get("CACHE_KEY_PREFIX", "portal-test"), os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8], _worker]
    )
