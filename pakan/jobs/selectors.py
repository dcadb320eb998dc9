from django.db.models import QuerySet

from pakan.jobs.models import Job


def jobs_started_by(user) -> QuerySet[Job]:
    return Job.objects.filter(created_by=user)
