"""Reads of the packaging app, scoped to the user: a member sees the open orders and those it
has a line in; estates staff see every order. Another member's line or proof is a 404."""

import functools
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from members.roles import is_estates_staff, member_of
from permits.selectors import product_licences

from .models import JointOrder, LabelProof, OrderLine, PriceTier
from .tiers import state_of, tier_state


def _total():
    return Coalesce(Sum("lines__quantity"), Value(0), output_field=IntegerField())


def member_licences(member, *, today=None):
    """The member's manufacturing health licences in force today (their numbers go on boxes)."""
    if member is None:
        return []
    return list(
        product_licences(today=today or timezone.localdate())
        .filter(member=member)
        .select_related("permit_type")
        .order_by("expiry_date", "id")
    )


def _with_tiers(queryset):
    return queryset.prefetch_related(Prefetch("tiers", queryset=PriceTier.objects.order_by("min_quantity")))


def _latest_proof():
    return LabelProof.objects.filter(line=OuterRef("pk")).order_by("-uploaded_at", "-id")


def orders_for_member(*, member):
    """Open orders and the member's own, newest first; each with `total`, `my_quantity`,
    `my_proof_status` and its tier state (`state`). Three queries whatever the number."""
    mine = OrderLine.objects.filter(order=OuterRef("pk"), member=member)
    orders = list(
        _with_tiers(
            JointOrder.objects.filter(Q(status=JointOrder.Status.OPEN) | Q(Exists(mine)))
            .annotate(
                total=_total(),
                participants=Count("lines", distinct=True),
                my_quantity=Subquery(mine.values("quantity")[:1]),
                my_proof_status=Subquery(
                    LabelProof.objects.filter(line__order=OuterRef("pk"), line__member=member)
                    .order_by("-uploaded_at", "-id")
                    .values("status")[:1]
                ),
            )
            .order_by("-created_at", "-id")
        )
    )
    for order in orders:
        order.state = state_of(order)
        order.my_cost_rial = order.state.cost_rial(order.my_quantity) if order.my_quantity else None
    return orders


@functools.cache
def _dashboard_sql() -> str:
    """One statement: the open orders and those the member has a line in, newest first; for the
    member's own, its boxes, the order's running total, the newest label's status and one row
    per price tier (the same reads as `orders_for_member`, only the columns the dashboard
    shows, and none of other members' lines)."""
    order, line, proof, tier = (model._meta.db_table for model in (JointOrder, OrderLine, LabelProof, PriceTier))
    return f"""
        SELECT o.id, o.title, o.status, o.minimum_total, mine.quantity,
            CASE WHEN mine.id IS NOT NULL THEN (SELECT SUM(l.quantity) FROM {line} l WHERE l.order_id = o.id) END,
            (SELECT p.status FROM {proof} p WHERE p.line_id = mine.id ORDER BY p.uploaded_at DESC, p.id DESC LIMIT 1),
            t.min_quantity, t.unit_price_rial
        FROM {order} o
        LEFT JOIN {line} mine ON mine.order_id = o.id AND mine.member_id = %s
        LEFT JOIN {tier} t ON t.order_id = o.id AND mine.id IS NOT NULL
        WHERE o.status = %s OR mine.id IS NOT NULL
        ORDER BY o.created_at DESC, o.id DESC, t.min_quantity
    """  # noqa: S608 (table names from the models, values are parameters)


@dataclass(frozen=True)
class _Tier:
    min_quantity: int
    unit_price_rial: int


