"""One way to guard a view by role. `role_required(*predicates)` takes the role checks as
arguments (functions of the user, e.g. `members.roles.is_estates_staff`), so this platform
module imports no app:

    staff_required = role_required(roles.is_estates_staff)
    signed_in_required = role_required()

Anonymous visitors are sent to the login page; a signed-in user for whom none of the
predicates holds gets 403. Which *object* a user may see is decided by each app's
`access.py` (`<thing>_for_user_or_404` helpers): another member's object is a 404."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def role_required(*predicates):
    """A view decorator: signed in, and (when predicates are given) at least one of them true
    for the user."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if predicates and not any(predicate(user) for predicate in predicates):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
