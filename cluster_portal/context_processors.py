from django.conf import settings
from django.utils.functional import SimpleLazyObject

from . import navigation


def portal(request):
    """What every page's layout needs: the portal's name and the role-aware navigation's flags
    (`nav`, cluster_portal/navigation.py), computed only when a template uses them."""
    return {
        "portal_name": settings.PORTAL_NAME,
        "nav": SimpleLazyObject(lambda: navigation.nav_state(request)) if hasattr(request, "user") else {},
    }
