"""Every showcase URL for every role (tests/test_url_access.py runs these). Objects belong to
member A (actors.a); member B gets 404 for them. Public pages answer everybody."""

from showcase.tests import factories
from tests.access import ACTIVE_MEMBER, EVERYONE, MEMBER_A_OBJECT, PUBLIC, VISITORS, Rule

POST_MEMBER_A_OBJECT = {**MEMBER_A_OBJECT, "member_a": 302}


def _listing(actors, **kwargs):
    return factories.listing(actors.a, actors.member_a, **kwargs)


def _listing_id(actors):
    return {"pk": _listing(actors).pk}


def _photo(actors):
    listing = _listing(actors, photos=2)
    return {"pk": listing.pk, "photo_id": listing.photos.order_by("sort_order").last().pk}


def _public_photo(actors):
    listing = _listing(actors, photos=1)
    return {"pk": listing.photos.get().pk, "variant": "thumb"}


def _batch(actors):
    return {"batch_id": factories.batch(_listing(actors), actors.member_a).pk}


def _code_id(actors):
    return {"code_id": factories.batch(_listing(actors), actors.member_a).codes.first().pk}


def _code(actors):
    return {"code": factories.batch(_listing(actors), actors.member_a).codes.first().code}


URL_ACCESS = {
    "showcase:list": Rule(PUBLIC, public_cache=VISITORS),
    "showcase:detail": Rule(PUBLIC, kwargs=_listing_id, public_cache=VISITORS),
    # an empty message: the form comes back with its errors (200), nothing is sent
    "showcase:contact": Rule(PUBLIC, kwargs=_listing_id, method="post"),
    "showcase:photo": Rule(PUBLIC, kwargs=_public_photo, public_cache=EVERYONE),  # a public listing's photo
    "showcase:mine": Rule(ACTIVE_MEMBER),
    "showcase:listing_create": Rule(ACTIVE_MEMBER),
    "showcase:listing_edit": Rule(MEMBER_A_OBJECT, kwargs=_listing_id),
    # no file: member A is sent back with a message (302); member B may not touch it (404)
    "showcase:photos_add": Rule(POST_MEMBER_A_OBJECT, kwargs=_listing_id, method="post"),
    "showcase:photo_delete": Rule(POST_MEMBER_A_OBJECT, kwargs=_photo, method="post"),
    "showcase:photo_move": Rule(POST_MEMBER_A_OBJECT, kwargs=_photo, method="post", data={"direction": "up"}),
    "showcase:labels": Rule(MEMBER_A_OBJECT, kwargs=_listing_id),
    "showcase:batch_detail": Rule(MEMBER_A_OBJECT, kwargs=_batch),
    "showcase:batch_print": Rule(MEMBER_A_OBJECT, kwargs=_batch),
    "showcase:batch_revoke": Rule(POST_MEMBER_A_OBJECT, kwargs=_batch, method="post"),
    "showcase:code_revoke": Rule(POST_MEMBER_A_OBJECT, kwargs=_code_id, method="post"),
    # A scan: never kept anywhere (the state can turn red at any moment; each scan is counted).
    "verify": Rule(PUBLIC, kwargs=_code),
}
