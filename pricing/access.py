"""Who may see which pricing page: decorators that answer 403 (wrong role) or send anonymous
visitors to the login page."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from members import roles


def _role_required(check):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


active_member_required = _role_required(roles.is_active_member)
union_head_required = _role_required(roles.is_union_head)
staff_required = _role_required(roles.is_estates_staff)
union_head_or_staff_required = _role_required(lambda user: roles.is_union_head(user) or roles.is_estates_staff(user))
