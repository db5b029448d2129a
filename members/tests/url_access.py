"""Every URL of the members app and who may see it (walked by tests/test_url_access.py)."""

from tests.access import ACTIVE_MEMBER, EVERYONE, LOGIN, MEMBER_A_OBJECT, PUBLIC, ROLES, SIGNED_IN, VISITORS, Rule


def _colleague_of_a(actors):
    from conftest import make_user
    from members.models import MemberUser

    user = make_user("09130000050", "همکار الف")
    link = MemberUser.objects.create(member=actors.a, user=user, role=MemberUser.Role.COLLEAGUE)
    return {"pk": link.pk}


def _message_to_a(actors):
    from members.models import ContactMessage

    message = ContactMessage.objects.create(
        member=actors.a, sender_name="خریدار", sender_mobile="09135555555", body="سلام، قیمت عمده؟"
    )
    return {"pk": message.pk}


def _invitation_of_a(actors):
    from members.models import Invitation

    Invitation.objects.create(member=actors.a, mobile="09130000060", full_name="همکار تازه", token="tok-a-1")
    return {"token": "tok-a-1"}


def _pending_invitation_of_a(actors):
    from members.models import Invitation

    invitation = Invitation.objects.create(member=actors.a, mobile="09130000061", full_name="همکار", token="tok-a-2")
    return {"pk": invitation.pk}


def _logo_of_a(actors):
    from members.tests.factories import give_logo

    give_logo(actors.a)
    return {"pk": actors.a.pk, "variant": "thumb"}


# The dashboard: every member's users (an applicant sees "awaiting approval"); people who act
# for no member business get 403.
MEMBER_USERS = {**ACTIVE_MEMBER, "applicant": 200}
REDIRECT_SIGNED_IN = {**dict.fromkeys(ROLES, 302), "anonymous": 200}
# Two-step sign-in pages (members/twofactor/). In the walk, staff, union head and superuser are
# signed in with their authenticator; the others have none.
_REDIRECT_WHEN_SIGNED_IN = {**dict.fromkeys(ROLES, 302), "anonymous": LOGIN}
_PRIVILEGED_302 = {"staff": 302, "union_head": 302, "superuser": 302}

URL_ACCESS = {
    "members:join": Rule(REDIRECT_SIGNED_IN),
    # Anonymous visitors with an application waiting for its SMS code (without one: back to
    # the form); signed-in users are sent on.
    "members:join_verify": Rule(dict.fromkeys(ROLES, 302)),
    "members:dashboard": Rule(MEMBER_USERS),
    "members:edit": Rule(ACTIVE_MEMBER),
    "members:change_request": Rule(ACTIVE_MEMBER),
    "members:colleague_invite": Rule(ACTIVE_MEMBER),  # the owner of an active member
    "members:colleague_remove": Rule({**MEMBER_A_OBJECT, "member_a": 302}, kwargs=_colleague_of_a, method="post"),
    "members:message_reply": Rule(
        {**MEMBER_A_OBJECT, "member_a": 302}, kwargs=_message_to_a, method="post", data={"body": "سلام، بله."}
    ),
    "members:invitation_cancel": Rule(
        {**MEMBER_A_OBJECT, "member_a": 302}, kwargs=_pending_invitation_of_a, method="post"
    ),
    # Only the invited number: a visitor creates the account; anyone else signed in gets 404.
    "members:invitation_accept": Rule({**dict.fromkeys(ROLES, 404), "anonymous": 200}, kwargs=_invitation_of_a),
    "members:directory": Rule(PUBLIC, public_cache=VISITORS),
    "members:directory_detail": Rule(PUBLIC, kwargs=lambda actors: {"pk": actors.a.pk}, public_cache=VISITORS),
    "members:contact": Rule(
        dict.fromkeys(ROLES, 302),
        kwargs=lambda actors: {"pk": actors.a.pk},
        method="post",
        data={"sender_name": "خریدار", "sender_mobile": "۰۹۱۳۵۵۵۵۵۵۵", "body": "سلام"},
    ),
    "members:logo": Rule(PUBLIC, kwargs=_logo_of_a, public_cache=EVERYONE),
    "twofactor:manage": Rule(SIGNED_IN),
    "twofactor:verify": Rule(_REDIRECT_WHEN_SIGNED_IN),  # to set-up (no device) or on (verified)
    "twofactor:setup": Rule({**SIGNED_IN, **_PRIVILEGED_302}),  # already set up → manage
    "twofactor:recovery": Rule(SIGNED_IN),
    "twofactor:disable": Rule(_REDIRECT_WHEN_SIGNED_IN, method="post"),
}
