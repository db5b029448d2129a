"""Group membership, read once per request: the primitive the domain's role checks build on
(members.roles). The platform itself knows one group by name, the estates staff's
(`settings.ESTATES_STAFF_GROUP`), for staff notifications and staff-only admin pages."""

from django.conf import settings


def user_in_group(user, name: str) -> bool:
    """Whether a signed-in user belongs to the group `name` (the user's group names are read
    in one query and kept on the user object for the rest of the request)."""
    if not user.is_authenticated:
        return False
    names = getattr(user, "_group_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._group_names = names
    return name in names


def is_estates_staff(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user_in_group(user, settings.ESTATES_STAFF_GROUP))
