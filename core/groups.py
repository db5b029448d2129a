"""Group membership, read once per request: the primitive the domain's role checks build on
(members.roles). The platform itself knows one group by name, the estates staff's
(`settings.ESTATES_STAFF_GROUP`), for staff notifications and staff-only admin pages."""

from django.conf import settings
from django.core.cache import cache

from . import auth_cache

GROUP_NAMES_SECONDS = 3600


def _group_names_key(user) -> str | None:
    """The user's group names are kept in the shared cache under the user's privilege stamp
    (`User.privilege_version`, renewed whenever a group is added or removed, or a group renamed
    or deleted: members.roles) and the account's creation time (a database rebuilt with the same
    ids never meets them); None for a user model without the stamp."""
    version = getattr(user, "privilege_version", None)
    joined = getattr(user, "date_joined", None)
    if not isinstance(version, int) or joined is None:
        return None
    return f"groups:{user.pk}:{joined.timestamp():.6f}:{version}"


def user_in_group(user, name: str) -> bool:
    """Whether a signed-in user belongs to the group `name`. The user's group names are read
    once per request (kept on the user object), from the shared cache while the user's
    privilege stamp is unchanged, else in one query."""
    if not user.is_authenticated:
        return False
    names = getattr(user, "_group_names", None)
    if names is None:
        key = _group_names_key(user)
        names = cache.get(key) if key else None
        if names is None:
            names = frozenset(user.groups.values_list("name", flat=True))
            if key:
                cache.set(key, names, GROUP_NAMES_SECONDS)
        user._group_names = names
        # Read with the user's row on the next requests (core.auth_cache).
        auth_cache.remember_groups(user, names)
    return name in names


def is_estates_staff(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user_in_group(user, settings.ESTATES_STAFF_GROUP))
