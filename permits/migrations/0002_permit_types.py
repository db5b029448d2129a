"""The permit types of docs/design.md, with their checklists and prerequisites. Validity
and reminder offsets are typical values: estates staff verify them locally in the admin."""

from django.db import migrations

TYPES = [
    # code, fa, en, issuer, holder, validity months, note, expires, offsets, renew from, guild, home, order
    (
        "health_card",
        "کارت بهداشت",
        "Health card",
        "health_centre",
        "worker",
        12,
        "حدود یک سال؛ تمدید از ۱۵ روز پیش از انقضا",
        True,
        [21, 15, 3, 0],
        15,
        True,
        True,
        10,
    ),
    (
        "hygiene_certificate",
        "گواهی دوره آموزش بهداشت عمومی",
        "Hygiene course certificate",
        "hygiene_school",
        "worker",
        36,
        "سه سال",
        True,
        [90, 30],
        None,
        True,
        True,
        20,
    ),
    (
        "health_competency",
        "گواهی صلاحیت بهداشتی",
        "Health competency certificate",
        "health_centre",
        "business",
        None,
        "بدون مدت ثابت",
        False,
        [],
        None,
        True,
        False,
        30,
    ),
    (
        "business_licence",
        "پروانه کسب",
        "Business licence",
        "guild_union",
        "business",
        60,
        "دائم ۵ سال، موقت ۱ سال",
        True,
        [90, 60, 30, 7, 0],
        None,
        True,
        False,
        40,
    ),
    (
        "technical_officer",
        "مسئول فنی",
        "Technical officer",
        "food_drug",
        "person",
        None,
        "تاریخ‌های قرارداد",
        True,
        [30, 7, 0],
        None,
        True,
        False,
        50,
    ),
    (
        "manufacturing_licence",
        "پروانه بهداشتی ساخت",
        "Manufacturing health licence",
        "food_drug",
        "business_product",
        60,
        "پنج سال",
        True,
        [90, 60, 30, 7, 0],
        None,
        True,
        False,
        60,
    ),
    (
        "supervision_id",
        "شناسه نظارت کارگاهی",
        "Workshop supervision ID",
        "food_drug",
        "business",
        24,
        "نخستین بار حداکثر ۱ سال، تمدید حداکثر ۲ سال؛ یک ماه پیش از انقضا درخواست شود",
        True,
        [45, 30],
        30,
        True,
        False,
        70,
    ),
    (
        "home_business",
        "مجوز مشاغل خانگی",
        "Home-business permit",
        "labour_office",
        "business",
        None,
        "جهاد کشاورزی ← بهداشت ← اداره کار",
        False,
        [],
        None,
        False,
        True,
        80,
    ),
]

PREREQUISITES = {
    "business_licence": ["health_competency"],
    "health_competency": ["health_card", "hygiene_certificate"],
    "manufacturing_licence": ["business_licence", "health_competency", "technical_officer"],
    "supervision_id": ["manufacturing_licence"],
    "home_business": ["health_card", "hygiene_certificate"],
}

CHECKLISTS = {
    "health_card": [
        ("تصویر کارت ملی", "National ID card copy"),
        ("عکس ۳×۴", "3×4 photo"),
        ("نتیجه آزمایش‌های پزشکی", "Medical test results"),
    ],
    "hygiene_certificate": [
        ("تصویر کارت ملی", "National ID card copy"),
        ("فیش پرداخت هزینه دوره", "Course fee receipt"),
    ],
    "health_competency": [
        ("کارت بهداشت همه کارکنان", "Health cards of every worker"),
        ("گواهی دوره بهداشت عمومی", "Hygiene course certificates"),
        ("سند یا اجاره‌نامه محل", "Deed or lease of the premises"),
        ("نقشه کارگاه", "Workshop floor plan"),
    ],
    "business_licence": [
        ("گواهی صلاحیت بهداشتی", "Health competency certificate"),
        ("تصویر کارت ملی و شناسنامه", "National ID card and birth certificate copies"),
        ("پایان خدمت یا معافیت (آقایان)", "Military service card (men)"),
        ("سند یا اجاره‌نامه محل", "Deed or lease of the premises"),
        ("عکس ۳×۴", "3×4 photo"),
    ],
    "technical_officer": [
        ("قرارداد مسئول فنی", "Technical officer's contract"),
        ("مدرک تحصیلی مرتبط", "Relevant degree"),
    ],
    "manufacturing_licence": [
        ("پروانه کسب", "Business licence"),
        ("قرارداد مسئول فنی", "Technical officer's contract"),
        ("فرمولاسیون محصول", "Product formulation"),
        ("نمونه برچسب", "Label sample"),
        ("نتیجه آزمون آزمایشگاه همکار", "Accredited laboratory test result"),
    ],
    "supervision_id": [
        ("پروانه بهداشتی ساخت", "Manufacturing health licence"),
        ("گزارش بازدید کارشناس", "Inspector's visit report"),
    ],
    "home_business": [
        ("تصویر کارت ملی", "National ID card copy"),
        ("کارت بهداشت", "Health card"),
        ("گواهی دوره بهداشت عمومی", "Hygiene course certificate"),
        ("سند یا اجاره‌نامه منزل", "Deed or lease of the home"),
        ("تأییدیه جهاد کشاورزی", "Agriculture-Jihad approval"),
    ],
}


def seed(apps, schema_editor):
    PermitType = apps.get_model("permits", "PermitType")
    ChecklistItem = apps.get_model("permits", "ChecklistItem")
    by_code = {}
    for code, fa, en, issuer, holder, months, note, expires, offsets, renew, guild, home, order in TYPES:
        by_code[code], _ = PermitType.objects.update_or_create(
            code=code,
            defaults=dict(
                name_fa=fa,
                name_en=en,
                issuer=issuer,
                holder_kind=holder,
                validity_months=months,
                validity_note=note,
                expires=expires,
                reminder_offsets=offsets,
                renew_from_days=renew,
                for_guild=guild,
                for_home=home,
                sort_order=order,
            ),
        )
    for code, items in CHECKLISTS.items():
        for index, (fa, en) in enumerate(items):
            ChecklistItem.objects.get_or_create(
                permit_type=by_code[code], label_fa=fa, defaults={"label_en": en, "sort_order": (index + 1) * 10}
            )
    for code, needs in PREREQUISITES.items():
        by_code[code].prerequisites.set([by_code[n] for n in needs])


class Migration(migrations.Migration):
    dependencies = [("permits", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
