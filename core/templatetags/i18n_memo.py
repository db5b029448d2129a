"""The `i18n` library every `{% load i18n %}` loads (the template engine,
core/template_backend.py, maps the name to it):
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
