"""`{% url %}` and `{% translate %}` that remember what they rendered, for every template.

A page renders the same few dozen links and labels on every request, and Django works each of
them out afresh: a `{% url %}` walks the URL resolver (about a tenth of a signed-in page's time),
a `{% translate %}` of a literal looks the message up and localises it again. Both depend only on
what this module puts in their keys, so the result is kept:

- `{% url %}`: by view name, arguments, current application, URL configuration, script prefix
  and language, in one bounded LRU shared by every template (`URL_MEMO_SIZE` entries). Only
  when every argument is a plain `str` (a template's literal too) or `int` (what `reverse`
  turns into text the same way every time); anything else — a model instance, a lazy string —
  is reversed as Django does.
- `{% translate "literal" %}` (no filter, no `as`, no `context`): by language and autoescaping,
  on the node itself (one node per place in a cached template).

Everything else is Django's own code. The memos start afresh when a setting they depend on
changes (the tests' `override_settings`); in production neither the URL configuration nor the
compiled translations change without a restart (with DEBUG on, where the development
server reloads changed translations, `{% translate %}` renders every time).

Both are put in place by the template engine (core/template_backend.py): `url` as a builtin
after Django's own, and `core.templatetags.i18n_memo` as the `i18n` library.
"""

from functools import lru_cache

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.templatetags.i18n import TranslateNode, do_translate
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()

URL_MEMO_SIZE = 4096
_PLAIN = frozenset({str, SafeString, int})  # a literal in a template is a SafeString
_SETTINGS = frozenset(
    {"ROOT_URLCONF", "FORCE_SCRIPT_NAME", "LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"}
)
_generation = [0]  # bumped when a setting above changes: the nodes' memos key on it


@receiver(setting_changed)
def _forget(*, setting, **kwargs):
    if setting in _SETTINGS:
        _reverse.cache_clear()
        _generation[0] += 1


@lru_cache(maxsize=URL_MEMO_SIZE)
def _reverse(view_name, args, kwargs, current_app, urlconf, prefix, language):
    # prefix and language are part of the key only: reverse reads them itself.
    return reverse(view_name, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app)


class MemoURLNode(URLNode):
    def render(self, context):
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple((name, value.resolve(context)) for name, value in self.kwargs.items())
        view_name = self.view_name.resolve(context)
        if (
            type(view_name) not in _PLAIN
            or any(type(a) not in _PLAIN for a in args)
            or any(type(v) not in _PLAIN for _n, v in kwargs)
        ):
            return super().render(context)
        try:  # as Django's URLNode
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = _reverse(
                view_name,
                args,
                kwargs,
                current_app,
                get_urlconf(settings.ROOT_URLCONF),
                get_script_prefix(),
                get_language(),
            )
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """Django's `{% url %}` (same syntax, same output), remembering plain reversals."""
    node = django_url(parser, token)
    return MemoURLNode(node.view_name, node.args, node.kwargs, node.asvar)


class MemoTranslateNode(TranslateNode):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        expression = self.filter_expression
        self.constant = (
            self.asvar is None
            and self.message_context is None
            and not expression.filters
            and getattr(expression.var, "literal", None) is not None
            and getattr(expression.var, "lookups", None) is None
        )
        self.rendered = {}
        self.generation = _generation[0]

    def render(self, context):
        if not self.constant or settings.DEBUG:  # DEBUG: the dev server reloads changed translations
            return super().render(context)
        if self.generation != _generation[0]:
            self.rendered, self.generation = {}, _generation[0]
        key = (get_language(), context.autoescape)
        value = self.rendered.get(key)
        if value is None:
            value = self.rendered[key] = super().render(context)
        return value


def translate(parser, token):
    """Django's `{% translate %}`, a literal's result remembered per language."""
    node = do_translate(parser, token)
    return MemoTranslateNode(node.filter_expression, node.noop, node.asvar, node.message_context)
