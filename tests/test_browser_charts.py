"""Charts and accessibility in the browser, over the demo data, on a 360 px phone in Persian
and English:
- every chart of the pages with charts is drawn (its canvas is not blank), with screenshots in
  test-artifacts/charts/;
- axe-core (static/vendor/axe/axe.min.js, copied from npm by scripts/copy_assets.sh) finds no
  serious or critical violation on the main pages."""

import os

import pytest
from django.urls import reverse

from conftest import give_totp_device
from tests.browser import ARTIFACTS, browser, login  # noqa: F401 (fixtures)
from tests.test_browser_walk import PRIVILEGED, _seed, _user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AXE = os.path.join(ROOT, "static", "vendor", "axe", "axe.min.js")
CHARTS = os.path.join(ARTIFACTS, "charts")

# A canvas is drawn when some of its pixels are not transparent.
DRAWN = """
(canvas) => {
  const ctx = canvas.getContext("2d");
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
  return {painted: painted, width: canvas.width, height: canvas.height, chart: !!canvas.chart};
}
"""

AXE_RUN = """
async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | "));
}
"""


def _context(browser, live_server, role, *, bypass_csp=False):  # noqa: F811
    # axe is injected as an inline script, which the portal's CSP refuses: only its test
    # context bypasses the CSP (the charts' test keeps it, proving they need no inline script).
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, base_url=live_server.url, bypass_csp=bypass_csp
    )
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    if role != "anonymous":
        from members.demo import DEMO_PASSWORD

        user = _user(role)
        login(page, user.mobile, DEMO_PASSWORD, otp_device=give_totp_device(user) if role in PRIVILEGED else None)
    return context, page


def _published_round_id():
    from pricing.models import PriceRound

    return PriceRound.objects.filter(status=PriceRound.Status.PUBLISHED).order_by("-year", "-month").first().pk


def _event_id():
    from events.models import Event

    return Event.objects.order_by("starts_at").first().pk


def test_every_chart_is_drawn_on_a_phone_in_persian_and_english(browser, live_server):  # noqa: F811
    _seed()
    os.makedirs(CHARTS, exist_ok=True)
    event = _event_id()
    pages = {
        "anonymous": [("bands", reverse("pricing:bands"), 2)],
        "member_a": [("my-prices", reverse("pricing:my_prices"), None)],
        "staff": [
            ("report", reverse("pricing:report") + f"?round={_published_round_id()}", 2),
            ("permits-dashboard", reverse("permits:dashboard"), 2),
            ("event-report", reverse("events:report", args=[event]), 1),
        ],
        "union_head": [("report-union-head", reverse("pricing:report"), 2)],
    }
    problems = []
    for role, entries in pages.items():
        context, page = _context(browser, live_server, role)
        for language in ("fa", "en"):
            context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
            for name, path, expected in entries:
                assert page.goto(path).status == 200, path
                page.wait_for_function(
                    "[...document.querySelectorAll('canvas[data-chart]')].every((c) => c.chart)", timeout=10_000
                )
                canvases = page.locator("canvas[data-chart]")
                count = canvases.count()
                if expected is not None and count != expected:
                    problems.append(f"{language} {path}: {count} charts, expected {expected}")
                if count == 0:
                    problems.append(f"{language} {path}: no chart")
                for index in range(count):
                    canvas = canvases.nth(index)
                    drawn = canvas.evaluate(DRAWN)
                    if not drawn["chart"] or drawn["painted"] < 500:
                        problems.append(f"{language} {path}: chart {index} blank {drawn}")
                    label = canvas.get_attribute("aria-label")
                    if canvas.get_attribute("role") != "img" or not label:
                        problems.append(f"{language} {path}: chart {index} without role/label")
                    caption = canvas.locator("xpath=ancestor::figure/figcaption").text_content()
                    if not caption.strip():
                        problems.append(f"{language} {path}: chart {index} without caption")
                # a chooser (one product at a time) redraws the chart with the chosen lines
                choosers = page.locator(".chart-group select")
                for index in range(choosers.count()):
                    chooser = choosers.nth(index)
                    if chooser.locator("option").count() < 2:
                        continue
                    chooser.select_option(index=1)
                    canvas = chooser.locator("xpath=ancestor::figure//canvas")
                    visible = canvas.evaluate("(c) => c.chart.data.datasets.map((d, i) => c.chart.isDatasetVisible(i))")
                    if visible.count(True) == 0 or visible[0]:
                        problems.append(f"{language} {path}: chooser {index} shows {visible}")
                    if canvas.evaluate(DRAWN)["painted"] < 500:
                        problems.append(f"{language} {path}: chooser {index} left the chart blank")
                    chooser.select_option(index=0)
                if page.evaluate("document.documentElement.scrollWidth") > 360:
                    problems.append(f"{language} {path}: wider than the phone")
                page.screenshot(path=os.path.join(CHARTS, f"360-{language}-{name}.png"), full_page=True)
                first = page.locator("figure.chart-figure").first
                if first.count():
                    first.screenshot(path=os.path.join(CHARTS, f"360-{language}-{name}-chart.png"))
        errors = [e for e in page.console_errors if "favicon" not in e]
        if errors:
            problems.append(f"{role}: console errors {errors}")
        context.close()
    assert problems == []


def test_no_serious_or_critical_accessibility_violation_on_the_main_pages(browser, live_server):  # noqa: F811
    assert os.path.exists(AXE), "run scripts/copy_assets.sh (make assets): static/vendor/axe/axe.min.js"
    _seed()
    event = _event_id()
    pages = {
        "anonymous": [
            reverse("home"),
            reverse("members:directory"),
            reverse("login"),
            reverse("events:list"),
            reverse("showcase:list"),
            reverse("pricing:bands"),
        ],
        "member_a": [
            reverse("members:dashboard"),
            reverse("pricing:my_prices"),
            reverse("permits:home"),
            reverse("events:qa", args=[event]),
        ],
        "staff": [
            reverse("permits:dashboard"),
            reverse("pricing:report") + f"?round={_published_round_id()}",
            reverse("events:report", args=[event]),
        ],
        "union_head": [reverse("pricing:report")],
    }
    violations = {}
    for role, paths in pages.items():
        context, page = _context(browser, live_server, role, bypass_csp=True)
        for language in ("fa", "en"):
            context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
            for path in paths:
                assert page.goto(path).status == 200, path
                page.wait_for_load_state("load")
                page.add_script_tag(path=AXE)
                found = page.evaluate(AXE_RUN)
                if found:
                    violations[f"{language} {role} {path}"] = found
        context.close()
    assert violations == {}, "\n".join(f"{where}: {found}" for where, found in violations.items())
