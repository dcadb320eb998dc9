"""Messages (English, Lao) of the fund's declarations, merged into validation.MESSAGES."""

MESSAGES: dict[str, tuple[str, str]] = {}
