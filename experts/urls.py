from django.urls import path

from experts import views

app_name = "experts"
urlpatterns = [
    path("", views.workspace, name="workspace"),
]
