"""Membership years: approval starts the first, staff renew (admin action through the service,
audited), reminders before the end once each, the automatic lapse after the grace period (not a
day before, once per year, reversible by staff with a reason), the dashboard's section."""

import datetime
import importlib

import jdatetime
import pytest
from django.apps import apps as django_apps
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry, Notification
from members import selectors, services
from members.models import Member, MembershipReminder, MembershipYear, MemberStatusChange
from members.tests.factories import active_member, apply_member

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def jalali(year, month, day):
    return jdatetime.date(year, month, day).togregorian()


def give_year(member, *, ends_on, starts_on=None, kind=MembershipYear.Kind.RENEWAL, **extra):
    return MembershipYear.objects.create(
        member=member,
        starts_on=starts_on or services.year_end_for(ends_on) - datetime.timedelta(days=400),
        ends_on=ends_on,
        kind=kind,
        **extra,
    )


def notes(user):
    return list(Notification.objects.filter(user=user).order_by("id").values_list("subject", flat=True))


# --- the year itself ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (jalali(1404, 7, 15), jalali(1405, 7, 14)),  # 15 Mehr 1404 → 14 Mehr 1405
        (jalali(1404, 1, 1), jalali(1404, 12, 29)),  # a whole Jalali year (1404 is not leap)
        (jalali(1403, 12, 30), jalali(1404, 12, 29)),  # 30 Esfand of a leap year
    ],
)
def test_a_year_ends_the_day_before_the_same_jalali_date_a_year_later(start, end):
    assert services.year_end_for(start) == end


def test_approval_starts_the_first_year_today_audited(actors):
    member = apply_member()
    services.member_approve(member=member, actor=actors.staff)
    year = MembershipYear.objects.get(member=member)
    assert (year.starts_on, year.ends_on, year.kind, year.renewed_by) == (
        TODAY,
        services.year_end_for(TODAY),
        "first",
        actors.staff,
    )
    entry = AuditEntry.objects.get(action="member.year.first", object_id=str(member.pk))
    assert entry.changes == {"membership_year": ["", f"{TODAY.isoformat()}/{year.ends_on.isoformat()}"]}


# --- renewal -----------------------------------------------------------------------------------


def test_renewal_follows_the_current_year_without_a_gap_and_tells_the_member(actors):
    current = give_year(actors.a, ends_on=TODAY + 20 * DAY)
    year = services.membership_renew(member=actors.a, actor=actors.staff, fee_reference="۴۵۶۷۸۹", note="نقدی")
    assert (year.starts_on, year.ends_on, year.kind, year.fee_reference, year.renewed_by) == (
        current.ends_on + DAY,
        services.year_end_for(current.ends_on + DAY),
        "renewal",
        "۴۵۶۷۸۹",
        actors.staff,
    )
    entry = AuditEntry.objects.get(action="member.year.renewal")
    assert (entry.actor, entry.note, entry.changes["fee_reference"]) == (actors.staff, "نقدی", ["", "۴۵۶۷۸۹"])
    assert notes(actors.member_a) == ["عضویت شما تمدید شد"]
    assert Member.objects.get(pk=actors.a.pk).status == "active"


def test_a_second_renewal_is_refused_while_the_year_has_long_to_run(actors):
    give_year(actors.a, ends_on=TODAY + 20 * DAY)
    services.membership_renew(member=actors.a, actor=actors.staff)
    with pytest.raises(ValidationError) as error:
        services.membership_renew(member=actors.a, actor=actors.staff)
    assert error.value.code == "already_renewed"
    assert MembershipYear.objects.filter(member=actors.a).count() == 2


def test_renewal_after_the_grace_period_starts_today(actors):
    give_year(actors.a, ends_on=TODAY - 40 * DAY)
    year = services.membership_renew(member=actors.a, actor=actors.staff)
    assert year.starts_on == TODAY


def test_renewing_a_lapsed_member_makes_it_active_with_the_renewal_as_reason(actors):
    give_year(actors.a, ends_on=TODAY - 60 * DAY)
    services.member_change_status(member=actors.a, actor=actors.staff, to_status="lapsed")
    year = services.membership_renew(member=actors.a, actor=actors.staff)
    change = MemberStatusChange.objects.filter(member=actors.a).first()
    assert (change.from_status, change.to_status, change.changed_by) == ("lapsed", "active", actors.staff)
    assert change.reason.startswith("عضویت تا ") and change.reason.endswith(" تمدید شد.")
    assert year.starts_on == TODAY


@pytest.mark.parametrize("status", ["applied", "resigned", "rejected"])
def test_only_members_can_renew(actors, status):
    Member.objects.filter(pk=actors.a.pk).update(status=status)
    with pytest.raises(ValidationError) as error:
        services.membership_renew(member=actors.a, actor=actors.staff)
    assert error.value.code == "bad_status"
    assert not MembershipYear.objects.exists()


