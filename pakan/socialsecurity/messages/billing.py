"""Messages (English, Lao) of the fund's billing, merged into validation.MESSAGES.

Billing refuses nothing a user typed: a month given as another day than its first is the
rules' RulesError (bilingual), and everything else about a declaration was checked when it was
accepted (messages/declarations.py). Codes added here start with "billing_".
"""

MESSAGES: dict[str, tuple[str, str]] = {}
