"""Identifier rules of domain.md §4."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from keyprojects.core.money import Period
from keyprojects.core.validators import (
    USCC_ALPHABET,
    is_valid_uscc,
    make_uscc,
    validate_project_code_shape,
    validate_uscc,
)


@pytest.mark.parametrize("code", ["91110000600037341L", "91350100M000100Y43"])
def test_known_valid_usccs(code):
    assert is_valid_uscc(code)
    validate_uscc(code)


@pytest.mark.parametrize("first", ["A", "N", "Y"])
def test_first_char_may_be_a_n_y(first):
    code = make_uscc(first + "1370102MA3C4X5Y6"[:16])
    assert code[0] == first and is_valid_uscc(code)


@pytest.mark.parametrize(
    "code,msg",
    [
        ("91110000600037341X", "校验位"),
        ("9111000060003734", "18位"),
        ("91110000600037341I", "不允许"),
        ("B1110000600037341L", "不允许"),
    ],
)
def test_invalid_usccs_have_chinese_messages(code, msg):
    with pytest.raises(ValidationError) as exc:
        validate_uscc(code)
    assert msg in exc.value.messages[0]


@given(st.text(alphabet="0123456789", min_size=6, max_size=6), st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9))
def test_any_body_completes_to_a_valid_code(region, body):
    code = make_uscc("91" + region + body)
    assert is_valid_uscc(code)
    # changing the check char always breaks it
    other = next(c for c in USCC_ALPHABET if c != code[-1])
    assert not is_valid_uscc(code[:-1] + other)


@pytest.mark.parametrize("code", ["2403-370102-04-01-123456", "2312-371103-89-02-00001X"])
def test_project_code_shape_ok(code):
    validate_project_code_shape(code)


@pytest.mark.parametrize(
    "code", ["2403-370102-04-01-12345", "240337010204011234567", "2403-370102-4-01-123456", "2403-370102-04-01-12345a"]
)
def test_project_code_shape_bad(code):
    with pytest.raises(ValidationError) as exc:
        validate_project_code_shape(code)
    assert "项目代码格式" in exc.value.messages[0]


def test_period():
    assert str(Period(2024, 3)) == "2024-03"
    assert Period.parse("2024-12") == Period(2024, 12)
    with pytest.raises(ValueError):
        Period(2024, 13)