def member_dashboard_orders(*, member) -> dict:
    """For the member dashboard: `mine`, the orders the member has a line in (newest first) as
    dicts with `url`, `title`, `status`, `status_label`, `my_quantity`, `my_cost_rial` and
    `my_proof_status` (the values `orders_for_member` gives), and `open_to_join`, how many open
    orders it has not joined. One query, no model instances."""
    with connection.cursor() as cursor:
        cursor.execute(_dashboard_sql(), [member.pk, JointOrder.Status.OPEN])
        rows = cursor.fetchall()
    mine, tiers, open_to_join = {}, {}, set()
    for order_id, title, status, minimum_total, quantity, total, proof_status, min_quantity, price in rows:
        if not quantity:
            if status == JointOrder.Status.OPEN:
                open_to_join.add(order_id)
            continue
        if order_id not in mine:
            mine[order_id] = {
                "url": reverse("packaging:detail", args=[order_id]),
                "title": title,
                "status": status,
                "status_label": JointOrder.Status(status).label,
                "my_quantity": quantity,
                "my_proof_status": proof_status,
                "total": total or 0,
                "minimum_total": minimum_total,
            }
            tiers[order_id] = []
        if min_quantity is not None:
            tiers[order_id].append(_Tier(min_quantity, price))
    for order_id, order in mine.items():
        state = tier_state(tiers[order_id], total=order.pop("total"), minimum_total=order.pop("minimum_total"))
        order["my_cost_rial"] = state.cost_rial(order["my_quantity"])
    return {"mine": list(mine.values()), "open_to_join": len(open_to_join)}


def orders_for_staff():
    """Every order, newest first, with `total`, `participants` and its tier state (two queries)."""
    orders = list(
        _with_tiers(JointOrder.objects.annotate(total=_total(), participants=Count("lines"))).order_by(
            "-created_at", "-id"
        )
    )
    for order in orders:
        order.state = state_of(order)
    return orders


def order_for_user_or_404(*, user, order_id, lock=False):
    """Staff: any order. A member: an open order or one it has a line in. Else 404."""
    queryset = JointOrder.objects.all()
    if not is_estates_staff(user):
        member = member_of(user)
        if member is None:
            raise Http404
        queryset = queryset.filter(Q(status=JointOrder.Status.OPEN) | Q(lines__member=member)).distinct()
    order = queryset.filter(pk=order_id).first()
    if order is None:
        raise Http404
    return order


def order_with_state(order):
    """The order with its tiers, running total and tier state (two queries)."""
    order = _with_tiers(
        JointOrder.objects.filter(pk=order.pk).annotate(total=_total(), participants=Count("lines", distinct=True))
    ).get()
    order.state = state_of(order)
    return order


def member_line(*, order, member):
    """The member's line in the order with its newest proof (`proof`), or None."""
    if member is None:
        return None
    line = (
        OrderLine.objects.filter(order=order, member=member)
        .select_related("licence")
        .annotate(proof_id=Subquery(_latest_proof().values("pk")[:1]))
        .first()
    )
    if line is not None:
        line.proof = LabelProof.objects.filter(pk=line.proof_id).first() if line.proof_id else None
    return line


def order_lines(*, order, state):
    """Every member's line with its member, licence, cost and newest proof's status (staff)."""
    lines = list(
        OrderLine.objects.filter(order=order)
        .select_related("member", "licence")
        .annotate(
            proof_status=Subquery(_latest_proof().values("status")[:1]),
            proof_id=Subquery(_latest_proof().values("pk")[:1]),
        )
        .order_by("created_at", "id")
    )
    for line in lines:
        line.cost_rial = state.cost_rial(line.quantity)
    return lines


def proof_for_user_or_404(*, user, proof_id):
    """A proof of the user's own member, or any proof for estates staff; else 404."""
    queryset = LabelProof.objects.select_related("line__member", "line__order")
    if not is_estates_staff(user):
        member = member_of(user)
        if member is None:
            raise Http404
        queryset = queryset.filter(line__member=member)
    proof = queryset.filter(pk=proof_id).first()
    if proof is None:
        raise Http404
    return proof


def licence_in_force(*, member, licence_id, today=None):
    """The member's manufacturing licence `licence_id` if it is in force today, else None."""
    return (
        product_licences(today=today or timezone.localdate()).filter(member=member, pk=licence_id).first()
        if licence_id
        else None
    )
