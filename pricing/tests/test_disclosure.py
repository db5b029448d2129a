"""Differential tests of the promise in docs/security.md: nothing a member (or estates staff)
can read moves with another member's individual price.

A member runs a fixed sequence of requests — every price page, the dashboard, extreme and tiny
prices, prices sent to the open, closed and published rounds and to a forged round — then other
members' open-round prices change (added, edited to extreme values, removed, reviewed; 1, 3
and 5+ reporters, a cell crossing the 5-member line), and the member runs the sequence again:
every answer (status, body without CSRF tokens, redirect, content type) is the same. The same
for estates staff's report and exports, while the published aggregates stay as they are.
Run on SQLite and on PostgreSQL (its statistics are computed in SQL)."""

import uuid

import pytest
from django.urls import reverse

from catalogue.models import Product
from core.money import toman_to_rial
from pricing import services
from pricing.models import PriceSubmission
from pricing.tests.differential import seen
from pricing.tests.factories import make_members, make_open_round, make_round, make_submission, product

pytestmark = pytest.mark.django_db

SUBMIT = reverse("pricing:submit")


def _world(actors):
    """Member A's history: a published round (A among 6 reporters of baklava wholesale, 4
    reporters of baklava retail: withheld), a closed round, and the open round where A has
    one price; baklava has a plausible range."""
    Product.objects.filter(pk=product("baklava").pk).update(
        plausible_min_per_kg_rial=toman_to_rial(200_000), plausible_max_per_kg_rial=toman_to_rial(3_000_000)
    )
    published = make_round(1405, 5, status="open")
    regulars = make_members(5)
    for i, member in enumerate(regulars):
        make_submission(member=member, price_round=published, toman=880_000 + 7_000 * i, status="accepted")
    for member in regulars[:3]:
        make_submission(member=member, price_round=published, toman=990_000, channel="retail", status="accepted")
    make_submission(member=actors.a, price_round=published, toman=900_000, status="accepted")
    make_submission(member=actors.a, price_round=published, toman=1_000_000, channel="retail", status="accepted")
    services.price_round_close(price_round=published, actor=actors.staff)
    services.price_round_publish(price_round=published, actor=actors.staff)
    closed = make_round(1405, 6, status="open")
    for i, member in enumerate(regulars[:2]):
        make_submission(member=member, price_round=closed, toman=910_000 + 1_000 * i)
    make_submission(member=actors.a, price_round=closed, toman=905_000, status="accepted")
    services.price_round_close(price_round=closed, actor=actors.staff)
    open_round = make_open_round(1405, 8)
    mine = make_submission(member=actors.a, price_round=open_round, toman=920_000)
    return {"published": published, "closed": closed, "open": open_round, "mine": mine}


def _price(world, **overrides):
    return {
        "price_round": world["open"].pk,
        "product": product("baklava").pk,
        "channel": "wholesale",
        "unit": "kg",
        "net_grams": "",
        "price": "920000",
        "note": "",
        **overrides,
    }


