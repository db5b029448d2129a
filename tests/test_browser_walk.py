"""The walk: every main page, as every role, on a 360 px phone, in Persian and English (and the
main pages once more on a 1280 px desktop), over the demo data. Screenshots go to
test-artifacts/walk/ (git-ignored). On every page:
- nothing is wider than the screen;
- no table is cut off without its own scroller (which then shows its cue);
- in Persian, no Latin digits in the text a person reads outside `dir=ltr`/<bdi>/<code> islands
  and form fields, and no English sentence."""

import os

import pytest
from django.contrib import admin
from django.urls import reverse

from conftest import give_totp_device
from tests.browser import ARTIFACTS, browser, login  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ("anonymous", "applicant", "member_a", "member_b", "staff", "union_head", "panelist", "superuser")
DEMO_MOBILES = {
    "member_a": "09120000001",
    "member_b": "09120000002",
    "staff": "09120000010",
    "union_head": "09120000020",
    "panelist": "09120000030",
    "superuser": "09120000099",
}
PRIVILEGED = ("staff", "union_head", "superuser")
WALK = os.path.join(ARTIFACTS, "walk")

# Runs in the page: what a person would see wrong.
CHECKS = r"""
(persian) => {
  const width = window.innerWidth;
  const problems = [];
  const page = document.documentElement.scrollWidth;
  if (page > width + 1) {
    // name the widest element, to say what to fix
    let widest = null;
    document.querySelectorAll("body *").forEach((el) => {
      const r = el.getBoundingClientRect();
      if ((r.right > width + 1 || r.left < -1) && el.checkVisibility() && !el.closest(".table-scroll, .table-responsive, #changelist .results")) {
        if (!widest || r.width > widest.getBoundingClientRect().width) widest = el;
      }
    });
    problems.push(`page ${page}px wide: ${widest ? widest.tagName + "." + widest.className : "?"}`);
  }
  document.querySelectorAll("table").forEach((table) => {
    if (!table.checkVisibility()) return;
    const r = table.getBoundingClientRect();
    let box = table.parentElement;
    while (box && box !== document.body) {
      const overflow = getComputedStyle(box).overflowX;
      if (overflow === "auto" || overflow === "scroll") break;
      box = box.parentElement;
    }
    const scroller = box && box !== document.body ? box : null;
    if (scroller) {
      const b = scroller.getBoundingClientRect();
      if (b.right > width + 1 || b.left < -1) problems.push(`table's scroller is wider than the screen: ${table.className}`);
      if (scroller.scrollWidth > scroller.clientWidth + 1 && !scroller.classList.contains("is-scrollable"))
        problems.push(`table scrolls without a cue: ${table.className}`);
    } else if (r.right > width + 1 || r.left < -1) {
      problems.push(`table cut off: ${table.className}`);
    }
  });
  if (!persian) return problems;
  const skip = "script, style, noscript, template, textarea, select, code, pre, bdi, [dir=ltr], .ltr, [lang=en], svg";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.nodeValue.trim();
    if (!text) continue;
    const el = node.parentElement;
    if (!el || el.closest(skip) || !el.checkVisibility({ visibilityProperty: true, opacityProperty: false })) continue;
    let what = null;
    if (/[0-9]/.test(text)) what = "Latin digits";
    else if (/[A-Za-z]{2,}[ ,.:;!?'’-]+[A-Za-z]{2,}/.test(text)) what = "English";
    if (what) {
      const key = what + ": " + text.slice(0, 80);
      if (!seen.has(key)) { seen.add(key); problems.push(key); }
    }
  }
  return problems;
}
"""


def _seed():
    import importlib

    from django.apps import apps

    from cluster_portal.management.commands.seed_demo import DEMO_MODULES
    from members.demo import seed_accounts

    # A transactional test's flush removed what data migrations made: put it back.
    for migration, function in (
        ("members.migrations.0002_groups", "create_groups"),
        ("members.migrations.0004_counter_and_guild_contacts", "forwards"),
        ("permits.migrations.0002_permit_types", "seed"),
        ("permits.migrations.0005_catalogue_and_deadlines", "seed"),
    ):
        getattr(importlib.import_module(migration), function)(apps, None)
    seed_accounts(stdout=None)
    for module in DEMO_MODULES:  # in seed_demo's order (each may use what the ones before made)
        if hasattr(module, "seed"):
            module.seed(stdout=None)


