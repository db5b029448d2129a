"""Page weight: the home page's first visit (empty cache, a phone) transfers at most 200 KB
compressed. The test server does not compress, so each fetched resource is counted at its gzip
size (what whitenoise serves from the files collectstatic precompresses; the woff2 font and
images are already compressed and count as they are)."""

import gzip

import pytest

from tests.browser import browser, page, screenshot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUDGET = 200 * 1024


def _first_visit(page, path):
    fetched = []
    page.on("requestfinished", lambda request: fetched.append(request))
    page.goto(path)
    page.wait_for_load_state("networkidle")
    sizes = {}
    for request in fetched:
        response = request.response()
        body = response.body() if response and response.status == 200 else b""
        sizes[request.url] = len(gzip.compress(body, 9))
    return sizes


@pytest.mark.parametrize("language", ["fa", "en"])
def test_home_first_visit_is_within_200_kb_compressed(page, live_server, language):
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    sizes = _first_visit(page, "/")
    total = sum(sizes.values())
    listing = "\n".join(f"{size / 1024:7.1f} KB  {url}" for url, size in sorted(sizes.items(), key=lambda x: -x[1]))
    assert total <= BUDGET, f"{total / 1024:.1f} KB > 200 KB:\n{listing}"
    print(f"home ({language}) first visit: {total / 1024:.1f} KB compressed\n{listing}")
    urls = list(sizes)
    assert not any("chartjs" in url for url in urls)  # Chart.js only on pages with charts
    fonts = [url for url in urls if "/vazirmatn/" in url and not url.endswith(".css")]
    assert all(url.endswith(".woff2") for url in fonts) and len(fonts) <= 1
    assert page.console_errors == []
    screenshot(page, f"ops-home-first-visit-{language}")
