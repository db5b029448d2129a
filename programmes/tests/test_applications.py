"""Applying, reviewing, deciding, the waiting list and the eligibility flag, through the
services and the pages."""

import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from conftest import login_verified, make_member, make_user
from core.jalali import format_date
from core.models import AuditEntry, Notification
from members.anonymise import member_anonymise
from members.models import Member
from permits.tests import factories as permit_factories
from programmes import services
from programmes.models import Application, ApplicationDocument, Call, Criterion
from programmes.scoring import with_total_scores
from programmes.tests import factories

pytestmark = pytest.mark.django_db
A = Application.Status


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_apply_stores_the_documents_privately_and_records_the_history(actors, private_storage):
    call = factories.call(documents=("پیش‌فاکتور", "صورت‌حساب"))
    application = factories.apply(call, actors.a, actors.member_a, motivation="خرید فر")
    docs = list(ApplicationDocument.objects.filter(application=application).order_by("title"))
    assert [d.title for d in docs] == ["صورت‌حساب", "پیش‌فاکتور"]
    assert all((private_storage / d.storage_name).exists() for d in docs)
    assert list(application.status_changes.values_list("from_status", "to_status")) == [("", "submitted")]
    assert AuditEntry.objects.filter(action="programmes.application_submit", object_id=str(application.pk)).count() == 1
    assert Notification.objects.filter(user=actors.member_a).count() == 1


def test_apply_refuses_a_member_who_does_not_qualify_with_the_reasons(actors):
    call = factories.call(rules=[factories.LICENCE_RULE])
    with pytest.raises(ValidationError) as error:
        factories.apply(call, actors.a, actors.member_a)
    assert error.value.messages == ["No valid Manufacturing health licence is recorded for your business."]
    assert Application.objects.count() == 0


def test_apply_refuses_twice_a_closed_call_and_missing_documents(actors):
    call = factories.call()
    factories.apply(call, actors.a, actors.member_a)
    with pytest.raises(ValidationError, match="already applied"):
        factories.apply(call, actors.a, actors.member_a)
    closed = factories.call(title="بسته", deadline_in=-1)
    with pytest.raises(ValidationError, match="not open"):
        factories.apply(closed, actors.a, actors.member_a)
    other = factories.call(title="مدارک")
    with pytest.raises(ValidationError) as error:
        services.application_submit(call=other, member=actors.a, actor=actors.member_a, documents={})
    assert error.value.message_dict == {"documents": ["Attach: پیش‌فاکتور."]}


def test_apply_page_rejects_a_fake_pdf_and_keeps_the_typed_text(actors, client_as):
    call = factories.call()
    doc = call.documents_required.get()
    response = client_as("member_a").post(
        reverse("programmes:apply", args=[call.pk]),
        {
            "motivation": "خرید فر دوار",
            f"doc_{doc.pk}": SimpleUploadedFile("x.pdf", b"MZ not a pdf", "application/pdf"),
        },
    )
    assert response.status_code == 400
    assert "خرید فر دوار" in response.content.decode()
    assert Application.objects.count() == 0


def test_apply_page_with_a_document_creates_the_application(actors, client_as):
    call = factories.call()
    doc = call.documents_required.get()
    response = client_as("member_a").post(
        reverse("programmes:apply", args=[call.pk]), {"motivation": "", f"doc_{doc.pk}": factories.pdf_upload()}
    )
    application = Application.objects.get()
    assert (response.status_code, response["Location"]) == (302, application.get_absolute_url())
    download = client_as("member_a").get(application.documents.get().get_absolute_url())
    assert (download.status_code, download["Content-Disposition"].startswith("attachment")) == (200, True)


def test_scores_make_a_weighted_total_and_start_the_review(actors):
    call = factories.call()
    application = factories.apply(call, actors.a, actors.member_a)
    plan, jobs = Criterion.objects.filter(call=call).order_by("sort_order")
    services.application_score(application=application, actor=actors.staff, points={plan: 8, jobs: 4})
    application.refresh_from_db()
    with_total_scores([application])
    assert (application.status, str(application.total_score)) == (A.UNDER_REVIEW, "7.00")  # (8×3 + 4×1) / 4
    with pytest.raises(ValidationError, match="0 to 10"):
        services.application_score(application=application, actor=actors.staff, points={plan: 11})


