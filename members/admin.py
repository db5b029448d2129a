from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from cluster_portal.admin_jalali import JalaliAdminMixin

from .models import Member, MemberUser, User


class PortalUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class PortalUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("mobile", "full_name")


@admin.register(User)
class UserAdmin(JalaliAdminMixin, DjangoUserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    ordering = ["full_name", "mobile"]
    list_display = ["mobile", "full_name", "email", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["mobile", "full_name", "email"]
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("mobile", "password")}),
        (_("Personal info"), {"fields": ("full_name", "email")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("mobile", "full_name", "password1", "password2")}),)


class MemberUserInline(admin.TabularInline):
    model = MemberUser
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Member)
class MemberAdmin(JalaliAdminMixin, admin.ModelAdmin):
    list_display = ["business_name", "kind", "county", "status", "membership_number", "created_at"]
    list_filter = ["status", "kind", "county"]
    search_fields = ["search_key", "business_name", "owner_name", "mobile", "owner_national_id"]
    inlines = [MemberUserInline]
    show_full_result_count = False
