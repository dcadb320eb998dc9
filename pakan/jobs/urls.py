from django.urls import path

from pakan.jobs import views

app_name = "jobs"

urlpatterns = [
    path("<int:job_id>/", views.detail, name="detail"),
    path("<int:job_id>/progress/", views.progress, name="progress"),
    path("<int:job_id>/report.<str:fmt>", views.report, name="report"),
]
