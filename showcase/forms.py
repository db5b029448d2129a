"""Forms of the showcase: they parse and normalise; the rules are in services."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import NumericInput, PortalForm, PortalModelForm, TomanField
from core.uploads import clean_image, thumbnail
from members.models import County, Member

from .models import MAX_PACKAGES, MAX_PHOTOS, MAX_SHEETS, Listing, Storefront
from .selectors import showcase_products

PRICE_HELP = _(
    "Optional: your own shop price for this box, in Toman. Publishing your own price is lawful; "
    "the cluster never publishes anybody else's prices."
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos at once, each checked by content (core.uploads.clean_image): the field
    cleans to a list of (photo, thumbnail) CleanFile pairs."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput({"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = [item for item in (data if isinstance(data, (list, tuple)) else [data]) if item]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(uploads) > MAX_PHOTOS:
            raise ValidationError(_("At most %(n)s photos a product.") % {"n": MAX_PHOTOS}, code="too_many")
        cleaned, errors = [], []
        for upload in uploads:
            try:
                super().clean(upload, initial)
                photo = clean_image(upload, max_side=1600)
            except ValidationError as error:
                name = getattr(upload, "name", "") or "?"
                errors += [f"{name}: {message}" for message in error.messages]
                continue
            cleaned.append((photo, thumbnail(photo, size=480)))
        if errors:
            raise ValidationError(errors)
        return cleaned


class StorefrontForm(PortalModelForm):
    class Meta:
        model = Storefront
        fields = ["is_listed", "shop_address", "opening_hours"]
        widgets = {"shop_address": forms.Textarea({"rows": 2, "maxlength": 500})}

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        if member.kind == Member.Kind.HOME:
            del self.fields["shop_address"]
            del self.fields["opening_hours"]


class ListingForm(PortalModelForm):
    photos = PhotosField(
        label=_("Photos"),
        required=False,
        help_text=_("JPEG, PNG or WebP, up to 5 MB each; you can choose several. The first one is the cover."),
    )

    class Meta:
        model = Listing
        fields = [
            "product",
            "name",
            "description",
            "shelf_life_days",
            "ingredients",
            "allergens",
            "capacity_kg_per_month",
            "is_published",
        ]
        widgets = {
            "description": forms.Textarea({"rows": 4, "maxlength": 3000}),
            "ingredients": forms.Textarea({"rows": 2, "maxlength": 1000}),
            "shelf_life_days": NumericInput(),
            "capacity_kg_per_month": NumericInput(),
        }

    def __init__(self, *args, with_photos=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = showcase_products()
        self.fields["product"].empty_label = _("Choose…")
        if not with_photos:
            del self.fields["photos"]

    def listing_data(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "photos"}


class PackageForm(PortalForm):
    label = forms.CharField(label=_("Box"), max_length=80, required=False)
    net_grams = forms.IntegerField(label=_("Net weight (grams)"), min_value=1, max_value=100_000, required=False)
    retail_price = TomanField(label=_("Your retail price (Toman)"), required=False)

    def clean(self):
        cleaned = super().clean()
        label, grams = cleaned.get("label"), cleaned.get("net_grams")
        filled = bool(label) or grams is not None or cleaned.get("retail_price") is not None
        if filled and not self.errors:
            if not label:
                self.add_error("label", _("Name the box, e.g. “small box”."))
            if grams is None:
                self.add_error("net_grams", _("Give the net weight in grams."))
        cleaned["filled"] = filled
        return cleaned


class BasePackageFormSet(forms.BaseFormSet):
    def packages(self) -> list[dict]:
        return [
            {
                "label": form.cleaned_data["label"],
                "net_grams": form.cleaned_data["net_grams"],
                "retail_price_rial": form.cleaned_data.get("retail_price"),
            }
            for form in self.forms
            if form.cleaned_data.get("filled")
        ]


def package_formset(*, data=None, listing=None):
    initial = [
        {
            "label": p.label,
            "net_grams": p.net_grams,
            "retail_price": p.retail_price_rial // 10 if p.retail_price_rial else None,
        }
        for p in (listing.packages.all() if listing is not None else [])
    ]
    formset_class = forms.formset_factory(
        PackageForm,
        formset=BasePackageFormSet,
        extra=1 if initial else 2,
        max_num=MAX_PACKAGES,
        validate_max=True,
        absolute_max=MAX_PACKAGES,
    )
    return formset_class(data=data, initial=initial, prefix="box")


class PhotosForm(PortalForm):
    photos = PhotosField(label=_("Add photos"), help_text=_("JPEG, PNG or WebP, up to 5 MB each."))


class LabelBatchForm(PortalForm):
    sheets = forms.IntegerField(
        label=_("Sheets of labels"),
        min_value=1,
        max_value=MAX_SHEETS,
        initial=1,
        help_text=_("24 labels (70 × 37 mm) on each A4 sheet; every label has its own code."),
    )


KIND_CHOICES = [("", _("Guild and home")), *Member.Kind.choices]


class ShowcaseFilterForm(PortalForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    product = forms.ModelChoiceField(label=_("Product type"), queryset=None, required=False)
    county = forms.ChoiceField(label=_("County"), required=False, choices=[("", _("All counties")), *County.choices])
    kind = forms.ChoiceField(label=_("Producer"), required=False, choices=KIND_CHOICES)
    licensed = forms.BooleanField(label=_("Health licence valid today"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = showcase_products()
        self.fields["product"].empty_label = _("All products")
