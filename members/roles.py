"""Roles: groups created by a migration; one place that answers "may this user …?"."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import F
from django.db.models.signals import m2m_changed, post_save, pre_delete

from core import auth_cache
from core.groups import is_estates_staff, user_in_group

ESTATES_STAFF = settings.ESTATES_STAFF_GROUP
UNION_HEAD = "union_head"
PANELIST = "panelist"
ALL_GROUPS = (ESTATES_STAFF, UNION_HEAD, PANELIST)


__all__ = ["is_estates_staff", "is_union_head", "is_panelist", "member_of", "is_active_member", "estates_staff_users"]


def is_union_head(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user_in_group(user, UNION_HEAD))


def is_panelist(user) -> bool:
    return user_in_group(user, PANELIST)


def member_of(user):
    """The member business this user acts for, or None (cached on the user object)."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_member_cache"):
        from .selectors import member_for_user

        user._member_cache = member_for_user(user.pk)  # one query, read once per request
    return user._member_cache


def is_active_member(user) -> bool:
    member = member_of(user)
    return member is not None and member.is_active_member


def estates_staff_users():
    return get_user_model().objects.filter(groups__name=ESTATES_STAFF, is_active=True).distinct()


# --- privilege stamp: privileges follow the user, not the session ------------------------------
# `User.privilege_version` is renewed whenever what the user may do could have changed: staff or
# superuser flags, active flag (the model's save), groups, permissions, a group's permissions,
# a group deleted or renamed, authenticators added or removed (members.twofactor.services).
# Sessions remember the stamp they checked the user's roles under (members.twofactor.policy)
# and work the roles out again on their next request when it differs.


def privileges_changed(*user_ids) -> None:
    ids = {user_id for user_id in user_ids if user_id}
    if ids:
        get_user_model().objects.filter(pk__in=ids).update(privilege_version=F("privilege_version") + 1)
        auth_cache.forget(*ids)  # the signed-in users' cached rows carry the stamp


def _group_user_ids(group_ids):
    return list(get_user_model().objects.filter(groups__in=group_ids).values_list("pk", flat=True).distinct())


def _user_m2m_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """User.groups / User.user_permissions, from either side."""
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            privileges_changed(instance.pk)
        return
    if action == "pre_clear":  # the users are gone from the relation once it is cleared
        instance._privilege_users_before_clear = list(
            sender.objects.filter(**{_reverse_field(sender, instance): instance.pk}).values_list("user_id", flat=True)
        )
    elif action in ("post_add", "post_remove"):
        privileges_changed(*(pk_set or ()))
    elif action == "post_clear":
        privileges_changed(*getattr(instance, "_privilege_users_before_clear", ()))


def _reverse_field(through, instance) -> str:
    for field in through._meta.concrete_fields:
        if field.is_relation and isinstance(instance, field.related_model):
            return field.attname
    raise LookupError(through)


def _group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    group_ids = [instance.pk] if not reverse else list(pk_set or ())
    if reverse and action == "post_clear":
        return  # a permission's groups cleared: only when a permission is deleted
    privileges_changed(*_group_user_ids(group_ids))


def _group_saved(sender, instance, created, **kwargs):
    if not created:  # a renamed group may now be (or no longer be) a role
        privileges_changed(*_group_user_ids([instance.pk]))


def _group_deleting(sender, instance, **kwargs):
    privileges_changed(*_group_user_ids([instance.pk]))


def connect_signals() -> None:
    user_model = get_user_model()
    m2m_changed.connect(_user_m2m_changed, sender=user_model.groups.through, dispatch_uid="roles.user_groups")
    m2m_changed.connect(
        _user_m2m_changed, sender=user_model.user_permissions.through, dispatch_uid="roles.user_permissions"
    )
    m2m_changed.connect(_group_permissions_changed, sender=Group.permissions.through, dispatch_uid="roles.group_perms")
    post_save.connect(_group_saved, sender=Group, dispatch_uid="roles.group_saved")
    pre_delete.connect(_group_deleting, sender=Group, dispatch_uid="roles.group_deleting")
