"""Every change to rounds, submissions and reviews goes through these functions (atomic,
audited, members told on commit)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.jalali import format_date, jalali_month_range
from core.money import rial_to_toman
from core.notifications import EMAIL, PORTAL, notify_many
from core.templatetags.persian import num
from members.models import Member, MemberUser

from . import selectors
from .models import COST_FIELDS, PriceCellStat, PriceReview, PriceRound, PriceSubmission, Unit, price_per_kg
from .statistics import round_statistics

REMINDER_DAYS_BEFORE_CLOSE = 3
SUBMISSION_FIELDS = ("unit", "net_grams", "price_rial", "note", *COST_FIELDS)
# What the audit trail never holds (the submission's versions do, behind the
# pricing.view_individual_prices permission): staff read the trail in the admin.
PRICE_FIELDS = frozenset({"price_rial", "note", *COST_FIELDS})
HIDDEN = "•••"
BIG_MOVE = selectors.BIG_MOVE  # more than ±15 % from the member's own last accepted price needs a note
UNIT_SUSPECT_RATIO = 5  # "near 10× or 0.1×": 5× away from a reference asks "Toman or Rial?"


class RoundClosed(ValidationError):
    pass


def _member_users(members_qs):
    return [
        link.user
        for link in MemberUser.objects.filter(member__in=members_qs, user__is_active=True).select_related("user")
    ]


def _active_members():
    return Member.objects.filter(status=Member.Status.ACTIVE)


# ---- rounds -----------------------------------------------------------------------------


@transaction.atomic
def price_round_open(*, year: int, month: int, actor, closes_on: datetime.date | None = None) -> PriceRound:
    """Open the round of a Jalali month (creating it if needed) and tell every active member."""
    price_round, _created = PriceRound.objects.select_for_update().get_or_create(year=year, month=month)
    if price_round.status != PriceRound.Status.DRAFT:
        raise ValidationError(_("Only a round that has not been opened yet can be opened."))
    if PriceRound.objects.filter(status=PriceRound.Status.OPEN).exists():
        raise ValidationError(_("Another round is open. Close it first."))
    price_round.status = PriceRound.Status.OPEN
    price_round.opened_at = timezone.now()
    price_round.closes_on = closes_on or jalali_month_range(year, month)[1]
    price_round.save()
    audit_record(actor=actor, action="price_round.open", instance=price_round, changes={"status": ["draft", "open"]})
    url = reverse("pricing:submit")
    with translation.override(settings.LANGUAGE_CODE):
        notify_many(
            users=_member_users(_active_members()),
            subject=gettext("The price round %(round)s is open") % {"round": price_round.label},
            body=gettext("Please submit your unit prices before the round closes.")
            if not price_round.closes_on
            else gettext("Please submit your unit prices by %(date)s.") % {"date": _fmt(price_round.closes_on)},
            url=url,
        )
    return price_round


def _fmt(value):
    return format_date(value)


@transaction.atomic
def price_round_close(*, price_round: PriceRound, actor) -> PriceRound:
    price_round = PriceRound.objects.select_for_update().get(pk=price_round.pk)
    if price_round.status != PriceRound.Status.OPEN:
        raise ValidationError(_("Only an open round can be closed."))
    price_round.status = PriceRound.Status.CLOSED
    price_round.closed_at = timezone.now()
    price_round.save(update_fields=["status", "closed_at"])
    price_round_refresh_stats(price_round=price_round)
    audit_record(actor=actor, action="price_round.close", instance=price_round, changes={"status": ["open", "closed"]})
    return price_round


@transaction.atomic
def price_round_publish(*, price_round: PriceRound, actor) -> PriceRound:
    """Publish the aggregated bands of a closed round (cells with ≥ 5 members only)."""
    price_round = PriceRound.objects.select_for_update().get(pk=price_round.pk)
    if price_round.status != PriceRound.Status.CLOSED:
        raise ValidationError(_("Only a closed round can be published."))
    price_round_refresh_stats(price_round=price_round)
    price_round.status = PriceRound.Status.PUBLISHED
    price_round.published_at = timezone.now()
    price_round.save(update_fields=["status", "published_at"])
    audit_record(
        actor=actor, action="price_round.publish", instance=price_round, changes={"status": ["closed", "published"]}
    )
    url = reverse("pricing:bands") + f"?round={price_round.pk}"
    with translation.override(settings.LANGUAGE_CODE):
        notify_many(
            users=_member_users(_active_members()),
            subject=gettext("Price bands of %(round)s are published") % {"round": price_round.label},
            url=url,
            channels=(PORTAL, EMAIL),
        )
    return price_round


def price_round_refresh_stats(*, price_round: PriceRound) -> int:
    """Store the round's aggregates (history chart, bands, cost composition): the statistics
    query, one cost aggregate, one write."""
    stats = round_statistics(price_round.pk)
    costs = selectors.cost_sums(price_round=price_round)
    PriceCellStat.objects.filter(price_round=price_round).delete()
    PriceCellStat.objects.bulk_create(
        PriceCellStat(
            price_round=price_round,
            product_id=cell.product_id,
            channel=cell.channel,
            members=cell.members,
            median=round(cell.median),
            q1=round(cell.q1),
            q3=round(cell.q3),
            trimmed_mean=round(cell.trimmed_mean),
            minimum=round(cell.minimum),
            maximum=round(cell.maximum),
            outliers=cell.outliers,
            cost_reporters=costs.get((cell.product_id, cell.channel), (0, {}))[0],
            costs={
                name: [int(total), count]
                for name, (total, count) in costs.get((cell.product_id, cell.channel), (0, {}))[1].items()
            },
        )
        for cell in stats.values()
    )
    return len(stats)


@transaction.atomic
def price_round_send_reminders(*, today: datetime.date | None = None) -> int:
    """Remind the active members who have not submitted yet, once, before the open round closes."""
    today = today or timezone.localdate()
    sent = 0
    rounds = PriceRound.objects.select_for_update().filter(
        status=PriceRound.Status.OPEN,
        close_reminder_sent_at__isnull=True,
        closes_on__lte=today + datetime.timedelta(days=REMINDER_DAYS_BEFORE_CLOSE),
        closes_on__gte=today,
    )
    for price_round in rounds:
        waiting = _active_members().exclude(
            price_submissions__price_round=price_round, price_submissions__is_current=True
        )
        with translation.override(settings.LANGUAGE_CODE):
            sent += notify_many(
                users=_member_users(waiting),
                subject=gettext("The price round %(round)s closes on %(date)s")
                % {"round": price_round.label, "date": _fmt(price_round.closes_on)},
                body=gettext("You have not submitted any price in this round yet."),
                url=reverse("pricing:submit"),
            )
        price_round.close_reminder_sent_at = timezone.now()
        price_round.save(update_fields=["close_reminder_sent_at"])
    return sent


# ---- submissions ------------------------------------------------------------------------


def price_submission_validate(
    *, member, price_round, product, channel, unit, net_grams, price_rial, note="", confirm_unit=False
) -> int:
    """The rules a member's price must pass; returns its price per kg or raises
    ValidationError({field: [...]}) for the form to show next to what was typed.

    Every rule compares only with what the member may know anyway (docs/security.md): its own
    last accepted price (the ±15 % note), and for "Toman or Rial?" that price, the last
    published band of the cell and the plausible range staff set on the product. Never with
    other members' prices of the open round: the question must not answer anything about them."""
    if unit != Unit.KG and not net_grams:
        raise ValidationError({"net_grams": _("Give the net grams of one box or piece.")}, code="grams_required")
    if not price_rial or int(price_rial) <= 0:
        raise ValidationError({"price": _("Enter a price above zero.")}, code="min_value")
    per_kg = price_per_kg(unit=unit, price_rial=price_rial, net_grams=net_grams)
    errors = {}
    previous = selectors.previous_accepted_price(
        member=member, product=product, channel=channel, price_round=price_round
    )
    if previous and abs(per_kg / previous - 1) > BIG_MOVE and not (note or "").strip():
        errors["note"] = ValidationError(
            _(
                "Your price moved %(percent)s%% from your last accepted price (%(previous)s Toman per kg): "
                "please explain why in a note."
            ),
            code="big_move",
            params={"percent": num(round(abs(per_kg / previous - 1) * 100)), "previous": num(rial_to_toman(previous))},
        )
    if not confirm_unit and _unit_suspect(per_kg, previous=previous, product=product, channel=channel):
        errors["price"] = ValidationError(
            _(
                "Toman or Rial? This price per kg is far from the usual range of this product. "
                "Prices are typed in Toman (1 Toman = 10 Rial). Correct it, or tick the box below to confirm it."
            ),
            code="unit_question",
        )
    if errors:
        raise ValidationError(errors)
    return per_kg


