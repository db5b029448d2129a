"""Who may open each pricing URL. What each role then sees is checked elsewhere: individual
prices only for the member itself, the union head and superusers (tests/test_security_prices.py,
pricing/tests/test_admin_prices.py); nothing a member or estates staff read moves with another
member's price (pricing/tests/test_disclosure.py)."""

from tests.access import ACTIVE_MEMBER, MEMBER_A_OBJECT, PUBLIC, STAFF, STAFF_OR_UNION_HEAD, UNION_HEAD, VISITORS, Rule


def _submission_of_a(actors):
    from pricing.tests.factories import make_open_round, make_submission

    return {"pk": make_submission(member=actors.a, price_round=make_open_round()).pk}


def _round(actors):
    from pricing.tests.factories import make_round

    return {"pk": make_round(1405, 1, status="closed").pk}


URL_ACCESS = {
    "pricing:my_prices": Rule(ACTIVE_MEMBER),
    "pricing:submit": Rule(ACTIVE_MEMBER),
    "pricing:submission_detail": Rule(MEMBER_A_OBJECT, kwargs=_submission_of_a),
    "pricing:review": Rule(UNION_HEAD),
    "pricing:report": Rule(STAFF_OR_UNION_HEAD),
    "pricing:round_transition": Rule(
        {**STAFF, "staff": 302, "superuser": 302}, kwargs=_round, method="post", data={"action": "publish"}
    ),
    "pricing:bands": Rule(PUBLIC, public_cache=VISITORS),
}
