"""Each part of the fund keeps its own message table here; validation.MESSAGES merges them, so
`validation.error(field, code)` finds every code. Codes must be unique across the tables."""

from pakan.socialsecurity.messages import (
    billing,
    declarations,
    inspections,
    payments,
    portal,
    voluntary,
)

PART_TABLES = (declarations.MESSAGES, billing.MESSAGES, payments.MESSAGES, voluntary.MESSAGES,
               inspections.MESSAGES, portal.MESSAGES)
