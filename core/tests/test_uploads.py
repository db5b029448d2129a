import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.uploads import clean_document, clean_image, safe_download_name, thumbnail


def _image_bytes(fmt="JPEG", size=(40, 30), mode="RGB", exif=False):
    buffer = io.BytesIO()
    image = Image.new(mode, size, "orange")
    kwargs = {}
    if exif:
        info = Image.Exif()
        info[0x010F] = "SecretCam"  # Make
        kwargs["exif"] = info.tobytes()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_clean_image_accepts_and_reencodes(fmt):
    clean = clean_image(upload(_image_bytes(fmt), name="x.bin"))
    assert clean.kind in ("jpeg", "png")
    assert clean.content.name.endswith((".jpg", ".png")) and "x.bin" not in clean.content.name
    assert Image.open(io.BytesIO(clean.content.read())).size == (40, 30)


def test_clean_image_strips_metadata():
    clean = clean_image(upload(_image_bytes(exif=True)))
    data = clean.content.read()
    assert b"SecretCam" not in data
    assert dict(Image.open(io.BytesIO(data)).getexif()) == {}


def test_thumbnail_is_bounded():
    clean = clean_image(upload(_image_bytes(size=(800, 400))))
    thumb = thumbnail(clean, size=128)
    assert Image.open(io.BytesIO(thumb.content.read())).size == (128, 64)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "evil.jpg"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.png"),
        (_image_bytes("GIF"), "anim.jpg"),
        (_image_bytes()[:200], "truncated.jpg"),
        (b"", "empty.jpg"),
    ],
)
def test_clean_image_rejects_non_images(data, name):
    with pytest.raises(ValidationError):
        clean_image(upload(data, name=name))


def test_clean_image_rejects_oversized_file():
    with pytest.raises(ValidationError) as error:
        clean_image(upload(b"\xff" * (5 * 1024 * 1024 + 1)))
    assert error.value.code == "too_large"


def test_clean_image_rejects_decompression_bomb():
    buffer = io.BytesIO()
    Image.new("1", (10000, 10000)).save(buffer, "PNG")  # tiny file, 100 Mpx
    assert len(buffer.getvalue()) < 100_000
    with pytest.raises(ValidationError) as error:
        clean_image(upload(buffer.getvalue(), name="bomb.png"))
    assert error.value.code == "too_many_pixels"


def test_polyglot_jpeg_html_is_neutralised_by_reencoding():
    data = _image_bytes() + b"<html><script>alert(1)</script></html>"
    clean = clean_image(upload(data))
    assert b"<script" not in clean.content.read()


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_clean_document_accepts_plain_pdf_and_images():
    assert clean_document(upload(PDF, name="card.pdf", content_type="application/pdf")).kind == "pdf"
    assert clean_document(upload(_image_bytes("PNG"), name="scan.png")).kind in ("png", "jpeg")


@pytest.mark.parametrize(
    "data",
    [
        PDF.replace(b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>"),
        PDF.replace(b"/Type/Catalog", b"/Type/Catalog/Names<</#4Aava#53cript 3 0 R>>"),
        PDF[:-7],
        b"<html>%PDF-1.4</html>",
        _image_bytes("WEBP"),
    ],
)
def test_clean_document_rejects_active_or_broken_content(data):
    with pytest.raises(ValidationError):
        clean_document(upload(data, name="doc.pdf", content_type="application/pdf"))


def test_safe_download_name():
    assert safe_download_name("../../etc/passwd", "pdf") == "______etc_passwd.pdf"
    assert safe_download_name("کارت بهداشت رضا", "jpg") == "کارت_بهداشت_رضا.jpg"
