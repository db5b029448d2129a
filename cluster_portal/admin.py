from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .admin_display import display_text
from .models import AuditEntry, Notification


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


class CodeValuesFilter(admin.AllValuesFieldListFilter):
    """A filter whose choices are codes (member.status.active): shown in a left-to-right island."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            yield {**choice, "display": display_text(choice["display"])}


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail: visible to staff, editable by no one."""

    list_display = ["created_at", "actor", "action", "content_type", "object_repr"]
    list_filter = [("action", CodeValuesFilter), "content_type"]
    list_select_related = ["actor", "content_type"]
    search_fields = ["object_repr", "action", "actor__mobile", "actor__full_name"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
