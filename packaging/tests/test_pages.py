"""The member's and the staff's pages: who sees what, a line added from the phone form (any
digits), bad input kept with a translated message, another member's things are 404s, constant
query counts, the XLSX summary's exact content, the administration's steps and label check."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_member, make_user
from core.models import AuditEntry, Notification
from packaging import selectors, services
from packaging.dashboard import member_dashboard_section
from packaging.models import JointOrder, LabelProof, OrderLine, PriceTier

from . import factories

pytestmark = pytest.mark.django_db
S = JointOrder.Status


def _count_queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _members(n, start=0):
    people = []
    for index in range(start, start + n):
        user = make_user(f"0914{index:07d}", f"عضو {index}")
        member = make_member(user, national_id=_nid(index), number=100 + index)
        people.append((member, user))
    return people


def _nid(index):
    body = f"{index + 1:09d}"
    total = sum(int(d) * (10 - i) for i, d in enumerate(body)) % 11
    return body + str(total if total < 2 else 11 - total)


def test_a_licensed_member_joins_from_the_form_with_persian_digits(actors, client_as):
    order = factories.order()
    permit = factories.licence(actors.a, number="FDO-1402-5566")
    client = client_as("member_a")
    page = client.get(order.get_absolute_url()).content.decode()
    assert 'data-testid="line-form"' in page
    assert "FDO-1402-5566" in page
    response = client.post(reverse("packaging:line", args=[order.pk]), {"quantity": "۳۲۰", "licence": str(permit.pk)})
    assert response.status_code == 302
    line = OrderLine.objects.get()
    assert (line.member, line.quantity, line.licence_number) == (actors.a, 320, "FDO-1402-5566")
    page = client.get(order.get_absolute_url()).content.decode()
    assert "۳۲۰ جعبه ×" in page  # my boxes (the total only from five members: test_disclosure)
    assert "از ۳۰۰ جعبه: هر جعبه ۹۵٬۰۰۰ تومان" in page  # tier reached
    assert "هر جعبه ۸۰٬۰۰۰ تومان، از ۶۰۰ جعبه در مجموع" in page  # the next tier (no total under five members)
    assert "۳۰٬۴۰۰٬۰۰۰ تومان" in page  # my cost: 320 × 95,000
    assert "ثبت شد: ۳۲۰ جعبه در این سفارش از آن شماست." in page


def test_bad_input_keeps_what_was_typed_with_a_translated_message(actors, client_as):
    order = factories.order()
    permit = factories.licence(actors.a)
    client = client_as("member_a")
    response = client.post(reverse("packaging:line", args=[order.pk]), {"quantity": "چند", "licence": str(permit.pk)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "تعداد جعبه را به صورت عدد صحیح وارد کنید." in page
    assert 'value="چند"' in page
    expired = factories.licence(actors.a, expiry_in=-3)
    response = client.post(reverse("packaging:line", args=[order.pk]), {"quantity": "40", "licence": str(expired.pk)})
    assert response.status_code == 400
    assert 'value="40"' in response.content.decode()
    assert not OrderLine.objects.exists()


def test_a_member_without_a_licence_sees_why_not_and_cannot_post(actors, client_as):
    order = factories.order()
    client = client_as("member_b")
    page = client.get(order.get_absolute_url()).content.decode()
    assert 'data-testid="line-form"' not in page
    assert "کسب‌وکار شما امروز پروانه بهداشتی ساخت معتبر ندارد." in page
    assert (
        "پروانه بهداشتی ساخت معتبر ندارد و نمی‌تواند به سفارشی بپیوندد"
        in client.get(reverse("packaging:list")).content.decode()
    )
    someone_elses = factories.licence(actors.a)
    response = client.post(
        reverse("packaging:line", args=[order.pk]), {"quantity": "10", "licence": str(someone_elses.pk)}
    )
    assert response.status_code == 400
    assert not OrderLine.objects.exists()


def test_past_the_deadline_the_page_says_so(actors, client_as):
    order = factories.order(deadline_in=-1)
    factories.licence(actors.a)
    page = client_as("member_a").get(order.get_absolute_url()).content.decode()
    assert "مهلت گذشته است: تعدادها دیگر تغییر نمی‌کنند." in page
    assert 'data-testid="line-form"' not in page


def test_another_members_line_and_orders_stay_hidden(actors, client_as):
    order = factories.order()
    line = factories.join(order, actors.a, actors.member_a, 120, permit=factories.licence(actors.a, number="FDO-A-1"))
    proof = factories.proof(line, actors.member_a)
    client_b = client_as("member_b")
    page = client_b.get(order.get_absolute_url()).content.decode()
    assert "FDO-A-1" not in page and actors.a.business_name not in page
    assert client_b.get(reverse("packaging:proof_file", args=[proof.pk])).status_code == 404
    # B has no line here, so it may not upload a label to it
    upload = factories.png_upload()
    assert client_b.post(reverse("packaging:proof_upload", args=[order.pk]), {"artwork": upload}).status_code == 404
    # a closed order a member is not in is a 404; its own stays visible
    services.order_cancel(order=order, actor=actors.staff, reason="لغو")
    assert client_b.get(order.get_absolute_url()).status_code == 404
    assert client_as("member_a").get(order.get_absolute_url()).status_code == 200


def test_the_label_is_uploaded_checked_and_the_member_reads_why(actors, client_as):
    order = factories.order()
    line = factories.join(order, actors.a, actors.member_a, 120)
    client = client_as("member_a")
    bad = client.post(
        reverse("packaging:proof_upload", args=[order.pk]),
        {"artwork": factories.SimpleUploadedFile("a.png", b"not an image", content_type="image/png")},
    )
    assert bad.status_code == 400
    assert "PDF" in bad.content.decode()  # the translated message says what is taken
    assert not LabelProof.objects.exists()
    response = client.post(reverse("packaging:proof_upload", args=[order.pk]), {"artwork": factories.png_upload()})
    assert response.status_code == 302
    proof = LabelProof.objects.get(line=line)
    assert client.get(reverse("packaging:proof_file", args=[proof.pk]))["Content-Type"] == "image/jpeg"  # re-encoded
    admin_url = reverse("admin:packaging_labelproof_change", args=[proof.pk])
    staff = client_as("staff")
    # accepting with an item missing is refused on the form
    ticked = {"has_product_name": "on", "has_producer": "on", "has_licence_number": "on", "has_net_weight": "on"}
    refused = staff.post(admin_url, {**ticked, "decision": "accept", "reason": ""})
    assert refused.status_code == 200
    assert "موارد ناقص" in refused.content.decode()
    staff.post(admin_url, {**ticked, "decision": "return", "reason": "تاریخ تولید و انقضا و ترکیبات ندارد"})
    proof.refresh_from_db()
    assert proof.status == LabelProof.Status.RETURNED
    page = client.get(order.get_absolute_url()).content.decode()
    assert "موارد اصلاحی: تاریخ تولید و انقضا و ترکیبات ندارد" in page
    assert 'data-testid="proof-form"' in page  # a new version may be sent


def test_member_pages_cost_the_same_queries_for_one_or_many(actors, client_as):
    factories.licence(actors.a)
    client = client_as("member_a")
    order = factories.order()
    factories.join(order, actors.a, actors.member_a, 10)
    list_url, detail_url = reverse("packaging:list"), order.get_absolute_url()
    one_list, one_detail = _count_queries(client, list_url), _count_queries(client, detail_url)
    for member, user in _members(6):
        factories.join(order, member, user, 50)
    for _ in range(4):
        other = factories.order()
        member, user = _members(1, start=50 + other.pk)[0]
        factories.join(other, member, user, 5)
    assert _count_queries(client, list_url) == one_list
    assert _count_queries(client, detail_url) == one_detail
    dashboard = reverse("members:dashboard")
    assert "packaging-section" in client.get(dashboard).content.decode()


def test_staff_pages_cost_the_same_queries_for_one_or_many(actors, client_as):
    client = client_as("staff")
    order = factories.order()
    member, user = _members(1)[0]
    factories.proof(factories.join(order, member, user, 10), user)
    list_url, detail_url = reverse("packaging:list"), order.get_absolute_url()
    one_list, one_detail = _count_queries(client, list_url), _count_queries(client, detail_url)
    for member, user in _members(5, start=10):
        factories.proof(factories.join(order, member, user, 30), user)
    factories.order(title="دوم")
    assert _count_queries(client, list_url) == one_list
    assert _count_queries(client, detail_url) == one_detail


def test_the_xlsx_summary_has_one_row_per_member_and_the_totals(actors, client_as):
    order = factories.order()
    factories.join(order, actors.a, actors.member_a, 400, permit=factories.licence(actors.a, number="FDO-1401-0001"))
    factories.join(order, actors.b, actors.member_b, 250, permit=factories.licence(actors.b, number="FDO-1402-0002"))
    services.order_close(order=order, actor=actors.staff)
    response = client_as("staff").get(reverse("packaging:summary", args=[order.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="packaging-order-{order.pk}.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["اعضا و جعبه‌ها", "شرایط سفارش"]
    rows = [list(r) for r in book["اعضا و جعبه‌ها"].iter_rows(values_only=True)]
    assert rows[0] == [
        "عضو",
        "شماره عضویت",
        "شماره همراه",
        "شماره پروانه چاپ‌شده روی جعبه",
        "اعتبار پروانه تا",
        "جعبه‌ها",
        "قیمت واحد (تومان)",
        "هزینه (تومان)",
        "نمونه برچسب",
    ]
    # 650 boxes in all: the 600 tier, 80,000 Toman a box
    assert [r[0] for r in rows[1:3]] == [actors.a.business_name, actors.b.business_name]
    assert [r[3] for r in rows[1:3]] == ["FDO-1401-0001", "FDO-1402-0002"]
    assert [r[5:9] for r in rows[1:3]] == [
        [400, 80_000, 32_000_000, "بارگذاری نشده"],
        [250, 80_000, 20_000_000, "بارگذاری نشده"],
    ]
    assert rows[3][0] == "جمع" and rows[3][5] == 650 and rows[3][7] == 52_000_000
    facts = dict(book["شرایط سفارش"].iter_rows(values_only=True))
    assert facts["تأمین‌کننده"] == "چاپ و بسته‌بندی البرز"
    assert facts["مجموع جعبه‌ها"] == 650
    assert facts["پله رسیده (از تعداد جعبه)"] == 600
    assert facts["وضعیت"] == "بسته"


def test_staff_open_an_order_in_the_admin_with_tiers_in_toman_and_licensed_members_are_told(actors, client_as):
    factories.licence(actors.a)
    staff = client_as("staff")
    data = {
        "title": "جعبه هدیه",
        "supplier_name": "چاپخانه نمونه",
        "supplier_contact": "۰۹۱۲۱۲۳۴۵۶۷",
        "box_type": "gift",
        "box_size": "۳۰ × ۲۰",
        "print_spec": "طلاکوب",
        "description": "",
        "minimum_total": "۲۰۰",
        "deadline": "1405/12/20",
        "tiers-TOTAL_FORMS": "3",
        "tiers-INITIAL_FORMS": "0",
        "tiers-MIN_NUM_FORMS": "1",
        "tiers-MAX_NUM_FORMS": "1000",
        "tiers-0-min_quantity": "200",
        "tiers-0-unit_price_rial": "۱۲۰٬۰۰۰",
        "tiers-1-min_quantity": "500",
        "tiers-1-unit_price_rial": "100000",
        "tiers-2-min_quantity": "",
        "tiers-2-unit_price_rial": "",
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "0",
    }
    bad = staff.post(reverse("admin:packaging_jointorder_add"), {**data, "tiers-0-min_quantity": "250"})
    assert bad.status_code == 200
    assert "نخستین پله قیمت باید از حداقل تعداد کل یا کمتر شروع شود." in bad.content.decode()
    response = staff.post(reverse("admin:packaging_jointorder_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    order = JointOrder.objects.get(title="جعبه هدیه")
    assert list(order.tiers.values_list("min_quantity", "unit_price_rial")) == [(200, 1_200_000), (500, 1_000_000)]
    assert AuditEntry.objects.filter(action="packaging.order_create").count() == 1
    assert AuditEntry.objects.get(action="packaging.tiers_set").changes == {
        "tiers": [[200, 1_200_000], [500, 1_000_000]]
    }
    told = set(
        Notification.objects.filter(subject__startswith="سفارش مشترک بسته‌بندی باز شد").values_list(
            "user__mobile", flat=True
        )
    )
    assert told == {actors.member_a.mobile}  # member B holds no licence


def test_admin_actions_close_and_download(actors, client_as):
    order = factories.order()
    factories.join(order, actors.a, actors.member_a, 350)
    staff = client_as("staff")
    changelist = reverse("admin:packaging_jointorder_changelist")
    response = staff.post(changelist, {"action": "close", "_selected_action": [order.pk]}, follow=True)
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == S.CLOSED
    download = staff.post(changelist, {"action": "download_summary", "_selected_action": [order.pk]})
    assert download["Content-Disposition"] == f'attachment; filename="packaging-order-{order.pk}.xlsx"'
    page = staff.get(reverse("admin:packaging_jointorder_change", args=[order.pk])).content.decode()
    assert reverse("packaging:summary", args=[order.pk]) in page
    assert PriceTier.objects.filter(order=order).count() == 3


def test_the_order_page_in_english(actors, client_as):
    order = factories.order()
    factories.join(order, actors.a, actors.member_a, 320, permit=factories.licence(actors.a, number="FDO-EN-1"))
    client = client_as("member_a")
    client.cookies["django_language"] = "en"
    page = client.get(order.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "from 300 boxes: 95,000 Toman a box" in page
    assert "80,000 Toman a box, from 600 boxes in all" in page  # one member: no total (test_disclosure)
    assert "30,400,000 Toman" in page


def test_a_closed_orders_cancel_reason_is_saved_in_the_admin(actors, client_as):
    order = factories.order()
    factories.join(order, actors.a, actors.member_a, 350)
    services.order_close(order=order, actor=actors.staff)
    staff = client_as("staff")
    url = reverse("admin:packaging_jointorder_change", args=[order.pk])
    response = staff.post(
        url,
        {
            "cancel_reason": "چاپخانه تعطیل شد",
            "tiers-TOTAL_FORMS": "0",
            "tiers-INITIAL_FORMS": "0",
            "lines-TOTAL_FORMS": "0",
            "lines-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    changelist = reverse("admin:packaging_jointorder_changelist")
    staff.post(changelist, {"action": "cancel", "_selected_action": [order.pk]})
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == (S.CANCELLED, "چاپخانه تعطیل شد")


def _dashboard(member):
    return member_dashboard_section(request=None, member=member)


def _from_the_order_list(member):
    """What the list page's selector says, in the dashboard's terms."""
    orders = selectors.orders_for_member(member=member)
    mine = [
        {
            "url": o.get_absolute_url(),
            "title": o.title,
            "status": o.status,
            "status_label": o.get_status_display(),
            "my_quantity": o.my_quantity,
            "my_proof_status": o.my_proof_status,
            "my_cost_rial": o.my_cost_rial,
        }
        for o in orders
        if o.my_quantity
    ]
    return {"mine": mine, "open_to_join": sum(1 for o in orders if o.status == S.OPEN and not o.my_quantity)}


def test_the_dashboard_section_is_one_query_for_one_order_or_many_and_says_what_the_list_says(
    actors, django_assert_num_queries
):
    first = factories.order(title="اول")
    factories.join(first, actors.a, actors.member_a, 120)
    with django_assert_num_queries(1):
        section = _dashboard(actors.a)
    assert section["context"] == _from_the_order_list(actors.a)
    assert section["context"]["mine"][0]["my_cost_rial"] == 120 * 950_000  # below the first tier: its price
    assert section["context"]["open_to_join"] == 0
    # More orders, other members' lines, tiers reached, labels, closed and untiered orders.
    second = factories.order(title="دوم")
    line = factories.join(second, actors.a, actors.member_a, 200)
    for member, user in _members(3):
        factories.join(second, member, user, 150)
        factories.join(first, member, user, 10)
    proof = factories.proof(line, actors.member_a)
    services.proof_review(proof=proof, actor=actors.staff, items={}, accept=False, reason="تاریخ ندارد")
    factories.order(title="سوم، باز")
    factories.order(title="چهارم، بی‌پله", tiers=())
    factories.order(title="پنجم، بسته", status=S.CLOSED)
    closed_mine = factories.order(title="ششم", minimum_total=30)
    factories.join(closed_mine, actors.a, actors.member_a, 30)
    services.order_close(order=closed_mine, actor=actors.staff)
    factories.join(factories.order(title="هفتم"), actors.b, actors.member_b, 40)
    with django_assert_num_queries(1):
        section = _dashboard(actors.a)
    context = section["context"]
    assert context == _from_the_order_list(actors.a)
    assert [o["title"] for o in context["mine"]] == ["ششم", "دوم", "اول"]
    assert [o["my_proof_status"] for o in context["mine"]] == [None, "returned", None]
    assert context["mine"][1]["my_cost_rial"] == 200 * 800_000  # 650 boxes in all: the 600 tier
    assert context["open_to_join"] == 3  # the third, the untiered fourth and B's seventh
    assert _dashboard(actors.b)["context"] == _from_the_order_list(actors.b)
