from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("pakan.monitoring.urls")),
    path("accounts/", include("pakan.accounts.urls")),
    path("registry/", include("pakan.registry.urls")),
    path("jobs/", include("pakan.jobs.urls")),
    path("fund/", include("pakan.socialsecurity.urls")),
    path("benefits/", include("pakan.benefits.urls")),
    path("valuation/", include("pakan.valuation.urls")),
    path("api/v1/", include("pakan.registry.api_urls")),
    path("api/v1/", include("pakan.accounts.api_urls")),
    path("api/v1/fund/", include("pakan.socialsecurity.api_urls")),
    path("api/v1/benefits/", include("pakan.benefits.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
