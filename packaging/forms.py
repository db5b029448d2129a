from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import NumericInput, PortalForm
from core.jalali import format_date
from core.uploads import clean_document

from .models import MAX_QUANTITY

PROOF_HELP = _("The label's artwork as a PDF, JPEG or PNG, at most 5 MB.")
PROOF_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def licence_label(permit) -> str:
    if permit.expiry_date:
        return _("%(number)s (valid until %(date)s)") % {
            "number": permit.number,
            "date": format_date(permit.expiry_date),
        }
    return str(permit.number)


class LineForm(PortalForm):
    """The member's boxes: how many, and which of its licences is printed on them."""

    quantity = forms.IntegerField(
        label=_("Number of boxes"),
        min_value=1,
        max_value=MAX_QUANTITY,
        widget=NumericInput({"placeholder": "۵۰۰"}),
        error_messages={"invalid": _("Enter a whole number of boxes.")},
    )
    licence = forms.TypedChoiceField(
        label=_("Health licence number printed on the box"),
        coerce=int,
        help_text=_("Your business's manufacturing health licences in force today."),
    )

    def __init__(self, *args, licences, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["licence"].choices = [(p.pk, licence_label(p)) for p in licences]
        if len(licences) == 1 and not self.is_bound and not self.initial.get("licence"):
            self.initial["licence"] = licences[0].pk


class ProofForm(PortalForm):
    artwork = forms.FileField(
        label=_("Label artwork"),
        help_text=PROOF_HELP,
        widget=forms.ClearableFileInput({"accept": PROOF_ACCEPT}),
    )

    def clean_artwork(self):
        return clean_document(self.cleaned_data["artwork"])
