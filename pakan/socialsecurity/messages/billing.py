"""Messages (English, Lao) of the fund's billing, merged into validation.MESSAGES."""

MESSAGES: dict[str, tuple[str, str]] = {}
