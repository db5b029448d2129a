"""Every write to the members registry: applications, decisions, profile changes, change
requests, colleagues, contact messages. Each is atomic, audited and notifies on commit."""

import datetime
import secrets

import jdatetime
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.audit import audit_record, diff, snapshot
from core.jalali import format_date
from core.notifications import EMAIL, PORTAL, SMS, notify, notify_many, notify_staff, send_sms
from core.persian import digits_to_persian
from core.uploads import thumbnail

from .models import (
    ChangeRequest,
    ContactMessage,
    Invitation,
    Member,
    MembershipCounter,
    MembershipReminder,
    MembershipYear,
    MemberStatusChange,
    MemberUser,
    User,
)

S = Member.Status

# Which status may follow which (docs/design.md: applied → active → suspended / lapsed → resigned;
# applied → rejected). A suspended or lapsed member can be reinstated.
TRANSITIONS = {
    S.APPLIED: {S.ACTIVE, S.REJECTED},
    S.ACTIVE: {S.SUSPENDED, S.LAPSED, S.RESIGNED},
    S.SUSPENDED: {S.ACTIVE, S.LAPSED, S.RESIGNED},
    S.LAPSED: {S.ACTIVE, S.RESIGNED},
    S.RESIGNED: set(),
    S.REJECTED: set(),
}
REASON_REQUIRED = {S.REJECTED, S.SUSPENDED}

PROFILE_FIELDS = [
    "business_name",
    "brand",
    "owner_name",
    "mobile",
    "landline",
    "county",
    "address",
    "postal_code",
    "monthly_capacity_kg",
    "workers_count",
    "website",
    "instagram",
    "telegram",
    "directory_opt_in",
    "contact_public",
]
IDENTITY_FIELDS = ["kind", "owner_national_id", "legal_entity_id", "guild_licence_number"]
APPLICATION_FIELDS = IDENTITY_FIELDS + PROFILE_FIELDS


def _notify_member_users(member, *, subject, body="", url="", channels=(PORTAL, EMAIL, SMS)):
    """Tell every user acting for the member, in the portal's language."""
    with translation.override(settings.LANGUAGE_CODE):
        notify_many(
            users=[link.user for link in member.user_links.select_related("user")],
            subject=subject(),
            body=body() if callable(body) else body,
            url=url,
            channels=channels,
        )


def _record_status(member, *, actor, from_status, to_status, reason=""):
    MemberStatusChange.objects.create(
        member=member, from_status=from_status, to_status=to_status, changed_by=actor, reason=reason
    )


def _save_logo(member, logo) -> None:
    """logo: a core.uploads.CleanFile (already checked and re-encoded)."""

    old = (member.logo.name, member.logo_thumbnail.name) if member.logo else None
    member.logo.save(logo.content.name, logo.content, save=False)
    thumb = thumbnail(logo)
    member.logo_thumbnail.save(thumb.content.name, thumb.content, save=False)
    if old:
        storage = member.logo.storage

        def remove_old():
            for name in old:
                if name:
                    storage.delete(name)

        transaction.on_commit(remove_old)


def _remove_logo(member) -> None:
    names = [member.logo.name, member.logo_thumbnail.name]
    storage = member.logo.storage
    member.logo = member.logo_thumbnail = ""
    transaction.on_commit(lambda: [storage.delete(name) for name in names if name])


# --- applications ---------------------------------------------------------------------------


