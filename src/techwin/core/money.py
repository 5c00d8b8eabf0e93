"""Money helpers: amounts are Decimal with two places, never floats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

CURRENCIES = ("USD", "EUR", "GBP", "CHF", "CAD", "AUD", "JPY", "SEK", "NOK", "DKK", "INR", "SGD")


def quantize(amount: Decimal) -> Decimal:
    """Round ``amount`` half-up to whole cents."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal | None, currency: str = "USD") -> str:
    """Render an amount for people: ``USD 12,500`` (cents only when present)."""
    if amount is None:
        return "—"
    whole = amount == amount.to_integral_value()
    text = f"{amount:,.0f}" if whole else f"{amount:,.2f}"
    return f"{currency} {text}"


def compact_money(amount: Decimal | None) -> str:
    """Render an amount compactly for board totals: 1.2M, 350k, 900."""
    if amount is None:
        return "0"
    value = float(amount)
    for limit, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.1f}".rstrip("0").rstrip(".") + suffix
    return f"{value:.0f}"
