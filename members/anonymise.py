"""Anonymising a member who has left (resigned) or was never admitted (rejected): estates staff
erase the people behind the record while the record itself stays, so that price statistics,
event attendance, permit counts and membership numbers remain right.

Erased: names, national and legal IDs, phone numbers, address, postal code, licence number,
web pages, logo files, staff notes; the member's users (name, number, e-mail, password,
authenticator) who belong to no other member; colleagues' invitations; contact messages;
workers' names and national IDs and the scanned permit documents; personal values in the
member's change requests and audit entries, and its former names wherever other records quote
them (audit entries' labels, notifications). Kept: kind, county, status, membership number,
products, capacity, dates, price submissions, permit cases and issued permits."""

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import fragment_cache
from core.audit import audit_record
from core.models import AuditEntry, Notification
from core.notifications import deliveries_forget

from .extensions import member_erasers
from .models import ChangeRequest, ContactMessage, Invitation, Member, MemberUser

ANONYMISABLE = (Member.Status.RESIGNED, Member.Status.REJECTED)
ERASED_TEXT_FIELDS = (
    "brand",
    "owner_name",
    "legal_entity_id",
    "landline",
    "address",
    "postal_code",
    "guild_licence_number",
    "website",
    "instagram",
    "telegram",
    "staff_notes",
)
PERSONAL_KEYS = {
    *ERASED_TEXT_FIELDS,
    "business_name",
    "owner_national_id",
    "mobile",
    "full_name",
    "national_id",
    "email",
}
ERASED = "—"


def anonymised_label(member) -> str:
    return f"ANON-{member.pk}"


def is_anonymised(member) -> bool:
    return member.owner_national_id == placeholder_id(member.pk, 10)


def placeholder_id(pk: int, length: int) -> str:
    """Unique (the columns are), never a valid national ID or mobile number (starts with X)."""
    return ("X" + str(pk).rjust(length - 1, "0"))[:length]


def _scrub(changes):
    if isinstance(changes, dict):
        return {key: (ERASED if key in PERSONAL_KEYS else _scrub(value)) for key, value in changes.items()}
    return changes


def erase_audit_keys(model, object_ids, keys) -> None:
    """Erases the values under `keys` in the audit entries of these objects (for the apps'
    erasers: e.g. the free-text note of a member's offers)."""
    content_type = ContentType.objects.get_for_model(model)
    keys = set(keys)

    def scrub(changes):
        if isinstance(changes, dict):
            return {key: (ERASED if key in keys else scrub(value)) for key, value in changes.items()}
        return changes

    entries = AuditEntry.objects.filter(content_type=content_type, object_id__in=[str(pk) for pk in object_ids])
    for entry in entries:
        AuditEntry.objects.filter(pk=entry.pk).update(changes=scrub(entry.changes))


def _replace_quoted_names(names, label) -> None:
    """The member's former names where other records quote them: audit entries' labels (the
    label of an offer, a packaging line, a label proof names the business) and notifications'
    subjects and bodies (a staff notice about the member's label)."""
    from django.db.models import Q

    for name in names:
        for entry in AuditEntry.objects.filter(object_repr__contains=name).only("pk", "object_repr"):
            AuditEntry.objects.filter(pk=entry.pk).update(object_repr=entry.object_repr.replace(name, label))
        for note in Notification.objects.filter(Q(subject__contains=name) | Q(body__contains=name)).only(
            "pk", "subject", "body"
        ):
            Notification.objects.filter(pk=note.pk).update(
                subject=note.subject.replace(name, label), body=note.body.replace(name, label)
            )


def _erase_user(user):
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _forget_sign_ins(user.mobile)
    user.full_name = ""
    user.email = ""
    user.mobile = placeholder_id(user.pk, 11)
    user.is_active = False
    user.set_unusable_password()  # also ends every session of the user (the session hash changes)
    user.save(update_fields=["full_name", "email", "mobile", "is_active", "password"])
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def _forget_sign_ins(mobile):
    """django-axes keeps the number of every sign-in and failed attempt."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username=mobile).delete()


@transaction.atomic
def member_anonymise(*, member: Member, actor) -> Member:
    member = Member.objects.select_for_update().get(pk=member.pk)
    if is_anonymised(member):
        raise ValidationError(_("This member has already been anonymised."))
    if member.status not in ANONYMISABLE:
        raise ValidationError(_("Only a resigned or rejected member can be anonymised."))
    logo_names = [field.name for field in (member.logo, member.logo_thumbnail) if field]
    # The names other records may quote (an audit entry's label for an offer or a packaging
    # line, a staff notification's subject): replaced by the anonymised label below.
    quoted_names = sorted(
        {name for name in (member.business_name, member.brand, member.owner_name) if len(name or "") >= 3},
        key=len,
        reverse=True,
    )
    addresses = {member.mobile}  # e-mails and SMS sent to the people erased below
    addresses.update(Invitation.objects.filter(member=member).values_list("mobile", flat=True))
    addresses.update(ContactMessage.objects.filter(member=member).values_list("sender_mobile", flat=True))
    _forget_sign_ins(member.mobile)
    for name in ERASED_TEXT_FIELDS:
        setattr(member, name, "")
    member.business_name = anonymised_label(member)
    member.owner_national_id = placeholder_id(member.pk, 10)
    member.mobile = placeholder_id(member.pk, 11)
    member.logo = member.logo_thumbnail = ""
    member.directory_opt_in = member.contact_public = False
    member.refresh_search_key()
    member.save()

    links = MemberUser.objects.filter(member=member).select_related("user")
    for link in links:
        user = link.user
        belongs_elsewhere = MemberUser.objects.filter(user=user).exclude(member=member).exists()
        if not (user.is_staff or user.is_superuser or belongs_elsewhere):
            addresses.update((user.mobile, user.email))
            _erase_user(user)
    Invitation.objects.filter(member=member).update(mobile="", full_name=ERASED)
    ContactMessage.objects.filter(member=member).delete()
    ChangeRequest.objects.filter(member=member).update(old_value=ERASED, new_value=ERASED, reason=ERASED)
    for eraser in member_erasers():  # what the other apps keep about the member
        eraser(member)
    deliveries_forget(addresses=addresses)
    member_type = ContentType.objects.get_for_model(Member)
    for entry in AuditEntry.objects.filter(object_id=str(member.pk), content_type=member_type):
        AuditEntry.objects.filter(pk=entry.pk).update(changes=_scrub(entry.changes), object_repr=member.business_name)
    _replace_quoted_names(quoted_names, member.business_name)

    default = storages["default"]
    transaction.on_commit(lambda: [default.delete(name) for name in logo_names])
    audit_record(actor=actor, action="member_anonymise", instance=member)
    # Every cached page or fragment naming people (the Q&A) is outdated at once.
    fragment_cache.bump(fragment_cache.PEOPLE)
    return member


@admin.action(description=_("Anonymise (resigned or rejected members only)"))
def anonymise_members(modeladmin, request, queryset):
    done = 0
    for member in queryset:
        try:
            member_anonymise(member=member, actor=request.user)
            done += 1
        except ValidationError as error:
            modeladmin.message_user(request, f"{member}: {' '.join(error.messages)}", messages.WARNING)
    if done:
        modeladmin.message_user(request, gettext("%(count)s members anonymised.") % {"count": done}, messages.SUCCESS)


def _register_admin_action():
    model_admin = admin.site._registry.get(Member)
    if model_admin is not None and "anonymise_members" not in [getattr(a, "__name__", a) for a in model_admin.actions]:
        type(model_admin).actions = [*type(model_admin).actions, anonymise_members]


_register_admin_action()