def test_reject_needs_a_reason_and_the_member_reads_it(actors, client_as):
    call = factories.call()
    application = factories.apply(call, actors.a, actors.member_a)
    with pytest.raises(ValidationError):
        services.application_decide(application=application, actor=actors.staff, decision=A.REJECTED)
    services.application_decide(
        application=application, actor=actors.staff, decision=A.REJECTED, reason="طرح توجیهی ناقص است."
    )
    page = client_as("member_a").get(application.get_absolute_url()).content.decode()
    assert "طرح توجیهی ناقص است." in page
    assert Notification.objects.filter(user=actors.member_a, subject__startswith="درخواست شما پذیرفته نشد").count() == 1


def test_capacity_then_waiting_list_then_promotion_when_a_place_frees(actors):
    call = factories.call(capacity=1)
    first = factories.apply(call, actors.a, actors.member_a)
    second = factories.apply(call, actors.b, actors.member_b)
    third_user = make_user("09130000004", "عضو ج")
    third = factories.apply(call, make_member(third_user, national_id="0034567895", number=3), third_user)
    services.application_decide(application=first, actor=actors.staff, decision=A.ACCEPTED)
    with pytest.raises(ValidationError, match="places are taken"):
        services.application_decide(application=second, actor=actors.staff, decision=A.ACCEPTED)
    services.application_decide(application=second, actor=actors.staff, decision=A.WAITLISTED)
    services.application_decide(application=third, actor=actors.staff, decision=A.WAITLISTED)
    plan = call.criteria.order_by("sort_order").first()
    services.application_score(application=third, actor=actors.staff, points={plan: 9})
    services.application_score(application=second, actor=actors.staff, points={plan: 5})
    mail.outbox.clear()
    services.application_withdraw(application=first, actor=actors.member_a)  # a place frees
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses == {first.pk: A.WITHDRAWN, second.pk: A.WAITLISTED, third.pk: A.ACCEPTED}  # best score first
    assert Notification.objects.filter(user=third_user, subject__startswith="پذیرش از فهرست انتظار").count() == 1


def test_a_member_who_lost_eligibility_is_flagged_once_and_cannot_be_accepted(actors, client_as):
    licence = permit_factories.permit(actors.a, "manufacturing_licence", number="FDO-7", expiry_in=5)
    call = factories.call(rules=[factories.LICENCE_RULE])
    application = factories.apply(call, actors.a, actors.member_a)
    licence.expiry_date = timezone.localdate() - datetime.timedelta(days=1)  # it expired before the decision
    licence.save()
    first = services.applications_check_eligibility()
    out = io.StringIO()
    call_command("programmes_check_eligibility", stdout=out)  # the daily command runs again: nobody told twice
    assert (first["flagged"], out.getvalue()) == (1, "checked 1 applications: 0 newly flagged, 0 cleared\n")
    staff_notes = Notification.objects.filter(user=actors.staff, subject__startswith="دیگر واجد شرایط نیست")
    assert staff_notes.count() == 1
    application.refresh_from_db()
    assert len(application.eligibility_lost_reasons) == 1
    with translation.override("fa"):
        expiry = format_date(licence.expiry_date)
    assert application.eligibility_lost_reasons == [f"پروانه بهداشتی ساخت شما (شماره FDO-۷) در {expiry} منقضی شده است."]
    with pytest.raises(ValidationError, match="no longer qualifies"):
        services.application_decide(application=application, actor=actors.staff, decision=A.ACCEPTED)
    page = client_as("staff").get(application.get_absolute_url())
    assert 'data-testid="eligibility-flag"' in page.content.decode()


def test_another_members_application_and_document_are_404(actors, client_as):
    application = factories.apply(factories.call(), actors.a, actors.member_a)
    member_b = client_as("member_b")
    assert member_b.get(application.get_absolute_url()).status_code == 404
    assert member_b.get(application.documents.get().get_absolute_url()).status_code == 404
    assert member_b.post(reverse("programmes:withdraw", args=[application.pk])).status_code == 404


