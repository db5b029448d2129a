from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_access import EstatesStaffAdmin

from . import services
from .forms import ContactDetailsForm, NewsItemForm
from .models import ContactDetails, NewsItem


@admin.register(NewsItem)
class NewsItemAdmin(EstatesStaffAdmin):
    form = NewsItemForm
    list_display = ["title", "published_on", "is_published", "pinned", "has_image"]
    list_filter = ["is_published", "pinned"]
    search_fields = ["title", "body"]
    date_hierarchy = "published_on"
    fields = ["title", "body", "published_on", "is_published", "pinned", "image", "remove_image", "preview"]
    readonly_fields = ["preview"]
    actions = ["delete_items"]

    @admin.display(description=_("image"), boolean=True)
    def has_image(self, obj):
        return bool(obj.image)

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if not obj.image_thumbnail:
            return "—"
        return format_html('<img src="{}" alt="" class="admin-preview">', obj.image_thumbnail.url)

    def save_model(self, request, obj, form, change):
        services.news_item_save(
            item=obj,
            actor=request.user,
            image=getattr(form, "clean_image_file", None),
            remove_image=form.cleaned_data.get("remove_image", False),
        )

    def has_delete_permission(self, request, obj=None):
        # Deleting goes through the action (audited, files removed after the commit).
        return False

    @admin.action(description=_("Delete selected news items"))
    def delete_items(self, request, queryset):
        count = 0
        for item in queryset:
            services.news_item_delete(item=item, actor=request.user)
            count += 1
        self.message_user(request, _("%(count)s news items deleted.") % {"count": count})


@admin.register(ContactDetails)
class ContactDetailsAdmin(EstatesStaffAdmin):
    form = ContactDetailsForm
    list_display = ["organisation", "phone", "email"]

    def has_add_permission(self, request):
        # One record: the staff change it, they don't add a second.
        return super().has_add_permission(request) and not ContactDetails.objects.exists()

    def save_model(self, request, obj, form, change):
        services.contact_details_save(details=obj, actor=request.user)
