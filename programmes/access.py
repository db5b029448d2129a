"""Who may see which programmes page: decorators that send anonymous visitors to the login
page and answer 403 to the wrong role. Another member's application or document is a 404
(selectors.application_for_user_or_404 / document_for_user_or_404)."""

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
staff_required = _role_required(roles.is_estates_staff)
member_or_staff_required = _role_required(lambda user: roles.is_estates_staff(user) or roles.is_active_member(user))
