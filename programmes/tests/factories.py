"""Test data for the programmes app (real models, real services)."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.uploads import clean_document
from permits.models import PermitType
from pricing.models import PriceRound, PriceSubmission
from programmes import services
from programmes.models import Call, Criterion, EligibilityRule, RequiredDocument, RuleKind


def pdf_upload(name="invoice.pdf", text="Invoice"):
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        b"% " + text.encode() + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def call(
    *,
    title="وام نوسازی تجهیزات",
    kind=Call.Kind.LOAN,
    capacity=2,
    deadline_in=20,
    status=Call.Status.PUBLISHED,
    documents=("پیش‌فاکتور",),
    rules=(),
    criteria=(("طرح توجیهی", 3), ("اشتغال", 1)),
):
    """rules: (kind, {field: value}) pairs; "permit_types" takes codes."""
    today = timezone.localdate()
    result = Call.objects.create(
        title=title,
        kind=kind,
        summary="شرح فراخوان",
        deadline=today + datetime.timedelta(days=deadline_in),
        capacity=capacity,
        status=status,
        published_at=timezone.now() if status != Call.Status.DRAFT else None,
    )
    for index, name in enumerate(documents):
        RequiredDocument.objects.create(call=result, name=name, sort_order=index)
    for rule_kind, fields in rules:
        fields = dict(fields)
        codes = fields.pop("permit_types", ())
        rule = EligibilityRule.objects.create(call=result, kind=rule_kind, **fields)
        if codes:
            rule.permit_types.set(PermitType.objects.filter(code__in=codes))
    for index, (name, weight) in enumerate(criteria):
        Criterion.objects.create(call=result, name=name, weight=weight, sort_order=index)
    return result


LICENCE_RULE = (RuleKind.HEALTH_LICENCE, {"permit_types": ["manufacturing_licence"]})


def documents_for(call_obj):
    return {doc: clean_document(pdf_upload()) for doc in call_obj.documents_required.all()}


def apply(call_obj, member, user, **kwargs):
    return services.application_submit(
        call=call_obj, member=member, actor=user, documents=documents_for(call_obj), **kwargs
    )


def price_round(year, month, status=PriceRound.Status.PUBLISHED):
    return PriceRound.objects.create(year=year, month=month, status=status)


def report(member, price_round_obj, *, product, status=PriceSubmission.Status.ACCEPTED, is_current=True):
    return PriceSubmission.objects.create(
        price_round=price_round_obj,
        member=member,
        product=product,
        channel="wholesale",
        unit="kg",
        price_rial=5_000_000,
        price_per_kg_rial=5_000_000,
        status=status,
        is_current=is_current,
    )
