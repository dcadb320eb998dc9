"""Reading the audit trail."""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from django.db.models import BigIntegerField, Q, QuerySet, Value
from django.db.models.query import ModelIterable

from pakan.audit.models import AuditEvent

# The record whose history is read, carried by each row of the query (see _SeenFromRecord).
HISTORY_OF = "history_of_id"


def history_of(object_type: str, object_id: int) -> QuerySet[AuditEvent]:
    """Every event of one record: its own, and the bulk imports whose id range holds it.

    A bulk import records one event for all the records it made (pakan.audit.services.
    record_import). The ranges holding this id are found first, in one indexed query on the
    events without an object id; the history is then an ordinary query over both, and each
    import event comes out as it reads for this record: its object id, and its file line in
    the note ("bulk import of people.csv, line 5"), as a per-record import event would read.
    """
    imports = list(
        AuditEvent.objects.filter(
            object_type=object_type,
            object_id__isnull=True,
            action=AuditEvent.Action.IMPORT,
            after__first_id__lte=object_id,
            after__last_id__gte=object_id,
        )
        .order_by()
        .values_list("pk", flat=True)
    )
    events = AuditEvent.objects.filter(
        Q(object_type=object_type, object_id=object_id) | Q(pk__in=imports)
    ).annotate(**{HISTORY_OF: Value(object_id, output_field=BigIntegerField())})
    events._iterable_class = _SeenFromRecord
    return events.select_related("actor")


class _SeenFromRecord(ModelIterable):
    def __iter__(self):
        for event in super().__iter__():
            yield as_seen_from_record(event)


def as_seen_from_record(event: AuditEvent) -> AuditEvent:
    """An import event of an id range, as the event of the one record being read.

    The range itself stays on the event as `import_range`.
    """
    record_id = getattr(event, HISTORY_OF, None)
    covered = event.after if event.object_id is None else None
    if record_id is None or not isinstance(covered, dict) or "first_id" not in covered:
        return event
    event.import_range = covered
    event.object_id = record_id
    event.after = None
    line = line_in_file(covered, record_id)
    if line is not None:
        event.note = f"{event.note}, line {line}"[:200]
    return event


def line_in_file(covered: dict[str, Any], record_id: int) -> int | None:
    """The file line of one record of an import range, from its runs [[first id, line], ...]."""
    runs = covered.get("lines") or []
    position = bisect_right([first_id for first_id, _ in runs], record_id) - 1
    if position < 0:
        return None
    first_id, line = runs[position]
    return line + (record_id - first_id)
