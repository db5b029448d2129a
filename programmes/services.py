"""Every write of the programmes app: atomic, audited, notifying on commit."""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.notifications import notify, notify_staff
from members.dashboard_cache import bump_global
from members.models import User

from .eligibility import evaluate, member_facts
from .models import (
    Application,
    ApplicationDocument,
    ApplicationStatusChange,
    Call,
    Criterion,
    EligibilityRule,
    RuleKind,
    Score,
)
from .scoring import with_total_scores

logger = logging.getLogger(__name__)
A = Application.Status
DECISIONS = (A.ACCEPTED, A.WAITLISTED, A.REJECTED)
# Which decisions may follow which status.
DECIDABLE_FROM = {
    A.ACCEPTED: {A.SUBMITTED, A.UNDER_REVIEW, A.WAITLISTED},
    A.WAITLISTED: {A.SUBMITTED, A.UNDER_REVIEW},
    A.REJECTED: {A.SUBMITTED, A.UNDER_REVIEW, A.WAITLISTED},
}
WITHDRAWABLE = {A.SUBMITTED, A.UNDER_REVIEW, A.WAITLISTED, A.ACCEPTED}


def rules_of(call):
    return list(call.rules.prefetch_related("permit_types").order_by("id"))


def _member_users(member):
    return User.objects.filter(member_link__member=member, is_active=True)


def _tell_member(member, *, subject, body="", url=""):
    """subject/body: callables, so each text is made in the portal's language."""
    with translation.override(settings.LANGUAGE_CODE):
        for user in _member_users(member):
            notify(user=user, subject=subject(), body=body() if callable(body) else body, url=url)


def _set_status(application, *, to_status, actor, reason="", now=None):
    now = now or timezone.now()
    ApplicationStatusChange.objects.create(
        application=application,
        from_status=application.status,
        to_status=to_status,
        changed_by=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason,
        created_at=now,
    )
    application.status = to_status


def _refresh_dashboards():
    transaction.on_commit(bump_global, robust=True)


# -- calls (staff) ------------------------------------------------------------------------------


def call_problems(call) -> list[str]:
    """What stops a call from being published (empty when it can be)."""
    problems = []
    if call.deadline < timezone.localdate():
        problems.append(_("The deadline has passed."))
    for rule in rules_of(call):
        if rule.kind == RuleKind.HEALTH_LICENCE and not rule.permit_types.all():
            problems.append(_("The licence rule names no licence type."))
        try:
            rule.clean()
        except ValidationError as error:
            problems.extend(str(m) for messages in error.message_dict.values() for m in messages)
    if not call.criteria.exists():
        problems.append(_("The score sheet has no criteria."))
    return problems


@transaction.atomic
def call_publish(*, call, actor) -> Call:
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.status != Call.Status.DRAFT:
        raise ValidationError(_("Only a draft call can be published."))
    problems = call_problems(call)
    if problems:
        raise ValidationError(problems)
    call.status = Call.Status.PUBLISHED
    call.published_at = timezone.now()
    call.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(
        actor=actor, action="programmes.call_publish", instance=call, changes={"status": ["draft", "published"]}
    )
    _refresh_dashboards()
    return call


@transaction.atomic
def call_close(*, call, actor) -> Call:
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.status != Call.Status.PUBLISHED:
        raise ValidationError(_("Only a published call can be closed."))
    call.status = Call.Status.CLOSED
    call.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, action="programmes.call_close", instance=call, changes={"status": ["published", "closed"]}
    )
    _refresh_dashboards()
    return call


@transaction.atomic
def call_results_publish(*, call, actor) -> Call:
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.status == Call.Status.DRAFT:
        raise ValidationError(_("A draft call has no results."))
    if call.applications.filter(status__in=[A.SUBMITTED, A.UNDER_REVIEW]).exists():
        raise ValidationError(_("Decide every application before publishing the results."))
    if call.results_published_at is None:
        call.results_published_at = timezone.now()
        call.save(update_fields=["results_published_at", "updated_at"])
        audit_record(actor=actor, action="programmes.results_publish", instance=call)
    return call


# -- applications (members) -----------------------------------------------------------------------


