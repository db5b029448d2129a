"""Every permits URL for every role (tests/test_url_access.py runs these). Objects belong to
member A (actors.a); member B gets 404 for them. Estates staff see every case and document."""

from permits.tests import factories
from tests.access import ACTIVE_MEMBER, MEMBER_A_OBJECT, PUBLIC, STAFF, Rule

MEMBER_A_OR_STAFF = {**MEMBER_A_OBJECT, "staff": 200, "superuser": 200}
POST_ACTIVE_MEMBER = {**ACTIVE_MEMBER, "member_a": 400, "member_b": 400}  # empty form: errors shown
POST_MEMBER_A_OBJECT = {**MEMBER_A_OBJECT, "member_a": 400}
POST_MEMBER_A_OR_STAFF = {**MEMBER_A_OR_STAFF, "member_a": 400, "staff": 400, "superuser": 400}


def _case(actors):
    return factories.submitted_case(actors.a, actors.member_a, "business_licence")


def _case_id(actors):
    return {"case_id": _case(actors).pk}


def _document_id(actors):
    from core.uploads import clean_document
    from permits import services

    case = _case(actors)
    document = services.case_document_add(
        case=case, actor=actors.member_a, clean=clean_document(factories.pdf_upload()), title="پروانه"
    )
    return {"document_id": document.pk}


def _tick(actors):
    case = _case(actors)
    return {"case_id": case.pk, "item_id": case.permit_type.checklist_items.first().pk}


def _code(actors):
    return {"code": factories.permit(actors.a, "business_licence").public_code}


def _worker(actors):
    return {"worker_id": factories.worker(actors.a).pk}


URL_ACCESS = {
    "permits:home": Rule(ACTIVE_MEMBER),
    "permits:dashboard": Rule(STAFF),
    "permits:dashboard_list": Rule(STAFF, kwargs=lambda actors: {"kind": "overdue"}),
    "permits:case_open": Rule(POST_ACTIVE_MEMBER, method="post"),
    "permits:worker_add": Rule(POST_ACTIVE_MEMBER, method="post"),
    # member A's worker leaves (302); member B may not touch it (404)
    "permits:worker_leave": Rule({**MEMBER_A_OBJECT, "member_a": 302}, kwargs=_worker, method="post"),
    "permits:detail": Rule(MEMBER_A_OR_STAFF, kwargs=_case_id),
    "permits:case_advance": Rule(POST_MEMBER_A_OR_STAFF, kwargs=_case_id, method="post"),
    # no reason: the form comes back with its errors (400)
    "permits:case_back": Rule(POST_MEMBER_A_OR_STAFF, kwargs=_case_id, method="post"),
    "permits:case_issue": Rule(POST_MEMBER_A_OR_STAFF, kwargs=_case_id, method="post"),
    "permits:checklist_tick": Rule(
        {**MEMBER_A_OR_STAFF, "member_a": 302, "staff": 302, "superuser": 302}, kwargs=_tick, method="post"
    ),
    "permits:document_upload": Rule(POST_MEMBER_A_OR_STAFF, kwargs=_case_id, method="post"),
    # documents: a 404 for everyone else signed in; anonymous visitors go to the login page
    "permits:document": Rule(
        {**MEMBER_A_OR_STAFF, "applicant": 404, "union_head": 404, "panelist": 404},
        kwargs=_document_id,
    ),
    # the first allowed role removes it; later ones find nothing (404)
    "permits:document_delete": Rule(
        {**MEMBER_A_OR_STAFF, "member_a": 302, "staff": 404, "superuser": 404}, kwargs=_document_id, method="post"
    ),
    # The public verification page: never kept anywhere (it can turn red at any moment);
    # visitors are rate-limited per address instead.
    "permits:verify": Rule(PUBLIC, kwargs=_code),
}
