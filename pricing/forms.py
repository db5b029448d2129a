from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalogue.models import Product, Unit
from core.forms import NumericInput, PortalForm, TomanField
from core.money import rial_to_toman

from . import selectors
from .models import COST_LINES, Channel, PriceReview, price_per_kg

MAX_TOMAN_PER_UNIT = 100_000_000  # 100 million Toman for one kg/box/piece of sweets is absurd


class PriceSubmissionForm(PortalForm):
    """A member's price for one product × channel in the open round. The checks need the
    member and the round: the member's previous accepted price and the round's running median."""

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

    def __init__(self, *args, member, price_round, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self.price_round = price_round
        self.warnings = []
        self.unit_question = False
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

    def clean(self):
        data = super().clean()
        unit, grams, price = data.get("unit"), data.get("net_grams"), data.get("price")
        if unit and unit != Unit.KG and not grams:
            self.add_error("net_grams", _("Give the net grams of one box or piece."))
            return data
        product, channel = data.get("product"), data.get("channel")
        if not (price and product and channel and unit):
            return data
        per_kg = price_per_kg(unit=unit, price_rial=price, net_grams=grams)
        data["price_per_kg"] = per_kg
        previous = selectors.previous_accepted_price(
            member=self.member, product=product, channel=channel, price_round=self.price_round
        )
        if previous and abs(per_kg / previous - 1) > selectors.BIG_MOVE and not data.get("note"):
            self.add_error(
                "note",
                _(
                    "Your price moved %(percent)s%% from your last accepted price (%(previous)s Toman per kg): "
                    "please explain why in a note."
                )
                % {
                    "percent": _num(round(abs(per_kg / previous - 1) * 100)),
                    "previous": _num(rial_to_toman(previous)),
                },
            )
        median = selectors.running_median(
            price_round=self.price_round, product=product, channel=channel, exclude_member=self.member
        )
        ratio = per_kg / median if median else None
        if ratio and (ratio >= selectors.UNIT_SUSPECT_RATIO or ratio <= 1 / selectors.UNIT_SUSPECT_RATIO):
            if not data.get("confirm_unit"):
                self.unit_question = True
                self.add_error(
                    "price",
                    _(
                        "Toman or Rial? This price is about %(ratio)s× the usual price of this product. "
                        "Prices are typed in Toman (1 Toman = 10 Rial). Correct it, or tick the box "
                        "below to confirm it."
                    )
                    % {"ratio": _num(round(ratio, 1) if ratio < 1 else round(ratio))},
                )
        else:
            self.fields["confirm_unit"].widget = forms.HiddenInput()
        costs = [data.get(name) for name, _label in COST_LINES if data.get(name)]
        if costs and sum(costs) > per_kg:
            self.warnings.append(
                _("The total of your cost lines (%(cost)s Toman per kg) is above your price (%(price)s Toman per kg).")
                % {"cost": _num(rial_to_toman(sum(costs))), "price": _num(rial_to_toman(per_kg))}
            )
        return data

    def costs(self):
        return {name: self.cleaned_data.get(name) for name, _label in COST_LINES}


def _num(value):
    from core.templatetags.persian import num

    return num(value)


class ReviewForm(PortalForm):
    """One decision for one or several submissions (the ids come from checkboxes)."""

    decision = forms.ChoiceField(label=_("Decision"), choices=PriceReview.Decision.choices)
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
