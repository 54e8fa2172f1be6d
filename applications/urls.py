from django.contrib.auth.decorators import login_required
from django.urls import path

from applications import views

app_name = "applications"
urlpatterns = [
    path("", login_required(views.mine), name="mine"),
]
