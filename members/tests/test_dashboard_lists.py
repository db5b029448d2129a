"""The members app's own dashboard lists are read in hand-written statements
(selectors.member_dashboard_lists, docs/CONVENTIONS.md): they must give what the ORM read they
stand for (selectors.member_dashboard_data) gives, as the page shows it, on data built to tell
them apart, in a fixed number of queries; and the page must show every value they give."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from conftest import make_member, make_user
from core.models import Notification
from members import selectors
from members.models import (
    ChangeRequest,
    ContactMessage,
    Invitation,
    Member,
    MembershipYear,
    MemberStatusChange,
    MemberUser,
)

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _as_the_dashboard_shows(data, *, member) -> dict:
    """The ORM read's model instances as the values the page shows of them."""
    years = [
        {
            "starts_on": year.starts_on,
            "ends_on": year.ends_on,
            "kind_label": year.get_kind_display(),
            "renewed_at": year.renewed_at,
            "fee_reference": year.fee_reference,
            "lapsed": year.lapsed_at is not None,
        }
        for year in data["years"]
    ]
    return {
        "links": [
            {
                "id": link.pk,
                "user_id": link.user_id,
                "role": link.role,
                "role_label": link.get_role_display(),
                "full_name": link.user.full_name,
            }
            for link in data["links"]
        ],
        "is_owner": data["is_owner"],
        "invitations": [{"id": invitation.pk, "full_name": invitation.full_name} for invitation in data["invitations"]],
        "notifications": [
            {"subject": n.subject, "url": n.url, "created_at": n.created_at, "unread": n.read_at is None}
            for n in data["notifications"]
        ],
        "contact_messages": [
            {
                "id": message.pk,
                "sender_name": message.sender_name,
                "body": message.body,
                "reply": message.reply,
                "replied": message.replied_at is not None,
                "created_at": message.created_at,
            }
            for message in data["contact_messages"]
        ],
        "change_requests": [
            {
                "field_label": change.get_field_display(),
                "new_value": change.new_value,
                "status_label": change.get_status_display(),
            }
            for change in data["change_requests"]
        ],
        "status_changes": [
            {"status_label": change.get_to_status_display(), "reason": change.reason, "created_at": change.created_at}
            for change in data["status_changes"]
        ],
        "membership": selectors.membership_year_summary(member=member, years=years),
    }


def _at_one_instant(model, when, **filters):
    """Every fifth row (from the first) moved to one later instant: the lists show them first,
    out of the order they were written in, and among themselves by id."""
    ids = list(model.objects.filter(**filters).order_by("id").values_list("id", flat=True))[::5]
    model.objects.filter(pk__in=ids).update(created_at=when)