def test_staff_decide_through_the_page(actors, client):
    application = factories.apply(factories.call(), actors.a, actors.member_a)
    login_verified(client, actors.staff)
    response = client.post(reverse("programmes:decide", args=[application.pk]), {"decision": "rejected", "reason": ""})
    assert response.status_code == 400
    assert "دلیل رد را بنویسید: عضو آن را می‌خواند." in response.content.decode()
    response = client.post(reverse("programmes:decide", args=[application.pk]), {"decision": "accepted", "reason": ""})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == A.ACCEPTED


def test_review_export_xlsx_and_csv(actors, client):
    call = factories.call()
    factories.apply(call, actors.a, actors.member_a)
    login_verified(client, actors.staff)
    csv = client.get(reverse("programmes:review", args=[call.pk]) + "?format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert actors.a.business_name in csv.content.decode("utf-8-sig")
    xlsx = client.get(reverse("programmes:review", args=[call.pk]) + "?format=xlsx")
    assert xlsx["Content-Disposition"] == f'attachment; filename="applications-{call.pk}.xlsx"'


def test_a_member_who_does_not_qualify_gets_the_reasons_not_an_application(actors, client_as):
    call = factories.call(rules=[factories.LICENCE_RULE], documents=())
    client = client_as("member_a")
    client.cookies["django_language"] = "en"
    response = client.post(reverse("programmes:apply", args=[call.pk]), {"motivation": "فر"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "No valid Manufacturing health licence is recorded for your business." in page
    assert 'data-testid="apply-form"' not in page
    assert Application.objects.count() == 0


def test_a_draft_call_is_404_for_members_and_visible_to_staff(actors, client_as):
    draft = factories.call(status=Call.Status.DRAFT)
    assert client_as("member_a").get(draft.get_absolute_url()).status_code == 404
    assert client_as("member_a").post(reverse("programmes:apply", args=[draft.pk])).status_code == 404
    assert client_as("staff").get(draft.get_absolute_url()).status_code == 200


def test_list_page_in_english_says_why_not(actors, client_as):
    factories.call(title="Equipment loan", rules=[factories.LICENCE_RULE])
    client = client_as("member_b")
    client.cookies["django_language"] = "en"
    page = client.get(reverse("programmes:list")).content.decode()
    assert '<html lang="en" dir="ltr">' in page
    assert "You do not qualify yet:" in page
    assert "Apply for it on your permits page; once the licence is recorded you qualify." in page


def test_anonymising_a_member_removes_its_files_and_free_text_but_keeps_the_counts(
    actors, private_storage, django_capture_on_commit_callbacks
):
    application = factories.apply(factories.call(), actors.a, actors.member_a, motivation="خرید فر")
    stored = private_storage / application.documents.get().storage_name
    Member.objects.filter(pk=actors.a.pk).update(status=Member.Status.RESIGNED)
    with django_capture_on_commit_callbacks(execute=True):
        member_anonymise(member=actors.a, actor=actors.staff)
    application.refresh_from_db()
    assert (application.motivation, application.documents.count(), stored.exists()) == ("", 0, False)
    assert application.status == A.SUBMITTED


def test_a_renewed_licence_clears_the_flag(actors):
    licence = permit_factories.permit(actors.a, "manufacturing_licence", number="FDO-8", expiry_in=5)
    application = factories.apply(factories.call(rules=[factories.LICENCE_RULE]), actors.a, actors.member_a)
    licence.expiry_date = timezone.localdate() - datetime.timedelta(days=1)
    licence.save()
    assert services.applications_check_eligibility()["flagged"] == 1
    permit_factories.permit(actors.a, "manufacturing_licence", number="FDO-9", expiry_in=900)
    assert services.applications_check_eligibility() == {"checked": 1, "flagged": 0, "cleared": 1}
    application.refresh_from_db()
    assert application.eligibility_lost_reasons == []
