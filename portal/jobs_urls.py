from django.urls import path

from portal import jobs_views

app_name = "jobs"
urlpatterns = [
    path("", jobs_views.job_list, name="list"),
    path("<uuid:pk>/", jobs_views.detail, name="detail"),
    path("<uuid:pk>/status.json", jobs_views.status, name="status"),
    path("<uuid:pk>/download/", jobs_views.download, name="download"),
    path("<uuid:pk>/retry/", jobs_views.retry, name="retry"),
]
