"""Every estate URL for every role (tests/test_url_access.py runs these). The member's own
registration has no id in its URL: nobody can reach another member's."""

from estate.tests import factories
from tests.access import ACTIVE_MEMBER, PUBLIC, VISITORS, Rule


def _registered(actors):
    factories.registration(actors.a)
    return {}


URL_ACCESS = {
    "estate:home": Rule(PUBLIC, public_cache=VISITORS),
    "estate:ranking": Rule(PUBLIC, public_cache=VISITORS),
    "estate:follow": Rule({**ACTIVE_MEMBER, "member_a": 302, "member_b": 302}, method="post", data={"follow": "1"}),
    "estate:interest": Rule(ACTIVE_MEMBER),
    # member A withdraws its registration (302); member B has none: told so, redirected (302)
    "estate:withdraw": Rule({**ACTIVE_MEMBER, "member_a": 302, "member_b": 302}, kwargs=_registered, method="post"),
}
