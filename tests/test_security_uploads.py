"""The hostile-upload corpus (tests/upload_corpus.py) against every upload field through its
real form and view: members' logo (application, profile, admin) and permit documents. Each
attack is refused with a translated message (or, for the JPEG/HTML polyglot, re-encoded into a
plain JPEG) and leaves nothing on disk; served files are attachments (documents) or re-encoded
images, always with nosniff, under names the portal made up."""

import re
import zlib
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from core.uploads import clean_document, clean_image
from members.models import Member
from members.tests.test_views import sent_code
from tests.upload_corpus import DOCUMENT_ATTACKS, HOSTILE_NAMES, IMAGE_ATTACKS, clean_pdf, jpeg_bytes

pytestmark = pytest.mark.django_db

NEUTRALISED = {"polyglot_jpeg_html"}  # Pillow reads the JPEG part; the re-encoding drops the rest
PERSIAN = re.compile(r"[\u0600-\u06FF]")


@pytest.fixture(autouse=True)
def storage_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    return tmp_path


def _files(root: Path):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _assert_neutralised(clean):
    clean.content.seek(0)
    data = clean.content.read()
    assert data[:3] == b"\xff\xd8\xff"
    assert b"<script" not in data and b"<html" not in data


# --- The shared checks ------------------------------------------------------------------------
@pytest.mark.parametrize("attack", IMAGE_ATTACKS, ids=lambda a: a.name)
def test_image_check_refuses_the_corpus(attack):
    if attack.name in NEUTRALISED:
        _assert_neutralised(clean_image(attack.upload()))
        return
    with pytest.raises(ValidationError) as error:
        clean_image(attack.upload())
    assert PERSIAN.search(error.value.messages[0])


@pytest.mark.parametrize("attack", DOCUMENT_ATTACKS, ids=lambda a: a.name)
def test_document_check_refuses_the_corpus(attack):
    if attack.name in NEUTRALISED:
        _assert_neutralised(clean_document(attack.upload()))
        return
    with pytest.raises(ValidationError) as error:
        clean_document(attack.upload())
    assert PERSIAN.search(error.value.messages[0])


def test_plain_pdfs_are_accepted_even_with_binary_streams_and_object_streams():
    image_stream = b"\x00/AA\x01/JS\x02" * 50  # bytes of a scanned page that happen to spell names
    scanned = (
        b"%PDF-1.5\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"5 0 obj<</Type/XObject/Subtype/Image/Length "
        + str(len(image_stream)).encode()
        + b">>stream\n"
        + image_stream
        + b"\nendstream\nendobj\n"
    )
    packed = zlib.compress(b"6 0 <</Type/Font/Subtype/Type1/BaseFont/Helvetica>>")
    scanned += (
        b"7 0 obj<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length "
        + str(len(packed)).encode()
        + b">>stream\n"
        + packed
        + b"\nendstream\nendobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    assert clean_document(SimpleUploadedFile("scan.pdf", scanned, content_type="application/pdf")).kind == "pdf"
    assert clean_document(SimpleUploadedFile("plain.pdf", clean_pdf(), content_type="application/pdf")).kind == "pdf"


def test_object_stream_bomb_is_refused():
    packed = zlib.compress(b" " * (60 * 1024 * 1024), 9)  # ~60 KB that inflates to 60 MB
    bomb = (
        b"%PDF-1.5\n4 0 obj<</Type/ObjStm/N 1/First 4/Filter/FlateDecode>>stream\n"
        + packed
        + b"\nendstream\nendobj\ntrailer<<>>\n%%EOF\n"
    )
    with pytest.raises(ValidationError):
        clean_document(SimpleUploadedFile("bomb.pdf", bomb, content_type="application/pdf"))


# --- Members: the application form's logo -----------------------------------------------------
def _application(**overrides):
    from members.tests.test_views import application

    return application(**{"owner_national_id": "۰۰۰۴۰۰۰۰۰۵", **overrides})


@pytest.mark.parametrize("attack", IMAGE_ATTACKS, ids=lambda a: a.name)
def test_membership_application_logo(attack, actors, storage_in_tmp):
    before = Member.objects.count()
    client = Client()
    response = client.post(reverse("members:join"), {**_application(), "logo": attack.upload()})
    if attack.name in NEUTRALISED:
        # Kept (cleaned) while the applicant's number is verified, then the member's logo.
        assert (response.status_code, response["Location"]) == (302, reverse("members:join_verify"))
        response = client.post(reverse("members:join_verify"), {"code": sent_code("09123456789")})
        assert (response.status_code, response["Location"]) == (302, reverse("members:dashboard"))
        member = Member.objects.latest("pk")
        assert re.fullmatch(r"members/logos/[0-9a-f]{32}\.jpg", member.logo.name)
        assert b"<script" not in member.logo.read()
        assert [name for name in _files(storage_in_tmp) if "pending-logos" in name] == []
        return
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["logo"] and PERSIAN.search(errors["logo"][0])
    assert Member.objects.count() == before
    # What was typed is kept.
    assert 'value="یاسمن کریمی"' in response.content.decode()
    assert _files(storage_in_tmp) == []


def _profile_data(form):
    data = {"address": "قزوین، خیابان پیروزی، پلاک ۱۲"}
    for name, field in form.fields.items():
        if field.disabled or name == "logo":
            continue
        value = form[name].value()
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, (list, tuple)):
            data[name] = [str(v) for v in value]
        else:
            data[name] = str(value)
    return data