def _fill(member, owner, *, other_user, n):
    """n rows of every list for `member` (past every limit when n is large), in every status,
    kind and role, some written in the same instant."""
    now = timezone.now()
    for i in range(n):
        Notification.objects.create(
            user=owner, subject=f"پیام {n}-{i}", url=f"/x/{i}/" if i % 2 else "", read_at=now if i % 3 == 0 else None
        )
        Notification.objects.create(user=other_user, subject=f"دیگری {n}-{i}")  # another user's
        message = ContactMessage.objects.create(member=member, sender_name=f"خریدار {n}-{i}", body=f"متن {i}")
        if i % 2:
            ContactMessage.objects.filter(pk=message.pk).update(reply=f"پاسخ {i}", replied_at=now)
        MemberStatusChange.objects.create(
            member=member,
            from_status="",
            to_status=Member.Status.values[i % len(Member.Status.values)],
            reason=f"دلیل {i}",
        )
        ChangeRequest.objects.create(
            member=member,
            requested_by=owner,
            field=ChangeRequest.Field.values[i % len(ChangeRequest.Field.values)],
            new_value=f"{n}{i}",
            reason="x",
            status=ChangeRequest.Status.APPROVED if i % 3 == 1 else ChangeRequest.Status.REJECTED,
        )
        first = timezone.localdate() - 400 * DAY * (i + n)
        MembershipYear.objects.create(
            member=member,
            starts_on=first,
            ends_on=first + 364 * DAY,
            kind=MembershipYear.Kind.values[i % len(MembershipYear.Kind.values)],
            fee_reference=f"R{i}" if i % 2 else "",
            lapsed_at=now if i % 4 == 0 else None,
        )
        for state in ("open", "accepted", "cancelled"):
            Invitation.objects.create(
                member=member,
                invited_by=owner,
                mobile=f"0915{n:03d}{i:04d}"[:11],
                full_name=f"دعوت {state} {n}-{i}",
                token=f"{member.pk}-{state}-{n}-{i}",
                accepted_at=now if state == "accepted" else None,
                cancelled_at=now if state == "cancelled" else None,
            )
    for model, filters in (
        (Notification, {"user": owner}),
        (ContactMessage, {"member": member}),
        (MemberStatusChange, {"member": member}),
        (ChangeRequest, {"member": member}),
        (Invitation, {"member": member}),
    ):
        _at_one_instant(model, now + DAY, **filters)
    pending = ChangeRequest.objects.create(
        member=member, requested_by=owner, field="kind", new_value="home", reason="x"
    )
    ChangeRequest.objects.filter(pk=pending.pk).update(created_at=now + 2 * DAY)
    # A year running today, one renewed ahead and the latest ending first in the order.
    today = timezone.localdate()
    MembershipYear.objects.filter(member=member, starts_on=today - 100 * DAY).delete()
    MembershipYear.objects.create(member=member, starts_on=today - 100 * DAY, ends_on=today + 20 * DAY)
    MembershipYear.objects.create(member=member, starts_on=today + 21 * DAY, ends_on=today + 385 * DAY)


@pytest.fixture
def crowded(actors):
    """Member A with an owner and two colleagues, every list past its limit; member B and a
    colleague of A with rows of their own."""
    colleague = make_user("09130000044", "همکار الف")
    MemberUser.objects.create(member=actors.a, user=colleague, role=MemberUser.Role.COLLEAGUE)
    MemberUser.objects.create(member=actors.a, user=make_user("09130000045", "همکار دوم"), role="colleague")
    MemberUser.objects.filter(member=actors.a).update(created_at=timezone.now())  # a tie: by id
    _fill(actors.a, actors.member_a, other_user=colleague, n=25)
    _fill(actors.b, actors.member_b, other_user=make_user("09130000046", "کاربر دیگر"), n=3)  # nowhere on A's page
    return colleague


def _read_both(member, user):
    statements = selectors.member_dashboard_lists(member=member, user=user)
    unread = user._unread_count
    del user._unread_count
    orm = selectors.member_dashboard_data(member=member, user=user)
    assert user._unread_count == unread
    return statements, _as_the_dashboard_shows(orm, member=member)


