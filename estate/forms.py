from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue.models import Product
from core.forms import PortalForm, TomanField

from .models import Readiness


class DemandForm(PortalForm):
    plot_size_m2 = forms.IntegerField(
        label=_("Plot size you need (m²)"), min_value=50, max_value=20000, help_text=_("Between 50 and 20,000 m².")
    )
    workers = forms.IntegerField(label=_("Workers you would employ there"), min_value=0, max_value=500)
    readiness = forms.ChoiceField(label=_("Investment readiness"), choices=Readiness.choices)
    investment_rial = TomanField(
        label=_("Investment you can make"),
        required=False,
        help_text=_("In Toman. Optional; seen by estates staff only."),
    )
    products = forms.ModelMultipleChoiceField(
        label=_("Products you would make there"),
        queryset=Product.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea({"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = Product.objects.filter(is_active=True).order_by("sort_order", "name_fa")
