"""Background jobs with progress that pages and the CLI both show."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Completed")
        FAILED = "failed", _("Failed")
        REFUSED = "refused", _("Refused: the file has errors")

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=120, null=True, blank=True, unique=True,
                           help_text=_("A second run with the same key is refused."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.BigIntegerField(default=0)
    done = models.BigIntegerField(default=0)
    message = models.TextField(blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    input_file = models.CharField(max_length=300, blank=True)
    report_file = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scope_path = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"
