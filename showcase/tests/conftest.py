import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded photos go to a temporary folder, never into the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    return tmp_path / "media"


@pytest.fixture
def seed_data(django_db_setup, django_db_blocker, transactional_db):
    """Transactional tests flush what data migrations made (role groups, permit types, the
    catalogue): put it back first. Request it before `actors`."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group

    from catalogue.models import Product
    from members.roles import ALL_GROUPS

    for name in ALL_GROUPS:
        Group.objects.get_or_create(name=name)
    importlib.import_module("permits.migrations.0002_permit_types").seed(apps, None)
    for slug, name_fa, name_en, order in [
        ("baklava", "باقلوا", "Baklava", 10),
        ("rice-cookies", "نان برنجی", "Rice cookies", 20),
    ]:
        Product.objects.get_or_create(slug=slug, defaults={"name_fa": name_fa, "name_en": name_en, "sort_order": order})


@pytest.fixture
def boxed(actors):
    """A listing of member A, a licence covering its product (30 days left) and one box code."""
    from showcase.tests import factories

    listing = factories.listing(actors.a, actors.member_a)
    licence = factories.licence(actors.a, [listing.product], number="FDO-1404-5521", expiry_in=30)
    code = factories.batch(listing, actors.member_a).codes.order_by("id").first()
    return listing, licence, code
