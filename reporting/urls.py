"""The statistics pages, the national platform's information reporting and the work reports
(each area in its own module)."""

from django.urls import include, path

app_name = "reporting"
urlpatterns = [
    path("", include("reporting.urls_statistics")),
    path("national/", include("reporting.urls_national")),
    path("reports/", include("reporting.urls_reports")),
]