@transaction.atomic
def member_apply(*, member_data: dict, products, user_data: dict, logo=None) -> Member:
    """A visitor applies: creates the applicant's user (who can sign in at once), the member in
    status "applied" with the applicant as owner, and tells the estates staff."""
    user_data = dict(user_data)
    password = user_data.pop("password", None)
    password_hash = user_data.pop("password_hash", None)  # a password hashed while the number was verified
    try:
        with transaction.atomic():
            user = User.objects.create_user(user_data.pop("mobile"), password, **user_data)
            if password is None and password_hash:
                user.password = password_hash
                user.save(update_fields=["password"])
    except IntegrityError:  # the form checked it; this is the race between two submissions
        raise ValidationError(_("A user with this mobile number already exists."), code="duplicate") from None
    member = Member(**{key: member_data[key] for key in APPLICATION_FIELDS if key in member_data})
    member.status = S.APPLIED
    member.refresh_search_key()
    if logo is not None:
        _save_logo(member, logo)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise ValidationError(
            _("A member with this national ID, mobile number or licence number already exists."), code="duplicate"
        ) from None
    member.products.set(products)
    MemberUser.objects.create(member=member, user=user, role=MemberUser.Role.OWNER)
    _record_status(member, actor=user, from_status="", to_status=S.APPLIED)
    audit_record(
        actor=user, action="member.apply", instance=member, changes=diff({}, snapshot(member, ["kind", "status"]))
    )
    notify_staff(
        subject=_("New membership application: %(name)s") % {"name": member.business_name},
        body=_("%(kind)s producer in %(county)s. Review it in the administration.")
        % {"kind": member.get_kind_display(), "county": member.get_county_display()},
        url=reverse("admin:members_member_change", args=[member.pk]),
    )
    return member


def _next_membership_number() -> int:
    counter = MembershipCounter.objects.select_for_update().filter(id=1).first()
    if counter is None:  # the migration's row is gone (e.g. a flushed database): create it once
        try:
            with transaction.atomic():
                MembershipCounter.objects.create(id=1, last_number=1000)
        except IntegrityError:
            pass  # another approval created it first; its lock is taken below
        counter = MembershipCounter.objects.select_for_update().get(id=1)
    highest = Member.objects.aggregate(n=Max("membership_number"))["n"] or 0
    number = max(counter.last_number, highest) + 1
    counter.last_number = number
    counter.save(update_fields=["last_number"])
    return number


@transaction.atomic
def member_change_status(*, member: Member, actor, to_status: str, reason: str = "") -> Member:
    """The one place a member's status changes: checks the transition, keeps who/when/why,
    audits and tells the member's users."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    reason = (reason or "").strip()
    from_status = member.status
    if to_status not in TRANSITIONS[from_status]:
        raise ValidationError(
            _("A member cannot go from “%(old)s” to “%(new)s”.")
            % {"old": S(from_status).label, "new": S(to_status).label},
            code="bad_transition",
        )
    if to_status in REASON_REQUIRED and not reason:
        raise ValidationError(_("Please give a reason."), code="reason_required")
    before = snapshot(member, ["status", "membership_number"])
    member.status = to_status
    fields = ["status", "updated_at"]
    if to_status == S.ACTIVE and member.membership_number is None:
        member.membership_number = _next_membership_number()
        fields.append("membership_number")
    member.save(update_fields=fields)
    _record_status(member, actor=actor, from_status=from_status, to_status=to_status, reason=reason)
    audit_record(
        actor=actor,
        action=f"member.status.{to_status}",
        instance=member,
        changes=diff(before, snapshot(member, ["status", "membership_number"])),
        note=reason,
    )
    if to_status == S.ACTIVE and from_status == S.APPLIED:  # approval starts the first year
        _year_start(member=member, actor=actor, starts_on=timezone.localdate(), kind=MembershipYear.Kind.FIRST)
    dashboard = reverse("members:dashboard")
    if to_status == S.ACTIVE and from_status == S.APPLIED:
        number = member.membership_number
        _notify_member_users(
            member,
            subject=lambda: _("Your membership application was approved"),
            body=lambda: _("Welcome to the Qazvin Traditional-Sweets Cluster. Your membership number is %(number)s.")
            % {"number": number},
            url=dashboard,
        )
    elif to_status == S.REJECTED:
        _notify_member_users(
            member,
            subject=lambda: _("Your membership application was not approved"),
            body=lambda: _("Reason: %(reason)s") % {"reason": reason},
            url=dashboard,
        )
    else:
        label = S(to_status)

        def body():
            text = _("Your membership status is now: %(status)s.") % {"status": label.label}
            return f"{text}\n{_('Reason: %(reason)s') % {'reason': reason}}" if reason else text

        _notify_member_users(member, subject=lambda: _("Your membership status changed"), body=body, url=dashboard)
    return member


def member_approve(*, member: Member, actor) -> Member:
    return member_change_status(member=member, actor=actor, to_status=S.ACTIVE)


def member_reject(*, member: Member, actor, reason: str) -> Member:
    return member_change_status(member=member, actor=actor, to_status=S.REJECTED, reason=reason)


def member_suspend(*, member: Member, actor, reason: str) -> Member:
    return member_change_status(member=member, actor=actor, to_status=S.SUSPENDED, reason=reason)


STAFF_EDIT_FIELDS = [*APPLICATION_FIELDS, "staff_notes"]


@transaction.atomic
def member_staff_edit(
    *, member: Member, actor, data: dict, products=None, logo=None, remove_logo: bool = False
) -> Member:
    """Estates staff correct a member's record in the admin (identity fields too: they decide
    change requests). Only the fields in `data` change (and the products when given, the logo
    when given or removed); audited with before and after."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    before = snapshot(member, STAFF_EDIT_FIELDS)
    before_products = sorted(member.products.values_list("pk", flat=True))
    for field, value in data.items():
        if field not in STAFF_EDIT_FIELDS:
            raise ValidationError(_("This field cannot be changed here."), code="bad_field")
        setattr(member, field, value)
    member.refresh_search_key()
    old_logo = member.logo.name
    if logo is not None:
        _save_logo(member, logo)
    elif remove_logo and old_logo:
        _remove_logo(member)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise ValidationError(
            _("A member with this national ID, mobile number or licence number already exists."), code="duplicate"
        ) from None
    changes = diff(before, snapshot(member, STAFF_EDIT_FIELDS))
    if products is not None:
        after_products = sorted(product.pk for product in products)
        if after_products != before_products:
            member.products.set(products)
            changes["products"] = [before_products, after_products]
    if member.logo.name != old_logo:
        changes["logo"] = [old_logo, member.logo.name]
    if changes:
        audit_record(actor=actor, action="member.staff_edit", instance=member, changes=changes)
    return member


