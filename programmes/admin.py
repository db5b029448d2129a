"""The estates staff write calls here (rules, documents, score sheet) and publish them with the
actions; decisions are made on the review pages (/programmes/<id>/review/), which go through
the services. Nobody deletes through the admin."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin_access import AuditedAdminMixin, EstatesStaffAdmin
from core.exports import Table, table_response
from core.jalali import format_date
from members.dashboard_cache import bump_global
from members.models import County
from members.roles import is_estates_staff

from . import services
from .models import Application, ApplicationStatusChange, Call, Criterion, EligibilityRule, RequiredDocument
from .scoring import with_total_scores


class StaffInline:
    def has_view_permission(self, request, obj=None):
        return is_estates_staff(request.user)

    def has_add_permission(self, request, obj=None):
        return is_estates_staff(request.user) and (obj is None or obj.status == Call.Status.DRAFT)

    def has_change_permission(self, request, obj=None):
        return is_estates_staff(request.user) and (obj is None or obj.status == Call.Status.DRAFT)

    def has_delete_permission(self, request, obj=None):
        return is_estates_staff(request.user) and (obj is None or obj.status == Call.Status.DRAFT)


class RuleForm(forms.ModelForm):
    counties = forms.MultipleChoiceField(
        label=_("counties"), choices=County.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = EligibilityRule
        fields = ["kind", "number", "member_kind", "counties", "permit_types"]


class RequiredDocumentInline(StaffInline, admin.TabularInline):
    model = RequiredDocument
    extra = 1


class EligibilityRuleInline(StaffInline, admin.StackedInline):
    model = EligibilityRule
    form = RuleForm
    extra = 1
    filter_horizontal = ["permit_types"]


class CriterionInline(StaffInline, admin.TabularInline):
    model = Criterion
    extra = 1


@admin.register(Call)
class CallAdmin(AuditedAdminMixin, EstatesStaffAdmin):
    list_display = ["title", "kind", "status", "deadline", "capacity", "published_at", "results_published_at"]
    list_filter = ["status", "kind"]
    search_fields = ["title"]
    readonly_fields = ["status", "published_at", "results_published_at", "created_by", "created_at"]
    fields = ["kind", "title", "summary", "provider", "deadline", "capacity", *readonly_fields]
    inlines = [RequiredDocumentInline, EligibilityRuleInline, CriterionInline]
    actions = ["publish", "close", "publish_results"]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def after_edit(self, obj):
        return (bump_global,)  # members' dashboards list open calls

    def _run(self, request, queryset, service, done):
        for call in queryset:
            try:
                service(call=call, actor=request.user)
            except ValidationError as error:
                self.message_user(request, f"{call}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"{call}: {done}", messages.SUCCESS)

    @admin.action(description=_("Publish the selected calls"))
    def publish(self, request, queryset):
        self._run(request, queryset, services.call_publish, _("published"))

    @admin.action(description=_("Close the selected calls"))
    def close(self, request, queryset):
        self._run(request, queryset, services.call_close, _("closed"))

    @admin.action(description=_("Publish the results (counts only)"))
    def publish_results(self, request, queryset):
        self._run(request, queryset, services.call_results_publish, _("results published"))


class StatusChangeInline(admin.TabularInline):
    model = ApplicationStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "changed_by", "reason", "created_at"]

    def has_view_permission(self, request, obj=None):
        return is_estates_staff(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _export(fmt):
    def action(modeladmin, request, queryset):
        applications = with_total_scores(list(queryset.select_related("call", "member").order_by("call_id", "id")))
        rows = [
            [
                str(_("Application")),
                str(_("Call")),
                str(_("Member")),
                str(_("Membership number")),
                str(_("Kind")),
                str(_("County")),
                str(_("Submitted")),
                str(_("Status")),
                str(_("Total score")),
                str(_("No longer eligible")),
                str(_("Reason")),
            ]
        ]
        for a in applications:
            rows.append(
                [
                    a.pk,
                    a.call.title,
                    a.member.business_name,
                    a.member.membership_number,
                    a.member.get_kind_display(),
                    a.member.get_county_display(),
                    format_date(a.submitted_at, numeric=True),
                    a.get_status_display(),
                    float(a.total_score) if a.total_score is not None else "",
                    " / ".join(a.eligibility_lost_reasons),
                    a.decision_reason,
                ]
            )
        return table_response(fmt, [Table(title=str(_("Applications")), rows=rows)], filename="applications")

    action.short_description = _("Export as %(format)s") % {"format": fmt.upper()}
    action.__name__ = f"export_{fmt}"
    return action


@admin.register(Application)
class ApplicationAdmin(EstatesStaffAdmin):
    list_display = ["id", "call", "member", "status", "submitted_at", "decided_at", "flagged"]
    list_filter = ["status", "call__kind", "call"]
    list_select_related = ["call", "member"]
    search_fields = ["member__business_name", "call__title"]
    autocomplete_fields = []
    readonly_fields = [
        "call",
        "member",
        "status",
        "motivation",
        "decision_reason",
        "submitted_by",
        "submitted_at",
        "decided_at",
        "eligibility_lost_reasons",
        "eligibility_checked_at",
    ]
    inlines = [StatusChangeInline]
    actions = [_export("csv"), _export("xlsx")]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(boolean=True, description=_("no longer eligible"))
    def flagged(self, obj):
        return bool(obj.eligibility_lost_reasons)
