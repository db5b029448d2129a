"""Every write of the permits app: atomic, audited, notifying on commit."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record, diff, snapshot
from core.jalali import format_date
from core.notifications import notify, notify_many, notify_staff
from core.persian import digits_to_persian
from members.dashboard_cache import bump_table
from members.models import User
from members.roles import member_of

from .models import (
    NEEDS_TRACKING_CODE,
    OPEN_STEPS,
    CaseDocument,
    CaseEscalation,
    CaseStep,
    CaseStepKind,
    ChecklistTick,
    HolderKind,
    Permit,
    PermitCase,
    PermitState,
    ReminderSent,
    Worker,
    add_months,
    back_steps,
    forward_steps,
)

logger = logging.getLogger(__name__)

WORKER_FIELDS = ["full_name", "national_id", "role", "is_active"]
STAFF_OFFSETS = (7, 0)


def _member_users(member):
    return User.objects.filter(member_link__member=member, is_active=True)


# -- workers ----------------------------------------------------------------------------------


@transaction.atomic
def worker_create(*, member, actor, full_name, national_id, role) -> Worker:
    if Worker.objects.filter(member=member, national_id=national_id).exists():
        raise ValidationError({"national_id": _("This worker is already on your list.")})
    worker = Worker.objects.create(member=member, full_name=full_name, national_id=national_id, role=role)
    audit_record(actor=actor, action="permits.worker_create", instance=worker, changes=snapshot(worker, WORKER_FIELDS))
    return worker


@transaction.atomic
def worker_update(*, worker, actor, **fields) -> Worker:
    before = snapshot(worker, WORKER_FIELDS)
    for name, value in fields.items():
        setattr(worker, name, value)
    worker.full_clean()
    worker.save()
    audit_record(
        actor=actor, action="permits.worker_update", instance=worker, changes=diff(before, snapshot(worker, fields))
    )
    return worker


# -- cases ------------------------------------------------------------------------------------


@transaction.atomic
def permit_case_open(*, member, actor, permit_type, worker=None, product=None, renewal_of=None) -> PermitCase:
    """Opens a case at step "not started" for the member itself, a product (per-product
    permits) or a worker (worker/person permits). Refused, naming what is missing, while a
    prerequisite of the permit type is not in force (selectors.missing_prerequisites): for
    renewals too."""
    errors = {}
    if permit_type.held_by_worker:
        if worker is None:
            errors["worker"] = _("Choose the worker this permit is for.")
        elif worker.member_id != member.pk:
            errors["worker"] = _("Choose one of your own workers.")
    elif worker is not None:
        errors["worker"] = _("This permit is for the business, not a worker.")
    if permit_type.holder_kind == HolderKind.BUSINESS_PRODUCT and product is None:
        errors["product"] = _("Choose the product this licence is for.")
    if renewal_of is not None:
        if renewal_of.member_id != member.pk or renewal_of.permit_type_id != permit_type.pk:
            errors["renewal_of"] = _("Renew one of your own permits of this type.")
        elif renewal_of.replaced_by_id:
            errors["renewal_of"] = _("This permit has already been replaced.")
        elif PermitCase.objects.filter(renewal_of=renewal_of, step__in=OPEN_STEPS).exists():
            errors["renewal_of"] = _("A renewal case is already open for this permit.")
    if not errors:
        missing = _missing_prerequisites_message(member=member, permit_type=permit_type, worker=worker)
        if missing:
            errors["permit_type"] = missing
    duplicate = PermitCase.objects.filter(
        member=member, permit_type=permit_type, worker=worker, product=product, step__in=OPEN_STEPS
    )
    if not errors and duplicate.exists():
        errors["permit_type"] = _("You already have an open case for this permit.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    case = PermitCase.objects.create(
        member=member,
        permit_type=permit_type,
        worker=worker,
        product=product,
        renewal_of=renewal_of,
        opened_by=actor,
        step=CaseStepKind.NOT_STARTED,
        step_changed_at=now,
        updated_at=now,
    )
    CaseStep.objects.create(case=case, step=CaseStepKind.NOT_STARTED, entered_at=now, actor=actor)
    audit_record(
        actor=actor,
        action="permits.case_open",
        instance=case,
        changes={"permit_type": str(permit_type), "subject": case.subject, "renewal_of": str(renewal_of or "")},
    )
    return case


def _missing_prerequisites_message(*, member, permit_type, worker) -> str:
    from .selectors import missing_prerequisites

    missing = missing_prerequisites(member=member, permit_type=permit_type, worker=worker)
    if not missing:
        return ""
    parts = []
    for item in missing:
        if item["workers"]:
            parts.append(
                gettext("%(type)s (missing for %(workers)s)")
                % {"type": item["type"].name, "workers": "، ".join(w.full_name for w in item["workers"])}
            )
        elif item["no_workers"]:
            parts.append(gettext("%(type)s (add your workers first)") % {"type": item["type"].name})
        else:
            parts.append(item["type"].name)
    return gettext("This permit needs a valid %(names)s first.") % {"names": gettext(" and ").join(parts)}


def allowed_next_steps(case) -> list[str]:
    """Steps that can follow the current one, the natural next one first (closed cases go
    nowhere; "issued" only by recording the permit). Moving back is permit_case_move_back."""
    return forward_steps(case.step)


def allowed_back_steps(case) -> list[str]:
    return back_steps(case.step)


def _enter_step(case, *, step, actor, note, backward, now):
    CaseStep.objects.filter(case=case, left_at__isnull=True).update(left_at=now)
    CaseStep.objects.create(case=case, step=step, entered_at=now, actor=actor, note=note, is_backward=backward)
    case.step = step
    case.step_changed_at = now
    case.updated_at = now


@transaction.atomic
def permit_case_advance(*, case, actor, step, tracking_code="", note="") -> PermitCase:
    """Moves a case forward to a step that can follow the current one. "Submitted" and later
    need the authority's tracking code; rejected needs the reason."""
    case = PermitCase.objects.select_for_update().get(pk=case.pk)
    tracking_code = (tracking_code or "").strip() or case.tracking_code
    note = (note or "").strip()
    if step not in allowed_next_steps(case):
        if step in allowed_back_steps(case):
            raise ValidationError({"step": _("Moving the case back is its own action, with a reason.")})
        raise ValidationError({"step": _("The case cannot move to this step from where it is.")})
    errors = {}
    if step == CaseStepKind.REJECTED and not note:
        errors["note"] = _("Write the authority's reason for the rejection.")
    if step in NEEDS_TRACKING_CODE and not tracking_code:
        errors["tracking_code"] = _("Enter the tracking code the authority gave you.")
    if errors:
        raise ValidationError(errors)
    before = snapshot(case, ["step", "tracking_code"])
    case.tracking_code = tracking_code
    _enter_step(case, step=step, actor=actor, note=note, backward=False, now=timezone.now())
    case.save(update_fields=["step", "tracking_code", "step_changed_at", "updated_at"])
    audit_record(
        actor=actor,
        action="permits.case_advance",
        instance=case,
        changes=diff(before, snapshot(case, ["step", "tracking_code"])),
        note=note,
    )
    _tell_member_of_staff_change(case=case, actor=actor)
    return case


