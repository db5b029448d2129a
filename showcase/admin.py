"""The estates staff's side of the showcase: they read listings and hide one (with a reason the
member is told, audited) or show it again, and withdraw box codes. Members own the content."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_access import EstatesStaffAdmin
from core.admin_perf import LargeTableAdminMixin
from core.persian import search_key
from members.forms import RejectForm

from . import services
from .models import BoxCode, LabelBatch, Listing, ListingPackage, ListingPhoto


class HiddenFilter(admin.SimpleListFilter):
    title = _("hidden by the staff")
    parameter_name = "hidden"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(hidden_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(hidden_at__isnull=True)
        return queryset


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True


class PhotoInline(ReadOnlyInline):
    model = ListingPhoto
    fields = ["preview", "sort_order", "created_at"]
    readonly_fields = fields

    @admin.display(description=_("photo"))
    def preview(self, obj):
        return format_html('<img src="{}" alt="" width="96">', obj.get_thumbnail_url())


class PackageInline(ReadOnlyInline):
    model = ListingPackage
    fields = ["label", "net_grams", "retail_price_rial"]
    readonly_fields = fields


@admin.register(Listing)
class ListingAdmin(LargeTableAdminMixin, EstatesStaffAdmin):
    list_display = ["name", "member", "product", "is_published", "hidden_at", "updated_at"]
    list_filter = [HiddenFilter, "is_published", "product", "member__county", "member__kind"]
    list_select_related = ["member", "product"]
    search_fields = ["search_key"]
    search_help_text = _("Product or business name.")
    inlines = [PackageInline, PhotoInline]
    actions = ["hide", "unhide"]
    readonly_fields = [
        "member",
        "product",
        "name",
        "description",
        "shelf_life_days",
        "ingredients",
        "allergens",
        "capacity_kg_per_month",
        "is_published",
        "hidden_at",
        "hidden_reason",
        "hidden_by",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # members add their own products from /showcase/mine/

    def get_search_results(self, request, queryset, search_term):
        key = search_key(search_term)
        return (queryset.filter(search_key__contains=key), False) if key else (queryset, False)

    @admin.action(description=_("Hide from the showcase (with a reason)"))
    def hide(self, request, queryset):
        if "apply" in request.POST:
            form = RejectForm(request.POST)
            if form.is_valid():
                done = 0
                for listing in queryset:
                    try:
                        services.listing_hide(listing=listing, actor=request.user, reason=form.cleaned_data["reason"])
                        done += 1
                    except ValidationError as error:
                        messages.warning(request, f"{listing}: {' '.join(error.messages)}")
                messages.success(request, _("%(count)s listings hidden.") % {"count": done})
                return None
        else:
            form = RejectForm()
        return TemplateResponse(
            request,
            "admin/members/reason_form.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Hide from the showcase"),
                "form": form,
                "queryset": queryset,
                "action": "hide",
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    @admin.action(description=_("Show in the showcase again"))
    def unhide(self, request, queryset):
        for listing in queryset:
            services.listing_unhide(listing=listing, actor=request.user)
        messages.success(request, _("%(count)s listings shown again.") % {"count": queryset.count()})


@admin.register(LabelBatch)
class LabelBatchAdmin(LargeTableAdminMixin, EstatesStaffAdmin):
    list_display = ["id", "listing", "sheets", "created_by", "created_at"]
    list_select_related = ["listing", "created_by"]
    readonly_fields = ["listing", "sheets", "created_by", "created_at"]
    fields = readonly_fields
    actions = ["withdraw"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Withdraw every code of these sheets"))
    def withdraw(self, request, queryset):
        codes = BoxCode.objects.filter(batch__in=queryset).select_related("listing")
        count = services.box_codes_revoke(codes=codes, actor=request.user)
        messages.success(request, _("%(count)s codes were withdrawn.") % {"count": count})


@admin.register(BoxCode)
class BoxCodeAdmin(LargeTableAdminMixin, EstatesStaffAdmin):
    list_display = ["code", "listing", "batch", "revoked_at", "created_at"]
    list_select_related = ["listing"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["=code"]
    search_help_text = _("The whole code, as printed under the QR code.")
    readonly_fields = ["code", "listing", "batch", "revoked_at", "revoked_by", "created_at"]
    fields = readonly_fields
    actions = ["withdraw"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Withdraw these codes"))
    def withdraw(self, request, queryset):
        count = services.box_codes_revoke(codes=queryset.select_related("listing"), actor=request.user)
        messages.success(request, _("%(count)s codes were withdrawn.") % {"count": count})
