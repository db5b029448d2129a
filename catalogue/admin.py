from django.contrib import admin

from core.admin_access import EstatesStaffAdmin

from .models import Product


@admin.register(Product)
class ProductAdmin(EstatesStaffAdmin):
    list_display = ["name_fa", "name_en", "default_unit", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]
    search_fields = ["name_fa", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
