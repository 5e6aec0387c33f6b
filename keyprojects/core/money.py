"""Money and period types: Decimal 万元 with 4 places, never float (architecture.md §4)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models

WAN = Decimal("0.0001")
MAX_DIGITS = 18
DECIMAL_PLACES = 4


def money_field(verbose_name: str, **kwargs: object) -> models.DecimalField:
    """A 万元 amount (to the yuan) — the only way amounts are declared."""
    from django.core.validators import MinValueValidator

    validators = [MinValueValidator(Decimal(0), message="金额不能为负数")]
    return models.DecimalField(  # type: ignore[call-overload,no-any-return]
        verbose_name, max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, validators=validators, **kwargs
    )


def to_wan(value: object) -> Decimal:
    """``value`` as a 万元 amount: a Decimal at 4 places, rounded half up (a Decimal is quantized
    as it is; anything else goes through its text, so a float's shortest repr is what counts)."""
    try:
        if type(value) is Decimal:
            return value.quantize(WAN, ROUND_HALF_UP)
        return Decimal(str(value)).quantize(WAN, ROUND_HALF_UP)
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not an amount: {value!r}") from exc


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period (year, month); validated, never free text."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not (2000 <= self.year <= 2100) or not (1 <= self.month <= 12):
            raise ValueError(f"invalid period {self.year}-{self.month}")

    @classmethod
    def parse(cls, text: str) -> Period:
        y, m = text.strip().split("-")
        return cls(int(y), int(m))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def format_period(value: object, *, empty: str = "") -> str:
    """A reporting period (anything with ``year`` and ``month``: a ``ReportingPeriod``, a
    :class:`Period`) as users see it, in the active language: ``2026年11月``, ``Nov 2026``.
    The models' ``str()`` stays Chinese for what is stored and exported."""
    import datetime as dt

    from django.utils.formats import date_format
    from django.utils.translation import pgettext

    year, month = getattr(value, "year", None), getattr(value, "month", None)
    if not year or not month:
        return empty if value is None or value == "" else str(value)
    # Translators: a Django date format for a reporting month; English "M Y" gives "Nov 2026".
    return date_format(dt.date(int(year), int(month), 1), pgettext("period format", "Y年n月"))


def format_month(month: int) -> str:
    """A month of the year (a chart's axis) in the active language: ``11月``, ``Nov``."""
    import datetime as dt

    from django.utils.formats import date_format
    from django.utils.translation import pgettext

    # Translators: a Django date format for a month of the year; English "M" gives "Nov".
    return date_format(dt.date(2000, int(month), 1), pgettext("month format", "n月"))


# --- display: the one way amounts are shown to users ----------------------------------------

YI = Decimal(10000)  # 1 亿元 = 10,000 万元
_SHOWN = Decimal("0.01")


def wan_to_yi(value: Decimal | int | str) -> Decimal:
    """万元 → 亿元 (exact; round only for display)."""
    return Decimal(str(value)) / YI


def _amount(value: object, empty: str) -> Decimal | str:
    """``value`` as a Decimal, or the text to show instead: ``empty`` for None/"", the value
    itself when it is not a number."""
    if value is None or value == "":
        return empty
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)


def format_wan(value: object, *, places: int = 2, empty: str = "—") -> str:
    """A 万元 amount as users see it: thousands separators and ``places`` decimals (never the
    4 stored places): ``39021177.0000`` → ``"39,021,177.00"``. ``None``/"" → ``empty``."""
    d = _amount(value, empty)
    if isinstance(d, str):
        return d
    q = Decimal(1).scaleb(-places)
    return f"{d.quantize(q, rounding=ROUND_HALF_UP):,.{places}f}"


def format_wan_exact(value: object, *, empty: str = "—") -> str:
    """:func:`format_wan` with two decimals, four when the yuan matter (``4252.9951`` →
    ``"4,252.9951"``): an amount that must match another to the yuan (分月计划)."""
    d = _amount(value, empty)
    if isinstance(d, str):
        return d
    return format_wan(d, places=2 if d == d.quantize(Decimal("0.01")) else 4)


def format_yi(value: object, *, places: int = 2, empty: str = "—") -> str:
    """A 万元 amount shown in 亿元 with separators: ``39021177`` → ``"3,902.12"``."""
    d = _amount(value, empty)
    if isinstance(d, str):
        return d
    return format_wan(wan_to_yi(d), places=places, empty=empty)
