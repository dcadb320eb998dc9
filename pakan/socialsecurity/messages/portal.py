"""Messages (English, Lao) of the fund's portal, merged into validation.MESSAGES."""

MESSAGES: dict[str, tuple[str, str]] = {}
