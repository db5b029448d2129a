"""Where a running total stands among an order's price tiers: the tier reached (the highest
whose threshold the total meets), the next one and how many boxes to it, and the unit price
each member pays now. Below the first tier nothing is reached yet: costs are shown at the
first tier's price (what they will be once the order reaches it)."""

from dataclasses import dataclass

# Competition law (docs/security.md): a member may read an order's exact running total (and
# the boxes to the minimum or the next tier, which give it away) only once at least this many
# members have joined; below it, total minus own quantity would be one competitor's volume.
DISCLOSE_MIN_MEMBERS = 5


@dataclass(frozen=True)
class TierState:
    total: int
    minimum_total: int
    tiers: tuple  # PriceTier rows, lowest threshold first
    current: object | None  # the tier reached
    next: object | None  # the next tier up
    members: int = 0  # how many members have a line in the order

    @property
    def total_shown(self) -> bool:
        """May a member read the exact total (and the boxes to go)? Staff always may."""
        return self.members >= DISCLOSE_MIN_MEMBERS

    @property
    def unit_price_rial(self) -> int | None:
        tier = self.current or (self.tiers[0] if self.tiers else None)
        return tier.unit_price_rial if tier else None

    @property
    def to_next(self) -> int | None:
        return None if self.next is None else self.next.min_quantity - self.total

    @property
    def minimum_reached(self) -> bool:
        return self.total >= self.minimum_total

    @property
    def to_minimum(self) -> int:
        return max(self.minimum_total - self.total, 0)

    @property
    def current_index(self) -> int | None:
        return None if self.current is None else self.tiers.index(self.current)

    def cost_rial(self, quantity: int) -> int | None:
        price = self.unit_price_rial
        return None if price is None else price * quantity

    def rows(self):
        """(tier, reached, is_current) for the tier table."""
        return [(tier, tier.min_quantity <= self.total, tier is self.current) for tier in self.tiers]


def tier_state(tiers, *, total: int, minimum_total: int, members: int = 0) -> TierState:
    ordered = tuple(sorted(tiers, key=lambda tier: tier.min_quantity))
    current = None
    following = None
    for tier in ordered:
        if tier.min_quantity <= total:
            current = tier
        elif following is None:
            following = tier
    return TierState(
        total=total, minimum_total=minimum_total, tiers=ordered, current=current, next=following, members=members
    )


def state_of(order) -> TierState:
    """The order's state from its prefetched tiers, its `total` and `participants` (annotated
    or counted)."""
    total = getattr(order, "total", None)
    members = getattr(order, "participants", None)
    if total is None or members is None:
        lines = list(order.lines.all())
        total = sum(line.quantity for line in lines) if total is None else total
        members = len(lines) if members is None else members
    return tier_state(order.tiers.all(), total=total or 0, minimum_total=order.minimum_total, members=members)