# --- reminders ---------------------------------------------------------------------------------


def test_reminders_30_and_7_days_before_go_out_once_each(actors):
    year = give_year(actors.a, ends_on=TODAY + 30 * DAY)
    give_year(actors.b, ends_on=TODAY + 31 * DAY)  # not yet
    assert services.membership_reminders_send() == {"sent": 1, "skipped": 0}
    assert services.membership_reminders_send() == {"sent": 0, "skipped": 1}
    assert notes(actors.member_a) == ["عضویت شما ۳۰ روز دیگر به پایان می‌رسد"]
    assert notes(actors.member_b) == []
    # Eight days on: A's 30-day reminder is already out, B's goes now; at 7 days A's second.
    assert services.membership_reminders_send(today=TODAY + 8 * DAY) == {"sent": 1, "skipped": 1}
    assert services.membership_reminders_send(today=TODAY + 23 * DAY) == {"sent": 1, "skipped": 1}
    assert services.membership_reminders_send(today=TODAY + 23 * DAY) == {"sent": 0, "skipped": 2}
    assert notes(actors.member_b) == ["عضویت شما ۲۳ روز دیگر به پایان می‌رسد"]
    assert notes(actors.member_a) == ["عضویت شما ۳۰ روز دیگر به پایان می‌رسد", "عضویت شما ۷ روز دیگر به پایان می‌رسد"]
    assert list(
        MembershipReminder.objects.filter(year=year).order_by("id").values_list("days_before", "recipients")
    ) == [
        (30, 1),
        (7, 1),
    ]
    note = Notification.objects.filter(user=actors.member_a).first()
    assert note.url == "/members/me/#membership-year"
    assert "حق عضویت سالانه" in note.body


def test_a_missed_day_sends_only_the_most_urgent_reminder(actors):
    give_year(actors.a, ends_on=TODAY + 5 * DAY)
    assert services.membership_reminders_send() == {"sent": 1, "skipped": 0}
    assert notes(actors.member_a) == ["عضویت شما ۵ روز دیگر به پایان می‌رسد"]
    assert list(MembershipReminder.objects.values_list("days_before", flat=True)) == [7]


def test_no_reminder_for_a_renewed_year_or_a_member_who_is_not_active(actors):
    give_year(actors.a, ends_on=TODAY + 7 * DAY)
    services.membership_renew(member=actors.a, actor=actors.staff)
    give_year(actors.b, ends_on=TODAY + 7 * DAY)
    Member.objects.filter(pk=actors.b.pk).update(status="suspended")
    Notification.objects.all().delete()
    assert services.membership_reminders_send() == {"sent": 0, "skipped": 0}
    assert Notification.objects.count() == 0


def test_the_command_runs_the_task_and_twice_sends_nothing_twice(actors, capsys):
    give_year(actors.a, ends_on=TODAY + 7 * DAY)
    give_year(actors.b, ends_on=TODAY - 31 * DAY)
    call_command("check_membership_years")
    call_command("check_membership_years")
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "membership years: 1 reminders, 1 lapsed, 0 already done",
        "membership years: 0 reminders, 0 lapsed, 1 already done",
    ]
    assert notes(actors.member_a) == ["عضویت شما ۷ روز دیگر به پایان می‌رسد"]
    assert notes(actors.member_b) == ["وضعیت عضویت شما تغییر کرد"]


# --- the automatic lapse -----------------------------------------------------------------------


def test_lapse_comes_after_the_grace_period_and_not_a_day_before(actors, settings):
    settings.MEMBERSHIP_GRACE_DAYS = 30
    year = give_year(actors.a, ends_on=TODAY - 30 * DAY)
    assert services.membership_lapse_due() == {"lapsed": 0, "skipped": 0}
    assert Member.objects.get(pk=actors.a.pk).status == "active"
    assert services.membership_lapse_due(today=TODAY + DAY) == {"lapsed": 1, "skipped": 0}
    member = Member.objects.get(pk=actors.a.pk)
    assert member.status == "lapsed"
    change = member.status_changes.first()
    assert (change.from_status, change.to_status, change.changed_by) == ("active", "lapsed", None)
    assert change.reason.startswith("دوره عضویت در ") and change.reason.endswith("در مهلت ۳۰ روزه تمدید نشد.")
    year.refresh_from_db()
    assert year.lapsed_at is not None
    note = Notification.objects.get(user=actors.member_a)
    assert (note.subject, note.url) == ("وضعیت عضویت شما تغییر کرد", "/members/me/")
    assert "منقضی" in note.body
    assert AuditEntry.objects.filter(action="member.status.lapsed", actor=None).count() == 1
    assert services.membership_lapse_due(today=TODAY + DAY) == {"lapsed": 0, "skipped": 0}


