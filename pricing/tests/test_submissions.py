import threading

import pytest
from django.conf import settings as django_settings
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse

from core.persian import digits_to_persian
from pricing import services
from pricing.models import PriceSubmission
from pricing.tests.differential import without_csrf
from pricing.tests.factories import make_members, make_open_round, make_round, make_submission, product

pytestmark = pytest.mark.django_db
ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
SUBMIT = reverse("pricing:submit")


def _post(client, price_round, /, **overrides):
    data = {
        "price_round": price_round.pk,
        "product": product("baklava").pk,
        "channel": "wholesale",
        "unit": "kg",
        "net_grams": "",
        "price": "۱۲۵٬۰۰۰",
        "note": "",
        **overrides,
    }
    return client.post(SUBMIT, data)


def test_persian_digits_and_separators_are_125000_toman_stored_as_rials(actors, client_as):
    price_round = make_open_round()
    response = _post(client_as("member_a"), price_round)
    assert response.status_code == 302
    assert response["Location"] == reverse("pricing:my_prices")
    submission = PriceSubmission.objects.get()
    assert (submission.member, submission.price_rial, submission.price_per_kg_rial, submission.version) == (
        actors.a,
        1_250_000,
        1_250_000,
        1,
    )
    assert (submission.status, submission.is_current, submission.submitted_by) == (
        "submitted",
        True,
        actors.member_a,
    )


def test_box_price_is_compared_per_kg(actors, client_as):
    price_round = make_open_round()
    response = _post(client_as("member_a"), price_round, unit="box", net_grams="۵۰۰", price="150000")
    assert response.status_code == 302
    submission = PriceSubmission.objects.get()
    assert (submission.unit, submission.net_grams, submission.price_rial, submission.price_per_kg_rial) == (
        "box",
        500,
        1_500_000,
        3_000_000,
    )


def test_box_without_grams_is_refused_and_keeps_what_was_typed(actors, client_as):
    price_round = make_open_round()
    response = _post(client_as("member_a"), price_round, unit="box", price="۱۵۰٬۰۰۰")
    assert response.status_code == 200
    assert response.context["form"].errors["net_grams"] == ["وزن خالص یک جعبه یا یک عدد را به گرم بنویسید."]
    assert 'value="۱۵۰٬۰۰۰"' in response.content.decode()
    assert PriceSubmission.objects.count() == 0


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "قیمت را فقط با رقم بنویسید، مثلاً ۱۲۵٬۰۰۰."),
        ("۱۲۵ هزار", "قیمت را فقط با رقم بنویسید، مثلاً ۱۲۵٬۰۰۰."),
        ("۰", "قیمتی بیشتر از صفر وارد کنید."),
        ("-5000", "قیمتی بیشتر از صفر وارد کنید."),
        ("999999999999", "این مبلغ بیش از حد بزرگ است."),
    ],
)
def test_bad_prices_get_a_clear_message(actors, client_as, typed, message):
    response = _post(client_as("member_a"), make_open_round(), price=typed)
    assert response.status_code == 200
    assert response.context["form"].errors["price"] == [message]
    assert f'value="{typed}"' in response.content.decode()
    assert PriceSubmission.objects.count() == 0


def test_double_click_saves_one_row(actors, client_as):
    client = client_as("member_a")
    price_round = make_open_round()
    assert _post(client, price_round).status_code == 302
    second = _post(client, price_round)
    assert second.status_code == 302
    assert PriceSubmission.objects.count() == 1
    page = client.get(reverse("pricing:my_prices"))
    assert "تغییری نبود: این قیمت قبلاً ثبت شده بود." in page.content.decode()


def test_editing_before_close_keeps_the_earlier_version(actors, client_as):
    client = client_as("member_a")
    price_round = make_open_round()
    _post(client, price_round)
    _post(client, price_round, price="130000")
    versions = list(PriceSubmission.objects.order_by("version").values_list("version", "price_rial", "is_current"))
    assert versions == [(1, 1_250_000, False), (2, 1_300_000, True)]
    current = PriceSubmission.objects.get(is_current=True)
    page = client.get(reverse("pricing:submission_detail", args=[current.pk]))
    assert page.content.decode().count('data-testid="version"') == 2


