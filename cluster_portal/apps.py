from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The composition: settings, URLs, the home page, role-aware navigation and `seed_demo`.
    It may import every app; no app imports it."""

    name = "cluster_portal"
    label = "portal"
    verbose_name = _("Portal composition")

    def ready(self):
        from django.apps import apps

        from core import auth_cache
        from members.extensions import register_table_versions

        from . import navigation
        from .views import HOME_TABLES

        # What the navigation reads first comes with the signed-in user's row.
        auth_cache.register_prefetch(navigation.state_keys)

        # The visitors' home page is cached under these tables' versions.
        register_table_versions(*(apps.get_model(label) for label in HOME_TABLES))
