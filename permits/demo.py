"""Demo permits (idempotent): permits in every state, cases at every step, workers whose cards
expire soon, for the demo members (09120000001 guild, 09120000002 home, 09120000003 guild).
seed_scale adds ≈ 500 × scale permits for the members that exist, with bulk inserts."""

import datetime
import random

from django.utils import timezone

from catalogue.models import Product
from members.models import Member, User

from .models import (
    OPEN_STEPS,
    CaseStep,
    CaseStepKind,
    Issuer,
    Permit,
    PermitCase,
    PermitType,
    Worker,
)

DEMO_OWNERS = ("09120000001", "09120000002", "09120000003")
# (full name, seed of a checksum-valid national ID, role)
WORKERS = {
    "09120000001": [
        ("علی محمدی", 1354241, Worker.Role.PRODUCTION),
        ("فاطمه حسینی", 1623885, Worker.Role.PACKAGING),
        ("مهدی رضایی", 1984566, Worker.Role.TECHNICAL_OFFICER),
    ],
    "09120000002": [("مریم احمدی", 2345678, Worker.Role.OWNER)],
    "09120000003": [
        ("حسن کاظمی", 2468135, Worker.Role.PRODUCTION),
        ("زهرا موسوی", 2719384, Worker.Role.SALES),
    ],
}


def _national_id(seed: int) -> str:
    body = f"{seed % 10**9:09d}"
    total = sum(int(d) * (10 - i) for i, d in enumerate(body))
    remainder = total % 11
    check = remainder if remainder < 2 else 11 - remainder
    value = body + str(check)
    return value if len(set(value)) > 1 else _national_id(seed + 1)


def _member(mobile):
    return Member.objects.filter(user_links__user__mobile=mobile).first()


def _permit(member, code, number, *, issue_days_ago, expiry_in, worker=None, case=None, replaced_by=None):
    permit_type = PermitType.objects.get(code=code)
    today = timezone.localdate()
    issue = today - datetime.timedelta(days=issue_days_ago)
    expiry = today + datetime.timedelta(days=expiry_in) if expiry_in is not None else None
    permit, _ = Permit.objects.get_or_create(
        permit_type=permit_type,
        number=number,
        defaults=dict(
            member=member,
            worker=worker,
            issuer=permit_type.get_issuer_display(),
            issue_date=issue,
            expiry_date=expiry,
            case=case,
            replaced_by=replaced_by,
        ),
    )
    return permit


