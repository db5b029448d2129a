"""The hostile upload corpus (tests/upload_corpus.py) through the application form: refused
with a Persian message, nothing stored, what was typed kept; hostile names never reach the
file system or the download."""

import re
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programmes.models import Application, ApplicationDocument
from programmes.tests import factories
from tests.upload_corpus import DOCUMENT_ATTACKS, HOSTILE_NAMES, clean_pdf

pytestmark = pytest.mark.django_db
NEUTRALISED = {"polyglot_jpeg_html"}  # Pillow reads the JPEG part; the re-encoding drops the rest
PERSIAN = re.compile(r"[\u0600-\u06FF]")


def _files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("attack", DOCUMENT_ATTACKS, ids=lambda a: a.name)
def test_application_document_refuses_the_corpus(attack, actors, client_as, private_storage):
    call = factories.call()
    field = f"doc_{call.documents_required.get().pk}"
    response = client_as("member_a").post(
        reverse("programmes:apply", args=[call.pk]), {"motivation": "خرید همزن", field: attack.upload()}
    )
    if attack.name in NEUTRALISED:
        assert response.status_code == 302
        assert ApplicationDocument.objects.get().kind == "jpeg"
        return
    assert response.status_code == 400
    assert PERSIAN.search(" ".join(response.context["form"].errors[field]))
    assert "خرید همزن" in response.content.decode()
    assert (Application.objects.count(), _files(private_storage.parent)) == (0, [])


@pytest.mark.parametrize("hostile", HOSTILE_NAMES)
def test_hostile_names_never_reach_the_file_system_or_the_download(hostile, actors, client_as, private_storage):
    call = factories.call(documents=("پیش‌فاکتور\u202e <script>alert(1)</script> ../../x",))
    client = client_as("member_a")
    upload = SimpleUploadedFile(hostile, clean_pdf(), content_type="application/pdf")
    response = client.post(
        reverse("programmes:apply", args=[call.pk]), {f"doc_{call.documents_required.get().pk}": upload}
    )
    assert response.status_code == 302
    document = ApplicationDocument.objects.get()
    assert re.fullmatch(r"programmes/[0-9a-f]{32}\.pdf", document.storage_name)
    assert _files(private_storage) == [document.storage_name]
    response = client.get(document.get_absolute_url())
    disposition = response["Content-Disposition"]
    filename = unquote(re.search(r"filename\*?=(?:utf-8'')?\"?([^\";]+)", disposition).group(1))
    assert re.fullmatch(r"[\w\-]+\.pdf", filename), filename
    assert (response["Content-Type"], response["X-Content-Type-Options"]) == ("application/pdf", "nosniff")
    assert b"".join(response.streaming_content) == clean_pdf()
