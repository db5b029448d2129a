"""The events back office: estates staff create events with their agenda and panels,
manage registrations, and see questions and commitments. Saving or deleting an event, panel,
panelist, question (with its answer and votes) or commitment here outdates every cached copy
of the event's live Q&A at once (events.qa_cache)."""

from django.contrib import admin
from django.db import models
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_access import EVERYTHING, AuditedAdminMixin, EstatesStaffAccess
from core.admin_jalali import JalaliAdminMixin
from core.jalali import format_date

from . import qa_cache
from .forms import JalaliDateTimeField
from .models import (
    AgendaItem,
    Answer,
    Commitment,
    CommitmentDigest,
    CommitmentNote,
    CommitmentReminder,
    Event,
    Panel,
    Panelist,
    Question,
    Registration,
    ReminderSent,
    Vote,
)

DATETIME_JALALI = {models.DateTimeField: {"form_class": JalaliDateTimeField}}


class EstatesStaffMixin(EstatesStaffAccess):
    """Estates staff run events in the admin without per-model permissions, deleting too."""

    staff_may = EVERYTHING


class QaChangesMixin(AuditedAdminMixin):
    """Saves and deletes made here go through the platform's write service (audited) and change
    what the event's live Q&A shows: its version is bumped (`qa_event_path`:
    how a row leads to its event)."""

    qa_event_path = "event_id"

    def _qa_events(self, queryset) -> list:
        return list(queryset.values_list(self.qa_event_path, flat=True))

    def _one(self, obj):
        return self._qa_events(type(obj).objects.filter(pk=obj.pk))

    def after_edit(self, obj):
        events = self._one(obj) if obj.pk is not None else []  # before a delete takes the row
        return (lambda: qa_cache.bump_event(*events, *self._one(obj)),)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        qa_cache.bump_event(*self._one(form.instance))

    def delete_queryset(self, request, queryset):
        events = self._qa_events(queryset)
        super().delete_queryset(request, queryset)
        qa_cache.bump_event(*events)


class JalaliDateTimeMixin(JalaliAdminMixin):
    """Date-and-time fields as a Jalali date (with the picker) plus a time box."""

    formfield_overrides = {**JalaliAdminMixin.formfield_overrides, **DATETIME_JALALI}


class AgendaItemInline(EstatesStaffMixin, admin.TabularInline):
    model = AgendaItem
    extra = 1
    fields = ["starts_at", "ends_at", "title", "topic", "speaker"]


class PanelInline(JalaliDateTimeMixin, EstatesStaffMixin, admin.TabularInline):
    model = Panel
    extra = 0
    show_change_link = True


@admin.register(Event)
class EventAdmin(QaChangesMixin, JalaliDateTimeMixin, EstatesStaffMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "venue", "audience", "status", "capacity"]
    list_filter = ["status", "kind", "audience"]
    search_fields = ["title", "venue"]
    date_hierarchy = "starts_at"
    show_full_result_count = False
    inlines = [AgendaItemInline, PanelInline]
    raw_id_fields = ["current_question"]
    fieldsets = [
        (None, {"fields": ["title", "kind", "status", "audience", "description"]}),
        (_("When and where"), {"fields": ["starts_at", "ends_at", "venue"]}),
        (_("Registration"), {"fields": ["capacity", "registration_opens_at", "registration_closes_at"]}),
        (_("Q&A panel"), {"fields": ["qa_open", "qa_premoderation", "current_question"]}),
    ]
    qa_event_path = "pk"


class PanelistInline(EstatesStaffMixin, admin.TabularInline):
    model = Panelist
    extra = 1
    autocomplete_fields = ["user"]
    fields = ["order", "name", "title", "organisation", "user"]


@admin.register(Panel)
class PanelAdmin(QaChangesMixin, JalaliDateTimeMixin, EstatesStaffMixin, admin.ModelAdmin):
    list_display = ["title", "event", "starts_at"]
    list_select_related = ["event"]
    search_fields = ["title", "event__title"]
    autocomplete_fields = ["event"]
    inlines = [PanelistInline]
    qa_event_path = "event_id"


@admin.register(Panelist)
class PanelistAdmin(QaChangesMixin, EstatesStaffMixin, admin.ModelAdmin):
    qa_event_path = "panel__event_id"
    list_display = ["name", "title", "organisation", "panel", "user"]
    list_filter = ["organisation"]
    list_select_related = ["panel", "user"]
    search_fields = ["name", "title", "panel__title"]
    autocomplete_fields = ["panel", "user"]


class ReminderSentInline(EstatesStaffMixin, admin.TabularInline):
    model = ReminderSent
    extra = 0
    readonly_fields = ["kind", "sent_at"]
    can_delete = False


