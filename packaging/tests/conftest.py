import pytest


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Application documents go to a temporary private folder."""
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
    """Transactional (browser) tests flush what data migrations made: groups, permit types."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group

    from members.roles import ALL_GROUPS

    for name in ALL_GROUPS:
        Group.objects.get_or_create(name=name)
    importlib.import_module("permits.migrations.0002_permit_types").seed(apps, None)
