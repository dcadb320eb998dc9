"""The synthetic social security fund (`pakan synth --fund`, on by default): employers, insured
members and at least 24 months of history grown from the people already in the registry.

Two parts:

- the register (pakan.synth.fund_register): employers, the enterprise register, members,
  membership and employment spells, dependants — drawn with numpy and written as whole tables,
  once: when employers exist it is left alone;
- the history (pakan.synth.fund_history): month by month, accepted declarations written in
  bulk, then the month's billing, payments, voluntary members and a few inspections through
  the fund's own services, so invoices, the ledger and allocations are exactly what the
  services make of them. Each step finds what a previous run already did and skips it, so a
  second run (or a run after a crash) adds nothing twice.

The same registry, seed and `today` give the same fund.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from pakan.audit.models import AuditEvent
from pakan.socialsecurity.models import Employer
from pakan.synth.fund_register import (
    SOURCE,
    RegisterSummary,
    Window,
    grow_register,
    window_for,
)

DEFAULT_MONTHS = 24
Say = Callable[[str], None]


@dataclass
class FundSummary:
    window: Window
    register: RegisterSummary | None = None
    register_skipped: bool = False
    history: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def grow_fund(seed: int, *, today: datetime.date | None = None, months: int = DEFAULT_MONTHS,
              say: Say | None = None) -> FundSummary:
    """Grow the register (unless employers exist) and fill in the months of history."""
    say = say or (lambda text: None)
    window = window_for(today or timezone.localdate(), months)
    summary = FundSummary(window)
    with _quick_commits():
        _grow(seed, window, summary, say)
    return summary


@contextmanager
def _quick_commits():
    """On PostgreSQL, commits of this session do not wait for the disk (synchronous_commit
    off): the history commits thousands of small transactions, and a crash can lose only the
    last few of them, which a rerun redoes. Nothing else changes; other sessions keep the
    server's setting."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def register_is_synthetic() -> bool:
    """Whether the employers were grown here (the register's import event says so): a real
    register must never receive synthetic declarations and payments."""
    return AuditEvent.objects.filter(
        action=AuditEvent.Action.IMPORT, object_type=Employer._meta.label_lower,
        note__startswith=f"bulk import of {SOURCE}").exists()


def _grow(seed: int, window: Window, summary: FundSummary, say: Say) -> None:
    started = time.monotonic()
    if Employer.objects.exists():
        summary.register_skipped = True
        say("Employers are already registered: the register is left as it is.")
        if not register_is_synthetic():
            say("They were not made by pakan synth: no synthetic history is added to them.")
            return
    else:
        with transaction.atomic():
            summary.register = grow_register(seed, window)
        register = summary.register
        say(f"{register.employers:,} employers ({register.closed_employers:,} closed), "
            f"{register.enterprise_register_entries:,} enterprise register entries, "
            f"{register.members:,} insured members, {register.employment_spells:,} "
            f"employment spells, {register.dependants:,} dependants.")
    summary.seconds["register"] = time.monotonic() - started
    from pakan.synth.fund_history import grow_history

    started = time.monotonic()
    summary.history = grow_history(seed, window, say=say)
    summary.seconds["history"] = time.monotonic() - started
