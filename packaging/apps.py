from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PackagingConfig(AppConfig):
    name = "packaging"
    verbose_name = _("Joint packaging orders")

    def ready(self):
        from members.extensions import register_dashboard_section, register_member_eraser

        from .anonymise import member_packaging_erase
        from .dashboard import member_dashboard_section

        register_dashboard_section(member_dashboard_section, models=self.get_models())
        register_member_eraser(member_packaging_erase)
