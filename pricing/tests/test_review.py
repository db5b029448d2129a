import pytest
from django.urls import reverse

from core.audit import audit_entries_for
from core.models import Notification
from pricing.models import PriceReview, PriceSubmission
from pricing.tests.factories import make_members, make_open_round, make_round, make_submission

pytestmark = pytest.mark.django_db
REVIEW = reverse("pricing:review")


def _queue_round(actors):
    price_round = make_open_round()
    others = [
        make_submission(member=m, price_round=price_round, toman=t, cost_flour=50_000)
        for m, t in zip(make_members(4), [900_000, 910_000, 920_000, 930_000], strict=True)
    ]
    mine = make_submission(member=actors.a, price_round=price_round, toman=9_000_000)
    return price_round, others, mine


def test_queue_flags_outliers_big_moves_and_missing_cost_lines(actors, client_as):
    make_submission(member=actors.b, price_round=make_round(1405, 7, status="closed"), toman=500_000, status="accepted")
    price_round, others, mine = _queue_round(actors)
    moved = make_submission(member=actors.b, price_round=price_round, toman=915_000, cost_sugar=10)
    response = client_as("union_head").get(REVIEW)
    flags = {row.submission.pk: [code for code, _label in row.flags] for row in response.context["rows"]}
    assert flags[mine.pk] == ["outlier", "no_costs"]
    assert flags[moved.pk] == ["big_move"]
    assert flags[others[0].pk] == []
    body = response.content.decode()
    assert 'data-flag="outlier"' in body
    assert response.context["rows"][0].median == 9_175_000  # (915,000 + 920,000) / 2 Toman, in Rials


def test_flagged_only_filter(actors, client_as):
    _price_round, _others, mine = _queue_round(actors)
    rows = client_as("union_head").get(REVIEW + "?flagged=1").context["rows"]
    assert [row.submission.pk for row in rows] == [mine.pk]


def test_accept_one_records_history_and_audit(actors, client_as):
    _price_round, others, _mine = _queue_round(actors)
    response = client_as("union_head").post(REVIEW, {"ids": [others[0].pk], "decision": "accepted"})
    assert response.status_code == 302
    others[0].refresh_from_db()
    assert others[0].status == "accepted"
    review = PriceReview.objects.get()
    assert (review.submission, review.reviewer, review.decision) == (others[0], actors.union_head, "accepted")
    assert [e.action for e in audit_entries_for(others[0])] == ["price_submission.review"]


def test_reject_needs_a_reason_and_changes_nothing_without_one(actors, client_as):
    _price_round, _others, mine = _queue_round(actors)
    response = client_as("union_head").post(REVIEW, {"ids": [mine.pk], "decision": "rejected", "message": ""})
    assert response.status_code == 200
    assert "دلیل رد را بنویسید." in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == "submitted"
    assert PriceReview.objects.count() == 0


def test_needs_info_message_reaches_the_member(actors, client_as):
    _price_round, _others, mine = _queue_round(actors)
    text = "قیمت به ریال وارد شده؟"
    client_as("union_head").post(REVIEW, {"ids": [mine.pk], "decision": "needs_info", "message": text})
    mine.refresh_from_db()
    assert (mine.status, mine.reviewer_message) == ("needs_info", text)
    # Behaviour changed on purpose: the notification (e-mailed, and readable by staff in the
    # admin) no longer carries the message, which may quote the price; the member's page does.
    assert Notification.objects.filter(user=actors.member_a).values_list("subject", "body").get() == (
        "قیمت شما برای باقلوا نیاز به توضیح دارد",
        "پیام رئیس اتحادیه را در صفحه قیمت‌های خود بخوانید.",
    )
    page = client_as("member_a").get(reverse("pricing:my_prices")).content.decode()
    assert text in page
    assert "نیاز به توضیح" in page


def test_bulk_decision(actors, client_as):
    _price_round, others, _mine = _queue_round(actors)
    ids = [s.pk for s in others]
    client_as("union_head").post(REVIEW, {"ids": ids, "decision": "accepted"})
    assert sorted(PriceSubmission.objects.filter(status="accepted").values_list("pk", flat=True)) == sorted(ids)
    assert PriceReview.objects.count() == 4


def test_history_of_every_decision_is_kept(actors, client_as):
    _price_round, _others, mine = _queue_round(actors)
    client = client_as("union_head")
    client.post(REVIEW, {"ids": [mine.pk], "decision": "needs_info", "message": "ریال؟"})
    client.post(REVIEW, {"ids": [mine.pk], "decision": "rejected", "message": "قیمت به ریال است"})
    assert list(PriceReview.objects.filter(submission=mine).values_list("decision", "message")) == [
        ("needs_info", "ریال؟"),
        ("rejected", "قیمت به ریال است"),
    ]
    body = client.get(REVIEW + "?status=all").content.decode()
    assert body.count('data-testid="decision"') == 2