# --- self-service ---------------------------------------------------------------------------


@transaction.atomic
def member_update_profile(*, member: Member, actor, data: dict, products=None, logo=None) -> Member:
    """A member user edits the profile. Identity fields may change only while the application
    is still undecided; afterwards they go through member_request_change."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    editable = list(PROFILE_FIELDS) + ([] if member.identity_locked else IDENTITY_FIELDS)
    for field in IDENTITY_FIELDS:
        if member.identity_locked and field in data and data[field] != getattr(member, field):
            raise ValidationError(
                _("This field is locked after approval; send a change request to the staff."), code="locked"
            )
    before = snapshot(member, editable)
    before_products = sorted(member.products.values_list("pk", flat=True))
    for field in editable:
        if field in data:
            setattr(member, field, data[field])
    member.refresh_search_key()
    if logo is not None:
        _save_logo(member, logo)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise ValidationError(
            _("A member with this national ID, mobile number or licence number already exists."), code="duplicate"
        ) from None
    changes = diff(before, snapshot(member, editable))
    if products is not None:
        member.products.set(products)
        after_products = sorted(p.pk for p in products)
        if after_products != before_products:
            changes["products"] = [before_products, after_products]
    if logo is not None:
        changes["logo"] = ["", member.logo.name]
    if changes:
        audit_record(actor=actor, action="member.update", instance=member, changes=changes)
    return member


@transaction.atomic
def member_request_change(*, member: Member, actor, field: str, new_value: str, reason: str) -> ChangeRequest:
    if field not in ChangeRequest.Field.values:
        raise ValidationError(_("This field cannot be changed by request."), code="bad_field")
    if not reason.strip():
        raise ValidationError(_("Please give a reason."), code="reason_required")
    old_value = getattr(member, field) or ""
    if new_value == old_value:
        raise ValidationError(_("The requested value is the same as the current one."), code="unchanged")
    if ChangeRequest.objects.filter(member=member, field=field, status=ChangeRequest.Status.PENDING).exists():
        raise ValidationError(_("A request for this field is already waiting for the staff."), code="pending")
    request = ChangeRequest.objects.create(
        member=member, requested_by=actor, field=field, old_value=old_value, new_value=new_value, reason=reason
    )
    audit_record(
        actor=actor,
        action="member.change_request",
        instance=member,
        changes=diff({field: old_value}, {field: new_value}),
        note=reason,
    )
    notify_staff(
        subject=_("Change request from %(name)s") % {"name": member.business_name},
        body=_("Field: %(field)s") % {"field": request.get_field_display()},
        url=reverse("admin:members_changerequest_change", args=[request.pk]),
    )
    return request


@transaction.atomic
def change_request_decide(*, change_request: ChangeRequest, actor, approve: bool, note: str = "") -> ChangeRequest:
    change_request = (
        ChangeRequest.objects.select_for_update(of=("self",)).select_related("member").get(pk=change_request.pk)
    )
    if change_request.status != ChangeRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided."), code="decided")
    if not approve and not note.strip():
        raise ValidationError(_("Please give a reason."), code="reason_required")
    member = change_request.member
    if approve:
        field = change_request.field
        before = snapshot(member, [field])
        setattr(member, field, change_request.new_value)
        member.refresh_search_key()
        try:
            with transaction.atomic():
                member.save()
        except IntegrityError:
            raise ValidationError(
                _("Another member already has this national ID or licence number."), code="duplicate"
            ) from None
        audit_record(
            actor=actor,
            action="member.change_request.approved",
            instance=member,
            changes=diff(before, snapshot(member, [field])),
            note=note,
        )
    else:
        audit_record(actor=actor, action="member.change_request.rejected", instance=member, note=note)
    change_request.status = ChangeRequest.Status.APPROVED if approve else ChangeRequest.Status.REJECTED
    change_request.decided_by = actor
    change_request.decided_at = timezone.now()
    change_request.decision_note = note
    change_request.save()
    label = change_request.get_field_display
    if approve:
        subject = lambda: _("Your change request was approved: %(field)s") % {"field": label()}  # noqa: E731
    else:
        subject = lambda: _("Your change request was not approved: %(field)s") % {"field": label()}  # noqa: E731
    _notify_member_users(member, subject=subject, body=note, url=reverse("members:dashboard"), channels=(PORTAL, EMAIL))
    return change_request


# --- colleagues -----------------------------------------------------------------------------


def _require_owner(member, actor):
    if not MemberUser.objects.filter(member=member, user=actor, role=MemberUser.Role.OWNER).exists():
        raise PermissionDenied


@transaction.atomic
def member_invite_colleague(*, member: Member, actor, mobile: str, full_name: str, base_url: str = "") -> Invitation:
    """The owner invites a colleague; an SMS carries the link that lets them join (base_url:
    the site's address, e.g. request.build_absolute_uri("/"))."""
    _require_owner(member, actor)
    if MemberUser.objects.filter(user__mobile=mobile).exists():
        raise ValidationError(_("This mobile number already acts for a member business."), code="linked")
    Invitation.objects.filter(member=member, mobile=mobile, accepted_at__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=timezone.now()
    )
    invitation = Invitation.objects.create(
        member=member, invited_by=actor, mobile=mobile, full_name=full_name, token=secrets.token_urlsafe(32)
    )
    audit_record(actor=actor, action="member.invite", instance=member, changes={"invited": ["", mobile]})
    path = reverse("members:invitation_accept", kwargs={"token": invitation.token})
    with translation.override(settings.LANGUAGE_CODE):
        text = _("%(name)s invites you to act for %(business)s on the Qazvin Sweets Cluster portal: %(url)s") % {
            "name": actor.full_name,
            "business": member.business_name,
            "url": f"{base_url.rstrip('/')}{path}",
        }
    send_sms(to=mobile, text=text, private=True)  # the link lets its holder join the business
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user=None, full_name: str = "", password: str = "") -> MemberUser:
    """A new user (created here with the invited mobile) or the signed-in user with that mobile
    joins the member as a colleague."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(_("This invitation is no longer valid."), code="closed")
    if user is None:
        user = User.objects.create_user(invitation.mobile, password, full_name=full_name or invitation.full_name)
    elif user.mobile != invitation.mobile:
        raise PermissionDenied
    if MemberUser.objects.filter(user=user).exists():
        raise ValidationError(_("This mobile number already acts for a member business."), code="linked")
    link = MemberUser.objects.create(member=invitation.member, user=user, role=MemberUser.Role.COLLEAGUE)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(
        actor=user, action="member.colleague.join", instance=invitation.member, changes={"user": ["", user.mobile]}
    )
    return link


@transaction.atomic
def member_remove_colleague(*, member: Member, actor, link: MemberUser) -> None:
    _require_owner(member, actor)
    if link.member_id != member.pk:
        raise PermissionDenied
    if link.role == MemberUser.Role.OWNER:
        raise ValidationError(_("The owner cannot be removed."), code="owner")
    mobile = link.user.mobile
    link.delete()
    audit_record(actor=actor, action="member.colleague.remove", instance=member, changes={"user": [mobile, ""]})


@transaction.atomic
def invitation_cancel(*, invitation: Invitation, actor) -> None:
    _require_owner(invitation.member, actor)
    if invitation.accepted_at is None and invitation.cancelled_at is None:
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["cancelled_at"])
        audit_record(actor=actor, action="member.invite.cancel", instance=invitation.member)


# --- contact through the directory ----------------------------------------------------------


@transaction.atomic
def contact_message_send(*, member: Member, sender_user=None, sender_name: str, sender_mobile: str = "", body: str):
    """A visitor writes to a member. The member is told through the portal (and e-mail/SMS to
    their own users); neither side's number is shown to the other."""
    if sender_user is not None and sender_user.is_authenticated:
        sender_mobile = sender_user.mobile
    else:
        sender_user = None
    message = ContactMessage.objects.create(
        member=member, sender_user=sender_user, sender_name=sender_name, sender_mobile=sender_mobile, body=body
    )
    _notify_member_users(
        member,
        subject=lambda: _("New message from %(name)s through the directory") % {"name": sender_name},
        body=body,
        url=reverse("members:dashboard") + "#messages",
    )
    return message


