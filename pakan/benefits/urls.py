"""The benefits' pages under /benefits/: each part keeps its own url list."""

from django.urls import include, path

app_name = "benefits"

urlpatterns = [
    path("", include("pakan.benefits.urls_claims")),
    path("payroll/", include("pakan.benefits.urls_payroll")),
    path("estimates/", include("pakan.benefits.urls_estimates")),
]
