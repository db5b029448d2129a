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


def normalize_free_text(value: str) -> str:
    """What free text goes through (names, addresses, messages): Persian ی/ک, no tatweel,
    trimmed of spaces and ZWNJ at both ends, runs of spaces collapsed. Digits stay as typed
    («پلاک ۳» is shown as «پلاک ۳»); ZWNJ inside words is kept."""
    if value is None:
        return value
    value = str(value).translate(_LETTERS)
    value = value.strip(" \t\r\n" + _INVISIBLE_EDGES)
    value = re.sub(r"[ \t]{2,}", " ", value)
    return re.sub(r"\u200c{2,}", ZWNJ, value)


def normalize_text(value: str) -> str:
    """What identifiers, codes and search terms go through: free-text normalisation plus ASCII
    digits (a permit number, a mobile or a code typed in Persian digits is the same value)."""
    if value is None:
        return value
    return normalize_free_text(digits_to_ascii(str(value)))


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


# What keeps its ASCII digits in HTML: the content of script/style/textarea/pre/code elements,
# tags with their attributes (href="/x/12", value="3"), comments and character references.
_HTML_KEEP = re.compile(
    r"(<(script|style|textarea|pre|code)\b.*?</\2\s*>|<!--.*?-->|<[^>]*>|&#?[0-9A-Za-z]+;)",
    re.IGNORECASE | re.DOTALL,
)


def digits_to_persian_in_html(html: str) -> str:
    """Persian digits in the text a person reads in a piece of HTML; markup, attributes, scripts,
    form values being edited and code samples are left as they are."""
    out = []
    position = 0
    for match in _HTML_KEEP.finditer(html):
        out.append(digits_to_persian(html[position : match.start()]))
        out.append(match.group(0))
        position = match.end()
    out.append(digits_to_persian(html[position:]))
    return "".join(out)
