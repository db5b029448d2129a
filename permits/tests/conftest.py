import pytest


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Documents go to a temporary private folder (never the real one, never MEDIA_ROOT)."""
    location = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location), "base_url": None},
        },
    }
    return location


@pytest.fixture
def seed_data(django_db_setup, django_db_blocker, transactional_db):
    """Transactional tests flush the tables, and with them what data migrations made (the
    role groups, the permit types): put them back first. Request it before `actors`."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group

    from members.roles import ALL_GROUPS

    for name in ALL_GROUPS:
        Group.objects.get_or_create(name=name)
    importlib.import_module("permits.migrations.0002_permit_types").seed(apps, None)
    importlib.import_module("permits.migrations.0005_catalogue_and_deadlines").seed(apps, None)
