from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .admin_display import display_text
from .groups import is_estates_staff
from .models import AuditEntry, Delivery, Notification


class DeliveryInline(admin.TabularInline):
    """A notification's e-mail and SMS, each with its state."""

    model = Delivery
    fields = ["channel", "shown_address", "status", "tries", "last_try_at", "sent_at", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    @admin.display(description=_("address"))
    def shown_address(self, obj):
        return obj.masked_address

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "user", "created_at", "read_at"]
    list_select_related = ["user"]
    search_fields = ["subject", "user__mobile", "user__full_name"]
    list_filter = [("read_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["user", "subject", "body", "url", "created_at", "read_at"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [DeliveryInline]

    @admin.display(description=_("read"))
    def is_read(self, obj):
        return obj.read_at is not None

    def has_add_permission(self, request):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Every e-mail and SMS and where it stands (queued, sending, sent, failed with the reason,
    interrupted): read-only; workers write it. Private messages (password-reset and invitation
    links) never show their text."""

    def has_module_permission(self, request):
        return is_estates_staff(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_estates_staff(request.user) or super().has_view_permission(request, obj)

    list_display = ["created_at", "channel", "status", "shown_address", "user", "tries", "last_try_at", "short_error"]
    list_filter = ["status", "channel", "created_at"]
    list_select_related = ["user"]
    search_fields = ["user__mobile", "user__full_name", "key"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = [
        "key",
        "notification",
        "user",
        "channel",
        "shown_address",
        "status",
        "tries",
        "next_try_at",
        "last_try_at",
        "sent_at",
        "error",
        "subject",
        "shown_text",
        "created_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("address"))
    def shown_address(self, obj):
        return obj.masked_address

    @admin.display(description=_("message"))
    def shown_text(self, obj):
        return _("(private: not shown)") if obj.private else obj.text

    @admin.display(description=_("reason of the last failure"))
    def short_error(self, obj):
        return obj.error[:80]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
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
