from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_access import VIEW_ADD_CHANGE, AuditedAdminMixin, EstatesStaffAccess
from core.admin_display import AdminDisplayMixin
from core.admin_jalali import JalaliAdminMixin
from core.admin_perf import LargeTableAdminMixin
from members.models import County

from .models import (
    CaseDocument,
    CaseStep,
    ChecklistItem,
    Issuer,
    Permit,
    PermitCase,
    PermitState,
    PermitType,
    ReminderSent,
    Worker,
)
from .selectors import permits_with_state


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
        ]

    def clean(self):
        cleaned = super().clean()
        issue_date = cleaned.get("issue_date")
        if issue_date and issue_date > timezone.localdate():
            self.add_error("issue_date", _("The issue date cannot be in the future."))
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
    readonly_fields = ["created_at"]

    def get_queryset(self, request):
        return permits_with_state(super().get_queryset(request))

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


@admin.register(PermitCase)
class PermitCaseAdmin(AdminDisplayMixin, JalaliAdminMixin, StaffAccess, admin.ModelAdmin):
    """Steps are recorded through the case page (permits:detail), which keeps the history and
    checks the rules; here staff read, search and filter."""

    column_labels = {"opened_by": _("opened by")}

    list_display = ["id", "permit_type", "member", "subject_display", "step", "tracking_code", "updated_at"]
    list_filter = ["step", "permit_type", IssuerFilter, CountyFilter]
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
    inlines = [CaseStepInline, CaseDocumentInline]
    show_full_result_count = False

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

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


@admin.register(ReminderSent)
class ReminderSentAdmin(JalaliAdminMixin, ReadOnly, StaffAccess, admin.ModelAdmin):
    list_display = ["permit", "offset", "audience", "expiry_date", "recipients", "sent_at"]
    list_filter = ["audience", "offset"]
    list_select_related = ["permit__permit_type"]
    show_full_result_count = False
