from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core import fragment_cache
from core.admin_access import VIEW_CHANGE, EstatesStaffAccess
from core.admin_jalali import JalaliAdminMixin
from core.admin_perf import LargeTableAdminMixin
from core.audit import audit_entries_for
from core.jalali import format_date, format_datetime
from core.uploads import clean_image

from . import exports, roles, selectors, services
from .forms import RejectForm, RenewForm
from .models import (
    ChangeRequest,
    ContactMessage,
    Invitation,
    Member,
    MembershipReminder,
    MembershipYear,
    MemberStatusChange,
    MemberUser,
    User,
)


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

    # Cached pages and fragments that name people (the Q&A) are outdated when a name changes.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "full_name" in form.changed_data:
            fragment_cache.bump(fragment_cache.PEOPLE)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        fragment_cache.bump(fragment_cache.PEOPLE)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        fragment_cache.bump(fragment_cache.PEOPLE)


class EstatesStaffAccessMixin(EstatesStaffAccess):
    """Estates staff view and change the registry without per-model permissions (adding goes
    through the application, deleting never)."""

    staff_may = VIEW_CHANGE


class MemberUserInline(EstatesStaffAccessMixin, admin.TabularInline):
    model = MemberUser
    extra = 0
    autocomplete_fields = ["user"]

    def has_add_permission(self, request, obj=None):
        return roles.is_estates_staff(request.user) or super().has_add_permission(request, obj)


class StatusChangeInline(EstatesStaffAccessMixin, admin.TabularInline):
    model = MemberStatusChange
    extra = 0
    can_delete = False
    fields = ["created_at", "from_status", "to_status", "changed_by", "reason"]
    readonly_fields = fields
    verbose_name_plural = _("status history")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