def _case(member, code, *, steps, worker=None, product=None, renewal_of=None, tracking="", actor=None, days_ago=40):
    """A case that went through `steps` (oldest first), days apart; idempotent by its subject."""
    permit_type = PermitType.objects.get(code=code)
    existing = PermitCase.objects.filter(
        member=member, permit_type=permit_type, worker=worker, product=product, renewal_of=renewal_of
    ).first()
    if existing:
        return existing
    now = timezone.now()
    started = now - datetime.timedelta(days=days_ago)
    gap = datetime.timedelta(days=max(days_ago // max(len(steps), 1), 1))
    last_step = steps[-1]
    case = PermitCase.objects.create(
        member=member,
        permit_type=permit_type,
        worker=worker,
        product=product,
        renewal_of=renewal_of,
        step=last_step,
        tracking_code=tracking,
        opened_by=actor,
        step_changed_at=started + gap * (len(steps) - 1),
        updated_at=started + gap * (len(steps) - 1),
    )
    PermitCase.objects.filter(pk=case.pk).update(created_at=started)
    for index, step in enumerate(steps):
        entered = started + gap * index
        left = started + gap * (index + 1) if index < len(steps) - 1 else None
        note = "نقشه کارگاه ناقص است؛ نقشه با مقیاس درست بارگذاری شود." if step == CaseStepKind.DEFICIENCY else ""
        CaseStep.objects.create(case=case, step=step, entered_at=entered, left_at=left, actor=actor, note=note)
    return case


def seed(*, stdout=None):
    staff = User.objects.filter(mobile="09120000010").first()
    members = {mobile: _member(mobile) for mobile in DEMO_OWNERS}
    if not all(members.values()):
        return
    workers = {}
    for mobile, rows in WORKERS.items():
        for full_name, id_seed, role in rows:
            workers[id_seed], _ = Worker.objects.get_or_create(
                member=members[mobile],
                national_id=_national_id(id_seed),
                defaults={"full_name": full_name, "role": role},
            )
    karimi, maryam, rahimi = (members[m] for m in DEMO_OWNERS)
    owner = {m: User.objects.get(mobile=m) for m in DEMO_OWNERS}
    S = CaseStepKind

    # Guild workshop 1: a full set, in every state.
    _permit(karimi, "health_competency", "QZ-HC-1402-118", issue_days_ago=700, expiry_in=None)
    _permit(karimi, "business_licence", "QZ-BL-1401-0101", issue_days_ago=1700, expiry_in=45)  # expiring soon
    _permit(karimi, "health_card", "HC-1404-5531", issue_days_ago=355, expiry_in=10, worker=workers[1354241])
    _permit(karimi, "health_card", "HC-1404-5532", issue_days_ago=370, expiry_in=-5, worker=workers[1623885])
    _permit(karimi, "health_card", "HC-1404-5533", issue_days_ago=30, expiry_in=335, worker=workers[1984566])
    _permit(karimi, "hygiene_certificate", "HY-1403-2201", issue_days_ago=400, expiry_in=695, worker=workers[1354241])
    old_manufacturing = _permit(karimi, "manufacturing_licence", "FDO-1399-7781", issue_days_ago=1800, expiry_in=25)
    renewal = _case(
        karimi,
        "manufacturing_licence",
        steps=[S.NOT_STARTED, S.PREPARING, S.SUBMITTED, S.INSPECTION],
        renewal_of=old_manufacturing,
        tracking="1404-FDO-55120",
        actor=owner["09120000001"],
        days_ago=30,
    )  # the old one shows "renewal in progress"
    old_supervision = _permit(karimi, "supervision_id", "SN-1402-3390", issue_days_ago=800, expiry_in=-70)
    renewed_case = _case(
        karimi,
        "supervision_id",
        steps=[S.NOT_STARTED, S.PREPARING, S.SUBMITTED, S.COMMITTEE, S.ISSUED],
        renewal_of=old_supervision,
        tracking="1404-SN-7710",
        actor=owner["09120000001"],
        days_ago=90,
    )
    new_supervision = _permit(
        karimi, "supervision_id", "SN-1404-4410", issue_days_ago=10, expiry_in=710, case=renewed_case
    )
    Permit.objects.filter(pk=old_supervision.pk, replaced_by__isnull=True).update(replaced_by=new_supervision)
    _case(karimi, "technical_officer", steps=[S.NOT_STARTED], worker=workers[1984566], days_ago=3)
    _case(
        karimi,
        "health_card",
        steps=[S.NOT_STARTED, S.PREPARING, S.SUBMITTED, S.DEFICIENCY],
        worker=workers[1623885],
        tracking="HC-REQ-88213",
        actor=staff,
        days_ago=20,
    )

    # Home producer: on the home-business path.
    _permit(maryam, "health_card", "HC-1404-6610", issue_days_ago=350, expiry_in=14, worker=workers[2345678])
    _case(
        maryam,
        "hygiene_certificate",
        steps=[S.NOT_STARTED, S.PREPARING],
        worker=workers[2345678],
        actor=owner["09120000002"],
        days_ago=12,
    )
    _case(
        maryam,
        "home_business",
        steps=[S.NOT_STARTED, S.PREPARING, S.SUBMITTED],
        tracking="KH-1404-22019",
        actor=owner["09120000002"],
        days_ago=25,
    )

    # Guild workshop 2: committee review, a rejected and a withdrawn case.
    _permit(rahimi, "business_licence", "QZ-BL-1400-0345", issue_days_ago=900, expiry_in=925)
    _permit(rahimi, "health_card", "HC-1404-7001", issue_days_ago=360, expiry_in=3, worker=workers[2468135])
    _permit(rahimi, "health_card", "HC-1403-7002", issue_days_ago=400, expiry_in=-35, worker=workers[2719384])
    _case(
        rahimi,
        "health_competency",
        steps=[S.NOT_STARTED, S.PREPARING, S.SUBMITTED, S.INSPECTION, S.COMMITTEE],
        tracking="HC-C-1404-310",
        actor=owner["09120000003"],
        days_ago=60,
    )
    product = _first_product()
    if product is not None:
        _case(
            rahimi,
            "manufacturing_licence",
            steps=[S.NOT_STARTED, S.PREPARING, S.SUBMITTED, S.REJECTED],
            product=product,
            tracking="FDO-1404-1200",
            actor=owner["09120000003"],
            days_ago=100,
        )
    _case(rahimi, "supervision_id", steps=[S.NOT_STARTED, S.WITHDRAWN], actor=owner["09120000003"], days_ago=50)

    # Suspended and revoked permits (the public verification page shows them red), and a case
    # waiting at the food & drug office well past its legal response time (the dashboard shows
    # the delay; `escalate_overdue_cases` tells estates staff once).
    today = timezone.localdate()
    suspended = _permit(
        karimi, "hygiene_certificate", "HY-1403-2290", issue_days_ago=300, expiry_in=790, worker=workers[1984566]
    )
    Permit.objects.filter(pk=suspended.pk, suspended_from__isnull=True).update(
        suspended_from=today - datetime.timedelta(days=5),
        suspended_until=today + datetime.timedelta(days=25),
        status_note="تعلیق تا گذراندن دوره بازآموزی",
    )
    revoked = _permit(rahimi, "health_competency", "QZ-HC-1399-044", issue_days_ago=1500, expiry_in=None)
    Permit.objects.filter(pk=revoked.pk, revoked_on__isnull=True).update(
        revoked_on=today - datetime.timedelta(days=70),
        status_note="لغو پس از بازدید: رعایت‌نکردن ضوابط بهداشتی",
    )
    _case(
        karimi,
        "establishment_licence",
        steps=[S.NOT_STARTED, S.PREPARING, S.SUBMITTED],
        tracking="FDO-T-1404-0871",
        actor=owner["09120000001"],
        days_ago=75,
    )
    if stdout is not None:
        stdout.write(
            f"permits: {Permit.objects.count()} permits, {PermitCase.objects.count()} cases "
            f"(renewal case #{renewal.pk} open)"
        )


def _first_product():
    return Product.objects.order_by("sort_order", "pk").first()


def seed_scale(*, scale, stdout=None):
    """≈ 500 × scale permits (50k at 100), health cards for workers and business permits,
    with cases spread over every step, for every member that exists. Bulk inserts."""
    rng = random.Random(1405 + scale)
    types = list(PermitType.objects.all())
    by_code = {t.code: t for t in types}
    members = list(Member.objects.filter(status=Member.Status.ACTIVE).values_list("pk", "kind"))
    if not members:
        return
    target = 500 * scale
    per_member = max(target // len(members), 1)
    today = timezone.localdate()
    now = timezone.now()
    prefix = f"SC{scale}-"
    if Permit.objects.filter(number__startswith=prefix).exists():
        if stdout is not None:
            stdout.write("permits: scale data already present")
        return
    workers = []
    for index, (member_id, _kind) in enumerate(members):
        for k in range(max(per_member // 3, 1)):
            workers.append(
                Worker(
                    member_id=member_id,
                    full_name=f"کارکن {index}-{k}",
                    national_id=_national_id(700_000_000 + scale * 1_000_000 + index * 100 + k),
                    role=Worker.Role.PRODUCTION,
                )
            )
    Worker.objects.bulk_create(workers, batch_size=2000, ignore_conflicts=True)
    workers_by_member = {}
    for worker_id, member_id in Worker.objects.filter(full_name__startswith="کارکن ").values_list("pk", "member_id"):
        workers_by_member.setdefault(member_id, []).append(worker_id)
    permits = []
    serial = 0
    for member_id, kind in members:
        business_codes = (
            ["home_business"]
            if kind == Member.Kind.HOME
            else [
                "business_licence",
                "health_competency",
                "manufacturing_licence",
                "supervision_id",
            ]
        )
        member_workers = workers_by_member.get(member_id, [])
        for _n in range(per_member):
            serial += 1
            if member_workers and rng.random() < 0.6:
                permit_type = by_code[rng.choice(["health_card", "hygiene_certificate"])]
                worker_id = rng.choice(member_workers)
            else:
                permit_type = by_code[rng.choice(business_codes)]
                worker_id = None
            issue = today - datetime.timedelta(days=rng.randint(30, 1500))
            expiry = today + datetime.timedelta(days=rng.randint(-200, 700)) if permit_type.expires else None
            if expiry is not None and expiry <= issue:
                expiry = issue + datetime.timedelta(days=30)
            permits.append(
                Permit(
                    permit_type=permit_type,
                    member_id=member_id,
                    worker_id=worker_id,
                    number=f"{prefix}{serial:07d}",
                    issuer=permit_type.get_issuer_display(),
                    issue_date=issue,
                    expiry_date=expiry,
                )
            )
    Permit.objects.bulk_create(permits, batch_size=5000)
    cases, steps = [], []
    case_count = max(target // 10, 1)
    for n in range(case_count):
        member_id, kind = members[n % len(members)]
        permit_type = by_code[
            "home_business"
            if kind == Member.Kind.HOME
            else rng.choice(["business_licence", "health_competency", "supervision_id"])
        ]
        depth = rng.randint(1, len(OPEN_STEPS))
        path = list(OPEN_STEPS[:depth])
        started = now - datetime.timedelta(days=rng.randint(5, 300))
        cases.append(
            PermitCase(
                member_id=member_id,
                permit_type=permit_type,
                step=path[-1],
                tracking_code=f"{prefix}T{n}" if depth >= 3 else "",
                step_changed_at=started,
                updated_at=started,
            )
        )
        steps.append((path, started, permit_type.issuer))
    created = PermitCase.objects.bulk_create(cases, batch_size=5000)
    step_rows = []
    for case, (path, started, issuer) in zip(created, steps, strict=True):
        moment = started - datetime.timedelta(days=sum(_step_days(rng, issuer) for _ in path))
        for index, step in enumerate(path):
            left = moment + datetime.timedelta(days=_step_days(rng, issuer)) if index < len(path) - 1 else None
            step_rows.append(CaseStep(case=case, step=step, entered_at=moment, left_at=left))
            moment = left or moment
    CaseStep.objects.bulk_create(step_rows, batch_size=5000)
    if stdout is not None:
        stdout.write(f"permits: {len(permits)} permits, {len(created)} cases, {len(step_rows)} steps (scale {scale})")


def _step_days(rng, issuer) -> int:
    slow = {Issuer.FOOD_DRUG: 3, Issuer.LABOUR_OFFICE: 2}.get(issuer, 1)
    return rng.randint(1, 12) * slow
