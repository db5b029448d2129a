"""/members/join/ verifies the applicant's mobile number by SMS code before the application is
accepted; what was typed (the logo too) is kept on the server meanwhile, never a plain password."""

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import Client
from django.urls import reverse

from conftest import make_user
from core import phone_codes, sms
from core.models import PhoneCode
from members.models import Member, User
from members.tests.factories import png_upload
from members.tests.test_views import JOIN, NEW_ID_TYPED, application, apply_and_verify, fa_client, sent_code

pytestmark = pytest.mark.django_db

VERIFY = "/members/join/verify/"
APPLICANT = "09123456789"
PASSWORD_TYPED = "shirini-1405!"


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()


def age_code(mobile, seconds):
    row = PhoneCode.objects.get(purpose="join", mobile=mobile)
    PhoneCode.objects.filter(pk=row.pk).update(
        created_at=row.created_at - timedelta(seconds=seconds), expires_at=row.expires_at - timedelta(seconds=seconds)
    )


def pending_files(tmp_path):
    root = tmp_path / "private" / "pending-logos"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_application_waits_for_the_code_then_is_sent(db, tmp_path):
    client = fa_client()
    response = client.post(JOIN, {**application(), "logo": png_upload()})
    assert (response.status_code, response["Location"]) == (302, VERIFY)
    # Nothing is created before the number is verified; the SMS went to the applicant's number.
    assert (Member.objects.count(), User.objects.count()) == (0, 0)
    [message] = sms.outbox
    assert message["to"] == APPLICANT
    assert message["text"].startswith("کد تأیید شماره همراه شما برای درخواست عضویت در خوشه شیرینی سنتی قزوین.\nکد: ")
    assert len(pending_files(tmp_path)) == 1
    page = client.get(VERIFY).content.decode()
    assert '<bdi dir="ltr" class="fw-semibold">۰۹۱۲۳۴۵۶۷۸۹</bdi>' in page
    assert "شيريني خانگي ياس" in page  # the business, as typed
    assert "تأیید و ارسال درخواست" in page
    response = client.post(VERIFY, {"code": sent_code(APPLICANT)})
    assert (response.status_code, response["Location"]) == (302, reverse("members:dashboard"))
    member = Member.objects.get()
    user = User.objects.get(mobile=APPLICANT)
    assert (member.status, member.business_name, bool(member.logo)) == ("applied", "شیرینی خانگی یاس", True)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.check_password(PASSWORD_TYPED)
    assert "join_pending" not in client.session
    assert pending_files(tmp_path) == []


def test_the_session_keeps_no_plain_password(db):
    client = fa_client()
    client.post(JOIN, application())
    kept = str(client.session["join_pending"])
    assert PASSWORD_TYPED not in kept and "password1" not in kept
    assert client.session["join_pending"]["password_hash"].startswith("md5$")  # the test hasher


def test_back_to_the_form_everything_is_kept_and_the_number_can_change(db, tmp_path):
    client = fa_client()
    client.post(JOIN, {**application(), "logo": png_upload()})
    html = client.get(JOIN).content.decode()
    assert 'data-testid="join-waiting"' in html and '<bdi dir="ltr">۰۹۱۲۳۴۵۶۷۸۹</bdi>' in html
    assert 'value="شيريني خانگي ياس"' in html  # exactly as typed
    assert 'value="۰۰۱۲۳۴۵۶۷۹"' in html and 'value="@yas_sweets"' in html
    assert "گذرواژه‌ای که انتخاب کردید نگه داشته شده است." in html
    assert "نشان شما نگه داشته شده است." in html
    assert PASSWORD_TYPED not in html
    # A new number (the password fields and the logo left empty): the code goes to it.
    data = {**application(user_mobile="۰۹۱۲ ۰۰۰ ۱۱۱۱"), "password1": "", "password2": ""}
    response = client.post(JOIN, data)
    assert response["Location"] == VERIFY
    assert [m["to"] for m in sms.outbox] == [APPLICANT, "09120001111"]
    # The old number's code no longer sends the application.
    response = client.post(VERIFY, {"code": sent_code(APPLICANT)})
    assert Member.objects.count() == 0
    response = client.post(VERIFY, {"code": sent_code("09120001111")})
    assert response["Location"] == reverse("members:dashboard")
    user = User.objects.get()
    assert (user.mobile, user.check_password(PASSWORD_TYPED)) == ("09120001111", True)
    assert Member.objects.get().logo
    assert pending_files(tmp_path) == []


def test_a_new_password_typed_on_the_way_back_replaces_the_kept_one(db):
    client = fa_client()
    client.post(JOIN, application())
    response = client.post(JOIN, {**application(), "password1": "another-pass-1405", "password2": ""})
    assert response.context["form"].errors["password2"] == ["دو گذرواژه یکسان نیستند."]
    age_code(APPLICANT, 61)
    response = apply_and_verify(
        client, {**application(), "password1": "another-pass-1405", "password2": "another-pass-1405"}
    )
    assert User.objects.get().check_password("another-pass-1405")


