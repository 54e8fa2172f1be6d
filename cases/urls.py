from django.urls import path

from cases import views

app_name = "cases"
urlpatterns = [
    path("agency/", views.agency_inbox, name="agency_inbox"),
]
