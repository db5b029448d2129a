"""Test data for the permits app (real models, real services)."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from permits import services
from permits.models import CaseStepKind, Permit, PermitType, Worker

VALID_IDS = ["0013542419", "0016238850", "0019845669", "0024681350", "0027193845", "0031234569"]


def permit_type(code):
    return PermitType.objects.get(code=code)


def worker(member, *, full_name="علی محمدی", national_id="0013542419", role=Worker.Role.PRODUCTION):
    return Worker.objects.create(member=member, full_name=full_name, national_id=national_id, role=role)


def permit(member, code="business_licence", *, number=None, issue_days_ago=100, expiry_in=200, worker=None, today=None):
    today = today or timezone.localdate()
    permit_type_obj = permit_type(code)
    return Permit.objects.create(
        permit_type=permit_type_obj,
        member=member,
        worker=worker,
        number=number or f"N-{Permit.objects.count() + 1}-{code}",
        issuer=permit_type_obj.get_issuer_display(),
        issue_date=today - datetime.timedelta(days=issue_days_ago),
        expiry_date=None if expiry_in is None else today + datetime.timedelta(days=expiry_in),
    )


def grant_prerequisites(member, code, *, worker=None):
    """In-force permits for every prerequisite of `code` (for each active worker where the
    prerequisite is a worker's), so a case for it may be opened."""
    target = permit_type(code)
    for pre in target.prerequisites.all():
        if pre.held_by_worker:
            holders = [worker] if (target.held_by_worker and worker) else list(member.workers.filter(is_active=True))
            if pre.holder_kind == "person" and not target.held_by_worker:
                holders = holders[:1]
            if not holders:
                holders = [
                    Worker.objects.create(member=member, full_name="مریم احمدی", national_id=VALID_IDS[1], role="owner")
                ]
            for holder in holders:
                if not Permit.objects.filter(member=member, permit_type=pre, worker=holder).exists():
                    permit(member, pre.code, worker=holder)
        elif not Permit.objects.filter(member=member, permit_type=pre).exists():
            permit(member, pre.code, expiry_in=None if not pre.expires else 200)


def submitted_case(member, user, code="home_business", *, tracking="TR-1404-100", prerequisites=True, **kwargs):
    if prerequisites:
        grant_prerequisites(member, code, worker=kwargs.get("worker"))
    case = services.permit_case_open(member=member, actor=user, permit_type=permit_type(code), **kwargs)
    services.permit_case_advance(case=case, actor=user, step=CaseStepKind.PREPARING)
    services.permit_case_advance(case=case, actor=user, step=CaseStepKind.SUBMITTED, tracking_code=tracking)
    case.refresh_from_db()
    return case


def pdf_bytes(text="Health card scan") -> bytes:
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        b"% " + text.encode() + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    return body


def pdf_upload(name="card.pdf", text="Health card scan"):
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def png_bytes(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()