def test_a_good_logo_is_kept_when_another_field_is_wrong(db, tmp_path):
    client = fa_client()
    response = client.post(JOIN, {**application(owner_national_id="۱۲۳"), "logo": png_upload()})
    assert list(response.context["form"].errors) == ["owner_national_id"]
    assert "نشان شما نگه داشته شده است." in response.content.decode()
    assert len(pending_files(tmp_path)) == 1
    apply_and_verify(client, application())
    assert Member.objects.get().logo
    assert pending_files(tmp_path) == []


def test_a_new_logo_replaces_the_kept_one(db, tmp_path):
    client = fa_client()
    client.post(JOIN, {**application(owner_national_id="۱۲۳"), "logo": png_upload()})
    first = pending_files(tmp_path)
    client.post(JOIN, {**application(owner_national_id="۱۲۳"), "logo": png_upload(colour="#123456")})
    second = pending_files(tmp_path)
    assert len(second) == 1 and second != first


def test_abandoned_pending_logos_are_removed_a_day_later(db, tmp_path):
    storage = storages["private"]
    storage.save("pending-logos/20000101/old.jpg", ContentFile(b"x"))
    fa_client().post(JOIN, {**application(), "logo": png_upload()})
    files = pending_files(tmp_path)
    assert len(files) == 1 and not files[0].startswith("20000101")


def test_wrong_expired_and_dead_codes(db):
    client = fa_client()
    client.post(JOIN, application())
    code = sent_code(APPLICANT)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    errors = [client.post(VERIFY, {"code": wrong}).context["form"].errors["code"] for _ in range(5)]
    assert errors == [
        ["کد درست نیست. ۴ بار دیگر می‌توانید امتحان کنید."],
        ["کد درست نیست. ۳ بار دیگر می‌توانید امتحان کنید."],
        ["کد درست نیست. ۲ بار دیگر می‌توانید امتحان کنید."],
        ["کد درست نیست. ۱ بار دیگر می‌توانید امتحان کنید."],
        ["کدهای نادرست بسیاری وارد شد. کد تازه‌ای بخواهید."],
    ]
    # The sixth try, with the right code: the code is dead.
    response = client.post(VERIFY, {"code": code})
    assert response.context["form"].errors["code"] == ["کدهای نادرست بسیاری وارد شد. کد تازه‌ای بخواهید."]
    assert Member.objects.count() == 0
    # A new code (after the countdown) works; an expired one does not.
    age_code(APPLICANT, 61)
    client.post(VERIFY, {"resend": "1"})
    age_code(APPLICANT, 121)
    response = client.post(VERIFY, {"code": sent_code(APPLICANT)})
    assert response.context["form"].errors["code"] == [
        "این کد منقضی شده یا کد تازه‌تری جای آن را گرفته است. کد تازه‌ای بخواهید."
    ]
    html = response.content.decode()
    assert re.search(r'<div class="alert alert-warning small py-2" data-expired>', html)  # shown without JS
    assert Member.objects.count() == 0


def test_a_sign_in_code_for_the_same_number_does_not_verify_the_application(db):
    phone_codes.code_send(
        purpose="login", mobile=APPLICANT, client_address="10.9.9.9", message=lambda code: f"login {code}"
    )
    login_code = sms.outbox[-1]["text"].split()[-1]
    client = fa_client()
    client.post(JOIN, application())
    if login_code != sent_code(APPLICANT):
        client.post(VERIFY, {"code": login_code})
        assert Member.objects.count() == 0


def test_resend_after_the_countdown(db):
    client = fa_client()
    client.post(JOIN, application())
    response = client.post(VERIFY, {"resend": "1"}, follow=True)
    assert "کد تازه را ۶۰ ثانیه دیگر می‌توانید بخواهید." in response.content.decode()
    age_code(APPLICANT, 60)
    response = client.post(VERIFY, {"resend": "1"}, follow=True)
    assert "کد تازه‌ای فرستاده شد." in response.content.decode()
    assert len(sms.outbox) == 2
    assert client.post(VERIFY, {"code": sent_code(APPLICANT)})["Location"] == reverse("members:dashboard")


def test_posting_the_form_again_within_the_minute_goes_to_the_live_code(db):
    client = fa_client()
    client.post(JOIN, application())
    assert client.post(JOIN, application())["Location"] == VERIFY
    assert len(sms.outbox) == 1


