from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cluster_portal.admin_jalali import JalaliAdminMixin
from cluster_portal.admin_perf import LargeTableAdminMixin
from cluster_portal.forms import TomanField
from cluster_portal.money import rial_to_toman
from members.roles import is_estates_staff

from . import services
from .models import COST_FIELDS, PriceCellStat, PriceReview, PriceRound, PriceSubmission, Product


class EstatesStaffAdmin(JalaliAdminMixin, admin.ModelAdmin):
    """The estates staff run the catalogue and the rounds (no per-model permissions needed)."""

    def has_module_permission(self, request):
        return is_estates_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return is_estates_staff(request.user)

    def has_add_permission(self, request):
        return is_estates_staff(request.user)

    def has_change_permission(self, request, obj=None):
        return is_estates_staff(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


INDIVIDUAL_PRICES = "pricing.view_individual_prices"


def sees_individual_prices(request) -> bool:
    """Price figures of single submissions in the admin: the union head's group and
    superusers (the permission is given by migration 0008); estates staff see none."""
    return request.user.has_perm(INDIVIDUAL_PRICES)


class HidesPricesAdmin:
    """No filtering by a price column without the permission: the admin otherwise accepts any
    lookup on a local field in the query string (?price_rial__gt=…), and the rows it keeps
    would tell the price."""

    PRICE_FIELDS: list = []

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split("__")[0] in self.PRICE_FIELDS and not (request and sees_individual_prices(request)):
            return False
        return super().lookup_allowed(lookup, value, request)


class ProductAdminForm(forms.ModelForm):
    """The plausible range and the rounding step are stored in Rials and typed in Toman."""

    plausible_min_per_kg_rial = TomanField(
        label=_("lowest plausible price per kg (Toman)"),
        required=False,
        help_text=_('A price per kg below it asks the member "Toman or Rial?". Empty: no lower bound.'),
    )
    plausible_max_per_kg_rial = TomanField(
        label=_("highest plausible price per kg (Toman)"),
        required=False,
        help_text=_('A price per kg above it asks the member "Toman or Rial?". Empty: no upper bound.'),
    )
    publish_step_rial = TomanField(
        label=_("rounding step of published prices (Toman)"),
        help_text=_("Every published or shared figure of this product is rounded to it (1,000 Toman by default)."),
    )

    class Meta:
        model = Product
        fields = [
            "name_fa",
            "name_en",
            "slug",
            "default_unit",
            "default_net_grams",
            "is_active",
            "sort_order",
            "plausible_min_per_kg_rial",
            "plausible_max_per_kg_rial",
            "publish_step_rial",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("plausible_min_per_kg_rial", "plausible_max_per_kg_rial", "publish_step_rial"):
            value = self.initial.get(name)
            if value is not None:
                self.initial[name] = int(rial_to_toman(value))

    def clean(self):
        data = super().clean()
        low, high = data.get("plausible_min_per_kg_rial"), data.get("plausible_max_per_kg_rial")
        if low and high and low > high:
            self.add_error("plausible_max_per_kg_rial", _("The highest plausible price is below the lowest."))
        return data


@admin.register(Product)
class ProductAdmin(EstatesStaffAdmin):
    form = ProductAdminForm
    list_display = ["name_fa", "name_en", "default_unit", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]
    search_fields = ["name_fa", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    fieldsets = [
        (
            None,
            {"fields": ["name_fa", "name_en", "slug", "default_unit", "default_net_grams", "is_active", "sort_order"]},
        ),
        (
            _("Prices"),
            {"fields": ["plausible_min_per_kg_rial", "plausible_max_per_kg_rial", "publish_step_rial"]},
        ),
    ]


def _run(modeladmin, request, queryset, service, done):
    for price_round in queryset:
        try:
            if service is services.price_round_open:
                service(year=price_round.year, month=price_round.month, actor=request.user)
            else:
                service(price_round=price_round, actor=request.user)
        except ValidationError as error:
            modeladmin.message_user(request, f"{price_round}: {' '.join(error.messages)}", messages.ERROR)
        else:
            modeladmin.message_user(request, f"{price_round}: {done}", messages.SUCCESS)


@admin.register(PriceRound)
class PriceRoundAdmin(EstatesStaffAdmin):
    list_display = ["__str__", "status", "closes_on", "opened_at", "closed_at", "published_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "opened_at", "closed_at", "published_at", "close_reminder_sent_at"]
    fields = ["year", "month", "closes_on", *readonly_fields]
    actions = ["open_rounds", "close_rounds", "publish_rounds"]

    @admin.action(description=_("Open the selected round (members are told)"))
    def open_rounds(self, request, queryset):
        _run(self, request, queryset, services.price_round_open, _("opened"))

    @admin.action(description=_("Close the selected rounds"))
    def close_rounds(self, request, queryset):
        _run(self, request, queryset, services.price_round_close, _("closed"))

    @admin.action(description=_("Publish the bands of the selected rounds"))
    def publish_rounds(self, request, queryset):
        _run(self, request, queryset, services.price_round_publish, _("published"))


class PriceReviewInline(admin.TabularInline):
    model = PriceReview
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def get_fields(self, request, obj=None):
        if sees_individual_prices(request):
            return ["decision", "message", "reviewer", "created_at"]
        return ["decision", "reviewer", "created_at"]  # a message may quote the price

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PriceSubmission)
class PriceSubmissionAdmin(HidesPricesAdmin, LargeTableAdminMixin, EstatesStaffAdmin):
    """Read-only: prices are changed by members and reviewed by the union head in the portal.
    Without pricing.view_individual_prices no price figure, cost line, note or review message
    appears in the list, the form, the search or the history."""

    list_filter = ["status", "channel", "is_current", "price_round"]
    list_select_related = ["member", "product", "price_round"]
    search_fields = ["member__business_name"]
    # A million rows: the first page is read from the price_sub_newest index (Meta.ordering);
    # the unfiltered total comes from the table statistics, no filter counts its choices, and
    # 50 rows a page (LargeTableAdminMixin).
    inlines = [PriceReviewInline]
    BASE_FIELDS = [
        "price_round",
        "member",
        "product",
        "channel",
        "unit",
        "net_grams",
        "status",
        "version",
        "is_current",
        "submitted_by",
        "created_at",
        "superseded_at",
    ]
    PRICE_FIELDS = ["price_rial", "price_per_kg_rial", *COST_FIELDS, "note", "reviewer_message"]

    def get_list_display(self, request):
        columns = ["member", "product", "channel", "price_round"]
        if sees_individual_prices(request):
            columns.append("price_rial")
        return [*columns, "status", "version", "is_current"]

    def get_fields(self, request, obj=None):
        return self.BASE_FIELDS + (self.PRICE_FIELDS if sees_individual_prices(request) else [])

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PriceCellStat)
class PriceCellStatAdmin(HidesPricesAdmin, EstatesStaffAdmin):
    """The stored aggregates of every cell, also those of fewer than 5 members and of rounds
    not published: figures only with pricing.view_individual_prices, counts for the rest."""

    list_filter = ["price_round", "channel"]
    list_select_related = ["price_round", "product"]
    FIGURES = ["median", "q1", "q3", "trimmed_mean", "minimum", "maximum", "outliers", "costs"]
    PRICE_FIELDS = FIGURES

    def get_list_display(self, request):
        columns = ["price_round", "product", "channel", "members", "cost_reporters"]
        if sees_individual_prices(request):
            columns += ["median", "q1", "q3", "outliers"]
        return columns

    def get_fields(self, request, obj=None):
        base = ["price_round", "product", "channel", "members", "cost_reporters", "computed_at"]
        return base + (self.FIGURES if sees_individual_prices(request) else [])

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
