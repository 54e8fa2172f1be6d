from django.urls import path

from reporting import views_statistics

urlpatterns = [
    path("", views_statistics.statistics, name="statistics"),
    path("export/", views_statistics.statistics_export, name="statistics_export"),
    path("agency/", views_statistics.agency_statistics, name="agency_statistics"),
]
