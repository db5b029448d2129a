"""Uploaded files, checked by content (never by name or browser-sent type), re-encoded, and
stored under names the portal makes up. One implementation for every upload field."""

import io
import re
import uuid
import warnings
import zlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .persian import digits_to_persian

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 24_000_000  # ~ a 6000×4000 phone photo; more is a decompression bomb
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
PDF_DANGER_MARKERS = (
    b"/JavaScript",
    b"/JS",
    b"/Launch",
    b"/EmbeddedFile",
    b"/OpenAction",
    b"/AA",
    b"/RichMedia",
    b"/XFA",
)


@dataclass
class CleanFile:
    content: ContentFile  # safe bytes, named by the portal
    kind: str  # "jpeg", "png", "webp" or "pdf"
    content_type: str
    size: int


def _too_large(max_bytes: int) -> ValidationError:
    megabytes = max_bytes // (1024 * 1024)
    shown = digits_to_persian(megabytes) if (get_language() or "fa").startswith("fa") else str(megabytes)
    return ValidationError(_("The file is larger than %(mb)s MB."), code="too_large", params={"mb": shown})


def _read_limited(upload, max_bytes: int) -> bytes:
    if upload.size is not None and upload.size > max_bytes:
        raise _too_large(max_bytes)
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    return data


def _open_image(data: bytes, *, formats=IMAGE_FORMATS, wrong_type_message=None) -> Image.Image:
    """Opens and fully decodes an image, refusing formats outside `formats`, decompression
    bombs and truncated files."""
    wrong_type = wrong_type_message or _("This file is not a valid JPEG, PNG or WebP image.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
        if image.format not in formats:
            raise ValidationError(wrong_type, code="bad_type")
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS or width <= 0 or height <= 0:
            raise ValidationError(_("The image has too many pixels."), code="too_many_pixels")
        image.load()  # decodes everything: truncated or corrupt data fails here
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_("The image has too many pixels."), code="too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(wrong_type, code="bad_image") from None
    return image


def clean_image(upload, *, max_bytes: int = MAX_UPLOAD_BYTES, max_side: int = 2000) -> CleanFile:
    """A safe re-encoding of an uploaded photo: orientation applied, metadata (EXIF, GPS)
    stripped, at most max_side pixels wide/high; JPEG for photos, PNG when transparent."""
    image = _open_image(_read_limited(upload, max_bytes))
    image = ImageOps.exif_transpose(image)
    image.thumbnail((max_side, max_side))
    return _encode(image)


def _encode(image: Image.Image) -> CleanFile:
    buffer = io.BytesIO()
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    if has_alpha:
        image.convert("RGBA").save(buffer, "PNG", optimize=True)
        kind, extension, content_type = "png", "png", "image/png"
    else:
        image.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True)
        kind, extension, content_type = "jpeg", "jpg", "image/jpeg"
    data = buffer.getvalue()
    return CleanFile(ContentFile(data, name=f"{uuid.uuid4().hex}.{extension}"), kind, content_type, len(data))


def thumbnail(clean: CleanFile, *, size: int = 256) -> CleanFile:
    """A square-bounded thumbnail of an already cleaned image."""
    clean.content.seek(0)
    image = Image.open(io.BytesIO(clean.content.read()))
    image.thumbnail((size, size))
    return _encode(image)


def clean_document(upload, *, max_bytes: int = MAX_UPLOAD_BYTES) -> CleanFile:
    """A permit document: PDF, JPEG or PNG, by content. Images are re-encoded; a PDF must be a
    real PDF without scripts, launch actions or embedded files."""
    data = _read_limited(upload, max_bytes)
    if data.lstrip()[:5] == b"%PDF-":
        if not data.startswith(b"%PDF-"):
            raise ValidationError(_("This file is not a valid PDF."), code="bad_pdf")
        if b"%%EOF" not in data[-2048:]:
            raise ValidationError(_("This PDF is incomplete or damaged."), code="bad_pdf")
        if _pdf_has_active_content(data):
            raise ValidationError(
                _(
                    "This PDF contains scripts, actions or embedded files and cannot be accepted. Please print it to a plain PDF or scan it."
                ),
                code="pdf_active_content",
            )
        if b"<html" in data.lower() or b"<script" in data.lower():
            raise ValidationError(_("This file is not a valid PDF."), code="bad_pdf")
        return CleanFile(ContentFile(data, name=f"{uuid.uuid4().hex}.pdf"), "pdf", "application/pdf", len(data))
    image = _open_image(data, formats=("JPEG", "PNG"), wrong_type_message=_("Documents must be PDF, JPEG or PNG."))
    image = ImageOps.exif_transpose(image)
    image.thumbnail((3000, 3000))
    return _encode(image)


_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM_START = re.compile(rb">>\s*stream\r?\n")
MAX_PDF_INFLATED_BYTES = 50 * 1024 * 1024


def _pdf_names(data: bytes) -> bytes:
    """PDF names may spell any byte as #xx: /J#61vaScript is /JavaScript to a reader."""
    return _PDF_NAME_ESCAPE.sub(lambda match: bytes([int(match.group(1), 16)]), data)


def _pdf_has_active_content(data: bytes) -> bool:
    """Scripts, actions or embedded files where a PDF reader would find them: in the file's
    object dictionaries and inside compressed object streams (PDF 1.5+), where those names do
    not appear in the raw bytes. Other stream bodies (page content, scanned images) are binary
    data a reader never runs, so they are skipped (a random "/AA" in a photo is no action). An
    object stream that cannot be read counts as active content."""
    structure, position, budget = [], 0, MAX_PDF_INFLATED_BYTES
    for match in _PDF_STREAM_START.finditer(data):
        if match.start() < position:
            continue  # inside a stream body already skipped
        end = data.find(b"endstream", match.end())
        if end < 0:
            return True
        structure.append(data[position : match.end()])
        position = end
        head = _pdf_names(data[max(data.rfind(b" obj", 0, match.start()), 0) : match.start()])
        if b"/ObjStm" not in head:
            continue
        filters = re.findall(rb"/(\w+Decode)\b", head)
        if filters not in ([b"FlateDecode"], []):
            return True
        body = data[match.end() : end]
        if filters:
            inflater = zlib.decompressobj()
            try:
                body = inflater.decompress(body, budget)
            except zlib.error:
                return True
            if inflater.unconsumed_tail:  # more than the budget: a compression bomb
                return True
        budget -= len(body)
        structure.append(body)
    structure.append(data[position:])
    names = _pdf_names(b"\n".join(structure))
    return any(marker in names for marker in PDF_DANGER_MARKERS)


def safe_download_name(text: str, extension: str) -> str:
    """A download name made only of safe characters (Persian letters kept)."""
    cleaned = "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in (text or "document"))
    cleaned = "_".join(cleaned.split())[:80] or "document"
    return f"{cleaned}.{extension}"