@transaction.atomic
def permit_case_move_back(*, case, actor, step, reason) -> PermitCase:
    """Moves a case back to an earlier step (a correction, or the authority sent it back):
    always with the reason, kept on the step and in the audit log."""
    case = PermitCase.objects.select_for_update().get(pk=case.pk)
    reason = (reason or "").strip()
    errors = {}
    if step not in allowed_back_steps(case):
        errors["step"] = _("The case cannot move back to this step from where it is.")
    if not reason:
        errors["reason"] = _("Say why the case moves back a step.")
    if errors:
        raise ValidationError(errors)
    before = snapshot(case, ["step"])
    _enter_step(case, step=step, actor=actor, note=reason, backward=True, now=timezone.now())
    case.save(update_fields=["step", "step_changed_at", "updated_at"])
    audit_record(
        actor=actor,
        action="permits.case_move_back",
        instance=case,
        changes=diff(before, snapshot(case, ["step"])),
        note=reason,
    )
    _tell_member_of_staff_change(case=case, actor=actor)
    return case


def _tell_member_of_staff_change(*, case, actor):
    """When estates staff record a step (e.g. a deficiency notice), the member hears of it."""

    if member_of(actor) is not None and member_of(actor).pk == case.member_id:
        return
    for user in _member_users(case.member):
        with translation.override(getattr(user, "language", None) or "fa"):
            notify(
                user=user,
                subject=gettext("Your case “%(type)s” is now: %(step)s")
                % {"type": case.permit_type.name, "step": case.get_step_display()},
                url=case.get_absolute_url(),
            )


