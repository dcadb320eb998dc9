"""Messages (English, Lao) of the fund's payments, merged into validation.MESSAGES."""

MESSAGES: dict[str, tuple[str, str]] = {}