@admin.register(Registration)
class RegistrationAdmin(JalaliDateTimeMixin, EstatesStaffMixin, admin.ModelAdmin):
    list_display = ["user", "member", "event", "status", "code", "registered_at", "offer_expires_at", "checked_in_at"]
    list_filter = ["status", ("checked_in_at", admin.EmptyFieldListFilter), "event"]
    list_select_related = ["user", "member", "event"]
    search_fields = ["code", "user__full_name", "user__mobile", "member__business_name"]
    autocomplete_fields = ["event", "user", "member", "checked_in_by"]
    readonly_fields = ["code"]
    show_full_result_count = False
    inlines = [ReminderSentInline]


class AnswerInline(JalaliDateTimeMixin, EstatesStaffMixin, admin.StackedInline):
    model = Answer
    extra = 0
    autocomplete_fields = ["panelist", "recorded_by"]


class VoteInline(EstatesStaffMixin, admin.TabularInline):
    model = Vote
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at"]


class AnswerOverdueFilter(admin.SimpleListFilter):
    """Routed questions not answered: overdue ones, or all still waiting for an answer."""

    title = _("routed questions")
    parameter_name = "routed"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("waiting", _("Waiting for an answer"))]

    def queryset(self, request, queryset):
        waiting = queryset.filter(
            routed_to__isnull=False, status__in=(Question.Status.PENDING, Question.Status.APPROVED)
        )
        if self.value() == "overdue":
            return waiting.filter(answer_due__lt=timezone.localdate())
        if self.value() == "waiting":
            return waiting.order_by("answer_due")
        return queryset


@admin.register(Question)
class QuestionAdmin(QaChangesMixin, JalaliDateTimeMixin, EstatesStaffMixin, admin.ModelAdmin):
    list_display = [
        "short_text",
        "event",
        "topic",
        "addressed_organisation",
        "status",
        "anonymous",
        "vote_count",
        "routed_to",
        "due",
    ]
    list_filter = [AnswerOverdueFilter, "status", "topic", "addressed_organisation", "anonymous"]
    list_select_related = ["event", "routed_to"]
    search_fields = ["text", "asker__full_name", "asker__mobile"]
    autocomplete_fields = [
        "event",
        "asker",
        "addressed_panelist",
        "merged_into",
        "commitment",
        "panel",
        "routed_to",
    ]
    readonly_fields = ["vote_count", "routed_at"]
    show_full_result_count = False
    inlines = [AnswerInline, VoteInline]

    @admin.display(description=_("question"))
    def short_text(self, obj):
        return obj.text[:80]

    @admin.display(description=_("answer due"), ordering="answer_due")
    def due(self, obj):
        if not obj.answer_due or obj.status == Question.Status.ANSWERED:
            return "—"
        text = format_date(obj.answer_due)
        if obj.answer_overdue:
            return format_html("<strong>⚠ {} · {}</strong>", text, _("Overdue"))
        return text

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # bumped again when this commits
        question = form.instance
        # Votes edited here: keep the stored count exact.
        Question.objects.filter(pk=question.pk).update(vote_count=Vote.objects.filter(question=question).count())


class CommitmentNoteInline(EstatesStaffMixin, admin.TabularInline):
    model = CommitmentNote
    extra = 1
    fields = ["date", "text", "status_from", "status_to", "author"]
    autocomplete_fields = ["author"]


class CommitmentQuestionInline(EstatesStaffMixin, admin.TabularInline):
    model = Question
    fk_name = "commitment"
    extra = 0
    fields = ["text", "status", "vote_count"]
    readonly_fields = ["text", "status", "vote_count"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Commitment)
class CommitmentAdmin(QaChangesMixin, JalaliAdminMixin, EstatesStaffMixin, admin.ModelAdmin):
    list_display = ["title", "owner_organisation", "responsible_person", "owner_user", "due_date", "status", "event"]
    list_filter = ["status", "owner_organisation"]
    list_select_related = ["event", "owner_user"]
    search_fields = ["title", "responsible_person", "description"]
    autocomplete_fields = ["event", "created_by", "owner_user"]
    date_hierarchy = "due_date"
    inlines = [CommitmentQuestionInline, CommitmentNoteInline]


@admin.register(CommitmentReminder)
class CommitmentReminderAdmin(JalaliAdminMixin, EstatesStaffMixin, admin.ModelAdmin):
    """What the reminder task recorded (read-only)."""

    list_display = ["commitment", "kind", "due_date", "sent_at"]
    list_filter = ["kind"]
    list_select_related = ["commitment"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CommitmentDigest)
class CommitmentDigestAdmin(JalaliAdminMixin, EstatesStaffMixin, admin.ModelAdmin):
    """The weekly digests sent to commitments' followers (read-only)."""

    list_display = ["user", "week_start", "changes", "sent_at"]
    list_select_related = ["user"]
    date_hierarchy = "week_start"
    show_full_result_count = False

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
