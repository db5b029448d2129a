from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import NumericInput, PortalForm, TomanField

from .models import COST_LINES, Channel, PriceReview, PriceSubmission, Product, Unit

MAX_TOMAN_PER_UNIT = 100_000_000  # 100 million Toman for one kg/box/piece of sweets is absurd


class PriceSubmissionForm(PortalForm):
    """A member's price for one product × channel in the open round: parsed and normalised
    here (Persian digits, separators, Toman → Rial); the rules are the service's
    (services.price_submission_validate)."""

    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.filter(is_active=True))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices, initial=Unit.KG)
    net_grams = forms.IntegerField(
        label=_("Net grams per box/piece"),
        required=False,
        min_value=1,
        max_value=100_000,
        widget=NumericInput(),
        help_text=_("Only for a box or a piece: its net weight in grams."),
    )
    price = TomanField(
        label=_("Price (Toman)"),
        max_toman=MAX_TOMAN_PER_UNIT,
        help_text=_("In Toman, for one unit as chosen above (e.g. ۱۲۵٬۰۰۰)."),
        error_messages={
            "invalid": _("Write the price in digits only, e.g. ۱۲۵٬۰۰۰."),
            "min_value": _("Enter a price above zero."),
        },
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when your price moved by more than 15 percent from your last accepted price."),
    )
    confirm_unit = forms.BooleanField(
        label=_("Yes, this price is in Toman and it is correct."),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in COST_LINES:
            self.fields[name] = TomanField(
                label=label,
                required=False,
                max_toman=MAX_TOMAN_PER_UNIT,
                help_text=_("Toman per kg."),
                error_messages={
                    "invalid": _("Write the amount in digits only."),
                    "min_value": _("Enter an amount above zero, or leave it empty."),
                },
            )
        self.fields["product"].label_from_instance = lambda product: product.name

    @property
    def cost_field_names(self):
        return [name for name, _label in COST_LINES]

    def main_fields(self):
        return [self[name] for name in ("product", "channel", "unit", "net_grams", "price")]

    def cost_fields(self):
        return [self[name] for name, _label in COST_LINES]

    @property
    def unit_question(self) -> bool:
        """The service asked "Toman or Rial?": the confirmation box is shown."""
        return self.is_bound and self.has_error("price", code="unit_question")

    def costs(self):
        return {name: self.cleaned_data.get(name) for name, _label in COST_LINES}

    def add_service_error(self, error: ValidationError) -> None:
        """The service's refusal, next to what was typed (field errors on their fields)."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, error)


class ReviewFilterForm(PortalForm):
    """The review queue's filters (GET): a wrong value is ignored, never a 500."""

    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.all(), required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=[("", _("All"))] + Channel.choices, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=PriceSubmission.Status.choices + [("all", _("All"))], required=False
    )
    flagged = forms.BooleanField(label=_("Flagged only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].label_from_instance = lambda product: product.name
        self.fields["product"].empty_label = _("All")


class ReviewForm(PortalForm):
    """One decision for one or several submissions (the ids come from checkboxes). There is no
    default decision: the union head must choose one."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("", _("Choose a decision"))] + PriceReview.Decision.choices,
        error_messages={
            "required": _("Choose a decision: accept, needs info or reject."),
            "invalid_choice": _("Choose a decision: accept, needs info or reject."),
        },
    )
    message = forms.CharField(
        label=_("Message to the member"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for needs info and reject."),
    )
    ids = forms.TypedMultipleChoiceField(coerce=int, required=True, choices=())

    def __init__(self, *args, allowed_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(pk, pk) for pk in allowed_ids]
        self.fields["ids"].error_messages["required"] = _("Choose at least one price.")
        self.fields["ids"].error_messages["invalid_choice"] = _("That price is no longer in the queue.")

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == PriceReview.Decision.REJECTED and not data.get("message"):
            raise ValidationError(_("Give the reason for rejecting."))
        if decision == PriceReview.Decision.NEEDS_INFO and not data.get("message"):
            raise ValidationError(_("Write what the member should explain."))
        return data
