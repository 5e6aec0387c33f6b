"""Identifier checks: USCC (GB 32100-2015) and 投资项目代码 (GB/T 40058-2021), domain.md §4."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy, gettext_noop

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


# The checks' messages: source strings of the catalogue, said in the active language where a form
# shows them (the importer stores them in Chinese: it reads cells under the Chinese language).
USCC_LENGTH = gettext_noop("统一社会信用代码应为18位（当前%(n)s位）")
USCC_CHARSET = gettext_noop("统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）")
USCC_CHECK = gettext_noop("统一社会信用代码校验位错误，请核对")
PROJECT_CODE_SHAPE = gettext_noop("项目代码格式应为 YYMM-行政区划6位-部门2位-类型2位-6位流水及校验（如 2403-370102-04-01-123456）")


def validate_uscc(value: str) -> None:
    v = normalize_uscc(value)
    if len(v) != 18:
        raise ValidationError(gettext_lazy(USCC_LENGTH), code="uscc_length", params={"n": len(v)})
    if not _USCC_RE.match(v):
        raise ValidationError(gettext_lazy(USCC_CHARSET), code="uscc_charset")
    if uscc_check_char(v[:17]) != v[17]:
        raise ValidationError(gettext_lazy(USCC_CHECK), code="uscc_check")


def validate_project_code_shape(value: str) -> None:
    if not PROJECT_CODE_RE.match(value or ""):
        raise ValidationError(gettext_lazy(PROJECT_CODE_SHAPE), code="project_code_shape")


# --- 联系电话 (one rule for the project form, the service, the API and the importer) -----------
# One or more numbers separated by 、 / ， , ； ;: a mobile (13800000000, +86 138 0000 0000), a
# landline with or without its area code and an extension (0531-88888888, (0531)88888888,
# 0531-88888888-123, 0531-88888888转123) or a 400/800 line. Letters are refused. Full-width
# digits and dashes read as half-width. A short service number (12345, 95588) is refused with
# its own message: see :func:`validate_phone`.

PHONE_MESSAGE = gettext_noop(
    "联系电话只能填写电话号码，不能包含字母：手机如 13800000000，固定电话如 0531-88888888，"
    "带分机如 0531-88888888-123，多个号码用“、”“/”或“，”分隔"
)
SERVICE_NUMBER_MESSAGE = gettext_noop(
    "12345、95588 等短号是服务热线，不能作为联系电话：请填写联系人的手机或固定电话（如 13800000000、0531-88888888）"
)
_PHONE_SEPARATORS_RE = re.compile(r"\s*[、/,;，；]\s*")
_PHONE_DASHES = str.maketrans({"－": "-", "‐": "-", "‑": "-", "–": "-", "—": "-", "（": "(", "）": ")"})
_PHONE_RE = re.compile(
    r"""^(?:
        (?:\+?86[-\s]?)?1\d{2}[-\s]?\d{4}[-\s]?\d{4}                          # mobile
      | (?:0\d{2,3}[-\s]?|\(0\d{2,3}\)\s?)?[1-9]\d{6,7}(?:\s?(?:-|转)\s?\d{1,6})?  # landline, extension
      | [48]00[-\s]?\d{3}[-\s]?\d{4}                                          # 400/800
    )$""",
    re.VERBOSE,
)
#: 12345 (政务服务便民热线), 95588, 96166 …: a service line, never a contact person's number.
_SERVICE_NUMBER_RE = re.compile(r"^(?:1\d{4}|9\d{4,5})$")


def _phone_parts(value: str) -> list[str]:
    text = unicodedata.normalize("NFKC", value or "").translate(_PHONE_DASHES).strip()
    return _PHONE_SEPARATORS_RE.split(text) if text else []


def phone_problem(value: str) -> str | None:
    """Why ``value`` is not a contact number (a message id, :data:`SERVICE_NUMBER_MESSAGE` or
    :data:`PHONE_MESSAGE`), or None when it is one (or empty)."""
    parts = _phone_parts(value)
    if all(_PHONE_RE.match(part) for part in parts):
        return None
    if any(_SERVICE_NUMBER_RE.match(part) for part in parts):
        return SERVICE_NUMBER_MESSAGE
    return PHONE_MESSAGE


def is_valid_phone(value: str) -> bool:
    """``value`` is one or more telephone numbers (empty is valid: the field is optional)."""
    return phone_problem(value) is None


def validate_phone(value: str) -> None:
    """A contact number (联系电话, 电话) of a project, an enterprise, a request or an account:
    one or more numbers that reach the contact person — a mobile, a landline (with or without
    its area code, with or without an extension) or a 400/800 line, separated by 、 / ， ；.

    The rule deliberately refuses short service numbers (12345, the government service hotline;
    95588 and other 95xxx/96xxx lines; any 5–6 digit 1xxxx/9xxxx number): they reach a call
    centre, not the person responsible, so a record that names one cannot be followed up. They
    are refused with their own message (:data:`SERVICE_NUMBER_MESSAGE`); letters and fragments
    with :data:`PHONE_MESSAGE`."""
    problem = phone_problem(value)
    if problem is not None:
        raise ValidationError(gettext_lazy(problem), code="phone")


def project_code_region(value: str) -> str:
    return value[5:11]


def make_uscc(body: str) -> str:
    """Complete a 17-char body with its check character (demo data and tests)."""
    return body + uscc_check_char(body)


# --- text hygiene (issue 11) -----------------------------------------------------------------
# Bidirectional overrides/isolates (U+202A–U+202E, U+2066–U+2069) make a name display differently
# from what it is ("exe.txt" shown for "txt.exe"); control characters break exports and logs.


# C0 and C1 control characters (Unicode category Cc) and the bidi controls, as one regex (C speed:
# the importer checks every text cell with it).
UNSAFE_TEXT_RE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
UNSAFE_MULTILINE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def unsafe_text_char(value: str, *, multiline: bool = False) -> str | None:
    """The first bidi control or control character in ``value`` (tab and line breaks allowed
    in multi-line texts), or None."""
    m = (UNSAFE_MULTILINE_RE if multiline else UNSAFE_TEXT_RE).search(value)
    return m.group(0) if m else None


def unsafe_text_message(ch: str) -> str:
    return f"不能包含控制字符或双向文本控制符（U+{ord(ch):04X}）"


def validate_single_line_text(value: object) -> None:
    """Names and other one-line texts: no control characters, no bidi controls."""
    if isinstance(value, str) and (ch := unsafe_text_char(value)) is not None:
        raise ValidationError(unsafe_text_message(ch), code="unsafe_text")


def validate_multiline_text(value: object) -> None:
    """Free texts (descriptions, progress, problems): line breaks and tabs allowed."""
    if isinstance(value, str) and (ch := unsafe_text_char(value, multiline=True)) is not None:
        raise ValidationError(unsafe_text_message(ch), code="unsafe_text")


def install_text_validators() -> None:
    """Attach the two validators to every user-entered text field of the keyprojects models
    (``CharField`` → one line, ``TextField`` → multi-line), so ``full_clean`` in every service,
    every ModelForm and every DRF ModelSerializer refuses them. Fields with choices, and the
    audit log (which records whatever came in), are left alone. The validators are added to the
    field's runtime list only, so migrations do not change."""
    from django.apps import apps
    from django.db import models

    skip_apps = {"audit"}
    skip_names = {"password", "key_hash", "hash", "prev_hash"}
    for model in apps.get_models():
        meta = model._meta
        if not meta.app_config.name.startswith("keyprojects.") or meta.app_label in skip_apps:
            continue
        for field in meta.concrete_fields:
            if field.choices or field.name in skip_names or not isinstance(field, models.CharField | models.TextField):
                continue
            validator = validate_multiline_text if isinstance(field, models.TextField) else validate_single_line_text
            current = field.validators  # cached list: default + declared validators
            if validator not in current:
                current.append(validator)