@transaction.atomic
def contact_message_reply(*, message: ContactMessage, actor, body: str) -> ContactMessage:
    """The member answers; the portal relays it to the sender without showing numbers."""
    message = (
        ContactMessage.objects.select_for_update(of=("self",))
        .select_related("member", "sender_user")
        .get(pk=message.pk)
    )
    if not MemberUser.objects.filter(member=message.member, user=actor).exists():
        raise PermissionDenied
    message.reply = body
    message.replied_by = actor
    message.replied_at = timezone.now()
    message.save(update_fields=["reply", "replied_by", "replied_at"])
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Reply from %(business)s") % {"business": message.member.business_name}
    if message.sender_user is not None:
        notify(user=message.sender_user, subject=subject, body=body)
    elif message.sender_mobile:
        send_sms(to=message.sender_mobile, text=f"{subject}\n{body}")
    return message


# --- membership years -----------------------------------------------------------------------
# A membership runs by the (Jalali) year: approval starts the first, staff record each renewal,
# the member's users are reminded before it ends, and MEMBERSHIP_GRACE_DAYS after the end an
# unrenewed member lapses by itself (once per year: staff may reinstate with a reason).


def grace_days() -> int:
    return int(getattr(settings, "MEMBERSHIP_GRACE_DAYS", 30))


