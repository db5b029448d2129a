from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_access import EstatesStaffAdmin
from core.admin_display import AdminDisplayMixin, Money
from core.forms import TomanField
from core.money import rial_to_toman

from .models import Product


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
class ProductAdmin(AdminDisplayMixin, EstatesStaffAdmin):
    form = ProductAdminForm
    money_fields = {
        "plausible_min_per_kg_rial": Money(_("lowest plausible price per kg"), per="kg"),
        "plausible_max_per_kg_rial": Money(_("highest plausible price per kg"), per="kg"),
    }
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
