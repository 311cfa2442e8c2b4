"""Amounts of money as Vietnamese write them: whole đồng, thousands separated by dots (1.200.000)."""


def thousands(amount: int) -> str:
    return f"{int(amount):,}".replace(",", ".")
