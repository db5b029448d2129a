"""Estates staff review buyer requests here: approve, reject (with the reason typed in the
action bar) or close them through the services; offers are read-only. The change list shows
the outcome counts. Nobody deletes through the admin."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin_access import EstatesStaffAdmin
from core.templatetags.persian import toman

from . import selectors, services
from .models import BuyerRequest, Match, Offer


class UnitPriceMixin:
    @admin.display(description=_("Unit price"))
    def unit_price(self, offer):
        return toman(offer.unit_price_rial)


class ReviewActionForm(ActionForm):
    reason = forms.CharField(
        label=_("Reason (for a rejection)"), required=False, max_length=500, widget=forms.TextInput({"size": 30})
    )


class OfferInline(UnitPriceMixin, admin.TabularInline):
    model = Offer
    extra = 0
    can_delete = False
    fields = ["member", "quantity", "unit_price", "delivery_date", "status", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MatchInline(admin.TabularInline):
    model = Match
    extra = 0
    can_delete = False
    fields = ["member", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BuyerRequest)
class BuyerRequestAdmin(EstatesStaffAdmin):
    list_display = [
        "id",
        "organisation",
        "buyer_kind",
        "product",
        "quantity",
        "unit",
        "deadline",
        "county",
        "status",
        "created_at",
    ]
    list_filter = ["status", "buyer_kind", "product", "county"]
    list_select_related = ["product"]
    search_fields = ["organisation", "contact_name", "mobile", "email"]
    readonly_fields = [
        "buyer_kind",
        "organisation",
        "contact_name",
        "mobile",
        "email",
        "product",
        "quantity",
        "unit",
        "deadline",
        "county",
        "packaging",
        "note",
        "status",
        "rejection_reason",
        "created_at",
        "decided_at",
        "decided_by",
        "closed_at",
    ]
    fields = readonly_fields
    inlines = [MatchInline, OfferInline]
    actions = ["approve", "reject", "close"]
    action_form = ReviewActionForm
    show_full_result_count = False
    change_list_template = "admin/market/buyerrequest/change_list.html"

    def has_add_permission(self, request):
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "market_counts": selectors.outcome_counts()}
        return super().changelist_view(request, extra_context=extra_context)

    def _run(self, request, queryset, service, done, **kwargs):
        for buyer_request in queryset:
            try:
                result = service(buyer_request=buyer_request, actor=request.user, **kwargs)
            except ValidationError as error:
                self.message_user(request, f"{buyer_request}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"{buyer_request}: {done(result)}", messages.SUCCESS)

    @admin.action(description=_("Approve and tell the matching members"))
    def approve(self, request, queryset):
        self._run(
            request,
            queryset,
            services.buyer_request_approve,
            lambda count: _("approved; %(count)s matching members told") % {"count": count},
        )

    @admin.action(description=_("Reject (type the reason first)"))
    def reject(self, request, queryset):
        reason = request.POST.get("reason", "")
        self._run(request, queryset, services.buyer_request_reject, lambda _result: _("rejected"), reason=reason)

    @admin.action(description=_("Close without an accepted offer"))
    def close(self, request, queryset):
        self._run(request, queryset, services.buyer_request_close, lambda _result: _("closed"))


@admin.register(Offer)
class OfferAdmin(UnitPriceMixin, EstatesStaffAdmin):
    list_display = ["id", "request", "member", "quantity", "unit_price", "delivery_date", "status", "created_at"]
    list_filter = ["status", "request__product"]
    list_select_related = ["request", "request__product", "member"]
    search_fields = ["member__business_name", "request__organisation"]
    readonly_fields = [
        "request",
        "member",
        "quantity",
        "unit_price",
        "delivery_date",
        "note",
        "status",
        "created_by",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
