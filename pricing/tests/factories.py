from catalogue import demo as catalogue_demo
from catalogue.models import Product
from pricing.models import PriceRound, PriceSubmission, price_per_kg


def ensure_products():
    """The base catalogue (flushed by transactional tests, so made again here)."""
    catalogue_demo.seed()


def product(slug="baklava"):
    ensure_products()
    return Product.objects.get(slug=slug)


def make_round(year=1405, month=7, *, status=PriceRound.Status.OPEN):
    price_round, _created = PriceRound.objects.get_or_create(year=year, month=month, defaults={"status": status})
    return price_round


def make_open_round(year=1405, month=8):
    ensure_products()
    return make_round(year, month, status=PriceRound.Status.OPEN)


def make_submission(
    *,
    member,
    price_round,
    product_slug="baklava",
    channel="wholesale",
    toman=900_000,
    status=PriceSubmission.Status.SUBMITTED,
    unit="kg",
    net_grams=None,
    **extra,
):
    price_rial = toman * 10
    return PriceSubmission.objects.create(
        price_round=price_round,
        member=member,
        product=product(product_slug),
        channel=channel,
        unit=unit,
        net_grams=net_grams,
        price_rial=price_rial,
        price_per_kg_rial=price_per_kg(unit=unit, price_rial=price_rial, net_grams=net_grams),
        status=status,
        **extra,
    )


_counter = [0]


def make_members(count, *, status="active"):
    """`count` extra active members (no users)."""
    from members.models import Member
    from pricing.demo import national_id

    members = []
    for _i in range(count):
        _counter[0] += 1
        n = _counter[0]
        members.append(
            Member.objects.create(
                kind="guild",
                business_name=f"کارگاه {n}",
                owner_name=f"مالک {n}",
                owner_national_id=national_id(660_000_000 + n),
                mobile=f"0935{n:07d}",
                county="qazvin",
                status=status,
            )
        )
    return members
