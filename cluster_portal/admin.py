from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "user", "created_at", "read_at"]
    list_select_related = ["user"]
    search_fields = ["subject", "user__mobile", "user__full_name"]
    list_filter = [("read_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["user", "subject", "body", "url", "created_at", "read_at"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(description=_("read"))
    def is_read(self, obj):
        return obj.read_at is not None

    def has_add_permission(self, request):
        return False
