from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.models import Product
from core.forms import JalaliDateField, LtrInput, PortalForm, PortalModelForm, TomanField
from core.validators import normalize_mobile, validate_mobile

from .models import BuyerRequest
from .services import MEMBER_MOBILE_REFUSED, is_member_mobile

MAX_QUANTITY = 1_000_000


class BuyerRequestForm(PortalModelForm):
    """What a buyer posts (no account): the number is proved by SMS code before it is saved."""

    deadline = JalaliDateField(label=_("Needed by"), help_text=_("For example ۱۴۰۵/۰۹/۲۰."))
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=LtrInput({"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("We send a code to check it, and the link to your request's page."),
    )

    class Meta:
        model = BuyerRequest
        fields = [
            "buyer_kind",
            "organisation",
            "contact_name",
            "mobile",
            "email",
            "product",
            "quantity",
            "unit",
            "deadline",
            "county",
            "packaging",
            "note",
        ]
        widgets = {
            "email": LtrInput({"type": "email", "autocomplete": "email"}),
            "packaging": forms.Textarea({"rows": 2, "maxlength": 1000}),
            "note": forms.Textarea({"rows": 3, "maxlength": 2000}),
        }
        labels = {"email": _("E-mail (optional)"), "county": _("Producers from (optional)")}
        help_texts = {
            "packaging": _("Box sizes, printing, gift packaging…"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(is_active=True).order_by("sort_order", "name_fa")
        self.fields["county"].choices = [("", _("Any county")), *self.fields["county"].choices[1:]]
        self.fields["quantity"].max_value = MAX_QUANTITY
        self.fields["quantity"].validators.append(MaxValueValidator(MAX_QUANTITY))
        for name in ("packaging", "note"):
            self.fields[name].max_length = self.fields[name].widget.attrs["maxlength"]

    def clean_mobile(self):
        value = normalize_mobile(self.cleaned_data.get("mobile", ""))
        validate_mobile(value)
        if is_member_mobile(value):  # refused before a code is sent (the service checks it too)
            raise forms.ValidationError(MEMBER_MOBILE_REFUSED)
        return value

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity < 1:
            raise forms.ValidationError(_("Enter a quantity of at least 1."))
        return quantity

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the past."))
        return deadline


class OfferForm(PortalForm):
    quantity = forms.IntegerField(label=_("Quantity you can deliver"), min_value=1, max_value=MAX_QUANTITY)
    unit_price_rial = TomanField(label=_("Unit price"), help_text=_("In Toman, per unit of the request."))
    delivery_date = JalaliDateField(label=_("Delivery date"))
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea({"rows": 2, "maxlength": 1000}),
    )

    def clean_delivery_date(self):
        value = self.cleaned_data["delivery_date"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("The delivery date cannot be in the past."))
        return value
