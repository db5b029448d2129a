import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from conftest import make_user
from core import sms
from core.models import AuditEntry, Notification
from members import services
from members.models import (
    ChangeRequest,
    ContactMessage,
    Invitation,
    Member,
    MembershipCounter,
    MemberStatusChange,
    MemberUser,
    User,
)
from members.roles import ESTATES_STAFF
from members.tests.factories import active_member, apply_member, png_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return make_user("09139990010", "کارشناس شهرک", groups=[ESTATES_STAFF], is_staff=True)


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def test_apply_creates_applicant_owner_history_audit_and_tells_staff(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        member = apply_member(business_name="شیرینی آزمون", kind=Member.Kind.HOME, guild_licence_number="")
    assert member.status == Member.Status.APPLIED
    assert member.membership_number is None
    link = MemberUser.objects.get(member=member)
    assert (link.role, link.user.mobile, link.user.check_password("test-pass-1405")) == ("owner", member.mobile, True)
    history = list(member.status_changes.values_list("from_status", "to_status", "changed_by"))
    assert history == [("", "applied", link.user.pk)]
    assert list(AuditEntry.objects.filter(object_id=str(member.pk)).values_list("action", flat=True)) == [
        "member.apply"
    ]
    staff_note = Notification.objects.get(user=staff)
    assert staff_note.subject == "درخواست عضویت جدید: شیرینی آزمون"
    assert staff_note.url == f"/admin/members/member/{member.pk}/change/"
    assert member.search_key == "شیرینی ازمون نمونه " + member.search_key.split("نمونه ")[1]


def test_apply_saves_a_reencoded_logo_and_thumbnail():
    from core.uploads import clean_image

    member = apply_member(logo=clean_image(png_upload(size=(900, 600))))
    assert member.logo.name.startswith("members/logos/")
    assert member.logo_thumbnail.name.startswith("members/logos/thumbs/")
    from PIL import Image

    with member.logo_thumbnail.open("rb") as handle:
        assert Image.open(handle).size == (256, 171)


def test_approve_assigns_next_numbers_in_order_and_never_reuses_them(staff):
    first = apply_member()
    second = apply_member()
    services.member_approve(member=first, actor=staff)
    services.member_approve(member=second, actor=staff)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.membership_number, second.membership_number) == (1001, 1002)
    second.delete()
    third = services.member_approve(member=apply_member(), actor=staff)
    assert third.membership_number == 1003
    assert MembershipCounter.objects.get().last_number == 1003


def test_approve_continues_after_the_highest_existing_number(staff):
    active_member(actor=staff)  # 1001
    Member.objects.filter(membership_number=1001).update(membership_number=2500)
    assert services.member_approve(member=apply_member(), actor=staff).membership_number == 2501


def test_membership_numbers_are_unique_in_the_database(staff):
    a = active_member(actor=staff)
    b = apply_member()
    b.membership_number = a.membership_number
    with pytest.raises(IntegrityError):
        b.save()


def test_approve_records_history_and_notifies_the_applicant(staff, django_capture_on_commit_callbacks):
    member = apply_member()
    owner = member.user_links.get().user
    with django_capture_on_commit_callbacks(execute=True):
        services.member_approve(member=member, actor=staff)
    change = member.status_changes.first()
    assert (change.from_status, change.to_status, change.changed_by) == ("applied", "active", staff)
    note = Notification.objects.get(user=owner)
    assert note.subject == "درخواست عضویت شما تأیید شد"
    assert note.body == "به خوشه شیرینی سنتی قزوین خوش آمدید. شماره عضویت شما 1001 است."
    assert sms.outbox == [{"to": owner.mobile, "text": f"{note.subject}\n{note.body}"}]
    entry = AuditEntry.objects.get(action="member.status.active")
    assert entry.changes == {"status": ["applied", "active"], "membership_number": [None, 1001]}