class MemberAdminForm(forms.ModelForm):
    website = forms.URLField(label=_("website"), required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Member
        fields = [*services.APPLICATION_FIELDS, "products", "logo", "staff_notes"]

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        self.clean_logo_file = None
        if upload and hasattr(upload, "content_type"):
            self.clean_logo_file = clean_image(upload)
        return upload


def _reason_action(request, queryset, *, action, title, run):
    """An intermediate page asking for a reason, then `run(member, reason)` for each."""
    if "apply" in request.POST:
        form = RejectForm(request.POST)
        if form.is_valid():
            done, errors = 0, []
            for member in queryset:
                try:
                    run(member, form.cleaned_data["reason"])
                    done += 1
                except ValidationError as error:
                    errors.append(f"{member}: {' '.join(error.messages)}")
            if done:
                messages.success(request, _("%(count)s members updated.") % {"count": done})
            for error in errors:
                messages.warning(request, error)
            return None
    else:
        form = RejectForm()
    return TemplateResponse(
        request,
        "admin/members/reason_form.html",
        {
            **admin.site.each_context(request),
            "title": title,
            "form": form,
            "queryset": queryset,
            "action": action,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "opts": queryset.model._meta,
        },
    )


@admin.register(Member)
class MemberAdmin(JalaliAdminMixin, LargeTableAdminMixin, EstatesStaffAccessMixin, admin.ModelAdmin):
    form = MemberAdminForm
    list_display = [
        "business_name",
        "kind",
        "county",
        "status",
        "membership_number",
        "owner_name",
        "created_at",
    ]
    list_filter = ["status", "kind", "county", ("products", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["search_key"]
    search_help_text = _("Name, brand, owner, mobile, national ID, licence or membership number.")
    inlines = [MemberUserInline, StatusChangeInline]
    # Thousands of members: no full count, no counts per filter choice, 50 a page.
    filter_horizontal = ["products"]
    readonly_fields = [
        "status",
        "membership_number",
        "membership_years",
        "logo_preview",
        "created_at",
        "updated_at",
        "audit_trail",
    ]
    actions = [
        "approve",
        "reject",
        "renew",
        "suspend",
        "reinstate",
        "mark_lapsed",
        "mark_resigned",
        "export_csv",
        "export_xlsx",
    ]
    fieldsets = (
        (None, {"fields": ("status", "membership_number", "kind", "business_name", "brand")}),
        (_("Membership years"), {"fields": ("membership_years",)}),
        (
            _("Identity"),
            {"fields": ("owner_name", "owner_national_id", "legal_entity_id", "guild_licence_number")},
        ),
        (_("Contact"), {"fields": ("mobile", "landline", "county", "address", "postal_code")}),
        (_("Production"), {"fields": ("products", "monthly_capacity_kg", "workers_count")}),
        (
            _("Directory"),
            {
                "fields": (
                    "logo",
                    "logo_preview",
                    "website",
                    "instagram",
                    "telegram",
                    "directory_opt_in",
                    "contact_public",
                )
            },
        ),
        (_("Staff"), {"fields": ("staff_notes", "created_at", "updated_at", "audit_trail")}),
    )

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return selectors.staff_member_search(queryset, search_term), True

    def has_add_permission(self, request):
        return False  # members apply through /members/join/ (history and the owner's account)

    @admin.display(description=_("logo or photo"))
    def logo_preview(self, obj):
        if not obj.logo_thumbnail:
            return "—"
        from django.urls import reverse

        return format_html(
            '<img src="{}" alt="" width="96">', reverse("members:logo", kwargs={"pk": obj.pk, "variant": "thumb"})
        )

    @admin.display(description=_("membership years"))
    def membership_years(self, obj):
        """Every year, newest first: period, kind, when and by whom, fee reference, lapse
        (renewals are recorded with the "Renew" action of the list)."""
        if not obj.pk:
            return "—"

        years = MembershipYear.objects.filter(member=obj).select_related("renewed_by").order_by("-ends_on", "-id")
        rows = [
            (
                f"{format_date(year.starts_on)} – {format_date(year.ends_on)}",
                year.get_kind_display(),
                format_datetime(year.renewed_at),
                year.renewed_by or "—",
                year.fee_reference or "—",
                _("lapsed on %(date)s") % {"date": format_date(year.lapsed_at)} if year.lapsed_at else "",
            )
            for year in years
        ]
        if not rows:
            return _("No membership year recorded.")
        return format_html(
            '<table class="membership-years"><tbody>{}</tbody></table>',
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

    @admin.display(description=_("audit trail"))
    def audit_trail(self, obj):
        if not obj.pk:
            return "—"

        rows = [
            (format_datetime(entry.created_at), entry.actor or "—", entry.action, entry.changes or "", entry.note)
            for entry in audit_entries_for(obj)[:50]
        ]
        if not rows:
            return "—"
        return format_html(
            '<table class="audit-trail"><tbody>{}</tbody></table>',
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

    def save_model(self, request, obj, form, change):
        """Through the service (audited, search key, logo, products in one transaction)."""
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in services.STAFF_EDIT_FIELDS}
        products = form.cleaned_data.get("products") if "products" in form.changed_data else None
        services.member_staff_edit(
            member=obj,
            actor=request.user,
            data=data,
            products=products,
            logo=getattr(form, "clean_logo_file", None),
            remove_logo="logo" in form.changed_data and form.cleaned_data.get("logo") is False,
        )
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # The products were saved by the service (form.save_m2m() would write them again).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description=_("Approve selected applications"))
    def approve(self, request, queryset):
        done, errors = 0, []
        for member in queryset.order_by("created_at", "id"):
            try:
                services.member_approve(member=member, actor=request.user)
                done += 1
            except ValidationError as error:
                errors.append(f"{member}: {' '.join(error.messages)}")
        if done:
            self.message_user(request, _("%(count)s members approved.") % {"count": done}, messages.SUCCESS)
        for error in errors:
            self.message_user(request, error, messages.WARNING)

    @admin.action(description=_("Reject selected applications (with a reason)"))
    def reject(self, request, queryset):
        return _reason_action(
            request,
            queryset,
            action="reject",
            title=_("Reject applications"),
            run=lambda member, reason: services.member_reject(member=member, actor=request.user, reason=reason),
        )

    @admin.action(description=_("Renew the membership of selected members (next year)"))
    def renew(self, request, queryset):
        """An intermediate page asks for the fee's payment reference and a note, then records
        the next year of each (services.membership_renew: audited, the member told; a lapsed
        member is active again)."""
        if "apply" in request.POST:
            form = RenewForm(request.POST)
            if form.is_valid():
                done, errors = 0, []
                for member in queryset.order_by("business_name", "id"):
                    try:
                        services.membership_renew(
                            member=member,
                            actor=request.user,
                            fee_reference=form.cleaned_data["fee_reference"],
                            note=form.cleaned_data["note"],
                        )
                        done += 1
                    except ValidationError as error:
                        errors.append(f"{member}: {' '.join(error.messages)}")
                if done:
                    self.message_user(request, _("%(count)s memberships renewed.") % {"count": done}, messages.SUCCESS)
                for error in errors:
                    self.message_user(request, error, messages.WARNING)
                return None
        else:
            form = RenewForm()
        return TemplateResponse(
            request,
            "admin/members/reason_form.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Renew memberships"),
                "form": form,
                "queryset": queryset,
                "action": "renew",
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    @admin.action(description=_("Suspend selected members (with a reason)"))
    def suspend(self, request, queryset):
        return _reason_action(
            request,
            queryset,
            action="suspend",
            title=_("Suspend members"),
            run=lambda member, reason: services.member_suspend(member=member, actor=request.user, reason=reason),
        )

    def _status_action(self, request, queryset, *, action, title, to_status):
        return _reason_action(
            request,
            queryset,
            action=action,
            title=title,
            run=lambda member, reason: services.member_change_status(
                member=member, actor=request.user, to_status=to_status, reason=reason
            ),
        )

    @admin.action(description=_("Reinstate selected members (active again)"))
    def reinstate(self, request, queryset):
        return self._status_action(
            request, queryset, action="reinstate", title=_("Reinstate members"), to_status=Member.Status.ACTIVE
        )

    @admin.action(description=_("Mark selected memberships as lapsed"))
    def mark_lapsed(self, request, queryset):
        return self._status_action(
            request,
            queryset,
            action="mark_lapsed",
            title=_("Mark memberships as lapsed"),
            to_status=Member.Status.LAPSED,
        )

    @admin.action(description=_("Mark selected members as resigned"))
    def mark_resigned(self, request, queryset):
        return self._status_action(
            request,
            queryset,
            action="mark_resigned",
            title=_("Mark members as resigned"),
            to_status=Member.Status.RESIGNED,
        )

    @admin.action(description=_("Export selected members as CSV"))
    def export_csv(self, request, queryset):
        return exports.export_csv(queryset, full_ids=request.user.is_superuser)

    @admin.action(description=_("Export selected members as Excel (XLSX)"))
    def export_xlsx(self, request, queryset):
        return exports.export_xlsx(queryset, full_ids=request.user.is_superuser)


@admin.register(ChangeRequest)
class ChangeRequestAdmin(JalaliAdminMixin, EstatesStaffAccessMixin, admin.ModelAdmin):
    list_display = ["member", "field", "old_value", "new_value", "status", "created_at", "decided_by"]
    list_filter = ["status", "field"]
    list_select_related = ["member", "decided_by"]
    search_fields = ["member__search_key", "new_value"]
    readonly_fields = [
        "member",
        "requested_by",
        "field",
        "old_value",
        "new_value",
        "reason",
        "status",
        "decided_by",
        "decided_at",
        "decision_note",
        "created_at",
    ]
    actions = ["approve_requests", "reject_requests"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Approve selected change requests"))
    def approve_requests(self, request, queryset):
        for change_request in queryset:
            try:
                services.change_request_decide(change_request=change_request, actor=request.user, approve=True)
                self.message_user(request, _("Approved: %(request)s") % {"request": change_request})
            except ValidationError as error:
                self.message_user(request, f"{change_request}: {' '.join(error.messages)}", messages.WARNING)

    @admin.action(description=_("Reject selected change requests (with a reason)"))
    def reject_requests(self, request, queryset):
        return _reason_action(
            request,
            queryset,
            action="reject_requests",
            title=_("Reject change requests"),
            run=lambda change_request, reason: services.change_request_decide(
                change_request=change_request, actor=request.user, approve=False, note=reason
            ),
        )


class MembershipYearEndsFilter(admin.SimpleListFilter):
    title = _("end of the year")
    parameter_name = "ends"

    def lookups(self, request, model_admin):
        return [
            ("30", _("Ends within 30 days")),
            ("grace", _("Ended, in the grace period")),
            ("past", _("Ended, grace period over")),
        ]

    def queryset(self, request, queryset):
        import datetime

        from django.utils import timezone

        today = timezone.localdate()
        grace_end = today - datetime.timedelta(days=services.grace_days())
        if self.value() == "30":
            return queryset.filter(ends_on__gte=today, ends_on__lte=today + datetime.timedelta(days=30))
        if self.value() == "grace":
            return queryset.filter(ends_on__lt=today, ends_on__gte=grace_end)
        if self.value() == "past":
            return queryset.filter(ends_on__lt=grace_end)
        return queryset


class ReadOnlyStaffAdmin(JalaliAdminMixin, EstatesStaffAccessMixin, admin.ModelAdmin):
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ContactMessage)
class ContactMessageAdmin(ReadOnlyStaffAdmin):
    list_display = ["member", "sender_name", "created_at", "replied_at"]
    list_select_related = ["member"]
    search_fields = ["member__search_key", "sender_name"]
    readonly_fields = [
        "member",
        "sender_user",
        "sender_name",
        "sender_mobile",
        "body",
        "reply",
        "replied_by",
        "replied_at",
    ]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyStaffAdmin):
    list_display = ["member", "full_name", "mobile", "created_at", "accepted_at", "cancelled_at"]
    list_select_related = ["member"]
    search_fields = ["member__search_key", "mobile", "full_name"]
    exclude = ["token"]


@admin.register(MembershipYear)
class MembershipYearAdmin(ReadOnlyStaffAdmin):
    """Every year of every member (renewals are recorded from the members' list: "Renew")."""

    list_display = ["member", "starts_on", "ends_on", "kind", "renewed_by", "fee_reference", "lapsed_at"]
    list_filter = [MembershipYearEndsFilter, "kind"]
    list_select_related = ["member", "renewed_by"]
    search_fields = ["member__search_key", "fee_reference"]
    date_hierarchy = None
    readonly_fields = [
        "member",
        "starts_on",
        "ends_on",
        "kind",
        "renewed_at",
        "renewed_by",
        "fee_reference",
        "note",
        "lapsed_at",
    ]


@admin.register(MembershipReminder)
class MembershipReminderAdmin(ReadOnlyStaffAdmin):
    list_display = ["year", "days_before", "sent_at", "recipients"]
    list_select_related = ["year__member"]
    readonly_fields = ["year", "days_before", "sent_at", "recipients"]


from . import anonymise  # noqa: E402, F401  (adds the "Anonymise" action to MemberAdmin)
