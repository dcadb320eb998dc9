"""Messages (English, Lao) of the fund's inspections, merged into validation.MESSAGES."""

MESSAGES: dict[str, tuple[str, str]] = {}
