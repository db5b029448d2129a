"""core.forms.add_service_errors: a service's ValidationError on the form that was posted."""

from django import forms
from django.core.exceptions import ValidationError

from core.forms import PortalForm, add_service_errors


class _Form(PortalForm):
    quantity = forms.CharField(required=False)


def test_field_errors_go_to_their_field_and_the_rest_to_the_form():
    form = _Form({"quantity": "۳"})
    assert form.is_valid()
    add_service_errors(form, ValidationError({"quantity": "too many", "licence": "not in force"}))
    assert form.errors == {"quantity": ["too many"], "__all__": ["not in force"]}


def test_a_plain_error_goes_to_the_form():
    form = _Form({})
    assert form.is_valid()
    add_service_errors(form, ValidationError(["closed", "late"]))
    assert form.non_field_errors() == ["closed", "late"]
    assert form.data == {}
