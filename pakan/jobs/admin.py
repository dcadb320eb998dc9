from django.contrib import admin

from pakan.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "status", "done", "total", "created_by", "created_at")
    list_filter = ("status", "kind")
    readonly_fields = [field.name for field in Job._meta.fields]