def _unit_suspect(per_kg, *, previous, product, channel) -> bool:
    low, high = product.plausible_min_per_kg_rial, product.plausible_max_per_kg_rial
    if (low and per_kg < low) or (high and per_kg > high):
        return True
    references = [previous, selectors.last_published_median(product=product, channel=channel)]
    return any(
        reference and (per_kg >= UNIT_SUSPECT_RATIO * reference or per_kg * UNIT_SUSPECT_RATIO <= reference)
        for reference in references
    )


def price_submission_warnings(*, price_per_kg_rial: int, costs: dict | None) -> list[str]:
    """What is worth saying after saving but does not stop it (the member's own figures only)."""
    total = sum(value for value in (costs or {}).values() if value)
    if total and total > price_per_kg_rial:
        return [
            gettext(
                "The total of your cost lines (%(cost)s Toman per kg) is above your price (%(price)s Toman per kg)."
            )
            % {"cost": num(rial_to_toman(total)), "price": num(rial_to_toman(price_per_kg_rial))}
        ]
    return []


def _refuse_unless_open(price_round):
    current = PriceRound.objects.filter(pk=getattr(price_round, "pk", None)).first()
    if current is None or not current.is_open:
        raise RoundClosed(
            _("The price round %(round)s is closed; prices can no longer be submitted for it.")
            % {"round": current.label if current else ""},
            code="round_closed",
        )