def test_reject_requires_a_reason_and_keeps_it(staff):
    member = apply_member()
    with pytest.raises(ValidationError) as error:
        services.member_reject(member=member, actor=staff, reason="  ")
    assert error.value.messages == ["لطفاً دلیل را بنویسید."]
    services.member_reject(member=member, actor=staff, reason="مدارک ناقص")
    member.refresh_from_db()
    assert (member.status, member.membership_number) == ("rejected", None)
    assert member.status_changes.first().reason == "مدارک ناقص"
    owner = member.user_links.get().user
    assert Notification.objects.get(user=owner).body == "دلیل: مدارک ناقص"


def test_rejected_history_row_without_reason_is_refused_by_the_database():
    member = apply_member()
    with pytest.raises(IntegrityError):
        MemberStatusChange.objects.create(member=member, from_status="applied", to_status="rejected", reason="")


@pytest.mark.parametrize(
    ("path", "target"),
    [
        (["active"], "rejected"),
        ([], "suspended"),
        (["rejected"], "active"),
        (["active", "resigned"], "active"),
    ],
)
def test_impossible_transitions_are_refused(staff, path, target):
    member = apply_member()
    for step in path:
        services.member_change_status(member=member, actor=staff, to_status=step, reason="x")
    with pytest.raises(ValidationError):
        services.member_change_status(member=member, actor=staff, to_status=target, reason="x")


def test_suspend_and_reinstate_keep_the_number(staff):
    member = active_member(actor=staff)
    services.member_suspend(member=member, actor=staff, reason="بدهی")
    services.member_change_status(member=member, actor=staff, to_status="active")
    member.refresh_from_db()
    assert (member.status, member.membership_number) == ("active", 1001)
    assert list(member.status_changes.order_by("id").values_list("to_status", flat=True)) == [
        "applied",
        "active",
        "suspended",
        "active",
    ]


def test_update_profile_changes_allowed_fields_and_audits(staff):
    member = active_member(actor=staff)
    owner = member.user_links.get().user
    services.member_update_profile(
        member=member, actor=owner, data={"business_name": "نام تازه", "workers_count": 7}, products=[]
    )
    member.refresh_from_db()
    assert (member.business_name, member.workers_count) == ("نام تازه", 7)
    assert member.search_key.startswith("نام تازه")
    entry = AuditEntry.objects.get(action="member.update")
    assert entry.changes["business_name"][1] == "نام تازه"


def test_update_profile_refuses_identity_changes_after_approval(staff):
    member = active_member(actor=staff)
    with pytest.raises(ValidationError) as error:
        services.member_update_profile(member=member, actor=staff, data={"kind": "home"})
    assert error.value.code == "locked"


def test_change_request_approved_changes_the_field(staff, django_capture_on_commit_callbacks):
    member = active_member(actor=staff)
    owner = member.user_links.get().user
    request = services.member_request_change(
        member=member, actor=owner, field="guild_licence_number", new_value="QZ-9999", reason="اشتباه تایپی"
    )
    assert request.old_value == member.guild_licence_number
    with pytest.raises(ValidationError):  # one pending request per field
        services.member_request_change(
            member=member, actor=owner, field="guild_licence_number", new_value="QZ-8888", reason="x"
        )
    services.change_request_decide(change_request=request, actor=staff, approve=True)
    member.refresh_from_db()
    assert member.guild_licence_number == "QZ-9999"
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("approved", staff)
    with pytest.raises(ValidationError):
        services.change_request_decide(change_request=request, actor=staff, approve=True)


def test_change_request_rejection_needs_a_note(staff):
    member = active_member(actor=staff)
    request = services.member_request_change(
        member=member, actor=staff, field="kind", new_value="home", reason="تغییر نوع"
    )
    with pytest.raises(ValidationError):
        services.change_request_decide(change_request=request, actor=staff, approve=False)
    services.change_request_decide(change_request=request, actor=staff, approve=False, note="مدرک لازم است")
    member.refresh_from_db()
    assert member.kind == "guild"
    assert ChangeRequest.objects.get().status == "rejected"


