import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from core.models import Notification
from pricing import services
from pricing.dashboard import member_dashboard_section
from pricing.models import PriceCellStat, PriceRound, PriceSubmission
from pricing.selectors import open_round
from pricing.tests.factories import make_members, make_open_round, make_round, make_submission

pytestmark = pytest.mark.django_db
BANDS = reverse("pricing:bands")


def _published_round(actors, *, wholesale_members=5, retail_members=4):
    price_round = make_open_round(1405, 7)
    members = make_members(max(wholesale_members, retail_members))
    for i, member in enumerate(members[:wholesale_members]):
        make_submission(member=member, price_round=price_round, toman=100_000 + 10_000 * i, status="accepted")
    for i, member in enumerate(members[:retail_members]):
        make_submission(
            member=member, price_round=price_round, toman=777_000 + 1_000 * i, channel="retail", status="accepted"
        )
    services.price_round_close(price_round=price_round, actor=actors.staff)
    services.price_round_publish(price_round=price_round, actor=actors.staff)
    return price_round


def test_bands_show_cells_of_at_least_five_members_and_withhold_the_rest(actors, client_as):
    _published_round(actors)
    response = client_as("anonymous").get(BANDS)
    bands = response.context["bands"]
    assert [(b["channel"], b["withheld"], b["median"], b["q1"], b["q3"], b["members"]) for b in bands] == [
        ("retail", True, None, None, None, None),
        ("wholesale", False, 1_200_000, 1_100_000, 1_300_000, 5),
    ]
    body = response.content.decode()
    assert "منتشر نشد: کمتر از ۵ عضو قیمت داده‌اند." in body
    assert "۱۲۰٬۰۰۰ تومان" in body
    # never single prices, never min/max
    for toman in ("۱۰۰٬۰۰۰ تومان", "۱۴۰٬۰۰۰ تومان", "۷۷۷٬۰۰۰", "۷۷۸٬۰۰۰"):
        assert toman not in body


def test_bands_only_for_published_rounds(actors, client_as):
    price_round = make_open_round(1405, 7)
    for member in make_members(5):
        make_submission(member=member, price_round=price_round, status="accepted")
    services.price_round_close(price_round=price_round, actor=actors.staff)
    response = client_as("anonymous").get(BANDS)
    assert response.context["rounds"] == []
    assert "هنوز هیچ بازه قیمتی منتشر نشده است." in response.content.decode()
    assert client_as("anonymous").get(BANDS + f"?round={price_round.pk}").status_code == 404


def test_another_member_never_sees_a_price(actors, client_as):
    price_round = make_open_round(1405, 7)
    make_submission(member=actors.a, price_round=price_round, toman=987_000, note="یادداشت الف")
    for member in make_members(4):
        make_submission(member=member, price_round=price_round, toman=500_000, status="accepted")
    make_submission(member=actors.b, price_round=price_round, toman=510_000)
    client_b = client_as("member_b")
    pages = [reverse("pricing:my_prices"), reverse("pricing:submit"), BANDS]
    for url in pages:
        body = client_b.get(url).content.decode()
        assert "۹۸۷٬۰۰۰" not in body and "یادداشت الف" not in body, url
    mine = PriceSubmission.objects.get(member=actors.a)
    assert client_b.get(reverse("pricing:submission_detail", args=[mine.pk])).status_code == 404
    own_form = client_b.get(reverse("pricing:submit") + f"?product={mine.product_id}&channel=wholesale")
    assert own_form.context["form"]["price"].value() == 510_000  # B's own price, never A's
    services.price_round_close(price_round=price_round, actor=actors.staff)
    services.price_round_publish(price_round=price_round, actor=actors.staff)
    for url in [*pages, BANDS + f"?round={price_round.pk}"]:
        body = client_b.get(url).content.decode()
        assert "۹۸۷٬۰۰۰" not in body, url
    for fmt in ("csv", "xlsx"):
        assert client_b.get(reverse("pricing:report") + f"?format={fmt}").status_code == 403


def test_member_sees_its_price_beside_the_published_band(actors, client_as):
    """Behaviour changed on purpose: the page used to give the member's percentile computed from
    the other members' individual prices (also in closed, unpublished rounds, where it moved
    with the union head's decisions on them). It now shows only the published, rounded band."""
    price_round = make_open_round(1405, 7)
    for i, member in enumerate(make_members(4)):
        make_submission(member=member, price_round=price_round, toman=100_000 * (i + 1), status="accepted")
    make_submission(member=actors.a, price_round=price_round, toman=450_000, status="accepted")
    make_submission(member=actors.a, price_round=price_round, toman=350_000, channel="retail", status="accepted")
    services.price_round_close(price_round=price_round, actor=actors.staff)
    client = client_as("member_a")
    closed = client.get(reverse("pricing:my_prices"))
    assert [(row.channel, row.band) for row in closed.context["positions"]] == [("retail", None), ("wholesale", None)]
    assert closed.content.decode().count("هنوز منتشر نشده") == 2
    services.price_round_publish(price_round=price_round, actor=actors.staff)
    response = client.get(reverse("pricing:my_prices"))
    positions = {row.channel: (row.band, row.position) for row in response.context["positions"]}
    assert positions == {
        "wholesale": ({"members": 5, "median": 3_000_000, "q1": 2_000_000, "q3": 4_000_000}, "above"),
        "retail": (None, None),  # one member: withheld
    }
    body = response.content.decode()
    assert '۲۰۰٬۰۰۰ تومان</span> – <span class="text-nowrap">۴۰۰٬۰۰۰ تومان' in body
    assert "قیمت شما بالاتر از نیمه میانی است." in body
    assert "گزارش‌دهندگان برای مقایسه کم‌اند" in body
    assert "۱۰۰٬۰۰۰ تومان" not in body  # never the minimum