def price_submission_save(
    *,
    member,
    user,
    price_round,
    product,
    channel,
    unit,
    net_grams,
    price_rial,
    note="",
    costs=None,
    confirm_unit=False,
) -> tuple[PriceSubmission, bool]:
    """Save the member's price for product × channel in the open round. A new version replaces
    the current one (kept, is_current=False); identical data changes nothing, so a double click
    or a second tab never adds a row. Returns (submission, changed).

    A round that is not open is refused first (RoundClosed), before any rule looks at the
    price: the answer is then the same whatever the price."""
    _refuse_unless_open(price_round)
    price_submission_validate(
        member=member,
        price_round=price_round,
        product=product,
        channel=channel,
        unit=unit,
        net_grams=net_grams,
        price_rial=price_rial,
        note=note,
        confirm_unit=confirm_unit,
    )
    costs = {name: (costs or {}).get(name) for name in COST_FIELDS}
    data = {
        "unit": unit,
        "net_grams": net_grams if unit != "kg" else None,
        "price_rial": int(price_rial),
        "note": note or "",
        **costs,
    }
    for _attempt in range(3):
        try:
            return _save_once(
                member=member, user=user, price_round=price_round, product=product, channel=channel, data=data
            )
        except IntegrityError:
            # Another request (double click, second tab) saved the same cell at the same
            # moment: retry against the row it created.
            continue
    raise ValidationError(_("Your price could not be saved; please try again."))