def test_edit_form_starts_from_the_current_price(actors, client_as):
    price_round = make_open_round()
    make_submission(member=actors.a, price_round=price_round, toman=910_000, cost_flour=800_000)
    response = client_as("member_a").get(SUBMIT + f"?product={product().pk}&channel=wholesale")
    form = response.context["form"]
    assert (form["price"].value(), form["cost_flour"].value()) == (910_000, 80_000)


@pytest.mark.parametrize("status", ["closed", "published"])
def test_a_round_that_is_not_open_gets_one_answer_whatever_the_price(actors, client_as, status):
    """Behaviour changed on purpose: the refusal used to show the typed price with the form's
    own messages (a "Toman or Rial?" among them), so the answer moved with the price."""
    price_round = make_round(1405, 6, status=status)
    make_open_round(1405, 8)
    for member in make_members(3):
        make_submission(member=member, price_round=price_round, toman=900_000, status="accepted")
    client = client_as("member_a")
    answers = [
        _post(client, price_round, **typed)
        for typed in (
            {"price": "۱۲۵٬۰۰۰"},
            {"price": "100000000", "unit": "piece", "net_grams": "1"},
            {"price": "1"},
            {"price": "abc"},
            {"price": "900000", "confirm_unit": "on", "note": "x"},
        )
    ]
    assert {response.status_code for response in answers} == {409}
    assert len({without_csrf(response.content) for response in answers}) == 1
    body = answers[0].content.decode()
    assert "دوره قیمت شهریور ۱۴۰۵ بسته شده است؛ دیگر نمی‌توان برای آن قیمت اظهار کرد." in body
    assert 'data-testid="round-not-open"' in body and "اظهار قیمت برای آبان ۱۴۰۵" in body
    assert "۱۲۵٬۰۰۰" not in body and "تومان یا ریال" not in body
    assert PriceSubmission.objects.filter(member=actors.a).count() == 0


def test_a_forged_round_id_is_refused_like_a_closed_round(actors, client_as):
    open_round = make_open_round(1405, 8)
    client = client_as("member_a")
    for forged in ("999999", "draft", "", "²", "9" * 30, f"{open_round.pk}.0"):
        response = _post(client, open_round, price_round=forged)
        assert response.status_code == 409, forged
        assert "این دوره قیمت باز نیست؛ قیمت را فقط می‌توان در دوره باز اظهار کرد." in response.content.decode()
    assert PriceSubmission.objects.count() == 0
    assert _post(client, open_round).status_code == 302  # the open round's own id


def test_odd_ids_in_query_strings_are_never_an_error(actors, client_as):
    price_round = make_open_round()
    assert client_as("member_a").get(SUBMIT + "?product=²&channel=wholesale").status_code == 200
    assert client_as("member_a").get(SUBMIT + "?product=" + "9" * 30).status_code == 200
    persian = client_as("member_a").get(SUBMIT + f"?product={digits_to_persian(str(product().pk))}&channel=retail")
    assert persian.context["form"]["product"].value() == product().pk
    for role, name in (("union_head", "pricing:review"), ("staff", "pricing:report"), ("anonymous", "pricing:bands")):
        for odd in ("²", "9" * 30, "abc"):
            assert client_as(role).get(reverse(name) + f"?round={odd}").status_code in (200, 404), (name, odd)
    assert client_as("staff").get(reverse("pricing:report") + f"?round={price_round.pk + 1000}").status_code == 404


def test_service_refuses_a_closed_round(actors):
    price_round = make_round(1405, 6, status="closed")
    with pytest.raises(services.RoundClosed):
        services.price_submission_save(
            member=actors.a,
            user=actors.member_a,
            price_round=price_round,
            product=product(),
            channel="wholesale",
            unit="kg",
            net_grams=None,
            price_rial=1_000_000,
        )