@transaction.atomic
def checklist_tick_set(*, case, item, actor, ticked: bool) -> bool:
    if item.permit_type_id != case.permit_type_id:
        raise ValidationError(_("This item is not on this case's checklist."))
    if ticked:
        _tick, created = ChecklistTick.objects.get_or_create(case=case, item=item, defaults={"ticked_by": actor})
        changed = created
    else:
        changed = ChecklistTick.objects.filter(case=case, item=item).delete()[0] > 0
    if changed:
        PermitCase.objects.filter(pk=case.pk).update(updated_at=timezone.now())
        audit_record(
            actor=actor,
            action="permits.checklist_tick" if ticked else "permits.checklist_untick",
            instance=case,
            changes={"item": item.label_fa},
        )
    return ticked


@transaction.atomic
def case_document_add(*, case, actor, clean, title, checklist_item=None) -> CaseDocument:
    """Stores an already checked file (core.uploads.clean_document) in the private
    storage under the portal's own name."""
    if checklist_item is not None and checklist_item.permit_type_id != case.permit_type_id:
        raise ValidationError({"checklist_item": _("This item is not on this case's checklist.")})
    storage = storages["private"]
    name = storage.save(f"permits/{clean.content.name}", clean.content)
    try:
        document = CaseDocument.objects.create(
            case=case,
            checklist_item=checklist_item,
            title=title,
            storage_name=name,
            kind=clean.kind,
            content_type=clean.content_type,
            size=clean.size,
            uploaded_by=actor,
        )
    except Exception:
        storage.delete(name)
        raise
    PermitCase.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    audit_record(
        actor=actor,
        action="permits.document_add",
        instance=document,
        changes={"case": case.pk, "title": title, "kind": clean.kind, "size": clean.size},
    )
    return document


@transaction.atomic
def case_document_delete(*, document, actor) -> None:
    name = document.storage_name
    audit_record(
        actor=actor,
        action="permits.document_delete",
        instance=document,
        changes={"case": document.case_id, "title": document.title},
    )
    document.delete()
    transaction.on_commit(lambda: storages["private"].delete(name))


# -- permits ------------------------------------------------------------------------------------


def validity_exceeds_typical(*, permit_type, issue_date, expiry_date) -> bool:
    if not (permit_type.validity_months and expiry_date):
        return False
    return expiry_date > add_months(issue_date, permit_type.validity_months)


@transaction.atomic
def permit_issue(
    *,
    case,
    actor,
    number,
    issuer,
    issue_date,
    expiry_date=None,
    products=(),
    confirm_long_validity=False,
    today=None,
) -> Permit:
    """Records the permit the authority issued and closes the case as "issued". A renewal
    replaces the permit it renews."""
    case = PermitCase.objects.select_for_update().select_related("permit_type").get(pk=case.pk)
    permit_type = case.permit_type
    today = today or timezone.localdate()
    errors = {}
    if not case.is_open:
        raise ValidationError(_("This case is closed."))
    if not case.tracking_code:
        errors["number"] = _("Record the submission (with its tracking code) before the permit.")
    if issue_date > today:
        errors["issue_date"] = _("The issue date cannot be in the future.")
    if permit_type.expires and expiry_date is None:
        errors["expiry_date"] = _("This permit has an expiry date: enter it.")
    if expiry_date is not None and expiry_date <= issue_date:
        errors["expiry_date"] = _("The expiry date must be after the issue date.")
    if Permit.objects.filter(permit_type=permit_type, number=number).exists():
        errors["number"] = _("A permit of this type with this number is already recorded.")
    if (
        not errors
        and not confirm_long_validity
        and validity_exceeds_typical(permit_type=permit_type, issue_date=issue_date, expiry_date=expiry_date)
    ):
        errors["confirm_long_validity"] = _(
            "This validity is longer than the usual %(months)s months for this permit. Check the dates, then confirm."
        ) % {"months": permit_type.validity_months}
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            permit = Permit.objects.create(
                permit_type=permit_type,
                member_id=case.member_id,
                worker_id=case.worker_id,
                case=case,
                number=number,
                issuer=issuer,
                issue_date=issue_date,
                expiry_date=expiry_date,
            )
    except IntegrityError:
        raise ValidationError({"number": _("A permit of this type with this number is already recorded.")}) from None
    product_ids = {p.pk for p in products}
    if case.product_id:
        product_ids.add(case.product_id)
    if product_ids:
        permit.products.set(product_ids)
    now = timezone.now()
    _enter_step(case, step=CaseStepKind.ISSUED, actor=actor, note="", backward=False, now=now)
    case.save(update_fields=["step", "step_changed_at", "updated_at"])
    if case.renewal_of_id:
        Permit.objects.filter(pk=case.renewal_of_id, replaced_by__isnull=True).update(replaced_by=permit)
        bump_table("permits.permit")  # update() sends no signal: what is cached from permits is renewed
    audit_record(
        actor=actor,
        action="permits.permit_issue",
        instance=permit,
        changes={
            "number": number,
            "issuer": issuer,
            "issue_date": str(issue_date),
            "expiry_date": str(expiry_date or ""),
            "case": case.pk,
            "replaces": case.renewal_of_id,
            "long_validity_confirmed": bool(confirm_long_validity),
        },
    )
    audit_record(actor=actor, action="permits.case_advance", instance=case, changes={"step": [None, "issued"]})
    _tell_member_of_staff_change(case=case, actor=actor)
    return permit