def test_published_figures_are_rounded_to_the_products_step(actors, client_as):
    price_round = make_open_round(1405, 7)
    for member, toman in zip(make_members(5), [101_234, 102_345, 123_456, 130_001, 140_499], strict=True):
        make_submission(member=member, price_round=price_round, toman=toman, status="accepted")
    services.price_round_close(price_round=price_round, actor=actors.staff)
    services.price_round_publish(price_round=price_round, actor=actors.staff)
    (band,) = client_as("anonymous").get(BANDS).context["bands"]
    assert (band["median"], band["q1"], band["q3"]) == (1_230_000, 1_020_000, 1_300_000)  # 1,000 Toman steps
    baklava = band["product"]
    baklava.publish_step_rial = 50_000  # 5,000 Toman
    baklava.save()
    response = client_as("anonymous").get(BANDS)
    (band,) = response.context["bands"]
    assert (band["median"], band["q1"], band["q3"]) == (1_250_000, 1_000_000, 1_300_000)
    body = response.content.decode()
    assert "۱۲۵٬۰۰۰ تومان" in body and "۱۲۳٬۴۵۶" not in body


def test_my_prices_query_count_is_constant(actors, client_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as("member_a")
    closed = make_round(1405, 6, status="closed")
    open_round = make_open_round(1405, 7)
    make_submission(member=actors.a, price_round=closed)
    make_submission(member=actors.a, price_round=open_round)
    client.get(reverse("pricing:my_prices"))

    def count():
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("pricing:my_prices"))
        return len(captured)

    one = count()
    for slug in ("rice-cookies", "almond-cookies", "walnut-cookies"):
        make_submission(member=actors.a, price_round=closed, product_slug=slug)
        make_submission(member=actors.a, price_round=open_round, product_slug=slug, channel="retail")
    assert count() == one


def test_opening_a_round_tells_active_members_only(actors):
    price_round = services.price_round_open(year=1405, month=8, actor=actors.staff)
    assert (price_round.status, price_round.closes_on) == ("open", datetime.date(2026, 11, 21))
    told = set(Notification.objects.values_list("user__mobile", flat=True))
    assert told == {actors.member_a.mobile, actors.member_b.mobile}
    assert Notification.objects.filter(user=actors.member_a).get().subject == "دوره قیمت آبان ۱۴۰۵ باز شد"


def test_only_one_round_open_and_transitions_in_order(actors):
    services.price_round_open(year=1405, month=8, actor=actors.staff)
    draft = make_round(1405, 9, status="draft")
    with pytest.raises(ValidationError) as opened:
        services.price_round_open(year=1405, month=9, actor=actors.staff)
    assert opened.value.messages == ["دوره دیگری باز است. اول آن را ببندید."]
    with pytest.raises(ValidationError) as published:
        services.price_round_publish(price_round=draft, actor=actors.staff)
    assert published.value.messages == ["فقط دوره بسته را می‌توان منتشر کرد."]


def test_staff_buttons_close_and_publish(actors, client_as):
    price_round = make_open_round(1405, 7)
    url = reverse("pricing:round_transition", args=[price_round.pk])
    client = client_as("staff")
    client.post(url, {"action": "close"})
    price_round.refresh_from_db()
    assert price_round.status == "closed"
    client.post(url, {"action": "publish"})
    price_round.refresh_from_db()
    assert price_round.status == "published"
    assert client_as("union_head").post(url, {"action": "close"}).status_code == 403


def test_admin_actions_open_close_publish(actors, client_as):
    price_round = make_round(1405, 9, status="draft")
    client = client_as("staff")
    changelist = reverse("admin:pricing_priceround_changelist")
    for action, status in (("open_rounds", "open"), ("close_rounds", "closed"), ("publish_rounds", "published")):
        response = client.post(changelist, {"action": action, "_selected_action": [price_round.pk]})
        assert response.status_code == 302
        price_round.refresh_from_db()
        assert price_round.status == status


def test_reminders_before_close_are_sent_once(actors):
    price_round = make_open_round(1405, 8)
    price_round.closes_on = datetime.date(2026, 11, 21)
    price_round.save()
    make_submission(member=actors.a, price_round=price_round)
    services_today = datetime.date(2026, 11, 19)
    assert services.price_round_send_reminders(today=datetime.date(2026, 11, 10)) == 0  # too early
    assert services.price_round_send_reminders(today=services_today) == 1  # member B only; A already submitted
    assert services.price_round_send_reminders(today=services_today) == 0
    assert Notification.objects.get().user == actors.member_b


