from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from core import auth_cache

        from . import dashboard_cache, roles
        from .twofactor import policy

        dashboard_cache.connect_signals()
        # A cached dashboard's first read comes with the user's row (one round trip less a hit).
        auth_cache.register_prefetch(dashboard_cache.head_keys)
        roles.connect_signals()
        user_logged_in.connect(policy.on_user_logged_in, dispatch_uid="twofactor_remember_requirement")
