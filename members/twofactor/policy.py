"""Who needs the second factor, and whether this session has given it.

Estates staff, the union head and superusers must confirm a code from an authenticator app
before any page answers them (the first time they set the app up). Members may turn it on too;
once they have, their sessions ask for the code as well.

Privileges follow the user, not the session: the session remembers the requirement together
with the user's privilege stamp (`User.privilege_version`, renewed whenever the user's staff
flags, groups, permissions or authenticators change — `members.roles`). The stamp is on the
user's row, which every signed-in request reads anyway, so comparing it costs no query; only
when it differs is the requirement worked out again (and a privileged user must then give a
fresh code: a session opened before the change never carries the new rights)."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from members.roles import is_estates_staff, is_union_head

# [the user's privilege stamp, whether the code is required, the privileged roles held]
REQUIRED_SESSION_KEY = "_otp_required"
NEW_CODES_SESSION_KEY = "_otp_new_recovery_codes"
RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "authenticator"


def privileges(user) -> list[str]:
    """The privileged roles the user holds now (what a second factor protects)."""
    if not user.is_authenticated:
        return []
    held = {
        "staff": user.is_staff,
        "superuser": user.is_superuser,
        "estates_staff": is_estates_staff(user),
        "union_head": is_union_head(user),
    }
    return [name for name, has in held.items() if has]


def is_privileged(user) -> bool:
    """Estates staff, the union head and superusers: the people who reach the admin, the price
    review and the reports."""
    return bool(privileges(user))


def has_totp(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def otp_required(user) -> bool:
    return is_privileged(user) or has_totp(user)


def remember_requirement(request, user, *, required=None) -> None:
    """Store in the session whether `user` needs the code, under their current stamp."""
    held = privileges(user)
    if required is None:
        required = bool(held) or has_totp(user)
    request.session[REQUIRED_SESSION_KEY] = [user.privilege_version, bool(required), held]


def on_user_logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        user.refresh_from_db(fields=["privilege_version"])  # the stamp the roles are read under
        remember_requirement(request, user)


def session_needs_otp(request) -> bool:
    """Whether this signed-in session must have given the second factor. No query while the
    user's privilege stamp is the one the session remembers."""
    user = request.user
    remembered = request.session.get(REQUIRED_SESSION_KEY)
    stamp = user.privilege_version
    if isinstance(remembered, list) and len(remembered) == 3 and remembered[0] == stamp:
        required = remembered[1]
    else:
        # Signed in before the user's privileges (or authenticators) changed, or a session from
        # before this check existed: work it out again from the user's current roles.
        held = privileges(user)
        required = bool(held) or has_totp(user)
        before = set(remembered[2]) if isinstance(remembered, list) and len(remembered) == 3 else None
        if before is not None and not set(held) <= before and user.is_verified():
            # A right gained needs a code typed after it was given (which also gives the
            # session a new key); a right lost needs nothing more.
            request.session.pop(DEVICE_ID_SESSION_KEY, None)
            user.otp_device = None
        request.session[REQUIRED_SESSION_KEY] = [stamp, required, held]
    return bool(required or user.is_staff or user.is_superuser)
