from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self):
        from members.extensions import register_dashboard_section

        from .dashboard import member_dashboard_section

        register_dashboard_section(
            member_dashboard_section, models=self.get_models(), shared_models=[self.get_model("Event")]
        )

        # Rows that decide who may use the Q&A renew the access epoch of its poll (qa_access).
        from . import qa_access

        qa_access.connect_signals()
