"""The audit trail: services call audit_record() inside their transaction, so the entry is
written exactly when the change is."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from .models import AuditEntry
from .validators import mask_identifier

SENSITIVE = {"password", "owner_national_id", "national_id", "token", "otp", "secret"}


def _plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "pk"):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return str(value)


def _mask(field: str, value):
    if field in SENSITIVE and value:
        return mask_identifier(value)
    return value


def snapshot(instance, fields) -> dict:
    """The current values of `fields` on `instance`, for diffing after a change."""
    return {field: _plain(getattr(instance, field)) for field in fields}


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields that changed (personal IDs masked)."""
    return {
        field: [_mask(field, before.get(field)), _mask(field, after.get(field))]
        for field in after
        if before.get(field) != after.get(field)
    }


def audit_record(*, actor, action: str, instance, changes: dict | None = None, note: str = "") -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=changes or {},
        note=note,
    )


def audit_entries_for(instance):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False), object_id=str(instance.pk)
    ).select_related("actor")


@transaction.atomic
def staff_edit_save(*, instance, actor, action: str, changes: dict, after=()) -> None:
    """The write behind a plain admin edit of a row that has no richer service: the row and its
    audit entry in one transaction; then the `after` callables (cache versions to bump with
    `core.fragment_cache.bump`, which bumps again when the transaction commits)."""
    instance.save()
    audit_record(actor=actor, action=action, instance=instance, changes=changes)
    for callback in after:
        callback()


@transaction.atomic
def staff_edit_delete(*, instance, actor, action: str, after=()) -> None:
    """The same for deleting a row in the admin (the audit entry keeps what it was)."""
    audit_record(actor=actor, action=action, instance=instance, changes={})
    instance.delete()
    for callback in after:
        callback()
