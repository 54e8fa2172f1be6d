from django.urls import path

from reporting import views_national

urlpatterns = [
    path("", views_national.national, name="national"),
]
