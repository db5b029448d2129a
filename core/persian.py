"""Persian input normalisation: one implementation, used by every form and search key."""

import re

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
ZWNJ = "\u200c"
TATWEEL = "\u0640"

_TO_ASCII = str.maketrans(PERSIAN_DIGITS + ARABIC_DIGITS, "0123456789" * 2)
_TO_PERSIAN = str.maketrans("0123456789", PERSIAN_DIGITS)
_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ۀ": "ه", "ة": "ه", TATWEEL: None})
# Invisible marks users paste from other apps: zero-width space/joiner, LRM/RLM, BOM.
_INVISIBLE_EDGES = ZWNJ + "\u200b\u200d\u200e\u200f\ufeff"
# Characters that only group digits: Persian thousands separator, comma, Arabic comma, spaces.
_NUMBER_GROUPING = re.compile(r"[٬,،\s\u200c\u200f\u200e_']")


def digits_to_ascii(value: str) -> str:
    """Persian ۰-۹ and Arabic ٠-٩ digits become ASCII 0-9."""
    return value.translate(_TO_ASCII)


def digits_to_persian(value) -> str:
    return str(value).translate(_TO_PERSIAN)


def normalize_text(value: str) -> str:
    """What every text input goes through: ASCII digits, Persian ی/ک, no tatweel, trimmed of
    spaces and ZWNJ at both ends, runs of spaces collapsed. ZWNJ inside words is kept."""
    if value is None:
        return value
    value = digits_to_ascii(str(value)).translate(_LETTERS)
    value = value.strip(" \t\r\n" + _INVISIBLE_EDGES)
    value = re.sub(r"[ \t]{2,}", " ", value)
    return re.sub(r"\u200c{2,}", ZWNJ, value)


def normalize_number(value: str) -> str:
    """A number as typed (۱۲۵٬۰۰۰ or 1,250.5 or ۳٫۵) → a plain ASCII number string."""
    if value is None:
        return value
    value = digits_to_ascii(str(value)).strip()
    value = _NUMBER_GROUPING.sub("", value)
    value = value.replace("٫", ".").replace("−", "-")
    if re.fullmatch(r"[0-9]+/[0-9]+", value):  # «۳/۵» is how many people write 3.5
        value = value.replace("/", ".")
    return value


def normalize_digits_only(value: str) -> str:
    """Identifiers typed with dashes or spaces (national ID, postal code): digits only."""
    if value is None:
        return value
    return re.sub(r"[\s\-_.٬,\u200c]", "", digits_to_ascii(str(value)).strip())


def search_key(value: str) -> str:
    """The form stored beside searchable names and applied to queries: normalised text, lower
    case, without ZWNJ, hamza-seat or alef variants, so that «نان‌برنجی», «نان برنجي» and
    «نان برنجی» all match."""
    if not value:
        return ""
    value = normalize_text(value).lower()
    value = value.translate(str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ؤ": "و", "ئ": "ی", ZWNJ: " "}))
    value = re.sub(r"[\u064b-\u0652]", "", value)  # harakat
    return re.sub(r"\s+", " ", value).strip()