@transaction.atomic
def application_submit(*, call, member, actor, motivation="", documents=None, today=None) -> Application:
    """documents: {RequiredDocument: core.uploads.CleanFile}, one for each document the call
    requires. Checks, in this order: the call is open, the member qualifies today, it has no
    application to this call, every document is there."""
    today = today or timezone.localdate()
    documents = documents or {}
    call = Call.objects.select_for_update().get(pk=call.pk)
    if not call.is_open_on(today):
        raise ValidationError(_("This call is not open for applications."))
    eligibility = evaluate(rules_of(call), member_facts(member, today=today))
    if not eligibility.qualifies:
        raise ValidationError([result.reason for result in eligibility.failing])
    if Application.objects.filter(call=call, member=member).exclude(status=A.WITHDRAWN).exists():
        raise ValidationError(_("Your business has already applied to this call."))
    required = list(call.documents_required.all())
    missing = [doc.name for doc in required if doc.pk not in {d.pk for d in documents}]
    if missing:
        raise ValidationError({"documents": _("Attach: %(names)s.") % {"names": "، ".join(missing)}})
    try:
        with transaction.atomic():
            application = Application.objects.create(
                call=call, member=member, motivation=motivation, submitted_by=actor, submitted_at=timezone.now()
            )
    except IntegrityError:
        raise ValidationError(_("Your business has already applied to this call.")) from None
    ApplicationStatusChange.objects.create(
        application=application, from_status="", to_status=A.SUBMITTED, changed_by=actor
    )
    storage = storages["private"]
    stored = []
    try:
        for required_doc, clean in documents.items():
            name = storage.save(f"programmes/{clean.content.name}", clean.content)
            stored.append(name)
            ApplicationDocument.objects.create(
                application=application,
                required=required_doc,
                title=required_doc.name,
                storage_name=name,
                kind=clean.kind,
                content_type=clean.content_type,
                size=clean.size,
                uploaded_by=actor,
            )
        audit_record(
            actor=actor,
            action="programmes.application_submit",
            instance=application,
            changes={"call": call.pk, "documents": len(stored)},
        )
    except Exception:
        for name in stored:  # the rows roll back; the files must go too
            storage.delete(name)
        raise
    _tell_member(
        member,
        subject=lambda: _("Application received: %(call)s") % {"call": call.title},
        body=lambda: _("We will tell you when it is decided. You can follow it in the portal."),
        url=application.get_absolute_url(),
    )
    return application


@transaction.atomic
def application_withdraw(*, application, actor) -> Application:
    application = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    if application.status not in WITHDRAWABLE:
        raise ValidationError(_("This application can no longer be withdrawn."))
    was_accepted = application.status == A.ACCEPTED
    before = application.status
    _set_status(application, to_status=A.WITHDRAWN, actor=actor)
    application.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="programmes.application_withdraw",
        instance=application,
        changes={"status": [before, A.WITHDRAWN]},
    )
    if was_accepted:
        call_fill_from_waitlist(call=application.call, actor=None)
    return application


# -- review (staff) ------------------------------------------------------------------------------


def application_eligibility_now(application, *, today=None, facts=None):
    """The member's eligibility for the application's call, from today's data (texts in the
    current language)."""
    facts = facts or member_facts(application.member, today=today)
    return evaluate(rules_of(application.call), facts)


def _record_eligibility(application, *, rules, facts, now) -> bool:
    """Stores the reasons the member no longer qualifies, written in the portal's language
    (for staff). True when the application has just become flagged or its reasons changed."""
    with translation.override(settings.LANGUAGE_CODE):
        eligibility = evaluate(rules, facts)
        reasons = eligibility.reasons()
    changed = reasons != application.eligibility_lost_reasons
    application.eligibility_lost_reasons = reasons
    application.eligibility_checked_at = now
    Application.objects.filter(pk=application.pk).update(eligibility_lost_reasons=reasons, eligibility_checked_at=now)
    return changed and bool(reasons)


def _flag_staff(application):
    reasons = application.eligibility_lost_reasons
    with translation.override(settings.LANGUAGE_CODE):
        notify_staff(
            subject=_("No longer eligible: %(member)s for %(call)s")
            % {"member": application.member.business_name, "call": application.call.title},
            body="\n".join(reasons),
            url=reverse("programmes:application", args=[application.pk]),
        )


@transaction.atomic
def application_check_eligibility(*, application, today=None, facts=None) -> bool:
    """Re-checks one application against today's data (at review time); staff are told when
    it has just lost eligibility. Returns whether the member still qualifies."""
    facts = facts or member_facts(application.member, today=today)
    if _record_eligibility(application, rules=rules_of(application.call), facts=facts, now=timezone.now()):
        _flag_staff(application)
    return not application.eligibility_lost_reasons


def applications_check_eligibility(*, today=None) -> dict:
    """The daily check: every application still waiting for a decision (submitted, under
    review, waiting list) against today's data. Staff are told once per new set of reasons;
    an application that qualifies again is unflagged. Each member's facts are read once."""
    today = today or timezone.localdate()
    pending = list(
        Application.objects.filter(status__in=[A.SUBMITTED, A.UNDER_REVIEW, A.WAITLISTED])
        .select_related("member", "call")
        .prefetch_related(Prefetch("call__rules", queryset=EligibilityRule.objects.prefetch_related("permit_types")))
        .order_by("member_id", "id")
    )
    facts_by_member = {}
    flagged = cleared = 0
    now = timezone.now()
    for application in pending:
        member = application.member
        if member.pk not in facts_by_member:
            facts_by_member[member.pk] = member_facts(member, today=today)
        was_flagged = application.is_flagged
        with transaction.atomic():
            if _record_eligibility(
                application, rules=list(application.call.rules.all()), facts=facts_by_member[member.pk], now=now
            ):
                _flag_staff(application)
                flagged += 1
            elif was_flagged and not application.is_flagged:
                cleared += 1
    return {"checked": len(pending), "flagged": flagged, "cleared": cleared}


