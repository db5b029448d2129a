"""Every market URL for every role (tests/test_url_access.py runs these). Requests are matched
to member A (who lists the product with a valid licence); member B was not matched: 404. The
buyer's private page answers whoever holds the link except users acting for a member (404)."""

from market.tests import factories
from tests.access import ACTIVE_MEMBER, MEMBER_A_OBJECT, PUBLIC, STAFF, Rule

POST_MEMBER_A_OBJECT = {**MEMBER_A_OBJECT, "member_a": 302}
# A member's user never opens a buyer's private page (the applicant is a member too).
BUYER_LINK = {**PUBLIC, "applicant": 404, "member_a": 404, "member_b": 404}


def _approved(actors):
    factories.matching_member(actors.a, actors.member_a)
    return factories.approved_request(actors.staff)


def _request_id(actors):
    return {"pk": _approved(actors)[0].pk}


def _token(actors):
    return {"token": _approved(actors)[1]}


def _accept(actors):
    req, token = _approved(actors)
    offer = factories.offer(req, actors.a, actors.member_a)
    return {"token": token, "offer_id": offer.pk}


URL_ACCESS = {
    "market:request_new": Rule(PUBLIC),
    # nothing typed yet: back to the form
    "market:request_verify": Rule(dict.fromkeys(PUBLIC, 302)),
    "market:buyer": Rule(BUYER_LINK, kwargs=_token),
    # the first role to post accepts the offer; the others are told it can no longer be (302)
    "market:buyer_accept": Rule(
        {**BUYER_LINK, "anonymous": 302, "staff": 302, "union_head": 302, "panelist": 302, "superuser": 302},
        kwargs=_accept,
        method="post",
    ),
    "market:requests": Rule(ACTIVE_MEMBER),
    "market:request_detail": Rule(MEMBER_A_OBJECT, kwargs=_request_id),
    # no offer yet: member A is sent back with a message (302); member B may not touch it (404)
    "market:offer_withdraw": Rule(POST_MEMBER_A_OBJECT, kwargs=_request_id, method="post"),
    "market:staff": Rule(STAFF),
    "market:staff_export": Rule(STAFF),
}
