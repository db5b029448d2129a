from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self):
        # Rows that decide who may use the Q&A renew the access epoch of its poll (qa_access).
        from . import qa_access

        qa_access.connect_signals()