def _pages(role):
    """(name, path) of every main page the role uses."""
    from events.models import Event
    from members.models import Member
    from permits.models import PermitCase
    from pricing.models import PriceSubmission

    event = Event.objects.order_by("starts_at").first()
    listed = Member.objects.filter(status="active", directory_opt_in=True).order_by("pk").first()
    pages = [
        ("home", reverse("home")),
        ("directory", reverse("members:directory")),
        ("directory-detail", reverse("members:directory_detail", args=[listed.pk])),
        ("events", reverse("events:list")),
        ("event", reverse("events:detail", args=[event.pk])),
        ("bands", reverse("pricing:bands")),
        ("showcase", reverse("showcase:list")),
        ("estate", reverse("estate:home")),
        ("plan", reverse("plan:home")),
        ("indicators", reverse("plan:indicators")),
    ]
    if role == "anonymous":
        return [
            *pages,
            ("login", reverse("login")),
            ("join", reverse("members:join")),
            ("buy", reverse("market:request_new")),
        ]
    pages += [
        ("notifications", reverse("notifications")),
        ("commitments", reverse("events:commitments")),
        ("twofactor", reverse("twofactor:manage")),
        ("password", reverse("password_change")),
    ]
    if role in ("applicant", "member_a", "member_b"):
        pages.append(("dashboard", reverse("members:dashboard")))
    if role in ("member_a", "member_b"):
        from members.models import User

        member = User.objects.get(mobile=DEMO_MOBILES[role]).member_link.member
        pages += [
            ("edit", reverse("members:edit")),
            ("change-request", reverse("members:change_request")),
            ("my-prices", reverse("pricing:my_prices")),
            ("submit-price", reverse("pricing:submit")),
            ("permits", reverse("permits:home")),
            ("qa", reverse("events:qa", args=[event.pk])),
            ("my-products", reverse("showcase:mine")),
            ("programmes", reverse("programmes:list")),
            ("buyer-requests", reverse("market:requests")),
            ("packaging", reverse("packaging:list")),
        ]
        submission = PriceSubmission.objects.filter(member=member).order_by("-created_at").first()
        if submission:
            pages.append(("price-history", reverse("pricing:submission_detail", args=[submission.pk])))
        case = PermitCase.objects.filter(member=member).order_by("pk").first()
        if case:
            pages.append(("permit-case", reverse("permits:detail", args=[case.pk])))
    if role in ("staff", "superuser"):
        case = PermitCase.objects.order_by("pk").first()
        pages += [
            ("permits-dashboard", reverse("permits:dashboard")),
            ("prices-report", reverse("pricing:report")),
            ("event-report", reverse("events:report", args=[event.pk])),
            ("checkin", reverse("events:checkin", args=[event.pk])),
            ("moderate", reverse("events:moderate", args=[event.pk])),
            ("qa-staff", reverse("events:qa", args=[event.pk])),
            ("permit-case-staff", reverse("permits:detail", args=[case.pk])),
            ("programmes-staff", reverse("programmes:list")),
            ("buyer-requests-staff", reverse("market:staff")),
            ("packaging-staff", reverse("packaging:list")),
            ("admin", reverse("admin:index")),
        ]
        from django.test import RequestFactory

        request = RequestFactory().get("/admin/")
        request.user = _user(role)
        for model, model_admin in admin.site._registry.items():
            if not model_admin.has_view_permission(request):
                continue
            opts = model._meta
            pages.append(
                (
                    f"admin-{opts.app_label}-{opts.model_name}",
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
                )
            )
        for model_name in (
            "members.member",
            "pricing.pricesubmission",
            "catalogue.product",
            "permits.permitcase",
            "events.event",
        ):
            app_label, name = model_name.split(".")
            model = next(m for m in admin.site._registry if m._meta.label_lower == model_name)
            obj = model.objects.order_by("pk").first()
            if obj:
                pages.append(
                    (f"admin-{app_label}-{name}-change", reverse(f"admin:{app_label}_{name}_change", args=[obj.pk]))
                )
    if role == "union_head":
        pages += [("review", reverse("pricing:review")), ("prices-report", reverse("pricing:report"))]
    return pages


def _user(role):
    from members.models import Member, User

    if role == "applicant":
        member = Member.objects.filter(status="applied").order_by("pk").first()
        return member.user_links.get().user
    return User.objects.get(mobile=DEMO_MOBILES[role])


def _walk(browser, live_server, role, *, width=360, languages=("fa", "en"), only=None):
    from members.demo import DEMO_PASSWORD

    _seed()
    os.makedirs(WALK, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 740}, base_url=live_server.url)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    if role != "anonymous":
        user = _user(role)
        login(page, user.mobile, DEMO_PASSWORD, otp_device=give_totp_device(user) if role in PRIVILEGED else None)
    problems = {}
    pages = _pages(role)
    if only:
        pages = [entry for entry in pages if entry[0] in only]
    for language in languages:
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        for name, path in pages:
            response = page.goto(path)
            assert response.status == 200, (role, language, path, response.status)
            page.wait_for_load_state("load")
            found = page.evaluate(CHECKS, language == "fa")
            if found:
                problems[f"{language} {path}"] = found
            page.screenshot(path=os.path.join(WALK, f"{width}-{language}-{role}-{name}.png"), full_page=True)
    context.close()
    assert problems == {}, "\n".join(f"{where}: {found}" for where, found in problems.items())
    assert [e for e in errors if "favicon" not in e] == []


@pytest.mark.parametrize("role", ROLES)
def test_walk_every_page_on_a_phone(browser, live_server, role):
    _walk(browser, live_server, role)


def test_walk_main_pages_on_a_desktop(browser, live_server):
    _walk(
        browser,
        live_server,
        "staff",
        width=1280,
        only={"home", "directory", "events", "bands", "permits-dashboard", "prices-report", "event-report", "admin"},
    )