def test_the_grace_period_is_a_setting(actors, settings):
    settings.MEMBERSHIP_GRACE_DAYS = 10
    give_year(actors.a, ends_on=TODAY - 11 * DAY)
    assert services.membership_lapse_due() == {"lapsed": 1, "skipped": 0}


def test_a_renewed_member_never_lapses_for_the_old_year(actors):
    give_year(actors.a, ends_on=TODAY - 20 * DAY)
    services.membership_renew(member=actors.a, actor=actors.staff)
    assert services.membership_lapse_due(today=TODAY + 20 * DAY) == {"lapsed": 0, "skipped": 0}
    assert Member.objects.get(pk=actors.a.pk).status == "active"


def test_staff_reverse_the_lapse_with_a_reason_and_it_sticks(actors, client_as):
    give_year(actors.a, ends_on=TODAY - 31 * DAY)
    services.membership_lapse_due()
    client = client_as("staff")
    url = reverse("admin:members_member_changelist")
    response = client.post(
        url,
        {"action": "reinstate", ACTION_CHECKBOX_NAME: [actors.a.pk], "apply": "1", "reason": "رسید پرداخت ارائه شد"},
    )
    assert response.status_code == 302
    member = Member.objects.get(pk=actors.a.pk)
    assert member.status == "active"
    assert member.status_changes.first().reason == "رسید پرداخت ارائه شد"
    # The next nights do not lapse the member again for the same year.
    assert services.membership_lapse_due(today=TODAY + DAY) == {"lapsed": 0, "skipped": 0}
    assert Member.objects.get(pk=actors.a.pk).status == "active"


def test_a_lapsed_member_leaves_the_directory(actors):
    Member.objects.filter(pk__in=[actors.a.pk, actors.b.pk]).update(directory_opt_in=True)
    give_year(actors.a, ends_on=TODAY - 31 * DAY)
    give_year(actors.b, ends_on=TODAY + 100 * DAY)
    assert {m.pk for m in selectors.directory_members()} == {actors.a.pk, actors.b.pk}
    services.membership_lapse_due()
    assert {m.pk for m in selectors.directory_members()} == {actors.b.pk}


# --- the admin ---------------------------------------------------------------------------------


