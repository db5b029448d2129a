from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The composition: settings, URLs, the home page, role-aware navigation and `seed_demo`.
    It may import every app; no app imports it."""

    name = "cluster_portal"
    label = "portal"
    verbose_name = _("Portal composition")
