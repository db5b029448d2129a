"""Prints the pages `bench/run.sh` measures, one per line: label, path, session cookie.
Run inside the benchmark's settings: `python manage.py shell < bench/targets.py`.

Sessions are made directly in the session store (Redis) for the demo accounts: the member
09120000001, the estates staff 09120000010 and the union head 09120000020, the last two with
their second factor confirmed (as after a code from their authenticator app)."""

from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from members.models import User
from members.twofactor import policy

SessionStore = import_string(f"{settings.SESSION_ENGINE}.SessionStore")


def session_cookie(mobile, *, second_factor=False):
    user = User.objects.get(mobile=mobile)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[policy.REQUIRED_SESSION_KEY] = [user.privilege_version, second_factor, policy.privileges(user)]
    if second_factor:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        device = device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def url(name, *args, query=""):
    try:
        return reverse(name, args=args) + query
    except NoReverseMatch:
        return None


member = session_cookie("09120000001")
staff = session_cookie("09120000010", second_factor=True)
union_head = session_cookie("09120000020", second_factor=True)

# Directory search: a word most business names carry ("sweets"), URL-encoded for wrk.
search_query = "?q=" + quote("شیرینی")

event_id = None
try:
    from events.models import Event

    event = Event.objects.annotate(n=Count("questions")).order_by("-n").first()
    event_id = event.pk if event else None
    # What an open Q&A page of a member polls with: the version it shows (nothing new → 204).
    from core import fragment_cache
    from events import qa_cache

    tokens = fragment_cache.tokens(*qa_cache.versions(event.pk)) if event else None
    qa_poll_query = f"?sort=votes&v={qa_cache.poll_version(tokens, 'member')}" if event else ""
except Exception:  # the events app is not there yet
    event_id = None
    qa_poll_query = ""

# The price report of the busiest round (≈ 83,000 of the million submissions at scale 100).
report_query = ""
try:
    from pricing.models import PriceSubmission

    busiest = PriceSubmission.objects.values("price_round_id").annotate(n=Count("id")).order_by("-n").first()
    report_query = f"?round={busiest['price_round_id']}" if busiest else ""
except Exception:  # the pricing app is not there yet
    report_query = ""

# Showcase: a search most listings answer (a product name), the newest public listing's page,
# and the verification page of one of its box codes (each request counts a scan).
showcase_query = "?q=" + quote("باقلوا")
product_id = verify_code = None
try:
    from showcase.models import BoxCode
    from showcase.selectors import listings_public

    newest = listings_public().order_by("-id").values_list("pk", flat=True).first()
    product_id = newest
    verify_code = (
        BoxCode.objects.filter(listing_id=newest, revoked_at__isnull=True).values_list("code", flat=True).first()
    )
except Exception:  # the showcase app is not there yet
    product_id = verify_code = None

targets = [
    ("/healthz (baseline)", "/healthz", ""),
    ("home", "/", ""),
    ("member dashboard", url("members:dashboard"), member),
    ("directory search", url("members:directory", query=search_query), ""),
    ("directory search, signed in", url("members:directory", query=search_query), member),
    ("Q&A fragment", url("events:qa_fragment", event_id) if event_id else None, member),
    ("Q&A poll, nothing new", url("events:qa_fragment", event_id, query=qa_poll_query) if event_id else None, member),
    ("price report", url("pricing:report", query=report_query), union_head),
    ("permits dashboard", url("permits:dashboard"), staff),
    ("showcase search", url("showcase:list", query=showcase_query), ""),
    ("showcase product page", url("showcase:detail", product_id) if product_id else None, ""),
    ("verification page", url("verify", verify_code) if verify_code else None, ""),
    ("admin: members", url("admin:members_member_changelist"), staff),
    ("admin: price submissions", url("admin:pricing_pricesubmission_changelist"), staff),
    ("admin: permits", url("admin:permits_permit_changelist"), staff),
]
for label, path, cookie in targets:
    if path:
        print(f"TARGET\t{label}\t{path}\t{cookie}")
