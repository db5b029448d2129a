import json

from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue.models import Product
from core.forms import JalaliDateField, LtrInput, PortalForm
from core.uploads import clean_document
from core.validators import validate_national_id

from .models import CaseStepKind, ChecklistItem, Permit, PermitType, Worker
from .services import allowed_back_steps, allowed_next_steps


class WorkerForm(PortalForm):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    national_id = forms.CharField(label=_("National ID"), max_length=20, widget=LtrInput({"inputmode": "numeric"}))
    role = forms.ChoiceField(label=_("Role"), choices=Worker.Role.choices, initial=Worker.Role.PRODUCTION)

    def clean_national_id(self):
        value = "".join(ch for ch in self.cleaned_data["national_id"] if ch not in " -")
        validate_national_id(value)
        return value


class CaseOpenForm(PortalForm):
    permit_type = forms.ModelChoiceField(
        label=_("Permit"), queryset=PermitType.objects.none(), empty_label=_("— choose a permit —")
    )
    worker = forms.ModelChoiceField(
        label=_("Worker"),
        queryset=Worker.objects.none(),
        required=False,
        empty_label=_("— not for a worker —"),
        help_text=_("For health cards, hygiene certificates and the technical officer."),
    )
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.none(),
        required=False,
        empty_label=_("— not for one product —"),
        help_text=_("For the manufacturing health licence (one per product)."),
    )
    renewal_of = forms.ModelChoiceField(
        label=_("Renewal of"), queryset=Permit.objects.none(), required=False, empty_label=_("— a new permit —")
    )

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        types = list(PermitType.objects.filter(is_active=True))
        self.fields["permit_type"].queryset = PermitType.objects.filter(is_active=True)
        self.fields["permit_type"].widget.attrs["data-holder-kinds"] = json.dumps(
            {str(t.pk): t.holder_kind for t in types}
        )
        self.fields["worker"].queryset = Worker.objects.filter(member=member, is_active=True)
        self.fields["product"].queryset = Product.objects.filter(is_active=True)
        self.fields["renewal_of"].queryset = Permit.objects.filter(
            member=member, replaced_by__isnull=True
        ).select_related("permit_type", "worker")
        self.fields["renewal_of"].label_from_instance = lambda p: f"{p.permit_type} · {p.number} · {p.holder}"


class CaseAdvanceForm(PortalForm):
    step = forms.ChoiceField(label=_("Move to step"), choices=())
    tracking_code = forms.CharField(
        label=_("Authority's tracking code"),
        max_length=60,
        required=False,
        widget=LtrInput(),
        help_text=_("Needed from “submitted” on."),
    )
    note = forms.CharField(
        label=_("Note or reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("Required when the case is rejected."),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        steps = allowed_next_steps(case)
        self.fields["step"].choices = [(s, CaseStepKind(s).label) for s in steps]
        self.fields["step"].initial = steps[0] if steps else None  # forward by default
        self.fields["tracking_code"].initial = case.tracking_code


class CaseBackForm(PortalForm):
    """Moving a case back: its own form, always with the reason."""

    prefix = "back"
    step = forms.ChoiceField(label=_("Back to step"), choices=())
    reason = forms.CharField(
        label=_("Why does the case move back?"),
        max_length=2000,
        widget=forms.Textarea({"rows": 2}),
        error_messages={"required": _("Say why the case moves back a step.")},
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        steps = allowed_back_steps(case)
        # the nearest earlier step first
        self.fields["step"].choices = [(s, CaseStepKind(s).label) for s in reversed(steps)]


class PermitIssueForm(PortalForm):
    number = forms.CharField(label=_("Permit number"), max_length=60, widget=LtrInput())
    issuer = forms.CharField(label=_("Issuing office"), max_length=150)
    issue_date = JalaliDateField(label=_("Issue date"))
    expiry_date = JalaliDateField(label=_("Expiry date"), required=False)
    confirm_long_validity = forms.BooleanField(
        label=_("I checked: the validity really is longer than usual"), required=False
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].initial = case.permit_type.get_issuer_display()
        if case.permit_type.expires:
            self.fields["expiry_date"].required = True


class DocumentForm(PortalForm):
    title = forms.CharField(label=_("Title"), max_length=150)
    checklist_item = forms.ModelChoiceField(
        label=_("For checklist item"),
        queryset=ChecklistItem.objects.none(),
        required=False,
        empty_label=_("— other document —"),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPEG or PNG, at most 5 MB."),
        widget=forms.ClearableFileInput({"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checklist_item"].queryset = ChecklistItem.objects.filter(permit_type_id=case.permit_type_id)

    def clean_file(self):
        return clean_document(self.cleaned_data["file"])
