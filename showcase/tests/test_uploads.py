"""The hostile-upload corpus (tests/upload_corpus.py) through the showcase's photo fields:
each is refused with a translated message, nothing is stored."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from showcase.models import Listing, ListingPhoto
from showcase.tests import factories
from showcase.tests.test_member_pages import _form
from tests.upload_corpus import IMAGE_ATTACKS

pytestmark = pytest.mark.django_db
NEUTRALISED = {"polyglot_jpeg_html"}  # Pillow reads the JPEG part; the re-encoding drops the rest
PERSIAN = re.compile(r"[\u0600-\u06FF]")


def _files(root: Path):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize("attack", IMAGE_ATTACKS, ids=lambda a: a.name)
def test_new_listing_photos(attack, actors, client_as, _media_in_tmp):
    response = client_as("member_a").post(reverse("showcase:listing_create"), {**_form(), "photos": [attack.upload()]})
    if attack.name in NEUTRALISED:
        assert response.status_code == 302
        photo = ListingPhoto.objects.get()
        assert b"<script" not in Path(photo.image.path).read_bytes()
        return
    assert response.status_code == 400
    errors = response.context["form"].errors["photos"]
    assert len(errors) == 1 and PERSIAN.search(errors[0]) and errors[0].startswith(f"{attack.filename}: ")
    assert Listing.objects.count() == 0
    assert _files(_media_in_tmp) == []


@pytest.mark.parametrize("attack", IMAGE_ATTACKS, ids=lambda a: a.name)
def test_added_photos(attack, actors, client_as, _media_in_tmp):
    listing = factories.listing(actors.a, actors.member_a)
    response = client_as("member_a").post(
        reverse("showcase:photos_add", args=[listing.pk]), {"photos": [attack.upload()]}, follow=True
    )
    assert response.status_code == 200
    if attack.name in NEUTRALISED:
        assert listing.photos.count() == 1
        return
    assert listing.photos.count() == 0
    assert _files(_media_in_tmp) == []
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
