"""Estates staff keep the milestones (every save goes through services.milestone_save, so
followers are told once about a move), see the demand register, set an allocation's
criteria and weights (frozen once published) and compute and publish rankings."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin_access import EstatesStaffAdmin
from core.exports import Table, table_response
from members.roles import is_estates_staff

from . import services
from .models import (
    Allocation,
    AllocationCriterion,
    DemandRegistration,
    Milestone,
    MilestoneChange,
    Ranking,
    RankingEntry,
)


class MilestoneForm(forms.ModelForm):
    change_note = forms.CharField(
        label=_("What changed (told to followers)"), required=False, widget=forms.Textarea({"rows": 2})
    )

    class Meta:
        model = Milestone
        fields = ["phase", "title", "planned_date", "actual_date", "status", "progress_note", "sort_order"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Milestone.Status.DONE and not cleaned.get("actual_date"):
            self.add_error("actual_date", _("A milestone that is done needs its actual date."))
        return cleaned


@admin.register(Milestone)
class MilestoneAdmin(EstatesStaffAdmin):
    form = MilestoneForm
    list_display = ["title", "phase", "planned_date", "actual_date", "status", "updated_at"]
    list_filter = ["phase", "status"]

    def save_model(self, request, obj, form, change):
        services.milestone_save(milestone=obj, actor=request.user, note=form.cleaned_data.get("change_note", ""))


@admin.register(MilestoneChange)
class MilestoneChangeAdmin(EstatesStaffAdmin):
    list_display = [
        "milestone",
        "old_planned_date",
        "new_planned_date",
        "old_status",
        "new_status",
        "created_at",
        "announced_at",
    ]
    list_select_related = ["milestone"]
    readonly_fields = [f.name for f in MilestoneChange._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _export_register(fmt):
    def action(modeladmin, request, queryset):
        rows = [
            [
                str(_("Member")),
                str(_("Membership number")),
                str(_("plot size (m²)")),
                str(_("workers")),
                str(_("investment readiness")),
                str(_("Investment (Toman)")),
                str(_("status")),
            ]
        ]
        for r in queryset.select_related("member").order_by("registered_at", "id"):
            rows.append(
                [
                    r.member.business_name,
                    r.member.membership_number,
                    r.plot_size_m2,
                    r.workers,
                    r.get_readiness_display(),
                    r.investment_rial // 10 if r.investment_rial else "",
                    r.get_status_display(),
                ]
            )
        return table_response(fmt, [Table(title=str(_("demand register")), rows=rows)], filename="estate-demand")

    action.short_description = _("Export as %(format)s") % {"format": fmt.upper()}
    action.__name__ = f"export_{fmt}"
    return action


@admin.register(DemandRegistration)
class DemandRegistrationAdmin(EstatesStaffAdmin):
    list_display = ["member", "plot_size_m2", "workers", "readiness", "status", "registered_at"]
    list_filter = ["status", "readiness"]
    list_select_related = ["member"]
    search_fields = ["member__business_name"]
    readonly_fields = [
        "member",
        "plot_size_m2",
        "workers",
        "readiness",
        "investment_rial",
        "products",
        "note",
        "status",
        "registered_at",
        "withdrawn_at",
    ]
    actions = [_export_register("csv"), _export_register("xlsx")]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CriterionInline(admin.TabularInline):
    model = AllocationCriterion
    extra = 1

    def _editable(self, request, obj):
        return is_estates_staff(request.user) and (obj is None or obj.status == Allocation.Status.DRAFT)

    def has_view_permission(self, request, obj=None):
        return is_estates_staff(request.user)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj)


@admin.register(Allocation)
class AllocationAdmin(EstatesStaffAdmin):
    list_display = ["title", "status", "published_at"]
    readonly_fields = ["status", "published_at"]
    inlines = [CriterionInline]
    actions = ["publish", "compute"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != Allocation.Status.DRAFT:
            return ["title", "description", "status", "published_at"]
        return self.readonly_fields

    @admin.action(description=_("Publish (freezes the criteria and weights)"))
    def publish(self, request, queryset):
        for allocation in queryset:
            try:
                services.allocation_publish(allocation=allocation, actor=request.user)
            except ValidationError as error:
                self.message_user(request, f"{allocation}: {' '.join(error.messages)}", messages.ERROR)

    @admin.action(description=_("Compute the ranking from today's data"))
    def compute(self, request, queryset):
        for allocation in queryset:
            try:
                ranking = services.ranking_compute(allocation=allocation, actor=request.user)
            except ValidationError as error:
                self.message_user(request, f"{allocation}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"{allocation}: {ranking.entries.count()}", messages.SUCCESS)


class EntryInline(admin.TabularInline):
    model = RankingEntry
    extra = 0
    can_delete = False
    readonly_fields = ["rank", "member", "total", "points"]

    def has_view_permission(self, request, obj=None):
        return is_estates_staff(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Ranking)
class RankingAdmin(EstatesStaffAdmin):
    list_display = ["allocation", "computed_at", "as_of", "inputs_digest", "published_at"]
    list_select_related = ["allocation"]
    readonly_fields = [
        "allocation",
        "computed_at",
        "computed_by",
        "as_of",
        "criteria",
        "inputs",
        "inputs_digest",
        "published_at",
    ]
    inlines = [EntryInline]
    actions = ["publish"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Publish the ranking (members are told their rank)"))
    def publish(self, request, queryset):
        for ranking in queryset:
            try:
                services.ranking_publish(ranking=ranking, actor=request.user)
            except ValidationError as error:
                self.message_user(request, f"{ranking}: {' '.join(error.messages)}", messages.ERROR)
