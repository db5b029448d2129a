from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PricingConfig(AppConfig):
    name = "pricing"
    verbose_name = _("Unit prices")

    def ready(self):
        from members.extensions import register_dashboard_section

        from .dashboard import member_dashboard_section

        register_dashboard_section(
            member_dashboard_section, models=self.get_models(), shared_models=[self.get_model("PriceRound")]
        )
