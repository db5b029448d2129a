import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import JalaliDateField, JalaliDateInput, PortalForm, PortalModelForm
from core.persian import digits_to_ascii
from members import roles

from .models import QUESTION_MAX_LENGTH, Commitment, Organisation, Panelist, Question


class JalaliDateTimeWidget(forms.MultiWidget):
    """A Jalali date box (with the picker in fa) and a 24-hour time box."""

    template_name = "events/widgets/datetime.html"

    def __init__(self, attrs=None):
        widgets = [
            JalaliDateInput(),
            forms.TextInput(
                {"dir": "ltr", "inputmode": "numeric", "placeholder": "14:30", "class": "form-control", "size": 6}
            ),
        ]
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if value:
            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return [value.date(), value.strftime("%H:%M")]
        return [None, None]


class TimeTextField(forms.TimeField):
    def to_python(self, value):
        if isinstance(value, str):
            value = digits_to_ascii(value).strip().replace("٫", ":").replace(".", ":")
        return super().to_python(value)


class JalaliDateTimeField(forms.MultiValueField):
    """Date (Jalali or Gregorian, any digits) + time (HH:MM) → an aware datetime in Tehran time."""

    widget = JalaliDateTimeWidget

    def __init__(self, **kwargs):
        kwargs.pop("max_length", None)
        fields = (JalaliDateField(), TimeTextField(input_formats=["%H:%M", "%H:%M:%S"]))
        super().__init__(fields=fields, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        if not data_list or data_list[0] in (None, ""):
            return None
        day, time = data_list[0], data_list[1] if len(data_list) > 1 else None
        if time in (None, ""):
            raise ValidationError(_("Enter the time, like 14:30."), code="time")
        return timezone.make_aware(datetime.datetime.combine(day, time))


class QuestionForm(PortalModelForm):
    class Meta:
        model = Question
        fields = ["text", "topic", "addressed_panelist", "addressed_organisation", "anonymous"]
        widgets = {"text": forms.Textarea({"rows": 3, "maxlength": QUESTION_MAX_LENGTH})}
        labels = {"text": _("Your question"), "addressed_panelist": _("Addressed to")}

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["addressed_panelist"].queryset = Panelist.objects.filter(panel__event=event).order_by(
            "panel_id", "order", "id"
        )
        self.fields["addressed_panelist"].label_from_instance = lambda p: (
            f"{p.name} ({p.title})" if p.title else p.name
        )
        self.fields["addressed_panelist"].empty_label = _("Any panelist")
        self.fields["addressed_organisation"].label = _("Or an organisation")
        self.fields["addressed_organisation"].choices = [("", _("Any organisation")), *Organisation.choices]
        self.fields["text"].max_length = QUESTION_MAX_LENGTH
        self.fields["text"].help_text = _("At most %(n)s characters.") % {"n": QUESTION_MAX_LENGTH}

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if len(text) < 5:
            raise ValidationError(_("Write a little more: at least 5 characters."), code="short")
        return text


class RejectForm(PortalForm):
    reason = forms.CharField(label=_("Reason the asker will see"), max_length=300)


class AnswerForm(PortalForm):
    """The answer's text and, as an id, the panelist it is recorded for (checked against the
    user's moderation scope by events.access.answerer_for_user_or_404)."""

    text = forms.CharField(label=_("Answer"), max_length=3000, widget=forms.Textarea({"rows": 3}))
    panelist = forms.IntegerField(label=_("Answered by"), required=False, min_value=1)


def official_accounts():
    """Who may own a commitment or be routed a question: active estates staff and panelists
    (by group or by a seat on a panel)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    return (
        get_user_model()
        .objects.filter(
            Q(groups__name__in=(roles.ESTATES_STAFF, roles.PANELIST)) | Q(panel_seats__isnull=False), is_active=True
        )
        .distinct()
        .order_by("full_name", "pk")
    )


class OfficialChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name or obj.mobile


class CommitmentForm(PortalModelForm):
    due_date = JalaliDateField(label=_("due date"))
    owner_user = OfficialChoiceField(
        label=_("owner account"),
        queryset=None,
        required=False,
        help_text=_("The account that is reminded before and after the due date."),
    )

    class Meta:
        model = Commitment
        fields = ["title", "description", "owner_organisation", "responsible_person", "owner_user", "due_date"]
        widgets = {"description": forms.Textarea({"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_user"].queryset = official_accounts()

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if due < timezone.localdate():
            raise ValidationError(_("The due date cannot be in the past."), code="past")
        return due


class RouteForm(PortalForm):
    """Route a question to a panelist seat (checked against the event by the service) with an
    optional due date (empty: the default)."""

    panelist = forms.IntegerField(label=_("Route to"), min_value=1)
    due_date = JalaliDateField(label=_("answer due"), required=False)

    def clean_due_date(self):
        due = self.cleaned_data.get("due_date")
        if due and due < timezone.localdate():
            raise ValidationError(_("The due date cannot be in the past."), code="past")
        return due


class CommitmentUpdateForm(PortalForm):
    status = forms.ChoiceField(label=_("status"), choices=Commitment.Status.choices)
    date = JalaliDateField(label=_("date"), required=False)
    note = forms.CharField(label=_("progress note"), required=False, widget=forms.Textarea({"rows": 2}))


class CommitmentFilterForm(PortalForm):
    status = forms.ChoiceField(label=_("status"), required=False, choices=[("", _("All")), *Commitment.Status.choices])
    organisation = forms.ChoiceField(
        label=_("owner organisation"), required=False, choices=[("", _("All")), *Organisation.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
