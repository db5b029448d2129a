"""The event report as tables, CSV and XLSX. Exports leave the portal (they are mailed and
printed), so an anonymous asker's name is never written into them."""

from django.http import HttpResponse
from django.utils.translation import gettext as _

from core.exports import Table, csv_response, xlsx_response
from core.jalali import format_date, format_datetime

from .models import Organisation, Topic


def _asker(question) -> str:
    return _("Anonymous") if question.anonymous else question.asker.full_name


def report_tables(data) -> dict:
    """Rows for every part of the report (also what the printable page shows)."""
    attendance = [
        [
            r.user.full_name,
            r.member.business_name if r.member else "",
            r.user.mobile,
            r.code,
            format_datetime(r.checked_in_at) if r.checked_in_at else "",
        ]
        for r in data["registrations"]
    ]
    questions = [
        [
            q.pk,
            q.get_topic_display(),
            q.addressed_label,
            q.text,
            _asker(q),
            q.vote_count,
            q.get_status_display(),
            q.answer.text if q.status == "answered" and hasattr(q, "answer") else "",
            (q.answer.panelist.name if q.answer.panelist else "")
            if q.status == "answered" and hasattr(q, "answer")
            else "",
            q.commitment.title if q.commitment_id else "",
        ]
        for q in data["questions"]
        if q.status != "merged"
    ]
    by_topic = [[label, data["by_topic"].get(value, 0)] for value, label in Topic.choices]
    by_organisation = [
        [label, data["by_organisation"].get(value, 0)]
        for value, label in [("", _("Not addressed")), *Organisation.choices]
    ]
    commitments = [
        [
            c.title,
            c.get_owner_organisation_display(),
            c.responsible_person,
            format_date(c.due_date),
            c.get_status_display(),
            _("Overdue") if c.is_overdue else "",
        ]
        for c in data["commitments"]
    ]
    return {
        "attendance_rows": attendance,
        "question_rows": questions,
        "topic_rows": by_topic,
        "organisation_rows": by_organisation,
        "commitment_rows": commitments,
    }


def _sections(data):
    tables = report_tables(data)
    return [
        (
            _("Attendance"),
            [_("Name"), _("Member"), _("Mobile number"), _("Ticket code"), _("Checked in at")],
            tables["attendance_rows"],
        ),
        (
            _("Questions"),
            [
                "#",
                _("Topic"),
                _("Addressed to"),
                _("Question"),
                _("Asked by"),
                _("Votes"),
                _("Status"),
                _("Answer"),
                _("Answered by"),
                _("Commitment"),
            ],
            tables["question_rows"],
        ),
        (_("Questions by topic"), [_("Topic"), _("Questions")], tables["topic_rows"]),
        (_("Questions by organisation"), [_("Organisation"), _("Questions")], tables["organisation_rows"]),
        (
            _("Commitments"),
            [_("Commitment"), _("Owner organisation"), _("Responsible person"), _("Due date"), _("Status"), ""],
            tables["commitment_rows"],
        ),
    ]


def _tables(data):
    return [Table(title, [[str(h) for h in header], *rows]) for title, header, rows in _sections(data)]


def report_csv(event, data) -> HttpResponse:
    return csv_response(
        _tables(data), filename=f"event-{event.pk}-report", preamble=[event.title, format_date(event.starts_at)]
    )


def report_xlsx(event, data) -> HttpResponse:
    return xlsx_response(_tables(data), filename=f"event-{event.pk}-report")
