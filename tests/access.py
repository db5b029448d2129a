"""The vocabulary of the URL access matrix. Each app lists its URL names in
`<app>/tests/url_access.py` as `URL_ACCESS = {"app:name": Rule(...)}`; tests/test_url_access.py
walks every URL pattern and fails when one has no rule."""

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = ("anonymous", "applicant", "member_a", "member_b", "staff", "union_head", "panelist", "superuser")
LOGIN = "login"  # a redirect to the login page

# Common expectation sets (GET).
PUBLIC = dict.fromkeys(ROLES, 200)
SIGNED_IN = {**dict.fromkeys(ROLES, 200), "anonymous": LOGIN}
ACTIVE_MEMBER = {
    "anonymous": LOGIN,
    "applicant": 403,
    "member_a": 200,
    "member_b": 200,
    "staff": 403,
    "union_head": 403,
    "panelist": 403,
    "superuser": 403,
}
MEMBER_A_OBJECT = {**ACTIVE_MEMBER, "member_b": 404}  # an object of member A's
STAFF = {
    "anonymous": LOGIN,
    "applicant": 403,
    "member_a": 403,
    "member_b": 403,
    "staff": 200,
    "union_head": 403,
    "panelist": 403,
    "superuser": 200,
}
UNION_HEAD = {**STAFF, "staff": 403, "union_head": 200}
STAFF_OR_UNION_HEAD = {**STAFF, "union_head": 200}


VISITORS, EVERYONE = "visitors", "everyone"  # Rule.public_cache


@dataclass
class Rule:
    """expect: role → status code (or LOGIN) for `method`.
    kwargs: builds the URL's keyword arguments from the actors (objects of member A's).
    public_cache: VISITORS — what a visitor (not signed in) gets is the same for every visitor
    and may be kept by caches; EVERYONE — the same for every role too (a listed logo). Otherwise
    a visitor's 200 is `Cache-Control: private, no-store`, and every answer to a signed-in role
    and to a POST is `private, no-store` whatever the rule."""

    expect: dict
    kwargs: Callable | None = None
    method: str = "get"
    data: dict = field(default_factory=dict)
    query: str = ""
    public_cache: str = ""  # VISITORS or EVERYONE
