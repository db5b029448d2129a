"""Every packaging URL for every role (tests/test_url_access.py runs these). Lines and label
proofs belong to member A (actors.a, with a licence in force); member B gets 404 for them.
The list and an order's page are for active members and estates staff."""

from packaging.tests import factories
from tests.access import ACTIVE_MEMBER, MEMBER_A_OBJECT, STAFF, Rule

MEMBER_OR_STAFF = {**ACTIVE_MEMBER, "staff": 200, "superuser": 200}
MEMBER_A_OR_STAFF = {**MEMBER_A_OBJECT, "staff": 200, "superuser": 200}


def _order_id(actors):
    return {"order_id": factories.order().pk}


def _line(actors):
    order = factories.order()
    return factories.join(order, actors.a, actors.member_a, 100)


def _order_with_line(actors):
    return {"order_id": _line(actors).order_id}


def _proof_id(actors):
    line = _line(actors)
    return {"proof_id": factories.proof(line, actors.member_a).pk}


URL_ACCESS = {
    "packaging:list": Rule(MEMBER_OR_STAFF),
    "packaging:detail": Rule(MEMBER_OR_STAFF, kwargs=_order_id),
    # an empty form comes back with its errors (400) for both members
    "packaging:line": Rule({**ACTIVE_MEMBER, "member_a": 400, "member_b": 400}, kwargs=_order_id, method="post"),
    # member A removes its boxes (302); member B has none: a message, back to the page (302)
    "packaging:line_remove": Rule(
        {**ACTIVE_MEMBER, "member_a": 302, "member_b": 302}, kwargs=_order_with_line, method="post"
    ),
    # member A's line: no file is a form error (400); member B has no line: 404
    "packaging:proof_upload": Rule({**MEMBER_A_OBJECT, "member_a": 400}, kwargs=_order_with_line, method="post"),
    "packaging:summary": Rule(STAFF, kwargs=_order_with_line),
    # a label proof: its member's users and staff; a 404 for anyone else signed in
    "packaging:proof_file": Rule(
        {**MEMBER_A_OR_STAFF, "applicant": 404, "union_head": 404, "panelist": 404}, kwargs=_proof_id
    ),
}
