"""One way to let the estates staff into the admin: `EstatesStaffAccess` grants them (and
superusers) what `staff_may` lists on a ModelAdmin or inline without per-model permissions;
anything else falls back to Django's permissions. `EstatesStaffAdmin` is the usual base for a
model staff run in full but never delete."""

from django.contrib import admin

from .admin_jalali import JalaliAdminMixin
from .audit import staff_edit_delete, staff_edit_save
from .groups import is_estates_staff

VIEW_CHANGE = frozenset({"view", "change"})
VIEW_ADD_CHANGE = frozenset({"view", "add", "change"})
EVERYTHING = frozenset({"view", "add", "change", "delete"})


class EstatesStaffAccess:
    staff_may = VIEW_ADD_CHANGE

    def _staff_may(self, request, what) -> bool:
        return what in self.staff_may and is_estates_staff(request.user)

    def has_module_permission(self, request):
        return is_estates_staff(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._staff_may(request, "view") or super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self._staff_may(request, "add") or super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._staff_may(request, "change") or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._staff_may(request, "delete") or super().has_delete_permission(request, obj)


class EstatesStaffAdmin(EstatesStaffAccess, JalaliAdminMixin, admin.ModelAdmin):
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


class AuditedAdminMixin:
    """Plain admin edits through the platform's write service: the row, an audit entry naming
    the changed fields (`<app>.admin_<add|change|delete>_<model>`) and `after_edit(obj)`'s
    callables (version bumps) after the write, in one transaction."""

    def after_edit(self, obj):
        return ()

    def _admin_action(self, obj, verb: str) -> str:
        return f"{obj._meta.app_label}.admin_{verb}_{obj._meta.model_name}"

    def save_model(self, request, obj, form, change):
        staff_edit_save(
            instance=obj,
            actor=request.user,
            action=self._admin_action(obj, "change" if change else "add"),
            changes={field: str(form.cleaned_data.get(field)) for field in form.changed_data},
            after=self.after_edit(obj),
        )

    def delete_model(self, request, obj):
        callbacks = self.after_edit(obj)
        staff_edit_delete(instance=obj, actor=request.user, action=self._admin_action(obj, "delete"), after=callbacks)
