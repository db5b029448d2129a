from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin
from core.persian import normalize_digits_only


class CodeForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "dir": "ltr", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )

    def clean_code(self):
        # Persian/Arabic digits, spaces and dashes are all fine: «۱۲۳ ۴۵۶» is 123456; recovery
        # codes are letters and digits, case-insensitive.
        value = normalize_digits_only(self.cleaned_data["code"]).lower()
        if not value:
            raise forms.ValidationError(_("Enter the code."))
        return value

    @property
    def is_totp_code(self) -> bool:
        code = self.cleaned_data.get("code", "")
        return len(code) == 6 and code.isascii() and code.isdigit()
