from django import forms
from django.contrib import admin
from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_access import VIEW_ADD_CHANGE, AuditedAdminMixin, EstatesStaffAccess
from core.admin_display import AdminDisplayMixin
from core.admin_jalali import JalaliAdminMixin
from core.admin_perf import LargeTableAdminMixin
from members.models import County

from . import services
from .models import (
    CaseDocument,
    CaseEscalation,
    CaseStep,
    ChecklistItem,
    Issuer,
    Permit,
    PermitCase,
    PermitState,
    PermitType,
    ReminderSent,
    StepDeadline,
    Worker,
)
from .selectors import due_on, permits_with_state


class StaffAccess(EstatesStaffAccess):
    """Estates staff manage permits without per-model permissions; deleting is left to
    Django's permissions."""

    staff_may = VIEW_ADD_CHANGE


class ReadOnly:
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdmin(AuditedAdminMixin):
    """Permit rows staff edit in the admin: through the platform's write service, audited."""


class ChecklistItemInline(StaffAccess, admin.TabularInline):
    model = ChecklistItem
    extra = 1


@admin.register(PermitType)
class PermitTypeAdmin(JalaliAdminMixin, StaffAccess, AuditedAdmin, admin.ModelAdmin):
    list_display = [
        "name_fa",
        "name_en",
        "issuer",
        "holder_kind",
        "validity_months",
        "reminder_offsets",
        "for_guild",
        "for_home",
        "is_active",
    ]
    list_filter = ["issuer", "holder_kind", "for_guild", "for_home", "is_active"]
    search_fields = ["name_fa", "name_en", "code"]
    filter_horizontal = ["prerequisites"]
    inlines = [ChecklistItemInline]
    show_full_result_count = False


