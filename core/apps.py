from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The platform layer: what every app shares (Persian text, Jalali, money, forms, uploads,
    audit, notifications, exports, middleware). It imports no domain app.

    Its label stays `cluster_portal`: the notification and audit tables, their migrations and the
    admin URLs were created under that label before the platform had a package of its own."""

    name = "core"
    label = "cluster_portal"
    verbose_name = _("Portal")

    def ready(self):
        from . import admin_display, admin_jalali, auth_cache, vendor_i18n

        auth_cache.connect_signals()
        admin_jalali.install()
        admin_display.install()
        vendor_i18n.install()