def reminder_days() -> list[int]:
    return sorted({int(days) for days in getattr(settings, "MEMBERSHIP_REMINDER_DAYS", [30, 7])}, reverse=True)


def renewal_open_days() -> int:
    return int(getattr(settings, "MEMBERSHIP_RENEWAL_OPEN_DAYS", 90))


def year_end_for(starts_on: datetime.date) -> datetime.date:
    """The last day of a membership year starting on `starts_on`: the day before the same Jalali
    date a year later (15 Mehr 1404 → 14 Mehr 1405). A start on 30 Esfand of a leap year is
    followed by 1 Farvardin two years on, so the year ends on the next year's last day."""
    start = jdatetime.date.fromgregorian(date=starts_on)
    try:
        following = jdatetime.date(start.year + 1, start.month, start.day)
    except ValueError:  # 30 Esfand, and the next year is not a leap year
        following = jdatetime.date(start.year + 2, 1, 1)
    return following.togregorian() - datetime.timedelta(days=1)


def _year_label(year: MembershipYear) -> str:
    return f"{format_date(year.starts_on)} – {format_date(year.ends_on)}"


def _year_span(year: MembershipYear | None) -> str:
    return f"{year.starts_on.isoformat()}/{year.ends_on.isoformat()}" if year else ""


def _member_year_users(member) -> list:
    return list(User.objects.filter(member_link__member=member, is_active=True).order_by("pk"))


