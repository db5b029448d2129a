"""Documents: checked by content with real malicious samples, stored privately under a made-up
name, served only to the member's users and estates staff as an attachment."""

import io
import os
import uuid

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core.audit import audit_entries_for
from core.uploads import clean_document
from permits import services
from permits.models import CaseDocument
from permits.tests import factories


@pytest.fixture
def case(actors):
    return factories.submitted_case(actors.a, actors.member_a, "business_licence")


def _upload(client, case, upload, title="مدرک"):
    return client.post(reverse("permits:document_upload", args=[case.pk]), {"title": title, "file": upload})


def _bomb_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buffer, "PNG")  # 144 Mpx in a few kB
    return buffer.getvalue()


def _webp() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, "WEBP")
    return buffer.getvalue()


MALICIOUS = [
    (
        "html-renamed.pdf",
        b"<html><body><script>alert(document.cookie)</script></body></html>",
        "application/pdf",
        "مدارک باید PDF، JPEG یا PNG باشند.",
    ),
    (
        "setup.pdf",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200,
        "application/pdf",
        "مدارک باید PDF، JPEG یا PNG باشند.",
    ),
    (
        "drawing.png",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "image/png",
        "مدارک باید PDF، JPEG یا PNG باشند.",
    ),
    ("bomb.png", None, "image/png", "ابعاد تصویر بیش از حد بزرگ است."),
    (
        "script.pdf",
        factories.pdf_bytes().replace(b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>"),
        "application/pdf",
        "این PDF دارای اسکریپت، فرمان یا پرونده پیوست است و پذیرفته نمی‌شود. لطفاً آن را به PDF ساده تبدیل یا اسکن کنید.",
    ),
    (
        "huge.pdf",
        b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024) + b"\n%%EOF",
        "application/pdf",
        "حجم پرونده بیش از ۵ مگابایت است.",
    ),
    ("photo.webp", None, "image/webp", "مدارک باید PDF، JPEG یا PNG باشند."),
]


@pytest.mark.parametrize(("name", "data", "content_type", "message"), MALICIOUS, ids=[m[0] for m in MALICIOUS])
def test_malicious_or_wrong_files_rejected_and_nothing_saved(
    actors, client_as, case, private_storage, name, data, content_type, message
):
    if name == "bomb.png":
        data = _bomb_png()
    if name == "photo.webp":
        data = _webp()
    response = _upload(client_as("member_a"), case, SimpleUploadedFile(name, data, content_type=content_type))
    assert response.status_code == 400
    errors = response.context["document_form"].errors["file"]
    assert errors == [message]
    assert 'value="مدرک"' in response.content.decode()  # the title typed is kept
    assert CaseDocument.objects.count() == 0
    assert not private_storage.exists() or list(private_storage.rglob("*.*")) == []


def test_pdf_stored_privately_under_a_made_up_name(actors, client_as, case, private_storage):
    response = _upload(client_as("member_a"), case, factories.pdf_upload("../../etc/passwd.pdf"), title="پروانه کسب")
    assert response.status_code == 302
    document = CaseDocument.objects.get()
    assert (document.kind, document.content_type, document.title) == ("pdf", "application/pdf", "پروانه کسب")
    stored = private_storage / document.storage_name
    assert stored.read_bytes() == factories.pdf_bytes()
    assert "passwd" not in document.storage_name
    assert not str(stored).startswith(str(settings.MEDIA_ROOT))
    assert [e.action for e in audit_entries_for(document)] == ["permits.document_add"]


def test_image_is_reencoded_without_metadata(actors, client_as, case, private_storage):
    buffer = io.BytesIO()
    image = Image.new("RGB", (50, 40), (10, 20, 30))
    exif = Image.Exif()
    exif[0x010E] = "secret GPS place"
    image.save(buffer, "JPEG", exif=exif.tobytes())
    response = _upload(client_as("member_a"), case, SimpleUploadedFile("scan.jpg", buffer.getvalue(), "image/jpeg"))
    assert response.status_code == 302
    document = CaseDocument.objects.get()
    stored = (private_storage / document.storage_name).read_bytes()
    assert stored != buffer.getvalue()
    assert b"secret GPS place" not in stored
    assert Image.open(io.BytesIO(stored)).size == (50, 40)


def _document(actors, case):
    return services.case_document_add(
        case=case, actor=actors.member_a, clean=clean_document(factories.pdf_upload()), title="پروانه کسب ۱۴۰۴"
    )


@pytest.mark.parametrize("role", ["member_a", "staff", "superuser"])
def test_download_is_an_attachment_for_owner_and_staff(actors, client_as, case, role):
    document = _document(actors, case)
    response = client_as(role).get(reverse("permits:document", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == factories.pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert "%DB%B1%DB%B4%DB%B0%DB%B4.pdf" in response["Content-Disposition"]  # ۱۴۰۴.pdf


@pytest.mark.parametrize(
    ("role", "expected"), [("member_b", 404), ("applicant", 404), ("union_head", 404), ("panelist", 404)]
)
def test_download_refused_to_others(actors, client_as, case, role, expected):
    document = _document(actors, case)
    assert client_as(role).get(reverse("permits:document", args=[document.pk])).status_code == expected


def test_anonymous_goes_to_login_for_any_id_and_a_guessed_id_is_404(actors, client_as, case):
    document = _document(actors, case)
    anonymous = client_as("anonymous")
    real = anonymous.get(reverse("permits:document", args=[document.pk]))
    fake = anonymous.get(reverse("permits:document", args=[uuid.uuid4()]))
    assert (real.status_code, fake.status_code) == (302, 302)  # the same answer: nothing revealed
    assert real["Location"].startswith(reverse("login"))
    guessed = client_as("member_a").get(reverse("permits:document", args=[uuid.uuid4()]))
    assert guessed.status_code == 404
    assert client_as("member_a").get(f"/permits/documents/{1}/").status_code == 404


def test_private_storage_is_outside_the_public_media_root(private_storage, actors, case):
    document = _document(actors, case)
    assert os.path.exists(private_storage / document.storage_name)
    media_root = os.path.realpath(settings.MEDIA_ROOT)
    assert not os.path.realpath(settings.PRIVATE_MEDIA_ROOT).startswith(media_root + os.sep)
    assert not os.path.realpath(private_storage).startswith(media_root + os.sep)


def test_delete_removes_the_file(actors, client_as, case, private_storage, django_capture_on_commit_callbacks):
    document = _document(actors, case)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("member_a").post(reverse("permits:document_delete", args=[document.pk]))
    assert response.status_code == 302
    assert CaseDocument.objects.count() == 0
    assert not (private_storage / document.storage_name).exists()
