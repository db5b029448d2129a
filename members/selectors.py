"""Reads of the members registry, scoped to who asks. Directory reads never expose a hidden
address or number: templates get only what the viewer may see."""

import datetime
import functools

from django.db import connection
from django.db.models import Count, Prefetch, Q, Window
from django.http import Http404
from django.utils import timezone, translation

from catalogue.models import Product
from core.models import Notification
from core.persian import normalize_digits_only, search_key
from core.statements import aware_datetime

from .models import (
    ChangeRequest,
    ContactMessage,
    County,
    Invitation,
    Member,
    MembershipYear,
    MemberStatusChange,
    MemberUser,
    User,
)

PUBLIC_PRODUCTS = Prefetch(
    "products", queryset=Product.objects.filter(is_active=True).order_by("sort_order", "name_fa")
)


def _shown_fields_match(key: str) -> Q:
    """The search matches only what the directory shows every visitor: the business name and
    brand, the products' names (Persian or English) and the county's name. Never the owner's
    name, the licence number or an address (staff search those in the admin)."""
    condition = Q(directory_key__contains=key)
    counties = []
    for code, label in County.choices:
        names = set()
        for language in ("fa", "en"):
            with translation.override(language):
                names.add(search_key(str(label)))
        if any(key in name for name in names):
            counties.append(code)
    if counties:
        condition |= Q(county__in=counties)
    products = [
        pk
        for pk, name_fa, name_en in Product.objects.filter(is_active=True).values_list("pk", "name_fa", "name_en")
        if key in search_key(name_fa) or (name_en and key in search_key(name_en))
    ]
    if products:
        makers = Member.products.through.objects.filter(product_id__in=products).values("member_id")
        condition |= Q(pk__in=makers)
    return condition


def directory_members(*, query: str = "", product: Product | None = None, county: str = ""):
    """Active members that chose to be listed; products prefetched (constant query count)."""
    members = Member.objects.filter(status=Member.Status.ACTIVE, directory_opt_in=True)
    if query:
        key = search_key(query)
        if key:
            members = members.filter(_shown_fields_match(key))
    if product is not None:
        members = members.filter(products=product)
    if county:
        members = members.filter(county=county)
    # No DISTINCT: filtering by one product matches each member at most once (a member has a
    # product once), and DISTINCT would sort every matching row on all its columns.
    return members.prefetch_related(PUBLIC_PRODUCTS).order_by("business_name", "id")


def directory_member_or_404(pk: int) -> Member:
    try:
        return (
            Member.objects.filter(status=Member.Status.ACTIVE, directory_opt_in=True)
            .prefetch_related(PUBLIC_PRODUCTS)
            .get(pk=pk)
        )
    except Member.DoesNotExist:
        raise Http404 from None


def public_contact(member: Member) -> dict:
    """What the directory may show of a member's contact details. A member that keeps them
    private (home producers by default) shows the county only."""
    contact = {"county": member.get_county_display(), "website": member.website}
    contact["instagram"] = member.instagram
    contact["telegram"] = member.telegram
    if member.contact_public:
        contact.update(address=member.address, mobile=member.mobile, landline=member.landline)
    return contact


def member_logo_or_404(*, pk: int, user, variant: str):
    """The logo file of a member the viewer may see: listed in the directory, or the viewer's
    own member, or any member for staff."""
    from . import roles

    if variant not in ("full", "thumb"):
        raise Http404
    member = Member.objects.filter(pk=pk).first()
    if member is None:
        raise Http404
    listed = member.status == Member.Status.ACTIVE and member.directory_opt_in
    own = roles.member_of(user) is not None and roles.member_of(user).pk == member.pk
    if not (listed or own or roles.is_estates_staff(user)):
        raise Http404
    field = member.logo_thumbnail if variant == "thumb" else member.logo
    if not field:
        raise Http404
    return field


# --- the dashboard's own lists ------------------------------------------------------------------
# The view reads them in hand-written statements (`member_dashboard_lists`, docs/CONVENTIONS.md);
# `member_dashboard_data` is the ORM read they stand for, which the test compares them with.

