from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShowcaseConfig(AppConfig):
    name = "showcase"
    verbose_name = _("Showcase")

    def ready(self):
        from members.extensions import register_dashboard_section, register_member_eraser, register_table_versions

        from .dashboard import member_dashboard_section
        from .services import member_showcase_erase

        register_dashboard_section(member_dashboard_section, models=self.get_models())
        register_member_eraser(member_showcase_erase)
        # The verification page's cached verdicts (showcase.verify_cache): a row saved or deleted
        # (an admin delete too, and its cascade) renews them.
        register_table_versions(*(self.get_model(name) for name in ("BoxCode", "Listing", "Storefront")))
