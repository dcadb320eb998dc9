"""Signals the registry sends so other parts can react to life events without the registry
knowing them (the registry imports nothing of benefits, health or welfare).

`person_died` is sent inside the transaction that records a death, with `person`,
`date_of_death` and `actor` (the account that recorded it): a receiver's writes commit or roll
back together with the death. Receivers must be idempotent: the same death can be announced
again (a merge that brings a date of death to the kept record, a correction of the date).
"""

from django.dispatch import Signal

person_died = Signal()
