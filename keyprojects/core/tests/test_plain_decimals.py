"""Decimals in edit inputs as a person types them (core.forms.plain_decimal_inputs)."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from keyprojects.core.forms import PlainDecimalInput, plain_decimal, plain_decimal_inputs


def test_plain_decimal():
    assert plain_decimal(Decimal("10.0000")) == "10"
    assert plain_decimal(Decimal("120.5000")) == "120.5"
    assert plain_decimal(Decimal("0.0000")) == "0"
    assert plain_decimal(Decimal("1E+3")) == "1000"
    assert plain_decimal(None) == "" and plain_decimal("") == ""


class _Form(forms.Form):
    amount = forms.DecimalField(max_digits=18, decimal_places=4, widget=forms.NumberInput(attrs={"class": "x"}))
    other = forms.DecimalField(max_digits=18, decimal_places=4, widget=forms.TextInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain_decimal_inputs(self)


def test_the_inputs_show_stored_decimals_plain_and_typed_ones_as_typed():
    form = _Form(initial={"amount": Decimal("12000.0000"), "other": Decimal("1.5000")})
    assert isinstance(form.fields["amount"].widget, PlainDecimalInput)
    html = str(form["amount"])
    assert 'value="12000"' in html and 'class="x"' in html and 'step="0.0001"' in html and "required" in html
    assert 'value="1.5000"' in str(form["other"])  # not a number input: left alone
    assert 'value="12.50"' in str(_Form(data={"amount": "12.50", "other": "1"})["amount"])
