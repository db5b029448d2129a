"""Estates staff run joint orders in the administration: the order's terms with its price tiers
(typed in Toman), the members' lines (read only), the steps open → closed → ordered →
delivered (or cancelled) as actions through the services, the XLSX summary for the supplier,
and the label proofs, checked item by item."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_access import EstatesStaffAdmin
from core.forms import TomanField
from core.money import rial_to_toman
from core.templatetags.persian import num, toman
from members.roles import is_estates_staff

from . import selectors, services
from .exports import summary_response
from .models import LABEL_ITEMS, JointOrder, LabelProof, OrderLine, PriceTier

S = JointOrder.Status


class TierForm(forms.ModelForm):
    unit_price_rial = TomanField(label=_("unit price (Toman)"))

    class Meta:
        model = PriceTier
        fields = ["min_quantity", "unit_price_rial"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        value = self.initial.get("unit_price_rial")
        if value is not None:
            self.initial["unit_price_rial"] = int(rial_to_toman(value))


class TierFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors) or (self.instance.pk and self.instance.status != S.OPEN):
            return  # a closed order's tiers are shown read only: nothing to check
        tiers = [
            PriceTier(min_quantity=f.cleaned_data["min_quantity"], unit_price_rial=f.cleaned_data["unit_price_rial"])
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        quantities = [t.min_quantity for t in tiers]
        if len(set(quantities)) != len(quantities):
            raise ValidationError(_("Two tiers start at the same quantity."))
        problems = services.order_problems(self.instance, tiers)
        if problems:
            raise ValidationError(problems)


class TierInline(admin.TabularInline):
    model = PriceTier
    form = TierForm
    formset = TierFormSet
    extra = 3
    min_num = 1

    def _editable(self, request, obj):
        return is_estates_staff(request.user) and (obj is None or obj.status == S.OPEN)

    def has_view_permission(self, request, obj=None):
        return is_estates_staff(request.user)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj)


class LineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = ["member", "licence_number", "quantity", "updated_at"]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return is_estates_staff(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


TERMS = [
    "title",
    "supplier_name",
    "supplier_contact",
    "box_type",
    "box_size",
    "print_spec",
    "description",
    "minimum_total",
    "deadline",
]


@admin.register(JointOrder)
class JointOrderAdmin(EstatesStaffAdmin):
    list_display = ["title", "supplier_name", "deadline", "status", "running_total"]
    list_filter = ["status"]
    search_fields = ["title", "supplier_name"]
    inlines = [TierInline, LineInline]
    actions = ["close", "mark_ordered", "mark_delivered", "cancel", "download_summary"]
    show_full_result_count = False

    def get_queryset(self, request):
        from django.db.models import Sum

        return super().get_queryset(request).annotate(total=Sum("lines__quantity"))

    @admin.display(description=_("boxes so far"))
    def running_total(self, obj):
        return num(getattr(obj, "total", None) or 0)

    def get_fields(self, request, obj=None):
        if obj is None:
            return TERMS
        return [*TERMS, "status", "cancel_reason", "standing", "summary_link"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        frozen = ["status", "standing", "summary_link"]
        if obj.status != S.OPEN:
            frozen += TERMS
        if obj.status in (S.DELIVERED, S.CANCELLED):
            frozen.append("cancel_reason")
        return frozen

    @admin.display(description=_("standing"))
    def standing(self, obj):
        state = selectors.order_with_state(obj).state
        tier = (
            _("from %(n)s boxes, %(price)s a box")
            % {"n": num(state.current.min_quantity), "price": toman(state.unit_price_rial)}
            if state.current
            else _("no tier reached yet")
        )
        return _("%(total)s boxes in all; tier: %(tier)s") % {"total": num(state.total), "tier": tier}

    @admin.display(description=_("summary for the supplier"))
    def summary_link(self, obj):
        return format_html(
            '<a href="{}" data-testid="summary-xlsx">{}</a>',
            reverse("packaging:summary", args=[obj.pk]),
            _("Download the summary per member (XLSX)"),
        )

    def save_model(self, request, obj, form, change):
        changes = {name: str(form.cleaned_data.get(name)) for name in form.changed_data} if change else {}
        services.order_save(order=obj, actor=request.user, changes=changes)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        tiers_changed = any(fs.has_changed() for fs in formsets if fs.model is PriceTier)
        if not change or tiers_changed:
            services.order_tiers_record(order=form.instance, actor=request.user, announce=not change)

    def _step(self, request, queryset, service, done, **kwargs):
        for order in queryset:
            try:
                service(order=order, actor=request.user, **kwargs)
            except ValidationError as error:
                self.message_user(request, f"{order}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"{order}: {done}", messages.SUCCESS)

    @admin.action(description=_("Close (quantities become final; members are told)"))
    def close(self, request, queryset):
        self._step(request, queryset, services.order_close, _("closed"))

    @admin.action(description=_("Mark as ordered from the supplier"))
    def mark_ordered(self, request, queryset):
        self._step(request, queryset, services.order_mark_ordered, _("ordered"))

    @admin.action(description=_("Mark as delivered"))
    def mark_delivered(self, request, queryset):
        self._step(request, queryset, services.order_mark_delivered, _("delivered"))

    @admin.action(description=_("Cancel (with the reason written on the order)"))
    def cancel(self, request, queryset):
        for order in queryset:
            self._step(request, [order], services.order_cancel, _("cancelled"), reason=order.cancel_reason)

    @admin.action(description=_("Download the summary per member (XLSX)"))
    def download_summary(self, request, queryset):
        orders = list(queryset[:2])
        if len(orders) != 1:
            self.message_user(request, _("Choose exactly one order to download its summary."), messages.WARNING)
            return None
        return summary_response(orders[0])


class ProofReviewForm(forms.ModelForm):
    """The mandatory items the staff found on the label, and the decision (the service's rules,
    checked here too, so the form shows them beside the fields)."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("return", _("Return for changes"))],
        widget=forms.RadioSelect,
    )

    class Meta:
        model = LabelProof
        fields = [name for name, _label in LABEL_ITEMS] + ["reason"]

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == "accept":
            missing = [str(label) for name, label in LABEL_ITEMS if not cleaned.get(name)]
            if missing:
                self.add_error(
                    None,
                    _("A label is accepted only with every mandatory item. Missing: %(items)s.")
                    % {"items": "، ".join(missing)},
                )
        elif decision == "return" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Say what the member should change."))
        return cleaned