# -- reminders ------------------------------------------------------------------------------------


def due_offset(offsets, days_left: int):
    """The most urgent offset already reached (None when none is): with [21, 15, 3, 0] and 14
    days left → 15. A skipped day never sends the older, less urgent reminders."""
    reached = [o for o in offsets if days_left <= o]
    return min(reached) if reached else None


def permit_reminders_send(*, today=None) -> dict:
    """Sends what is due today. Each reminder's ReminderSent row is inserted first, in its own
    transaction; the unique constraint makes a second run (or a second server) skip it."""
    from .selectors import permits_with_state

    today = today or timezone.localdate()
    horizon = max([t_off for t in _types() for t_off in (t.reminder_offsets or [0])] + [7])
    candidates = (
        permits_with_state(
            Permit.objects.filter(
                replaced_by__isnull=True,
                expiry_date__gte=today - datetime.timedelta(days=1),
                expiry_date__lte=today + datetime.timedelta(days=horizon),
            ).select_related("permit_type", "member", "worker"),
            today=today,
        )
        .exclude(state=PermitState.REPLACED)
        .order_by("expiry_date", "id")
    )
    # Reminders already recorded are skipped without a write (one query); the unique
    # constraint still decides when two runs race for the same one.
    already = set(
        ReminderSent.objects.filter(
            expiry_date__gte=today - datetime.timedelta(days=1),
            expiry_date__lte=today + datetime.timedelta(days=horizon),
        ).values_list("permit_id", "offset", "audience", "expiry_date")
    )
    result = {"member": 0, "staff": 0, "skipped": 0}
    for permit in candidates.iterator(chunk_size=500):
        days_left = (permit.expiry_date - today).days
        due = (
            (ReminderSent.Audience.MEMBER, due_offset(permit.permit_type.reminder_offsets, days_left)),
            (ReminderSent.Audience.STAFF, due_offset(STAFF_OFFSETS, days_left)),
        )
        for audience, offset in due:
            if offset is None:
                continue
            if (permit.pk, offset, audience, permit.expiry_date) in already:
                result["skipped"] += 1
                continue
            sent = _send_once(permit=permit, offset=offset, audience=audience, today=today)
            result[audience if sent else "skipped"] += 1
    return result


def _types():
    from .models import PermitType

    return list(PermitType.objects.filter(expires=True))


def _send_once(*, permit, offset, audience, today) -> bool:
    try:
        with transaction.atomic():
            reminder = ReminderSent.objects.create(
                permit=permit, offset=offset, audience=audience, expiry_date=permit.expiry_date
            )
            days_left = (permit.expiry_date - today).days
            if audience == ReminderSent.Audience.MEMBER:
                with translation.override("fa"):
                    reminder.recipients = notify_many(
                        users=_member_users(permit.member),
                        subject=_reminder_subject(permit, days_left),
                        url=reverse("permits:home"),
                    )
            else:
                with translation.override("fa"):
                    reminder.recipients = notify_staff(
                        subject=_reminder_subject(permit, days_left, staff=True), url=reverse("permits:dashboard")
                    )
            reminder.save(update_fields=["recipients"])
            audit_record(
                actor=None,
                action="permits.reminder_sent",
                instance=permit,
                changes={"offset": offset, "audience": audience, "recipients": reminder.recipients},
            )
    except IntegrityError:
        return False
    return True


def _reminder_subject(permit, days_left: int, *, staff=False) -> str:
    values = {
        "type": permit.permit_type.name,
        "holder": permit.holder,
        "member": permit.member.business_name,
        "date": format_date(permit.expiry_date),
        "days": digits_to_persian(str(days_left)) if translation.get_language() == "fa" else days_left,
    }
    if days_left < 0:
        text = gettext("%(type)s of %(holder)s expired on %(date)s.")
    elif days_left == 0:
        text = gettext("%(type)s of %(holder)s expires today (%(date)s).")
    else:
        text = gettext("%(type)s of %(holder)s expires in %(days)s days (%(date)s).")
    text = text % values
    if staff:
        text = f"{values['member']}: {text}"
    return text


