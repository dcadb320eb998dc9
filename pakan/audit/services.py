"""Recording the audit trail. Services call these inside their own transaction."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models

from pakan.audit.models import AuditEvent


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The stored field values of a row, as JSON-safe data."""
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if isinstance(value, datetime.date | datetime.datetime):
            value = value.isoformat()
        values[field.attname] = value
    return values


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in after.items() if before.get(name) != value}


def record_change(
    actor,
    action: str,
    instance: models.Model,
    before: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    after = snapshot(instance) if action != AuditEvent.Action.DELETE else None
    if before is not None and after is not None:
        delta = changed_fields(before, after)
        before = {name: before.get(name) for name in delta}
        after = delta
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=instance._meta.label_lower,
        object_id=instance.pk,
        before=before,
        after=after,
        note=note[:200],
    )


def record_export(actor, object_type: str, query: dict[str, Any], note: str = "") -> AuditEvent:
    """A list of personal data left the system as a file: who, when, which list, which query."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=AuditEvent.Action.EXPORT,
        object_type=object_type,
        after={"query": query},
        note=note[:200],
    )


def record_view(actor, instance: models.Model) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=AuditEvent.Action.VIEW,
        object_type=instance._meta.label_lower,
        object_id=instance.pk,
    )