def member_sequence(client, world, settings):
    """The member's fixed sequence: (label, response) in order. Each run counts its own rate
    limit (the limit is the member's own activity: 30 prices a minute)."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl:{uuid.uuid4().hex}:"
    baklava = product("baklava").pk
    gets = [
        ("my prices", reverse("pricing:my_prices")),
        ("submit", SUBMIT),
        ("edit form", SUBMIT + f"?product={baklava}&channel=wholesale"),
        ("edit form retail", SUBMIT + f"?product={baklava}&channel=retail"),
        ("history", reverse("pricing:submission_detail", args=[world["mine"].pk])),
        ("bands", reverse("pricing:bands")),
        ("bands of the published round", reverse("pricing:bands") + f"?round={world['published'].pk}"),
        ("bands of the closed round", reverse("pricing:bands") + f"?round={world['closed'].pk}"),
        ("dashboard", reverse("members:dashboard")),
        ("notifications", reverse("notifications")),
        ("report", reverse("pricing:report")),
        ("report csv", reverse("pricing:report") + "?format=csv"),
        ("review", reverse("pricing:review")),
    ]
    posts = [
        ("100,000,000 Toman for a 1-gram piece", _price(world, unit="piece", net_grams="1", price="100000000")),
        ("1 Toman per kg", _price(world, price="1")),
        ("ten times the band", _price(world, price="9200000")),
        ("a tenth of the band", _price(world, price="92000")),
        ("a big move without a note", _price(world, price="1150000")),
        ("a big move in a box", _price(world, unit="box", net_grams="500", price="575000")),
        ("not a number", _price(world, price="۹۲۰ هزار")),
        ("retail, extreme", _price(world, channel="retail", price="50000000")),
        ("the same price again", _price(world)),
        ("to the closed round", _price(world, price_round=world["closed"].pk, price="100000000")),
        ("to the closed round, tiny", _price(world, price_round=world["closed"].pk, price="1")),
        ("to the published round", _price(world, price_round=world["published"].pk, price="9200000")),
        ("to a forged round", _price(world, price_round="987654", price="9200000")),
    ]
    answers = [(label, client.get(url)) for label, url in gets]
    for label, data in posts:
        answers.append((label, client.post(SUBMIT, data)))
        answers.append((f"my prices after {label}", client.get(reverse("pricing:my_prices"))))
    return [(label, seen(response)) for label, response in answers]


# ---- what changes among the other members --------------------------------------------------


def _others(world, count, *, toman=930_000, channel="wholesale", slug="baklava"):
    return [
        make_submission(
            member=member, price_round=world["open"], toman=toman + 3_000 * i, channel=channel, product_slug=slug
        )
        for i, member in enumerate(make_members(count))
    ]


def _edit(actors, submissions, toman):
    for i, submission in enumerate(submissions):
        services.price_submission_save(
            member=submission.member,
            user=None,
            price_round=submission.price_round,
            product=submission.product,
            channel=submission.channel,
            unit="kg",
            net_grams=None,
            price_rial=toman_to_rial(toman + i),
            confirm_unit=True,
        )


def _review(actors, submissions, decision):
    for submission in submissions:
        current = PriceSubmission.objects.get(
            member=submission.member,
            price_round=submission.price_round,
            product=submission.product,
            channel=submission.channel,
            is_current=True,
        )
        services.price_submission_review(
            submission=current, reviewer=actors.union_head, decision=decision, message="قیمت به ریال است؟"
        )


SCENARIOS = {
    "nobody → 1 reporter": (lambda actors, world: None, lambda actors, world, before: _others(world, 1)),
    "1 → 3 reporters": (
        lambda actors, world: _others(world, 1),
        lambda actors, world, before: _others(world, 2, toman=10_000),
    ),
    "3 → 6 reporters, retail crosses 5": (
        lambda actors, world: _others(world, 3) + _others(world, 4, channel="retail"),
        lambda actors, world, before: _others(world, 3, toman=9_000_000) + _others(world, 1, channel="retail"),
    ),
    "6 reporters edit to ten times": (
        lambda actors, world: _others(world, 6),
        lambda actors, world, before: _edit(actors, before, 9_300_000),
    ),
    "6 reporters edit to a tenth": (
        lambda actors, world: _others(world, 6),
        lambda actors, world, before: _edit(actors, before, 93_000),
    ),
    "6 → 1 reporter (removed)": (
        lambda actors, world: _others(world, 6),
        lambda actors, world, before: PriceSubmission.objects.filter(pk__in=[s.pk for s in before[1:]]).delete(),
    ),
    "the union head rejects and asks": (
        lambda actors, world: _others(world, 6),
        lambda actors, world, before: (
            _review(actors, before[:2], "rejected"),
            _review(actors, before[2:4], "needs_info"),
            _review(actors, before[4:], "accepted"),
        ),
    ),
    "other products and channels": (
        lambda actors, world: _others(world, 2, slug="rice-cookies"),
        lambda actors, world, before: _others(world, 6, slug="walnut-cookies", channel="retail", toman=1),
    ),
}


def _first_difference(before, after):
    """The label of the first request answered differently, with the lines that differ."""
    import difflib

    for (label, one), (_label, two) in zip(before, after, strict=True):
        if one != two:
            if isinstance(one[1], str) and isinstance(two[1], str):
                lines = difflib.unified_diff(one[1].splitlines(), two[1].splitlines(), lineterm="", n=0)
                return label, one[0], two[0], "\n".join(list(lines)[:12])
            return label, one, two
    return None


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_nothing_a_member_sees_moves_with_other_members_prices(actors, client_as, settings, scenario):
    world = _world(actors)
    setup, change = SCENARIOS[scenario]
    before_rows = setup(actors, world) or []
    client = client_as("member_a")
    member_sequence(client, world, settings)  # sessions, caches and messages settle
    before = member_sequence(client, world, settings)
    change(actors, world, before_rows)
    after = member_sequence(client, world, settings)
    assert _first_difference(before, after) is None
    # The sequence itself: the questions are asked, nothing extreme was saved.
    statuses = {label: answer[0] for label, answer in before}
    assert statuses["to the closed round"] == statuses["to a forged round"] == 409
    assert statuses["100,000,000 Toman for a 1-gram piece"] == 200
    assert statuses["the same price again"] == 302
    assert statuses["report"] == statuses["review"] == 403
    assert list(
        PriceSubmission.objects.filter(member=actors.a, price_round=world["open"]).values_list("price_rial", flat=True)
    ) == [9_200_000]


def test_the_sequence_sees_the_member_own_changes(actors, client_as, settings):
    """The comparison can fail: the member's own new price changes what it sees."""
    world = _world(actors)
    client = client_as("member_a")
    member_sequence(client, world, settings)
    before = member_sequence(client, world, settings)
    make_submission(member=actors.a, price_round=world["open"], toman=10_000, channel="retail")
    after = member_sequence(client, world, settings)
    assert _first_difference(before, after)[0] == "my prices"


