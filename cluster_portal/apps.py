from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClusterPortalConfig(AppConfig):
    name = "cluster_portal"
    verbose_name = _("Portal")

    def ready(self):
        from . import admin_display, admin_jalali, vendor_i18n

        admin_jalali.install()
        admin_display.install()
        vendor_i18n.install()
