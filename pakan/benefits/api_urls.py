"""The benefits' REST API under /api/v1/benefits/: each part keeps its own url list."""

from django.urls import include, path

urlpatterns = [
    path("", include("pakan.benefits.api_urls_claims")),
    path("payroll/", include("pakan.benefits.api_urls_payroll")),
    path("estimates/", include("pakan.benefits.api_urls_estimates")),
]