def test_invite_accept_and_remove_a_colleague(staff, django_capture_on_commit_callbacks):
    member = active_member(actor=staff)
    owner = member.user_links.get().user
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.member_invite_colleague(
            member=member, actor=owner, mobile="09137770001", full_name="همکار", base_url="https://portal.example.ir/"
        )
    assert sms.outbox[0]["to"] == "09137770001"
    assert f"https://portal.example.ir/members/invitation/{invitation.token}/" in sms.outbox[0]["text"]
    link = services.invitation_accept(invitation=invitation, full_name="همکار خوب", password="pass-1405-xyz")
    assert (link.role, link.user.full_name, link.user.mobile) == ("colleague", "همکار خوب", "09137770001")
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, full_name="x", password="pass-1405-xyz")
    with pytest.raises(PermissionDenied):  # only the owner removes
        services.member_remove_colleague(member=member, actor=link.user, link=member.user_links.get(role="owner"))
    with pytest.raises(ValidationError):
        services.member_remove_colleague(member=member, actor=owner, link=member.user_links.get(role="owner"))
    services.member_remove_colleague(member=member, actor=owner, link=link)
    assert list(member.user_links.values_list("user__mobile", flat=True)) == [owner.mobile]
    assert User.objects.filter(mobile="09137770001").exists()  # the account stays; the access goes


def test_only_the_owner_invites(staff):
    member = active_member(actor=staff)
    colleague = make_user("09137770002", "همکار")
    MemberUser.objects.create(member=member, user=colleague, role="colleague")
    with pytest.raises(PermissionDenied):
        services.member_invite_colleague(member=member, actor=colleague, mobile="09137770003", full_name="x")
    assert Invitation.objects.count() == 0


def test_invite_refuses_a_number_that_already_acts_for_a_member(staff):
    member = active_member(actor=staff)
    other = active_member(actor=staff)
    with pytest.raises(ValidationError):
        services.member_invite_colleague(
            member=member, actor=member.user_links.get().user, mobile=other.mobile, full_name="x"
        )


def test_contact_message_reaches_the_member_without_the_senders_number(staff, django_capture_on_commit_callbacks):
    member = active_member(actor=staff, kind="home", guild_licence_number="", contact_public=False)
    owner = member.user_links.get().user
    Notification.objects.all().delete()
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message = services.contact_message_send(
            member=member, sender_name="خریدار تهرانی", sender_mobile="09135550000", body="قیمت عمده باقلوا؟"
        )
    note = Notification.objects.get(user=owner)
    assert note.subject == "پیام تازه از خریدار تهرانی از طریق فهرست اعضا"
    assert note.body == "قیمت عمده باقلوا؟"
    assert all("09135550000" not in item["text"] for item in sms.outbox)
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.contact_message_reply(message=message, actor=owner, body="کیلویی ۴۰۰ هزار تومان")
    assert sms.outbox == [{"to": "09135550000", "text": f"پاسخ «{member.business_name}»\nکیلویی ۴۰۰ هزار تومان"}]
    assert member.mobile not in sms.outbox[0]["text"]
    assert ContactMessage.objects.get().replied_by == owner


def test_reply_by_someone_outside_the_member_is_refused(staff):
    member = active_member(actor=staff)
    message = services.contact_message_send(member=member, sender_name="x", sender_mobile="09135550000", body="y")
    with pytest.raises(PermissionDenied):
        services.contact_message_reply(message=message, actor=staff, body="z")


def test_approve_recreates_a_missing_counter_row_above_the_highest_number(staff):
    active_member(actor=staff)  # 1001
    MembershipCounter.objects.all().delete()
    assert services.member_approve(member=apply_member(), actor=staff).membership_number == 1002
    assert MembershipCounter.objects.get().last_number == 1002