def test_flood_of_codes_to_one_number_is_refused_and_keeps_what_was_typed(db):
    statuses = []
    for n in range(4):
        if n:
            age_code(APPLICANT, 61)
        response = fa_client().post(JOIN, application(), REMOTE_ADDR=f"10.8.0.{n}")
        statuses.append(response.status_code)
    assert statuses == [302, 302, 302, 429]
    assert response.context["form"].errors["user_mobile"] == [
        "برای این شماره کدهای بسیاری فرستاده شد. ۱۰ دقیقه دیگر دوباره امتحان کنید."
    ]
    assert 'value="شيريني خانگي ياس"' in response.content.decode()
    assert len(sms.outbox) == 3


def test_flood_of_codes_from_one_address_is_refused(db):
    client = fa_client()
    statuses = []
    for n in range(20):
        client.cookies.pop("sessionid", None)
        statuses.append(
            client.post(JOIN, application(user_mobile=f"0912777{n:04d}", owner_national_id=""), REMOTE_ADDR="10.8.1.1")
        )
    # (the national ID is required: nothing is sent for an invalid form)
    assert {response.status_code for response in statuses} == {200}
    assert sms.outbox == []
    # Codes themselves: 20 an hour per address, across numbers (the join form allows 20 posts).
    for n in range(20):
        phone_codes.code_send(purpose="join", mobile=f"0912888{n:04d}", client_address="10.8.2.1", message=str)
    response = fa_client().post(JOIN, application(), REMOTE_ADDR="10.8.2.1")
    assert response.status_code == 429
    assert response.context["form"].errors["user_mobile"] == [
        "از اتصال شما کدهای بسیاری درخواست شد. ۶۰ دقیقه دیگر دوباره امتحان کنید."
    ]


def test_something_taken_while_the_code_was_on_its_way_is_named_and_the_number_stays_verified(actors):
    client = fa_client()
    client.post(JOIN, application(owner_national_id="۰۰۰۴۰۰۰۰۰۵"))
    # Meanwhile another applicant takes the same national ID.
    Member.objects.filter(pk=actors.b.pk).update(owner_national_id="0004000005")
    response = client.post(VERIFY, {"code": sent_code(APPLICANT)})
    assert response.status_code == 200
    assert response.context["form"].errors["owner_national_id"] == ["با این کد ملی قبلاً درخواست عضویت ثبت شده است."]
    assert 'value="شيريني خانگي ياس"' in response.content.decode()
    # Corrected: sent at once, no second code needed.
    response = client.post(JOIN, {**application(owner_national_id=NEW_ID_TYPED), "password1": "", "password2": ""})
    assert response["Location"] == reverse("members:dashboard")
    assert len(sms.outbox) == 1
    assert User.objects.get(mobile=APPLICANT).check_password(PASSWORD_TYPED)


def test_an_existing_account_number_is_refused_before_any_code(actors):
    response = fa_client().post(JOIN, application(owner_national_id=NEW_ID_TYPED, user_mobile=actors.member_a.mobile))
    assert list(response.context["form"].errors) == ["user_mobile"]
    assert sms.outbox == []


def test_verify_page_without_an_application_and_for_signed_in_users(actors, client_as):
    assert Client().get(VERIFY)["Location"] == JOIN
    assert client_as("member_a").get(VERIFY)["Location"] == reverse("members:dashboard")
    assert client_as("panelist").get(VERIFY)["Location"] == reverse("home")


def test_join_verification_in_english(db):
    client = Client()
    client.cookies["django_language"] = "en"
    client.post(JOIN, application())
    assert sms.outbox[0]["text"].startswith(
        "Your code to confirm your mobile number for the cluster membership application.\nCode: "
    )
    html = client.get(VERIFY).content.decode()
    assert "We sent a 6-digit verification code by SMS to" in html and "Confirm and send the application" in html
    response = client.post(VERIFY, {"code": "abc"})
    assert response.context["form"].errors["code"] == ["Enter the 6 digits of the code."]


def test_a_made_up_account_cannot_be_verified_by_someone_else(db):
    """Another visitor (another session) cannot finish someone's application with its code."""
    owner, other = fa_client(), fa_client()
    owner.post(JOIN, application())
    assert other.post(VERIFY, {"code": sent_code(APPLICANT)})["Location"] == JOIN
    assert Member.objects.count() == 0


def test_query_count_of_the_verify_page_is_constant(db, django_assert_num_queries, settings):
    client = fa_client()
    client.post(JOIN, application())
    client.get(VERIFY)
    session_queries = 0 if settings.SESSION_ENGINE.endswith(".cache") else 1  # sessions in Redis
    with django_assert_num_queries(session_queries + 1):  # (the session), the code's times
        client.get(VERIFY)


def test_existing_users_unrelated(db):
    make_user("09129998877")
    assert apply_and_verify(fa_client(), application())["Location"] == reverse("members:dashboard")
