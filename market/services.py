"""Every write of the market: atomic, audited, telling people on commit (core.notifications).

A buyer has no account: their actions (posting, accepting) are audited without an actor, and
they hear from the portal by SMS to the number they proved they hold."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_record, snapshot
from core.notifications import notify, notify_many, notify_staff, send_sms
from core.templatetags.persian import num
from members.dashboard_cache import bump_global
from members.models import User

from .models import BuyerRequest, Match, Offer, token_digest
from .selectors import matching_members

R = BuyerRequest.Status
O = Offer.Status  # noqa: E741
REQUEST_FIELDS = [
    "buyer_kind",
    "organisation",
    "contact_name",
    "mobile",
    "email",
    "product",
    "quantity",
    "unit",
    "deadline",
    "county",
    "packaging",
    "note",
]
OFFER_FIELDS = ["quantity", "unit_price_rial", "delivery_date", "note"]


def _users_of(members):
    return User.objects.filter(member_link__member__in=members, is_active=True).distinct()


def _locked(buyer_request):
    return BuyerRequest.objects.select_for_update().get(pk=buyer_request.pk)


def _refresh_dashboards():
    transaction.on_commit(bump_global, robust=True)


def buyer_link(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + reverse("market:buyer", kwargs={"token": token})


# Competition law: a member posing as a buyer would see the prices other members offer.
MEMBER_MOBILE_REFUSED = gettext_lazy(
    "This number belongs to an account of a cluster member. Members cannot post buyer requests: the offers "
    "other members make stay private to the buyer."
)


def is_member_mobile(mobile: str) -> bool:
    """The number is a signed-in identity of some member's account (any status)."""
    return bool(mobile) and User.objects.filter(mobile=mobile, member_link__isnull=False).exists()


@transaction.atomic
def buyer_request_create(*, data: dict, base_url: str) -> tuple[BuyerRequest, str]:
    """A buyer whose mobile was verified posts a request: kept pending for staff, the buyer
    gets the private link by SMS. Returns the request and the link's token (never stored)."""
    if is_member_mobile(data.get("mobile", "")):
        raise ValidationError(MEMBER_MOBILE_REFUSED)
    token = secrets.token_urlsafe(32)
    buyer_request = BuyerRequest(
        **{name: data.get(name, "") for name in REQUEST_FIELDS}, token_hash=token_digest(token)
    )
    buyer_request.full_clean(exclude=["token_hash"])
    buyer_request.save()
    audit_record(
        actor=None,
        action="market.request_create",
        instance=buyer_request,
        changes={"after": snapshot(buyer_request, ["buyer_kind", "organisation", "product", "quantity", "unit"])},
        note="posted by a buyer (mobile verified by SMS code)",
    )
    with translation.override(settings.LANGUAGE_CODE):
        send_sms(
            to=buyer_request.mobile,
            text=_(
                "Your request to the Qazvin sweets cluster was received. Follow it and see the offers on your "
                "private page (do not share it): %(link)s"
            )
            % {"link": buyer_link(base_url, token)},
            private=True,
        )
        notify_staff(
            subject=_("A new buyer request awaits review"),
            body=str(buyer_request),
            url=reverse("admin:market_buyerrequest_change", args=[buyer_request.pk]),
        )
    return buyer_request, token


@transaction.atomic
def buyer_request_approve(*, buyer_request, actor) -> int:
    """Staff approve a pending request: the matching members are recorded and told (nothing of
    the buyer's contacts). Returns how many members were told."""
    buyer_request = _locked(buyer_request)
    if buyer_request.status != R.PENDING:
        raise ValidationError(_("Only a request awaiting review can be approved."))
    buyer_request.status = R.APPROVED
    buyer_request.decided_at = timezone.now()
    buyer_request.decided_by = actor
    buyer_request.save(update_fields=["status", "decided_at", "decided_by"])
    members = list(matching_members(buyer_request).only("id"))
    Match.objects.bulk_create([Match(request=buyer_request, member=member) for member in members])
    audit_record(
        actor=actor,
        action="market.request_approve",
        instance=buyer_request,
        changes={"status": [R.PENDING, R.APPROVED], "matched_members": [m.pk for m in members]},
    )
    with translation.override(settings.LANGUAGE_CODE):
        product = buyer_request.product.name_fa
        notify_many(
            users=_users_of(members),
            subject=_("A buyer asks for %(product)s") % {"product": product},
            body=_("%(kind)s · %(quantity)s %(unit)s · see the request and send an offer in the portal.")
            % {
                "kind": buyer_request.get_buyer_kind_display(),
                "quantity": num(buyer_request.quantity),
                "unit": buyer_request.get_unit_display(),
            },
            url=buyer_request.get_absolute_url(),
        )
        send_sms(
            to=buyer_request.mobile,
            text=_(
                "Your request was approved and sent to %(count)s matching producers. Their offers appear on your private page."
            )
            % {"count": num(len(members))},
        )
    _refresh_dashboards()
    return len(members)


