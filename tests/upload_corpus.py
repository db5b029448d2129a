"""Hostile uploads, made here (no fixture files): each is a (name, filename, content_type, bytes)
that a real attacker could send to an upload field. Every upload field of every app must refuse
all of them with a translated message and store nothing."""

import io
import struct
import zlib
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

HTML = b"<!doctype html><html><body><script>fetch('/admin/').then(r=>r.text()).then(alert)</script></body></html>"


@dataclass(frozen=True)
class Attack:
    name: str
    filename: str
    content_type: str
    data: bytes
    why: str

    def upload(self):
        return SimpleUploadedFile(self.filename, self.data, content_type=self.content_type)


def jpeg_bytes(size=(64, 48), colour=(200, 120, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def png_bytes(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def decompression_bomb_png(side=40_000) -> bytes:
    """A ~40 KB PNG that claims 40,000 × 40,000 pixels (1.6 gigapixels, ~4.8 GB decoded)."""
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    row = b"\x00" + b"\x00" * (side * 3)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(8)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", data) + _png_chunk(b"IEND", b"")


def pdf_with_javascript() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction 3 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"3 0 obj<</S/JavaScript/JS(app.alert('x'))>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def pdf_with_hex_escaped_javascript() -> bytes:
    """/JavaScript written as /J#61vaScript: the same name to a PDF reader."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Names<</J#61vaScript 3 0 R>>>>endobj\n"
        b"3 0 obj<</S/J#61vaScript/J#53(app.alert(1))>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def pdf_with_launch_action() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction<</S/Launch/F(cmd.exe)>>>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def pdf_html_polyglot() -> bytes:
    return b"%PDF-1.4\n" + HTML + b"\ntrailer<<>>\n%%EOF\n"


def clean_pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


IMAGE_ATTACKS = [
    Attack("html_as_jpeg", "photo.jpg", "image/jpeg", HTML, "HTML/JS renamed as an image"),
    Attack("js_as_png", "logo.png", "image/png", b"alert(document.cookie)//" + b" " * 200, "a script renamed .png"),
    Attack(
        "svg_with_script",
        "logo.svg",
        "image/svg+xml",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.domain)</script></svg>',
        "SVG carrying script",
    ),
    Attack(
        "svg_renamed_png",
        "logo.png",
        "image/png",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "SVG renamed as PNG",
    ),
    Attack(
        "polyglot_jpeg_html",
        "photo.jpg",
        "image/jpeg",
        jpeg_bytes()[:-2] + HTML,  # a JPEG whose tail is an HTML page (and no end marker)
        "a JPEG/HTML polyglot",
    ),
    Attack("oversized", "big.jpg", "image/jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * (5 * 1024 * 1024 + 10), "over 5 MB"),
    Attack("decompression_bomb", "bomb.png", "image/png", decompression_bomb_png(), "a decompression bomb"),
    Attack("truncated_jpeg", "cut.jpg", "image/jpeg", jpeg_bytes((400, 300))[:600], "a truncated image"),
    Attack("empty", "empty.jpg", "image/jpeg", b"", "an empty file"),
    Attack("gif_not_allowed", "anim.gif", "image/gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "a GIF"),
    Attack("pdf_as_image", "photo.jpg", "image/jpeg", clean_pdf(), "a PDF where an image belongs"),
    Attack("exe_as_jpeg", "photo.jpg", "image/jpeg", b"MZ\x90\x00" + b"\x00" * 200, "a Windows program renamed"),
]

DOCUMENT_ATTACKS = [
    Attack("html_as_pdf", "permit.pdf", "application/pdf", HTML, "HTML/JS renamed as PDF"),
    Attack("pdf_with_javascript", "permit.pdf", "application/pdf", pdf_with_javascript(), "a PDF with JavaScript"),
    Attack(
        "pdf_with_hex_escaped_javascript",
        "permit.pdf",
        "application/pdf",
        pdf_with_hex_escaped_javascript(),
        "a PDF hiding /JavaScript as /J#61vaScript",
    ),
    Attack(
        "pdf_with_launch", "permit.pdf", "application/pdf", pdf_with_launch_action(), "a PDF that launches a program"
    ),
    Attack("pdf_html_polyglot", "permit.pdf", "application/pdf", pdf_html_polyglot(), "a PDF/HTML polyglot"),
    Attack("truncated_pdf", "permit.pdf", "application/pdf", clean_pdf()[:60], "a truncated PDF"),
    Attack(
        "oversized_pdf",
        "big.pdf",
        "application/pdf",
        b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024) + b"\n%%EOF",
        "over 5 MB",
    ),
    *[attack for attack in IMAGE_ATTACKS if attack.name not in ("pdf_as_image",)],
    Attack(
        "webp_document", "scan.webp", "image/webp", b"RIFF\x1a\x00\x00\x00WEBPVP8 ", "WebP (documents: PDF/JPEG/PNG)"
    ),
]

# What a user may legitimately send, with names that must never reach the file system.
HOSTILE_NAMES = [
    "../../../etc/passwd.pdf",
    "..\\..\\windows\\win.ini.pdf",
    '"><img src=x onerror=alert(1)>.pdf',
    "پروانه کسب\u202egnp.pdf",  # right-to-left override hiding the real extension
    "a" * 300 + ".pdf",
    "NUL.pdf",
]


def pdf_with_javascript_in_object_stream() -> bytes:
    """PDF 1.5: the catalog's /OpenAction and the /JavaScript action sit inside a compressed
    object stream, so none of the dangerous names appear in the file's raw bytes."""
    objects = (
        b"1 0 3 60 <</Type/Catalog/Pages 2 0 R/OpenAction 3 0 R>>" + b" " * 4 + b"<</S/JavaScript/JS(app.alert(1))>>"
    )
    packed = zlib.compress(objects)
    return (
        b"%PDF-1.5\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"4 0 obj<</Type/ObjStm/N 2/First 8/Filter/FlateDecode/Length "
        + str(len(packed)).encode()
        + b">>stream\n"
        + packed
        + b"\nendstream\nendobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


DOCUMENT_ATTACKS.append(
    Attack(
        "pdf_javascript_in_object_stream",
        "permit.pdf",
        "application/pdf",
        pdf_with_javascript_in_object_stream(),
        "a PDF hiding JavaScript in a compressed object stream",
    )
)