def test_the_lists_are_the_orm_reads_for_owner_and_colleague_in_both_languages(actors, crowded):
    for language in ("fa", "en"):
        with translation.override(language):
            for user in (actors.member_a, crowded):
                statements, orm = _read_both(actors.a, user)
                assert statements == orm
    statements, _orm = _read_both(actors.a, actors.member_a)
    # The data reaches every case: limits, ties, every label, another member's rows left out.
    assert [len(statements[name]) for name in ("notifications", "contact_messages", "change_requests")] == [5, 10, 5]
    assert (len(statements["status_changes"]), len(statements["membership"]["history"])) == (5, 20)
    assert len(statements["invitations"]) == 25 and statements["is_owner"]
    assert {row["unread"] for row in statements["notifications"]} == {True, False}
    assert {row["replied"] for row in statements["contact_messages"]} == {True, False}
    assert statements["membership"]["state"] == "renewed"
    assert {row["lapsed"] for row in statements["membership"]["history"]} == {True, False}
    assert actors.member_a._unread_count == Notification.objects.filter(user=actors.member_a, read_at=None).count()
    assert actors.member_a._unread_count > 5  # counted over every row, not the five shown
    colleague_view = selectors.member_dashboard_lists(member=actors.a, user=crowded)
    assert (colleague_view["is_owner"], colleague_view["invitations"]) == (False, [])
    assert {row["subject"] for row in colleague_view["notifications"]} <= {f"دیگری 25-{i}" for i in range(25)}
    with translation.override("en"):
        shown = selectors.member_dashboard_lists(member=actors.a, user=actors.member_a)
    assert [row["role_label"] for row in shown["links"]] == ["Owner", "Colleague", "Colleague"]
    assert [row["full_name"] for row in shown["links"]] == ["عضو الف", "همکار الف", "همکار دوم"]
    assert shown["change_requests"][0] == {"field_label": "kind", "new_value": "home", "status_label": "Pending"}


def test_every_label_is_compared(actors, monkeypatch):
    """Every status, field, role and kind the lists can show, in both languages."""
    monkeypatch.setattr(selectors, "STATUS_CHANGES_LIMIT", 50)
    monkeypatch.setattr(selectors, "CHANGE_REQUESTS_LIMIT", 50)
    MemberUser.objects.create(member=actors.a, user=make_user("09130000044", "همکار"), role="colleague")
    for status in Member.Status.values:
        MemberStatusChange.objects.create(member=actors.a, to_status=status, reason="دلیل")
    for field in ChangeRequest.Field.values:
        for status in ChangeRequest.Status.values:
            ChangeRequest.objects.create(
                member=actors.a, requested_by=actors.member_a, field=field, new_value="1", reason="x", status=status
            )
    today = timezone.localdate()
    for i, kind in enumerate(MembershipYear.Kind.values):
        MembershipYear.objects.create(
            member=actors.a,
            starts_on=today - (i + 1) * 400 * DAY,
            ends_on=today - (i + 1) * 400 * DAY + 364 * DAY,
            kind=kind,
        )
    for language in ("fa", "en"):
        with translation.override(language):
            statements, orm = _read_both(actors.a, actors.member_a)
            assert statements == orm
            labels = {row["status_label"] for row in statements["status_changes"] + statements["change_requests"]}
            labels |= {row["field_label"] for row in statements["change_requests"]}
            labels |= {row["kind_label"] for row in statements["membership"]["history"]}
            labels |= {row["role_label"] for row in statements["links"]}
            choices = (Member.Status, ChangeRequest.Status, ChangeRequest.Field, MembershipYear.Kind, MemberUser.Role)
            assert labels == {str(label) for choice in choices for label in choice.labels}


def test_the_statements_are_six_queries_seven_for_the_owner_whatever_the_rows(
    actors, crowded, django_assert_num_queries
):
    owner = make_user("09130000077", "مالک تازه")
    member = make_member(owner, national_id="0067749828")
    with django_assert_num_queries(7):  # nothing yet but the owner
        empty = selectors.member_dashboard_lists(member=member, user=owner)
    assert (empty["notifications"], empty["membership"]["state"], owner._unread_count) == ([], "none", 0)
    with django_assert_num_queries(7):
        selectors.member_dashboard_lists(member=actors.a, user=actors.member_a)
    with django_assert_num_queries(6):  # a colleague reads no invitations
        selectors.member_dashboard_lists(member=actors.a, user=crowded)