NOTIFICATIONS_LIMIT = 5
MESSAGES_LIMIT = 10
CHANGE_REQUESTS_LIMIT = 5
STATUS_CHANGES_LIMIT = 5
MEMBERSHIP_YEARS_LIMIT = 20


def _latest_notifications(user, limit=NOTIFICATIONS_LIMIT) -> list:
    """The newest notifications and, in the same query, how many are unread (a window over all
    of the user's rows, computed before the limit): the navigation's badge reads it from the
    user object instead of counting again (core.notifications.unread_count)."""
    rows = list(
        Notification.objects.filter(user=user).annotate(
            unread_total=Window(Count("id", filter=Q(read_at__isnull=True)))
        )[:limit]
    )
    user._unread_count = rows[0].unread_total if rows else 0
    return rows


def member_dashboard_data(*, member: Member, user) -> dict:
    """The ORM read of the members app's dashboard lists (model instances): what
    `member_dashboard_lists` stands for, kept for the test that compares the two."""
    links = list(member.user_links.select_related("user").order_by("-role", "created_at", "id"))
    is_owner = any(link.user_id == user.pk and link.role == MemberUser.Role.OWNER for link in links)
    return {
        "links": links,
        "is_owner": is_owner,
        "invitations": list(
            Invitation.objects.filter(member=member, accepted_at__isnull=True, cancelled_at__isnull=True)
        )
        if is_owner
        else [],
        "notifications": _latest_notifications(user),
        "contact_messages": list(ContactMessage.objects.filter(member=member)[:MESSAGES_LIMIT]),
        "change_requests": list(ChangeRequest.objects.filter(member=member)[:CHANGE_REQUESTS_LIMIT]),
        "status_changes": list(MemberStatusChange.objects.filter(member=member)[:STATUS_CHANGES_LIMIT]),
        "years": list(
            MembershipYear.objects.filter(member=member).order_by("-ends_on", "-id")[:MEMBERSHIP_YEARS_LIMIT]
        ),
    }


@functools.cache
def _member_for_user_sql() -> str:
    member, link = Member._meta, MemberUser._meta
    columns = ", ".join(f"m.{field.column}" for field in member.concrete_fields)
    return f"""
        SELECT {columns} FROM {link.db_table} l JOIN {member.db_table} m ON m.id = l.member_id
        WHERE l.user_id = %s
    """  # noqa: S608 (table and column names from the models, the value a parameter)


def member_for_user(user_id) -> Member | None:
    """The member business the user acts for, or None: `members.roles.member_of`'s read, on
    every signed-in request. One statement by hand (`Member.objects.raw`: Django's own column
    conversions and model instance) instead of the ORM's link-and-member query, which cost
    about 0.7 ms a request to build against 0.26 ms (a user has at most one link)."""
    return next(iter(Member.objects.raw(_member_for_user_sql(), [user_id])), None)