@transaction.atomic
def buyer_request_reject(*, buyer_request, actor, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the rejection."))
    buyer_request = _locked(buyer_request)
    if buyer_request.status != R.PENDING:
        raise ValidationError(_("Only a request awaiting review can be rejected."))
    buyer_request.status = R.REJECTED
    buyer_request.rejection_reason = reason
    buyer_request.decided_at = timezone.now()
    buyer_request.decided_by = actor
    buyer_request.save(update_fields=["status", "rejection_reason", "decided_at", "decided_by"])
    audit_record(
        actor=actor,
        action="market.request_reject",
        instance=buyer_request,
        changes={"status": [R.PENDING, R.REJECTED]},
        note=reason,
    )
    with translation.override(settings.LANGUAGE_CODE):
        send_sms(
            to=buyer_request.mobile,
            text=_("Your request to the Qazvin sweets cluster was not approved: %(reason)s") % {"reason": reason},
        )


def _tell_offerers(buyer_request, offers, *, subject):
    with translation.override(settings.LANGUAGE_CODE):
        notify_many(
            users=_users_of([offer.member_id for offer in offers]),
            subject=subject(),
            url=buyer_request.get_absolute_url(),
        )


@transaction.atomic
def buyer_request_close(*, buyer_request, actor) -> None:
    """Staff close an open request without an accepted offer (the buyer gave up, say)."""
    buyer_request = _locked(buyer_request)
    if buyer_request.status != R.APPROVED:
        raise ValidationError(_("Only an open request can be closed."))
    buyer_request.status = R.CLOSED
    buyer_request.closed_at = timezone.now()
    buyer_request.save(update_fields=["status", "closed_at"])
    offers = list(buyer_request.offers.filter(status=O.ACTIVE))
    Offer.objects.filter(pk__in=[o.pk for o in offers]).update(status=O.NOT_CHOSEN, updated_at=timezone.now())
    audit_record(
        actor=actor, action="market.request_close", instance=buyer_request, changes={"status": [R.APPROVED, R.CLOSED]}
    )
    _tell_offerers(buyer_request, offers, subject=lambda: _("A buyer request you answered was closed"))
    _refresh_dashboards()


@transaction.atomic
def offer_submit(*, buyer_request, member, actor, data: dict) -> Offer:
    """A matched member sends (or changes, or sends again after withdrawing) their offer while
    the request is open."""
    buyer_request = _locked(buyer_request)
    if not Match.objects.filter(request=buyer_request, member=member).exists():
        raise ValidationError(_("This request was not sent to you."))
    if buyer_request.status != R.APPROVED:
        raise ValidationError(_("This request is closed: offers can no longer be sent or changed."))
    if data["delivery_date"] < timezone.localdate():
        raise ValidationError({"delivery_date": _("The delivery date cannot be in the past.")})
    offer = Offer.objects.select_for_update().filter(request=buyer_request, member=member).first()
    before = snapshot(offer, [*OFFER_FIELDS, "status"]) if offer else {}
    if offer is None:
        offer = Offer(request=buyer_request, member=member, created_by=actor)
    for name in OFFER_FIELDS:
        setattr(offer, name, data.get(name) or ("" if name == "note" else None))
    offer.status = O.ACTIVE
    offer.full_clean(exclude=["request", "member", "created_by"], validate_constraints=False)
    offer.save()
    after = snapshot(offer, [*OFFER_FIELDS, "status"])
    audit_record(
        actor=actor,
        action="market.offer_update" if before else "market.offer_create",
        instance=offer,
        changes={"before": before, "after": after} if before else {"after": after},
    )
    if not before or before.get("status") == O.WITHDRAWN:
        with translation.override(settings.LANGUAGE_CODE):
            send_sms(
                to=buyer_request.mobile,
                text=_(
                    "A producer of the Qazvin sweets cluster sent an offer for your request. See it on your private page."
                ),
            )
    _refresh_dashboards()
    return offer


@transaction.atomic
def offer_withdraw(*, offer, actor) -> None:
    buyer_request = _locked(offer.request)
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if buyer_request.status != R.APPROVED or offer.status != O.ACTIVE:
        raise ValidationError(_("Only an offer on an open request can be withdrawn."))
    offer.status = O.WITHDRAWN
    offer.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, action="market.offer_withdraw", instance=offer, changes={"status": [O.ACTIVE, O.WITHDRAWN]}
    )
    _refresh_dashboards()


@transaction.atomic
def offer_accept(*, buyer_request, offer_id) -> Offer:
    """The buyer (on their private page) accepts one offer: the request closes, the chosen
    member is told and sees the buyer's contacts, the other offerers are told it closed."""
    buyer_request = _locked(buyer_request)
    offer = (
        Offer.objects.select_for_update().filter(request=buyer_request, pk=offer_id).select_related("member").first()
    )
    if offer is None or offer.status != O.ACTIVE or buyer_request.status != R.APPROVED:
        raise ValidationError(_("This offer can no longer be accepted."))
    now = timezone.now()
    offer.status = O.ACCEPTED
    offer.save(update_fields=["status", "updated_at"])
    others = list(buyer_request.offers.filter(status=O.ACTIVE).exclude(pk=offer.pk))
    Offer.objects.filter(pk__in=[o.pk for o in others]).update(status=O.NOT_CHOSEN, updated_at=now)
    buyer_request.status = R.CLOSED
    buyer_request.closed_at = now
    buyer_request.save(update_fields=["status", "closed_at"])
    audit_record(
        actor=None,
        action="market.offer_accept",
        instance=buyer_request,
        changes={"status": [R.APPROVED, R.CLOSED], "accepted_offer": offer.pk, "not_chosen": [o.pk for o in others]},
        note="accepted by the buyer on the private page",
    )
    with translation.override(settings.LANGUAGE_CODE):
        for user in _users_of([offer.member_id]):
            notify(
                user=user,
                subject=_("Your offer was accepted by %(organisation)s") % {"organisation": buyer_request.organisation},
                body=_("The buyer's contacts are on the request's page. Contact them to arrange the order."),
                url=buyer_request.get_absolute_url(),
            )
    _tell_offerers(buyer_request, others, subject=lambda: _("The buyer chose another offer; the request is closed"))
    _refresh_dashboards()
    return offer
