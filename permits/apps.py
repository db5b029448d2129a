from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    name = "permits"
    verbose_name = _("Health permits")

    def ready(self):
        from members.extensions import register_dashboard_section, register_member_eraser, register_table_versions

        from .anonymise import member_permits_erase
        from .dashboard import member_dashboard_section
        from .selectors import STAFF_DASHBOARD_MODELS

        register_dashboard_section(
            member_dashboard_section, models=self.get_models(), shared_models=[self.get_model("PermitType")]
        )
        # The staff's permit dashboard is cached under these tables' versions (selectors).
        register_table_versions(*(self.get_model(name) for name in STAFF_DASHBOARD_MODELS))
        register_member_eraser(member_permits_erase)
        # The dashboard's stored figures are renewed after writes to the same tables (summary).
        from .summary import connect_signals

        connect_signals()
