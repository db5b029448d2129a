"""Money: stored as integer Rials (64-bit columns), shown and typed as Toman by default."""

from decimal import ROUND_HALF_UP, Decimal

RIALS_PER_TOMAN = 10


def toman_to_rial(toman) -> int:
    """The one conversion from what people type (Toman) to what is stored (Rial)."""
    return int((Decimal(str(toman)) * RIALS_PER_TOMAN).quantize(Decimal(1), ROUND_HALF_UP))


def rial_to_toman(rial) -> Decimal:
    return Decimal(int(rial)) / RIALS_PER_TOMAN