# -- legal response times: escalation ------------------------------------------------------------


def case_escalations_send(*, today=None) -> dict:
    """Tells estates staff of each open case that stayed at an issuer's step past its legal
    response time: once per step entered. Each escalation row is inserted first, in its own
    transaction; its unique step makes a second run (or a second worker) skip it."""
    from .selectors import _late_current_steps, step_deadlines

    today = today or timezone.localdate()
    deadlines = step_deadlines()
    late = {row[0]: row for row in _late_current_steps(today=today, deadlines=deadlines)}
    result = {"escalated": 0, "skipped": 0}
    if not late:
        return result
    current_steps = (
        CaseStep.objects.filter(case_id__in=list(late), left_at__isnull=True, escalation__isnull=True)
        .select_related("case__member", "case__permit_type", "case__worker", "case__product")
        .order_by("case_id")
    )
    seen = set()
    for case_step in current_steps:
        seen.add(case_step.case_id)
        _case_id, step, issuer, due, delay = late[case_step.case_id]
        if case_step.step != step:
            result["skipped"] += 1
            continue
        sent = _escalate_once(case_step=case_step, days_allowed=deadlines[(issuer, step)], due=due, delay=delay)
        result["escalated" if sent else "skipped"] += 1
    result["skipped"] += len(set(late) - seen)
    return result


def _escalate_once(*, case_step, days_allowed, due, delay) -> bool:
    case = case_step.case
    try:
        with transaction.atomic():
            escalation = CaseEscalation.objects.create(
                case=case, case_step=case_step, step=case_step.step, days_allowed=days_allowed, due_on=due
            )
            with translation.override("fa"):
                subject = gettext(
                    "%(member)s: “%(type)s” has waited at “%(step)s” (%(issuer)s) %(delay)s days past the "
                    "legal %(days)s days (due %(date)s)."
                ) % {
                    "member": case.member.business_name,
                    "type": case.permit_type.name,
                    "step": case_step.get_step_display(),
                    "issuer": case.permit_type.get_issuer_display(),
                    "delay": digits_to_persian(str(delay)),
                    "days": digits_to_persian(str(days_allowed)),
                    "date": format_date(due),
                }
                escalation.recipients = notify_staff(subject=subject, url=case.get_absolute_url())
            escalation.save(update_fields=["recipients"])
            audit_record(
                actor=None,
                action="permits.case_escalate",
                instance=case,
                changes={
                    "step": case_step.step,
                    "days_allowed": days_allowed,
                    "due_on": str(due),
                    "delay_days": delay,
                    "recipients": escalation.recipients,
                },
            )
    except IntegrityError:
        return False
    return True


# -- suspension and revocation --------------------------------------------------------------------

STATUS_FIELDS = ["suspended_from", "suspended_until", "revoked_on", "status_note"]


@transaction.atomic
def permit_status_set(
    *, permit, actor, suspended_from=None, suspended_until=None, revoked_on=None, status_note=""
) -> Permit:
    """Records what the authority decided: a suspension (from a date, to a date or open ended),
    its lifting (empty dates) or a revocation. Always with the reason; audited. The public
    verification page turns red from the first day of a suspension or revocation."""
    permit = Permit.objects.select_for_update().get(pk=permit.pk)
    status_note = (status_note or "").strip()
    errors = {}
    if suspended_until is not None and suspended_from is None:
        errors["suspended_from"] = _("Enter the first day of the suspension.")
    elif suspended_until is not None and suspended_until < suspended_from:
        errors["suspended_until"] = _("The suspension cannot end before it starts.")
    if (suspended_from or revoked_on) and not status_note:
        errors["status_note"] = _("Write the authority's reason.")
    if revoked_on is not None and revoked_on < permit.issue_date:
        errors["revoked_on"] = _("A permit cannot be revoked before it was issued.")
    if errors:
        raise ValidationError(errors)
    before = snapshot(permit, STATUS_FIELDS)
    permit.suspended_from, permit.suspended_until, permit.revoked_on = suspended_from, suspended_until, revoked_on
    permit.status_note = status_note if (suspended_from or revoked_on) else ""
    permit.save(update_fields=STATUS_FIELDS)
    changes = diff(before, snapshot(permit, STATUS_FIELDS))
    if changes:
        audit_record(actor=actor, action="permits.permit_status", instance=permit, changes=changes, note=status_note)
    return permit
