from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketConfig(AppConfig):
    name = "market"
    verbose_name = _("Buyer requests")

    def ready(self):
        from members.extensions import register_dashboard_section, register_member_eraser

        from .anonymise import member_market_erase
        from .dashboard import member_dashboard_section

        register_dashboard_section(member_dashboard_section, models=self.get_models())
        register_member_eraser(member_market_erase)
