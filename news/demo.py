"""Demo news and the estates company's contact details (idempotent)."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from core.uploads import clean_image

from . import services
from .models import ContactDetails, NewsItem

CONTACT = {
    "organisation": "شرکت شهرک‌های صنعتی استان قزوین",
    "address": "قزوین، بلوار نوروزیان، ساختمان شرکت شهرک‌های صنعتی",
    "phone": "028-3355-0000",
    "email": "cluster@example.ir",
    "office_hours": "شنبه تا چهارشنبه، ۸ تا ۱۴",
}
# title, text, days ago, pinned, picture colour (or None)
NEWS = [
    (
        "ثبت‌نام نمایشگاه شیرینی سنتی قزوین آغاز شد",
        "اعضای خوشه می‌توانند برای غرفه در نمایشگاه شیرینی سنتی نوروز ثبت‌نام کنند. "
        "غرفه‌ها با یارانه خوشه و به ترتیب ثبت‌نام واگذار می‌شوند.",
        2,
        True,
        "#b5651d",
    ),
    (
        "گزارش همایش تشکیل خوشه شیرینی سنتی",
        "در همایش تشکیل خوشه، برنامه‌های حمایتی، شهرک تخصصی شیرینی و قیمت‌گذاری بررسی شد "
        "و پرسش‌های اعضا درباره قیمت واحد و پروانه بهداشتی پاسخ گرفت.",
        30,
        False,
        "#8e6c3a",
    ),
    (
        "پیشرفت ساخت شهرک تخصصی شیرینی",
        "عملیات آماده‌سازی زمین شهرک تخصصی شیرینی ادامه دارد و برنامه زمان‌بندی واگذاری "
        "پس از تکمیل زیرساخت‌ها اعلام می‌شود.",
        45,
        False,
        None,
    ),
]


def _picture(colour: str):
    image = Image.new("RGB", (960, 540), colour)
    draw = ImageDraw.Draw(image)
    for radius in (220, 160, 100):
        draw.ellipse((480 - radius, 270 - radius, 480 + radius, 270 + radius), outline="#fff7e6", width=10)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return clean_image(SimpleUploadedFile("news.jpg", buffer.getvalue(), content_type="image/jpeg"))


def seed(*, stdout=None):
    if not ContactDetails.objects.exists():
        services.contact_details_save(details=ContactDetails(**CONTACT), actor=None)
    today = timezone.localdate()
    for title, body, days_ago, pinned, colour in NEWS:
        if NewsItem.objects.filter(title=title).exists():
            continue
        item = NewsItem(title=title, body=body, published_on=today - datetime.timedelta(days=days_ago), pinned=pinned)
        services.news_item_save(item=item, actor=None, image=_picture(colour) if colour else None)
    if stdout:
        stdout.write(f"news: {NewsItem.objects.count()} items")