ITEM_FIELDS = [name for name, _label in LABEL_ITEMS]
PROOF_FACTS = ["member", "order", "file_link", "uploaded_at", "status"]


@admin.register(LabelProof)
class LabelProofAdmin(EstatesStaffAdmin):
    form = ProofReviewForm
    list_display = ["member", "order", "status", "uploaded_at", "reviewed_at"]
    list_filter = ["status"]
    list_select_related = ["line__member", "line__order"]
    search_fields = ["line__member__business_name", "line__order__title"]
    show_full_result_count = False

    @admin.display(description=_("member"))
    def member(self, obj):
        return obj.line.member

    @admin.display(description=_("joint order"))
    def order(self, obj):
        return obj.line.order

    @admin.display(description=_("file"))
    def file_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("Open the label artwork"))

    def _open(self, obj):
        return obj is not None and obj.status == LabelProof.Status.SUBMITTED

    def get_fields(self, request, obj=None):
        if self._open(obj):
            return [*PROOF_FACTS, *ITEM_FIELDS, "decision", "reason"]
        return [*PROOF_FACTS, *ITEM_FIELDS, "reason", "reviewed_by", "reviewed_at"]

    def get_readonly_fields(self, request, obj=None):
        if self._open(obj):
            return PROOF_FACTS
        return [*PROOF_FACTS, *ITEM_FIELDS, "reason", "reviewed_by", "reviewed_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        """Only a proof waiting for its check; a checked one is shown read only."""
        return is_estates_staff(request.user) and (obj is None or self._open(obj))

    def save_model(self, request, obj, form, change):
        try:
            services.proof_review(
                proof=obj,
                actor=request.user,
                items={name: form.cleaned_data.get(name) for name in ITEM_FIELDS},
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
