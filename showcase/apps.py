from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShowcaseConfig(AppConfig):
    name = "showcase"
    verbose_name = _("Showcase")

    def ready(self):
        from members.extensions import register_dashboard_section, register_member_eraser

        from .dashboard import member_dashboard_section
        from .services import member_showcase_erase

        register_dashboard_section(member_dashboard_section, models=self.get_models())
        register_member_eraser(member_showcase_erase)