@functools.cache
def _dashboard_sql() -> dict[str, str]:
    """The statements of `member_dashboard_lists`, one a list, each `member_dashboard_data`'s
    read with only the columns the page shows, in the same order and with the same limit."""
    link, user, invitation, notification, message, change, status, year = (
        model._meta.db_table
        for model in (
            MemberUser,
            User,
            Invitation,
            Notification,
            ContactMessage,
            ChangeRequest,
            MemberStatusChange,
            MembershipYear,
        )
    )
    return {
        "links": f"""
            SELECT l.id, l.user_id, l.role, u.full_name FROM {link} l JOIN {user} u ON u.id = l.user_id
            WHERE l.member_id = %s ORDER BY l.role DESC, l.created_at, l.id
        """,  # noqa: S608 (table names from the models, values are parameters)
        "invitations": f"""
            SELECT i.id, i.full_name FROM {invitation} i
            WHERE i.member_id = %s AND i.accepted_at IS NULL AND i.cancelled_at IS NULL
            ORDER BY i.created_at DESC, i.id DESC
        """,  # noqa: S608 (table names from the models, values are parameters)
        "notifications": f"""
            SELECT n.subject, n.url, n.created_at, n.read_at,
                COUNT(CASE WHEN n.read_at IS NULL THEN 1 END) OVER ()
            FROM {notification} n WHERE n.user_id = %s ORDER BY n.created_at DESC, n.id DESC LIMIT %s
        """,  # noqa: S608 (table names from the models, values are parameters)
        "contact_messages": f"""
            SELECT m.id, m.sender_name, m.body, m.reply, m.replied_at, m.created_at FROM {message} m
            WHERE m.member_id = %s ORDER BY m.created_at DESC, m.id DESC LIMIT %s
        """,  # noqa: S608 (table names from the models, values are parameters)
        "change_requests": f"""
            SELECT c.field, c.new_value, c.status FROM {change} c
            WHERE c.member_id = %s ORDER BY c.created_at DESC, c.id DESC LIMIT %s
        """,  # noqa: S608 (table names from the models, values are parameters)
        "status_changes": f"""
            SELECT s.to_status, s.reason, s.created_at FROM {status} s
            WHERE s.member_id = %s ORDER BY s.created_at DESC, s.id DESC LIMIT %s
        """,  # noqa: S608 (table names from the models, values are parameters)
        "years": f"""
            SELECT y.starts_on, y.ends_on, y.kind, y.renewed_at, y.fee_reference, y.lapsed_at FROM {year} y
            WHERE y.member_id = %s ORDER BY y.ends_on DESC, y.id DESC LIMIT %s
        """,  # noqa: S608 (table names from the models, values are parameters)
    }


def _label(choices, value) -> str:
    """A choice's label in the active language, as `get_<field>_display` gives it (the value
    itself when it is not one of the choices)."""
    return str(dict(choices.choices).get(value, value))


def member_dashboard_lists(*, member: Member, user) -> dict:
    """What the members app itself shows on the dashboard, as plain dicts: the people acting
    for the business (`links`; `invitations` still open, for the owner only), the user's latest
    `notifications` (the unread count left on the user for the navigation's badge, as
    `_latest_notifications` does), the directory's `contact_messages`, the `change_requests`,
    the `status_changes` and the `membership` year's summary. One statement a list (six, seven
    for the owner), whatever the number of rows."""
    sql = _dashboard_sql()
    with connection.cursor() as cursor:

        def rows(name, *params):
            cursor.execute(sql[name], params)
            return cursor.fetchall()

        links = [
            {"id": pk, "user_id": user_id, "role": role, "role_label": _label(MemberUser.Role, role), "full_name": name}
            for pk, user_id, role, name in rows("links", member.pk)
        ]
        is_owner = any(link["user_id"] == user.pk and link["role"] == MemberUser.Role.OWNER for link in links)
        invitations = [{"id": pk, "full_name": name} for pk, name in rows("invitations", member.pk)] if is_owner else []
        notifications = rows("notifications", user.pk, NOTIFICATIONS_LIMIT)
        user._unread_count = notifications[0][4] if notifications else 0
        messages = rows("contact_messages", member.pk, MESSAGES_LIMIT)
        changes = rows("change_requests", member.pk, CHANGE_REQUESTS_LIMIT)
        statuses = rows("status_changes", member.pk, STATUS_CHANGES_LIMIT)
        years = rows("years", member.pk, MEMBERSHIP_YEARS_LIMIT)
    years = [
        {
            "starts_on": starts_on,
            "ends_on": ends_on,
            "kind_label": _label(MembershipYear.Kind, kind),
            "renewed_at": aware_datetime(renewed_at),
            "fee_reference": fee_reference,
            "lapsed": lapsed_at is not None,
        }
        for starts_on, ends_on, kind, renewed_at, fee_reference, lapsed_at in years
    ]
    return {
        "links": links,
        "is_owner": is_owner,
        "invitations": invitations,
        "notifications": [
            {"subject": subject, "url": url, "created_at": aware_datetime(created_at), "unread": read_at is None}
            for subject, url, created_at, read_at, _unread in notifications
        ],
        "contact_messages": [
            {
                "id": pk,
                "sender_name": sender_name,
                "body": body,
                "reply": reply,
                "replied": replied_at is not None,
                "created_at": aware_datetime(created_at),
            }
            for pk, sender_name, body, reply, replied_at, created_at in messages
        ],
        "change_requests": [
            {
                "field_label": _label(ChangeRequest.Field, field),
                "new_value": new_value,
                "status_label": _label(ChangeRequest.Status, status),
            }
            for field, new_value, status in changes
        ],
        "status_changes": [
            {
                "status_label": _label(Member.Status, to_status),
                "reason": reason,
                "created_at": aware_datetime(created_at),
            }
            for to_status, reason, created_at in statuses
        ],
        "membership": membership_year_summary(member=member, years=years),
    }