@admin.register(Worker)
class WorkerAdmin(JalaliAdminMixin, StaffAccess, AuditedAdmin, admin.ModelAdmin):
    list_display = ["full_name", "member", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active", ("member__county", admin.ChoicesFieldListFilter)]
    list_select_related = ["member"]
    search_fields = ["full_name", "national_id", "member__search_key"]
    autocomplete_fields = ["member"]
    show_full_result_count = False


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return PermitState.choices

    def queryset(self, request, queryset):
        if self.value() in PermitState.values:
            return queryset.filter(state=self.value())
        return queryset


class IssuerFilter(admin.SimpleListFilter):
    title = _("issuer")
    parameter_name = "issuer"

    def lookups(self, request, model_admin):
        return Issuer.choices

    def queryset(self, request, queryset):
        if self.value() in Issuer.values:
            prefix = "" if queryset.model is PermitType else "permit_type__"
            return queryset.filter(**{f"{prefix}issuer": self.value()})
        return queryset


class CountyFilter(admin.SimpleListFilter):
    title = _("county")
    parameter_name = "county"

    def lookups(self, request, model_admin):
        return County.choices

    def queryset(self, request, queryset):
        if self.value() in County.values:
            return queryset.filter(member__county=self.value())
        return queryset


class PermitAdminForm(forms.ModelForm):
    class Meta:
        model = Permit
        fields = [
            "permit_type",
            "member",
            "worker",
            "products",
            "case",
            "number",
            "issuer",
            "issue_date",
            "expiry_date",
            "replaced_by",
            *services.STATUS_FIELDS,
        ]

    def clean(self):
        cleaned = super().clean()
        issue_date = cleaned.get("issue_date")
        if issue_date and issue_date > timezone.localdate():
            self.add_error("issue_date", _("The issue date cannot be in the future."))
        start, end = cleaned.get("suspended_from"), cleaned.get("suspended_until")
        if end and not start:
            self.add_error("suspended_from", _("Enter the first day of the suspension."))
        elif start and end and end < start:
            self.add_error("suspended_until", _("The suspension cannot end before it starts."))
        if (start or cleaned.get("revoked_on")) and not (cleaned.get("status_note") or "").strip():
            self.add_error("status_note", _("Write the authority's reason."))
        return cleaned


@admin.register(Permit)
class PermitAdmin(JalaliAdminMixin, LargeTableAdminMixin, StaffAccess, AuditedAdmin, admin.ModelAdmin):
    form = PermitAdminForm
    list_display = ["number", "permit_type", "member", "worker", "issue_date", "expiry_date", "state_display"]
    list_filter = [StateFilter, "permit_type", IssuerFilter, CountyFilter]
    list_select_related = ["permit_type", "member", "worker"]
    search_fields = ["number", "member__search_key", "worker__full_name"]
    autocomplete_fields = ["member", "worker", "case", "replaced_by"]
    filter_horizontal = ["products"]
    date_hierarchy = None
    # Tens of thousands of permits: no full count (table statistics), no counts per filter
    # choice, and 50 rows a page (each row's state is computed): LargeTableAdminMixin.
    readonly_fields = ["verify_link", "created_at"]

    def get_queryset(self, request):
        return permits_with_state(super().get_queryset(request))

    def save_model(self, request, obj, form, change):
        """A suspension, its lifting or a revocation of a recorded permit goes through the
        service (checked and audited on its own); the other fields are saved as usual."""
        status = {field: form.cleaned_data.get(field) for field in services.STATUS_FIELDS}
        status_changed = change and any(field in form.changed_data for field in services.STATUS_FIELDS)
        if status_changed:
            saved = Permit.objects.filter(pk=obj.pk).values(*services.STATUS_FIELDS).get()
            for field, value in saved.items():
                setattr(obj, field, value)
        super().save_model(request, obj, form, change)
        if status_changed:
            services.permit_status_set(permit=obj, actor=request.user, **status)

    @admin.display(description=_("public verification page"))
    def verify_link(self, obj):
        if not obj.pk:
            return "—"
        return format_html('<a href="{}" dir="ltr">{}</a>', obj.get_verify_url(), obj.get_verify_url())

    @admin.display(description=_("state"), ordering="state")
    def state_display(self, obj):
        return PermitState(obj.state).label


class CaseStepInline(ReadOnly, admin.TabularInline):
    model = CaseStep
    extra = 0
    fields = ["step", "entered_at", "left_at", "actor", "note", "is_backward"]
    readonly_fields = fields


class CaseDocumentInline(ReadOnly, admin.TabularInline):
    model = CaseDocument
    extra = 0
    fields = ["download", "checklist_item", "kind", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=_("document"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("permits:document", args=[obj.pk]), obj.title)


class EscalatedFilter(admin.SimpleListFilter):
    title = _("legal response time")
    parameter_name = "escalated"

    def lookups(self, request, model_admin):
        return [("yes", _("Escalated at the current step")), ("no", _("Not escalated at the current step"))]

    def queryset(self, request, queryset):
        current = Exists(CaseEscalation.objects.filter(case=OuterRef("pk"), case_step__left_at__isnull=True))
        if self.value() == "yes":
            return queryset.filter(current)
        if self.value() == "no":
            return queryset.exclude(current)
        return queryset


class CaseEscalationInline(ReadOnly, admin.TabularInline):
    model = CaseEscalation
    extra = 0
    fields = ["step", "days_allowed", "due_on", "escalated_at", "recipients"]
    readonly_fields = fields


@admin.register(PermitCase)
class PermitCaseAdmin(AdminDisplayMixin, JalaliAdminMixin, StaffAccess, admin.ModelAdmin):
    """Steps are recorded through the case page (permits:detail), which keeps the history and
    checks the rules; here staff read, search and filter."""

    column_labels = {"opened_by": _("opened by")}

    list_display = [
        "id",
        "permit_type",
        "member",
        "subject_display",
        "step",
        "tracking_code",
        "updated_at",
        "delay_display",
    ]
    list_filter = ["step", EscalatedFilter, "permit_type", IssuerFilter, CountyFilter]
    list_select_related = ["permit_type", "member", "worker", "product"]
    search_fields = ["tracking_code", "member__search_key", "worker__full_name"]
    readonly_fields = [
        "member",
        "permit_type",
        "worker",
        "product",
        "renewal_of",
        "step",
        "tracking_code",
        "opened_by",
        "created_at",
        "step_changed_at",
        "updated_at",
        "case_page",
    ]
    inlines = [CaseStepInline, CaseEscalationInline, CaseDocumentInline]
    show_full_result_count = False

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        allowed = StepDeadline.objects.filter(issuer=OuterRef("permit_type__issuer"), step=OuterRef("step"))
        return super().get_queryset(request).annotate(days_allowed=Subquery(allowed.values("days")[:1]))

    @admin.display(description=_("days past the legal response time"))
    def delay_display(self, obj):
        """Days the current step is past its issuer's legal response time (— when it is not)."""
        if obj.days_allowed is None or not obj.is_open:
            return "—"
        delay = (timezone.localdate() - due_on(obj.step_changed_at, obj.days_allowed)).days
        if delay <= 0:
            return "—"
        return format_html('<strong class="text-danger">{}</strong>', number_format(delay))

    @admin.display(description=_("for"))
    def subject_display(self, obj):
        return obj.subject

    @admin.display(description=_("case page"))
    def case_page(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("Open the case page"))


@admin.register(CaseStep)
class CaseStepAdmin(JalaliAdminMixin, ReadOnly, StaffAccess, admin.ModelAdmin):
    list_display = ["case", "step", "entered_at", "left_at", "actor", "is_backward"]
    list_filter = ["step", "is_backward"]
    list_select_related = ["case__permit_type", "actor"]
    show_full_result_count = False


@admin.register(CaseDocument)
class CaseDocumentAdmin(AdminDisplayMixin, JalaliAdminMixin, ReadOnly, StaffAccess, admin.ModelAdmin):
    column_labels = {"uploaded_by": _("uploaded by"), "content_type": _("file type")}
    list_display = ["title", "case", "kind", "size", "uploaded_by", "uploaded_at", "download"]
    list_filter = ["kind"]
    list_select_related = ["case__permit_type", "uploaded_by"]
    search_fields = ["title", "case__member__search_key"]
    show_full_result_count = False

    @admin.display(description=_("download"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("permits:document", args=[obj.pk]), _("download"))


@admin.register(StepDeadline)
class StepDeadlineAdmin(JalaliAdminMixin, StaffAccess, AuditedAdmin, admin.ModelAdmin):
    list_display = ["issuer", "step", "days", "legal_basis"]
    list_editable = ["days"]
    list_filter = ["issuer", "step"]


@admin.register(CaseEscalation)
class CaseEscalationAdmin(JalaliAdminMixin, ReadOnly, StaffAccess, admin.ModelAdmin):
    list_display = ["case", "case_member", "step", "days_allowed", "due_on", "escalated_at", "recipients"]
    list_filter = ["step", ("case__permit_type__issuer", admin.ChoicesFieldListFilter)]
    list_select_related = ["case__permit_type", "case__member"]
    search_fields = ["case__member__search_key", "case__tracking_code"]
    show_full_result_count = False

    @admin.display(description=_("member"))
    def case_member(self, obj):
        return obj.case.member.business_name


@admin.register(ReminderSent)
class ReminderSentAdmin(JalaliAdminMixin, ReadOnly, StaffAccess, admin.ModelAdmin):
    list_display = ["permit", "offset", "audience", "expiry_date", "recipients", "sent_at"]
    list_filter = ["audience", "offset"]
    list_select_related = ["permit__permit_type"]
    show_full_result_count = False