def test_the_page_shows_what_the_lists_give(actors, crowded, client_as):
    """Every value of the lists reaches the page (the template reads the rows' keys)."""
    client = client_as("member_a")
    client.cookies["django_language"] = "en"
    # A query string: the page is rendered afresh rather than read from the dashboard cache.
    html = client.get(reverse("members:dashboard"), {"lang": "en"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    with translation.override("en"):
        shown = selectors.member_dashboard_lists(member=actors.a, user=actors.member_a)
    for link in shown["links"]:
        assert f'{link["full_name"]} <span class="badge text-bg-light">{link["role_label"]}</span>' in html
    for link in shown["links"][1:]:
        assert f'action="{reverse("members:colleague_remove", args=[link["id"]])}"' in html
    for invitation in shown["invitations"]:
        assert f"Invited: {invitation['full_name']} (waiting)" in html
        assert f'action="{reverse("members:invitation_cancel", args=[invitation["id"]])}"' in html
    notifications = html.split('data-testid="dashboard-notifications"')[1].split('data-testid="dashboard-messages"')[0]
    assert notifications.count("list-group-item-primary") == sum(row["unread"] for row in shown["notifications"])
    for row in shown["notifications"]:
        assert (f'<a href="{row["url"]}">{row["subject"]}</a>' if row["url"] else row["subject"]) in html
    for message in shown["contact_messages"]:
        assert message["sender_name"] in html and message["body"] in html
        if message["replied"]:
            assert f'Your reply:</span> <span class="pre-line">{message["reply"]}</span>' in html
        else:
            assert f'action="{reverse("members:message_reply", args=[message["id"]])}"' in html
            assert f'<label class="visually-hidden" for="reply-{message["id"]}">Your reply</label>' in html
    for change in shown["change_requests"]:
        assert f'{escape(change["field_label"])}: <bdi dir="ltr">{change["new_value"]}</bdi>' in html
    for change in shown["status_changes"]:
        assert f"<span>{change['status_label']}</span>" in html and change["reason"] in html
    assert html.count('<td data-label="Kind">') == 20
    for year in shown["membership"]["history"]:
        lapsed = ' <span class="badge status-lapsed">Lapsed</span>' if year["lapsed"] else ""
        assert f"{year['kind_label']}{lapsed}</td>" in html
    assert html.count('<bdi dir="ltr">R') == sum(bool(year["fee_reference"]) for year in shown["membership"]["history"])
    assert "دیگری" not in html  # the colleague's notifications
    assert "خریدار 3-" not in html and "دعوت open 3-" not in html  # member B's rows


def test_member_of_reads_the_member_the_orm_would_in_one_query(django_assert_num_queries):
    """roles.member_of's hand-written read (selectors.member_for_user) gives the same member,
    field for field and with the same Python types, as the ORM's link-and-member query."""
    from members import roles

    owner = make_user("09121110001")
    colleague = make_user("09121110002")
    loner = make_user("09121110003")
    other_owner = make_user("09121110004")
    member = make_member(owner, national_id="0012345671", number=17, brand="برند", website="https://example.com")
    make_member(other_owner, national_id="0012345672", status=Member.Status.SUSPENDED)
    MemberUser.objects.create(member=member, user=colleague, role=MemberUser.Role.COLLEAGUE)
    for user in (owner, colleague, other_owner, loner):
        link = MemberUser.objects.select_related("member").filter(user_id=user.pk).first()
        expected = link.member if link else None
        with django_assert_num_queries(1):
            found = selectors.member_for_user(user.pk)
        if expected is None:
            assert found is None
            continue
        for field in Member._meta.concrete_fields:
            mine, theirs = getattr(found, field.attname), getattr(expected, field.attname)
            assert (mine, type(mine)) == (theirs, type(theirs)), field.attname
        assert found._state.adding is False and found._state.db == "default"
        assert found.get_deferred_fields() == set()
    colleague = type(colleague).objects.get(pk=colleague.pk)
    with django_assert_num_queries(1):
        assert roles.member_of(colleague).pk == roles.member_of(colleague).pk == member.pk
    fresh = make_user("09121110005")
    with django_assert_num_queries(1):
        assert roles.member_of(fresh) is None
        assert roles.member_of(fresh) is None
