"""The public verification code becomes required and unique; the establishment and operation
health licences join the catalogue; each issuer's legal response times are seeded (typical values:
estates staff verify them locally in the admin, "Legal response times")."""

from django.db import migrations, models

import permits.models

NEW_TYPES = [
    # code, fa, en, issuer, validity months, note, offsets, order, prerequisites, checklist
    (
        "establishment_licence",
        "پروانه بهداشتی تأسیس",
        "Establishment health licence",
        "food_drug",
        12,
        "یک سال برای ساخت و تجهیز؛ تمدیدپذیر",
        [60, 30, 7, 0],
        54,
        ["business_licence", "health_competency"],
        [
            ("نقشه استقرار ماشین‌آلات و خط تولید", "Layout of the machines and the production line"),
            ("سند یا اجاره‌نامه محل", "Deed or lease of the premises"),
            ("فهرست محصولات و ظرفیت", "List of products and capacity"),
        ],
        "برای کارگاه تازه یا توسعه‌یافته (مانند شهرک صنعتی صنفی شیرینی): تأیید محل و چیدمان "
        "از سوی معاونت غذا و دارو پیش از آغاز تولید.",
    ),
    (
        "operation_licence",
        "پروانه بهداشتی بهره‌برداری",
        "Operation health licence",
        "food_drug",
        60,
        "پنج سال",
        [90, 60, 30, 7, 0],
        56,
        ["establishment_licence", "technical_officer"],
        [
            ("پروانه بهداشتی تأسیس", "Establishment health licence"),
            ("قرارداد مسئول فنی", "Technical officer's contract"),
            ("گزارش بازدید پایان کار", "Completion inspection report"),
        ],
        "پس از بازدید پایان کار صادر می‌شود و کارگاه اجازه تولید دارد؛ پروانه بهداشتی ساخت "
        "محصولات پس از آن گرفته می‌شود.",
    ),
]

# issuer → {step: days}. Calendar days from entering the step.
DEADLINES = {
    "guild_union": {"submitted": 15, "inspection": 10, "committee": 15},
    "health_centre": {"submitted": 10, "inspection": 7, "committee": 15},
    "food_drug": {"submitted": 30, "inspection": 15, "committee": 30},
    "hygiene_school": {"submitted": 30},
    "labour_office": {"submitted": 15, "inspection": 15, "committee": 15},
}


def seed(apps, schema_editor):
    PermitType = apps.get_model("permits", "PermitType")
    ChecklistItem = apps.get_model("permits", "ChecklistItem")
    StepDeadline = apps.get_model("permits", "StepDeadline")
    for code, fa, en, issuer, months, note, offsets, order, needs, items, description in NEW_TYPES:
        permit_type, _ = PermitType.objects.update_or_create(
            code=code,
            defaults=dict(
                name_fa=fa,
                name_en=en,
                issuer=issuer,
                holder_kind="business",
                validity_months=months,
                validity_note=note,
                expires=True,
                reminder_offsets=offsets,
                for_guild=False,
                for_home=False,
                sort_order=order,
                description=description,
            ),
        )
        for index, (label_fa, label_en) in enumerate(items):
            ChecklistItem.objects.get_or_create(
                permit_type=permit_type,
                label_fa=label_fa,
                defaults={"label_en": label_en, "sort_order": (index + 1) * 10},
            )
        permit_type.prerequisites.set(PermitType.objects.filter(code__in=needs))
    for issuer, steps in DEADLINES.items():
        for step, days in steps.items():
            StepDeadline.objects.get_or_create(issuer=issuer, step=step, defaults={"days": days})


class Migration(migrations.Migration):
    dependencies = [("permits", "0004_escalation_verification_suspension")]

    operations = [
        migrations.AlterField(
            model_name="permit",
            name="public_code",
            field=models.CharField(
                default=permits.models.new_public_code,
                editable=False,
                max_length=40,
                unique=True,
                verbose_name="public verification code",
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