def test_reminder_command_is_idempotent(actors):
    from io import StringIO

    from django.utils import timezone

    price_round = make_open_round(1405, 8)
    price_round.closes_on = timezone.localdate() + datetime.timedelta(days=2)
    price_round.save()
    out = StringIO()
    call_command("send_price_round_reminders", stdout=out)
    call_command("send_price_round_reminders", stdout=out)
    assert out.getvalue().splitlines() == ["price round reminders sent: 2", "price round reminders sent: 0"]


def _from_the_selectors(member):
    """What `open_round` and the member's current prices in it say, in the section's terms."""
    current_round = open_round()
    if current_round is None:
        return {"open_round": None, "counts": {"total": 0, "needs_info": 0}}
    mine = PriceSubmission.objects.filter(member=member, price_round=current_round, is_current=True)
    return {
        "open_round": {"label": current_round.label, "closes_on": current_round.closes_on},
        "counts": {"total": mine.count(), "needs_info": mine.filter(status="needs_info").count()},
    }


def test_dashboard_section(actors, rf, django_assert_num_queries):
    request = rf.get("/members/me/")
    request.user = actors.member_a
    with django_assert_num_queries(1):  # no round open
        section = member_dashboard_section(request=request, member=actors.a)
    assert (
        section["context"]
        == _from_the_selectors(actors.a)
        == {
            "open_round": None,
            "counts": {"total": 0, "needs_info": 0},
        }
    )
    price_round = make_open_round(1405, 8)
    make_submission(member=actors.a, price_round=price_round, status="needs_info")
    with django_assert_num_queries(1):
        section = member_dashboard_section(request=request, member=actors.a)
    assert (section["template"], section["context"]["counts"]) == (
        "pricing/_dashboard_section.html",
        {"total": 1, "needs_info": 1},
    )
    assert section["context"] == _from_the_selectors(actors.a)
    # More prices, an earlier version, other members' prices and another round's: still one query.
    PriceRound.objects.filter(pk=price_round.pk).update(closes_on=datetime.date(2026, 11, 21))
    make_submission(member=actors.a, price_round=price_round, channel="retail")
    make_submission(member=actors.a, price_round=price_round, product_slug="rice-cookies", status="accepted")
    make_submission(
        member=actors.a, price_round=price_round, product_slug="rice-cookies", channel="retail", is_current=False
    )
    make_submission(member=actors.b, price_round=price_round, product_slug="rice-cookies", status="needs_info")
    closed = make_round(1405, 7, status=PriceRound.Status.CLOSED)
    make_submission(member=actors.a, price_round=closed, status="needs_info")
    with django_assert_num_queries(1):
        section = member_dashboard_section(request=request, member=actors.a)
    assert section["context"] == _from_the_selectors(actors.a)
    assert section["context"]["counts"] == {"total": 3, "needs_info": 1}
    assert section["context"]["open_round"]["closes_on"] == datetime.date(2026, 11, 21)
    with translation.override("en"):
        assert member_dashboard_section(request=request, member=actors.b)["context"] == _from_the_selectors(actors.b)
    assert member_dashboard_section(request=request, member=actors.applicant_member) is None


def test_demo_seed_is_idempotent_and_has_outliers_and_a_rial_mistake(db):
    from io import StringIO

    from members.demo import seed_accounts
    from pricing import demo

    seed_accounts()
    demo.seed(stdout=StringIO())
    count = PriceSubmission.objects.count()
    demo.seed(stdout=StringIO())
    assert PriceSubmission.objects.count() == count
    assert list(PriceRound.objects.order_by("year", "month").values_list("status", flat=True)) == [
        "published",
        "published",
        "closed",
        "open",
    ]
    closed = PriceRound.objects.get(status="closed")
    rial = PriceSubmission.objects.filter(price_round=closed, member__mobile=demo.RIAL_MISTAKE_MOBILE)
    assert set(rial.values_list("status", flat=True)) == {"needs_info"}
    assert PriceCellStat.objects.filter(price_round=closed, outliers__gt=0).exists()
    published = PriceCellStat.objects.filter(price_round__status="published")
    assert published.filter(members__gte=5).exists() and published.filter(members__lt=5).exists()


def test_seed_scale_bulk_inserts(db):
    from io import StringIO

    from pricing import demo

    inserted = demo.seed_scale(scale=1, stdout=StringIO())
    assert 9_000 <= inserted <= 11_500
    assert PriceSubmission.objects.count() == inserted
    assert PriceRound.objects.filter(status="published").count() == 12
    assert demo.seed_scale(scale=1, stdout=StringIO()) == 0  # idempotent


def test_member_dashboard_shows_my_prices(actors, client_as):
    price_round = make_open_round(1405, 8)
    make_submission(member=actors.a, price_round=price_round, status="needs_info")
    body = client_as("member_a").get(reverse("members:dashboard")).content.decode()
    assert 'data-testid="dashboard-prices"' in body
    assert "۱ قیمت اظهار شده" in body
    assert "۱ مورد نیاز به توضیح دارد" in body
