"""Forms of the members app. Everything typed is normalised (Persian/Arabic digits and
letters) by PortalForm/PortalModelForm; identifiers are validated here with messages that say
which identifier is wrong."""

from django import forms
from django.contrib.auth import password_validation
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from catalogue.models import Product
from core.forms import LtrInput, NumericInput, PortalForm, PortalModelForm
from core.persian import normalize_digits_only, normalize_free_text, normalize_text
from core.uploads import clean_image
from core.validators import (
    normalize_mobile,
    validate_legal_entity_id,
    validate_mobile,
    validate_national_id,
    validate_postal_code,
)

from .models import ChangeRequest, ContactMessage, Member, MemberUser, User

PROFILE_FORM_FIELDS = [
    "business_name",
    "brand",
    "owner_name",
    "mobile",
    "landline",
    "county",
    "address",
    "postal_code",
    "products",
    "monthly_capacity_kg",
    "workers_count",
    "website",
    "instagram",
    "telegram",
    "directory_opt_in",
    "contact_public",
]
IDENTITY_FORM_FIELDS = ["kind", "owner_national_id", "legal_entity_id", "guild_licence_number"]


def website_field():
    return forms.URLField(label=_("website"), required=False, max_length=200, assume_scheme="https")


class MemberFieldsMixin:
    """Cleaning shared by the application and the profile form."""

    def _setup_member_widgets(self):
        # Identifiers may be typed with spaces, dashes or +98: the length is checked after
        # normalising (clean_<field>), not on the raw text.
        for name in ("owner_national_id", "legal_entity_id", "postal_code", "mobile", "landline"):
            if name in self.fields:
                field = self.fields[name]
                field.max_length = 24
                field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
        for name in ("owner_national_id", "legal_entity_id", "postal_code", "monthly_capacity_kg", "workers_count"):
            if name in self.fields:
                self.fields[name].widget = NumericInput({"class": "form-control"})
        for name in ("mobile", "landline"):
            if name in self.fields:
                self.fields[name].widget = LtrInput(
                    {"class": "form-control", "inputmode": "tel", "autocomplete": "tel"}
                )
        for name in ("guild_licence_number", "website", "instagram", "telegram"):
            if name in self.fields:
                self.fields[name].widget.attrs.update({"dir": "ltr"})
        if "products" in self.fields:
            self.fields["products"].widget = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
            # (the queryset after the widget: setting it fills the widget's choices)
            self.fields["products"].queryset = Product.objects.filter(is_active=True).order_by("sort_order", "name_fa")
            self.fields["products"].required = False
        if "address" in self.fields:
            self.fields["address"].widget.attrs["rows"] = 2
            self.fields["address"].required = True
        if "logo" in self.fields:
            # A plain file field: the content is checked by clean_image (not only by Pillow's
            # header check), and its message says what is accepted.
            self.fields["logo"] = forms.FileField(
                label=Member._meta.get_field("logo").verbose_name,
                required=False,
                help_text=_("JPEG, PNG or WebP, at most 5 MB."),
                widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "class": "form-control"}),
            )
        if "owner_national_id" in self.fields:
            self.fields["owner_national_id"].help_text = _("10 digits.")
        if "legal_entity_id" in self.fields:
            self.fields["legal_entity_id"].help_text = _("Only for companies: 11 digits.")
        if "postal_code" in self.fields:
            self.fields["postal_code"].help_text = _("10 digits, without dashes.")
        if "guild_licence_number" in self.fields:
            self.fields["guild_licence_number"].help_text = _("Required for guild workshops and shops.")

    def _unique(self, field, value, message):
        others = Member.objects.filter(**{field: value})
        if self.instance and self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if value and others.exists():
            raise forms.ValidationError(message, code="duplicate")
        return value

    def clean_owner_national_id(self):
        value = normalize_digits_only(self.cleaned_data.get("owner_national_id", ""))
        validate_national_id(value)
        return self._unique("owner_national_id", value, _("A member with this national ID has already applied."))

    def clean_legal_entity_id(self):
        value = normalize_digits_only(self.cleaned_data.get("legal_entity_id", ""))
        if value:
            validate_legal_entity_id(value)
        return value

    def clean_mobile(self):
        value = normalize_mobile(self.cleaned_data.get("mobile", ""))
        validate_mobile(value)
        return self._unique("mobile", value, _("A member with this mobile number has already applied."))

    def clean_landline(self):
        value = normalize_digits_only(self.cleaned_data.get("landline", ""))
        if value and not (value.isdigit() and 8 <= len(value) <= 11 and value.startswith("0")):
            raise forms.ValidationError(
                _("Enter a landline number with its area code, like 02833334444."), code="invalid_landline"
            )
        return value

    def clean_postal_code(self):
        value = normalize_digits_only(self.cleaned_data.get("postal_code", ""))
        if value:
            validate_postal_code(value)
        return value

    def clean_guild_licence_number(self):
        value = (self.cleaned_data.get("guild_licence_number") or "").upper()
        return self._unique(
            "guild_licence_number", value, _("A member with this guild licence number has already applied.")
        )

    def clean_instagram(self):
        return (self.cleaned_data.get("instagram") or "").strip().lstrip("@")

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            self.clean_logo_file = clean_image(upload)
        return upload

    def _check_kind_rules(self, cleaned):
        kind = cleaned.get("kind", getattr(self.instance, "kind", None))
        if (
            kind == Member.Kind.GUILD
            and "guild_licence_number" in self.fields
            and not cleaned.get("guild_licence_number")
            and "guild_licence_number" not in self.errors
        ):
            self.add_error(
                "guild_licence_number",
                forms.ValidationError(_("A guild workshop or shop needs its guild licence number."), code="required"),
            )


