from django.db.models import QuerySet

from pakan.audit.models import AuditEvent


def history_of(object_type: str, object_id: int) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id).select_related(
        "actor"
    )
