"""The event report's chart (core.charts.Chart)."""

from django.utils.translation import gettext as _

from core.charts import Chart

from .models import Topic


def topic_rows(data) -> list[tuple[str, int, int]]:
    """(topic, questions, answered) for every topic, in the topics' order."""
    return [
        (str(label), data["by_topic"].get(value, 0), data["answered_by_topic"].get(value, 0))
        for value, label in Topic.choices
    ]


def topics_chart(rows) -> Chart:
    """Questions per topic, stacked: answered and not (yet) answered."""
    return Chart(
        id="topics-chart",
        title=_("Questions by topic and how many were answered"),
        labels=[label for label, _n, _answered in rows],
        datasets=[
            {"label": _("Answered"), "color": 2, "data": [answered for _l, _n, answered in rows], "stack": "q"},
            {"label": _("Not answered"), "color": 1, "data": [n - answered for _l, n, answered in rows], "stack": "q"},
        ],
        unit=_("questions"),
        horizontal=True,
        stacked=True,
        table_id="topics-table",
    )