def test_no_open_round_says_so(actors, client_as):
    response = client_as("member_a").get(SUBMIT)
    assert "هیچ دوره قیمتی باز نیست. وقتی دوره بعدی باز شود به شما خبر می‌دهیم." in response.content.decode()


def test_big_move_from_last_accepted_price_needs_a_note(actors, client_as):
    make_submission(member=actors.a, price_round=make_round(1405, 7, status="closed"), toman=100_000, status="accepted")
    price_round = make_open_round(1405, 8)
    client = client_as("member_a")
    response = _post(client, price_round, price="120000")
    assert response.context["form"].errors["note"] == [
        "قیمت شما ۲۰٪ با آخرین قیمت پذیرفته‌شده‌تان (۱۰۰٬۰۰۰ تومان برای هر کیلوگرم) فرق دارد: "
        "لطفاً دلیل آن را در توضیح بنویسید."
    ]
    assert _post(client, price_round, price="114000").status_code == 302  # within ±15%
    assert _post(client, price_round, price="120000", note="گرانی کره").status_code == 302
    assert PriceSubmission.objects.get(price_round=price_round, is_current=True).note == "گرانی کره"


def test_others_prices_in_the_open_round_never_ask_toman_or_rial(actors, client_as):
    """Behaviour changed on purpose: the question used to compare with the running median of
    other members' open-round prices and tell the ratio (an oracle of their prices)."""
    price_round = make_open_round()
    for member in make_members(3):
        make_submission(member=member, price_round=price_round, toman=900_000)
    response = _post(client_as("member_a"), price_round, price="۹٬۰۰۰٬۰۰۰")
    assert response.status_code == 302
    assert PriceSubmission.objects.get(member=actors.a).price_rial == 90_000_000


def _plausible(slug="baklava", *, low, high):
    from core.money import toman_to_rial

    item = product(slug)
    item.plausible_min_per_kg_rial = toman_to_rial(low)
    item.plausible_max_per_kg_rial = toman_to_rial(high)
    item.save()
    return item


def test_price_outside_the_plausible_range_asks_toman_or_rial(actors, client_as):
    price_round = make_open_round()
    _plausible(low=200_000, high=3_000_000)
    client = client_as("member_a")
    response = _post(client, price_round, price="۹٬۰۰۰٬۰۰۰")
    form = response.context["form"]
    assert form.unit_question is True
    assert form.errors["price"] == [
        "تومان یا ریال؟ قیمت هر کیلوگرمِ این محصول از محدوده معمول آن بسیار دور است. قیمت‌ها به تومان وارد می‌شوند "
        "(هر تومان = ۱۰ ریال). آن را اصلاح کنید، یا با زدن تیک زیر تأییدش کنید."
    ]
    body = response.content.decode()
    assert 'data-testid="unit-question"' in body
    assert 'value="۹٬۰۰۰٬۰۰۰"' in body
    assert PriceSubmission.objects.filter(member=actors.a).count() == 0
    assert _post(client, price_round, price="90000").context["form"].unit_question is True  # below the range
    # a 500 g box at 150,000 Toman is 300,000 Toman per kg: inside the range
    assert _post(client, price_round, unit="box", net_grams="500", price="150000").status_code == 302
    confirmed = _post(client, price_round, price="۹٬۰۰۰٬۰۰۰", confirm_unit="on")
    assert confirmed.status_code == 302
    assert PriceSubmission.objects.get(member=actors.a, is_current=True).price_rial == 90_000_000


def test_ten_times_my_own_last_accepted_price_asks_toman_or_rial(actors, client_as):
    make_submission(member=actors.a, price_round=make_round(1405, 7, status="closed"), toman=900_000, status="accepted")
    price_round = make_open_round(1405, 8)
    response = _post(client_as("member_a"), price_round, price="9000000", note="گرانی")
    assert response.context["form"].unit_question is True
    assert _post(client_as("member_a"), price_round, price="90000", note="ارزانی").context["form"].unit_question


