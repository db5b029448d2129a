"""Every plan URL for every role (tests/test_url_access.py runs these). The plan and the
public indicators are public (the same for every visitor: cacheable); the export is for
estates staff and the union head."""

from tests.access import PUBLIC, STAFF_OR_UNION_HEAD, VISITORS, Rule

URL_ACCESS = {
    "plan:home": Rule(PUBLIC, public_cache=VISITORS),
    "plan:indicators": Rule(PUBLIC, public_cache=VISITORS),
    "plan:export": Rule(STAFF_OR_UNION_HEAD),
}