# What the dashboard says about the membership year, by how far its end is.
SOON_DAYS = 30


def membership_year_summary(*, member: Member, years: list, today=None) -> dict:
    """The year running today (or the one that ended last), a year already renewed ahead, the
    days left, the state and whether the member should see how to renew — from the rows
    already read, newest first (dicts with `starts_on` and `ends_on`; no query)."""
    from .services import grace_days, renewal_open_days

    today = today or timezone.localdate()
    summary = {"current": None, "next": None, "history": years, "days_left": None, "state": "none"}
    if not years:
        return summary
    running = [year for year in years if year["starts_on"] <= today <= year["ends_on"]]
    current = running[0] if running else years[0]
    following = years[0] if years[0]["starts_on"] > today and years[0] is not current else None
    days_left = (current["ends_on"] - today).days
    lapses_on = current["ends_on"] + datetime.timedelta(days=grace_days() + 1)
    summary.update(current=current, next=following, days_left=days_left, days_over=-days_left, lapses_on=lapses_on)
    if member.status == Member.Status.LAPSED:
        state = "lapsed"
    elif following is not None:
        state = "renewed"
    elif days_left < 0:
        state = "grace" if today < lapses_on else "ended"
    elif days_left <= SOON_DAYS:
        state = "soon"
    else:
        state = "running"
    summary["state"] = state
    summary["renew_guidance"] = state in {"soon", "grace", "ended", "lapsed"} or (
        state == "running" and days_left <= renewal_open_days()
    )
    return summary


def member_message_or_404(*, member: Member, pk: int) -> ContactMessage:
    try:
        return ContactMessage.objects.get(member=member, pk=pk)
    except ContactMessage.DoesNotExist:
        raise Http404 from None


def member_colleague_link_or_404(*, member: Member, pk: int) -> MemberUser:
    try:
        return MemberUser.objects.select_related("user").get(member=member, pk=pk)
    except MemberUser.DoesNotExist:
        raise Http404 from None


def member_invitation_or_404(*, member: Member, pk: int) -> Invitation:
    try:
        return Invitation.objects.select_related("member").get(member=member, pk=pk)
    except Invitation.DoesNotExist:
        raise Http404 from None


def open_invitation_or_404(token: str) -> Invitation:
    invitation = Invitation.objects.select_related("member").filter(token=token).first()
    if invitation is None or not invitation.is_open:
        raise Http404
    return invitation


def staff_member_search(queryset, term: str):
    """Admin search: names (Persian/Arabic letters and digits normalised), mobile numbers,
    national IDs, licence and membership numbers."""
    key = search_key(term)
    digits = normalize_digits_only(term)
    condition = Q(search_key__contains=key) if key else Q()
    if digits.isdigit():
        condition |= Q(mobile__contains=digits) | Q(owner_national_id__contains=digits)
        condition |= Q(membership_number=int(digits)) if len(digits) < 10 else Q()
        condition |= Q(user_links__user__mobile__contains=digits)
    return queryset.filter(condition)