@transaction.atomic
def _save_once(*, member, user, price_round, product, channel, data):
    locked_round = PriceRound.objects.select_for_update().get(pk=price_round.pk)
    if not locked_round.is_open:
        raise RoundClosed(
            _("The price round %(round)s is closed; prices can no longer be submitted for it.")
            % {"round": locked_round.label},
            code="round_closed",
        )
    if data["price_rial"] <= 0:
        raise ValidationError(_("Enter a price above zero."))
    current = (
        PriceSubmission.objects.select_for_update()
        .filter(price_round=locked_round, member=member, product=product, channel=channel, is_current=True)
        .first()
    )
    if current and all(getattr(current, field) == value for field, value in data.items()):
        return current, False
    now = timezone.now()
    version = 1
    if current:
        version = current.version + 1
        current.is_current = False
        current.superseded_at = now
        current.save(update_fields=["is_current", "superseded_at"])
    submission = PriceSubmission.objects.create(
        price_round=locked_round,
        member=member,
        product=product,
        channel=channel,
        price_per_kg_rial=price_per_kg(unit=data["unit"], price_rial=data["price_rial"], net_grams=data["net_grams"]),
        version=version,
        submitted_by=user,
        created_at=now,
        **data,
    )
    audit_record(
        actor=user,
        action="price_submission.create" if version == 1 else "price_submission.edit",
        instance=submission,
        changes={
            "version": [current.version if current else None, version],
            **{
                field: _audit_value(field, getattr(current, field) if current else None, value)
                for field, value in data.items()
                if (getattr(current, field) != value if current else value not in (None, ""))
            },
        },
    )
    return submission, True


def _audit_value(field, before, after):
    if field in PRICE_FIELDS:
        return [None if before in (None, "") else HIDDEN, None if after in (None, "") else HIDDEN]
    return [before, after]


# ---- review -----------------------------------------------------------------------------


@transaction.atomic
def price_submission_review(
    *, submission, reviewer, decision: str, message: str = "", refresh_stats: bool = True
) -> PriceSubmission:
    """The union head's decision: accepted, needs_info (message to the member) or rejected
    (reason required). Every decision is kept in PriceReview and the audit trail."""
    message = (message or "").strip()
    if decision not in PriceReview.Decision.values:
        raise ValidationError(_("Choose a decision."))
    if decision == PriceReview.Decision.REJECTED and not message:
        raise ValidationError(_("Give the reason for rejecting."), code="reason_required")
    if decision == PriceReview.Decision.NEEDS_INFO and not message:
        raise ValidationError(_("Write what the member should explain."), code="message_required")
    submission = PriceSubmission.objects.select_for_update().select_related("price_round").get(pk=submission.pk)
    if not submission.is_current:
        raise ValidationError(_("This price has been replaced by a newer version."))
    if submission.price_round.status == PriceRound.Status.PUBLISHED:
        raise ValidationError(_("The round is published; its prices can no longer be reviewed."))
    before = submission.status
    submission.status = decision
    submission.reviewer_message = message
    submission.save(update_fields=["status", "reviewer_message"])
    PriceReview.objects.create(submission=submission, reviewer=reviewer, decision=decision, message=message)
    # The message stays in the review's history (behind pricing.view_individual_prices): it
    # may quote the price, and staff read the audit trail.
    audit_record(
        actor=reviewer, action="price_submission.review", instance=submission, changes={"status": [before, decision]}
    )
    if refresh_stats and submission.price_round.is_finished:
        price_round_refresh_stats(price_round=submission.price_round)
    if decision != PriceReview.Decision.ACCEPTED:
        with translation.override(settings.LANGUAGE_CODE):
            subject = (
                gettext("Your price for %(product)s needs an explanation")
                if decision == PriceReview.Decision.NEEDS_INFO
                else gettext("Your price for %(product)s was rejected")
            ) % {"product": submission.product.name_fa}
            # The message itself may quote the price: it stays on the member's own page, out of
            # e-mail, SMS and the notifications that staff can read in the admin.
            body = gettext("Read the union head's message on your prices page.")
            notify_many(
                users=_member_users([submission.member_id]),
                subject=subject,
                body=body,
                url=reverse("pricing:my_prices"),
            )
    return submission


def price_submissions_review_bulk(*, submissions, reviewer, decision: str, message: str = "") -> int:
    """The same decision on several submissions, all or nothing."""
    with transaction.atomic():
        rounds = {}
        for submission in submissions:
            reviewed = price_submission_review(
                submission=submission, reviewer=reviewer, decision=decision, message=message, refresh_stats=False
            )
            rounds[reviewed.price_round_id] = reviewed.price_round
        for price_round in rounds.values():
            if price_round.is_finished:  # the stored aggregates follow the decisions, once per round
                price_round_refresh_stats(price_round=price_round)
        return len(submissions)
