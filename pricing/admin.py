from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin_access import EstatesStaffAdmin
from core.admin_display import AdminDisplayMixin, Money
from core.admin_perf import LargeTableAdminMixin

from . import services
from .models import COST_FIELDS, COST_LINES, PriceCellStat, PriceReview, PriceRound, PriceSubmission

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
class PriceSubmissionAdmin(AdminDisplayMixin, HidesPricesAdmin, LargeTableAdminMixin, EstatesStaffAdmin):
    """Read-only: prices are changed by members and reviewed by the union head in the portal.
    Without pricing.view_individual_prices no price figure, cost line, note or review message
    appears in the list, the form, the search or the history."""

    # Stored in Rials, shown in Toman with the unit, as on the portal's pages.
    money_fields = {
        "price_rial": Money(_("Price"), per="unit"),
        "price_per_kg_rial": Money(_("Price per kg"), per="kg"),
        **{name: Money(label, per="kg") for name, label in COST_LINES},
    }

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
class PriceCellStatAdmin(AdminDisplayMixin, HidesPricesAdmin, EstatesStaffAdmin):
    """The stored aggregates of every cell, also those of fewer than 5 members and of rounds
    not published: figures only with pricing.view_individual_prices, counts for the rest."""

    money_fields = {
        name: Money(label, per="kg")
        for name, label in (
            ("median", _("Median")),
            ("q1", _("Q1")),
            ("q3", _("Q3")),
            ("trimmed_mean", _("Trimmed mean")),
            ("minimum", _("Minimum")),
            ("maximum", _("Maximum")),
        )
    }
    column_labels = {
        "price_round": _("Round"),
        "product": _("Product"),
        "channel": _("Channel"),
        "members": _("Members"),
        "cost_reporters": _("Members who gave costs"),
        "outliers": _("Outliers"),
        "computed_at": _("Computed at"),
    }

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
