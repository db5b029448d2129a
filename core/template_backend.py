"""The template engine: Django's, with `{% load i18n %}` loading
`core.templatetags.i18n_memo` (Django's i18n library with `translate`/`trans` remembering a
literal's result per language, core/templatetags/memo.py) and `{% url %}` remembering plain
reversals (the `core.templatetags.memo` builtin, after Django's own).

Django's check templates.W003 reports a library name given to two modules; this engine's own
swap of `i18n` is left out of it, so the check still speaks for every other name."""

from django.template.backends.django import DjangoTemplates

I18N = "core.templatetags.i18n_memo"


class PortalTemplates(DjangoTemplates):
    def __init__(self, params):
        params = {**params, "OPTIONS": {**params.get("OPTIONS", {})}}
        params["OPTIONS"]["builtins"] = [*params["OPTIONS"].get("builtins", []), "core.templatetags.memo"]
        super().__init__(params)

    def get_templatetag_libraries(self, custom_libraries):
        return {**super().get_templatetag_libraries(custom_libraries), "i18n": I18N}

    def check(self, **kwargs):
        own = f"'i18n' is used for multiple template tag modules: '{I18N}', 'django.templatetags.i18n'"
        return [error for error in super().check(**kwargs) if not (error.id == "templates.W003" and error.msg == own)]