class MembershipApplicationForm(MemberFieldsMixin, PortalModelForm):
    """The visitor's application: the business and the applicant's own account."""

    website = website_field()
    full_name = forms.CharField(label=_("Your full name"), max_length=150)
    user_mobile = forms.CharField(
        label=_("Your mobile number (for signing in)"),
        max_length=20,
        widget=LtrInput({"inputmode": "tel", "autocomplete": "username"}),
        help_text=_("You sign in with this number. It can be the same as the business mobile."),
    )
    email = forms.EmailField(label=_("E-mail (optional)"), required=False, widget=LtrInput({"type": "email"}))
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
    )

    field_order = ["kind", "business_name", "brand", "owner_name", "owner_national_id", "legal_entity_id"]

    class Meta:
        model = Member
        fields = [*IDENTITY_FORM_FIELDS, *PROFILE_FORM_FIELDS, "logo"]
        widgets = {"kind": forms.RadioSelect}

    def __init__(self, *args, kept_password=False, kept_logo=False, **kwargs):
        """kept_password/kept_logo: the applicant already gave them (kept while the number
        waits for its SMS code): the password fields are optional, the logo need not be chosen
        again."""
        super().__init__(*args, **kwargs)
        self.clean_logo_file = None
        self.kept_password = kept_password
        self.fields["kind"].choices = Member.Kind.choices
        self.fields["kind"].widget.attrs["class"] = "form-check-input"
        self.fields["contact_public"].initial = False
        self.fields["mobile"].label = _("Business mobile number")
        self._setup_member_widgets()
        if kept_password:
            for name in ("password1", "password2"):
                self.fields[name].required = False
            self.fields["password1"].help_text = _(
                "The password you chose is kept. Type a new one here only to change it."
            )
        if kept_logo:
            self.fields["logo"].help_text = _("Your logo is kept. Choose a file only to replace it.")
        self.order_fields(
            [
                "kind",
                "business_name",
                "brand",
                "owner_name",
                "owner_national_id",
                "legal_entity_id",
                "guild_licence_number",
                "mobile",
                "landline",
                "county",
                "address",
                "postal_code",
                "products",
                "monthly_capacity_kg",
                "workers_count",
                "website",
                "instagram",
                "telegram",
                "logo",
                "directory_opt_in",
                "contact_public",
                "full_name",
                "user_mobile",
                "email",
                "password1",
                "password2",
            ]
        )

    SECTIONS = [
        (
            _("Your business"),
            [
                "kind",
                "business_name",
                "brand",
                "owner_name",
                "owner_national_id",
                "legal_entity_id",
                "guild_licence_number",
            ],
        ),
        (_("Contact and address"), ["mobile", "landline", "county", "address", "postal_code"]),
        (_("Products and capacity"), ["products", "monthly_capacity_kg", "workers_count"]),
        (
            _("Public directory"),
            ["website", "instagram", "telegram", "logo", "directory_opt_in", "contact_public"],
        ),
        (_("Your account"), ["full_name", "user_mobile", "email", "password1", "password2"]),
    ]

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def clean_user_mobile(self):
        value = normalize_mobile(self.cleaned_data.get("user_mobile", ""))
        validate_mobile(value)
        if User.objects.filter(mobile=value).exists():
            raise forms.ValidationError(
                _("An account with this mobile number already exists. Log in instead, or use another number."),
                code="duplicate",
            )
        return value

    def clean(self):
        cleaned = super().clean()
        self._check_kind_rules(cleaned)
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if self.kept_password and not p1 and not p2:
            return cleaned
        if (p1 and p2 and p1 != p2) or (self.kept_password and bool(p1) != bool(p2)):
            self.add_error("password2", forms.ValidationError(_("The two passwords differ."), code="mismatch"))
        elif p1:
            try:
                password_validation.validate_password(
                    p1, User(mobile=cleaned.get("user_mobile", ""), full_name=cleaned.get("full_name", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def member_data(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if key in Member._meta._forward_fields_map}

    def user_data(self, *, password_hash: str = "") -> dict:
        """The applicant's account: the password typed, or else the hash of the one kept."""
        data = {
            "mobile": self.cleaned_data["user_mobile"],
            "full_name": self.cleaned_data["full_name"],
            "email": self.cleaned_data.get("email", ""),
        }
        if self.cleaned_data.get("password1"):
            data["password"] = self.cleaned_data["password1"]
        else:
            data["password_hash"] = password_hash
        return data


class MemberProfileForm(MemberFieldsMixin, PortalModelForm):
    """Self-service editing. After approval the identity fields are shown read-only."""

    website = website_field()

    class Meta:
        model = Member
        fields = [*IDENTITY_FORM_FIELDS, *PROFILE_FORM_FIELDS, "logo"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.clean_logo_file = None
        self._setup_member_widgets()
        self.fields["kind"].choices = Member.Kind.choices
        if self.instance.identity_locked:
            for name in IDENTITY_FORM_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Locked after approval. Use a change request to correct it.")
        self.fields["logo"].help_text = _("JPEG, PNG or WebP, at most 5 MB. Leave empty to keep the current one.")

    SECTIONS = [
        (_("Identity"), IDENTITY_FORM_FIELDS),
        (_("Your business"), ["business_name", "brand", "owner_name"]),
        (_("Contact and address"), ["mobile", "landline", "county", "address", "postal_code"]),
        (_("Products and capacity"), ["products", "monthly_capacity_kg", "workers_count"]),
        (
            _("Public directory"),
            ["website", "instagram", "telegram", "logo", "directory_opt_in", "contact_public"],
        ),
    ]

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def clean_owner_national_id(self):
        if self.instance.identity_locked:
            return self.instance.owner_national_id
        return super().clean_owner_national_id()

    def clean_legal_entity_id(self):
        if self.instance.identity_locked:
            return self.instance.legal_entity_id
        return super().clean_legal_entity_id()

    def clean_guild_licence_number(self):
        if self.instance.identity_locked:
            return self.instance.guild_licence_number
        return super().clean_guild_licence_number()

    def clean(self):
        cleaned = super().clean()
        if not self.instance.identity_locked:
            self._check_kind_rules(cleaned)
        return cleaned

    def profile_data(self) -> dict:
        return {
            key: value
            for key, value in self.cleaned_data.items()
            if key in Member._meta._forward_fields_map and key not in ("products", "logo")
        }

    def save(self, commit=True):  # the view saves through services.member_update_profile
        raise NotImplementedError


class ChangeRequestForm(PortalForm):
    field = forms.ChoiceField(label=_("What should change"), choices=ChangeRequest.Field.choices)
    new_value = forms.CharField(label=_("Correct value"), max_length=30, widget=LtrInput())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea({"rows": 3}), max_length=1000)

    def clean(self):
        cleaned = super().clean()
        field, value = cleaned.get("field"), cleaned.get("new_value")
        if not field or value is None:
            return cleaned
        try:
            if field == ChangeRequest.Field.OWNER_NATIONAL_ID:
                value = normalize_digits_only(value)
                validate_national_id(value)
            elif field == ChangeRequest.Field.LEGAL_ENTITY_ID:
                value = normalize_digits_only(value)
                validate_legal_entity_id(value)
            elif field == ChangeRequest.Field.KIND:
                if value not in Member.Kind.values:
                    labels = {str(label): key for key, label in Member.Kind.choices}
                    value = labels.get(value, value)
                if value not in Member.Kind.values:
                    raise forms.ValidationError(
                        _("Write “%(guild)s” or “%(home)s”.")
                        % {"guild": Member.Kind.GUILD.label, "home": Member.Kind.HOME.label},
                        code="invalid_kind",
                    )
            else:
                value = value.upper()
        except forms.ValidationError as error:
            self.add_error("new_value", error)
            return cleaned
        cleaned["new_value"] = value
        return cleaned


class ColleagueInviteForm(PortalForm):
    full_name = forms.CharField(label=_("Colleague's full name"), max_length=150)
    mobile = forms.CharField(label=_("Colleague's mobile number"), max_length=20, widget=LtrInput({"inputmode": "tel"}))

    def clean_mobile(self):
        value = normalize_mobile(self.cleaned_data.get("mobile", ""))
        validate_mobile(value)
        if MemberUser.objects.filter(user__mobile=value).exists():
            raise forms.ValidationError(_("This mobile number already acts for a member business."), code="linked")
        return value


class InvitationAcceptForm(PortalForm):
    """A new colleague chooses a name and password (the mobile number is the invited one)."""

    full_name = forms.CharField(label=_("Your full name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, mobile="", **kwargs):
        super().__init__(*args, **kwargs)
        self.mobile = mobile

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", forms.ValidationError(_("The two passwords differ."), code="mismatch"))
        elif p1:
            try:
                password_validation.validate_password(
                    p1, User(mobile=self.mobile, full_name=cleaned.get("full_name", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ContactForm(PortalModelForm):
    """A visitor's message to a member. Anonymous visitors give a mobile number so that the
    portal can relay the reply; the member never sees it."""

    class Meta:
        model = ContactMessage
        fields = ["sender_name", "sender_mobile", "body"]
        widgets = {
            "sender_mobile": LtrInput({"inputmode": "tel"}),
            "body": forms.Textarea({"rows": 4, "maxlength": 2000}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.is_authenticated:
            del self.fields["sender_mobile"]
            self.fields["sender_name"].initial = user.full_name
        else:
            self.fields["sender_mobile"].required = True
            self.fields["sender_mobile"].help_text = _(
                "Only the portal sees it, to send you the reply by SMS. The producer does not."
            )

    def clean_sender_mobile(self):
        value = normalize_mobile(self.cleaned_data.get("sender_mobile", ""))
        validate_mobile(value)
        return value


class ContactReplyForm(PortalForm):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea({"rows": 3}), max_length=2000)


class RejectForm(forms.Form):
    """The admin's intermediate page for reject/suspend."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea({"rows": 3, "cols": 60}), max_length=1000)


class RenewForm(forms.Form):
    """The admin's intermediate page for recording membership renewals."""

    fee_reference = forms.CharField(
        label=_("Fee payment reference"),
        required=False,
        max_length=60,
        help_text=_("E.g. the bank receipt's tracking number (optional)."),
        widget=forms.TextInput({"dir": "ltr", "size": 30}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=300, widget=forms.Textarea({"rows": 2, "cols": 60})
    )

    def clean_fee_reference(self):
        return normalize_text(self.cleaned_data.get("fee_reference") or "")

    def clean_note(self):
        return normalize_free_text(self.cleaned_data.get("note") or "")


class DirectoryFilterForm(PortalForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none(), required=False)
    county = forms.ChoiceField(label=_("County"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import County

        self.fields["product"].queryset = Product.objects.filter(is_active=True).order_by("sort_order", "name_fa")
        self.fields["product"].empty_label = _("All products")
        self.fields["county"].choices = [("", _("All counties")), *County.choices]