@transaction.atomic
def application_score(*, application, actor, points: dict) -> Application:
    """points: {Criterion: 0–10}. A submitted application moves to "under review"."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status not in (A.SUBMITTED, A.UNDER_REVIEW, A.WAITLISTED):
        raise ValidationError(_("A decided application is no longer scored."))
    criteria = {c.pk: c for c in Criterion.objects.filter(call_id=application.call_id)}
    changes = {}
    for criterion, value in points.items():
        if criterion.pk not in criteria:
            raise ValidationError(_("This criterion is not on this call's score sheet."))
        if value is None:
            continue
        if not 0 <= int(value) <= 10:
            raise ValidationError(_("Points are from 0 to 10."))
        score, created = Score.objects.get_or_create(
            application=application, criterion=criterion, defaults={"points": value, "scored_by": actor}
        )
        if not created and score.points != value:
            changes[criterion.name] = [score.points, value]
            score.points, score.scored_by = value, actor
            score.save(update_fields=["points", "scored_by", "scored_at"])
        elif created:
            changes[criterion.name] = [None, value]
    if application.status == A.SUBMITTED:
        _set_status(application, to_status=A.UNDER_REVIEW, actor=actor)
        application.save(update_fields=["status", "updated_at"])
        changes["status"] = [A.SUBMITTED, A.UNDER_REVIEW]
    if changes:
        audit_record(actor=actor, action="programmes.application_score", instance=application, changes=changes)
    return application


def _accepted_count(call) -> int:
    return Application.objects.filter(call=call, status=A.ACCEPTED).count()


@transaction.atomic
def application_decide(*, application, actor, decision, reason="", today=None) -> Application:
    """Accept (a free place and a member who still qualifies), put on the waiting list, or
    reject (with the reason the member will read)."""
    call = Call.objects.select_for_update().get(pk=application.call_id)
    application = Application.objects.select_for_update().select_related("member", "call").get(pk=application.pk)
    reason = (reason or "").strip()
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Choose a decision.")})
    if application.status not in DECIDABLE_FROM[decision]:
        raise ValidationError(
            _("An application that is “%(status)s” cannot become “%(decision)s”.")
            % {"status": application.get_status_display(), "decision": A(decision).label}
        )
    if decision == A.REJECTED and not reason:
        raise ValidationError({"reason": _("Give the reason for the rejection: the member will read it.")})
    if decision == A.ACCEPTED:
        if _accepted_count(call) >= call.capacity:
            raise ValidationError(
                _("All %(n)s places are taken: put the application on the waiting list instead.") % {"n": call.capacity}
            )
        if not application_check_eligibility(application=application, today=today):
            raise ValidationError([_("The member no longer qualifies:")] + list(application.eligibility_lost_reasons))
    before = application.status
    _set_status(application, to_status=decision, actor=actor, reason=reason)
    application.decision_reason = reason
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decision_reason", "decided_at", "updated_at"])
    audit_record(
        actor=actor,
        action="programmes.application_decide",
        instance=application,
        changes={"status": [before, decision]},
        note=reason,
    )
    _tell_decision(application)
    return application


def _tell_decision(application, *, promoted=False):
    call = application.call
    subjects = {
        A.ACCEPTED: (lambda: _("Accepted from the waiting list: %(call)s") % {"call": call.title})
        if promoted
        else (lambda: _("Your application was accepted: %(call)s") % {"call": call.title}),
        A.WAITLISTED: lambda: _("Your application is on the waiting list: %(call)s") % {"call": call.title},
        A.REJECTED: lambda: _("Your application was not accepted: %(call)s") % {"call": call.title},
    }
    _tell_member(
        application.member,
        subject=subjects[application.status],
        body=application.decision_reason,
        url=application.get_absolute_url(),
    )


def waitlist_order(applications):
    """Best total score first, then the earlier application, then the lower id (the same order
    every time)."""
    return sorted(
        applications, key=lambda a: (-(a.total_score if a.total_score is not None else -1), a.submitted_at, a.pk)
    )


@transaction.atomic
def call_fill_from_waitlist(*, call, actor, today=None) -> list[Application]:
    """Fills free places from the waiting list, best score first; a member who no longer
    qualifies is skipped (and flagged to staff). Each promoted member is told."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    free = call.capacity - _accepted_count(call)
    promoted = []
    if free <= 0:
        return promoted
    waiting = waitlist_order(
        with_total_scores(
            list(Application.objects.filter(call=call, status=A.WAITLISTED).select_related("member", "call"))
        )
    )
    for application in waiting:
        if len(promoted) >= free:
            break
        if not application_check_eligibility(application=application, today=today):
            continue
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("A place became free and you were next on the waiting list.")
        _set_status(application, to_status=A.ACCEPTED, actor=actor, reason=reason)
        application.decision_reason = reason
        application.decided_at = timezone.now()
        application.save(update_fields=["status", "decision_reason", "decided_at", "updated_at"])
        audit_record(
            actor=actor,
            action="programmes.application_promote",
            instance=application,
            changes={"status": [A.WAITLISTED, A.ACCEPTED]},
        )
        _tell_decision(application, promoted=True)
        promoted.append(application)
    return promoted