def _published_cell(actors, *, members, toman=900_000):
    price_round = make_open_round(1405, 6)
    for member in make_members(members):
        make_submission(member=member, price_round=price_round, toman=toman, status="accepted")
    services.price_round_close(price_round=price_round, actor=actors.staff)
    services.price_round_publish(price_round=price_round, actor=actors.staff)
    return price_round


def test_ten_times_the_last_published_band_asks_toman_or_rial(actors, client_as):
    _published_cell(actors, members=5)
    price_round = make_open_round(1405, 8)
    assert _post(client_as("member_a"), price_round, price="9000000").context["form"].unit_question is True
    assert _post(client_as("member_a"), price_round, price="900000").status_code == 302


def test_a_withheld_or_unpublished_cell_is_no_reference(actors, client_as):
    _published_cell(actors, members=4)  # published round, cell withheld (4 members)
    closed = make_round(1405, 7, status="open")
    for member in make_members(5):
        make_submission(member=member, price_round=closed, toman=900_000, status="accepted")
    services.price_round_close(price_round=closed, actor=actors.staff)  # closed, not published
    price_round = make_open_round(1405, 8)
    assert _post(client_as("member_a"), price_round, price="9000000").status_code == 302


def test_the_rules_are_the_services(actors):
    from django.core.exceptions import ValidationError

    price_round = make_open_round()
    baklava = _plausible(low=200_000, high=3_000_000)
    common = dict(member=actors.a, user=actors.member_a, price_round=price_round, product=baklava, channel="wholesale")
    with pytest.raises(ValidationError) as asked:
        services.price_submission_save(**common, unit="kg", net_grams=None, price_rial=90_000_000)
    assert [error.code for error in asked.value.error_dict["price"]] == ["unit_question"]
    with pytest.raises(ValidationError) as grams:
        services.price_submission_save(**common, unit="box", net_grams=None, price_rial=1_500_000)
    assert list(grams.value.error_dict) == ["net_grams"]
    submission, changed = services.price_submission_save(
        **common, unit="kg", net_grams=None, price_rial=90_000_000, confirm_unit=True
    )
    assert (submission.price_rial, changed) == (90_000_000, True)


def test_total_cost_above_price_is_warned_but_saved(actors, client_as):
    client = client_as("member_a")
    response = _post(client, make_open_round(), price="100000", cost_flour="60000", cost_labour="50000")
    assert response.status_code == 302
    page = client.get(reverse("pricing:my_prices")).content.decode()
    assert (
        "جمع اقلام بهای تمام‌شده شما (۱۱۰٬۰۰۰ تومان برای هر کیلوگرم) از قیمت شما "
        "(۱۰۰٬۰۰۰ تومان برای هر کیلوگرم) بیشتر است." in page
    )
    saved = PriceSubmission.objects.get()
    assert (saved.cost_flour, saved.cost_labour, saved.cost_sugar) == (600_000, 500_000, None)


def test_database_allows_one_current_submission_per_cell(actors):
    price_round = make_open_round()
    make_submission(member=actors.a, price_round=price_round)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_submission(member=actors.a, price_round=price_round, version=2)


def test_database_refuses_zero_price(actors):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_submission(member=actors.a, price_round=make_open_round(), toman=0)


def test_suspended_member_cannot_submit(actors, client_as):
    actors.a.status = "suspended"
    actors.a.save()
    assert _post(client_as("member_a"), make_open_round()).status_code == 403


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_make_one_row(actors):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    price_round = make_open_round()
    baklava = product()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def submit(price_rial):
        try:
            barrier.wait()
            results.append(
                services.price_submission_save(
                    member=actors.a,
                    user=actors.member_a,
                    price_round=price_round,
                    product=baklava,
                    channel="wholesale",
                    unit="kg",
                    net_grams=None,
                    price_rial=price_rial,
                )
            )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(1_250_000,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert PriceSubmission.objects.filter(member=actors.a).count() == 1
    assert sorted(changed for _submission, changed in results) == [False, True]
