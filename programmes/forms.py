from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import NumericInput, PortalForm
from core.uploads import clean_document

from .models import Application

FILE_HELP = _("PDF, JPEG or PNG, at most 5 MB.")
FILE_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class ApplicationForm(PortalForm):
    """The motivation and one file for each document the call requires."""

    motivation = forms.CharField(
        label=_("What would your business do with it?"),
        required=False,
        max_length=3000,
        widget=forms.Textarea({"rows": 4}),
    )

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.required_documents = list(call.documents_required.all())
        for doc in self.required_documents:
            self.fields[f"doc_{doc.pk}"] = forms.FileField(
                label=doc.name,
                help_text=FILE_HELP,
                widget=forms.ClearableFileInput({"accept": FILE_ACCEPT, "class": "form-control"}),
            )

    def clean(self):
        cleaned = super().clean()
        for doc in self.required_documents:
            name = f"doc_{doc.pk}"
            upload = cleaned.get(name)
            if upload is None:
                continue
            try:
                cleaned[name] = clean_document(upload)
            except forms.ValidationError as error:
                self.add_error(name, error)
        return cleaned

    def documents(self) -> dict:
        return {doc: self.cleaned_data[f"doc_{doc.pk}"] for doc in self.required_documents}


class ScoreForm(PortalForm):
    """0–10 points for each criterion of the call's score sheet."""

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(application.call.criteria.all())
        points = getattr(application, "points", {})
        for criterion in self.criteria:
            self.fields[f"c_{criterion.pk}"] = forms.IntegerField(
                label=_("%(name)s (weight %(weight)s)") % {"name": criterion.name, "weight": criterion.weight},
                min_value=0,
                max_value=10,
                required=False,
                initial=points.get(criterion.pk),
                widget=NumericInput({"class": "form-control", "placeholder": "0–10"}),
            )

    def points(self) -> dict:
        return {c: self.cleaned_data.get(f"c_{c.pk}") for c in self.criteria}


class DecisionForm(PortalForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Application.Status.ACCEPTED, _("Accept")),
            (Application.Status.WAITLISTED, _("Put on the waiting list")),
            (Application.Status.REJECTED, _("Reject")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("The member reads it. Required for a rejection."),
    )
