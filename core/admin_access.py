from django.contrib import admin

from .admin_jalali import JalaliAdminMixin
from .groups import is_estates_staff


class EstatesStaffAdmin(JalaliAdminMixin, admin.ModelAdmin):
    """An admin the estates staff (and superusers) may use in full, without per-model
    permissions; nobody may delete through it."""

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
