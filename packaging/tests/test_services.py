"""The rules of joint orders through the real services: tiers follow the running total, the
deadline and the order's status stop changes, only licensed members join, every step is
audited and told to the participants, label proofs are accepted only with every item."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from conftest import make_member, make_user
from core.models import AuditEntry, Notification
from members.models import Member
from packaging import services
from packaging.models import JointOrder, LabelProof, OrderLine, PriceTier
from packaging.tiers import tier_state

from . import factories

S = JointOrder.Status


def _tiers():
    return [PriceTier(min_quantity=q, unit_price_rial=p) for q, p in factories.TIERS]


@pytest.mark.parametrize(
    ("total", "current", "next_", "to_next", "price"),
    [
        (0, None, 300, 300, 950_000),
        (299, None, 300, 1, 950_000),
        (300, 300, 600, 300, 950_000),
        (599, 300, 600, 1, 950_000),
        (600, 600, 1000, 400, 800_000),
        (1000, 1000, None, None, 700_000),
        (5000, 1000, None, None, 700_000),
    ],
)
def test_tier_state_follows_the_total(total, current, next_, to_next, price):
    state = tier_state(_tiers(), total=total, minimum_total=300)
    assert (state.current.min_quantity if state.current else None) == current
    assert (state.next.min_quantity if state.next else None) == next_
    assert state.to_next == to_next
    assert state.unit_price_rial == price
    assert state.cost_rial(120) == 120 * price
    assert state.minimum_reached is (total >= 300)


def test_three_members_join_and_the_tier_and_every_cost_follow_the_total(actors):
    order = factories.order()
    user_c = make_user("09130000004", "عضو ج")
    member_c = make_member(user_c, national_id="0034567895", number=3)
    factories.join(order, actors.a, actors.member_a, 250)
    factories.join(order, actors.b, actors.member_b, 200)
    state = services._state(order)
    assert (state.total, state.current.min_quantity, state.unit_price_rial) == (450, 300, 950_000)
    factories.join(order, member_c, user_c, 200)
    state = services._state(order)
    assert (state.total, state.current.min_quantity, state.unit_price_rial) == (650, 600, 800_000)
    assert state.cost_rial(250) == 200_000_000  # 250 boxes × 80,000 Toman = 20,000,000 Toman
    # each participant was told when the tier moved (to 300 at the second member, to 600 at the third)
    subjects = list(
        Notification.objects.filter(user=actors.member_a, subject__contains="قیمت واحد")
        .order_by("pk")
        .values_list("subject", flat=True)
    )
    assert subjects == [
        f"قیمت واحد تازه در {order.title}: هر جعبه ۹۵٬۰۰۰ تومان",
        f"قیمت واحد تازه در {order.title}: هر جعبه ۸۰٬۰۰۰ تومان",
    ]
    assert Notification.objects.filter(user=user_c, subject__contains="قیمت واحد").count() == 1


def test_changing_and_removing_a_line_is_audited_and_moves_the_tier_back(actors):
    order = factories.order()
    permit = factories.licence(actors.a, number="FDO-1403-100")
    other = factories.licence(actors.a, number="FDO-1403-200")
    line = factories.join(order, actors.a, actors.member_a, 320, permit=permit)
    assert line.licence_number == "FDO-1403-100"
    services.line_set(order=order, member=actors.a, actor=actors.member_a, quantity=150, licence_id=other.pk)
    line.refresh_from_db()
    assert (line.quantity, line.licence_number) == (150, "FDO-1403-200")
    entry = AuditEntry.objects.filter(action="packaging.line_change").get()
    assert entry.changes == {"quantity": [320, 150], "licence": ["FDO-1403-100", "FDO-1403-200"]}
    assert services._state(order).current is None
    services.line_remove(order=order, member=actors.a, actor=actors.member_a)
    assert not OrderLine.objects.filter(order=order).exists()
    assert AuditEntry.objects.filter(action="packaging.line_remove").count() == 1


def test_only_a_member_with_a_licence_in_force_joins(actors):
    order = factories.order()
    expired = factories.licence(actors.a, expiry_in=-1)
    with pytest.raises(ValidationError) as error:
        services.line_set(order=order, member=actors.a, actor=actors.member_a, quantity=10, licence_id=expired.pk)
    assert "licence" in error.value.message_dict
    # another member's licence is not yours
    others = factories.licence(actors.b)
    with pytest.raises(ValidationError):
        services.line_set(order=order, member=actors.a, actor=actors.member_a, quantity=10, licence_id=others.pk)
    # a suspended member may not join even with a licence
    mine = factories.licence(actors.a)
    Member.objects.filter(pk=actors.a.pk).update(status=Member.Status.SUSPENDED)
    actors.a.refresh_from_db()
    with pytest.raises(ValidationError, match="فعال|active"):
        services.line_set(order=order, member=actors.a, actor=actors.member_a, quantity=10, licence_id=mine.pk)
    assert not OrderLine.objects.exists()


def test_no_change_after_the_deadline_or_once_closed(actors):
    order = factories.order(deadline_in=0)
    permit = factories.licence(actors.a)
    factories.join(order, actors.a, actors.member_a, 10, permit=permit)  # the deadline day itself counts
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="مهلت|deadline"):
        services.line_set(
            order=order, member=actors.a, actor=actors.member_a, quantity=20, licence_id=permit.pk, today=tomorrow
        )
    with pytest.raises(ValidationError):
        services.line_remove(order=order, member=actors.a, actor=actors.member_a, today=tomorrow)
    closed = factories.order(status=S.CLOSED)
    with pytest.raises(ValidationError):
        services.line_set(order=closed, member=actors.a, actor=actors.member_a, quantity=5, licence_id=permit.pk)
    assert OrderLine.objects.get().quantity == 10


def test_quantities_are_checked(actors):
    order = factories.order()
    permit = factories.licence(actors.a)
    for bad in (0, -5, 1_000_001, "x"):
        with pytest.raises(ValidationError) as error:
            services.line_set(order=order, member=actors.a, actor=actors.member_a, quantity=bad, licence_id=permit.pk)
        assert "quantity" in error.value.message_dict


def test_the_steps_in_order_each_audited_and_told(actors):
    order = factories.order()
    factories.join(order, actors.a, actors.member_a, 200)
    with pytest.raises(ValidationError, match="حداقل|minimum"):
        services.order_close(order=order, actor=actors.staff)  # 200 < the minimum of 300
    factories.join(order, actors.b, actors.member_b, 150)
    with pytest.raises(ValidationError):
        services.order_mark_ordered(order=order, actor=actors.staff)  # open → ordered skips a step
    services.order_close(order=order, actor=actors.staff)
    services.order_mark_ordered(order=order, actor=actors.staff)
    services.order_mark_delivered(order=order, actor=actors.staff)
    order.refresh_from_db()
    assert order.status == S.DELIVERED
    assert all((order.closed_at, order.ordered_at, order.delivered_at))
    actions = list(AuditEntry.objects.filter(action__startswith="packaging.order_").values_list("action", flat=True))
    assert sorted(actions) == ["packaging.order_closed", "packaging.order_delivered", "packaging.order_ordered"]
    for user in (actors.member_a, actors.member_b):
        subjects = set(Notification.objects.filter(user=user).values_list("subject", flat=True))
        assert {f"سفارش مشترک بسته شد: {order.title}", f"جعبه‌های شما رسید: {order.title}"} <= subjects
    with pytest.raises(ValidationError):
        services.order_cancel(order=order, actor=actors.staff, reason="دیر شد")  # delivered is final


def test_cancelling_needs_a_reason_the_members_read(actors):
    order = factories.order()
    factories.join(order, actors.a, actors.member_a, 50)
    with pytest.raises(ValidationError):
        services.order_cancel(order=order, actor=actors.staff, reason="  ")
    services.order_cancel(order=order, actor=actors.staff, reason="چاپخانه ظرفیت ندارد")
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == (S.CANCELLED, "چاپخانه ظرفیت ندارد")
    note = Notification.objects.get(user=actors.member_a, subject__startswith="سفارش مشترک لغو شد")
    assert note.body == "چاپخانه ظرفیت ندارد"


def test_a_label_is_accepted_only_with_every_item_returned_only_with_a_reason(actors):
    order = factories.order()
    line = factories.join(order, actors.a, actors.member_a, 50)
    proof = factories.proof(line, actors.member_a)
    every = dict.fromkeys(
        ("has_product_name", "has_producer", "has_licence_number", "has_net_weight", "has_dates", "has_ingredients"),
        True,
    )
    with pytest.raises(ValidationError, match="تاریخ تولید و انقضا|Production and expiry dates"):
        services.proof_review(proof=proof, actor=actors.staff, items={**every, "has_dates": False}, accept=True)
    with pytest.raises(ValidationError):
        services.proof_review(proof=proof, actor=actors.staff, items=every, accept=False, reason="")
    services.proof_review(
        proof=proof, actor=actors.staff, items={**every, "has_dates": False}, accept=False, reason="تاریخ انقضا ندارد"
    )
    proof.refresh_from_db()
    assert (proof.status, proof.has_dates, proof.reason) == (LabelProof.Status.RETURNED, False, "تاریخ انقضا ندارد")
    note = Notification.objects.get(user=actors.member_a, subject__startswith="برچسب شما برای اصلاح")
    assert note.body == "تاریخ انقضا ندارد"
    second = factories.proof(line, actors.member_a)  # the member sends a new version
    with pytest.raises(ValidationError):  # the old one is no longer the one to check
        services.proof_review(proof=proof, actor=actors.staff, items=every, accept=True)
    services.proof_review(proof=second, actor=actors.staff, items=every, accept=True)
    second.refresh_from_db()
    assert second.status == LabelProof.Status.ACCEPTED
    assert AuditEntry.objects.filter(action="packaging.proof_review").count() == 2
    assert AuditEntry.objects.filter(action="packaging.proof_upload").count() == 2


def test_no_label_after_the_order_is_placed(actors):
    order = factories.order()
    line = factories.join(order, actors.a, actors.member_a, 400)
    services.order_close(order=order, actor=actors.staff)
    factories.proof(line, actors.member_a)  # closed: still taken
    services.order_mark_ordered(order=order, actor=actors.staff)
    with pytest.raises(ValidationError):
        factories.proof(line, actors.member_a)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_members_saving_at_once_are_serialised_on_the_order(seed_data):
    """With the order row locked, two members joining at the same moment both count."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    order = factories.order()
    people = []
    for index, nid in enumerate(("0012345679", "0023456787")):
        user = make_user(f"0913000010{index}")
        member = make_member(user, national_id=nid, number=10 + index)
        people.append((member, user, factories.licence(member)))
    errors = []

    def run(member, user, permit):
        try:
            services.line_set(order=order, member=member, actor=user, quantity=300, licence_id=permit.pk)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=p) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert services._state(order).total == 600


def test_anonymising_a_member_deletes_its_label_artwork_and_keeps_its_line(
    actors, private_storage, django_capture_on_commit_callbacks
):
    from members.anonymise import member_anonymise

    order = factories.order()
    line = factories.join(order, actors.a, actors.member_a, 120)
    other = factories.join(order, actors.b, actors.member_b, 80)
    factories.proof(line, actors.member_a)
    factories.proof(other, actors.member_b)
    assert len([p for p in private_storage.rglob("*") if p.is_file()]) == 2
    actors.a.status = Member.Status.RESIGNED
    actors.a.save()
    with django_capture_on_commit_callbacks(execute=True):
        member_anonymise(member=actors.a, actor=actors.staff)
    assert not LabelProof.objects.filter(line=line).exists()
    assert LabelProof.objects.filter(line=other).count() == 1  # another member's artwork untouched
    assert OrderLine.objects.get(pk=line.pk).quantity == 120
    assert len([p for p in private_storage.rglob("*") if p.is_file()]) == 1
