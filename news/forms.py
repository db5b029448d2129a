from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import JalaliDateField, PortalModelForm
from core.uploads import clean_image

from .models import ContactDetails, NewsItem


class NewsItemForm(PortalModelForm):
    """The staff's news form (admin): the image is checked by content and re-encoded."""

    published_on = JalaliDateField(label=_("date"))
    remove_image = forms.BooleanField(label=_("Remove the image"), required=False)

    class Meta:
        model = NewsItem
        fields = ["title", "body", "published_on", "is_published", "pinned", "image"]

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        self.clean_image_file = None
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            self.clean_image_file = clean_image(upload)
        return upload


class ContactDetailsForm(PortalModelForm):
    class Meta:
        model = ContactDetails
        fields = ["organisation", "address", "phone", "email", "office_hours"]