def _days_text(days: int) -> str:
    return digits_to_persian(str(days)) if (translation.get_language() or "").startswith("fa") else str(days)


def membership_year_current(member: Member) -> MembershipYear | None:
    """The year that ends last (the current one, or the one that ended if not renewed)."""
    return MembershipYear.objects.filter(member=member).order_by("-ends_on", "-id").first()


def _year_start(*, member, actor, starts_on, kind, fee_reference="", note="") -> MembershipYear:
    previous = membership_year_current(member)
    year = MembershipYear.objects.create(
        member=member,
        starts_on=starts_on,
        ends_on=year_end_for(starts_on),
        kind=kind,
        renewed_by=actor,
        fee_reference=fee_reference,
        note=note,
    )
    changes = {"membership_year": [_year_span(previous), _year_span(year)]}
    if fee_reference:
        changes["fee_reference"] = ["", fee_reference]
    audit_record(actor=actor, action=f"member.year.{kind}", instance=member, changes=changes, note=note)
    return year


@transaction.atomic
def membership_renew(*, member: Member, actor, fee_reference: str = "", note: str = "", today=None) -> MembershipYear:
    """Estates staff record a renewal: the next year follows the current one without a gap when
    the renewal comes before the grace period ran out, otherwise it starts today. A lapsed
    member is active again (through member_change_status, with the renewal as the reason).
    Refused while the current year still has more than MEMBERSHIP_RENEWAL_OPEN_DAYS to run
    (a second click never adds a second year)."""

    member = Member.objects.select_for_update().get(pk=member.pk)
    today = today or timezone.localdate()
    fee_reference, note = (fee_reference or "").strip(), (note or "").strip()
    if member.status not in (S.ACTIVE, S.SUSPENDED, S.LAPSED):
        raise ValidationError(
            _("A membership in status “%(status)s” cannot be renewed.") % {"status": S(member.status).label},
            code="bad_status",
        )
    current = membership_year_current(member)
    if current is not None and (current.ends_on - today).days > renewal_open_days():
        raise ValidationError(
            _("The membership already runs until %(date)s; it can be renewed from %(days)s days before the end.")
            % {"date": format_date(current.ends_on), "days": _days_text(renewal_open_days())},
            code="already_renewed",
        )
    if current is not None and current.ends_on + datetime.timedelta(days=grace_days()) >= today:
        starts_on = current.ends_on + datetime.timedelta(days=1)
    else:
        starts_on = today
    year = _year_start(
        member=member,
        actor=actor,
        starts_on=starts_on,
        kind=MembershipYear.Kind.RENEWAL,
        fee_reference=fee_reference,
        note=note,
    )
    dashboard = reverse("members:dashboard")
    if member.status == S.LAPSED:
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("Membership renewed until %(date)s.") % {"date": format_date(year.ends_on)}
        member_change_status(member=member, actor=actor, to_status=S.ACTIVE, reason=reason)
    else:
        _notify_member_users(
            member,
            subject=lambda: _("Your membership was renewed"),
            body=lambda: _("Your membership year runs from %(start)s to %(end)s.")
            % {"start": format_date(year.starts_on), "end": format_date(year.ends_on)},
            url=dashboard,
        )
    return year


def _reminder_due(days_left: int) -> int | None:
    """The most urgent reminder already reached: with [30, 7] and 12 days left → 30; with 5 days
    left → 7 (a day the task did not run never sends the older, less urgent one)."""
    reached = [days for days in reminder_days() if 0 <= days_left <= days]
    return min(reached) if reached else None


def _latest_years():
    """Years no later year of the same member follows."""
    later = MembershipYear.objects.filter(member=OuterRef("member"), ends_on__gt=OuterRef("ends_on"))
    return MembershipYear.objects.filter(~Exists(later))


