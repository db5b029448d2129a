"""Estates staff keep the action plan (objectives inline, actions on their own page) and see
the stored quarterly figures (read-only; storing a finished quarter is an action). Every save
goes through the services (audit entries)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin_access import EstatesStaffAdmin
from members.roles import is_estates_staff

from . import services
from .models import Action, ActionPlan, IndicatorSnapshot, Objective
from .quarters import Quarter, current


class ObjectiveInline(admin.StackedInline):
    model = Objective
    extra = 1
    fields = ["title", "description", "sort_order"]
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return is_estates_staff(request.user)

    def has_add_permission(self, request, obj=None):
        return is_estates_staff(request.user)

    def has_change_permission(self, request, obj=None):
        return is_estates_staff(request.user)


@admin.register(ActionPlan)
class ActionPlanAdmin(EstatesStaffAdmin):
    list_display = ["title", "period_start", "period_end", "endorsed_on", "endorsed_by"]
    fields = ["title", "summary", "period_start", "period_end", "endorsed_on", "endorsed_by"]
    inlines = [ObjectiveInline]

    def save_model(self, request, obj, form, change):
        services.plan_save(plan=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        for objective in formset.save(commit=False):
            services.objective_save(objective=objective, actor=request.user)


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = [
            "objective",
            "title",
            "description",
            "owner_name",
            "owner_user",
            "commitment",
            "due_date",
            "status",
            "sort_order",
        ]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("due_date") and not cleaned.get("commitment"):
            self.add_error("due_date", _("Give a due date, or link the action to a commitment."))
        if not cleaned.get("owner_name") and not cleaned.get("owner_user"):
            self.add_error("owner_name", _("Name the owner, or choose the owner's account."))
        return cleaned


@admin.register(Action)
class ActionAdmin(EstatesStaffAdmin):
    form = ActionForm
    list_display = ["title", "objective", "owner_name", "due_date", "status", "commitment"]
    list_filter = ["status", "objective__plan"]
    list_select_related = ["objective", "commitment"]
    search_fields = ["title", "owner_name"]
    autocomplete_fields = ["owner_user"]
    raw_id_fields = ["commitment"]

    def save_model(self, request, obj, form, change):
        services.action_save(action=obj, actor=request.user)


@admin.register(IndicatorSnapshot)
class IndicatorSnapshotAdmin(EstatesStaffAdmin):
    list_display = ["indicator", "year", "quarter", "as_of", "computed_at"]
    list_filter = ["year", "quarter", "indicator"]
    readonly_fields = [f.name for f in IndicatorSnapshot._meta.fields]
    actions = ["store_last_quarter"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # The action needs no selection: it always stores the last finished quarter.
        if request.method == "POST" and request.POST.get("action") == "store_last_quarter":
            post = request.POST.copy()
            post.setlist(admin.helpers.ACTION_CHECKBOX_NAME, post.getlist(admin.helpers.ACTION_CHECKBOX_NAME) or ["0"])
            request.POST = post
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Store the last finished quarter (what is stored stays)"))
    def store_last_quarter(self, request, queryset):
        quarter: Quarter = current(timezone.localdate()).previous()
        try:
            made = services.quarter_store(quarter=quarter, actor=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(request, f"{quarter.label}: {len(made)}", messages.SUCCESS)
