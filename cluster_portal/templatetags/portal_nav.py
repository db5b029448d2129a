from django import template

from .. import navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def navigation_menu(context):
    """The layout's navigation (cluster_portal/navigation.py): the cached menu for the user's
    roles and language with this page's own values, the CSRF token being the one this render
    uses (a page cached for many visitors renders it with a placeholder). Rendered in full, as
    an include would, without a request, the navigation's flags or a CSRF token."""
    request, state, token = context.get("request"), context.get("nav"), context.get("csrf_token")
    if request is None or not hasattr(request, "user") or state is None or not token or token == "NOTPROVIDED":
        return navigation.render_uncached(request, state, csrf_token=token)
    return navigation.nav_html(request, state, csrf_token=str(token))
