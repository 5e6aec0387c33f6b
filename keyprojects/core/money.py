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
    try:
        return Decimal(str(value)).quantize(WAN, rounding=ROUND_HALF_UP)
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
