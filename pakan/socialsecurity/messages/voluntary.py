"""Messages (English, Lao) of the fund's voluntary, merged into validation.MESSAGES."""

MESSAGES: dict[str, tuple[str, str]] = {}
