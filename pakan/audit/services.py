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


def record_import(
    actor,
    object_type: str,
    *,
    file_name: str,
    first_id: int,
    last_id: int,
    rows: int,
    lines: list[list[int]] | None = None,
) -> AuditEvent:
    """A bulk import created the records with ids first_id..last_id: one event for them all.

    One row per imported record would double the work of a national load; the ids of one
    import are contiguous (the import holds the table and numbers its rows itself), so the
    range says which records it made. `lines` ([[id, file line], ...], a new pair wherever
    the lines jump) gives each record's line in the file. pakan.audit.selectors.history_of
    shows the event in the history of each record of the range, with its line.
    """
    after: dict[str, Any] = {
        "file": file_name,
        "first_id": first_id,
        "last_id": last_id,
        "rows": rows,
    }
    if lines is not None:
        after["lines"] = lines
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=AuditEvent.Action.IMPORT,
        object_type=object_type,
        object_id=None,
        after=after,
        note=f"bulk import of {file_name}"[:200],
    )
