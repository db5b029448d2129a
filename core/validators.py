"""Iranian identifiers. Each validator accepts what people type (Persian digits, spaces,
dashes) and the matching normaliser returns the stored form."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .persian import digits_to_ascii, normalize_digits_only

_MOBILE = re.compile(r"^09[0-9]{9}$")


def normalize_mobile(value: str) -> str:
    """+989121234567, 00989121234567, 989121234567, 9121234567, ۰۹۱۲۱۲۳۴۵۶۷ → 09121234567.
    Returns the input (digits normalised) unchanged when it cannot be a mobile number."""
    if value is None:
        return ""
    digits = re.sub(r"[\s\-().\u200c]", "", digits_to_ascii(str(value)).strip())
    if digits.startswith("+98"):
        digits = "0" + digits[3:]
    elif digits.startswith("0098"):
        digits = "0" + digits[4:]
    elif digits.startswith("98") and len(digits) == 12:
        digits = "0" + digits[2:]
    elif digits.startswith("9") and len(digits) == 10:
        digits = "0" + digits
    return digits


def validate_mobile(value: str) -> None:
    if not _MOBILE.match(normalize_mobile(value)):
        raise ValidationError(_("Enter a mobile number like 09121234567."), code="invalid_mobile")


def is_valid_national_id(value: str) -> bool:
    code = normalize_digits_only(value)
    if not re.fullmatch(r"[0-9]{10}", code) or len(set(code)) == 1:
        return False
    check = int(code[9])
    remainder = sum(int(code[i]) * (10 - i) for i in range(9)) % 11
    return check == (remainder if remainder < 2 else 11 - remainder)


def validate_national_id(value: str) -> None:
    if not is_valid_national_id(value):
        raise ValidationError(_("Enter a valid 10-digit national ID."), code="invalid_national_id")


_LEGAL_ID_WEIGHTS = (29, 27, 23, 19, 17, 29, 27, 23, 19, 17)


def is_valid_legal_entity_id(value: str) -> bool:
    code = normalize_digits_only(value)
    if not re.fullmatch(r"[0-9]{11}", code) or len(set(code)) == 1:
        return False
    decimal = int(code[9]) + 2
    total = sum((int(code[i]) + decimal) * _LEGAL_ID_WEIGHTS[i] for i in range(10))
    remainder = total % 11
    return int(code[10]) == (0 if remainder == 10 else remainder)


def validate_legal_entity_id(value: str) -> None:
    if not is_valid_legal_entity_id(value):
        raise ValidationError(_("Enter a valid 11-digit legal entity ID."), code="invalid_legal_entity_id")


def validate_postal_code(value: str) -> None:
    code = normalize_digits_only(value)
    # Iranian postal codes: 10 digits, no 0 or 2 in the first four, no 0, 2 or 5 in the fifth,
    # no 2 in the last five, and never four equal digits at the start.
    if not re.fullmatch(r"[13-9]{4}[1346-9][013-9]{5}", code) or len(set(code[:4])) == 1:
        raise ValidationError(_("Enter a valid 10-digit postal code."), code="invalid_postal_code")


def normalize_sheba(value: str) -> str:
    return re.sub(r"[\s\-]", "", digits_to_ascii(str(value or "")).strip()).upper()


def is_valid_sheba(value: str) -> bool:
    sheba = normalize_sheba(value)
    if not re.fullmatch(r"IR[0-9]{24}", sheba):
        return False
    rearranged = sheba[4:] + "1827" + sheba[2:4]  # I=18, R=27
    return int(rearranged) % 97 == 1


def validate_sheba(value: str) -> None:
    if not is_valid_sheba(value):
        raise ValidationError(_("Enter a valid Sheba number: IR followed by 24 digits."), code="invalid_sheba")


def mask_identifier(value) -> str:
    """A personal identifier shown to someone who may not read it whole: only the last three
    characters stay (0012345679 → *******679)."""
    text = str(value or "")
    return "*" * max(len(text) - 3, 0) + text[-3:]