def test_review_queue_query_count_is_constant(actors, client_as, django_assert_max_num_queries):
    price_round = make_open_round()
    make_submission(member=actors.a, price_round=price_round)
    client = client_as("union_head")
    client.get(REVIEW)  # warm the session and group caches

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(REVIEW).status_code == 200
        return len(captured)

    one = count()
    for member in make_members(6):
        make_submission(member=member, price_round=price_round, cost_flour=1)
        make_submission(member=member, price_round=price_round, product_slug="rice-cookies", channel="retail")
    assert count() == one


def test_members_and_staff_cannot_review(actors, client_as):
    _price_round, others, _mine = _queue_round(actors)
    for role in ("member_a", "staff"):
        assert client_as(role).post(REVIEW, {"ids": [others[0].pk], "decision": "accepted"}).status_code == 403
    assert PriceReview.objects.count() == 0


def test_decisions_in_a_closed_round_update_its_stored_aggregates(actors, client_as):
    from pricing import services
    from pricing.models import PriceCellStat

    price_round = make_open_round()
    members = make_members(5)
    submissions = [
        make_submission(member=m, price_round=price_round, toman=t, status="accepted")
        for m, t in zip(members, [100_000, 110_000, 120_000, 130_000, 140_000], strict=True)
    ]
    services.price_round_close(price_round=price_round, actor=actors.staff)
    assert PriceCellStat.objects.get().median == 1_200_000
    client_as("union_head").post(
        REVIEW + f"?round={price_round.pk}&status=all",
        {"ids": [submissions[0].pk, submissions[1].pk], "decision": "rejected", "message": "نامعتبر"},
    )
    stat = PriceCellStat.objects.get()
    assert (stat.members, stat.median) == (3, 1_300_000)


def _big_queue(actors, count=30):
    price_round = make_open_round()
    plain = [
        make_submission(member=m, price_round=price_round, toman=900_000 + i, cost_flour=50_000)
        for i, m in enumerate(make_members(count))
    ]
    flagged = make_submission(member=actors.a, price_round=price_round, toman=9_000_000, cost_flour=50_000)
    retail = make_submission(member=actors.b, price_round=price_round, channel="retail", toman=950_000, cost_sugar=1)
    return price_round, plain, flagged, retail


def test_the_queue_is_25_a_page_flagged_first(actors, client_as):
    _price_round, plain, flagged, retail = _big_queue(actors)
    client = client_as("union_head")
    first = client.get(REVIEW)
    rows = first.context["rows"]
    assert len(rows) == 25
    assert rows[0].submission.pk == flagged.pk and [code for code, _l in rows[0].flags] == ["outlier"]
    assert all(row.flags == [] for row in rows[1:])
    body = first.content.decode()
    assert "۳۲ قیمت در این فهرست." in body and "۱ مورد علامت‌دار، در ابتدا نشان داده شده." in body
    assert "صفحه ۱ از ۲" in body
    second = client.get(REVIEW + "?page=2").context["rows"]
    assert len(second) == 7
    seen = {row.submission.pk for row in rows} | {row.submission.pk for row in second}
    assert seen == {s.pk for s in plain} | {flagged.pk, retail.pk}
    assert client.get(REVIEW + "?page=۹۹").status_code == 200  # a wrong page is the last one, never a 500


def test_the_queue_filters_by_product_channel_status_and_flags(actors, client_as):
    from pricing.tests.factories import product

    price_round, _plain, flagged, retail = _big_queue(actors, count=3)
    rice = make_submission(member=make_members(1)[0], price_round=price_round, product_slug="rice-cookies")
    client = client_as("union_head")

    def pks(query):
        return [row.submission.pk for row in client.get(REVIEW + query).context["rows"]]

    assert pks("?channel=retail") == [retail.pk]
    assert pks(f"?product={product('rice-cookies').pk}") == [rice.pk]
    assert pks("?flagged=on") == [flagged.pk, rice.pk]  # rice: no cost lines
    assert pks(f"?flagged=on&product={product('baklava').pk}&channel=wholesale") == [flagged.pk]
    PriceSubmission.objects.filter(pk=rice.pk).update(status="accepted")
    assert pks("?status=accepted") == [rice.pk]
    assert len(pks("?status=all")) == 6
    assert len(pks("?product=abc&channel=x&status=zzz")) == 6 - 1  # wrong values are ignored: submitted ones


def test_a_bulk_decision_has_no_default(actors, client_as):
    _price_round, others, _mine = _queue_round(actors)
    client = client_as("union_head")
    page = client.get(REVIEW).content.decode()
    assert '<option value="" selected>تصمیم را انتخاب کنید</option>' in page
    response = client.post(REVIEW, {"ids": [s.pk for s in others], "message": ""})
    assert response.status_code == 200
    assert "تصمیم را انتخاب کنید: پذیرش، نیاز به توضیح یا رد." in response.content.decode()
    assert PriceReview.objects.count() == 0
    assert set(PriceSubmission.objects.values_list("status", flat=True)) == {"submitted"}
