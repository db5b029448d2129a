"""Who may use which estate page: the milestones and the published ranking are public;
following, the demand register and one's own rank are for users of active members. There
are no ids in the member's URLs: a member only ever reaches its own registration."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from members import roles


def active_member_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not roles.is_active_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
