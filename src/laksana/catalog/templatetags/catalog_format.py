"""Template filters of the catalogue screens."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def rupiah(value: Decimal | int | float | None) -> str:
    """``Rp 1.250.000.000``: rupiah with Indonesian thousands separators (no cents unless
    there are any)."""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value))
    text = f"{amount:,.0f}" if amount == amount.to_integral() else f"{amount:,.2f}"
    return "Rp " + text.replace(",", "_").replace(".", ",").replace("_", ".")
