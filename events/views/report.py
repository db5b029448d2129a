"""The event's minutes for estates staff."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import charts, exports, selectors
from ..access import staff_event_for_user_or_404, staff_required


@staff_required
@require_GET
def report(request, event_id):
    """Estates staff: the event's minutes (attendance, questions by topic and organisation,
    answers, commitments); printable, or ?format=csv|xlsx. Askers of anonymous questions are
    never named in them."""
    event = staff_event_for_user_or_404(request.user, event_id)
    data = selectors.event_report(event=event)
    fmt = request.GET.get("format")
    if fmt == "csv":
        return exports.report_csv(event, data)
    if fmt == "xlsx":
        return exports.report_xlsx(event, data)
    topics = charts.topic_rows(data)
    return render(
        request,
        "events/report.html",
        {
            "event": event,
            **data,
            **exports.report_tables(data),
            "topic_table": topics,
            "topics_chart": charts.topics_chart(topics),
        },
    )
