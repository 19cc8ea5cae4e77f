"""The price table: USD per million tokens for extraction models, USD per
minute of audio for transcription models (the providers' price lists). A model
not listed has no price: its cost is unknown (null), never guessed."""

from __future__ import annotations

from decimal import Decimal

# (input, output) per million tokens
TOKEN_PRICES: dict[str, tuple[Decimal, Decimal]] = {
    "gpt-4o": (Decimal("2.50"), Decimal("10.00")),
    "gpt-4o-mini": (Decimal("0.15"), Decimal("0.60")),
    "gpt-4.1": (Decimal("2.00"), Decimal("8.00")),
    "gpt-4.1-mini": (Decimal("0.40"), Decimal("1.60")),
}
# per minute of audio
MINUTE_PRICES: dict[str, Decimal] = {
    "whisper-1": Decimal("0.006"),
    "gpt-4o-transcribe": Decimal("0.006"),
    "gpt-4o-mini-transcribe": Decimal("0.003"),
    "gpt-4o-transcribe-diarize": Decimal("0.006"),
}
_MICRO = Decimal("0.000001")


def token_cost(model: str, input_tokens: int, output_tokens: int) -> Decimal | None:
    price = TOKEN_PRICES.get(model)
    if price is None:
        return None
    total = (input_tokens * price[0] + output_tokens * price[1]) / Decimal(1_000_000)
    return total.quantize(_MICRO)


def audio_cost(model: str, seconds: float) -> Decimal | None:
    price = MINUTE_PRICES.get(model)
    if price is None:
        return None
    return (price * Decimal(str(seconds)) / Decimal(60)).quantize(_MICRO)
