import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core.validators import (
    is_valid_legal_entity_id,
    is_valid_national_id,
    is_valid_sheba,
    normalize_mobile,
    validate_mobile,
    validate_postal_code,
    validate_sheba,
)


@pytest.mark.parametrize("code", ["0012345679", "0499370899", "1234567891", "۰۰۱۲۳۴۵۶۷۹", "001-234567-9"])
def test_national_id_valid(code):
    assert is_valid_national_id(code) is True


@pytest.mark.parametrize(
    "code", ["0012345678", "1111111111", "0000000000", "123456789", "12345678901", "abcdefghij", ""]
)
def test_national_id_invalid(code):
    assert is_valid_national_id(code) is False


@pytest.mark.parametrize("code", ["10380284790", "۱۰۳۸۰۲۸۴۷۹۰", "103-8028-4790"])
def test_legal_entity_id_valid(code):
    assert is_valid_legal_entity_id(code) is True


@pytest.mark.parametrize("code", ["10380284791", "11111111111", "1038028479", "103802847900"])
def test_legal_entity_id_invalid(code):
    assert is_valid_legal_entity_id(code) is False


@pytest.mark.parametrize(
    "typed",
    [
        "09121234567",
        "+989121234567",
        "00989121234567",
        "989121234567",
        "9121234567",
        "۰۹۱۲۱۲۳۴۵۶۷",
        "٠٩١٢١٢٣٤٥٦٧",
        "0912 123 4567",
        "+98 912-123-4567",
    ],
)
def test_mobile_normalised_to_09(typed):
    assert normalize_mobile(typed) == "09121234567"
    validate_mobile(typed)


@pytest.mark.parametrize("typed", ["02133334444", "0912123456", "091212345678", "+44 7700 900123", "abc"])
def test_mobile_invalid(typed):
    with pytest.raises(ValidationError):
        validate_mobile(typed)


@pytest.mark.parametrize("code", ["3413845678", "۳۴۸۱۷۴۶۳۱۹", "1461914567"])
def test_postal_code_valid(code):
    validate_postal_code(code)


@pytest.mark.parametrize("code", ["0413845678", "3413245678", "341384567", "1111198765", "3413845672"])
def test_postal_code_invalid(code):
    with pytest.raises(ValidationError):
        validate_postal_code(code)


@pytest.mark.parametrize(
    "sheba", ["IR062960000000100324200001", "IR820540102680020817909002", "ir 0629 6000 0000 1003 2420 0001"]
)
def test_sheba_valid(sheba):
    assert is_valid_sheba(sheba) is True


@pytest.mark.parametrize(
    "sheba",
    ["IR062960000000100324200002", "DE89370400440532013000", "IR06296000000010032420000", "062960000000100324200001"],
)
def test_sheba_invalid(sheba):
    assert is_valid_sheba(sheba) is False


def test_validate_sheba_accepts_persian_digits_and_refuses_a_bad_checksum_in_persian():
    validate_sheba("IR۰۶۲۹۶۰۰۰۰۰۰۰۱۰۰۳۲۴۲۰۰۰۰۱")  # no error
    with translation.override("fa"), pytest.raises(ValidationError) as error:
        validate_sheba("IR062960000000100324200002")
    assert error.value.code == "invalid_sheba"
    assert error.value.messages == ["شماره شبای معتبر وارد کنید: IR و پس از آن ۲۴ رقم."]