def test_admin_renew_action_asks_for_the_fee_reference_then_renews(actors, client_as):
    give_year(actors.a, ends_on=TODAY + 10 * DAY)
    give_year(actors.b, ends_on=TODAY + 300 * DAY)
    client = client_as("staff")
    url = reverse("admin:members_member_changelist")
    page = client.post(url, {"action": "renew", ACTION_CHECKBOX_NAME: [actors.a.pk, actors.b.pk]})
    assert page.status_code == 200
    assert 'name="fee_reference"' in page.content.decode()
    response = client.post(
        url,
        {
            "action": "renew",
            ACTION_CHECKBOX_NAME: [actors.a.pk, actors.b.pk],
            "apply": "1",
            "fee_reference": " ۱۲۳۴۵۶ ",
            "note": "واریز به حساب خوشه",
        },
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages[0] == "عضویت 1 عضو تمدید شد."
    assert messages[1].startswith(f"{actors.b}: ")
    year = MembershipYear.objects.filter(member=actors.a).first()
    assert (year.fee_reference, year.note, year.renewed_by, year.kind) == (
        "123456",
        "واریز به حساب خوشه",
        actors.staff,
        "renewal",
    )
    assert MembershipYear.objects.filter(member=actors.b).count() == 1
    change_page = client.get(reverse("admin:members_member_change", args=[actors.a.pk])).content.decode()
    assert 'class="membership-years"' in change_page and "123456" in change_page


def test_admin_year_list_filters_by_the_end(actors, client_as):
    give_year(actors.a, ends_on=TODAY + 10 * DAY)
    give_year(actors.b, ends_on=TODAY - 10 * DAY)
    client = client_as("staff")
    url = reverse("admin:members_membershipyear_changelist")
    assert [y.member_id for y in client.get(url, {"ends": "30"}).context["cl"].result_list] == [actors.a.pk]
    assert [y.member_id for y in client.get(url, {"ends": "grace"}).context["cl"].result_list] == [actors.b.pk]
    assert client.get(url, {"ends": "past"}).context["cl"].result_list.count() == 0


@pytest.mark.parametrize("role", ["member_a", "union_head", "panelist"])
def test_the_renew_action_and_the_years_are_staff_only(actors, client_as, role):
    client = client_as(role)
    response = client.post(
        reverse("admin:members_member_changelist"),
        {"action": "renew", ACTION_CHECKBOX_NAME: [actors.a.pk], "apply": "1"},
    )
    assert response.status_code in (302, 403)
    assert client.get(reverse("admin:members_membershipyear_changelist")).status_code in (302, 403)
    assert not MembershipYear.objects.exists()


# --- the dashboard -----------------------------------------------------------------------------


def _dashboard(client, language="fa"):
    # A query string: the page is rendered afresh rather than read from the dashboard cache.
    client.cookies["django_language"] = language
    return client.get(reverse("members:dashboard"), {"lang": language}, HTTP_ACCEPT_LANGUAGE=language)


def test_dashboard_shows_the_year_days_left_and_history_in_persian(actors, client_as):
    give_year(actors.a, starts_on=jalali(1404, 7, 15), ends_on=TODAY + 12 * DAY, fee_reference="98765")
    give_year(actors.a, starts_on=jalali(1403, 7, 15), ends_on=jalali(1404, 7, 14), kind="first")
    give_year(actors.b, ends_on=TODAY + 200 * DAY, fee_reference="55555")
    html = _dashboard(client_as("member_a")).content.decode()
    assert 'data-state="soon"' in html
    assert '<div class="fs-3 fw-bold lh-1">۱۲</div>' in html
    assert "۱۵ مهر ۱۴۰۴ – " in html
    assert "۱۴۰۳/۰۷/۱۵ – ۱۴۰۴/۰۷/۱۴" in html
    assert '<bdi dir="ltr">۹۸۷۶۵</bdi>' in html
    assert 'data-testid="renew-guidance"' in html
    assert "۵۵۵۵۵" not in html  # another member's years are never shown


@pytest.mark.parametrize(
    ("ends_in", "status", "state", "guidance"),
    [
        (200, "active", "running", False),
        (-5, "active", "grace", True),
        (-40, "lapsed", "lapsed", True),
    ],
)
def test_dashboard_states(actors, client_as, ends_in, status, state, guidance):
    give_year(actors.a, ends_on=TODAY + ends_in * DAY)
    Member.objects.filter(pk=actors.a.pk).update(status=status)
    html = _dashboard(client_as("member_a")).content.decode()
    assert f'data-state="{state}"' in html
    assert ('data-testid="renew-guidance"' in html) is guidance


def test_dashboard_after_an_early_renewal_says_so(actors, client_as):
    give_year(actors.a, ends_on=TODAY + 20 * DAY)
    nxt = services.membership_renew(member=actors.a, actor=actors.staff)
    html = _dashboard(client_as("member_a"), "en").content.decode()
    assert 'data-state="renewed"' in html
    assert f"Renewed: your next year runs from {nxt.starts_on.day} " in html
    assert 'data-testid="renew-guidance"' not in html


def test_dashboard_without_a_year_says_whom_to_ask(actors, client_as):
    html = _dashboard(client_as("member_a")).content.decode()
    assert 'data-state="none"' in html
    assert 'data-testid="membership-history"' not in html


def test_dashboard_query_count_does_not_grow_with_the_years(actors, client_as):
    client = client_as("member_a")
    give_year(actors.a, ends_on=TODAY + 100 * DAY)
    _dashboard(client)

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = _dashboard(client)
        assert response.status_code == 200
        return len(captured)

    one = count()
    for i in range(1, 8):
        give_year(actors.a, starts_on=TODAY - (400 * i + 365) * DAY, ends_on=TODAY - 400 * i * DAY)
    assert count() == one
    assert _dashboard(client).content.decode().count("<tr>") == 1 + 8


# --- the data migration ------------------------------------------------------------------------


def test_the_migration_gives_active_members_their_current_year_from_the_approval_date(actors):
    migration = importlib.import_module("members.migrations.0010_membership_years_from_approval")
    approved = timezone.make_aware(datetime.datetime.combine(jalali(1402, 7, 15), datetime.time(10)))
    MemberStatusChange.objects.create(member=actors.a, from_status="applied", to_status="active")
    MemberStatusChange.objects.filter(member=actors.a).update(created_at=approved)
    Member.objects.filter(pk=actors.b.pk).update(status="suspended")
    give_year(actors.b, ends_on=TODAY + 5 * DAY)  # already has one: left alone
    migration.forwards(django_apps, None)
    year = MembershipYear.objects.get(member=actors.a)
    assert year.kind == "recorded"
    assert year.starts_on <= TODAY <= year.ends_on
    start = jdatetime.date.fromgregorian(date=year.starts_on)
    assert (start.month, start.day) == (7, 15)
    assert MembershipYear.objects.filter(member=actors.b).count() == 1
    assert not MembershipYear.objects.filter(member=actors.applicant_member).exists()


def test_an_active_member_made_by_the_factory_has_a_year(actors):
    member = active_member(actor=actors.staff)
    summary = selectors.membership_year_summary(
        member=member, years=list(member.membership_years.values("starts_on", "ends_on"))
    )
    assert (summary["state"], summary["days_left"]) == ("running", (services.year_end_for(TODAY) - TODAY).days)
