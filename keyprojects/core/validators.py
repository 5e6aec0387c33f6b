"""Identifier checks: USCC (GB 32100-2015) and 投资项目代码 (GB/T 40058-2021), domain.md §4."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[0-9ANY][0-9A-HJ-NP-RTUW-Y][0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}$")
PROJECT_CODE_RE = re.compile(r"^\d{4}-\d{6}-\d{2}-\d{2}-\d{5}[0-9A-Z]$")


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalize_uscc(value: str) -> str:
    return (value or "").strip().upper()


def is_valid_uscc(value: str) -> bool:
    v = normalize_uscc(value)
    if len(v) != 18 or not _USCC_RE.match(v):
        return False
    return uscc_check_char(v[:17]) == v[17]


def validate_uscc(value: str) -> None:
    v = normalize_uscc(value)
    if len(v) != 18:
        raise ValidationError("统一社会信用代码应为18位（当前%(n)d位）", code="uscc_length", params={"n": len(v)})
    if not _USCC_RE.match(v):
        raise ValidationError("统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）", code="uscc_charset")
    if uscc_check_char(v[:17]) != v[17]:
        raise ValidationError("统一社会信用代码校验位错误，请核对", code="uscc_check")


def validate_project_code_shape(value: str) -> None:
    if not PROJECT_CODE_RE.match(value or ""):
        raise ValidationError(
            "项目代码格式应为 YYMM-行政区划6位-部门2位-类型2位-6位流水及校验（如 2403-370102-04-01-123456）",
            code="project_code_shape",
        )


def project_code_region(value: str) -> str:
    return value[5:11]


def make_uscc(body: str) -> str:
    """Complete a 17-char body with its check character (demo data and tests)."""
    return body + uscc_check_char(body)