# ---- estates staff: the report and its exports ------------------------------------------------


def staff_sequence(client, world):
    report = reverse("pricing:report")
    urls = [("report", report), ("bands", reverse("pricing:bands"))]
    for name in ("open", "closed", "published"):
        pk = world[name].pk
        urls += [
            (f"report {name}", f"{report}?round={pk}"),
            (f"report {name} csv", f"{report}?round={pk}&format=csv"),
            (f"report {name} xlsx", f"{report}?round={pk}&format=xlsx"),
        ]
    answers = []
    for label, url in urls:
        response = client.get(url)
        status, body, location, kind, disposition = seen(response)
        if kind and "spreadsheetml" in kind:
            body = _xlsx_cells(body)  # the zip container carries a timestamp
        answers.append((label, (status, body, location, kind, disposition)))
    return answers


def _xlsx_cells(content):
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


STAFF_SCENARIOS = {
    "reporters edit their open-round prices": (
        lambda actors, world: _others(world, 6),
        lambda actors, world, before: _edit(actors, before, 9_300_000),
    ),
    "the union head decides in the open round": (
        lambda actors, world: _others(world, 6),
        lambda actors, world, before: (
            _review(actors, before[:3], "rejected"),
            _review(actors, before[3:], "accepted"),
        ),
    ),
    "the union head decides in the closed round": (
        lambda actors, world: list(PriceSubmission.objects.filter(price_round=world["closed"])),
        lambda actors, world, before: _review(actors, before, "rejected"),
    ),
    "a 1-reporter cell changes its price": (
        lambda actors, world: _others(world, 1, slug="almond-cookies"),
        lambda actors, world, before: _edit(actors, before, 5_000),
    ),
}


@pytest.mark.parametrize("scenario", list(STAFF_SCENARIOS))
def test_nothing_estates_staff_see_moves_while_the_published_figures_stay(actors, client_as, scenario):
    world = _world(actors)
    setup, change = STAFF_SCENARIOS[scenario]
    before_rows = setup(actors, world) or []
    client = client_as("staff")
    staff_sequence(client, world)
    before = staff_sequence(client, world)
    change(actors, world, before_rows)
    after = staff_sequence(client, world)
    assert _first_difference(before, after) is None
    assert dict(before)["report published csv"][0] == 200


def test_the_union_head_does_see_the_change(actors, client_as):
    """The staff comparison can fail: the same change moves the union head's report."""
    world = _world(actors)
    before_rows = _others(world, 6)
    client = client_as("union_head")
    before = staff_sequence(client, world)
    _edit(actors, before_rows, 9_300_000)
    after = staff_sequence(client, world)
    assert _first_difference(before, after)[0] == "report"
