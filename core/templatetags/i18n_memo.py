"""The `i18n` library every `{% load i18n %}` loads (settings: TEMPLATES' "libraries"):
Django's own tags and filters, with `translate`/`trans` remembering a literal's result per
language (core.templatetags.memo)."""

from django import template
from django.templatetags import i18n

from .memo import translate

register = template.Library()
register.tags.update(i18n.register.tags)
register.filters.update(i18n.register.filters)
register.tag("translate", translate)
register.tag("trans", translate)
