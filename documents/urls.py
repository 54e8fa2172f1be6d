from django.urls import path

from documents import views

app_name = "documents"
urlpatterns = [
    path("<int:pk>/download/", views.download, name="download"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify_code, name="verify_code"),
    path("case-file/<int:case_pk>/", views.case_file, name="case_file"),
]
