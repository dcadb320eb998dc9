"""The actuarial pages under /valuation/."""

from django.urls import include, path

app_name = "valuation"

urlpatterns = [
    path("", include("pakan.valuation.urls_pages")),
]
