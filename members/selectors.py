"""Reads of the members registry, scoped to who asks. Directory reads never expose a hidden
address or number: templates get only what the viewer may see."""

from django.db.models import Count, Prefetch, Q, Window
from django.http import Http404
from django.utils import translation

from catalogue.models import Product
from core.models import Notification
from core.persian import normalize_digits_only, search_key

from .models import (
    ChangeRequest,
    ContactMessage,
    County,
    Invitation,
    Member,
    MembershipYear,
    MemberStatusChange,
    MemberUser,
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


def _latest_notifications(user, limit=5) -> list:
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
    """What the members app itself shows on the dashboard (a fixed number of queries)."""
    links = list(member.user_links.select_related("user").order_by("-role", "created_at"))
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
        "contact_messages": list(ContactMessage.objects.filter(member=member)[:10]),
        "change_requests": list(ChangeRequest.objects.filter(member=member)[:5]),
        "status_changes": list(MemberStatusChange.objects.filter(member=member)[:5]),
        "membership": membership_year_summary(
            member=member, years=list(MembershipYear.objects.filter(member=member).order_by("-ends_on", "-id")[:20])
        ),
    }


# What the dashboard says about the membership year, by how far its end is.
SOON_DAYS = 30


def membership_year_summary(*, member: Member, years: list, today=None) -> dict:
    """The year running today (or the one that ended last), a year already renewed ahead, the
    days left, the state and whether the member should see how to renew — from the rows
    already read, newest first (no query)."""
    import datetime

    from django.utils import timezone

    from .services import grace_days, renewal_open_days

    today = today or timezone.localdate()
    summary = {"current": None, "next": None, "history": years, "days_left": None, "state": "none"}
    if not years:
        return summary
    running = [year for year in years if year.starts_on <= today <= year.ends_on]
    current = running[0] if running else years[0]
    following = years[0] if years[0].starts_on > today and years[0] is not current else None
    days_left = (current.ends_on - today).days
    lapses_on = current.ends_on + datetime.timedelta(days=grace_days() + 1)
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