def membership_reminders_send(*, today=None) -> dict:
    """Renewal reminders due today to the users of active members whose year ends within the
    reminder days and is not yet renewed. Each MembershipReminder row is inserted first, in its
    own transaction: the unique constraint makes a second run (or worker) skip it."""
    today = today or timezone.localdate()
    offsets = reminder_days()
    result = {"sent": 0, "skipped": 0}
    if not offsets:
        return result
    horizon = today + datetime.timedelta(days=max(offsets))
    years = (
        _latest_years()
        .filter(ends_on__gte=today, ends_on__lte=horizon, member__status=S.ACTIVE)
        .select_related("member")
        .order_by("ends_on", "id")
    )
    already = set(
        MembershipReminder.objects.filter(year__ends_on__gte=today, year__ends_on__lte=horizon).values_list(
            "year_id", "days_before"
        )
    )
    for year in years.iterator(chunk_size=500):
        days_before = _reminder_due((year.ends_on - today).days)
        if days_before is None:
            continue
        if (year.pk, days_before) in already or not _remind_once(year=year, days_before=days_before, today=today):
            result["skipped"] += 1
        else:
            result["sent"] += 1
    return result


def _remind_once(*, year, days_before, today) -> bool:
    try:
        with transaction.atomic():
            reminder = MembershipReminder.objects.create(year=year, days_before=days_before)
            days_left = (year.ends_on - today).days
            with translation.override(settings.LANGUAGE_CODE):
                if days_left == 0:
                    subject = _("Your membership ends today")
                else:
                    subject = _("Your membership ends in %(days)s days") % {"days": _days_text(days_left)}
                body = _(
                    "Your membership year ends on %(date)s. To renew, pay the annual fee and give the receipt "
                    "to the estates staff. Without renewal the membership lapses on %(lapse)s."
                ) % {
                    "date": format_date(year.ends_on),
                    "lapse": format_date(year.ends_on + datetime.timedelta(days=grace_days() + 1)),
                }
                reminder.recipients = notify_many(
                    users=_member_year_users(year.member),
                    subject=subject,
                    body=body,
                    url=reverse("members:dashboard") + "#membership-year",
                )
            reminder.save(update_fields=["recipients"])
            audit_record(
                actor=None,
                action="member.year.reminder",
                instance=year.member,
                changes={"days_before": days_before, "ends_on": year.ends_on.isoformat()},
            )
    except IntegrityError:
        return False
    return True


def membership_lapse_due(*, today=None) -> dict:
    """Members whose latest year ended more than MEMBERSHIP_GRACE_DAYS ago lapse, through
    member_change_status (history, audit, the member's users told). Once per year: a year
    already lapsed is never lapsed again, so staff may reinstate the member with a reason."""
    today = today or timezone.localdate()
    last_covered = today - datetime.timedelta(days=grace_days() + 1)
    candidates = list(
        _latest_years()
        .filter(ends_on__lte=last_covered, lapsed_at__isnull=True, member__status__in=[S.ACTIVE, S.SUSPENDED])
        .order_by("ends_on", "id")
        .values_list("pk", flat=True)
    )
    result = {"lapsed": 0, "skipped": 0}
    for pk in candidates:
        result["lapsed" if _lapse_once(year_pk=pk, last_covered=last_covered) else "skipped"] += 1
    return result


@transaction.atomic
def _lapse_once(*, year_pk, last_covered) -> bool:
    year = MembershipYear.objects.select_for_update().select_related("member").get(pk=year_pk)
    member = Member.objects.select_for_update().get(pk=year.member_id)
    newer = MembershipYear.objects.filter(member=member, ends_on__gt=year.ends_on).exists()
    if year.lapsed_at is not None or newer or member.status not in (S.ACTIVE, S.SUSPENDED):
        return False  # another worker did it, or staff renewed or changed the status meanwhile
    if year.ends_on > last_covered:
        return False
    year.lapsed_at = timezone.now()
    year.save(update_fields=["lapsed_at"])
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("The membership year ended on %(date)s and was not renewed within %(days)s days.") % {
            "date": format_date(year.ends_on),
            "days": _days_text(grace_days()),
        }
    member_change_status(member=member, actor=None, to_status=S.LAPSED, reason=reason)
    return True
