from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EstateConfig(AppConfig):
    name = "estate"
    verbose_name = _("Sweets estate")

    def ready(self):
        from members.extensions import register_dashboard_section, register_member_eraser

        from .anonymise import member_estate_erase
        from .dashboard import member_dashboard_section

        register_dashboard_section(member_dashboard_section, models=self.get_models())
        register_member_eraser(member_estate_erase)
