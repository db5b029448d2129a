"""Every programmes URL for every role (tests/test_url_access.py runs these). Applications and
documents belong to member A (actors.a); member B gets 404 for them; estates staff see all."""

from programmes.tests import factories
from tests.access import ACTIVE_MEMBER, MEMBER_A_OBJECT, PUBLIC, STAFF, VISITORS, Rule

MEMBER_OR_STAFF = {**ACTIVE_MEMBER, "staff": 200, "superuser": 200}
MEMBER_A_OR_STAFF = {**MEMBER_A_OBJECT, "staff": 200, "superuser": 200}


def _call(actors):
    return factories.call(documents=())


def _call_id(actors):
    return {"call_id": _call(actors).pk}


def _application(actors):
    call = factories.call()
    return factories.apply(call, actors.a, actors.member_a)


def _application_id(actors):
    return {"application_id": _application(actors).pk}


def _document_id(actors):
    return {"document_id": _application(actors).documents.get().pk}


URL_ACCESS = {
    "programmes:list": Rule(MEMBER_OR_STAFF),
    "programmes:mine": Rule(ACTIVE_MEMBER),
    "programmes:results": Rule(PUBLIC, public_cache=VISITORS),
    "programmes:detail": Rule(MEMBER_OR_STAFF, kwargs=_call_id),
    # a call without documents or rules: member A applies (302), member B too (302)
    "programmes:apply": Rule({**ACTIVE_MEMBER, "member_a": 302, "member_b": 302}, kwargs=_call_id, method="post"),
    "programmes:review": Rule(STAFF, kwargs=_call_id),
    "programmes:promote": Rule({**STAFF, "staff": 302, "superuser": 302}, kwargs=_call_id, method="post"),
    "programmes:application": Rule(MEMBER_A_OR_STAFF, kwargs=_application_id),
    # member A withdraws it (302); member B may not touch it (404)
    "programmes:withdraw": Rule({**MEMBER_A_OBJECT, "member_a": 302}, kwargs=_application_id, method="post"),
    # an empty score sheet is valid (nothing scored): 302; an empty decision is a form error: 400
    "programmes:score": Rule({**STAFF, "staff": 302, "superuser": 302}, kwargs=_application_id, method="post"),
    "programmes:decide": Rule({**STAFF, "staff": 400, "superuser": 400}, kwargs=_application_id, method="post"),
    # documents: a 404 for everyone else signed in; anonymous visitors go to the login page
    "programmes:document": Rule(
        {**MEMBER_A_OR_STAFF, "applicant": 404, "union_head": 404, "panelist": 404}, kwargs=_document_id
    ),
}
