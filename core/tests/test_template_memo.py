"""core/templatetags/memo.py: `{% url %}` and `{% translate %}` render what Django's own tags
render, and remember only what cannot change between requests."""

import pytest
from django.template import Context, Engine, engines
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import translation

from core.templatetags import memo


def render(source, **context):
    return engines["django"].from_string(source).render(context)


def django_engine():
    """An engine with Django's own tags (no memo builtins or library)."""
    return Engine(builtins=["core.templatetags.persian"], libraries={"i18n": "django.templatetags.i18n"})


def django_render(source, **context):
    """The same template under Django's own tags."""
    return django_engine().from_string(source).render(Context(context))


def test_the_projects_engine_uses_the_memo_tags():
    template = engines["django"].from_string("{% load i18n %}{% url 'healthz' %}{% translate 'Members' %}")
    kinds = {type(node).__name__ for node in template.template.nodelist}
    assert {"MemoURLNode", "MemoTranslateNode"} <= kinds


@pytest.mark.parametrize(
    "source",
    [
        "{% url 'members:directory' %}",
        "{% url 'events:qa_fragment' 7 %}",
        "{% url 'events:qa_fragment' event_id=7 %}",
        "{% url 'members:directory' as link %}[{{ link }}]",
        "{% url 'no-such-view' as link %}[{{ link }}]",
        "{% load i18n %}{% translate 'Members' %}|{% trans 'Members' noop %}|{% translate 'Members'|upper %}",
        "{% load i18n %}{% translate 'Members' as label %}[{{ label }}]|{% translate 'May' context 'month name' %}",
        "{% load i18n %}{% translate 'Tom & Jerry' %}{% autoescape off %}{% translate 'Tom & Jerry' %}{% endautoescape %}",
    ],
)
@pytest.mark.parametrize("language", ["fa", "en"])
def test_output_is_djangos(source, language):
    template = engines["django"].from_string(source)  # one template: the second render is remembered
    with translation.override(language):
        first, again = template.render({}), template.render({})
        assert first == again == django_render(source)


@pytest.mark.parametrize("language", ["fa", "en"])
def test_a_literal_is_translated_per_language(language):
    template = engines["django"].from_string("{% load i18n %}{% translate 'Members' %}")
    with translation.override("fa"):
        persian = template.render({})
    with translation.override("en"):
        english = template.render({})
    with translation.override(language):
        assert template.render({}) == (persian if language == "fa" else english)
    assert persian != english


def test_a_variable_is_translated_each_time():
    template = engines["django"].from_string("{% load i18n %}{% translate label %}")
    with translation.override("en"):
        assert template.render({"label": "one"}) == "one"
        assert template.render({"label": "two"}) == "two"


def test_plain_arguments_give_each_their_own_address():
    template = engines["django"].from_string("{% url 'events:qa_fragment' pk %}")
    assert template.render({"pk": 1}) == reverse("events:qa_fragment", args=[1])
    assert template.render({"pk": 2}) == reverse("events:qa_fragment", args=[2])
    assert template.render({"pk": "3"}) == reverse("events:qa_fragment", args=["3"])


class Numbered:
    """Not a plain str or int: its text may change (a model instance's, a lazy string's)."""

    def __init__(self, text):
        self.text = text

    def __str__(self):
        return self.text


def test_any_other_argument_is_reversed_as_django_does():
    thing = Numbered("5")
    template = engines["django"].from_string("{% url 'events:qa_fragment' thing %}")
    memo._reverse.cache_clear()
    assert template.render({"thing": thing}) == reverse("events:qa_fragment", args=[5])
    thing.text = "6"
    assert template.render({"thing": thing}) == reverse("events:qa_fragment", args=[6])
    assert memo._reverse.cache_info().currsize == 0


def test_an_unknown_view_still_fails():
    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-view' %}")


def test_the_script_prefix_is_part_of_the_key():
    template = engines["django"].from_string("{% url 'members:directory' %}")
    plain = template.render({})
    set_script_prefix("/portal/")
    try:
        assert template.render({}) == "/portal" + plain
    finally:
        set_script_prefix("/")
    assert template.render({}) == plain


def test_a_changed_setting_starts_the_memos_afresh():
    template = engines["django"].from_string("{% url 'members:directory' %}")
    template.render({})
    assert memo._reverse.cache_info().currsize > 0
    generation = memo._generation[0]
    with override_settings(ROOT_URLCONF="cluster_portal.urls"):
        assert memo._reverse.cache_info().currsize == 0
        assert memo._generation[0] == generation + 1


def test_the_engine_check_leaves_out_only_its_own_i18n_swap():
    from core.template_backend import PortalTemplates

    assert engines["django"].check() == []
    clashing = PortalTemplates(
        {"NAME": "x", "DIRS": [], "APP_DIRS": False, "OPTIONS": {"libraries": {"static": "core.templatetags.persian"}}}
    )
    assert [(error.id, error.msg.split()[0]) for error in clashing.check()] == [("templates.W003", "'static'")]


@pytest.mark.parametrize("current_app", [None, "admin"])
def test_the_current_application_is_djangos(rf, current_app):
    from django.template import RequestContext

    source = "{% url 'admin:index' %}|{% url 'members:directory' %}"
    request = rf.get("/")
    if current_app:
        request.current_app = current_app
    expected = django_engine().from_string(source).render(RequestContext(request, {}))
    assert engines["django"].from_string(source).render({}, request) == expected


def test_a_language_block_and_percent_signs_are_djangos():
    source = (
        "{% load i18n %}{% translate 'Members' %}{% language 'en' %}{% translate 'Members' %}"
        "{% endlanguage %}{% translate '100%' %}{% translate '100%%' %}"
    )
    template = engines["django"].from_string(source)
    with translation.override("fa"):
        assert template.render({}) == template.render({}) == django_render(source)


def test_a_changed_setting_renders_a_literal_afresh():
    template = engines["django"].from_string("{% load i18n %}{% translate 'Members' %}")
    node = template.template.nodelist[-1]
    with translation.override("en"):
        template.render({})
        assert len(node.rendered) == 1
        generation = node.generation
        with override_settings(LANGUAGE_CODE="en"):
            assert template.render({}) == "Members"
            assert node.generation == generation + 1
            assert len(node.rendered) == 1  # the earlier generation's entries are gone