@pytest.mark.parametrize("attack", IMAGE_ATTACKS, ids=lambda a: a.name)
def test_profile_logo(attack, actors, client_as, storage_in_tmp):
    client = client_as("member_a")
    form = client.get(reverse("members:edit")).context["form"]
    response = client.post(reverse("members:edit"), {**_profile_data(form), "logo": attack.upload()})
    actors.a.refresh_from_db()
    if attack.name in NEUTRALISED:
        assert response.status_code == 302
        assert re.fullmatch(r"members/logos/[0-9a-f]{32}\.jpg", actors.a.logo.name)
        return
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["logo"]
    assert not actors.a.logo
    assert _files(storage_in_tmp) == []


@pytest.mark.parametrize("attack", IMAGE_ATTACKS, ids=lambda a: a.name)
def test_admin_logo(attack, actors, storage_in_tmp):
    from members.admin import MemberAdminForm

    member = actors.a
    initial = MemberAdminForm(instance=member)
    data = _profile_data(initial)
    form = MemberAdminForm(data, {"logo": attack.upload()}, instance=member)
    if attack.name in NEUTRALISED:
        assert form.is_valid(), form.errors
        _assert_neutralised(form.clean_logo_file)
        return
    assert not form.is_valid()
    assert list(form.errors) == ["logo"]


def test_logo_is_served_as_a_reencoded_image_with_nosniff(actors, client_as):
    client = client_as("member_a")
    form = client.get(reverse("members:edit")).context["form"]
    upload = SimpleUploadedFile("<svg onload=alert(1)>.jpg", jpeg_bytes((300, 200)), content_type="text/html")
    assert client.post(reverse("members:edit"), {**_profile_data(form), "logo": upload}).status_code == 302
    actors.a.refresh_from_db()
    assert re.fullmatch(r"members/logos/[0-9a-f]{32}\.jpg", actors.a.logo.name)
    response = client.get(reverse("members:logo", kwargs={"pk": actors.a.pk, "variant": "full"}))
    body = b"".join(response.streaming_content)
    assert (response["Content-Type"], response["X-Content-Type-Options"], body[:3]) == (
        "image/jpeg",
        "nosniff",
        b"\xff\xd8\xff",
    )


# --- Permits: documents -----------------------------------------------------------------------
def _case(actors):
    from permits.tests import factories

    return factories.submitted_case(actors.a, actors.member_a, "business_licence")


@pytest.mark.parametrize("attack", DOCUMENT_ATTACKS, ids=lambda a: a.name)
def test_permit_document_upload(attack, actors, client_as, storage_in_tmp):
    from permits.models import CaseDocument

    case = _case(actors)
    response = client_as("member_a").post(
        reverse("permits:document_upload", kwargs={"case_id": case.pk}), {"title": "پروانه", "file": attack.upload()}
    )
    if attack.name in NEUTRALISED:
        assert response.status_code == 302
        document = CaseDocument.objects.get(case=case)
        assert (document.kind, document.content_type) == ("jpeg", "image/jpeg")
        return
    assert response.status_code == 400
    assert PERSIAN.search(" ".join(response.context["document_form"].errors["file"]))
    assert CaseDocument.objects.filter(case=case).count() == 0
    assert _files(storage_in_tmp) == []


@pytest.mark.parametrize("hostile", HOSTILE_NAMES)
def test_user_supplied_names_never_reach_the_file_system_or_the_download(hostile, actors, client_as, storage_in_tmp):
    from permits.models import CaseDocument

    case = _case(actors)
    client = client_as("member_a")
    upload = SimpleUploadedFile(hostile, clean_pdf(), content_type="application/pdf")
    title = "پروانه کسب\u202e <script>alert(1)</script> ../../x"
    response = client.post(
        reverse("permits:document_upload", kwargs={"case_id": case.pk}), {"title": title, "file": upload}
    )
    assert response.status_code == 302
    document = CaseDocument.objects.get(case=case)
    assert re.fullmatch(r"permits/[0-9a-f]{32}\.pdf", document.storage_name)
    assert _files(storage_in_tmp) == [f"private/{document.storage_name}"]
    response = client.get(reverse("permits:document", kwargs={"document_id": document.pk}))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename")
    filename = unquote(re.search(r"filename\*?=(?:utf-8'')?\"?([^\";]+)", disposition).group(1))
    assert re.fullmatch(r"[\w\-]+\.pdf", filename), filename  # letters (Persian too), digits, _ and -
    assert "\u202e" not in filename and ".." not in filename
    assert (response["Content-Type"], response["X-Content-Type-Options"]) == ("application/pdf", "nosniff")
    assert b"".join(response.streaming_content) == clean_pdf()


def test_another_members_document_is_404_and_staff_may_download(actors, client_as):
    from core.uploads import clean_document as check
    from permits import services

    case = _case(actors)
    document = services.case_document_add(
        case=case,
        actor=actors.member_a,
        clean=check(SimpleUploadedFile("a.pdf", clean_pdf(), content_type="application/pdf")),
        title="پروانه",
    )
    url = reverse("permits:document", kwargs={"document_id": document.pk})
    assert client_as("member_b").get(url).status_code == 404
    assert client_as("staff").get(url).status_code == 200
    assert client_as("anonymous").get(url).status_code == 302
    assert storages["private"].exists(document.storage_name)
